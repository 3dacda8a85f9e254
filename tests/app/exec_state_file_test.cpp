#include "app/exec_state_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "support/temp_dir.h"

using hotpod::ExecPhase;
using hotpod::ExecState;
using hotpod::ExecStateFile;

namespace {

size_t entriesIn(const std::filesystem::path& dir) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
  return count;
}

}  // namespace

TEST_CASE("the state file holds every field the agent reads, nulls before the first exit") {
  hotpod::testing::TempDir dir;
  const auto path = dir.path() / "exec.json";
  ExecState state;
  state.pid = 1;
  state.child_pid = 7;
  state.phase = ExecPhase::Running;
  state.command = {"/src/bin/app", "--port", "8080"};
  state.restart_signal = "SIGUSR2";
  ExecStateFile(path).write(state);

  const auto json = nlohmann::json::parse(hotpod::testing::readText(path));
  CHECK(json["pid"] == 1);
  CHECK(json["child_pid"] == 7);
  CHECK(json["restarts"] == 0);
  CHECK(json["last_exit"].is_null());
  CHECK(json["last_exit_code"].is_null());
  CHECK(json["state"] == "running");
  CHECK(json["command"] == nlohmann::json::array({"/src/bin/app", "--port", "8080"}));
  CHECK(json["restart_signal"] == "SIGUSR2");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  CHECK(json["updated_at"].get<int64_t>() <= now);
  CHECK(json["updated_at"].get<int64_t>() >= now - 60);
}

TEST_CASE("after a crash the state file says how the child ended and that none runs") {
  hotpod::testing::TempDir dir;
  const auto path = dir.path() / "exec.json";
  ExecState state;
  state.pid = 42;
  state.restarts = 3;
  state.last_exit = "exit code 2";
  state.last_exit_code = 2;
  state.phase = ExecPhase::Backoff;
  state.command = {"app"};
  ExecStateFile(path).write(state);

  const auto json = nlohmann::json::parse(hotpod::testing::readText(path));
  CHECK(json["child_pid"].is_null());
  CHECK(json["restarts"] == 3);
  CHECK(json["last_exit"] == "exit code 2");
  CHECK(json["last_exit_code"] == 2);
  CHECK(json["state"] == "backoff");
}

TEST_CASE("each phase has the name the docs give it") {
  CHECK(hotpod::toString(ExecPhase::Starting) == "starting");
  CHECK(hotpod::toString(ExecPhase::Running) == "running");
  CHECK(hotpod::toString(ExecPhase::Restarting) == "restarting");
  CHECK(hotpod::toString(ExecPhase::Backoff) == "backoff");
  CHECK(hotpod::toString(ExecPhase::Stopping) == "stopping");
  CHECK(hotpod::toString(ExecPhase::Stopped) == "stopped");
}

TEST_CASE("with the proxy the state file says the handover and the candidate being started") {
  ExecState state;
  state.child_pid = 7;
  CHECK(nlohmann::json::parse(hotpod::execStateJson(state, 0)).count("handover") == 0);
  state.handover = "overlap";
  state.candidate_pid = 8;
  const auto json = nlohmann::json::parse(hotpod::execStateJson(state, 0));
  CHECK(json["handover"] == "overlap");
  CHECK(json["candidate_pid"] == 8);
  const auto read = hotpod::parseExecState(hotpod::execStateJson(state, 0));
  REQUIRE(read.has_value());
  CHECK(read->handover == "overlap");
  CHECK(read->candidate_pid == 8);
  state.candidate_pid.reset();
  CHECK(nlohmann::json::parse(hotpod::execStateJson(state, 0))["candidate_pid"].is_null());
}

TEST_CASE("a command line that is not UTF-8 still gives valid JSON") {
  ExecState state;
  state.command = {"app", std::string("caf\xe9")};
  const auto json = nlohmann::json::parse(hotpod::execStateJson(state, 0));
  CHECK(json["command"][1] == "caf\xef\xbf\xbd");  // U+FFFD
}

TEST_CASE("a state file that cannot be written says what to do and leaves no temp file") {
  hotpod::testing::TempDir dir;
  const auto missing = dir.path() / "no-such-dir" / "exec.json";
  try {
    ExecStateFile(missing).write(ExecState{});
    FAIL("expected std::system_error");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == ENOENT);
    CHECK(std::string(error.what()).find("choose another --state-file") != std::string::npos);
  }
  // The target is a directory: the rename fails after the temp file was written.
  std::filesystem::create_directory(dir.path() / "taken");
  CHECK_THROWS_AS(ExecStateFile(dir.path() / "taken").write(ExecState{}), std::system_error);
  CHECK(entriesIn(dir.path()) == 1);  // just "taken": the temp file was removed
}

TEST_CASE("the agent reads back what hotpod exec wrote, and refuses files of the wrong shape") {
  hotpod::testing::TempDir dir;
  const auto path = dir.path() / "exec.json";
  ExecState state;
  state.pid = 1;
  state.child_pid = 7;
  state.restarts = 2;
  state.last_exit = "killed by SIGKILL";
  state.last_exit_code = 137;
  state.phase = ExecPhase::Backoff;
  state.command = {"./app", "--port", "8080"};
  state.restart_signal = "SIGUSR2";
  ExecStateFile(path).write(state);

  const auto read = hotpod::parseExecState(hotpod::testing::readText(path));
  REQUIRE(read.has_value());
  CHECK(read->pid == 1);
  CHECK(read->child_pid == 7);
  CHECK(read->restarts == 2);
  CHECK(read->last_exit == "killed by SIGKILL");
  CHECK(read->last_exit_code == 137);
  CHECK((read->phase == ExecPhase::Backoff));  // ExecPhase has no doctest printer
  CHECK(read->command == state.command);
  CHECK(read->restart_signal == "SIGUSR2");

  // Another version's file with only some fields still gives the restart signal.
  CHECK(hotpod::parseExecState(R"({"pid": 9, "restart_signal": "SIGHUP"})")->restart_signal ==
        "SIGHUP");
  CHECK_FALSE(hotpod::parseExecState("[1, 2]").has_value());
  CHECK_FALSE(hotpod::parseExecState("{\"pid\": 1").has_value());
  CHECK_FALSE(hotpod::parseExecState(R"({"pid": "1"})").has_value());
  CHECK_FALSE(hotpod::parseExecState(R"({"pid": 4294967296})").has_value());
  CHECK_FALSE(hotpod::parseExecState(R"({"restarts": -1})").has_value());
  CHECK_FALSE(hotpod::parseExecState(R"({"state": "zombie"})").has_value());
  CHECK_FALSE(hotpod::parseExecState(R"({"command": ["./app", 3]})").has_value());
}
