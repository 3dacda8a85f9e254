#include "http/control_targets.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.h"

namespace hotpod {
namespace {

std::string listed(const StatusSnapshot& status) {
  std::string text;
  for (const auto& [name, _] : status.services) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

ControlTargets controlTargets(const std::vector<std::string>& asked, const StatusSnapshot& status) {
  ControlTargets targets;
  const auto& services = status.services;
  if (asked.empty()) {
    if (services.empty()) return targets;
    targets.status = 400;
    targets.error = "hotpod runs " + std::to_string(services.size()) + " services (" +
                    listed(status) +
                    "): name one with ?service=NAME (repeat it for several), or all with "
                    "?service=*";
    return targets;
  }
  if (services.empty()) {
    targets.status = 404;
    targets.error = "hotpod runs no services (no services: in its config): drop ?service=";
    return targets;
  }
  const bool all = std::find(asked.begin(), asked.end(), "*") != asked.end();
  for (const auto& name : asked) {
    if (name == "*") continue;
    if (name.empty()) {
      targets.status = 400;
      targets.error = "?service= is empty: name a service (" + listed(status) + ") or *";
      return targets;
    }
    if (!services.contains(name)) {
      targets.status = 404;
      targets.error = "no service named '" + name + "' (services: " + listed(status) + ")";
      return targets;
    }
  }
  for (const auto& [name, _] : services) {
    if (all || std::find(asked.begin(), asked.end(), name) != asked.end()) {
      targets.names.push_back(name);
    }
  }
  return targets;
}

std::string acceptedJson(const std::string& action, const std::vector<std::string>& services) {
  nlohmann::json answer = {{"accepted", action}};
  if (!services.empty()) answer["services"] = services;
  return jsonText(answer) + "\n";
}

}  // namespace hotpod
