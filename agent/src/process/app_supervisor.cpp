#include "process/app_supervisor.h"

#include "core/duration.h"
#include "core/environment.h"
#include "core/log.h"
#include "core/signals.h"

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

}  // namespace

AppSupervisor::AppSupervisor(Reactor& reactor, Reaper& reaper, RunConfig config,
                             std::filesystem::path root)
    : config_(std::move(config)),
      root_(std::move(root)),
      group_(
          reactor, reaper, [](std::string_view line) { log::output(log::Source::App, line); },
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
    group_.start({launchArgv(config_.cmd), root_, Environment::fromCurrent().entries(), true});
  } catch (const std::system_error& error) {
    log::error("app_start_failed", std::string("cannot start the app: ") + error.what() +
                                       "; waiting for the next change");
    if (observer_.start_failed) observer_.start_failed(error.what());
    return;
  }
  ++restarts_;
  log::info("app_started",
            "app started (pid " + std::to_string(group_.pid()) + "): " + config_.cmd.display(),
            {{"pid", int64_t{group_.pid()}}});
  if (observer_.started) observer_.started(group_.pid());
}

void AppSupervisor::onGone(const ExitInfo& exit) {
  const bool asked = stopping_for_good_ || start_when_gone_;
  const bool clean = exit.exited() && exit.code() == 0;
  if (observer_.gone) {
    observer_.gone(exit, asked ? AppEnd::Stopped : clean ? AppEnd::ExitedCleanly : AppEnd::Crashed);
  }
  const auto ran = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  if (stopping_for_good_) {
    log::info("app_stopped", "app stopped (" + exit.describe() + ")",
              {{"exit_code", int64_t{exit.code()}}});
    if (auto done = std::move(on_stopped_)) done();
    return;
  }
  if (start_when_gone_) {
    start_when_gone_ = false;
    log::info("app_stopped", "app stopped (" + exit.describe() + ")",
              {{"exit_code", int64_t{exit.code()}}});
    launch();
    return;
  }
  // It ended on its own.
  if (exit.exited() && exit.code() == 0) {
    log::info("app_exited",
              "app exited with code 0 after " + formatDuration(ran) +
                  "; it starts again on the next change",
              {{"exit_code", int64_t{0}}});
    return;
  }
  if (!config_.restart_on_crash) {
    log::error("app_crashed",
               "app crashed (" + exit.describe() + ") after " + formatDuration(ran) +
                   "; restart_on_crash is off",
               {{"exit_code", int64_t{exit.code()}}});
    return;
  }
  if (ran >= kStableRun) next_backoff_ = kFirstBackoff;
  log::error("app_crashed",
             "app crashed (" + exit.describe() + ") after " + formatDuration(ran) +
                 "; restarting in " + formatDuration(next_backoff_),
             {{"exit_code", int64_t{exit.code()}},
              {"backoff_ms", static_cast<int64_t>(next_backoff_.count())}});
  backoff_timer_.armAfter(next_backoff_);
  next_backoff_ = std::min(next_backoff_ * 2, kMaxBackoff);
}

}  // namespace hotpod
