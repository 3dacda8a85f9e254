#include "app/app_supervisor.h"

#include "base/duration.h"
#include "base/environment.h"
#include "base/log.h"
#include "base/signals.h"

namespace hotpod {

namespace {

// A one-command shell string runs as `exec CMD`, so the app itself (not a shell waiting for it)
// is the process that gets signals such as a rule's SIGHUP; anything with shell syntax stays.
std::vector<std::string> launchArgv(const Command& command) {
  if (!command.through_shell) return command.argv;
  const std::string& text = command.argv.back();
  if (text.find_first_of(";&|<>()`$\n*?[]{}~#!") != std::string::npos ||
      text.starts_with("exec ")) {
    return command.argv;
  }
  // Leading NAME=value assignments stay in front: `A=1 exec app` gives app A=1.
  size_t command_start = 0;
  while (command_start < text.size()) {
    const size_t word_end = std::min(text.find(' ', command_start), text.size());
    const std::string_view word(text.data() + command_start, word_end - command_start);
    if (word.empty() || word.find('=') == std::string_view::npos || word.front() == '=') break;
    command_start = text.find_first_not_of(' ', word_end);
    if (command_start == std::string::npos) return command.argv;  // only assignments
  }
  return {"/bin/sh", "-c", text.substr(0, command_start) + "exec " + text.substr(command_start)};
}

std::vector<std::string> childEnvironment(const std::map<std::string, std::string>& extra) {
  Environment environment = Environment::forChildren();
  for (const auto& [key, value] : extra) environment.set(key, value);
  return environment.entries();
}

}  // namespace

AppSupervisor::AppSupervisor(Reactor& reactor, Reaper& reaper, RunConfig config,
                             std::filesystem::path root, AppSupervisorOptions options)
    : config_(std::move(config)),
      root_(std::move(root)),
      options_(std::move(options)),
      group_(
          reactor, reaper,
          [this](std::string_view line) {
            log::output(log::Source::App, line);
            if (options_.output_line) options_.output_line(line);
          },
          [this](const ExitInfo& exit) { onGone(exit); }),
      backoff_timer_(reactor, [this] { launch(); }) {}

void AppSupervisor::restart(std::string_view reason) {
  if (!configured() || stopping_for_good_) return;
  backoff_timer_.disarm();
  next_backoff_ = kFirstBackoff;
  if (!group_.active()) {
    launch();
    return;
  }
  start_when_gone_ = true;
  if (group_.stopping()) return;  // already on its way out; the new one follows
  log::info("app_stopping",
            "stopping app (pid " + std::to_string(group_.pid()) + ") with " +
                signalName(config_.stop_signal) + ": " + std::string(reason),
            {{"pid", int64_t{group_.pid()}}, {"reason", reason}});
  group_.terminate(config_.stop_signal, config_.stop_timeout);
}

void AppSupervisor::stop(std::function<void()> on_stopped) {
  stopping_for_good_ = true;
  start_when_gone_ = false;
  backoff_timer_.disarm();
  if (!group_.active()) {
    on_stopped();
    return;
  }
  on_stopped_ = std::move(on_stopped);
  log::info("app_stopping",
            "stopping app (pid " + std::to_string(group_.pid()) + ") with " +
                signalName(config_.stop_signal),
            {{"pid", int64_t{group_.pid()}}, {"reason", "shutdown"}});
  group_.terminate(config_.stop_signal, config_.stop_timeout);
}

void AppSupervisor::launch() {
  if (stopping_for_good_) return;
  started_ = std::chrono::steady_clock::now();
  try {
    group_.start({launchArgv(config_.cmd), root_, childEnvironment(options_.env), true,
                  options_.inherit_stdio, /*claim_orphans=*/true});
  } catch (const std::system_error& error) {
    const std::string text = std::string("cannot start the app: ") + error.what();
    std::optional<std::chrono::milliseconds> retry_in;
    switch (options_.own_exit) {
      case OwnExitPolicy::RestartCrashes:
        log::error("app_start_failed", text + "; waiting for the next change");
        break;
      case OwnExitPolicy::RestartAlways:
        log::error("app_start_failed", text + "; retrying in " + formatDuration(next_backoff_),
                   {{"backoff_ms", static_cast<int64_t>(next_backoff_.count())}});
        retry_in = armBackoff();
        break;
      case OwnExitPolicy::Report:
        log::error("app_start_failed", text);
        break;
    }
    if (options_.observer.start_failed) {
      options_.observer.start_failed(error.code().value(), retry_in);
    }
    return;
  }
  ++restarts_;
  current_pid_ = group_.pid();
  // Observers (the status) first, as for an exit: whoever reads the log line sees the new pid.
  if (options_.observer.started) options_.observer.started(current_pid_);
  // Stamped with the app's execve: its start-up runs from then, whenever hotpod gets to log.
  log::eventAt(group_.execAt(), spdlog::level::info, "app_started",
               "app started (pid " + std::to_string(group_.pid()) + "): " + config_.cmd.display(),
               {{"pid", int64_t{group_.pid()}}});
}

void AppSupervisor::onGone(const ExitInfo& exit) {
  const auto ran = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  const pid_t pid = std::exchange(current_pid_, -1);
  if (stopping_for_good_ || start_when_gone_) {
    log::info("app_stopped", "app stopped (" + exit.describe() + ")",
              {{"pid", int64_t{pid}}, {"exit_code", int64_t{exit.code()}}});
    notifyEnded(pid, exit, false, std::nullopt);
    if (stopping_for_good_) {
      if (auto done = std::move(on_stopped_)) done();
      return;
    }
    start_when_gone_ = false;
    launch();
    return;
  }
  onOwnExit(pid, exit, ran);
}

// The observers (status snapshot) hear of the exit before the log line goes out, so that a
// reader of the event finds the status already saying so.
void AppSupervisor::onOwnExit(pid_t pid, const ExitInfo& exit, std::chrono::milliseconds ran) {
  const bool clean = exit.exited() && exit.code() == 0;
  const std::string what =
      (clean ? std::string("app exited with code 0") : "app crashed (" + exit.describe() + ")") +
      " after " + formatDuration(ran);
  const char* event = clean ? "app_exited" : "app_crashed";
  const auto level = clean ? spdlog::level::info : spdlog::level::err;
  const log::Field pid_field{"pid", int64_t{pid}};
  const log::Field code_field{"exit_code", int64_t{exit.code()}};
  switch (options_.own_exit) {
    case OwnExitPolicy::Report:
      notifyEnded(pid, exit, true, std::nullopt);
      log::event(level, event, what, {pid_field, code_field});
      return;
    case OwnExitPolicy::RestartCrashes:
      if (clean) {
        notifyEnded(pid, exit, true, std::nullopt);
        log::event(level, event, what + "; it starts again on the next change",
                   {pid_field, code_field});
        return;
      }
      if (!config_.restart_on_crash) {
        notifyEnded(pid, exit, true, std::nullopt);
        log::event(level, event, what + "; restart_on_crash is off", {pid_field, code_field});
        return;
      }
      break;
    case OwnExitPolicy::RestartAlways:
      break;
  }
  if (ran >= kStableRun) next_backoff_ = kFirstBackoff;
  const auto delay = armBackoff();
  notifyEnded(pid, exit, true, delay);
  log::event(level, event, what + "; restarting in " + formatDuration(delay),
             {pid_field, code_field, {"backoff_ms", static_cast<int64_t>(delay.count())}});
}

// Arms the crash back-off timer and doubles the next delay, up to the cap.
std::chrono::milliseconds AppSupervisor::armBackoff() {
  const auto delay = next_backoff_;
  backoff_timer_.armAfter(delay);
  next_backoff_ = std::min(next_backoff_ * 2, kMaxBackoff);
  return delay;
}

void AppSupervisor::notifyEnded(pid_t pid, const ExitInfo& exit, bool on_its_own,
                                std::optional<std::chrono::milliseconds> restart_in) {
  if (options_.observer.ended) options_.observer.ended({pid, exit, on_its_own, restart_in});
}

}  // namespace hotpod
