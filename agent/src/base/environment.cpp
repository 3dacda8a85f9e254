#include "base/environment.h"

#include <string_view>

extern char** environ;

namespace hotpod {
namespace {
constexpr std::string_view kOwnPrefix = "HOTPOD_";
}  // namespace

Environment Environment::fromCurrent() {
  Environment env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string::npos) continue;
    env.vars_[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return env;
}

Environment Environment::forChildren() {
  Environment env = fromCurrent();
  std::erase_if(env.vars_, [](const auto& entry) { return entry.first.starts_with(kOwnPrefix); });
  return env;
}

std::vector<std::string> Environment::entries() const {
  std::vector<std::string> out;
  out.reserve(vars_.size());
  for (const auto& [key, value] : vars_) out.push_back(key + "=" + value);
  return out;
}

}  // namespace hotpod
