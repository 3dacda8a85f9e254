#include <filesystem>
#include <sstream>

#include "cli/options.h"
#include "config/config_error.h"
#include "config/listen_address.h"
#include "config/loader.h"
#include "core/duration.h"
#include "core/log.h"

namespace hotpod {
namespace {

// Errors in flags and variables have no line or column; they name the flag and its variable.
[[noreturn]] void badOption(const std::string& flag, const std::string& env,
                            const std::string& problem, const std::string& hint) {
  throw ConfigError("command line", 0, 0, flag + " (or " + env + ")", problem, hint);
}

Duration durationOption(const std::string& text, const std::string& flag, const std::string& env) {
  auto parsed = parseDuration(text);
  if (!parsed) {
    badOption(flag, env, "invalid duration '" + text + "'",
              "use a number with a unit: 250ms, 5s, 2m");
  }
  return *parsed;
}

std::vector<std::string> splitExtensions(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    while (!item.empty() && (item.front() == ' ' || item.front() == '.')) item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

Config resolveConfig(const CommandLine& line) {
  Config config;
  if (line.config_file) {
    config = loadConfigFile(*line.config_file);
  } else if (std::filesystem::exists("hotpod.yaml")) {
    config = loadConfigFile("hotpod.yaml");
  }
  if (line.root) config.root = *line.root;
  if (line.build) config.build.cmd = *line.build;
  if (line.backend) {
    static const std::pair<const char*, WatchBackend> kBackends[] = {
        {"auto", WatchBackend::Auto},
        {"inotify", WatchBackend::Inotify},
        {"poll", WatchBackend::Poll},
        {"hybrid", WatchBackend::Hybrid}};
    bool known = false;
    for (const auto& [name, backend] : kBackends) {
      if (*line.backend == name) {
        config.watch.backend = backend;
        known = true;
      }
    }
    if (!known) {
      badOption("--backend", "HOTPOD_BACKEND", "unknown backend '" + *line.backend + "'",
                "use one of auto, inotify, poll, hybrid");
    }
  }
  if (line.poll_interval) {
    config.watch.poll_interval =
        durationOption(*line.poll_interval, "--poll-interval", "HOTPOD_POLL_INTERVAL");
  }
  if (line.delay) {
    config.watch.delay = durationOption(*line.delay, "--delay", "HOTPOD_DELAY");
    if (config.watch.max_delay < config.watch.delay) config.watch.max_delay = config.watch.delay;
  }
  if (line.include_ext) config.watch.include_ext = splitExtensions(*line.include_ext);
  for (const auto& pattern : line.exclude) config.watch.exclude.push_back(pattern);
  if (line.listen) {
    if (!parseListenAddress(*line.listen)) {
      badOption("--listen", "HOTPOD_LISTEN", "invalid address '" + *line.listen + "'",
                "use HOST:PORT, e.g. 127.0.0.1:8090");
    }
    config.http.listen = *line.listen;
  }
  if (line.log_format) {
    if (*line.log_format == "text") {
      config.log.format = LogFormat::Text;
    } else if (*line.log_format == "json") {
      config.log.format = LogFormat::Json;
    } else {
      badOption("--log-format", "HOTPOD_LOG_FORMAT", "unknown format '" + *line.log_format + "'",
                "use text or json");
    }
  }
  if (line.log_level) {
    if (!log::parseLevel(*line.log_level)) {
      badOption("--log-level", "HOTPOD_LOG_LEVEL", "unknown level '" + *line.log_level + "'",
                "use one of trace, debug, info, warn, error, off");
    }
    config.log.level = *line.log_level;
  }
  if (!line.app.empty()) config.run.cmd = Command::direct(line.app);
  return config;
}

}  // namespace hotpod
