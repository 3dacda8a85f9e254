#include "filter/path_filter.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/rel_path.h"
#include "filter/builtin_ignores.h"
#include "filter/file_selector.h"
#include "filter/ignore_rules.h"

namespace hotpod {
namespace {

constexpr std::string_view kGitInfoExclude = ".git/info/exclude";

}  // namespace

struct PathFilter::Impl {
  // The ignore files of one directory; .hotpodignore wins over .gitignore there. `up` links to
  // the nearest directory above with any rules, so a decision deep in a tree visits only the
  // directories that have rules, and a new directory costs one lookup of its parent: adding a
  // subtree stays linear in its size, however deep it is.
  struct DirRules {
    IgnoreRules hotpod;
    IgnoreRules git;
    const DirRules* up = nullptr;
    bool any() const { return !hotpod.empty() || !git.empty(); }
  };
  // Caches forget everything beyond this many directories (deleted ones are never removed).
  static constexpr size_t kMaxCachedDirs = 500'000;

  std::filesystem::path root;
  bool use_gitignore = true;
  IgnoreRules exclude_rules;  // the `exclude` option: above every ignore file
  FileSelector include;       // include_ext and include; empty: every file
  std::unordered_set<std::string> excluded_dir_names;  // bare names, any depth
  std::unordered_set<std::string> excluded_dir_paths;  // from the root
  std::unordered_set<std::string> excluded_files;
  // Read lazily; PathFilter is used from one thread, so no locking. Elements of an
  // unordered_map keep their address, which the `up` links rely on.
  mutable std::unordered_map<std::string, DirRules> dir_rules;
  mutable std::unordered_map<std::string, bool> descended;  // shouldDescend, parents included
  mutable std::optional<IgnoreRules> info_exclude;

  Impl(std::filesystem::path root_dir, const FilterOptions& options)
      : root(std::move(root_dir)),
        use_gitignore(options.gitignore),
        exclude_rules(IgnoreRules::fromLines(options.exclude, "")),
        include(options.include_ext, options.include) {
    for (std::string_view dir : options.exclude_dir) {
      while (dir.ends_with('/')) dir.remove_suffix(1);
      const std::optional<std::string> path = normalizeRelPath(dir);
      if (!path || path->empty()) continue;
      // Like gitignore, any '/' but a trailing one anchors: "./bin" means the root's bin.
      if (dir.find('/') == std::string_view::npos) {
        excluded_dir_names.insert(*path);
      } else {
        excluded_dir_paths.insert(*path);
      }
    }
    for (const std::string& file : options.exclude_files) {
      const std::optional<std::string> path = normalizeRelPath(file);
      if (path && !path->empty()) excluded_files.insert(*path);
    }
  }

  void forgetCaches() const {
    dir_rules.clear();
    descended.clear();
  }
  void boundCaches() const {
    if (dir_rules.size() + descended.size() > kMaxCachedDirs) forgetCaches();
  }

  // The nearest rules at or above dir (nullptr: none). Reads the ignore files of dir and of the
  // directories above it that were not read yet, top down.
  const DirRules* nearestRules(const std::string& dir) const {
    auto it = dir_rules.find(dir);
    if (it == dir_rules.end()) {
      std::vector<std::string> missing{dir};
      while (!missing.back().empty()) {
        std::string parent(parentDir(missing.back()));
        if (dir_rules.contains(parent)) break;
        missing.push_back(std::move(parent));
      }
      for (auto unread = missing.rbegin(); unread != missing.rend(); ++unread) {
        it = dir_rules.emplace(*unread, readRules(*unread)).first;
      }
    }
    return it->second.any() ? &it->second : it->second.up;
  }

  DirRules readRules(const std::string& dir) const {
    const std::filesystem::path abs_dir = dir.empty() ? root : root / dir;
    DirRules rules;
    rules.hotpod = IgnoreRules::load(abs_dir / ".hotpodignore", dir, /*follow_symlinks=*/true);
    if (use_gitignore) {
      rules.git = IgnoreRules::load(abs_dir / ".gitignore", dir, /*follow_symlinks=*/false);
    }
    if (!dir.empty()) rules.up = nearestRules(std::string(parentDir(dir)));  // already read
    return rules;
  }

  const IgnoreRules& infoExclude() const {
    if (!info_exclude) {
      info_exclude = IgnoreRules::load(root / kGitInfoExclude, "", /*follow_symlinks=*/true);
    }
    return *info_exclude;
  }

  // The verdict of the ignore rules alone, in git's precedence order: the first list (from
  // the highest precedence down) with a matching rule decides.
  bool ignoredByRules(const std::string& path, bool is_dir) const {
    IgnoreVerdict verdict = exclude_rules.match(path, is_dir);
    if (verdict != IgnoreVerdict::kNoMatch) return verdict == IgnoreVerdict::kIgnored;
    for (const DirRules* rules = nearestRules(std::string(parentDir(path))); rules != nullptr;
         rules = rules->up) {
      verdict = rules->hotpod.match(path, is_dir);
      if (verdict == IgnoreVerdict::kNoMatch && use_gitignore) {
        verdict = rules->git.match(path, is_dir);
      }
      if (verdict != IgnoreVerdict::kNoMatch) return verdict == IgnoreVerdict::kIgnored;
    }
    return use_gitignore && infoExclude().match(path, is_dir) == IgnoreVerdict::kIgnored;
  }

  // Whether this one directory is excluded; its parents are checked by the caller.
  bool dirExcluded(const std::string& dir) const {
    const std::string name(baseName(dir));
    return isBuiltinIgnoredDirName(name) || excluded_dir_names.contains(name) ||
           excluded_dir_paths.contains(dir) || ignoredByRules(dir, /*is_dir=*/true);
  }

  // Whether dir and every directory above it may be descended into, parents first: nothing
  // below an excluded directory can be re-included (git's rule), and its rules files are never
  // read. Remembered per directory, so a walk pays for each directory once.
  bool isDescended(const std::string& dir) const {
    if (dir.empty()) return true;
    if (auto known = descended.find(dir); known != descended.end()) return known->second;
    std::vector<std::string> unknown{dir};
    bool verdict = true;
    while (true) {
      std::string parent(parentDir(unknown.back()));
      if (parent.empty()) break;
      if (auto known = descended.find(parent); known != descended.end()) {
        verdict = known->second;
        break;
      }
      unknown.push_back(std::move(parent));
    }
    for (auto it = unknown.rbegin(); it != unknown.rend(); ++it) {
      verdict = verdict && !dirExcluded(*it);
      descended.emplace(*it, verdict);
    }
    return verdict;
  }
};

PathFilter::PathFilter(std::filesystem::path root, FilterOptions options)
    : impl_(std::make_unique<Impl>(std::move(root), options)) {}

PathFilter::~PathFilter() = default;
PathFilter::PathFilter(PathFilter&&) noexcept = default;
PathFilter& PathFilter::operator=(PathFilter&&) noexcept = default;

bool PathFilter::shouldDescend(std::string_view rel_dir) const {
  const std::optional<std::string> dir = normalizeRelPath(rel_dir);
  if (!dir || !impl_) return false;  // outside the root, or a moved-from filter
  impl_->boundCaches();
  return impl_->isDescended(*dir);
}

bool PathFilter::isRelevant(std::string_view rel_file) const {
  const std::optional<std::string> file = normalizeRelPath(rel_file);
  if (!file || file->empty() || !impl_) return false;
  impl_->boundCaches();
  if (!impl_->isDescended(std::string(parentDir(*file)))) return false;
  const std::string_view name = baseName(*file);
  // A ".git" file is a submodule's or worktree's link to its repository: metadata too.
  if (isBuiltinIgnoredDirName(name) || isEditorScratchFileName(name)) return false;
  if (impl_->excluded_files.contains(*file)) return false;
  if (impl_->ignoredByRules(*file, /*is_dir=*/false)) return false;
  return impl_->include.empty() || impl_->include.selects(*file);
}

bool PathFilter::isIgnoreFile(std::string_view rel_path) {
  const std::optional<std::string> path = normalizeRelPath(rel_path);
  if (!path) return false;
  const std::string_view name = baseName(*path);
  return name == ".gitignore" || name == ".hotpodignore" || *path == kGitInfoExclude;
}

void PathFilter::invalidate(std::string_view rel_ignore_file) {
  const std::optional<std::string> path = normalizeRelPath(rel_ignore_file);
  if (!path || !impl_) return;
  if (*path == kGitInfoExclude) {
    impl_->info_exclude.reset();
    return;
  }
  // Directories below keep links to these rules, and verdicts derived from them: start over
  // (ignore files change rarely; the rules are read again lazily).
  impl_->forgetCaches();
}

}  // namespace hotpod
