// `hotpod healthcheck`: a container HEALTHCHECK (or a Kubernetes exec probe) that needs nothing
// but hotpod. Images without libraries have no curl, and busybox's static wget crashes there
// (glibc's NSS cannot load); hotpod's own client resolves names without NSS.
#include "base/duration.h"
#include "cli/options.h"
#include "model/config.h"
#include "observe/http_client.h"

#include <cstdlib>
#include <iostream>
#include <string>

namespace hotpod {
namespace {

// http://127.0.0.1:PORT/healthz, PORT from HOTPOD_LISTEN ("0.0.0.0:8080", ":8080") if set.
std::string defaultUrl() {
  std::string port = std::to_string(HttpConfig::kDefaultPort);
  if (const char* listen = std::getenv("HOTPOD_LISTEN"); listen != nullptr) {
    const std::string text = listen;
    if (const auto colon = text.rfind(':'); colon != std::string::npos && colon + 1 < text.size()) {
      port = text.substr(colon + 1);
    }
  }
  return "http://127.0.0.1:" + port + "/healthz";
}

}  // namespace

int healthcheckCommand(const HealthcheckOptions& options) {
  const auto timeout = parseDuration(options.timeout);
  if (!timeout || *timeout <= Duration::zero()) {
    std::cerr << "hotpod healthcheck: error: --timeout '" << options.timeout
              << "' is not a duration; write e.g. 2s or 500ms\n";
    return 2;
  }
  const std::string url = options.url.empty() ? defaultUrl() : options.url;
  const HttpAnswer answer = httpGet(url, *timeout);
  if (answer.ok()) return 0;
  std::cerr << "hotpod healthcheck: " << url << ": " << answer.describe()
            << (answer.status == 0 ? " (is hotpod running, and listening there? --listen)" : "")
            << '\n';
  return 1;
}

}  // namespace hotpod
