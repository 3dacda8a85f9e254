#include "loop/port_clash.h"

#include <cctype>
#include <string>

#include "base/log.h"
#include "base/text.h"

namespace hotpod {

bool mentionsPort(std::string_view line, int port) {
  const std::string digits = std::to_string(port);
  for (size_t at = line.find(digits); at != std::string_view::npos;
       at = line.find(digits, at + 1)) {
    const bool starts = at == 0 || !std::isdigit(static_cast<unsigned char>(line[at - 1]));
    const size_t end = at + digits.size();
    const bool ends = end == line.size() || !std::isdigit(static_cast<unsigned char>(line[end]));
    if (starts && ends) return true;
  }
  return false;
}

void PortClashHint::appLine(std::string_view line) {
  if (said_) return;
  const std::string lower = lowercase(line);
  if (lower.find("address already in use") == std::string::npos &&
      lower.find("eaddrinuse") == std::string::npos) {
    return;
  }
  const int port = port_();
  if (port <= 0) return;
  said_ = true;
  const std::string own = "hotpod's own HTTP server listens on port " + std::to_string(port);
  const std::string move =
      "give hotpod another port (http.listen in hotpod.yaml, --listen or HOTPOD_LISTEN, e.g. "
      "--listen 127.0.0.1:9090) or the app another one";
  if (mentionsPort(line, port)) {
    log::warn("port_clash",
              "the app cannot listen on port " + std::to_string(port) + ": " + own + ". " + move,
              {{"port", int64_t{port}}});
  } else {
    log::warn("port_clash",
              "the app says its address is already in use; " + own +
                  ": if the app wants that port, " + move,
              {{"port", int64_t{port}}});
  }
}

}  // namespace hotpod
