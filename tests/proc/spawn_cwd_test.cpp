// Issue 22 item 10: a build or app whose working directory (the watched root) is gone used to be
// reported as "cannot start /bin/sh (no such program …)", because posix_spawn reports a failed
// chdir with the same errno as a missing program. The error must say which one it was.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <system_error>

#include "base/reactor.h"
#include "proc/process_group.h"
#include "proc/reaper.h"
#include "support/temp_dir.h"

using namespace hotpod;
using namespace hotpod::testing;

TEST_CASE("a spawn whose working directory is gone names the directory, not the program") {
  TempDir dir;
  Reactor reactor;
  Reaper reaper;
  ProcessGroup group(
      reactor, reaper, [](std::string_view) {}, [](const ExitInfo&) {});
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", "true"};
  spec.cwd = dir.path() / "root.moved-away";  // never created: the root was moved
  std::string message;
  try {
    group.start(spec);
  } catch (const std::system_error& error) {
    message = error.what();
  }
  INFO("error: " << message);
  CHECK(message.find("cannot change to its working directory " + spec.cwd.string()) !=
        std::string::npos);
  CHECK(message.find("no such program") == std::string::npos);
  CHECK_FALSE(group.active());
}
