#pragma once
// toml++ 3.3 (Debian 12) reaches __builtin_unreachable — undefined behaviour — when it checks a
// non-ASCII character for whitespace (upstream issues #190 and #295, fixed after 3.3; found
// here by fuzzing). TOML allows non-ASCII only in strings and comments, so refusing it elsewhere
// before parsing loses no valid file; inside a multi-line basic string the one place it is
// checked is right after a line-ending backslash.
#include <string>
#include <string_view>

namespace hotpod {

// Throws ConfigError naming the line and column of the first such character.
void requireTomlParserSafe(std::string_view text, const std::string& file_name);

}  // namespace hotpod
