#include <string>
#include <string_view>

#include "model/config.h"

namespace hotpod {
namespace {

// Characters that make /bin/sh read a word differently; such words are shown single-quoted so
// that the displayed line can be pasted into a shell.
bool needsQuoting(std::string_view word) {
  if (word.empty()) return true;
  for (char c : word) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("-_./:=+,@%").find(c) != std::string_view::npos;
    if (!plain) return true;
  }
  return false;
}

std::string shellQuote(std::string_view word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";  // close, escaped quote, reopen
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

std::string Command::display() const {
  if (through_shell && argv.size() == 3) return argv[2];
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    line += needsQuoting(word) ? shellQuote(word) : word;
  }
  return line;
}

}  // namespace hotpod
