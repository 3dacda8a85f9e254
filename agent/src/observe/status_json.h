#pragma once
// The JSON forms of the status (GET /v1/status) and of one build (events, webhooks).
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "observe/status.h"

namespace hotpod {

std::string statusJson(const StatusSnapshot& status, double now_unix);
nlohmann::json buildJson(const BuildRecord& build);
// The "proxy" object of the status (and of the `proxy` event).
nlohmann::json proxyJson(const ProxyStatus& proxy, double now_unix);

}  // namespace hotpod
