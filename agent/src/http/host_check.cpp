#include "http/host_check.h"

#include <arpa/inet.h>

#include "base/text.h"

namespace hotpod {
namespace {

// "Example.com:80" → "example.com", "[::1]:4687" → "::1", "name." → "name".
std::string hostName(std::string_view header) {
  std::string_view host = header;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.ends_with('.')) host.remove_suffix(1);
  return lowercase(host);
}

bool isIpLiteral(const std::string& host, bool* loopback) {
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    *loopback = (ntohl(v4.s_addr) >> 24) == 127;
    return true;
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    *loopback = IN6_IS_ADDR_LOOPBACK(&v6);
    return true;
  }
  return false;
}

}  // namespace

bool hostAllowed(std::string_view host_header, const ListenAddress& listen,
                 const std::vector<std::string>& allowed_hosts) {
  const std::string host = hostName(host_header);
  if (host.empty() || host == "localhost" || host.ends_with(".localhost")) return true;
  if (host == lowercase(listen.host)) return true;
  bool loopback = false;
  if (isIpLiteral(host, &loopback)) {
    const bool every_interface =
        listen.host.empty() || listen.host == "0.0.0.0" || listen.host == "::";
    if (loopback || every_interface) return true;
  }
  for (const auto& allowed : allowed_hosts) {
    if (host == hostName(allowed)) return true;
  }
  return false;
}

}  // namespace hotpod
