#pragma once
// Decides which paths below the watched root matter: gitignore semantics (nested .gitignore,
// .hotpodignore, .git/info/exclude), include/exclude patterns, include_ext, excluded directories
// and built-in ignores (VCS metadata, editor scratch files). Paths are relative to the root,
// '/'-separated, without a leading "./"; the root itself is "".
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

struct FilterOptions {
  std::vector<std::string> include_ext;    // without the dot; empty: every extension
  std::vector<std::string> include;        // gitignore-style; a file matching one is included
  std::vector<std::string> exclude;        // gitignore-style, relative to root; always wins
  std::vector<std::string> exclude_dir;    // a bare name matches at any depth; with '/' from root
  std::vector<std::string> exclude_files;  // exact relative paths (e.g. the app binary)
  bool gitignore = true;                   // honour .gitignore and .git/info/exclude
};

class PathFilter {
 public:
  PathFilter(std::filesystem::path root, FilterOptions options);
  ~PathFilter();
  PathFilter(PathFilter&&) noexcept;
  PathFilter& operator=(PathFilter&&) noexcept;

  // False when the directory must never be watched nor descended into.
  bool shouldDescend(std::string_view rel_dir) const;
  // True when a change to this file should trigger the pipeline.
  bool isRelevant(std::string_view rel_file) const;
  // True for .gitignore / .hotpodignore (and .git/info/exclude): the watcher reports their
  // changes through invalidate() so the next decision sees the new rules.
  static bool isIgnoreFile(std::string_view rel_path);
  // Forget cached rules of the directory holding rel_ignore_file (re-read lazily).
  void invalidate(std::string_view rel_ignore_file);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotpod
