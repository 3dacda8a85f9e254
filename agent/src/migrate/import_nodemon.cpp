// nodemon.json, or package.json's "nodemonConfig", -> hotpod.yaml (github.com/remy/nodemon:
// lib/config/defaults.js, exec.js, README "Config files").
#include <algorithm>
#include <cmath>
#include <set>

#include "base/duration.h"
#include "base/signals.h"
#include "migrate/import_common.h"
#include "migrate/importers.h"
#include "migrate/located_json.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

namespace fs = std::filesystem;
using import_detail::Draft;
using Strings = std::vector<std::string>;

// What ran the app, before it becomes one command.
struct Program {
  std::string script, exec;  // exec: nodemon's "exec" (a command line)
  Strings exec_args, args, node_args;
  std::map<std::string, std::string> exec_map{{"py", "python"}, {"rb", "ruby"}, {"ts", "ts-node"}};
  std::map<std::string, std::string> env;
  std::string origin;  // for the note
};

std::string extensionOf(const std::string& script) {
  const std::string name = fs::path(script).filename().string();
  const auto dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : name.substr(dot + 1);
}

// nodemon: `node [nodeArgs] script args` is spawned directly; any other exec runs as
// "exec execArgs script args" through the shell; {{filename}} and {{pwd}} are substituted.
Command appCommand(Program program, Draft& draft) {
  if (program.exec.empty() && program.exec_map.contains(extensionOf(program.script))) {
    program.exec = program.exec_map[extensionOf(program.script)];
  }
  Strings env_words;
  std::string env_prefix;
  for (const auto& [name, value] : program.env) {
    const bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                       std::all_of(name.begin(), name.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                       });
    if (!valid) {
      draft.drop("env." + name, "not a variable name the shell can set");
      continue;
    }
    env_words.push_back(name + "=" + value);
    env_prefix += name + "=" + import_detail::shellQuote(value) + " ";
  }
  if (program.exec.empty() || program.exec == "node") {
    if (program.script.empty() && program.exec.empty()) return {};
    Strings argv = env_words.empty() ? Strings{"node"} : Strings{"env"};
    if (!env_words.empty()) {
      argv.insert(argv.end(), env_words.begin(), env_words.end());
      argv.push_back("node");
    }
    for (const auto* list : {&program.exec_args, &program.node_args})
      argv.insert(argv.end(), list->begin(), list->end());
    if (!program.script.empty()) argv.push_back(program.script);
    argv.insert(argv.end(), program.args.begin(), program.args.end());
    return Command::direct(argv);
  }
  std::string line = program.exec;
  for (const auto& arg : program.exec_args) line += " " + arg;
  bool uses_filename = false;
  for (const auto& [placeholder, value] :
       {std::pair{"{{filename}}", import_detail::shellQuote(program.script)},
        std::pair{"{{pwd}}", std::string("\"$PWD\"")}}) {
    for (size_t at = line.find(placeholder); at != std::string::npos;
         at = line.find(placeholder, at)) {
      line.replace(at, std::string_view(placeholder).size(), value);
      at += value.size();
      uses_filename |= std::string_view(placeholder) == "{{filename}}";
    }
  }
  if (!program.script.empty() && !uses_filename)
    line += " " + import_detail::shellQuote(program.script);
  for (const auto& arg : program.args) line += " " + import_detail::shellQuote(arg);
  return Command::shell(env_prefix + line);
}

// A nodemon watch/ignore entry as a root-relative path; nullopt outside root.
std::optional<std::string> entryPath(const std::string& entry) {
  std::string_view path = entry;
  while (path.starts_with("./")) path.remove_prefix(2);
  return import_detail::rootRelative(path);
}

}  // namespace

ImportResult importNodemon(const fs::path& nodemon_json) {
  const std::string file = nodemon_json.string();
  const std::string content = import_detail::readTextFile(nodemon_json);
  const LocatedJson located = LocatedJson::parse(content, file);
  const JsonReader reader(file, located);
  const nlohmann::json& doc = located.root();
  if (!doc.is_object()) reader.fail(JsonField{doc}, "", "expected a JSON object");

  Draft draft;
  draft.tool = "nodemon";
  const fs::path dir = nodemon_json.parent_path();
  const bool in_package =
      nodemon_json.filename() == "package.json" || doc.contains("nodemonConfig");
  static const nlohmann::json no_config = nlohmann::json::object();
  const JsonField config =
      !in_package ? JsonField{doc}
      : doc.contains("nodemonConfig")
          ? JsonField{doc["nodemonConfig"], nlohmann::json::json_pointer("/nodemonConfig")}
          : JsonField{no_config};
  std::string prefix = in_package ? "nodemonConfig." : "";
  draft.title = "converted from " + nodemon_json.filename().string() +
                (in_package ? "'s nodemonConfig" : "") + " by `hotpod init --from-nodemon`";
  if (in_package && !doc.contains("nodemonConfig"))
    draft.header.push_back("package.json has no nodemonConfig: nodemon's defaults were converted.");
  if (!config.value.is_object()) reader.fail(config, "nodemonConfig", "expected an object");

  // package.json supplies the app when the config names none: "main", else scripts.start.
  const nlohmann::json package = in_package ? doc : [&] {
    try {
      return nlohmann::json::parse(import_detail::readTextFile(dir / "package.json"));
    } catch (const std::exception&) {
      return nlohmann::json();  // none, or unreadable: nodemon ignores it too
    }
  }();

  Program program;
  Strings watch{"*.*"}, ignore, ignore_root{"**/.git/**",        "**/.nyc_output/**",
                                            "**/.sass-cache/**", "**/bower_components/**",
                                            "**/coverage/**",    "**/node_modules/**"};
  std::optional<std::string> ext;
  draft.stop_signal = SIGUSR2;
  draft.note("run.stop_signal", "nodemon's default signal, SIGUSR2.");
  for (const auto& [name, member] : config.value.items()) {
    const std::string key = prefix + name;
    const JsonField value{member, config.pointer / name};
    if (name == "script")
      program.script = reader.text(value, key);
    else if (name == "exec") {
      Strings words = reader.texts(value, key);
      if (!words.empty()) {
        program.exec = words.front();
        program.exec_args.assign(words.begin() + 1, words.end());
      }
    } else if (name == "args")
      program.args = reader.texts(value, key);
    else if (name == "nodeArgs")
      program.node_args = reader.texts(value, key);
    else if (name == "execMap") {
      for (const auto& [ext_name, command] : reader.object(value, key))
        program.exec_map[ext_name] = command;
    } else if (name == "env") {
      program.env = reader.object(value, key);
      draft.note("run.cmd", "env, set for the app only (the build does not get it).");
    } else if (name == "watch")
      watch = reader.texts(value, key);
    else if (name == "ignore")
      ignore = reader.texts(value, key);
    else if (name == "ignoreRoot")
      ignore_root = reader.texts(value, key);
    else if (name == "ext") {
      ext.emplace();
      for (const auto& item : reader.texts(value, key)) *ext += item + ",";
    } else if (name == "cwd") {
      draft.root = reader.text(value, key);
      draft.note("root", "cwd.");
    } else if (name == "delay") {
      const std::string text = reader.text(value, key);
      const bool number = text.find_first_not_of("0123456789.") == std::string::npos;
      if (auto ms = parseDuration(text + "ms"); number && ms) {
        draft.delay = *ms;
        draft.note("watch.delay", "delay, which nodemon.json gives in milliseconds.");
      } else if (auto duration = parseDuration(text)) {
        draft.delay = *duration;
        draft.note("watch.delay", "delay '" + text + "' (nodemon itself wants milliseconds here).");
      } else {
        draft.drop(key, "'" + text + "' is not a number of milliseconds");
      }
    } else if (name == "signal") {
      auto signal = parseSignal(reader.text(value, key));
      if (!signal)
        reader.fail(value, key, "unknown signal '" + reader.text(value, key) + "'", "e.g. SIGTERM");
      draft.stop_signal = *signal;
      draft.notes["run.stop_signal"] = {"signal."};
    } else if (name == "legacyWatch") {
      if (reader.flag(value, key)) {
        draft.backend = WatchBackend::Poll;
        if (!draft.poll_interval) draft.poll_interval = Duration{100};
        draft.note("watch.backend", "legacyWatch (nodemon polls every 100ms by default).");
      } else {
        draft.same.push_back(key + " = false");
      }
    } else if (name == "pollingInterval") {
      const std::string text = reader.text(value, key);
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
          text.size() > 9) {
        reader.fail(value, key, "expected a number of milliseconds", "e.g. 500");
      }
      if (std::stoll(text) > 0) draft.poll_interval = Duration{std::stoll(text)};
      draft.note("watch.poll_interval", "pollingInterval (milliseconds).");
    } else if (name == "verbose") {
      if (reader.flag(value, key)) {
        draft.log_level = "debug";
        draft.note("log.level", "verbose.");
      } else {
        draft.same.push_back(key + " = false");
      }
    } else if (name == "quiet") {
      if (!reader.flag(value, key))
        draft.same.push_back(key + " = false");
      else
        draft.drop(key,
                   "hotpod cannot keep only its start and stop lines; log.level: warn "
                   "hides all its info lines");
    } else if (name == "restartable") {
      if (member == false || member == "false")
        draft.same.push_back(key + " = false");
      else
        draft.drop(key, "hotpod reads no commands from stdin; save a watched file to restart");
    } else if (name == "colours" || name == "colors") {
      draft.drop(key, "hotpod has no colour settings");
    } else if (name == "runOnChangeOnly") {
      if (!reader.flag(value, key))
        draft.same.push_back(key + " = false");
      else
        draft.drop(key, "hotpod always starts the app (after the first build) when it starts");
    } else if (name == "events") {
      draft.drop(key, "hotpod runs no commands on start, restart or crash");
    } else if (name == "stdin" || name == "stdout" || name == "spawn" || name == "dump" ||
               name == "noUpdateNotifier" || name == "watchOptions" || name == "exitcrash" ||
               name == "exitCrash") {
      static const std::map<std::string, std::string> reasons = {
          {"stdin", "the app always gets an empty stdin (end of file)"},
          {"stdout", "app output always goes to hotpod's log"},
          {"spawn", "hotpod always spawns the app"},
          {"dump", "use `hotpod check` to see the configuration"},
          {"noUpdateNotifier", "hotpod never checks for updates"},
          {"watchOptions", "chokidar options have no hotpod equivalent"},
          {"exitcrash", "hotpod keeps running when the app crashes"},
          {"exitCrash", "hotpod keeps running when the app crashes"}};
      draft.drop(key, reasons.at(name));
    } else {
      draft.drop(key, "unknown nodemon setting");
    }
  }

  // The app: the config's script or exec, else package.json's main, else scripts.start.
  const auto packageText = [&package](const char* pointer) -> std::optional<std::string> {
    const nlohmann::json::json_pointer at(pointer);
    if (!package.is_object() || !package.contains(at) || !package[at].is_string()) return {};
    return package[at].get<std::string>();
  };
  if (program.script.empty() && program.exec.empty()) {
    if (auto main = packageText("/main")) {
      program.script = *main;
      draft.note("run.cmd", "package.json's main, as nodemon runs it.");
    } else if (auto start = packageText("/scripts/start")) {
      program.exec = *start;
      draft.note("run.cmd", "package.json's scripts.start, as nodemon runs it (not through npm).");
    }
  }
  draft.run_cmd = appCommand(program, draft);
  if (draft.run_cmd->empty()) {
    draft.note("run.cmd",
               "TODO: nodemon got the script on its command line (`nodemon app.js`); "
               "put it here, e.g. [node, app.js].");
  }
  draft.restart_on_crash = false;
  draft.note("run.restart_on_crash", "nodemon waits for a change after the app crashes.");
  draft.build_cmd = "";
  draft.note("build.cmd", "nodemon has no build step.");

  // Extensions: nodemon's default follows the script's ("js" gives js,mjs,cjs,json).
  const std::string script_ext = extensionOf(program.script);
  if (!ext)
    ext = script_ext.empty() || script_ext == "js" ? "js,mjs,cjs,json" : script_ext + ",json";
  Strings extensions;
  std::string token;
  for (char c : *ext + ",") {
    if (c == ',' || c == ' ' || c == '*' || c == '\t') {
      if (auto bare = import_detail::bareExtension(token))
        import_detail::appendUnique(extensions, *bare);
      token.clear();
    } else {
      token += c;
    }
  }

  // Where: watch entries are directories, files or globs; nodemon wants the extension too.
  Strings include;
  bool everywhere = false;
  for (const auto& entry : watch) {
    auto path = entryPath(entry);
    if (!path) {
      draft.drop(prefix + "watch '" + entry + "'", "outside root; hotpod watches one tree");
    } else if (path->empty() || *path == "*.*" || *path == "*") {
      everywhere = true;
    } else if (import_detail::hasGlob(*path)) {
      include.push_back(*path);
    } else if (fs::is_directory(dir / *path) ||
               (!fs::exists(dir / *path) && fs::path(*path).extension().empty())) {
      if (extensions.empty()) include.push_back(*path + "/");
      for (const auto& e : extensions) include.push_back(*path + "/**/*." + e);
    } else {
      include.push_back(import_detail::anchoredPattern(*path));
    }
  }
  draft.include_ext = everywhere ? extensions : Strings{};
  draft.include = everywhere ? Strings{} : include;
  draft.note(everywhere ? "watch.include_ext" : "watch.include",
             everywhere ? (ext ? "ext." : "nodemon's default extensions.")
                        : "watch combined with ext (nodemon wants both).");

  Strings exclude, exclude_dir;
  for (const auto& entry : ignore) {
    auto path = entryPath(entry);
    if (!path || path->empty())
      draft.drop(prefix + "ignore '" + entry + "'", "not below root");
    else
      exclude.push_back(entry.starts_with("./") ? import_detail::anchoredPattern(*path) : *path);
  }
  for (std::string entry : ignore_root) {
    std::string_view name = entry;
    if (name.starts_with("**/")) name.remove_prefix(3);
    if (name.ends_with("/**")) name.remove_suffix(3);
    if (name == ".git") continue;  // always excluded
    if (name.find_first_of("/*?[") == std::string_view::npos && !name.empty())
      exclude_dir.emplace_back(name);
    else
      exclude.push_back(entry);
  }
  draft.exclude = exclude;
  draft.exclude_dir = exclude_dir;
  if (!ignore.empty()) draft.note("watch.exclude", "ignore (\"./x\" only at root: /x).");
  if (!draft.delay)
    draft.note("watch.delay",
               "nodemon restarts at once without a delay; this is hotpod's short default.");
  draft.note("run.stop_timeout",
             "nodemon waits for the app to exit; hotpod sends SIGKILL after this.");
  draft.note("watch.exclude_dir", "nodemon's ignoreRoot (.git is always excluded).");
  return import_detail::render(draft);
}

}  // namespace hotpod
