#include "migrate/import_common.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "base/duration.h"
#include "base/files.h"
#include "base/rel_path.h"
#include "base/signals.h"
#include "base/text.h"
#include "config/observe_reader.h"
#include "model/config_error.h"

namespace hotpod::import_detail {
namespace {

// Plain (unquoted) YAML only where nothing could read it differently: not a bool, null or
// number, no indicator at the start, no ": " or " #", and in a flow list no ',', '[', ']',
// '{', '}', ':' or '#' at all.
bool plainYaml(std::string_view text, bool in_flow) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.back() == ':') return false;
  const char first = text.front();
  if (!std::isalpha(static_cast<unsigned char>(first)) && first != '_' && first != '/' &&
      first != '.') {
    return false;
  }
  if (first == '.' && text.size() > 1 && std::isdigit(static_cast<unsigned char>(text[1]))) {
    return false;
  }
  static const std::vector<std::string> words = {"true", "false", "yes",  "no",   "on",  "off",
                                                 "y",    "n",     "null", ".inf", ".nan"};
  if (std::find(words.begin(), words.end(), lowercase(text)) != words.end()) return false;
  if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos) {
    return false;
  }
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
    if (in_flow && std::string_view(",[]{}:# ").find(c) != std::string_view::npos) return false;
  }
  return true;
}

std::string yamlScalar(std::string_view text, bool in_flow = false) {
  if (plainYaml(text, in_flow)) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      static const char* digits = "0123456789abcdef";
      quoted += "\\x";
      quoted += digits[byte >> 4];
      quoted += digits[byte & 0xf];
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

std::string yamlList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + yamlScalar(item, true);
  return "[" + out + "]";
}

std::string yamlCommand(const Command& command) {
  if (command.empty()) return "\"\"";
  if (command.through_shell) return yamlScalar(command.argv.back());
  return yamlList(command.argv);
}

// Comment lines of at most ~100 columns: "<indent># text".
void writeComment(std::ostringstream& out, const std::string& indent, std::string_view text) {
  const size_t width = 98 - indent.size();
  std::string line;
  std::istringstream words{std::string(text)};
  std::string word;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out << indent << "# " << line << "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out << indent << "# " << line << "\n";
}

// One key: its description, the conversion's notes, then "key: value".
class Writer {
 public:
  explicit Writer(const Draft& draft) : draft_(draft) {}

  void key(const std::string& section, const std::string& name, std::string_view description,
           const std::string& value) {
    const std::string indent = section.empty() ? "" : "  ";
    writeComment(out_, indent, description);
    auto notes = draft_.notes.find(section.empty() ? name : section + "." + name);
    if (notes != draft_.notes.end()) {
      for (const auto& note : notes->second)
        writeComment(out_, indent, "From " + draft_.tool + ": " + note);
    }
    out_ << indent << name << ": " << value << "\n";
  }
  std::ostringstream& out() { return out_; }

 private:
  const Draft& draft_;
  std::ostringstream out_;
};

}  // namespace

ImportResult render(const Draft& draft) {
  const Config defaults;
  const WatchConfig& watch = defaults.watch;
  const RunConfig& run = defaults.run;
  Writer writer(draft);
  auto& out = writer.out();

  writeComment(out, "", "hotpod configuration, " + draft.title + ".");
  for (const auto& line : draft.header) writeComment(out, "", line);
  if (!draft.same.empty()) {
    std::string list;
    for (const auto& item : draft.same) list += (list.empty() ? "" : ", ") + item;
    writeComment(out, "", "Already what hotpod does: " + list + ".");
  }
  writeComment(out, "",
               "Review it, then check it with `hotpod check`. Keys that the conversion did not "
               "set show hotpod's defaults. Durations are a number with a unit: 250ms, 5s, 2m.");
  out << "#\n";
  if (draft.dropped.empty()) out << "# Every setting was converted.\n";
  for (const auto& dropped : draft.dropped) out << "# not converted: " << dropped << "\n";
  out << "\n";

  writer.key("", "root", "The watched directory, where build and run start; relative to this file.",
             yamlScalar(draft.root.value_or(".")));

  out << "\nwatch:\n";
  const WatchBackend backend = draft.backend.value_or(watch.backend);
  writer.key("watch", "backend",
             "auto (default): inotify on local filesystems, polling on network and virtual ones; "
             "or inotify, poll, hybrid (inotify plus a slow verification poll).",
             backend == WatchBackend::Poll      ? "poll"
             : backend == WatchBackend::Inotify ? "inotify"
             : backend == WatchBackend::Hybrid  ? "hybrid"
                                                : "auto");
  writer.key("watch", "poll_interval",
             "How often the poll backend looks for changes (default 500ms).",
             formatDuration(draft.poll_interval.value_or(watch.poll_interval)));
  writer.key("watch", "verify_interval",
             "How often hybrid verifies what inotify reported (default 5s).",
             formatDuration(watch.verify_interval));
  writer.key("watch", "poll_budget", "Share of one CPU core polling may use (default 5%).", "5%");
  writer.key("watch", "include_ext",
             "Only files with these extensions (no dot) trigger a build, or files matching "
             "`include`; [] with no `include`: every file.",
             yamlList(draft.include_ext.value_or(watch.include_ext)));
  writer.key("watch", "include",
             "gitignore-style patterns, relative to root: matching files trigger a build "
             "whatever their extension (default []).",
             yamlList(draft.include.value_or(watch.include)));
  writer.key("watch", "exclude",
             "gitignore-style patterns: matching files and directories never trigger a build "
             "(default []).",
             yamlList(draft.exclude.value_or(watch.exclude)));
  writer.key("watch", "exclude_dir",
             "Directories never watched: a bare name at any depth, a path from root. .git and "
             ".hotpod are always excluded. Default: [node_modules].",
             yamlList(draft.exclude_dir.value_or(watch.exclude_dir)));
  writer.key("watch", "gitignore", "Honour .gitignore files and .git/info/exclude (default true).",
             "true");
  const Duration delay = draft.delay.value_or(watch.delay);
  writer.key("watch", "delay", "Build once no change has arrived for this long (default 100ms).",
             formatDuration(delay));
  writer.key("watch", "max_delay",
             "...but hold a continuous stream of changes back no longer than this (default 2s).",
             formatDuration(std::max(delay, watch.max_delay)));

  out << "\nbuild:\n";
  writer.key("build", "cmd",
             "Runs through /bin/sh -c in root; a failed build leaves the running app alone. "
             "Empty: no build step.",
             yamlScalar(draft.build_cmd.value_or("")));
  writer.key("build", "timeout", "Stop a build that runs longer; 0s (default): no limit.", "0s");
  writer.key("build", "on_busy",
             "Changes during a build: restart (default) cancels it and starts over; queue builds "
             "once more after it.",
             "restart");
  writer.key("build", "env", "Extra environment variables for the build only (default {}).", "{}");
  writer.key("build", "artifacts",
             "What the build produces, relative to root: never a trigger, and kept as the last "
             "good version for app.rollback (default []).",
             "[]");

  out << "\nrun:\n";
  writer.key("run", "cmd",
             "The app, restarted after each good build. A string runs through /bin/sh -c; a list "
             "is started directly. Empty: nothing is run.",
             yamlCommand(draft.run_cmd.value_or(run.cmd)));
  writer.key("run", "stop_signal", "Sent to the app's process group to stop it (default SIGTERM).",
             signalName(draft.stop_signal.value_or(run.stop_signal)));
  writer.key("run", "stop_timeout",
             "Then SIGKILL after this long (default 5s); 0s sends SIGKILL at once.",
             formatDuration(draft.stop_timeout.value_or(run.stop_timeout)));
  writer.key("run", "restart_on_crash",
             "Start the app again, with back-off, when it exits non-zero or is killed (default "
             "true); an exit with code 0 waits for the next change.",
             draft.restart_on_crash.value_or(run.restart_on_crash) ? "true" : "false");

  out << "\nlog:\n";
  writer.key("log", "format", "text (default) or json.", "text");
  writer.key("log", "level", "trace, debug, info (default), warn, error or off.",
             draft.log_level.value_or(defaults.log.level));

  out << observeSectionsYaml();
  return {out.str(), draft.dropped};
}

bool isShellPlain(std::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) ||
                 std::string_view("-_./:=+,@%").find(c) != std::string_view::npos;
    if (!plain) return false;
  }
  return true;
}

std::string shellQuote(std::string_view word) {
  if (isShellPlain(word)) return std::string(word);
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string shellJoin(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + shellQuote(word);
  return line;
}

bool hasGlob(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

std::optional<std::string> rootRelative(std::string_view path) {
  if (path.starts_with('/')) return std::nullopt;
  return normalizeRelPath(path);
}

std::string anchoredPattern(const std::string& rel_path) {
  return rel_path.find('/') == std::string::npos ? "/" + rel_path : rel_path;
}

void appendUnique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

std::optional<std::string> bareExtension(std::string_view ext) {
  while (ext.starts_with(' ')) ext.remove_prefix(1);
  while (ext.ends_with(' ')) ext.remove_suffix(1);
  if (ext.starts_with('*')) ext.remove_prefix(1);
  while (ext.starts_with('.')) ext.remove_prefix(1);
  if (ext.empty() || ext.find_first_of("/*?[ \t") != std::string_view::npos) return std::nullopt;
  return std::string(ext);
}

std::optional<std::string> regexAsGlob(std::string_view regex) {
  const bool at_end = regex.ends_with('$') && !regex.ends_with("\\$");
  if (at_end) regex.remove_suffix(1);
  if (regex.starts_with(".*")) regex.remove_prefix(2);
  std::string literal;
  for (size_t i = 0; i < regex.size(); ++i) {
    char c = regex[i];
    if (c == '\\' && i + 1 < regex.size() &&
        std::string_view(".-_").find(regex[i + 1]) != std::string_view::npos) {
      literal += regex[++i];
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') {
      literal += c;  // a bare '.' matches any character; nobody relies on that
    } else {
      return std::nullopt;
    }
  }
  if (literal.empty()) return std::nullopt;
  // An unanchored regex also matches longer names; keep that unless it names an extension.
  const auto dot = literal.rfind('.');
  const bool names_extension = dot != std::string::npos && dot + 1 < literal.size();
  return "*" + literal + (at_end || names_extension ? "" : "*");
}

std::string readTextFile(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw ConfigError(path.string(), 0, 0, "", "is a directory", "name the configuration file");
  }
  auto text = readWholeFile(path);
  if (!text) {
    bool missing = !std::filesystem::exists(path, error);
    throw ConfigError(path.string(), 0, 0, "", missing ? "file not found" : "cannot read the file",
                      missing ? "name an existing file" : "check its permissions");
  }
  return std::move(*text);
}

}  // namespace hotpod::import_detail
