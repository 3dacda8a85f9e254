#include "filter/path_set.h"

namespace hotpod {

PathSet::PathSet(const std::vector<std::string>& patterns)
    : rules_(IgnoreRules::fromLines(patterns, "")) {}

bool PathSet::contains(const std::string& rel_file) const {
  bool inside = false;
  // Each directory from the top, then the file: a match below overrides one above.
  for (size_t slash = rel_file.find('/');; slash = rel_file.find('/', slash + 1)) {
    const bool is_dir = slash != std::string::npos;
    switch (rules_.match(is_dir ? rel_file.substr(0, slash) : rel_file, is_dir)) {
      case IgnoreVerdict::kIgnored:
        inside = true;
        break;
      case IgnoreVerdict::kReincluded:
        inside = false;
        break;
      case IgnoreVerdict::kNoMatch:
        break;
    }
    if (!is_dir) return inside;
  }
}

}  // namespace hotpod
