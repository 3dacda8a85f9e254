// What the framing check refuses before the HTTP library parses a request head (RFC 9112).
#include "http/request_framing.h"

#include <doctest/doctest.h>

#include <string>

using namespace hotpod;

namespace {

constexpr size_t kLimit = 64 * 1024;

int statusOf(const std::string& headers) {
  const auto refusal =
      checkFraming("POST /v1/rebuild HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n", kLimit);
  return refusal ? refusal->status : 0;
}

}  // namespace

TEST_CASE("request framing: well-framed requests pass") {
  CHECK(statusOf("") == 0);
  CHECK(statusOf("Content-Length: 0\r\n") == 0);
  CHECK(statusOf("content-length: 65536\r\n") == 0);
  CHECK(statusOf("Content-Length: 12\r\nContent-Length: 12\r\n") == 0);
  CHECK(statusOf("Transfer-Encoding: chunked\r\n") == 0);
  CHECK(statusOf("Transfer-Encoding:  Chunked \r\n") == 0);
  CHECK(statusOf("X-Long: " + std::string(kMaxHeaderLineBytes - 8, 'a') + "\r\n") == 0);
}

TEST_CASE("request framing: ambiguous or malformed bodies are refused") {
  CHECK(statusOf("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") == 400);
  CHECK(statusOf("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") == 400);
  CHECK(statusOf("Content-Length: -1\r\n") == 400);
  CHECK(statusOf("Content-Length: +5\r\n") == 400);
  CHECK(statusOf("Content-Length: 1,2\r\n") == 400);
  CHECK(statusOf("Content-Length: 5\r\nContent-Length: 6\r\n") == 400);
  CHECK(statusOf("Content-Length:\r\n") == 400);
  CHECK(statusOf("Content-Length: 65537\r\n") == 413);
  CHECK(statusOf("Content-Length: 99999999999999999999999\r\n") == 413);
  CHECK(statusOf("Transfer-Encoding: gzip, chunked\r\n") == 501);
  CHECK(statusOf("Content-Length : 5\r\n") == 400);
  CHECK(statusOf("X-A: 1\r\n folded\r\n") == 400);
}

TEST_CASE("request framing: lines over the library's 8 KiB say so") {
  const auto header = checkFraming(
      "GET / HTTP/1.1\r\nX-Long: " + std::string(kMaxHeaderLineBytes, 'a') + "\r\n\r\n", kLimit);
  REQUIRE(header);
  CHECK(header->status == 431);
  CHECK(header->message.find("8 KiB") != std::string::npos);
  const auto target =
      checkFraming("GET /" + std::string(kMaxHeaderLineBytes, 'a') + " HTTP/1.1\r\n\r\n", kLimit);
  REQUIRE(target);
  CHECK(target->status == 414);
}

TEST_CASE("request framing: the refusal is a whole response that closes the connection") {
  const std::string response = refusalResponse({400, "no"});
  CHECK(response.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(response.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(response.find("\r\nContent-Length: 3\r\n") != std::string::npos);
  CHECK(response.ends_with("\r\n\r\nno\n"));
}
