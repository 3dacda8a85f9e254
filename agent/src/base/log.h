#pragma once
// hotpod's log: spdlog underneath, text (coloured on a TTY) or JSON lines. Every line has a
// source ("hotpod", "build" or "app"); JSON lines also carry an event name and fields, which is
// what dashboards and the integration tests read.
#include <spdlog/common.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/log_format.h"

namespace hotpod::log {

using Value = std::variant<std::string_view, int64_t, double, bool>;
struct Field {
  std::string_view key;
  Value value;
};

// Parses trace|debug|info|warn|error|off; nullopt otherwise.
std::optional<spdlog::level::level_enum> parseLevel(std::string_view name);

// Sets up the loggers; safe to call again (e.g. once the config is known).
void setup(LogFormat format, spdlog::level::level_enum level);

// One structured record from hotpod itself.
void event(spdlog::level::level_enum level, std::string_view name, std::string_view text,
           std::initializer_list<Field> fields = {});
// The same, for something that happened at `at`, a moment ago: the record's time is then, not
// when the line is written (build_started and app_started: when the program was exec'd, which
// may be well before hotpod gets a CPU back; see proc/spawn.h).
void eventAt(std::chrono::steady_clock::time_point at, spdlog::level::level_enum level,
             std::string_view name, std::string_view text,
             std::initializer_list<Field> fields = {});

inline void info(std::string_view name, std::string_view text,
                 std::initializer_list<Field> fields = {}) {
  event(spdlog::level::info, name, text, fields);
}
inline void warn(std::string_view name, std::string_view text,
                 std::initializer_list<Field> fields = {}) {
  event(spdlog::level::warn, name, text, fields);
}
inline void error(std::string_view name, std::string_view text,
                  std::initializer_list<Field> fields = {}) {
  event(spdlog::level::err, name, text, fields);
}
inline void debug(std::string_view name, std::string_view text,
                  std::initializer_list<Field> fields = {}) {
  event(spdlog::level::debug, name, text, fields);
}

enum class Source { Build, App };
// One line of a child's output, prefixed by its source.
void output(Source source, std::string_view line);

void flush();

// The service (of a `services:` config) the loop thread works for at the moment: its log lines
// carry it ("service" in JSON, "[name] " in text). "" outside services.
const std::string& currentService();
class ServiceScope {
 public:
  explicit ServiceScope(std::string service);
  ~ServiceScope();
  ServiceScope(const ServiceScope&) = delete;
  ServiceScope& operator=(const ServiceScope&) = delete;

 private:
  std::string previous_;
};
// `callback`, run later, in the service that is current now (the reactor and the reaper keep
// the service of whoever registered a handler).
template <class R, class... Args>
std::function<R(Args...)> keepService(std::function<R(Args...)> callback) {
  const std::string& service = currentService();
  if (service.empty() || !callback) return callback;
  return [service, callback = std::move(callback)](Args... args) -> R {
    ServiceScope scope(service);
    return callback(std::forward<Args>(args)...);
  };
}

}  // namespace hotpod::log
