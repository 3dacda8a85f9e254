#include "http/request_framing.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "base/text.h"

namespace hotpod {
namespace {

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    default:
      return "Error";
  }
}

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::optional<FramingRefusal> checkFraming(std::string_view head, size_t max_body_bytes) {
  std::vector<std::string> lengths;
  std::vector<std::string> codings;
  bool request_line = true;
  while (!head.empty()) {
    const size_t end = head.find('\n');
    std::string_view line = head.substr(0, end);
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.size() > kMaxHeaderLineBytes) {
      if (request_line) return FramingRefusal{414, "the request line is longer than 8 KiB"};
      return FramingRefusal{431,
                            "a header line is longer than 8 KiB (each line may be 8 KiB, "
                            "the whole head 16 KiB)"};
    }
    if (request_line) {
      request_line = false;
      continue;
    }
    if (line.empty()) break;  // the end of the head
    if (line.front() == ' ' || line.front() == '\t') {
      return FramingRefusal{400, "folded header lines (obs-fold) are not accepted"};
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // the library answers that one itself
    const std::string_view name = line.substr(0, colon);
    if (name.empty() || name.back() == ' ' || name.back() == '\t') {
      return FramingRefusal{400, "no whitespace is allowed between a header name and its colon"};
    }
    const std::string value = trimmed(line.substr(colon + 1), " \t");
    if (equalsLowercase(name, "content-length")) lengths.push_back(value);
    if (equalsLowercase(name, "transfer-encoding")) codings.push_back(lowercase(value));
  }
  if (!codings.empty() && !lengths.empty()) {
    return FramingRefusal{400,
                          "a request with both Content-Length and Transfer-Encoding is "
                          "ambiguous (RFC 9112 section 6.3); send one of them"};
  }
  for (const auto& coding : codings) {
    if (coding != "chunked") {
      return FramingRefusal{501, "only Transfer-Encoding: chunked is supported"};
    }
  }
  if (lengths.empty()) return std::nullopt;
  for (const auto& length : lengths) {
    if (!allDigits(length) || length != lengths.front()) {
      return FramingRefusal{400, "Content-Length must be one decimal number of bytes"};
    }
  }
  size_t bytes = 0;
  const auto [end, error] = std::from_chars(lengths.front().data(),
                                            lengths.front().data() + lengths.front().size(), bytes);
  if (error != std::errc() || bytes > max_body_bytes) {
    return FramingRefusal{
        413, "the body may be at most " + std::to_string(max_body_bytes / 1024) + " KiB"};
  }
  return std::nullopt;
}

std::string refusalResponse(const FramingRefusal& refusal) {
  // Written by hand: the library never gets to parse this request.
  const std::string body = refusal.message + "\n";
  return "HTTP/1.1 " + std::to_string(refusal.status) + " " +
         std::string(reasonPhrase(refusal.status)) +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace hotpod
