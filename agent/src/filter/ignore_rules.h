#pragma once
// One ignore file (.gitignore, .hotpodignore, .git/info/exclude) or one list of gitignore-style
// option patterns, parsed into rules that apply below a base directory, with git's matching:
// the last matching rule decides.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

// What a rule list says about one path.
enum class IgnoreVerdict {
  kNoMatch,     // no rule matched; ask the next (lower precedence) list
  kIgnored,     // the last matching rule is a plain pattern
  kReincluded,  // the last matching rule is a "!" negation
};

class IgnoreRules {
 public:
  IgnoreRules() = default;

  // base_dir: the directory the rules are relative to ("" for the root), without a trailing '/'.
  static IgnoreRules parse(std::string_view content, std::string_view base_dir);
  // Each element is one line (option lists such as `exclude` and `include`).
  static IgnoreRules fromLines(const std::vector<std::string>& lines, std::string_view base_dir);
  // A missing or unreadable file, or one that is not a regular file, yields no rules.
  // follow_symlinks=false mirrors git, which refuses a symlinked .gitignore in the work tree.
  static IgnoreRules load(const std::filesystem::path& file, std::string_view base_dir,
                          bool follow_symlinks);

  // rel_path is relative to the root, normalised; paths outside the base directory never match.
  IgnoreVerdict match(const std::string& rel_path, bool is_dir) const;

  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

 private:
  struct Rule {
    std::string pattern;        // without the leading '!' and the trailing '/'
    size_t literal_prefix = 0;  // leading characters without glob specials
    bool negated = false;
    bool dir_only = false;       // trailing '/'
    bool basename_only = false;  // no '/' left: matches the name at any depth below the base
  };

  void addLine(std::string_view line);
  bool matchesPathname(const Rule& rule, const char* path, size_t path_len) const;

  std::string base_prefix_;  // base_dir + '/', or "" for the root
  std::vector<Rule> rules_;
};

}  // namespace hotpod
