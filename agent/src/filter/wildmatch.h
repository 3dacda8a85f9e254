#pragma once
// A port of git's wildmatch() with WM_PATHNAME semantics: '*', '?' and '[...]' never match '/',
// "**" matches across directories only as a whole component ("**/", "/**", "/**/"), '\' escapes,
// "[!...]" / "[^...]" negate a class, ranges and POSIX classes ("[[:digit:]]") are supported.
// Matching is case-sensitive, like git on Linux.
#include <string_view>

namespace hotpod {

// True when the whole of text matches pattern.
bool wildmatch(std::string_view pattern, std::string_view text);

// Same, on NUL-terminated strings (no copies; used on hot paths by the ignore rules).
bool wildmatch(const char* pattern, const char* text);

}  // namespace hotpod
