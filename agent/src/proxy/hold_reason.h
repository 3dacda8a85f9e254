#pragma once
// Why no version of the app can answer right now: what a held request is told when its wait
// (proxy.hold_timeout) is over, as HTML for browsers and as JSON for everyone else.
#include <string>
#include <string_view>

namespace hotpod {

struct HoldReason {
  enum class Kind { Starting, Building, BuildFailed, Restarting, Crashed, Stopping };
  Kind kind = Kind::Starting;
  std::string message;  // one line: "build #3 failed (exit code 1)"
  std::string output;   // the build's output tail, or empty
  // Something is on its way (a build, a start, a restart after back-off): requests wait for it.
  // False (a failed build and no app running): they are answered at once.
  bool waiting = true;
};

// "starting", "building", "build_failed", "restarting", "crashed", "stopping".
std::string_view toString(HoldReason::Kind kind);

// A complete HTTP/1.1 503 response (Connection: close) telling `why`: HTML when `accept` names
// text/html (a browser), JSON otherwise. `held_ms` is how long the request waited.
std::string holdAnswer(const HoldReason& why, std::string_view accept, long long held_ms);

// A complete 502 response: the app broke the exchange after it had begun, or sent garbage.
std::string badGatewayAnswer(std::string_view what);

}  // namespace hotpod
