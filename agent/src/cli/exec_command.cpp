// `hotpod exec`: flags → ExecConfig, then the supervisor.
#include "base/log.h"
#include "base/text.h"
#include "cli/options.h"
#include "config/loader.h"
#include "exec/exec_supervisor.h"
#include "guard/production_guard.h"
#include "model/config_error.h"

namespace hotpod {

int execCommand(const ExecOptions& options) {
  if (options.command.empty()) {
    throw ConfigError("", 0, 0, "hotpod exec", "no command to run",
                      "put it after --: hotpod exec -- /src/bin/app --port 8080");
  }
  ExecConfig exec;
  exec.command = options.command;
  exec.exit_with_child = options.exit_with_child;
  if (options.restart_signal) exec.restart_signal = parseRestartSignal(*options.restart_signal);
  if (options.state_file) {
    if (options.state_file->empty()) {
      throw ConfigError("", 0, 0, "--state-file", "empty path",
                        "give a file in a volume the agent can read, e.g. /shared/exec.json");
    }
    exec.state_file = *options.state_file;
  }

  // Only the path counts (it is asked on each version's own port): /healthz stands for a URL.
  std::optional<std::string> health_url = options.health_url;
  if (health_url && health_url->starts_with('/')) *health_url = "http://127.0.0.1" + *health_url;
  // The stop settings and the log settings are read by the same readers as run.* and log.* in
  // hotpod.yaml, so they accept (and reject) exactly the same values.
  Config config;
  const struct {
    const std::optional<std::string>& value;
    const char* key;
    const char* origin;
  } settings[] = {
      {options.stop_signal, "run.stop_signal", "--stop-signal"},
      {options.stop_timeout, "run.stop_timeout", "--stop-timeout"},
      {options.log_format, "log.format", "--log-format (or HOTPOD_LOG_FORMAT)"},
      {options.log_level, "log.level", "--log-level (or HOTPOD_LOG_LEVEL)"},
      {options.proxy_listen, "proxy.listen", "--proxy-listen (or HOTPOD_PROXY_LISTEN)"},
      {options.proxy_hold_timeout, "proxy.hold_timeout", "--proxy-hold-timeout"},
      {options.proxy_handover, "proxy.handover", "--proxy-handover (or HOTPOD_PROXY_HANDOVER)"},
      {health_url, "app.health_url", "--health-url"},
      {options.ready_timeout, "app.ready_timeout", "--ready-timeout"},
  };
  for (const auto& setting : settings) {
    if (!setting.value) continue;
    // HOTPOD_PROXY_LISTEN=off turns the proxy off for an image whose environment sets the
    // other proxy settings too: they are then left unread.
    const bool proxy_setting = std::string_view(setting.key).starts_with("proxy.") &&
                               std::string_view(setting.key) != "proxy.listen";
    if (proxy_setting && options.proxy_listen && !config.proxy.enabled) continue;
    applySetting(config, setting.key, {*setting.value}, false, setting.origin);
  }
  exec.stop_signal = config.run.stop_signal;
  exec.stop_timeout = config.run.stop_timeout;
  exec.proxy = config.proxy;
  exec.readiness = config.app;
  log::setup(config.log.format, log::parseLevel(config.log.level).value_or(spdlog::level::info));

  if (const auto verdict = detectProduction(ProductionSignals::fromEnvironment());
      verdict.production && !options.allow_production) {
    exec.refuse_restarts = "because this looks like production (" + joined(verdict.reasons, "; ") +
                           "); --allow-production allows them";
    log::warn("production",
              "supervising only: restart signals will be refused, " + exec.refuse_restarts);
  }
  ExecSupervisor supervisor(std::move(exec));
  return supervisor.run();
}

}  // namespace hotpod
