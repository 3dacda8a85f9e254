#include "observe/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace hotpod {
namespace {

void initializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t discardBody(char*, size_t size, size_t count, void*) {
  return size * count;  // only the status matters
}

HttpAnswer perform(const std::string& url, const std::string* json,
                   std::chrono::milliseconds timeout) {
  initializeCurlOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {0, "libcurl could not create a handle (out of memory?)"};
  CURL* handle = curl.get();
  char error_text[CURL_ERROR_SIZE] = {};
  const std::string agent = std::string("hotpod/") + HOTPOD_VERSION;
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded process
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, discardBody);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  // A health check through a developer's HTTP proxy would test the proxy, not the app.
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  if (json) {
    headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, json->c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(json->size()));
  }
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    return {0, error_text[0] ? std::string(error_text) : curl_easy_strerror(code)};
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  return {static_cast<int>(status), {}};
}

}  // namespace

std::string HttpAnswer::describe() const {
  return status != 0 ? "HTTP " + std::to_string(status) : error;
}

HttpAnswer httpGet(const std::string& url, std::chrono::milliseconds timeout) {
  return perform(url, nullptr, timeout);
}

HttpAnswer httpPostJson(const std::string& url, const std::string& json,
                        std::chrono::milliseconds timeout) {
  return perform(url, &json, timeout);
}

std::string httpClientVersion() {
  return curl_version();
}

}  // namespace hotpod
