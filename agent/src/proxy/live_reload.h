#pragma once
// The browser side of the dev proxy (proxy.inject): the snippet that goes into text/html
// responses, the script it loads and the event stream it listens to, all under /__hotpod/ on
// the proxy's own address (so no CORS, and the app never sees these requests).
#include <cstddef>
#include <string>
#include <string_view>

#include "proxy/http_codec.h"

namespace hotpod {

inline constexpr std::string_view kOwnPathPrefix = "/__hotpod/";

// The pages that get the snippet are kept whole before they are sent, up to this size; a longer
// body passes through unchanged (logged once: proxy_inject_too_large).
inline constexpr size_t kInjectMaxBytes = size_t{8} << 20;

// The script tag (with nonce="…" when the page's Content-Security-Policy needs it), before the
// last </body> (any case), else at the end.
void injectSnippet(std::string& html, std::string_view nonce = {});
// A whole response rebuilt from a kept response (HttpCodec::injectable): its headers without
// Content-Length and Transfer-Encoding, the body with the snippet (and the response's nonce),
// the new Content-Length. When a <meta http-equiv="Content-Security-Policy"> of the page forbids
// the snippet, the body goes unchanged and `blocked` says which directive.
std::string injectedResponse(const HttpCodec& response, std::string& blocked);
// GET /__hotpod/live.js, or a 404 for any other /__hotpod/ path but the event stream.
std::string ownAnswer(std::string_view path);
// The head of GET /__hotpod/events (the body runs until the connection closes).
std::string eventStreamHead();
// One server-sent event.
std::string serverSentEvent(std::string_view name, std::string_view data);

}  // namespace hotpod
