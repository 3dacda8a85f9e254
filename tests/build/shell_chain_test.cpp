// Rules' `run` steps and build.cmd become one /bin/sh -c script; checked with the real shell.
#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <string>

#include "build/builder.h"

using namespace hotpod;

namespace {

struct ShellResult {
  std::string output;
  int exit_code = -1;
};

ShellResult runShell(const std::string& script) {
  const std::string quoted = "/bin/sh -c '" + script + "'";
  ShellResult result;
  FILE* pipe = ::popen(quoted.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[256];
  while (::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace

TEST_CASE("a single step is run as written, so the shell can exec it without a subshell") {
  CHECK(chainShellCommands({"go build -o app . # comment"}) == "go build -o app . # comment");
  const auto result = runShell(chainShellCommands({"echo built # trailing comment"}));
  CHECK(result.output == "built\n");
  CHECK(result.exit_code == 0);
}

TEST_CASE("several steps run in order; a trailing comment does not swallow the next step") {
  const auto result = runShell(chainShellCommands({"echo one # first", "echo two", "echo three"}));
  CHECK(result.output == "one\ntwo\nthree\n");
  CHECK(result.exit_code == 0);
}

TEST_CASE("the first failing step stops the chain with its exit status") {
  const auto result = runShell(chainShellCommands({"echo one", "exit 3", "echo never"}));
  CHECK(result.output == "one\n");
  CHECK(result.exit_code == 3);
}
