#pragma once
// toml++ 3.3 (Debian 12) reaches __builtin_unreachable — undefined behaviour — when it checks
// some non-ASCII characters for whitespace (upstream issues #190 and #295, fixed after 3.3; found
// here by fuzzing). Modelling where its lexer asks that question proved fragile, so no non-ASCII
// byte reaches it at all: TOML allows non-ASCII only in strings and comments, and a string
// that holds some is rewritten as a basic string with \u escapes (the same value), a comment's
// characters become '?'. Only strings that hold non-ASCII are rewritten; the rest is untouched.
#include <string>
#include <string_view>

namespace hotpod {

// The text to give toml++: pure ASCII, with the same meaning. Throws ConfigError naming the
// line and column of a non-ASCII character outside a string or comment, of a backslash before
// one, or of bytes that are not UTF-8.
std::string asciiForTomlParser(std::string_view text, const std::string& file_name);

}  // namespace hotpod
