#include "proxy/live_reload.h"

#include <algorithm>
#include <cctype>

#include "base/text.h"
#include "proxy/csp.h"
#include "proxy_assets.h"

namespace hotpod {
namespace {

std::string answer(std::string_view status, std::string_view type, std::string_view body) {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(type) +
         "\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace

void injectSnippet(std::string& html, std::string_view nonce) {
  // The nonce is a CSP base64-value (proxy/csp.cpp checks it): safe inside the quotes.
  const std::string snippet =
      (nonce.empty() ? std::string("<script") : "<script nonce=\"" + std::string(nonce) + "\"") +
      " src=\"/__hotpod/live.js\" defer></script>";
  const auto at = lowercase(html).rfind("</body>");
  html.insert(at == std::string::npos ? html.size() : at, snippet);
}

std::string injectedResponse(const HttpCodec& response, std::string& blocked) {
  std::string body = response.body();
  std::string nonce = response.nonce();
  // A policy in the page's own <meta> tag binds the snippet as a header's does.
  if (auto own = metaPolicies(body); !own.empty()) {
    auto all = response.policies();
    all.insert(all.end(), own.begin(), own.end());
    auto permission = snippetPermission(all);
    if (!permission.allowed) blocked = "the page's <meta> policy: " + permission.why;
    nonce = std::move(permission.nonce);
  }
  if (blocked.empty()) injectSnippet(body, nonce);
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (const auto& [name, value] : response.headers()) {
    if (equalsLowercase(name, "content-length") || equalsLowercase(name, "transfer-encoding")) {
      continue;
    }
    head += name + ": " + value + "\r\n";
  }
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string ownAnswer(std::string_view path) {
  if (path == "/__hotpod/live.js") {
    return answer("200 OK", "text/javascript; charset=utf-8", embedded::kLiveJs);
  }
  return answer("404 Not Found", "text/plain", "hotpod's dev proxy has nothing here\n");
}

std::string eventStreamHead() {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
         "Connection: close\r\n\r\n: hotpod live reload\n\n";
}

std::string serverSentEvent(std::string_view name, std::string_view data) {
  std::string event = "event: " + std::string(name) + "\n";
  size_t start = 0;
  while (true) {
    const auto end = data.find('\n', start);
    event += "data: " + std::string(data.substr(start, end - start)) + "\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return event + "\n";
}

}  // namespace hotpod
