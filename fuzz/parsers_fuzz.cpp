// The small parsers every flag, variable and header goes through: durations, signals, listen
// addresses, bearer tokens, CORS origins. Each must accept or refuse, and what it accepts must
// round-trip.
#include "model/listen_address.h"
#include "base/duration.h"
#include "base/signals.h"
#include "fuzz_input.h"
#include "http/control_token.h"
#include "http/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = hotpod::fuzz::asText(data, size);
  if (const auto duration = hotpod::parseDuration(text)) {
    // What formatDuration writes, parseDuration reads back as the same duration.
    if (hotpod::parseDuration(hotpod::formatDuration(*duration)) != duration) __builtin_trap();
  }
  if (const auto signal = hotpod::parseSignal(text)) {
    if (hotpod::parseSignal(hotpod::signalName(*signal)) != signal) __builtin_trap();
  }
  std::string problem;
  if (const auto address = hotpod::parseListenAddress(text, &problem)) {
    const auto again = hotpod::parseListenAddress(hotpod::formatListenAddress(*address));
    if (!again || again->host != address->host || again->port != address->port) __builtin_trap();
  } else if (problem.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  if (const auto token = hotpod::bearerToken(text)) {
    if (!hotpod::tokensEqual(*token, *token)) __builtin_trap();
  }
  (void)hotpod::isLocalOrigin(text);
  return 0;
}
