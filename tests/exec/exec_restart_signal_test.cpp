#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "exec/exec_supervisor.h"
#include "model/config_error.h"

using hotpod::ConfigError;
using hotpod::parseRestartSignal;

namespace {

// The message of the ConfigError that parseRestartSignal(text) throws.
std::string rejection(const char* text) {
  try {
    parseRestartSignal(text);
  } catch (const ConfigError& error) {
    CHECK(error.key() == "--restart-signal");
    return error.what();
  }
  FAIL("'" << text << "' was accepted as a restart signal");
  return {};
}

}  // namespace

TEST_CASE("the restart signal is read by name, without SIG, or by number") {
  CHECK(parseRestartSignal("SIGUSR2") == SIGUSR2);
  CHECK(parseRestartSignal("usr2") == SIGUSR2);
  CHECK(parseRestartSignal("12") == SIGUSR2);
  CHECK(parseRestartSignal("SIGRTMIN+1") == SIGRTMIN + 1);
  CHECK(parseRestartSignal("SIGWINCH") == SIGWINCH);
}

TEST_CASE("a forwarded signal cannot be the restart signal, and the error says which to use") {
  for (int forwarded : hotpod::kForwardedSignals) {
    const std::string message = rejection(std::to_string(forwarded).c_str());
    CHECK(message.find("is forwarded to the app") != std::string::npos);
    CHECK(message.find("use SIGUSR2") != std::string::npos);
  }
  CHECK(rejection("SIGHUP").find("SIGHUP is forwarded") != std::string::npos);
  CHECK(rejection("term").find("SIGTERM is forwarded") != std::string::npos);
}

TEST_CASE("signals hotpod exec cannot catch or needs for itself are refused") {
  CHECK(rejection("KILL").find("cannot be caught") != std::string::npos);
  CHECK(rejection("SIGSTOP").find("cannot be caught") != std::string::npos);
  CHECK(rejection("SIGCHLD").find("child ended") != std::string::npos);
  CHECK(rejection("SIGSEGV").find("fault in hotpod exec") != std::string::npos);
  CHECK(rejection("SIGABRT").find("fault in hotpod exec") != std::string::npos);
}

TEST_CASE("an unknown restart signal names the flag and the text") {
  const std::string message = rejection("SIGFOO");
  CHECK(message.find("--restart-signal") != std::string::npos);
  CHECK(message.find("unknown signal 'SIGFOO'") != std::string::npos);
  CHECK(rejection("0").find("unknown signal") != std::string::npos);
}
