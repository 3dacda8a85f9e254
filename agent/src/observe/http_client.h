#pragma once
// The few HTTP requests hotpod makes itself (app probes, webhooks), through libcurl. Blocking:
// call them only off the reactor thread.
#include <chrono>
#include <string>

namespace hotpod {

struct HttpAnswer {
  int status = 0;     // 0: no HTTP answer at all
  std::string error;  // why there was none ("connection refused", "timed out after 1s")
  bool ok() const { return status >= 200 && status < 300; }
  std::string describe() const;  // "HTTP 503", "connection refused"
};

HttpAnswer httpGet(const std::string& url, std::chrono::milliseconds timeout);
HttpAnswer httpPostJson(const std::string& url, const std::string& json,
                        std::chrono::milliseconds timeout);

// What the requests go through: "libcurl/7.88.1 OpenSSL/3.0.22 c-ares/1.18.1" (for `version`).
std::string httpClientVersion();

}  // namespace hotpod
