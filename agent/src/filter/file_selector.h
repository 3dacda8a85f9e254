#pragma once
// Files chosen positively, by extension or by gitignore-style patterns: what `watch.include_ext`
// and `watch.include` select, and what a rule's `ext` and `match` select. One implementation so
// that a pattern means the same in both places.
#include <string>
#include <string_view>
#include <vector>

#include "filter/ignore_rules.h"

namespace hotpod {

class FileSelector {
 public:
  FileSelector() = default;
  // extensions: "go", ".go" or "tar.gz" (a dotted one matches the whole suffix);
  // patterns: gitignore lines relative to the root.
  FileSelector(const std::vector<std::string>& extensions,
               const std::vector<std::string>& patterns);

  bool empty() const { return suffixes_.empty() && patterns_.empty(); }
  // Whether a root-relative, normalized file path is selected: its name ends with one of the
  // extensions, or a pattern matches it or one of its directories (gitignore read positively:
  // "static/" selects every file below static).
  bool selects(const std::string& rel_file) const;

 private:
  std::vector<std::string> suffixes_;  // ".go"
  IgnoreRules patterns_;
};

}  // namespace hotpod
