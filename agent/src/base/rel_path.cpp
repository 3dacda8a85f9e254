#include "base/rel_path.h"

#include <vector>

namespace hotpod {

std::optional<std::string> normalizeRelPath(std::string_view path) {
  if (path.find('\0') != std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> components;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view component = path.substr(0, slash);
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      if (components.empty()) return std::nullopt;  // above the watched root
      components.pop_back();
      continue;
    }
    components.push_back(component);
  }
  std::string normalized;
  for (const std::string_view component : components) {
    if (!normalized.empty()) normalized += '/';
    normalized += component;
  }
  return normalized;
}

std::string_view parentDir(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view baseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool isBelowOrAt(std::string_view path, std::string_view dir) {
  return dir.empty() || path == dir ||
         (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

}  // namespace hotpod
