// The HTTP surface: any bytes sent to the server (request line, paths, headers, bodies) get an
// answer or a closed connection, never a 500 from a handler, a crash or a leak. The server runs
// in this process on a loopback port with a token, so the control handlers are reached too.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "base/reactor.h"
#include "fuzz_input.h"
#include "http/http_server.h"
#include "observe/event_hub.h"
#include "observe/metrics.h"
#include "observe/status.h"

namespace {

struct Server {
  hotpod::Reactor reactor;  // never run: posted control requests just wait in its queue
  hotpod::StatusBoard board;
  hotpod::EventHub events;
  hotpod::Metrics metrics{"fuzz"};
  std::unique_ptr<hotpod::HttpServer> http;
  Server() {
    http = std::make_unique<hotpod::HttpServer>(
        hotpod::HttpContext{board,
                            events,
                            metrics,
                            reactor,
                            {"fuzz-token", "fuzz"},
                            [](const hotpod::ControlRequest&) {},
                            [](const hotpod::ControlRequest&) {},
                            {}});
    http->start({"127.0.0.1", 0});
  }
};

Server& server() {
  static Server instance;
  return instance;
}

std::string exchange(int port, std::string_view request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    char buffer[4096];
    pollfd readable{fd, POLLIN, 0};
    // An event stream never ends: the first bytes are enough.
    while (answer.size() < 65536 && ::poll(&readable, 1, 2000) > 0) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      answer.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Server& instance = server();
  const std::string answer = exchange(instance.http->port(), hotpod::fuzz::asText(data, size));
  if (answer.empty()) return 0;  // the server may close on garbage
  if (answer.rfind("HTTP/1.1 ", 0) != 0) __builtin_trap();
  if (answer.rfind("HTTP/1.1 500", 0) == 0) __builtin_trap();  // a handler threw
  return 0;
}
