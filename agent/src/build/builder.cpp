#include "build/builder.h"

#include <algorithm>
#include <fstream>

#include "base/duration.h"
#include "base/environment.h"
#include "base/log.h"

namespace hotpod {
namespace {

// One environment string may not exceed MAX_ARG_STRLEN (128 KiB); past this the list is cut
// and the complete one is in HOTPOD_CHANGED_FILES_FILE.
constexpr size_t kMaxChangedFilesVariable = 64 * 1024;
constexpr std::chrono::milliseconds kCancelGrace{2000};

}  // namespace

std::string chainShellCommands(const std::vector<std::string>& steps) {
  if (steps.size() == 1) return steps.front();
  std::string script;
  for (const auto& step : steps) script += (script.empty() ? "(" : " && (") + step + "\n)";
  return script;
}

std::string failureReport(const BuildOutcome& outcome, bool app_running) {
  std::string block =
      "build #" + std::to_string(outcome.number) + " FAILED (" +
      (outcome.result == BuildResult::TimedOut ? std::string("timed out")
                                               : outcome.exit.describe()) +
      ") after " + formatDuration(outcome.duration) + "; " +
      (app_running ? "the app keeps running the previous version" : "no app is running") +
      ". Last output:";
  if (outcome.tail.empty()) block += " (none)";
  const size_t shown = std::min<size_t>(outcome.tail.size(), 20);
  for (size_t i = outcome.tail.size() - shown; i < outcome.tail.size(); ++i) {
    block += "\n    " + outcome.tail[i];
  }
  return block;
}

void logBuildFinished(const BuildOutcome& outcome, bool app_running) {
  const std::string number = "#" + std::to_string(outcome.number);
  const auto fields = {log::Field{"build", static_cast<int64_t>(outcome.number)},
                       log::Field{"result", toString(outcome.result)},
                       log::Field{"duration_ms", static_cast<int64_t>(outcome.duration.count())},
                       log::Field{"exit_code", int64_t{outcome.exit.code()}}};
  switch (outcome.result) {
    case BuildResult::Succeeded:
      return log::eventAt(outcome.ended_at, spdlog::level::info, "build_finished",
                          "build " + number + " succeeded in " + formatDuration(outcome.duration),
                          fields);
    case BuildResult::Cancelled:
      return log::eventAt(outcome.ended_at, spdlog::level::info, "build_finished",
                          "build " + number + " cancelled", fields);
    case BuildResult::Failed:
    case BuildResult::TimedOut:
      return log::eventAt(outcome.ended_at, spdlog::level::err, "build_finished",
                          failureReport(outcome, app_running), fields);
  }
}

Builder::Builder(Reactor& reactor, Reaper& reaper, BuildConfig config, std::filesystem::path root,
                 std::filesystem::path scratch_dir, DoneHandler on_done)
    : config_(std::move(config)),
      root_(std::move(root)),
      scratch_dir_(std::move(scratch_dir)),
      on_done_(std::move(on_done)),
      group_(
          reactor, reaper,
          [this](std::string_view line) {
            log::output(log::Source::Build, line);
            current_.tail.emplace_back(line);
            if (current_.tail.size() > kTailLines) current_.tail.pop_front();
          },
          [this](const ExitInfo& exit) {
            const BuildResult result = cancelled_         ? BuildResult::Cancelled
                                       : timed_out_       ? BuildResult::TimedOut
                                       : exit.code() == 0 ? BuildResult::Succeeded
                                                          : BuildResult::Failed;
            finish(result, exit);
          }),
      timeout_(reactor,
               [this] {
                 timed_out_ = true;
                 log::error("build_timeout", "build timed out after " +
                                                 formatDuration(config_.timeout) +
                                                 "; killing its process group");
                 group_.terminate(SIGKILL, std::chrono::milliseconds(0));
               }),
      report_spawn_failure_(reactor, [this] { finish(BuildResult::Failed, ExitInfo{127 << 8}); }) {}

std::vector<std::string> Builder::environment(const ChangeSet& changes) const {
  std::string list;
  for (const auto& path : changes.paths()) {
    list += path;
    list += '\n';
  }
  if (!list.empty()) list.pop_back();
  const auto list_file = scratch_dir_ / ("changed-files-" + std::to_string(count_));
  std::ofstream(list_file) << list << (list.empty() ? "" : "\n");
  // A file name may hold a newline (never a NUL): this list splits only between names, for
  // xargs -0 and read -d ''.
  const auto nul_list_file = scratch_dir_ / ("changed-files0-" + std::to_string(count_));
  std::ofstream nul_list(nul_list_file, std::ios::binary);
  for (const auto& path : changes.paths()) nul_list << path << '\0';
  const bool truncated = list.size() > kMaxChangedFilesVariable;
  if (truncated) list.resize(list.rfind('\n', kMaxChangedFilesVariable));
  Environment env = Environment::forChildren();
  for (const auto& [key, value] : config_.env) env.set(key, value);
  env.set("HOTPOD_CHANGED_FILES", list);
  env.set("HOTPOD_CHANGED_FILES_FILE", list_file.string());
  env.set("HOTPOD_CHANGED_FILES0", nul_list_file.string());
  env.set("HOTPOD_CHANGED_COUNT", std::to_string(changes.size()));
  env.set("HOTPOD_CHANGED_FILES_TRUNCATED", truncated ? "1" : "0");
  env.set("HOTPOD_WATCH_ROOT", root_.string());  // not HOTPOD_ROOT: that one is an input
  env.set("HOTPOD_BUILD_NUMBER", std::to_string(count_));
  return env.entries();
}

void Builder::start(const ChangeSet& changes, const std::string& command_override) {
  const std::string& command = command_override.empty() ? config_.cmd : command_override;
  ++count_;
  timed_out_ = cancelled_ = false;
  current_ = BuildOutcome{};
  current_.number = count_;
  current_.changes = changes;
  started_ = std::chrono::steady_clock::now();
  // Spawn first and log after: the time from a save to the build's first instruction is what
  // users wait for. The build runs from its execve on, and its record and duration say so.
  try {
    group_.start({{"/bin/sh", "-c", command}, root_, environment(changes), own_session_});
    started_ = group_.execAt();
  } catch (const std::system_error& error) {
    current_.tail.emplace_back(error.what());
    // Reported on the next reactor turn, so that callers see the start before the end.
    report_spawn_failure_.armAfter(std::chrono::nanoseconds(0));
  }
  log::eventAt(
      started_, spdlog::level::info, "build_started",
      "build #" + std::to_string(count_) + " started: " + command,
      {{"build", static_cast<int64_t>(count_)}, {"changed", static_cast<int64_t>(changes.size())}});
  if (config_.timeout.count() > 0 && group_.active()) timeout_.armAt(started_ + config_.timeout);
}

void Builder::cancel(std::string_view reason) {
  if (!busy() || cancelled_) return;
  cancelled_ = true;
  log::info("build_cancelled",
            "cancelling build #" + std::to_string(count_) + ": " + std::string(reason),
            {{"build", static_cast<int64_t>(count_)}, {"reason", reason}});
  group_.terminate(SIGTERM, kCancelGrace);
}

void Builder::finish(BuildResult result, const ExitInfo& exit) {
  timeout_.disarm();
  current_.result = result;
  current_.exit = exit;
  current_.ended_at = std::chrono::steady_clock::now();
  current_.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(current_.ended_at - started_);
  const uint64_t number = count_;
  BuildOutcome outcome = std::move(current_);
  // The outcome first: after a success it stops the old app, whose exit is on the way from a
  // save to the new answer; the lists' removal (a file system's inode work) is not.
  on_done_(outcome);
  std::error_code ignored;
  for (const char* list : {"changed-files-", "changed-files0-"}) {
    std::filesystem::remove(scratch_dir_ / (list + std::to_string(number)), ignored);
  }
}

}  // namespace hotpod
