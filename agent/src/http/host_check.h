#pragma once
// Which Host headers hotpod answers. A page on another origin can make a browser send requests
// to hotpod under a DNS name it controls (DNS rebinding) and read the answers; refusing Host
// values that do not name hotpod stops that. IP literals are never rebinding (a browser sends
// the name it resolved), so probes (Host: POD_IP:PORT) and scrapes keep working.
#include <string>
#include <string_view>
#include <vector>

#include "model/listen_address.h"

namespace hotpod {

// True for: no Host (HTTP/1.0), localhost and loopback addresses, the listen host itself, any
// IP literal when listening on every interface (0.0.0.0 or ::), and the names in
// `allowed_hosts` (http.allowed_hosts). Case-insensitive; the port is not compared.
bool hostAllowed(std::string_view host_header, const ListenAddress& listen,
                 const std::vector<std::string>& allowed_hosts);

}  // namespace hotpod
