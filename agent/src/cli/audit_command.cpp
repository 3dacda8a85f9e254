// `hotpod audit`: the audit log (audit.path, and its rotated files, oldest first) as a table or
// as JSON lines, filtered by time, event and changed path.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "base/text.h"
#include "cli/options.h"
#include "config/loader.h"
#include "filter/wildmatch.h"
#include "model/config_error.h"
#include "observe/audit_log.h"
#include "observe/audit_trail.h"

namespace hotpod {
namespace {
using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

// An instant ("2026-12-03T22:10:00Z", "2026-12-03") or a duration ago ("2h").
TimePoint parseWhen(const std::string& text, const char* flag) {
  if (auto time = parseAuditTime(text)) return *time;
  if (auto ago = parseDuration(text)) return std::chrono::system_clock::now() - *ago;
  throw ConfigError("", 0, 0, flag, "'" + text + "' is neither a time nor a duration",
                    "write e.g. 2026-12-03T22:10:00Z, 2026-12-03 (UTC) or 2h (two hours ago)");
}

std::filesystem::path auditFile(const AuditOptions& options) {
  if (options.file) return *options.file;
  const std::filesystem::path config_file = options.config_file.value_or("hotpod.yaml");
  const Config config = loadConfigFile(config_file);
  if (config.audit.path.empty()) {
    throw ConfigError(config_file.string(), 0, 0, "audit.path", "no audit log is configured",
                      "set audit.path in the config, or name the file with --file");
  }
  return config.audit.path;
}

std::string text(const json& record, const char* key) {
  const auto found = record.find(key);
  if (found == record.end() || found->is_null()) return "-";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

std::string describeTrigger(const json& trigger) {
  if (!trigger.is_object()) return "-";
  const std::string kind = text(trigger, "kind");
  if (kind == "files") {
    std::vector<std::string> paths;
    for (const auto& file : trigger.value("files", json::array())) {
      if (paths.size() == 3) break;
      paths.push_back(escapeControl(text(file, "path")));
    }
    const size_t count = trigger.value("count", size_t{0});
    std::string out = std::to_string(count) + " file(s): " + joined(paths);
    if (count > paths.size()) out += ", …";
    return out;
  }
  if (kind == "request") return text(trigger, "action") + " by " + text(trigger, "client");
  if (kind == "build" || kind == "rollback") return kind + " #" + text(trigger, "build");
  if (kind == "not_ready") return "never ready: " + text(trigger, "detail");
  return kind;
}

std::string shortVersion(const json& record, const char* key) {
  std::string version = text(record, key);
  const auto colon = version.find(':');
  if (colon != std::string::npos) version = version.substr(colon + 1, 12);
  return version;
}

std::vector<std::string> row(const json& record) {
  const std::string event = text(record, "event");
  std::string build = text(record, "build");
  std::string version = shortVersion(record, "version");
  if (event == "rollback") {
    build = "#" + text(record, "bad_build") + " → #" + text(record, "good_build");
    version = shortVersion(record, "bad_version") + " → " + shortVersion(record, "good_version");
  } else if (build != "-") {
    build = "#" + build;
  }
  if (event == "signal") version = text(record, "signal");
  std::string result = text(record, "result");
  if (record.contains("pid") && !record["pid"].is_null())
    result += " (pid " + text(record, "pid") + ")";
  return {text(record, "time"),
          event,
          result,
          build,
          version,
          escapeControl(describeTrigger(record.value("trigger", json())))};
}

bool matches(const json& record, const AuditOptions& options, std::optional<TimePoint> since,
             std::optional<TimePoint> until) {
  if (!options.events.empty() && std::find(options.events.begin(), options.events.end(),
                                           text(record, "event")) == options.events.end()) {
    return false;
  }
  if (since || until) {
    const auto time = parseAuditTime(text(record, "time"));
    if (!time || (since && *time < *since) || (until && *time > *until)) return false;
  }
  if (options.paths.empty()) return true;
  const json trigger = record.value("trigger", json::object());
  if (!trigger.is_object()) return false;
  for (const auto& file : trigger.value("files", json::array())) {
    const std::string path = text(file, "path");
    for (const auto& glob : options.paths) {
      if (wildmatch(glob, path)) return true;
    }
  }
  return false;
}

void printTable(const std::vector<std::vector<std::string>>& rows) {
  const std::vector<std::string> header = {"TIME",  "EVENT",   "RESULT",
                                           "BUILD", "VERSION", "TRIGGER"};
  std::vector<size_t> widths(header.size());
  const auto width = [](const std::string& cell) {
    // Display width: UTF-8 continuation bytes take no column.
    return static_cast<size_t>(std::count_if(cell.begin(), cell.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
  };
  for (const auto& cells : rows) {
    for (size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], width(cells[i]));
  }
  for (size_t i = 0; i < header.size(); ++i) widths[i] = std::max(widths[i], header[i].size());
  const auto print = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - width(cells[i]) + 2, ' ');
    }
    std::cout << line << '\n';
  };
  print(header);
  for (const auto& cells : rows) print(cells);
}

}  // namespace

int auditCommand(const AuditOptions& options) {
  const auto file = auditFile(options);
  std::optional<TimePoint> since, until;
  if (options.since) since = parseWhen(*options.since, "--since");
  if (options.until) until = parseWhen(*options.until, "--until");
  // Oldest first: the rotated files from the highest number down, then the file itself.
  std::vector<std::filesystem::path> files;
  for (int n = 1; std::filesystem::exists(rotatedAuditFile(file, n)); ++n) {
    files.insert(files.begin(), rotatedAuditFile(file, n));
  }
  if (!std::filesystem::exists(file) && files.empty()) {
    std::cerr << "hotpod: error: " << escapeControl(file.string())
              << " does not exist: no record has been written yet (is audit.path right?)\n";
    return 1;
  }
  files.push_back(file);
  std::vector<std::vector<std::string>> rows;
  size_t unreadable = 0;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    for (size_t number = 1; std::getline(in, line); ++number) {
      const json record = json::parse(line, nullptr, false);
      if (record.is_discarded() || !record.is_object()) {
        std::cerr << "hotpod: warning: " << escapeControl(path.string()) << ":" << number
                  << ": not an audit record (not one JSON object); skipped\n";
        ++unreadable;
        continue;
      }
      if (!matches(record, options, since, until)) continue;
      if (options.json) {
        std::cout << line << '\n';
      } else {
        rows.push_back(row(record));
      }
    }
  }
  if (!options.json) printTable(rows);
  return unreadable == 0 ? 0 : 1;
}

}  // namespace hotpod
