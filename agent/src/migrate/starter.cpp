#include "migrate/starter.h"

#include "config/observe_reader.h"

#include <regex>
#include <sstream>
#include <system_error>
#include <vector>

#include "base/duration.h"
#include "base/files.h"
#include "base/signals.h"
#include "model/config.h"

namespace hotpod {
namespace {

namespace fs = std::filesystem;

bool fileExists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error);
}

bool hasGoFiles(const fs::path& dir) {
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".go") return true;
  }
  return false;
}

// The first add_executable(NAME ...) of the top CMakeLists.txt; ${PROJECT_NAME} is looked up in
// project(NAME). Empty when it cannot be told.
std::string guessCmakeExecutable(const fs::path& cmakelists) {
  std::string text = readWholeFile(cmakelists).value_or("");
  std::smatch match;
  static const std::regex executable(R"(add_executable\s*\(\s*([A-Za-z0-9_.+${}-]+))",
                                     std::regex::icase);
  if (!std::regex_search(text, match, executable)) return {};
  std::string name = match[1];
  if (name == "${PROJECT_NAME}") {
    static const std::regex project(R"(project\s*\(\s*([A-Za-z0-9_.+-]+))", std::regex::icase);
    if (!std::regex_search(text, match, project)) return {};
    name = match[1];
  }
  return name.find('$') == std::string::npos ? name : std::string();
}

ProjectGuess guessProject(const fs::path& dir) {
  ProjectGuess guess;
  if (fileExists(dir / "go.mod") || hasGoFiles(dir)) {
    guess.found = fileExists(dir / "go.mod") ? "a Go project (go.mod)" : "a Go project (*.go)";
    guess.include_ext = {"go", "tmpl", "html"};
    guess.build_cmd = "go build -o .hotpod/bin/app .";
    guess.run_cmd = ".hotpod/bin/app";
  } else if (fileExists(dir / "CMakeLists.txt")) {
    guess.found = "a CMake project (CMakeLists.txt)";
    guess.include_ext = {"c", "cc", "cpp", "cxx", "h", "hh", "hpp", "cmake"};
    guess.include = {"CMakeLists.txt"};
    guess.build_cmd = "cmake -S . -B .hotpod/build && cmake --build .hotpod/build";
    std::string executable = guessCmakeExecutable(dir / "CMakeLists.txt");
    if (executable.empty()) {
      guess.run_cmd = ".hotpod/build/app";
      guess.run_comment =
          "  # TODO: hotpod could not tell the executable's name: replace 'app' with the name\n"
          "  # given to add_executable() in CMakeLists.txt.\n";
    } else {
      guess.run_cmd = ".hotpod/build/" + executable;
      guess.run_comment = "  # Guessed from add_executable(" + executable +
                          ") in CMakeLists.txt; check it, and add arguments if needed.\n";
    }
  } else if (fileExists(dir / "Makefile") || fileExists(dir / "makefile") ||
             fileExists(dir / "GNUmakefile")) {
    guess.found = "a Makefile";
    guess.exclude = {"*.o", "*.a", "*.so"};
    guess.build_cmd = "make";
    guess.run_comment =
        "  # TODO: the program `make` builds, e.g. ./app or [./app, --port, \"8080\"].\n"
        "  # Tip: build into .hotpod/ so that build output never triggers a rebuild.\n";
  } else if (fileExists(dir / "package.json")) {
    guess.found = "a Node.js project (package.json)";
    guess.include_ext = {"js", "ts", "json", "mjs"};
    guess.build_comment =
        "  # Node needs no build step; put e.g. `npm run build` here if yours does.\n";
    guess.run_cmd = "npm start";
  } else {
    guess.build_comment =
        "  # TODO: the command that builds your app, e.g. `go build -o .hotpod/bin/app .` or\n"
        "  # `make`. Leave it empty if nothing needs building.\n";
    guess.run_comment =
        "  # TODO: the command that starts your app, e.g. .hotpod/bin/app or `npm start`.\n";
  }
  return guess;
}

// A YAML scalar, quoted only when plain style would be read differently.
std::string yamlScalar(const std::string& text) {
  bool plain = !text.empty() && text.find(": ") == std::string::npos &&
               text.find(" #") == std::string::npos &&
               std::string("&*!|>'\"%@`{}[],#?:-~ ").find(text.front()) == std::string::npos &&
               text.back() != ':' && text.back() != ' ';
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string yamlList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + yamlScalar(item);
  return "[" + out + "]";
}

std::string yamlBool(bool value) {
  return value ? "true" : "false";
}

}  // namespace

ProjectGuess detectProject(const fs::path& project_dir) {
  return guessProject(project_dir);
}

std::string starterConfig(const fs::path& project_dir) {
  const ProjectGuess guess = guessProject(project_dir);
  const Config defaults;
  const WatchConfig& watch = defaults.watch;
  std::ostringstream out;

  out << "# hotpod configuration, written by `hotpod init`";
  if (!guess.found.empty()) out << " for " << guess.found;
  out << ".\n"
         "# Every key is shown; the comments give the defaults. Durations are a number with a\n"
         "# unit: 250ms, 5s, 2m, 1m30s. Check this file with `hotpod check`.\n"
         "\n"
         "# The directory that is watched and where build and run start, relative to this file.\n"
         "root: .\n"
         "\n"
         "watch:\n"
         "  # auto (default): inotify on local filesystems, polling on network and virtual ones\n"
         "  # (nfs, 9p, fuse, virtiofs...). Also: inotify, poll, or hybrid (inotify plus a slow\n"
         "  # verification poll, for overlay and bind mounts whose lower layer changes silently;\n"
         "  # auto picks it for an overlay root).\n"
         "  backend: auto\n"
         "  # How often the poll backend looks for changes (default "
      << formatDuration(watch.poll_interval) << ").\n"
      << "  poll_interval: " << formatDuration(watch.poll_interval) << "\n"
      << "  # How often hybrid verifies what inotify reported (default "
      << formatDuration(watch.verify_interval) << ").\n"
      << "  verify_interval: " << formatDuration(watch.verify_interval) << "\n"
      << "  # Share of one CPU core polling may use (default 5%); on a large tree the poll\n"
         "  # and verification intervals stretch to stay inside it (hotpod logs the result).\n"
         "  poll_budget: 5%\n"
      << "  # Only files with these extensions (no leading dot) trigger a build; [] (default):\n"
         "  # every file.\n"
         "  include_ext: "
      << yamlList(guess.include_ext) << "\n"
      << "  # gitignore-style patterns, relative to root: files matching `include` trigger a "
         "build\n"
         "  # whatever their extension; files matching `exclude` never do. Default: [].\n"
         "  include: "
      << yamlList(guess.include) << "\n"
      << "  exclude: " << yamlList(guess.exclude) << "\n"
      << "  # Directories never watched: a bare name matches at any depth, a path is relative\n"
         "  # to root. .git/ and .hotpod/ (build output) are always excluded. Default: "
      << yamlList(watch.exclude_dir) << ".\n"
      << "  exclude_dir: " << yamlList(watch.exclude_dir) << "\n"
      << "  # Honour .gitignore files and .git/info/exclude (default " << yamlBool(watch.gitignore)
      << "); .hotpodignore files\n"
      << "  # apply either way.\n"
      << "  gitignore: " << yamlBool(watch.gitignore) << "\n"
      << "  # Build once no change has arrived for `delay` (default " << formatDuration(watch.delay)
      << "), but hold a\n"
         "  # continuous stream of changes back no longer than `max_delay` (default "
      << formatDuration(watch.max_delay) << ").\n"
      << "  delay: " << formatDuration(watch.delay) << "\n"
      << "  max_delay: " << formatDuration(watch.max_delay) << "\n"
      << "\n"
         "build:\n"
         "  # Runs through /bin/sh -c in root; a failed build leaves the running app alone.\n"
         "  # Empty (default): no build step. Output under .hotpod/ never triggers a rebuild.\n"
      << guess.build_comment << "  cmd: " << yamlScalar(guess.build_cmd) << "\n"
      << "  # Stop a build that runs longer than this; 0s (default): no limit.\n"
         "  timeout: "
      << formatDuration(defaults.build.timeout) << "\n"
      << "  # Changes during a build: restart (default) cancels it and starts over; queue lets it\n"
         "  # finish and builds once more.\n"
         "  on_busy: restart\n"
         "  # Extra environment variables for the build, e.g. {CGO_ENABLED: \"0\"}. Default: {}.\n"
         "  env: {}\n"
         "  # What the build produces, relative to root: never a trigger, and kept as the last\n"
         "  # good version for app.rollback. Default: [].\n"
         "  artifacts: []\n"
         "  # With `services:`, how many services may build at once; auto (default): the\n"
         "  # number of cores.\n"
         "  parallel: auto\n"
         "\n"
         "run:\n"
         "  # The app, started from root in its own process group and restarted after each good\n"
         "  # build. A string runs through /bin/sh -c; a list such as [.hotpod/bin/app, --port,\n"
         "  # \"8080\"] is started directly. Empty (default): nothing is run.\n"
      << guess.run_comment << "  cmd: " << yamlScalar(guess.run_cmd) << "\n"
      << "  # Sent to the app's process group to stop it (default "
      << signalName(defaults.run.stop_signal) << "), then SIGKILL after\n"
      << "  # stop_timeout (default " << formatDuration(defaults.run.stop_timeout) << ").\n"
      << "  stop_signal: " << signalName(defaults.run.stop_signal) << "\n"
      << "  stop_timeout: " << formatDuration(defaults.run.stop_timeout) << "\n"
      << "  # Start the app again, with back-off, when it crashes (exits non-zero or is killed;\n"
      << "  # an exit with code 0 waits for the next change) (default "
      << yamlBool(defaults.run.restart_on_crash) << ").\n"
      << "  restart_on_crash: " << yamlBool(defaults.run.restart_on_crash) << "\n"
      << "\n"
         "log:\n"
         "  # text (default) or json.\n"
         "  format: text\n"
         "  # trace, debug, info (default), warn, error or off.\n"
         "  level: "
      << defaults.log.level << "\n"
      << observeSectionsYaml();
  return out.str();
}

}  // namespace hotpod
