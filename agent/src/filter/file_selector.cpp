#include "filter/file_selector.h"

#include "base/rel_path.h"

namespace hotpod {

FileSelector::FileSelector(const std::vector<std::string>& extensions,
                           const std::vector<std::string>& patterns)
    : patterns_(IgnoreRules::fromLines(patterns, "")) {
  for (std::string_view ext : extensions) {
    if (ext.starts_with('.')) ext.remove_prefix(1);
    if (!ext.empty()) suffixes_.push_back("." + std::string(ext));
  }
}

bool FileSelector::selects(const std::string& rel_file) const {
  const std::string_view name = baseName(rel_file);
  for (const std::string& suffix : suffixes_) {
    if (name.ends_with(suffix)) return true;
  }
  if (patterns_.empty()) return false;
  for (size_t slash = rel_file.find('/'); slash != std::string::npos;
       slash = rel_file.find('/', slash + 1)) {
    if (patterns_.match(rel_file.substr(0, slash), true) == IgnoreVerdict::kIgnored) return true;
  }
  return patterns_.match(rel_file, false) == IgnoreVerdict::kIgnored;
}

}  // namespace hotpod
