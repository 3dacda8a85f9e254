#pragma once
// Small helpers for root-relative, '/'-separated paths as PathFilter receives them.
#include <optional>
#include <string>
#include <string_view>

namespace hotpod {

// Canonical form: no leading "./" or '/', no empty or "." components, no trailing '/', ".."
// resolved lexically. nullopt when the path leaves the root or contains a NUL byte.
std::optional<std::string> normalizeRelPath(std::string_view path);

// Whether `path` is `dir` or inside it; every path is inside "" (the root).
bool isBelowOrAt(std::string_view path, std::string_view dir);

// "a/b/c" -> "a/b"; "a" -> "".
std::string_view parentDir(std::string_view path);

// "a/b/c" -> "c"; "a" -> "a".
std::string_view baseName(std::string_view path);

}  // namespace hotpod
