// HttpCodec: where messages end (libhttp-parser), byte by byte or all at once, for what the
// proxy passes through: pipelined requests, chunked and EOF-delimited bodies, HEAD, interim
// responses and upgrades.
#include <doctest/doctest.h>

#include <string>

#include "proxy/http_codec.h"

using namespace hotpod;

namespace {
// Feeds one byte at a time (as a slow network would); returns the bytes of the first message.
size_t framedBytewise(HttpCodec& codec, std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    const auto step = codec.feed(data.substr(i, 1));
    REQUIRE_FALSE(step.failed);
    if (step.complete) return i + step.consumed;
  }
  return 0;
}
}  // namespace

TEST_CASE("pipelined requests are framed one at a time") {
  const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  HttpCodec codec(HttpCodec::Kind::Request);
  auto step = codec.feed(first + second);
  CHECK(step.complete);
  CHECK(step.consumed == first.size());
  CHECK(codec.method() == "GET");
  CHECK(codec.idempotent());
  CHECK(codec.accept() == "text/html");
  CHECK(codec.keepAlive());
  CHECK(codec.feed(second).consumed == 0);  // stopped until next()
  codec.next();
  step = codec.feed(second);
  CHECK(step.complete);
  CHECK(step.consumed == second.size());
  CHECK(codec.method() == "POST");
  CHECK_FALSE(codec.idempotent());
  CHECK(codec.accept().empty());
}

TEST_CASE("a chunked response ends at its last chunk, byte by byte too") {
  const std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  HttpCodec codec(HttpCodec::Kind::Response);
  CHECK(framedBytewise(codec, response + "extra") == response.size());
  CHECK(codec.status() == 200);
  CHECK(codec.keepAlive());
}

TEST_CASE("an event stream is known by its type, and only until the next response") {
  HttpCodec codec(HttpCodec::Kind::Response);
  codec.feed("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n");
  CHECK(codec.eventStream());
  codec.next();
  codec.feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
  CHECK_FALSE(codec.eventStream());
}

TEST_CASE("a body without length ends with the connection") {
  HttpCodec codec(HttpCodec::Kind::Response);
  auto step = codec.feed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstreamed data");
  CHECK_FALSE(step.complete);
  step = codec.finish();
  CHECK(step.complete);
  CHECK_FALSE(codec.keepAlive());
}

TEST_CASE("a response to HEAD has no body whatever its length says") {
  HttpCodec codec(HttpCodec::Kind::Response);
  codec.expectNoBody(true);
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  const auto step = codec.feed(head);
  CHECK(step.complete);
  CHECK(step.consumed == head.size());
}

TEST_CASE("100 Continue is not the end of the exchange, and is framed on its own") {
  HttpCodec codec(HttpCodec::Kind::Response);
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string final = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  const std::string both = interim + final;
  auto step = codec.feed(both);
  CHECK(step.interim);  // the proxy passes it on at once: the client may wait for it
  CHECK_FALSE(step.complete);
  CHECK(step.consumed == interim.size());
  step = codec.feed(std::string_view(both).substr(step.consumed));
  CHECK_FALSE(step.interim);
  CHECK(step.complete);
  CHECK(step.consumed == final.size());
  CHECK(codec.status() == 201);
}

TEST_CASE("an upgrade ends the HTTP part on both sides") {
  HttpCodec request(HttpCodec::Kind::Request);
  const std::string ask =
      "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
  auto step = request.feed(ask + "\x81\x05hello");
  CHECK(step.complete);
  CHECK(request.upgrade());
  CHECK(step.consumed == ask.size());

  HttpCodec response(HttpCodec::Kind::Response);
  const std::string yes =
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
  step = response.feed(yes + "\x81\x02hi");
  CHECK(step.complete);
  CHECK(response.upgrade());
  CHECK(step.consumed <= yes.size() + 4);
}

TEST_CASE("garbage is refused with the parser's reason") {
  HttpCodec codec(HttpCodec::Kind::Request);
  const auto step = codec.feed("\x16\x03\x01 not http\r\n\r\n");
  CHECK(step.failed);
  CHECK_FALSE(codec.error().empty());
}

TEST_CASE("a page with a Content-Security-Policy nonce is injectable, with that nonce") {
  HttpCodec codec(HttpCodec::Kind::Response);
  codec.allowInjection(true, 1024);
  codec.feed(
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n"
      "Content-Security-Policy: script-src 'nonce-xyz' 'strict-dynamic'\r\n\r\nhi");
  CHECK(codec.injectable());
  CHECK(codec.nonce() == "xyz");
  CHECK(codec.body() == "hi");
  codec.next();
  codec.allowInjection(true, 1024);
  codec.feed(
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n"
      "Content-Security-Policy: script-src 'none'\r\n\r\nhi");
  CHECK_FALSE(codec.injectable());
  CHECK(codec.blockedByPolicy());
  CHECK(codec.policyProblem() == "script-src has no nonce and no 'self'");
}

TEST_CASE("a page longer than the injection limit is not kept") {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
  HttpCodec codec(HttpCodec::Kind::Response);
  codec.allowInjection(true, 8);
  codec.feed(head + "Content-Length: 9\r\n\r\n");  // known from the head: not kept at all
  CHECK(codec.tooLarge());
  CHECK_FALSE(codec.injectable());
  CHECK(codec.feed("123456789").complete);
  CHECK(codec.body().empty());

  codec.next();
  codec.allowInjection(true, 8);
  codec.feed(head + "Transfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n");
  CHECK(codec.injectable());  // 5 bytes: kept so far
  CHECK(codec.body() == "12345");
  codec.feed("3\r\n678\r\n");  // exactly at the limit
  CHECK(codec.injectable());
  codec.feed("1\r\n9\r\n");  // over it: given up, and what was kept is dropped
  CHECK(codec.tooLarge());
  CHECK_FALSE(codec.injectable());
  CHECK(codec.body().empty());
  CHECK(codec.feed("0\r\n\r\n").complete);
}
