#include <filesystem>

#include "cli/options.h"
#include "config/loader.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

struct Setting {
  const std::optional<std::string>& value;
  const char* key;
  const char* origin;
};

// With `services:`, the keys a service has (and inherits) take a flag in every service too: a
// flag is the strongest source. The ones naming one app's program or target are ambiguous there.
enum class ForServices { TopLevelOnly, EveryService, Ambiguous };

ForServices reach(std::string_view key) {
  if (key == "build.cmd" || key == "proxy.listen" || key.starts_with("target.")) {
    return ForServices::Ambiguous;  // one address cannot serve several services either
  }
  if (key == "watch.delay" || key == "watch.include_ext") return ForServices::EveryService;
  return ForServices::TopLevelOnly;  // root, the watcher, the HTTP server, the log: one each
}

void refuseWithServices(const Config& config, const std::string& origin, std::string_view key) {
  throw ConfigError(origin, 0, 0, std::string(key),
                    "names one app's setting, but " + config.source.string() + " has services:",
                    "set services.NAME." + std::string(key) + " in the file for the service it " +
                        "concerns, or drop the flag");
}

void applyEverywhere(Config& config, std::string_view key, const std::vector<std::string>& values,
                     bool as_list, const std::string& origin) {
  const ForServices scope = config.services.empty() ? ForServices::TopLevelOnly : reach(key);
  if (scope == ForServices::Ambiguous) refuseWithServices(config, origin, key);
  applySetting(config, key, values, as_list, origin);
  if (scope != ForServices::EveryService) return;
  for (auto& service : config.services) applySetting(service.config, key, values, as_list, origin);
}

}  // namespace

Config resolveConfig(const CommandLine& line, bool guess_project, bool create_dirs) {
  Config config;
  bool from_file = true;
  if (line.config_file) {
    config = loadConfigFile(*line.config_file);
  } else if (std::filesystem::exists("hotpod.yaml")) {
    config = loadConfigFile("hotpod.yaml");
  } else {
    from_file = false;
  }
  // Zero-config guesses first, so that every flag still wins over the guess.
  if (guess_project && !from_file && !line.build && line.app.empty()) {
    if (line.root) applySetting(config, "root", {*line.root}, false, "--root (or HOTPOD_ROOT)");
    applyZeroConfig(config, create_dirs);
  }
  // Each flag (CLI11 has already folded its HOTPOD_* variable into it) is read by the same
  // readers as the key in the file, so both accept and reject exactly the same values.
  const Setting settings[] = {
      {line.root, "root", "--root (or HOTPOD_ROOT)"},
      {line.build, "build.cmd", "--build (or HOTPOD_BUILD)"},
      {line.backend, "watch.backend", "--backend (or HOTPOD_BACKEND)"},
      {line.poll_interval, "watch.poll_interval", "--poll-interval (or HOTPOD_POLL_INTERVAL)"},
      {line.delay, "watch.delay", "--delay (or HOTPOD_DELAY)"},
      {line.include_ext, "watch.include_ext", "--include-ext (or HOTPOD_INCLUDE_EXT)"},
      {line.listen, "http.listen", "--listen (or HOTPOD_LISTEN)"},
      {line.log_format, "log.format", "--log-format (or HOTPOD_LOG_FORMAT)"},
      {line.log_level, "log.level", "--log-level (or HOTPOD_LOG_LEVEL)"},
      {line.target_mode, "target.mode", "--target-mode (or HOTPOD_TARGET_MODE)"},
      {line.target_exe, "target.match.exe", "--target-exe (or HOTPOD_TARGET_EXE)"},
      {line.target_cmdline, "target.match.cmdline", "--target-cmdline (or HOTPOD_TARGET_CMDLINE)"},
      {line.target_pidfile, "target.match.pidfile", "--target-pidfile (or HOTPOD_TARGET_PIDFILE)"},
      {line.target_signal, "target.signal", "--target-signal (or HOTPOD_TARGET_SIGNAL)"},
      {line.proxy_listen, "proxy.listen", "--proxy-listen (or HOTPOD_PROXY_LISTEN)"},
  };
  for (const auto& setting : settings) {
    if (setting.value)
      applyEverywhere(config, setting.key, {*setting.value}, false, setting.origin);
  }
  if (!line.exclude.empty()) {  // flags add to the file's patterns rather than replace them
    const std::string origin = "--exclude (or HOTPOD_EXCLUDE)";
    auto add = [&](Config& target) {
      auto in_file = target.watch.exclude;
      applySetting(target, "watch.exclude", line.exclude, true, origin);
      target.watch.exclude.insert(target.watch.exclude.begin(), in_file.begin(), in_file.end());
    };
    add(config);
    for (auto& service : config.services) add(service.config);
  }
  if (!line.app.empty()) {
    if (!config.services.empty()) refuseWithServices(config, "-- CMD", "run.cmd");
    config.run.cmd = Command::direct(line.app);
  }
  return config;
}

}  // namespace hotpod
