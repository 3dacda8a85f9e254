#pragma once
// Shared by the importers (import_air.cpp, import_compiledaemon.cpp, import_nodemon.cpp): the
// hotpod settings being assembled from another tool's, and how they become a commented
// hotpod.yaml that parseConfigText accepts.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/importers.h"
#include "model/config.h"

namespace hotpod::import_detail {

// Every hotpod key the conversion sets; unset keys are written with hotpod's default.
struct Draft {
  std::string tool;                 // "air": notes read "From air: ..."
  std::string title;                // "converted from .air.toml by `hotpod init --from-air`"
  std::vector<std::string> header;  // further comment lines under the title
  std::optional<std::string> root;
  std::optional<WatchBackend> backend;
  std::optional<Duration> poll_interval;
  std::optional<std::vector<std::string>> include_ext;
  std::optional<std::vector<std::string>> include;
  std::optional<std::vector<std::string>> exclude;
  std::optional<std::vector<std::string>> exclude_dir;
  std::optional<Duration> delay;
  std::optional<std::string> build_cmd;
  std::optional<Command> run_cmd;
  std::optional<int> stop_signal;
  std::optional<Duration> stop_timeout;
  std::optional<bool> restart_on_crash;
  std::optional<std::string> log_level;
  // Comment lines written above a hotpod key ("watch.delay"), saying where its value came from.
  std::map<std::string, std::vector<std::string>> notes;
  std::vector<std::string> dropped;  // "key: reason"
  std::vector<std::string> same;     // "key = value" already what hotpod does: one header line

  void note(const std::string& hotpod_key, std::string text) {
    notes[hotpod_key].push_back(std::move(text));
  }
  void drop(const std::string& key, const std::string& reason) {
    dropped.push_back(key + ": " + reason);
  }
};

// The complete hotpod.yaml: a header with one "# not converted: KEY: REASON" line per dropped
// setting, then every section and key, commented.
ImportResult render(const Draft& draft);

// Words /bin/sh reads literally, as in Command::display().
bool isShellPlain(std::string_view word);
std::string shellQuote(std::string_view word);  // quoted only when needed
std::string shellJoin(const std::vector<std::string>& words);

bool hasGlob(std::string_view text);  // '*', '?' or '['
// "./a//b/" -> "a/b", "." -> ""; nullopt for absolute paths and paths that leave the root.
std::optional<std::string> rootRelative(std::string_view path);
// A root-relative path as a gitignore pattern for just that path: "main.go" -> "/main.go",
// "cmd/main.go" stays (an inner '/' anchors already).
std::string anchoredPattern(const std::string& rel_path);
void appendUnique(std::vector<std::string>& list, const std::string& item);
// Bare extensions that watch.include_ext accepts: ".go" -> "go"; nullopt for "", "a/b", "*.x*".
std::optional<std::string> bareExtension(std::string_view ext);
// A literal regex as a glob: "_test\\.go", "_test.go", "\\.pb\\.go$" -> "*_test.go", "*.pb.go";
// nullopt for anything but letters, digits, '-', '_' and (escaped) dots, with an optional '$'.
std::optional<std::string> regexAsGlob(std::string_view regex);
// The whole file; a ConfigError naming it when it cannot be read.
std::string readTextFile(const std::filesystem::path& path);

}  // namespace hotpod::import_detail
