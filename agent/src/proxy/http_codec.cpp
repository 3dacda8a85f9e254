#include "proxy/http_codec.h"

#include <algorithm>
#include <climits>

#include "base/text.h"
#include "proxy/csp.h"

namespace hotpod {
namespace {
HttpCodec& self(http_parser* parser) {
  return *static_cast<HttpCodec*>(parser->data);
}
}  // namespace

HttpCodec::HttpCodec(Kind kind) : kind_(kind) {
  http_parser_settings_init(&settings_);
  settings_.on_header_field = &HttpCodec::onHeaderField;
  settings_.on_header_value = &HttpCodec::onHeaderValue;
  settings_.on_headers_complete = &HttpCodec::onHeadersComplete;
  settings_.on_message_complete = &HttpCodec::onMessageComplete;
  settings_.on_url = &HttpCodec::onUrl;
  settings_.on_body = &HttpCodec::onBody;
  http_parser_init(&parser_, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE);
  parser_.data = this;
}

int HttpCodec::onUrl(http_parser* parser, const char* at, size_t length) {
  self(parser).url_.append(at, length);
  return 0;
}

int HttpCodec::onBody(http_parser* parser, const char* at, size_t length) {
  HttpCodec& codec = self(parser);
  if (!codec.injectable_) return 0;
  if (codec.body_.size() + length > codec.inject_limit_) {  // kept no further: passed through
    codec.injectable_ = false;
    codec.too_large_ = true;
    std::string().swap(codec.body_);
    return 0;
  }
  codec.body_.append(at, length);
  return 0;
}

int HttpCodec::onHeaderField(http_parser* parser, const char* at, size_t length) {
  HttpCodec& codec = self(parser);
  if (codec.last_was_value_) codec.field_.clear();
  if (codec.last_was_value_ || codec.headers_.empty()) {
    if (codec.kind_ == Kind::Response) codec.headers_.emplace_back();
  }
  codec.last_was_value_ = false;
  codec.field_.append(at, length);
  if (codec.kind_ == Kind::Response) codec.headers_.back().first.append(at, length);
  return 0;
}

int HttpCodec::onHeaderValue(http_parser* parser, const char* at, size_t length) {
  HttpCodec& codec = self(parser);
  if (!codec.last_was_value_) {
    codec.in_accept_ = equalsLowercase(codec.field_, "accept");
    if (codec.in_accept_ && !codec.accept_.empty()) codec.accept_ += ", ";
  }
  codec.last_was_value_ = true;
  if (codec.in_accept_) codec.accept_.append(at, length);
  if (codec.kind_ == Kind::Response) codec.headers_.back().second.append(at, length);
  return 0;
}

int HttpCodec::onHeadersComplete(http_parser* parser) {
  HttpCodec& codec = self(parser);
  codec.headers_done_ = true;
  codec.keep_alive_ = http_should_keep_alive(parser) != 0;
  for (const auto& [name, value] : codec.headers_) {  // responses only: requests keep none
    if (equalsLowercase(name, "content-type"))
      codec.event_stream_ = value.find("text/event-stream") != std::string::npos;
  }
  if (codec.kind_ == Kind::Response && codec.allow_injection_ && parser->status_code == 200 &&
      !parser->upgrade) {
    bool html = false, encoded = false;
    std::vector<std::string> policies;
    for (const auto& [name, value] : codec.headers_) {
      if (equalsLowercase(name, "content-type"))
        html = value.find("text/html") != std::string::npos;
      if (equalsLowercase(name, "content-encoding")) encoded = value != "identity";
      if (equalsLowercase(name, "content-security-policy")) policies.push_back(value);
    }
    if (html && !encoded) {
      auto permission = snippetPermission(policies);
      codec.policies_ = std::move(policies);  // the page's <meta> ones join them (live_reload)
      codec.nonce_ = std::move(permission.nonce);
      if (!permission.allowed) codec.policy_problem_ = std::move(permission.why);
      // http_parser's content_length: ULLONG_MAX when there is none (chunked, until close).
      const bool too_long =
          parser->content_length != ULLONG_MAX && parser->content_length > codec.inject_limit_;
      codec.too_large_ = permission.allowed && too_long;
      codec.injectable_ = permission.allowed && !too_long;
    }
  }
  // 1: this response has no body (http_parser's convention for HEAD).
  return codec.kind_ == Kind::Response && codec.no_body_ ? 1 : 0;
}

int HttpCodec::onMessageComplete(http_parser* parser) {
  HttpCodec& codec = self(parser);
  // An interim response (100 Continue) is followed by the real one on the same framing.
  if (codec.kind_ == Kind::Response && parser->status_code / 100 == 1 &&
      parser->status_code != 101) {
    codec.headers_done_ = false;
    codec.headers_.clear();
    codec.interim_ = true;
    http_parser_pause(parser, 1);  // the client may wait for it before it sends a body
    return 0;
  }
  codec.complete_ = true;
  codec.keep_alive_ = http_should_keep_alive(parser) != 0;
  http_parser_pause(parser, 1);  // stop right after this message
  return 0;
}

HttpCodec::Step HttpCodec::run(const char* data, size_t length) {
  Step step;
  if (complete_) return step;
  step.consumed = http_parser_execute(&parser_, &settings_, data, length);
  const auto error = HTTP_PARSER_ERRNO(&parser_);
  step.complete = complete_;
  // An upgrade ends the HTTP part: what follows is the tunnel's, whether or not it is complete.
  if (parser_.upgrade && headers_done_) step.complete = complete_ = true;
  step.failed = error != HPE_OK && error != HPE_PAUSED;
  if (std::exchange(interim_, false)) {
    step.interim = true;
    http_parser_pause(&parser_, 0);
  }
  return step;
}

HttpCodec::Step HttpCodec::feed(std::string_view data) {
  return run(data.data(), data.size());
}

HttpCodec::Step HttpCodec::finish() {
  return run(nullptr, 0);
}

void HttpCodec::next() {
  http_parser_init(&parser_, kind_ == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE);
  parser_.data = this;
  headers_done_ = complete_ = no_body_ = event_stream_ = in_accept_ = last_was_value_ = false;
  keep_alive_ = true;
  field_.clear();
  accept_.clear();
  url_.clear();
  allow_injection_ = injectable_ = too_large_ = false;
  policy_problem_.clear();
  nonce_.clear();
  policies_.clear();
  headers_.clear();
  std::string().swap(body_);  // a kept page's memory goes with it (keep-alive connections)
}

std::string_view HttpCodec::method() const {
  return http_method_str(static_cast<http_method>(parser_.method));
}

bool HttpCodec::idempotent() const {
  switch (static_cast<http_method>(parser_.method)) {
    case HTTP_GET:
    case HTTP_HEAD:
    case HTTP_OPTIONS:
    case HTTP_PUT:
    case HTTP_DELETE:
    case HTTP_TRACE:
      return true;
    default:
      return false;
  }
}

std::string HttpCodec::error() const {
  return http_errno_description(HTTP_PARSER_ERRNO(&parser_));
}

}  // namespace hotpod
