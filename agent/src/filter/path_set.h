#pragma once
// The paths of one service (`services.NAME.paths`): gitignore-style patterns relative to the
// root, read positively. The deepest pattern that matches the file or a directory above it
// decides: `services/api` takes everything below it, `'!services/api/testdata/'` takes that
// part back, and `[/*, '!cmd/worker/']` is the whole root but cmd/worker.
#include <string>
#include <vector>

#include "filter/ignore_rules.h"

namespace hotpod {

class PathSet {
 public:
  explicit PathSet(const std::vector<std::string>& patterns);
  // rel_file: relative to the root, normalised, '/'-separated.
  bool contains(const std::string& rel_file) const;

 private:
  IgnoreRules rules_;
};

}  // namespace hotpod
