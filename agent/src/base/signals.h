#pragma once
// Signal names as users write them in config files and flags.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

// "TERM", "SIGTERM", "sigterm", "SigTerm", "15", "RTMIN+2" -> the signal number; nullopt for
// unknown names and numbers outside 1..64.
std::optional<int> parseSignal(std::string_view text);

// 15 -> "SIGTERM", 36 -> "SIGRTMIN+2"; numbers without a name -> "signal 32".
std::string signalName(int signal_number);

// The signals a supervisor passes on to its app, as tini does: every signal a process can catch
// except the ones about the supervisor itself (the synchronous faults, SIGCHLD, SIGPIPE and
// SIGXFSZ from its own writes, SIGTTIN/SIGTTOU from its own terminal I/O) and the C library's
// own 32 and 33. Real-time signals included.
std::vector<int> passableSignals();

// Whether a signal's default action ends the process (SIGUSR1, SIGALRM, SIGRTMIN+n, …): a
// process that must not die of a stray one handles these.
bool endsProcessByDefault(int signal_number);

}  // namespace hotpod
