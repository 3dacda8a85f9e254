#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace hotpod::log {
namespace {

struct Loggers {
  LogFormat format = LogFormat::Text;
  std::shared_ptr<spdlog::logger> hotpod, build, app;
};

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

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void appendJsonValue(std::string& out, const Value& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          appendJsonString(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else {
          out += std::to_string(v);
        }
      },
      value);
}

// In JSON mode the pattern supplies ts, level and source; the payload supplies the rest.
std::string jsonPayload(std::string_view name, std::string_view text,
                        std::initializer_list<Field> fields) {
  std::string out = "\"event\":";
  appendJsonString(out, name);
  out += ",\"msg\":";
  appendJsonString(out, text);
  for (const auto& field : fields) {
    out += ',';
    appendJsonString(out, field.key);
    out += ':';
    appendJsonValue(out, field.value);
  }
  return out;
}

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
      format == LogFormat::Json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","source":"%n",%v})"
                                : "%H:%M:%S.%e %^%-5l%$ %-6n| %v";
  for (auto* logger : {&all.hotpod, &all.build, &all.app}) {
    (*logger)->set_pattern(pattern, format == LogFormat::Json ? spdlog::pattern_time_type::utc
                                                              : spdlog::pattern_time_type::local);
    (*logger)->set_level(level);
    (*logger)->flush_on(spdlog::level::trace);  // lines must reach pipes and tests at once
  }
}

void event(spdlog::level::level_enum level, std::string_view name, std::string_view text,
           std::initializer_list<Field> fields) {
  auto& all = loggers();
  if (!all.hotpod->should_log(level)) return;
  if (all.format == LogFormat::Json) {
    all.hotpod->log(level, "{}", jsonPayload(name, text, fields));
  } else {
    all.hotpod->log(level, "{}", text);
  }
}

void output(Source source, std::string_view line) {
  auto& all = loggers();
  auto& logger = source == Source::Build ? all.build : all.app;
  if (all.format == LogFormat::Json) {
    logger->info("{}", jsonPayload("output", line, {}));
  } else {
    logger->info("{}", line);
  }
}

void flush() {
  auto& all = loggers();
  for (auto* logger : {&all.hotpod, &all.build, &all.app}) (*logger)->flush();
}

}  // namespace hotpod::log
