#include "model/listen_address.h"

namespace hotpod {
namespace {

std::optional<ListenAddress> failWith(std::string* problem, std::string text) {
  if (problem) *problem = std::move(text);
  return std::nullopt;
}

constexpr std::string_view kNameChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";

bool hasSpace(std::string_view text) {
  return text.find_first_of(" \t\r\n") != std::string_view::npos;
}

}  // namespace

std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string* problem) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return failWith(problem, "missing ':PORT'");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);

  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 3)
      return failWith(problem, "write an IPv6 host as [ADDRESS], e.g. [::1]:8080");
    host = host.substr(1, host.size() - 2);
    // Hex digits and colons, an embedded IPv4 part, a %zone (found by fuzzing: "[[x]:80").
    if (host.find(':') == std::string_view::npos ||
        host.find_first_not_of("0123456789abcdefABCDEF:.%" + std::string(kNameChars)) !=
            std::string_view::npos) {
      return failWith(problem, "'" + std::string(host) + "' is not an IPv6 address");
    }
  } else if (host.find(':') != std::string_view::npos) {
    return failWith(problem, "an IPv6 host must be written in brackets");
  } else if (hasSpace(host)) {
    return failWith(problem, "the host contains spaces");
  } else if (host.find_first_not_of(kNameChars) != std::string_view::npos) {
    return failWith(problem, "a host name has only letters, digits, '.', '-' and '_'");
  }

  if (port_text.empty() || port_text.size() > 5) {
    return failWith(problem, "the port must be a number from 0 (any free port) to 65535");
  }
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9')
      return failWith(problem, "the port must be a number from 0 (any free port) to 65535");
    port = port * 10 + (c - '0');
  }
  if (port > 65535) {
    return failWith(problem, "the port must be a number from 0 (any free port) to 65535");
  }
  return ListenAddress{host.empty() ? "0.0.0.0" : std::string(host), port};
}

std::string formatListenAddress(const ListenAddress& address) {
  bool ipv6 = address.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + address.host + "]" : address.host;
  return host + ":" + std::to_string(address.port);
}

}  // namespace hotpod
