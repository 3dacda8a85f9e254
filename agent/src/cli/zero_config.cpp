#include <unistd.h>

#include <filesystem>
#include <functional>
#include <sstream>

#include "base/files.h"
#include "base/text.h"
#include "cli/options.h"
#include "loop/dev_loop.h"
#include "migrate/starter.h"

namespace hotpod {
namespace {

// Zero-config builds go outside the source tree (hotpod writes there only through the user's own
// command), to a directory that is stable per project so incremental builds stay fast.
std::filesystem::path zeroConfigDir(const std::filesystem::path& root) {
  std::ostringstream name;
  name << "hotpod-zero-" << ::getuid() << "-" << std::hex
       << stableHash(normalizedRoot(root).string());
  return tempDirectory() / name.str();
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

void applyZeroConfig(Config& config, bool create_dir) {
  const ProjectGuess guess = detectProject(config.root);
  if (guess.found.empty()) return;
  // hotpod runs the binary it builds there: the directory must be ours alone.
  const auto dir = zeroConfigDir(config.root);
  if (create_dir) {
    privateDirectory(dir);
  } else {
    checkPrivateDirectory(dir);  // hotpod check: refuse a planted one, create nothing
  }
  const std::string outputs = dir.string() + "/";
  config.guessed = guess.found;
  config.build.cmd = replaceAll(guess.build_cmd, ".hotpod/", outputs);
  const std::string run = replaceAll(guess.run_cmd, ".hotpod/", outputs);
  if (!run.empty()) {
    config.run.cmd =
        run.find(' ') == std::string::npos ? Command::direct({run}) : Command::shell(run);
  }
  config.watch.include_ext = guess.include_ext;
  config.watch.include = guess.include;
  config.watch.exclude = guess.exclude;
}

}  // namespace hotpod
