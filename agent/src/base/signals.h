#pragma once
// Signal names as users write them in config files and flags.
#include <optional>
#include <string>
#include <string_view>

namespace hotpod {

// "TERM", "SIGTERM", "sigterm", "SigTerm", "15", "RTMIN+2" -> the signal number; nullopt for
// unknown names and numbers outside 1..64.
std::optional<int> parseSignal(std::string_view text);

// 15 -> "SIGTERM", 36 -> "SIGRTMIN+2"; numbers without a name -> "signal 32".
std::string signalName(int signal_number);

}  // namespace hotpod
