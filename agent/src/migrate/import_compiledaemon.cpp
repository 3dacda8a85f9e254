// CompileDaemon's command-line flags -> hotpod.yaml (github.com/githubnemo/CompileDaemon,
// daemon.go: Go's flag package, so -flag=value, -flag value, --flag; bools only as -flag[=bool]).
#include <algorithm>
#include <map>

#include "migrate/import_common.h"
#include "migrate/importers.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

using import_detail::Draft;
using Strings = std::vector<std::string>;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& flag, const std::string& problem,
                       const std::string& hint = {}) {
  throw ConfigError("", 0, 0, flag, problem, hint);
}

// The arguments as /bin/sh would split them: whitespace, '...', "..." and backslashes.
Strings shellWords(const std::string& text) {
  Strings words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i < text.size() && text[i] != '\n') word += text[i];
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string::npos) fail("", "a ' has no closing quote", "check the quoting");
      word += text.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) fail("", "a \" has no closing quote", "check the quoting");
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::string_view("\\\"$`\n").find(text[i + 1]) != std::string_view::npos) {
          if (text[++i] != '\n') word += text[i];
        } else {
          word += text[i];
        }
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

enum class Kind { Text, List, Bool, Number };
const std::map<std::string, Kind, std::less<>>& flagKinds() {
  static const std::map<std::string, Kind, std::less<>> kinds = {
      {"build", Kind::List},         {"build-dir", Kind::Text},
      {"command", Kind::Text},       {"command-stop", Kind::Bool},
      {"directory", Kind::List},     {"recursive", Kind::Bool},
      {"exclude-dir", Kind::List},   {"exclude", Kind::List},
      {"include", Kind::List},       {"pattern", Kind::Text},
      {"polling", Kind::Bool},       {"polling-interval", Kind::Number},
      {"graceful-kill", Kind::Bool}, {"graceful-timeout", Kind::Number},
      {"run-dir", Kind::Text},       {"log-prefix", Kind::Bool},
      {"color", Kind::Bool},         {"verbose", Kind::Bool},
      {"work-delay", Kind::Number}};
  return kinds;
}

// Every flag given, by name without dashes: its values in order (bools as "true"/"false").
std::map<std::string, Strings> parseFlags(const Strings& args) {
  std::map<std::string, Strings> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (i == 0 && (arg == "CompileDaemon" || arg.ends_with("/CompileDaemon"))) continue;
    if (arg == "--" && i + 1 == args.size()) break;
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      fail(arg, "unexpected argument; CompileDaemon stops reading flags here",
           "give only flags, e.g. -build='go build -o app' -command=./app");
    }
    std::string_view body = std::string_view(arg).substr(arg[1] == '-' ? 2 : 1);
    const auto equals = body.find('=');
    const std::string name(body.substr(0, equals));
    const std::string flag = "-" + name;
    auto kind = flagKinds().find(name);
    if (kind == flagKinds().end()) {
      std::string known;
      for (const auto& [known_name, unused] : flagKinds())
        known += (known.empty() ? "-" : ", -") + known_name;
      fail(flag, "unknown CompileDaemon flag", "known flags: " + known);
    }
    std::optional<std::string> value;
    if (equals != std::string_view::npos) value = std::string(body.substr(equals + 1));
    if (kind->second == Kind::Bool) {
      static const Strings yes = {"1", "t", "T", "true", "TRUE", "True"};
      static const Strings no = {"0", "f", "F", "false", "FALSE", "False"};
      if (!value || std::find(yes.begin(), yes.end(), *value) != yes.end())
        value = "true";
      else if (std::find(no.begin(), no.end(), *value) != no.end())
        value = "false";
      else
        fail(flag, "invalid boolean '" + *value + "'", "write " + flag + " or " + flag + "=false");
    } else if (!value) {
      if (i + 1 >= args.size()) fail(flag, "the flag needs a value", "e.g. " + flag + "=VALUE");
      value = args[++i];
    }
    if (kind->second == Kind::Number &&
        (value->empty() || value->find_first_not_of("0123456789") != std::string::npos ||
         value->size() > 9)) {
      fail(flag, "invalid number '" + *value + "'", "write a whole number, e.g. " + flag + "=500");
    }
    if (kind->second != Kind::List) flags[name].clear();  // the last one wins
    flags[name].push_back(*value);
  }
  return flags;
}

// "(.+\.go|.+\.c)$", ".+\.go$", "\.(go|tmpl)$" -> extensions; nullopt for other regexes.
std::optional<Strings> patternExtensions(std::string_view regex) {
  if (!regex.ends_with('$') || regex.ends_with("\\$")) return std::nullopt;
  regex.remove_suffix(1);
  auto unwrap = [](std::string_view& text) {
    if (!text.starts_with('(') || !text.ends_with(')')) return;
    int depth = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
      if (depth == 0 && i + 1 < text.size()) return;  // "(a)|(b)": not one group
    }
    text = text.substr(1, text.size() - 2);
  };
  auto alternatives = [](std::string_view text) {
    std::vector<std::string_view> parts;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
      if (text[i] == '|' && depth == 0) {
        parts.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    parts.push_back(text.substr(start));
    return parts;
  };
  auto word = [](std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
  };
  unwrap(regex);
  Strings extensions;
  for (std::string_view part : alternatives(regex)) {
    if (part.starts_with(".+") || part.starts_with(".*")) part.remove_prefix(2);
    // "\\.go"; a bare "." too (a shell may have eaten the backslash; it matches a dot as well).
    if (part.starts_with("\\.")) part.remove_prefix(1);
    if (!part.starts_with('.')) return std::nullopt;
    part.remove_prefix(1);
    if (part.starts_with('(')) {
      unwrap(part);
      for (std::string_view ext : alternatives(part)) {
        if (!word(ext)) return std::nullopt;
        import_detail::appendUnique(extensions, std::string(ext));
      }
    } else if (word(part)) {
      import_detail::appendUnique(extensions, std::string(part));
    } else {
      return std::nullopt;
    }
  }
  return extensions;
}

// CompileDaemon splits -build and -command at single spaces, with no shell.
Strings spaceSplit(std::string_view text) {
  Strings words;
  for (size_t start = 0; start <= text.size();) {
    size_t space = std::min(text.find(' ', start), text.size());
    if (space > start) words.emplace_back(text.substr(start, space - start));
    start = space + 1;
  }
  return words;
}

// A -build-dir or -run-dir as seen from root ("" when it is root).
std::string fromRoot(const std::string& dir, const std::string& root) {
  fs::path path = fs::path(dir).lexically_normal();
  if (path.is_relative()) path = path.lexically_relative(fs::path(root).lexically_normal());
  std::string text = path.string();
  while (text.ends_with('/') && text.size() > 1) text.pop_back();
  return text == "." ? std::string() : text;
}

}  // namespace

ImportResult importCompileDaemon(const std::string& args) {
  auto flags = parseFlags(shellWords(args));
  auto has = [&](const char* name) { return flags.contains(name); };
  auto last = [&](const char* name, std::string fallback = {}) {
    return has(name) ? flags[name].back() : fallback;
  };
  auto flagOn = [&](const char* name, bool fallback) {
    return has(name) ? last(name) == "true" : fallback;
  };
  Draft draft;
  draft.tool = "CompileDaemon";
  draft.title = "converted from CompileDaemon flags by `hotpod init --from-compiledaemon`";
  draft.header.push_back("Flags: " + args);

  const Strings dirs = has("directory") ? flags["directory"] : Strings{"."};
  const std::string root = dirs.front().empty() ? "." : dirs.front();
  draft.root = root;
  draft.note("root", "-directory, relative to where CompileDaemon ran; keep this file there.");
  for (size_t i = 1; i < dirs.size(); ++i) {
    draft.drop("-directory=" + dirs[i], "hotpod watches one root; make root a common parent");
  }

  // Which files: -pattern (a regex on the path) or -include (a glob on the name).
  const std::string pattern = last("pattern", R"((.+\.go|.+\.c)$)");
  if (auto extensions = patternExtensions(pattern)) {
    draft.include_ext = *extensions;
    draft.note(
        "watch.include_ext",
        (has("pattern") ? "-pattern " : "CompileDaemon's default -pattern ") + pattern + ".");
  } else {
    draft.include_ext = Strings{};
    draft.drop("-pattern=" + pattern,
               "hotpod matches extensions and gitignore patterns, not "
               "regular expressions; set watch.include_ext or watch.include");
  }
  Strings include, exclude, exclude_dir;
  for (const auto& [flag, target] :
       {std::pair{"include", &include}, std::pair{"exclude", &exclude}}) {
    for (const auto& glob : has(flag) ? flags[flag] : Strings{}) {
      if (glob.find('/') == std::string::npos)
        target->push_back(glob);
      else
        draft.drop("-" + std::string(flag) + "=" + glob,
                   "CompileDaemon matches it against file names, which never contain '/'");
    }
  }
  for (std::string dir : has("exclude-dir") ? flags["exclude-dir"] : Strings{}) {
    const std::string flag = "-exclude-dir=" + dir;
    if (dir.starts_with(root + "/")) dir = dir.substr(root.size() + 1);  // it saw "ROOT/name"
    auto rel = import_detail::rootRelative(dir);
    if (!rel || rel->empty())
      draft.drop(flag, "not a directory below root");
    else if (import_detail::hasGlob(*rel))
      exclude.push_back(*rel + "/");
    else
      exclude_dir.push_back(*rel);
  }
  if (!flagOn("recursive", true)) {
    exclude.push_back("/*/");
    draft.note("watch.exclude", "'/*/' for -recursive=false: no directory below root is watched.");
  }
  draft.include = include;
  draft.exclude = exclude;
  draft.exclude_dir = exclude_dir;
  draft.note("watch.exclude_dir",
             "-exclude-dir (CompileDaemon excludes nothing else, not even "
             "node_modules). A bare name matches at any depth here.");

  if (flagOn("polling", false)) {
    draft.backend = WatchBackend::Poll;
    if (auto ms = std::stoll(last("polling-interval", "100")); ms > 0)
      draft.poll_interval = Duration{ms};
    draft.note("watch.poll_interval",
               "-polling-interval in milliseconds (CompileDaemon's default 100).");
  } else if (has("polling-interval")) {
    draft.drop("-polling-interval", "CompileDaemon only polls with -polling");
  }
  draft.delay = Duration{std::stoll(last("work-delay", "900"))};
  draft.note("watch.delay", has("work-delay") ? "-work-delay in milliseconds."
                                              : "CompileDaemon waits 900ms after the last change.");

  // The build; several -build flags run in order.
  std::string build;
  for (const auto& command : has("build") ? flags["build"] : Strings{"go build"}) {
    Strings words = spaceSplit(command);
    if (!words.empty()) build += (build.empty() ? "" : " && ") + import_detail::shellJoin(words);
  }
  if (const std::string dir = fromRoot(last("build-dir"), root); !dir.empty() && !build.empty()) {
    build = "cd " + import_detail::shellQuote(dir) + " && " + build;
  }
  draft.build_cmd = build;
  draft.note("build.cmd", has("build") ? "-build, run directly by CompileDaemon (split at spaces)."
                                       : "CompileDaemon's default -build.");

  // The app, started directly; %[1]s (the changed file) and %% are fmt.Sprintf's.
  Strings argv;
  for (std::string word : spaceSplit(last("command"))) {
    if (word.find("%[1]s") != std::string::npos) {
      draft.drop("-command " + word,
                 "hotpod does not pass the changed file to the app; the "
                 "build gets the list in HOTPOD_CHANGED_FILES");
      continue;
    }
    for (size_t at = word.find("%%"); at != std::string::npos; at = word.find("%%", at + 1)) {
      word.erase(at, 1);
    }
    argv.push_back(word);
  }
  if (!argv.empty()) {
    const std::string dir = fromRoot(last("run-dir"), root);
    draft.run_cmd = dir.empty() ? Command::direct(argv)
                                : Command::shell("cd " + import_detail::shellQuote(dir) +
                                                 " && exec " + import_detail::shellJoin(argv));
    draft.note("run.cmd", dir.empty() ? "-command." : "-command, started in -run-dir.");
  } else if (has("run-dir")) {
    draft.drop("-run-dir", "there is no -command to run");
  }
  if (flagOn("command-stop", false)) {
    draft.drop("-command-stop",
               "hotpod keeps the app running during a build and replaces it "
               "only after a good build");
  } else if (has("command-stop")) {
    draft.same.push_back("-command-stop=false");
  }

  // Stopping: SIGKILL at once, or SIGTERM and -graceful-timeout seconds with -graceful-kill.
  if (flagOn("graceful-kill", false)) {
    draft.stop_signal = SIGTERM;
    draft.stop_timeout = Duration{std::stoll(last("graceful-timeout", "3")) * 1000};
    draft.note("run.stop_timeout", "-graceful-timeout in seconds (CompileDaemon's default 3).");
  } else {
    draft.stop_timeout = Duration{0};
    draft.note("run.stop_timeout",
               "CompileDaemon kills the app with SIGKILL at once without "
               "-graceful-kill; raise this to let it shut down.");
    if (has("graceful-timeout")) draft.drop("-graceful-timeout", "only used with -graceful-kill");
  }
  draft.restart_on_crash = false;
  draft.note("run.restart_on_crash", "CompileDaemon never restarts an app that exited.");

  if (flagOn("verbose", false)) {
    draft.log_level = "debug";
    draft.note("log.level", "-verbose.");
  }
  if (!flagOn("log-prefix", true)) {
    draft.drop("-log-prefix=false",
               "hotpod always starts app output lines with the time and source");
  }
  if (flagOn("color", false)) draft.drop("-color", "hotpod has no colour settings");
  for (const char* name : {"log-prefix", "color", "verbose", "recursive"}) {
    if (has(name) && flagOn(name, false) == (std::string_view(name) == "log-prefix" ||
                                             std::string_view(name) == "recursive")) {
      draft.same.push_back("-" + std::string(name) + "=" + last(name));
    }
  }
  return import_detail::render(draft);
}

}  // namespace hotpod
