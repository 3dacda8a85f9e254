#pragma once
// The keys hotpod.yaml knows, and friendly suggestions for the ones it does not.
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

// Valid keys of a section: "" is the top level, otherwise "watch", "build", "run", "log",
// "http". Empty for an unknown section.
const std::vector<std::string>& validConfigKeys(std::string_view section);

// The hint for an unknown `key` found in `section`: "did you mean 'watch.delay'?" when a key
// of this or another section is close (by edit distance, ignoring case), otherwise the valid
// keys of the section.
std::string unknownKeyHint(std::string_view section, std::string_view key);

// Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), ignoring
// ASCII case.
size_t editDistance(std::string_view a, std::string_view b);

}  // namespace hotpod
