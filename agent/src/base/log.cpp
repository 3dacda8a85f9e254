#include "base/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

#include "base/json_text.h"
#include "base/text.h"

namespace hotpod::log {
namespace {

struct Loggers {
  LogFormat format = LogFormat::Text;
  std::shared_ptr<spdlog::logger> hotpod, build, app;
};

thread_local std::string current_service;

Loggers& loggers() {
  static Loggers instance = [] {
    Loggers created;
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    created.hotpod = std::make_shared<spdlog::logger>("hotpod", sink);
    created.build = std::make_shared<spdlog::logger>("build", sink);
    created.app = std::make_shared<spdlog::logger>("app", sink);
    return created;
  }();
  return instance;
}

// In JSON mode the pattern supplies ts, level and source; the payload supplies the rest: the
// members of one object, without its braces.
std::string jsonPayload(std::string_view name, std::string_view text,
                        std::initializer_list<Field> fields) {
  nlohmann::ordered_json payload{{"event", name}, {"msg", text}};
  if (!current_service.empty()) payload["service"] = current_service;
  for (const auto& field : fields) {
    std::visit([&](const auto& value) { payload[std::string(field.key)] = value; }, field.value);
  }
  const std::string object = jsonText(payload);
  return object.substr(1, object.size() - 2);
}

// %* in the pattern: the level as the config spells it (warn, not spdlog's "warning"); %& the
// same padded to 5 columns for text lines.
template <bool kPadded>
class LevelNameFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view kNames[] = {"trace", "debug",    "info", "warn",
                                                  "error", "critical", "off"};
    const auto name = kNames[static_cast<size_t>(msg.level)];
    dest.append(name.data(), name.data() + name.size());
    for (size_t i = name.size(); kPadded && i < 5; ++i) dest.push_back(' ');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelNameFlag>();
  }
};

}  // namespace

std::optional<spdlog::level::level_enum> parseLevel(std::string_view name) {
  static const std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (const auto& [known, level] : kLevels) {
    if (known == name) return level;
  }
  return std::nullopt;
}

void setup(LogFormat format, spdlog::level::level_enum level) {
  auto& all = loggers();
  all.format = format;
  const std::string pattern =
      format == LogFormat::Json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%*","source":"%n",%v})"
                                : "%H:%M:%S.%e %^%&%$ %-6n| %v";
  // The app's and the build's own output is shown at every level but off: it is the user's.
  const auto output_level = level == spdlog::level::off ? level : spdlog::level::info;
  for (auto* logger : {&all.hotpod, &all.build, &all.app}) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(
        format == LogFormat::Json ? spdlog::pattern_time_type::utc
                                  : spdlog::pattern_time_type::local);
    formatter->add_flag<LevelNameFlag<false>>('*').add_flag<LevelNameFlag<true>>('&').set_pattern(
        pattern);
    (*logger)->set_formatter(std::move(formatter));
    (*logger)->set_level(*logger == all.hotpod ? level : output_level);
    (*logger)->flush_on(spdlog::level::trace);  // lines must reach pipes and tests at once
  }
}

namespace {

void write(spdlog::log_clock::time_point time, spdlog::level::level_enum level,
           std::string_view name, std::string_view text, std::initializer_list<Field> fields) {
  auto& all = loggers();
  std::string line;
  if (all.format == LogFormat::Json) {
    line = jsonPayload(name, text, fields);
  } else if (current_service.empty()) {
    // hotpod's own lines carry file names and commands: no control character may forge a line
    // or reach the terminal. (The build's and the app's output below is theirs: untouched.)
    line = escapeControl(text);
  } else {
    line = "[" + current_service + "] " + escapeControl(text);
  }
  all.hotpod->log(time, spdlog::source_loc{}, level, line);
}

// The system clock's reading at the steady clock's `at`: the two clocks are read between two
// readings of the steady one, and again if something came in between.
spdlog::log_clock::time_point systemTimeOf(std::chrono::steady_clock::time_point at) {
  using std::chrono::steady_clock;
  for (int attempt = 0;; ++attempt) {
    const auto before = steady_clock::now();
    const auto system = spdlog::log_clock::now();
    const auto after = steady_clock::now();
    if (after - before < std::chrono::microseconds(20) || attempt == 3) {
      const auto ago = before + (after - before) / 2 - at;
      return system - std::chrono::duration_cast<spdlog::log_clock::duration>(ago);
    }
  }
}

}  // namespace

void event(spdlog::level::level_enum level, std::string_view name, std::string_view text,
           std::initializer_list<Field> fields) {
  if (!loggers().hotpod->should_log(level)) return;
  write(spdlog::log_clock::now(), level, name, text, fields);
}

void eventAt(std::chrono::steady_clock::time_point at, spdlog::level::level_enum level,
             std::string_view name, std::string_view text, std::initializer_list<Field> fields) {
  if (!loggers().hotpod->should_log(level)) return;
  write(systemTimeOf(at), level, name, text, fields);
}

void output(Source source, std::string_view line) {
  auto& all = loggers();
  auto& logger = source == Source::Build ? all.build : all.app;
  if (all.format == LogFormat::Json) {
    logger->info("{}", jsonPayload("output", line, {}));
  } else {
    if (current_service.empty()) {
      logger->info("{}", line);
    } else {
      logger->info("[{}] {}", current_service, line);
    }
  }
}

void flush() {
  auto& all = loggers();
  for (auto* logger : {&all.hotpod, &all.build, &all.app}) (*logger)->flush();
}

const std::string& currentService() {
  return current_service;
}

ServiceScope::ServiceScope(std::string service)
    : previous_(std::exchange(current_service, std::move(service))) {}

ServiceScope::~ServiceScope() {
  current_service = std::move(previous_);
}

}  // namespace hotpod::log
