#pragma once
// Checks a request head for what the HTTP library (cpp-httplib 0.11) would frame wrongly or
// slowly, before it parses it: a request with both Content-Length and Transfer-Encoding (answered
// and kept alive, so its body became a second request: request smuggling), a Content-Length that
// is not a plain number (-1 waited 5 s for a 413), a body larger than the limit (read in full
// before the 413), a transfer coding other than chunked, an obsolete folded header line, a space
// before a header's colon, and a header line longer than the library reads (a bare 400). Such a
// request is answered at once with the right status, and the connection is closed.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hotpod {

struct FramingRefusal {
  int status;           // 400, 413, 414, 431, 501
  std::string message;  // one line, for the client
};

// The longest request line and header line the library accepts (CPPHTTPLIB_HEADER_MAX_LENGTH
// and CPPHTTPLIB_REQUEST_URI_MAX_LENGTH, compiled into Debian's libcpp-httplib).
inline constexpr size_t kMaxHeaderLineBytes = 8192;

// head: the request line and headers, through the blank line.
std::optional<FramingRefusal> checkFraming(std::string_view head, size_t max_body_bytes);

// The whole response for a refusal, with Connection: close.
std::string refusalResponse(const FramingRefusal& refusal);

}  // namespace hotpod
