#pragma once
// One direction of an HTTP/1 connection, framed by Node's http_parser (Debian's
// libhttp-parser 2.9): where each message ends, so that the proxy can hold, forward and retry
// whole requests while it passes every byte through unchanged (keep-alive, chunked bodies,
// server-sent events, upgrades). The bytes themselves are never copied or rewritten here.
#include <http_parser.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hotpod {

class HttpCodec {
 public:
  enum class Kind { Request, Response };
  explicit HttpCodec(Kind kind);
  HttpCodec(const HttpCodec&) = delete;
  HttpCodec& operator=(const HttpCodec&) = delete;

  struct Step {
    size_t consumed = 0;    // bytes of `data` that belong to the current message
    bool complete = false;  // the message ended within them
    bool failed = false;    // not HTTP: error() says why
    bool interim = false;   // a 1xx (100 Continue …) ended there: pass it on now, feed the rest
  };
  // Frames as much of `data` as belongs to the current message. After a complete message the
  // codec stops there; call next() to frame the following one.
  Step feed(std::string_view data);
  // The peer closed: a body delimited by the connection's end is complete now.
  Step finish();
  void next();  // ready for the next message on the same connection

  bool headersDone() const { return headers_done_; }
  bool upgrade() const { return parser_.upgrade != 0; }
  bool keepAlive() const { return keep_alive_; }
  // Responses: text/event-stream, an answer that never ends by itself.
  bool eventStream() const { return event_stream_; }
  int status() const { return static_cast<int>(parser_.status_code); }
  std::string_view method() const;
  bool idempotent() const;
  // Request header values (lower-case names): the proxy needs Accept.
  const std::string& accept() const { return accept_; }
  // A response to HEAD has no body whatever its headers say.
  void expectNoBody(bool no_body) { no_body_ = no_body; }
  const std::string& url() const { return url_; }  // requests: the target as sent

  // Responses: may the live-reload snippet go into this one? Asked for with allowInjection
  // before the response arrives; true for a 200 text/html body that is not encoded (gzip …) and
  // whose Content-Security-Policy, if any, lets the snippet run (proxy/csp.h; nonce() is then
  // the one its tag needs). Its headers and decoded body are then kept, up to `limit` bytes of
  // body: a longer one (by its Content-Length, or as it arrives) is not injectable any more and
  // tooLarge() says so; the caller passes the raw bytes it kept on unchanged.
  void allowInjection(bool allow, size_t limit) {
    allow_injection_ = allow;
    inject_limit_ = limit;
  }
  bool injectable() const { return injectable_; }
  bool blockedByPolicy() const { return !policy_problem_.empty(); }
  const std::string& policyProblem() const { return policy_problem_; }  // the blocking directive
  const std::string& nonce() const { return nonce_; }
  // The response's Content-Security-Policy header values (when injectable).
  const std::vector<std::string>& policies() const { return policies_; }
  bool tooLarge() const { return too_large_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  const std::string& body() const { return body_; }
  std::string error() const;

 private:
  static int onHeaderField(http_parser* parser, const char* at, size_t length);
  static int onHeaderValue(http_parser* parser, const char* at, size_t length);
  static int onHeadersComplete(http_parser* parser);
  static int onMessageComplete(http_parser* parser);
  static int onUrl(http_parser* parser, const char* at, size_t length);
  static int onBody(http_parser* parser, const char* at, size_t length);
  Step run(const char* data, size_t length);

  Kind kind_;
  http_parser parser_{};
  http_parser_settings settings_{};
  bool headers_done_ = false;
  bool complete_ = false;
  bool keep_alive_ = true;
  bool no_body_ = false;
  bool event_stream_ = false;
  bool interim_ = false;
  bool in_accept_ = false;
  bool last_was_value_ = false;
  std::string field_;
  std::string accept_;
  std::string url_;
  bool allow_injection_ = false;
  bool injectable_ = false;
  bool too_large_ = false;
  size_t inject_limit_ = 0;
  std::string policy_problem_;
  std::string nonce_;
  std::vector<std::string> policies_;
  std::vector<std::pair<std::string, std::string>> headers_;  // responses only
  std::string body_;                                          // when injectable
};

}  // namespace hotpod
