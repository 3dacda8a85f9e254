// .air.toml -> hotpod.yaml. air fills every missing or zero value (0, "", [], false) with its
// default (github.com/air-verse/air runner/config.go), so those defaults are converted too.
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "base/duration.h"
#include "migrate/air_reader.h"
#include "migrate/import_common.h"
#include "migrate/importers.h"
#include "migrate/toml_guard.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

namespace fs = std::filesystem;
using import_detail::AirReader;
using import_detail::describe;
using import_detail::Draft;
using Strings = std::vector<std::string>;

// Everything .air.toml says, after air's own defaults.
struct AirSettings {
  std::string root = ".", tmp_dir = "tmp", testdata_dir = "testdata";
  Strings pre_cmd, post_cmd;
  std::string cmd = "go build -o ./tmp/main .", bin = "./tmp/main", full_bin;
  Strings entrypoint, args_bin;
  Strings include_ext{"go", "tpl", "tmpl", "html"},
      exclude_dir{"assets", "tmp", "vendor", "testdata"};
  Strings include_dir, exclude_file, include_file, exclude_regex{"_test.go"};
  bool poll = false, send_interrupt = false, rerun = false;
  int64_t poll_interval = 0, delay = 1000, kill_delay_ms = 0;
  std::set<std::string> present;  // "build.delay", ...: keys that .air.toml sets
};

// Keys that set air's own behaviour: the value that is what hotpod does anyway (none: every
// value is lost), and why hotpod cannot do otherwise.
struct Fixed {
  std::optional<bool> same_when;
  const char* reason;
};
const std::map<std::string, Fixed>& fixedKeys() {
  static const std::map<std::string, Fixed> keys = {
      {"build.log", {{}, "hotpod writes no build log file; build output goes to hotpod's own log"}},
      {"build.exclude_unchanged",
       {false,
        "hotpod does not compare file contents (it goes by close-after-write events, and "
        "the poller by mtime, size and inode), so a save that rewrites identical content "
        "still triggers a build"}},
      {"build.follow_symlink",
       {false,
        "hotpod never follows symlinked directories, to avoid loops; move the target "
        "below root or make root its parent"}},
      {"build.stop_on_error",
       {false,
        "hotpod cannot leave the app stopped after a failed build: it keeps the running "
        "app up during a build and after a failed one, and restarts it only after a good "
        "build"}},
      {"build.rerun_delay", {{}, "hotpod restarts a crashed app after its own back-off"}},
      {"build.env_files",
       {{},
        "hotpod does not read .env files, and copying their values into build.env now would "
        "freeze them; source them in the command instead, e.g. `set -a; . ./.env; set +a; "
        "exec ./tmp/main`"}},
      {"env_files", {{}, "hotpod does not read .env files; source them in build.cmd or run.cmd"}},
      {"log.time", {true, "hotpod's text log always starts with the time"}},
      {"log.main_only",
       {false,
        "hotpod cannot hide its own messages but keep the app's; "
        "log.level: warn hides its info lines"}},
      {"log.silent",
       {false,
        "hotpod cannot hide its own messages but keep the app's; "
        "log.level: warn hides its info lines"}},
      {"misc.clean_on_exit", {false, "hotpod never deletes files when it exits"}},
      {"screen.clear_on_rebuild", {false, "hotpod never clears the terminal"}},
      {"screen.keep_scroll", {true, "hotpod never clears the terminal"}},
  };
  return keys;
}

// Reads one table of .air.toml (recursing into the sections) into `air`.
void readTable(const AirReader& reader, const toml::table& table, const std::string& prefix,
               AirSettings& air, Draft& draft) {
  using A = AirSettings;
  static const std::map<std::string, Strings A::*> lists = {
      {"build.pre_cmd", &A::pre_cmd},
      {"build.post_cmd", &A::post_cmd},
      {"build.args_bin", &A::args_bin},
      {"build.include_ext", &A::include_ext},
      {"build.exclude_dir", &A::exclude_dir},
      {"build.include_dir", &A::include_dir},
      {"build.exclude_file", &A::exclude_file},
      {"build.include_file", &A::include_file},
      {"build.exclude_regex", &A::exclude_regex}};
  static const std::map<std::string, std::string A::*> texts = {
      {"root", &A::root},     {"tmp_dir", &A::tmp_dir}, {"testdata_dir", &A::testdata_dir},
      {"build.cmd", &A::cmd}, {"build.bin", &A::bin},   {"build.full_bin", &A::full_bin}};
  static const std::map<std::string, int64_t A::*> numbers = {
      {"build.poll_interval", &A::poll_interval}, {"build.delay", &A::delay}};
  static const std::map<std::string, bool A::*> flags = {
      {"build.poll", &A::poll},
      {"build.send_interrupt", &A::send_interrupt},
      {"build.rerun", &A::rerun}};
  static const std::set<std::string> sections = {"build", "log",    "color",
                                                 "misc",  "screen", "proxy"};

  for (auto&& [name, node] : table) {
    const std::string key = prefix + std::string(name.str());
    // air keeps its default for a zero value: 0, "", [] and false change nothing.
    auto keep = [&](auto& target, const auto& value, bool non_zero) {
      if (!non_zero) return;
      target = value;
      air.present.insert(key);
    };
    if (prefix.empty() && sections.contains(key)) {
      if (!node.is_table()) reader.fail(node, key, "expected a table, got " + describe(node));
      readTable(reader, *node.as_table(), key + ".", air, draft);
    } else if (auto list = lists.find(key); list != lists.end()) {
      Strings value = reader.texts(node, key);
      keep(air.*list->second, value, !value.empty());
    } else if (auto text = texts.find(key); text != texts.end()) {
      std::string value = reader.text(node, key);
      keep(air.*text->second, value, !value.empty());
    } else if (auto number = numbers.find(key); number != numbers.end()) {
      int64_t value = reader.integer(node, key);
      keep(air.*number->second, value, value != 0);
    } else if (auto flag = flags.find(key); flag != flags.end()) {
      air.*flag->second = reader.boolean(node, key);
    } else if (key == "build.entrypoint") {
      air.entrypoint = node.is_string() ? Strings{reader.text(node, key)} : reader.texts(node, key);
      if (!air.entrypoint.empty() && !air.entrypoint[0].empty()) air.present.insert(key);
    } else if (key == "build.kill_delay") {
      air.kill_delay_ms = reader.killDelayMs(node, key);
      air.present.insert(key);
    } else if (auto fixed = fixedKeys().find(key); fixed != fixedKeys().end()) {
      const auto& [same_when, reason] = fixed->second;
      if (same_when && reader.boolean(node, key) == *same_when) {
        draft.same.push_back(key + (*same_when ? " = true" : " = false"));
      } else {
        draft.drop(key, reason);
      }
    } else if (key.starts_with("color.")) {
      draft.drop(key, "hotpod has no colour settings (it colours the level on a terminal)");
    } else if (key.starts_with("proxy.")) {
      draft.drop(key, "hotpod has no live-reload proxy for the browser; reach the app directly");
    } else {
      draft.drop(key, "unknown air setting");
    }
  }
}

// How air's bin (relative to the directory air runs in) is named from hotpod's root.
std::string programFromRoot(const std::string& bin, const std::string& root) {
  fs::path path = fs::path(bin).lexically_normal();
  if (path.is_absolute()) return path.string();
  if (root != "." && fs::path(root).is_relative()) path = path.lexically_relative(root);
  std::string text = path.string();
  return text.starts_with("../") || text.starts_with("./") ? text : "./" + text;
}

void convert(const AirSettings& air, const fs::path& air_dir, Draft& draft) {
  auto has = [&](const char* key) { return air.present.contains(key); };
  draft.root = air.root;

  // Watched files. air never watches tmp_dir, testdata_dir or hidden directories.
  Strings exclude_dir, include, exclude{".*/"}, include_ext;
  draft.note("watch.exclude", "'.*/' because air never watches hidden directories.");
  Strings dirs = air.exclude_dir;
  dirs.insert(dirs.end(), {air.tmp_dir, air.testdata_dir});
  for (size_t i = 0; i < dirs.size(); ++i) {
    auto rel = import_detail::rootRelative(dirs[i]);
    if (rel && !rel->empty()) {
      import_detail::appendUnique(exclude_dir, *rel);
    } else if (i < air.exclude_dir.size()) {  // a tmp_dir outside root needs no exclusion
      draft.drop("build.exclude_dir '" + dirs[i] + "'", "not a directory below root");
    }
  }
  draft.note("watch.exclude_dir",
             "build.exclude_dir, tmp_dir and testdata_dir (air never watches them; the build "
             "still writes where build.cmd says). air matched paths from root only; a bare "
             "name here matches at any depth (write ./NAME for root's).");
  for (const auto& ext : air.include_ext) {
    if (auto bare = import_detail::bareExtension(ext))
      import_detail::appendUnique(include_ext, *bare);
    else
      draft.drop("build.include_ext '" + ext + "'", "not a plain extension");
  }
  dirs.clear();
  for (const auto& dir : air.include_dir) {
    auto rel = import_detail::rootRelative(dir);
    if (!rel)
      draft.drop("build.include_dir '" + dir + "'", "outside root; hotpod watches one tree");
    else
      dirs.push_back(*rel);
  }
  if (!dirs.empty() && std::find(dirs.begin(), dirs.end(), "") == dirs.end()) {
    // air wants both: a file in an included directory AND with an included extension.
    for (const auto& dir : dirs) {
      if (include_ext.empty()) include.push_back(dir + "/");
      for (const auto& ext : include_ext) include.push_back(dir + "/**/*." + ext);
    }
    include_ext.clear();
    draft.note("watch.include",
               "build.include_dir combined with build.include_ext (air "
               "required both), so include_ext stays empty.");
  } else {
    draft.note("watch.include_ext", "build.include_ext.");
  }
  for (const auto& [list, files, key] : {std::tuple{&include, &air.include_file, "include_file"},
                                         std::tuple{&exclude, &air.exclude_file, "exclude_file"}}) {
    for (const auto& file : *files) {
      auto rel = import_detail::rootRelative(file);
      if (rel && !rel->empty())
        list->push_back(import_detail::anchoredPattern(*rel));
      else
        draft.drop(std::string("build.") + key + " '" + file + "'", "not a file below root");
    }
  }
  for (const auto& regex : air.exclude_regex) {
    if (auto glob = import_detail::regexAsGlob(regex)) {
      exclude.push_back(*glob);
      draft.note("watch.exclude", "build.exclude_regex '" + regex + "' as '" + *glob + "'.");
    } else {
      draft.drop("build.exclude_regex '" + regex + "'",
                 "hotpod uses gitignore patterns, not regular expressions; write an equivalent "
                 "pattern in watch.exclude");
    }
  }
  draft.include_ext = include_ext;
  draft.include = include;
  draft.exclude = exclude;
  draft.exclude_dir = exclude_dir;

  if (air.poll) {
    draft.backend = WatchBackend::Poll;
    draft.note("watch.backend", "build.poll = true.");
  }
  if (air.poll_interval > 0) {
    draft.poll_interval = Duration{air.poll_interval};
    draft.note("watch.poll_interval", "build.poll_interval (milliseconds).");
  }
  draft.delay = Duration{std::max<int64_t>(air.delay, 0)};
  draft.note("watch.delay", has("build.delay") ? "build.delay (milliseconds)."
                                               : "air reads a build.delay of 0, or none, as its "
                                                 "default of 1000ms; hotpod's default is 100ms.");

  // The build: pre_cmd entries first, as air runs them.
  std::string build;
  for (const auto& part : air.pre_cmd) build += part + " && ";
  draft.build_cmd = build + air.cmd;
  draft.note("build.cmd", air.pre_cmd.empty() ? "build.cmd." : "build.pre_cmd, then build.cmd.");
  if (!air.post_cmd.empty()) draft.drop("build.post_cmd", "hotpod runs no command when it exits");

  // The app: full_bin (through the shell) wins over entrypoint, which wins over bin.
  const Strings& args = air.args_bin;
  if (!air.full_bin.empty()) {
    std::string line = air.full_bin;
    for (const auto& arg : args) line += " " + arg;  // air joins them raw, for the shell
    draft.run_cmd = Command::shell(line);
    draft.note("run.cmd", std::string("build.full_bin") +
                              (args.empty() ? "" : " and build.args_bin") +
                              ", through the shell as air ran it.");
    if (has("build.entrypoint")) draft.drop("build.entrypoint", "air runs build.full_bin instead");
    if (has("build.bin")) draft.drop("build.bin", "air runs build.full_bin instead");
  } else if (has("build.entrypoint")) {
    Strings argv = air.entrypoint;
    std::string& program = argv[0];
    if (program.find('/') != std::string::npos)
      program = programFromRoot(program, ".");
    else if (fs::is_regular_file(air_dir / air.root / program))
      program = "./" + program;
    argv.insert(argv.end(), args.begin(), args.end());
    draft.run_cmd = Command::direct(argv);
    draft.note("run.cmd",
               std::string("build.entrypoint") + (args.empty() ? "." : " and build.args_bin."));
    if (has("build.bin")) draft.drop("build.bin", "air runs build.entrypoint instead");
  } else {
    bool plain = std::all_of(args.begin(), args.end(), import_detail::isShellPlain);
    if (plain && import_detail::isShellPlain(air.bin)) {
      Strings argv{programFromRoot(air.bin, air.root)};
      argv.insert(argv.end(), args.begin(), args.end());
      draft.run_cmd = Command::direct(argv);
    } else {
      std::string line = air.bin;
      for (const auto& arg : args) line += " " + arg;
      draft.run_cmd = Command::shell(line);
    }
    draft.note("run.cmd", std::string(has("build.bin") ? "build.bin" : "air's default bin") +
                              (args.empty() ? "." : " and build.args_bin."));
  }

  // Stopping: SIGKILL at once, unless send_interrupt sends SIGINT and waits kill_delay.
  if (air.send_interrupt) {
    draft.stop_signal = SIGINT;
    draft.stop_timeout = Duration{std::max<int64_t>(air.kill_delay_ms, 0)};
    draft.note("run.stop_signal", "build.send_interrupt = true.");
    draft.note("run.stop_timeout", has("build.kill_delay")
                                       ? "build.kill_delay."
                                       : "air sends SIGKILL right after SIGINT without "
                                         "build.kill_delay; raise this to let the app shut down.");
  } else {
    draft.stop_timeout = Duration{0};
    draft.note("run.stop_timeout",
               "air kills the app with SIGKILL at once unless "
               "build.send_interrupt is true; raise this to let it shut down.");
    if (has("build.kill_delay")) {
      draft.drop("build.kill_delay",
                 "air only waits kill_delay with send_interrupt = true; "
                 "without it air sends SIGKILL at once (stop_timeout: 0s)");
    }
  }
  draft.restart_on_crash = air.rerun;
  draft.note("run.restart_on_crash",
             air.rerun ? "build.rerun = true. air restarted after any exit; hotpod restarts after "
                         "a non-zero exit or a signal, with back-off."
                       : "build.rerun = false: air never restarted an app that exited.");
}

}  // namespace

ImportResult importAir(const fs::path& air_toml) {
  return importAirText(import_detail::readTextFile(air_toml), air_toml.string());
}

ImportResult importAirText(const std::string& content, const std::string& file) {
  const std::string ascii = asciiForTomlParser(content, file);
  toml::table doc;
  try {
    doc = toml::parse(ascii, file);
  } catch (const toml::parse_error& error) {
    throw ConfigError(file, static_cast<int>(error.source().begin.line),
                      static_cast<int>(error.source().begin.column), "",
                      "invalid TOML: " + std::string(error.description()));
  }

  const AirReader reader(file);
  AirSettings air;
  Draft draft;
  draft.tool = "air";
  const fs::path air_toml = file;
  draft.title = "converted from " + air_toml.filename().string() + " by `hotpod init --from-air`";
  readTable(reader, doc, "", air, draft);
  convert(air, air_toml.parent_path(), draft);
  return import_detail::render(draft);
}

}  // namespace hotpod
