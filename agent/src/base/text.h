#pragma once
// Small string helpers that several layers need; one copy of each.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

// ASCII lower case (locale-independent: config keys, units and signal names are ASCII).
std::string lowercase(std::string_view text);

// `text` without leading and trailing characters from `whitespace`.
std::string trimmed(std::string_view text, std::string_view whitespace = " \t\r\n");

// "a, b, c" (or with another separator).
std::string joined(const std::vector<std::string>& words, std::string_view separator = ", ");

// `text` with every control character (below 0x20, and 0x7f) written out: \n, \r, \t, else
// \xHH. For file names and other untrusted text in human-readable output: a name with a newline
// cannot forge a log line, one with an escape sequence cannot drive the terminal. UTF-8 is kept.
std::string escapeControl(std::string_view text);

// Is `text` the same as `lower` (already lower case), ignoring ASCII case? No copy: header names.
bool equalsLowercase(std::string_view text, std::string_view lower);

// FNV-1a, 64 bits: a hash that is the same in every run and on every machine (std::hash is
// not), for names of files that a later run must find again.
inline constexpr uint64_t kStableHashStart = 14695981039346656037ull;  // the FNV offset basis
// `hash`: to go on from the hash of what came before `text` (a file read in pieces).
uint64_t stableHash(std::string_view text, uint64_t hash = kStableHashStart);

}  // namespace hotpod
