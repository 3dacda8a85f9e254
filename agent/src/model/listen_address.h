#pragma once
// The HOST:PORT the HTTP server listens on (http.listen).
#include <optional>
#include <string>
#include <string_view>

namespace hotpod {

struct ListenAddress {
  std::string host;  // "127.0.0.1", "localhost", "::1" (IPv6 without brackets), "0.0.0.0"
  int port = 0;      // 0..65535; 0: any free port (the log says which)
};

// Accepts "HOST:PORT", "[IPv6]:PORT" and ":PORT". Like Go's net.Listen, an empty host means
// every interface; it becomes "0.0.0.0" because in a container the server must be reachable
// from outside the pod, which is the common reason to leave the host out. On failure returns
// nullopt and, when `problem` is given, says what is wrong.
std::optional<ListenAddress> parseListenAddress(std::string_view text,
                                                std::string* problem = nullptr);

// "HOST:PORT" again, IPv6 hosts in brackets.
std::string formatListenAddress(const ListenAddress& address);

}  // namespace hotpod
