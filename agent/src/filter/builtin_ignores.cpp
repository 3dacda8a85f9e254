#include "filter/builtin_ignores.h"

#include <array>

namespace hotpod {

bool isBuiltinIgnoredDirName(std::string_view name) {
  constexpr std::array<std::string_view, 6> kDirs = {".git", ".hg",    ".svn",
                                                     ".bzr", "_darcs", ".hotpod"};
  for (const std::string_view dir : kDirs) {
    if (name == dir) return true;
  }
  // kubelet's atomic writer (ConfigMap, Secret and projected volumes): ..data and
  // ..2026_01_01_…; the user's files are symlinks through them, and change with them.
  return name.size() > 2 && name.starts_with("..");
}

bool isEditorScratchFileName(std::string_view name) {
  constexpr std::array<std::string_view, 6> kSuffixes = {".swp", ".swx",         ".swo",
                                                         "~",    "___jb_tmp___", "___jb_old___"};
  for (const std::string_view suffix : kSuffixes) {
    if (name.ends_with(suffix)) return true;
  }
  if (name == "4913") return true;  // vim checks it may create files in the directory
  if (name.starts_with(".#")) return true;
  return name.size() >= 2 && name.front() == '#' && name.back() == '#';
}

}  // namespace hotpod
