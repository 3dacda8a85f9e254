#pragma once
// How soon a version that does not accept connections yet (or whose health URL does not answer
// yet) is tried again, by the dev proxy (stop-first) and by the overlap readiness probe alike.
// Often during the first second, when most apps come up (a refused loopback connect costs
// microseconds, and each millisecond of waiting is added to save → new answer); less often
// after that, for slow starters.
#include <chrono>

namespace hotpod {

inline std::chrono::milliseconds probeRetryDelay(std::chrono::steady_clock::duration trying_for) {
  using namespace std::chrono_literals;
  return trying_for < 1s ? 2ms : 50ms;
}

}  // namespace hotpod
