// Differential test against git itself: a deterministic pseudo-random tree with nested ignore
// files must be filtered exactly as `git ls-files --others --exclude-standard` and
// `git check-ignore` see it.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "filter/filter_test_support.h"
#include "filter/path_filter.h"

namespace {

using hotpod::PathFilter;
using hotpod::filter_test::gitCommand;
using hotpod::filter_test::runCommand;
using hotpod::filter_test::TempDir;

// splitmix64: deterministic on every platform, unlike std:: distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  uint64_t state_;
};

const std::vector<std::string> kDirNames = {"src",  "lib",  "build", "docs", "tmp",   "cache",
                                            "logs", "sub",  "out",   "foo",  "bar",   "a",
                                            "b",    "deep", "keep",  "gen",  "vendor"};
const std::vector<std::string> kFileNames = {
    "main.go",    "util.go",   "test_a.go", "x.log",   "keep.log", "important.log",
    "README.md",  "notes.txt", "data.json", "a.tmp",   "x.o",      "lib.a",
    "foo",        "bar",       "build",     "out",     "Makefile", "#hash",
    "!bang",      "trailing",  "xb.txt",    "xd.txt",  "cache",    "b.txt",
    "sp ace.txt", "end ",      "tmp",       "Zeta.GO", "b",        "c.json"};
// Every gitignore feature: comments, blanks, escapes, trailing spaces, negation, anchoring,
// directory-only patterns, classes, and "**" in all three positions.
const std::vector<std::string> kPatterns = {"*.log",
                                            "!keep.log",
                                            "!important.log",
                                            "build/",
                                            "/tmp",
                                            "docs/*.md",
                                            "**/cache",
                                            "logs/**",
                                            "!logs/keep.log",
                                            "foo",
                                            "!foo/",
                                            "*.[oa]",
                                            "test_?.go",
                                            "[!mu]*.go",
                                            "# comment",
                                            "",
                                            "\\#hash",
                                            "trailing   ",
                                            "\\!bang",
                                            "src/**/out",
                                            "*.tmp   ",
                                            "bar/",
                                            "!*.md",
                                            "x[a-c].txt",
                                            "lib/",
                                            "!lib/keep.log",
                                            "sub/",
                                            "/a/b",
                                            "a/**",
                                            "!b",
                                            "deep/**/b.txt",
                                            "**/sub/*.json",
                                            "out/",
                                            "!out",
                                            "keep/",
                                            "!keep/**",
                                            "/*.json",
                                            "**/deep",
                                            "sp\\ ace.txt",
                                            "end\\ ",
                                            "Makefile",
                                            "!/Makefile",
                                            "b/",
                                            "*/*.txt",
                                            "!**/gen/**",
                                            "gen/",
                                            "vendor/**/*.go",
                                            "[[:upper:]]*",
                                            "c.json  ",
                                            "!c.*",
                                            "*.t?p",
                                            "**/b/**",
                                            "!/src/",
                                            "src/*",
                                            "!src/main.go"};

struct GeneratedTree {
  std::vector<std::string> dirs;
  std::vector<std::string> files;
  std::string ignore_files_dump;  // for failure messages
};

std::string ignoreContent(Rng& rng) {
  // Sometimes the classic "ignore everything but directories and Go files" allow-list.
  if (rng.chance(8)) return "*\n!*/\n!*.go\n";
  std::string content;
  const size_t count = 2 + rng.below(6);
  for (size_t i = 0; i < count; ++i) content += rng.pick(kPatterns) + "\n";
  return content;
}

void generateDir(const TempDir& root, const std::string& dir, int depth, Rng& rng,
                 GeneratedTree& tree) {
  std::set<std::string> used;
  const std::string prefix = dir.empty() ? "" : dir + "/";
  if (rng.chance(dir.empty() ? 90 : 45)) {
    const std::string content = ignoreContent(rng);
    root.write(prefix + ".gitignore", content);
    tree.files.push_back(prefix + ".gitignore");
    tree.ignore_files_dump += "== " + prefix + ".gitignore\n" + content;
    used.insert(".gitignore");
  }
  const size_t file_count = 2 + rng.below(5);
  for (size_t i = 0; i < file_count; ++i) {
    const std::string& name = rng.pick(kFileNames);
    if (!used.insert(name).second) continue;
    root.write(prefix + name, "x");
    tree.files.push_back(prefix + name);
  }
  if (depth >= 4) return;
  const size_t dir_count = depth == 0  ? 3 + rng.below(3)
                           : depth < 3 ? 1 + rng.below(3)
                                       : rng.below(3);
  for (size_t i = 0; i < dir_count; ++i) {
    const std::string& name = rng.pick(kDirNames);
    if (!used.insert(name).second) continue;
    tree.dirs.push_back(prefix + name);
    generateDir(root, prefix + name, depth + 1, rng, tree);
  }
}

std::set<std::string> splitNul(const std::string& output) {
  std::set<std::string> items;
  size_t start = 0;
  for (size_t end; (end = output.find('\0', start)) != std::string::npos; start = end + 1) {
    items.insert(output.substr(start, end - start));
  }
  return items;
}

// What the filter lets through, walking the tree the way the watcher does.
std::set<std::string> walkWithFilter(const std::filesystem::path& root, const PathFilter& filter) {
  std::set<std::string> relevant;
  std::function<void(const std::string&)> walk = [&](const std::string& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
      const std::string rel = (dir.empty() ? "" : dir + "/") + entry.path().filename().string();
      if (entry.is_directory()) {
        if (filter.shouldDescend(rel)) walk(rel);
      } else if (filter.isRelevant(rel)) {
        relevant.insert(rel);
      }
    }
  };
  walk("");
  return relevant;
}

std::string describeDifference(const std::set<std::string>& expected,
                               const std::set<std::string>& actual) {
  std::string text;
  for (const std::string& path : expected) {
    if (!actual.contains(path)) text += "  only git:    '" + path + "'\n";
  }
  for (const std::string& path : actual) {
    if (!expected.contains(path)) text += "  only filter: '" + path + "'\n";
  }
  return text;
}

struct ParityStats {
  size_t files = 0;
  size_t ignored = 0;
  size_t listed = 0;
};

void checkSeed(uint64_t seed, ParityStats& stats) {
  TempDir root;
  int exit_code = -1;
  runCommand(gitCommand(root.path(), "init -q"), &exit_code);
  REQUIRE(exit_code == 0);

  Rng rng(seed);
  GeneratedTree tree;
  generateDir(root, "", 0, rng, tree);
  std::string info_exclude;
  for (size_t i = 0, n = rng.below(4); i < n; ++i) info_exclude += rng.pick(kPatterns) + "\n";
  root.write(".git/info/exclude", info_exclude);
  tree.ignore_files_dump += "== .git/info/exclude\n" + info_exclude;

  INFO("seed ", seed, "\n", tree.ignore_files_dump);
  const PathFilter filter(root.path(), {});

  const std::set<std::string> git_files = splitNul(
      runCommand(gitCommand(root.path(), "ls-files -z --others --exclude-standard"), &exit_code));
  REQUIRE(exit_code == 0);
  const std::set<std::string> filter_files = walkWithFilter(root.path(), filter);
  CHECK_MESSAGE(filter_files == git_files, describeDifference(git_files, filter_files));

  // check-ignore on every generated path, including ones below ignored directories.
  std::string query;
  for (const std::string& path : tree.dirs) query += path + '\0';
  for (const std::string& path : tree.files) query += path + '\0';
  const std::filesystem::path query_file = root.path() / ".git/hotpod-query";
  std::ofstream(query_file, std::ios::binary) << query;
  const std::set<std::string> git_ignored = splitNul(runCommand(
      gitCommand(root.path(), "check-ignore -z --stdin < '" + query_file.string() + "'")));
  std::set<std::string> filter_ignored;
  for (const std::string& path : tree.dirs) {
    if (!filter.shouldDescend(path)) filter_ignored.insert(path);
  }
  for (const std::string& path : tree.files) {
    if (!filter.isRelevant(path)) filter_ignored.insert(path);
  }
  CHECK_MESSAGE(filter_ignored == git_ignored, describeDifference(git_ignored, filter_ignored));
  stats.files += tree.files.size();
  stats.ignored += git_ignored.size();
  stats.listed += git_files.size();
}

}  // namespace

TEST_CASE("path filter agrees with git on generated trees") {
  // HOTPOD_FILTER_SEEDS=500 turns this into a longer fuzzing run.
  const char* seeds_env = std::getenv("HOTPOD_FILTER_SEEDS");
  const uint64_t seeds = seeds_env ? std::strtoull(seeds_env, nullptr, 10) : 12;
  ParityStats stats;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    CAPTURE(seed);
    checkSeed(seed, stats);
  }
  // The trees are not trivial, and the rules both ignore and keep plenty.
  CHECK(stats.files >= 40 * seeds);
  CHECK(stats.ignored >= stats.files / 5);
  CHECK(stats.listed >= stats.files / 5);
}
