#pragma once
// What a page's Content-Security-Policy (CSP Level 3) lets the live-reload snippet do: the
// snippet is a same-origin script (<script src="/__hotpod/live.js">) that opens an EventSource
// on the same origin. It may go into the page when every policy allows both — the script by the
// policy's nonce (then the tag carries it), or by 'self' or * without 'strict-dynamic'; the
// event stream by connect-src (or default-src) 'self' or *, or no such directive. Anything else
// (a host list that happens to name the proxy, hashes) is judged as blocking: the page passes
// unchanged. Content-Security-Policy-Report-Only blocks nothing and is not asked about.
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

struct SnippetPermission {
  bool allowed = true;
  std::string nonce;  // non-empty: the script tag must carry nonce="…"
  std::string why;    // when not allowed: the directive that blocks it
};

// `policies`: the values of every Content-Security-Policy header of the response (each may hold
// several policies separated by commas), and of the page's <meta> policies.
SnippetPermission snippetPermission(const std::vector<std::string>& policies);

// The policies a page sets itself: the content of each <meta http-equiv="Content-Security-Policy">
// in its head (before </head> or <body>), with the common character references decoded.
std::vector<std::string> metaPolicies(std::string_view html);

}  // namespace hotpod
