// cpp-app: the C++ example app that hotpod rebuilds and restarts in its demo and tests.
// Plain POSIX sockets, no third-party dependency. GET / answers the greeting below,
// GET /healthz answers "ok". Listens on $HOST:$PORT (default 127.0.0.1:8081).
// SIGTERM/SIGINT: stops accepting and exits 0 at once.
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

// edit me: change this line, save the file, and watch hotpod rebuild and restart the app.
constexpr std::string_view kGreeting = "Hello from hotpod!";

volatile sig_atomic_t g_stop = 0;
void on_stop_signal(int) {
  g_stop = 1;
}

// SIGTERM/SIGINT stay blocked except while waiting here in ppoll() (with this mask), so a stop
// request can never slip in between checking g_stop and going to sleep.
sigset_t g_wait_mask;

// Waits until fd is readable (true), or a stop signal, the timeout (nullptr: none) or an error.
bool wait_readable(int fd, const timespec* timeout) {
  while (!g_stop) {
    pollfd pfd{fd, POLLIN, 0};
    int rc = ppoll(&pfd, 1, timeout, &g_wait_mask);
    if (rc > 0) return true;
    if (rc == 0 || errno != EINTR) return false;
  }
  return false;
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // client went away; nothing to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void respond(int fd, int status, std::string_view reason, std::string_view body, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                    "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  if (!head) out += body;
  send_all(fd, out);
}

// Reads one request head (up to the blank line), answers it, and closes the connection.
void handle_client(int fd) {
  const timespec timeout{2, 0};  // a silent client cannot hold the single-threaded server
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16384) {
    if (!wait_readable(fd, &timeout)) return;  // stopping, or the client went silent
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    req.append(buf, static_cast<size_t>(n));
  }
  // Request line: METHOD SP TARGET SP VERSION
  std::string_view line(req);
  line = line.substr(0, line.find("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    respond(fd, 400, "Bad Request", "bad request\n", false);
    return;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  bool head = method == "HEAD";
  if (method != "GET" && !head) {
    respond(fd, 405, "Method Not Allowed", "method not allowed\n", false);
  } else if (path == "/") {
    respond(fd, 200, "OK", std::string(kGreeting) + "\n", head);
  } else if (path == "/healthz") {
    respond(fd, 200, "OK", "ok", head);
  } else {
    respond(fd, 404, "Not Found", "not found\n", head);
  }
}

int listen_on(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    std::fprintf(stderr, "cpp-app: %s:%s: %s\n", host.c_str(), port.c_str(), gai_strerror(rc));
    return -1;
  }
  int fd = -1, err = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0) break;
    err = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    std::fprintf(stderr, "cpp-app: listen on %s:%s: %s\n", host.c_str(), port.c_str(),
                 std::strerror(err));
  }
  return fd;
}

}  // namespace

int main() {
  // Stop signals set g_stop; they are delivered only inside wait_readable() (see g_wait_mask).
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_set, &g_wait_mask);
  sigdelset(&g_wait_mask, SIGTERM);
  sigdelset(&g_wait_mask, SIGINT);

  std::string host = env_or("HOST", "127.0.0.1"), port = env_or("PORT", "8081");
  int lfd = listen_on(host, port);
  if (lfd < 0) return 1;
  std::printf("listening on http://%s:%s\n", host.c_str(), port.c_str());
  std::fflush(stdout);

  while (wait_readable(lfd, nullptr)) {
    int cfd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (cfd < 0) continue;  // e.g. the client already gave up
    handle_client(cfd);
    close(cfd);
  }
  if (!g_stop) {
    std::perror("cpp-app: ppoll");
    return 1;
  }
  close(lfd);
  std::printf("shut down cleanly\n");
  return 0;
}
