#include "base/signals.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <csignal>
#include <string>

namespace hotpod {
namespace {

constexpr int kHighestSignal = 64;

struct NamedSignal {
  std::string_view name;  // without "SIG"
  int number;
};

// Linux signals; the first entry for a number is its canonical name, later ones are aliases.
constexpr std::array kSignals = {
    NamedSignal{"HUP", SIGHUP},   NamedSignal{"INT", SIGINT},
    NamedSignal{"QUIT", SIGQUIT}, NamedSignal{"ILL", SIGILL},
    NamedSignal{"TRAP", SIGTRAP}, NamedSignal{"ABRT", SIGABRT},
    NamedSignal{"BUS", SIGBUS},   NamedSignal{"FPE", SIGFPE},
    NamedSignal{"KILL", SIGKILL}, NamedSignal{"USR1", SIGUSR1},
    NamedSignal{"SEGV", SIGSEGV}, NamedSignal{"USR2", SIGUSR2},
    NamedSignal{"PIPE", SIGPIPE}, NamedSignal{"ALRM", SIGALRM},
    NamedSignal{"TERM", SIGTERM}, NamedSignal{"STKFLT", SIGSTKFLT},
    NamedSignal{"CHLD", SIGCHLD}, NamedSignal{"CONT", SIGCONT},
    NamedSignal{"STOP", SIGSTOP}, NamedSignal{"TSTP", SIGTSTP},
    NamedSignal{"TTIN", SIGTTIN}, NamedSignal{"TTOU", SIGTTOU},
    NamedSignal{"URG", SIGURG},   NamedSignal{"XCPU", SIGXCPU},
    NamedSignal{"XFSZ", SIGXFSZ}, NamedSignal{"VTALRM", SIGVTALRM},
    NamedSignal{"PROF", SIGPROF}, NamedSignal{"WINCH", SIGWINCH},
    NamedSignal{"IO", SIGIO},     NamedSignal{"PWR", SIGPWR},
    NamedSignal{"SYS", SIGSYS},   NamedSignal{"IOT", SIGIOT},
    NamedSignal{"CLD", SIGCHLD},  NamedSignal{"POLL", SIGPOLL},
};

std::string toUpper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// "12" -> 12; nullopt unless the text is 1-3 digits.
std::optional<int> parseSmallNumber(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "RTMIN", "RTMIN+3", "RTMAX-1": real-time signals, whose numbers glibc decides at run time.
std::optional<int> parseRealtime(std::string_view name) {
  bool from_min = name.starts_with("RTMIN");
  if (!from_min && !name.starts_with("RTMAX")) return std::nullopt;
  int base = from_min ? SIGRTMIN : SIGRTMAX;
  std::string_view rest = name.substr(5);
  if (rest.empty()) return base;
  char sign = rest.front();
  if (sign != (from_min ? '+' : '-')) return std::nullopt;
  auto offset = parseSmallNumber(rest.substr(1));
  if (!offset) return std::nullopt;
  int number = from_min ? base + *offset : base - *offset;
  if (number < SIGRTMIN || number > SIGRTMAX) return std::nullopt;
  return number;
}

}  // namespace

std::optional<int> parseSignal(std::string_view text) {
  if (auto number = parseSmallNumber(text)) {
    // 32 and 33 are the C library's own (NPTL): no program means them, and they have no name.
    if (*number >= 1 && *number <= kHighestSignal && !signalName(*number).starts_with("signal ")) {
      return number;
    }
    return std::nullopt;
  }
  std::string name = toUpper(text);
  if (name.starts_with("SIG")) name.erase(0, 3);
  for (const auto& known : kSignals) {
    if (name == known.name) return known.number;
  }
  return parseRealtime(name);
}

std::string signalName(int signal_number) {
  for (const auto& known : kSignals) {
    if (known.number == signal_number) return "SIG" + std::string(known.name);
  }
  if (signal_number >= SIGRTMIN && signal_number <= SIGRTMAX) {
    int offset = signal_number - SIGRTMIN;
    return offset == 0 ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(offset);
  }
  return "signal " + std::to_string(signal_number);
}

std::vector<int> passableSignals() {
  constexpr std::array kKept = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,  SIGTRAP,
                                SIGSYS,  SIGABRT, SIGCHLD, SIGPIPE, SIGXFSZ, SIGTTIN, SIGTTOU};
  std::vector<int> passable;
  for (int number = 1; number <= SIGRTMAX; ++number) {
    if (number >= SIGSYS + 1 && number < SIGRTMIN) continue;  // glibc's own 32 and 33
    if (std::find(kKept.begin(), kKept.end(), number) == kKept.end()) passable.push_back(number);
  }
  return passable;
}

bool endsProcessByDefault(int signal_number) {
  // signal(7): the ones whose default is "Ign", "Stop" or "Cont" leave the process alive.
  constexpr std::array kHarmless = {SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP,
                                    SIGTTIN, SIGTTOU, SIGURG,  SIGWINCH};
  return std::find(kHarmless.begin(), kHarmless.end(), signal_number) == kHarmless.end();
}

}  // namespace hotpod
