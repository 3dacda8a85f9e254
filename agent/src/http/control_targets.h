#pragma once
// Which services a POST /v1/rebuild or /v1/restart concerns (`?service=NAME`, repeatable, or
// `?service=*` for all). Without `services:` the request names none (the one app); with
// services it must name at least one: "rebuild" alone would be ambiguous.
#include <string>
#include <vector>

#include "observe/status.h"

namespace hotpod {

struct ControlTargets {
  std::vector<std::string> names;  // the services, in the status' order; empty: the one app
  int status = 0;                  // 0: accepted, else 400 or 404 with `error`
  std::string error;
};

// `asked`: the values of the `service` parameters as given.
ControlTargets controlTargets(const std::vector<std::string>& asked, const StatusSnapshot& status);

// The 202 answer's body: {"accepted": "rebuild", "services": [...]} (no "services" without).
std::string acceptedJson(const std::string& action, const std::vector<std::string>& services);

}  // namespace hotpod
