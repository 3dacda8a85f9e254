#include "config/key_suggestions.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "base/text.h"

namespace hotpod {
namespace {

// Add new keys here and in the loader; suggestions and the list in errors follow.
const std::map<std::string, std::vector<std::string>, std::less<>>& keyTable() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
      {"",
       {"root", "watch", "build", "run", "log", "http", "app", "notify", "audit", "target", "proxy",
        "rules", "services"}},
      {"service", {"paths", "dir", "watch", "build", "run", "rules", "app", "proxy", "target"}},
      {"rules", {"match", "ext", "action", "signal", "run", "delay"}},
      {"watch",
       {"backend", "poll_interval", "verify_interval", "poll_budget", "include_ext", "include",
        "exclude", "exclude_dir", "gitignore", "delay", "max_delay"}},
      {"build", {"cmd", "timeout", "on_busy", "env", "artifacts", "parallel"}},
      {"run", {"cmd", "stop_signal", "stop_timeout", "restart_on_crash"}},
      {"log", {"format", "level"}},
      {"http",
       {"listen", "token_file", "allowed_hosts", "ready_while_building",
        "ready_after_failed_build"}},
      {"app", {"health_url", "ready_timeout", "probe_interval", "rollback"}},
      {"notify", {"webhooks"}},
      {"audit", {"path", "max_size", "keep"}},
      {"notify.webhooks", {"url", "events", "timeout", "retries"}},
      {"proxy", {"listen", "hold_timeout", "handover", "inject"}},
      {"target", {"mode", "match", "signal", "confirm_timeout"}},
      {"target.match", {"exec", "exe", "cmdline", "pidfile"}},
  };
  return table;
}

std::string dotted(std::string_view section, std::string_view key) {
  return section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
}

// How many edits still count as a typo: short names need to be closer.
size_t typoBudget(std::string_view key) {
  if (key.size() <= 4) return 1;
  if (key.size() <= 8) return 2;
  return 3;
}

}  // namespace

const std::vector<std::string>& validConfigKeys(std::string_view section) {
  static const std::vector<std::string> none;
  auto found = keyTable().find(section);
  return found == keyTable().end() ? none : found->second;
}

size_t editDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  // d[i][j]: distance between the first i chars of a and the first j chars of b.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string unknownKeyHint(std::string_view section, std::string_view key) {
  // A flat "watch.delay" written where nesting is expected.
  if (auto dot = key.find('.'); dot != std::string_view::npos) {
    std::string_view head = key.substr(0, dot);
    std::string_view tail = key.substr(dot + 1);
    const auto& keys = validConfigKeys(head);
    if (section.empty() && std::find(keys.begin(), keys.end(), tail) != keys.end()) {
      return "write it nested: '" + std::string(head) + ":' with '" + std::string(tail) +
             ":' indented below it";
    }
  }

  // Closest keys of this section first, then keys of other sections (e.g. a top-level
  // "delay" that belongs in watch).
  struct Candidate {
    size_t distance;
    bool same_section;
    std::string name;
  };
  std::vector<Candidate> candidates;
  for (const auto& [other_section, keys] : keyTable()) {
    // Keys of a rule exist only inside a list item: never suggest them elsewhere (nor others
    // there).
    if ((other_section == "rules") != (section == "rules")) continue;
    for (const auto& valid : keys) {
      size_t distance = editDistance(key, valid);
      // A service's keys are written inside it: suggested undotted, like top-level ones.
      const std::string name = other_section == "service" ? valid : dotted(other_section, valid);
      const bool known = std::any_of(candidates.begin(), candidates.end(),
                                     [&](const Candidate& c) { return c.name == name; });
      if (distance <= typoBudget(key) && !known) {
        candidates.push_back({distance, other_section == section, name});
      }
    }
  }
  if (!candidates.empty()) {
    std::stable_sort(candidates.begin(), candidates.end(), [](const auto& x, const auto& y) {
      if (x.distance != y.distance) return x.distance < y.distance;
      return x.same_section && !y.same_section;
    });
    std::string hint = "did you mean '" + candidates[0].name + "'";
    constexpr size_t kMaxSuggestions = 3;
    for (size_t i = 1; i < candidates.size() && i < kMaxSuggestions; ++i) {
      if (candidates[i].distance != candidates[0].distance) break;
      hint += " or '" + candidates[i].name + "'";
    }
    return hint + "?";
  }

  if (section.empty()) return "valid top-level keys: " + joined(validConfigKeys(""));
  if (section == "service") return "valid keys in a service: " + joined(validConfigKeys(section));
  return "valid keys in '" + std::string(section) + "': " + joined(validConfigKeys(section));
}

}  // namespace hotpod
