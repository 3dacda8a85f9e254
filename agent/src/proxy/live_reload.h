#pragma once
// The browser side of the dev proxy (proxy.inject): the snippet that goes into text/html
// responses, the script it loads and the event stream it listens to, all under /__hotpod/ on
// the proxy's own address (so no CORS, and the app never sees these requests).
#include <string>
#include <string_view>

#include "proxy/http_codec.h"

namespace hotpod {

inline constexpr std::string_view kOwnPathPrefix = "/__hotpod/";

// The script tag, before the last </body> (any case), else at the end.
void injectSnippet(std::string& html);
// A whole response rebuilt from a kept response (HttpCodec::injectable): its headers without
// Content-Length and Transfer-Encoding, the body with the snippet, the new Content-Length.
std::string injectedResponse(const HttpCodec& response);
// GET /__hotpod/live.js, or a 404 for any other /__hotpod/ path but the event stream.
std::string ownAnswer(std::string_view path);
// The head of GET /__hotpod/events (the body runs until the connection closes).
std::string eventStreamHead();
// One server-sent event.
std::string serverSentEvent(std::string_view name, std::string_view data);

}  // namespace hotpod
