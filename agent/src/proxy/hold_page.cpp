#include <string>

#include "base/json_text.h"
#include "proxy/hold_reason.h"
#include "proxy_assets.h"

namespace hotpod {
namespace {

std::string htmlEscaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void replaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string response(int status, std::string_view reason, std::string_view type,
                     const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nContent-Type: " + std::string(type) +
         "\r\nCache-Control: no-store\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

std::string_view toString(HoldReason::Kind kind) {
  switch (kind) {
    case HoldReason::Kind::Starting:
      return "starting";
    case HoldReason::Kind::Building:
      return "building";
    case HoldReason::Kind::BuildFailed:
      return "build_failed";
    case HoldReason::Kind::Restarting:
      return "restarting";
    case HoldReason::Kind::Crashed:
      return "crashed";
    case HoldReason::Kind::Stopping:
      return "stopping";
  }
  return "starting";
}

std::string holdAnswer(const HoldReason& why, std::string_view accept, long long held_ms) {
  if (accept.find("text/html") != std::string_view::npos) {
    std::string page(embedded::kHoldHtml);
    replaceAll(page, "{{title}}", htmlEscaped(toString(why.kind)));
    replaceAll(page, "{{kind}}", htmlEscaped(toString(why.kind)));
    replaceAll(page, "{{waiting}}", why.waiting ? "waiting" : "");
    replaceAll(page, "{{message}}", htmlEscaped(why.message));
    replaceAll(page, "{{output}}",
               why.output.empty()
                   ? ""
                   : "<pre id=\"hotpod-output\">" + htmlEscaped(why.output) + "</pre>");
    replaceAll(page, "{{held}}", std::to_string(held_ms));
    return response(503, "Service Unavailable", "text/html; charset=utf-8", page);
  }
  const std::string body = jsonText({{"error", "no version of the app is ready"},
                                     {"reason", toString(why.kind)},
                                     {"message", why.message},
                                     {"output", why.output},
                                     {"held_ms", held_ms}}) +
                           "\n";
  return response(503, "Service Unavailable", "application/json", body);
}

std::string badGatewayAnswer(std::string_view what) {
  const std::string body = jsonText({{"error", "bad gateway"}, {"message", what}}) + "\n";
  return response(502, "Bad Gateway", "application/json", body);
}

}  // namespace hotpod
