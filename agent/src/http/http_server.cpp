#include "http/http_server.h"

#include <httplib.h>

#include <poll.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/log.h"
#include "base/reactor.h"
#include "http/connection_scheduler.h"
#include "http/control_targets.h"
#include "http/host_check.h"
#include "http/request_framing.h"
#include "http/scheduled_stream.h"
#include "http/status_page.h"
#include "observe/status_json.h"

namespace hotpod {
namespace {

// The connection a worker thread is serving right now (see ScheduledServer::serveOne): an event
// stream watches it to notice a client that left while no event was due.
thread_local int t_serving_fd = -1;

// How often a waiting event stream looks whether its client is still there.
constexpr std::chrono::milliseconds kPeerCheck{200};
// What EventSource is told when every stream slot is taken: come back after this long.
constexpr std::chrono::milliseconds kBusyRetry{2000};

// Whether the client closed its side (EventSource.close(), a reloaded or closed tab).
bool peerLeft(int fd) {
  if (fd < 0) return false;
  pollfd entry{fd, POLLRDHUP, 0};
  return ::poll(&entry, 1, 0) > 0 && (entry.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

std::string sseFrame(const LoopEvent& event) {
  return "id: " + std::to_string(event.id) + "\nevent: " + event.type + "\ndata: " + event.data +
         "\n\n";
}

}  // namespace

bool isLocalOrigin(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!origin.starts_with(scheme)) continue;
    std::string_view host = origin.substr(scheme.size());
    for (std::string_view local : {"localhost", "127.0.0.1", "[::1]"}) {
      if (host == local || (host.starts_with(local) && host[local.size()] == ':')) return true;
    }
  }
  return false;
}

// httplib's accept loop hands each connection to the scheduler instead of a thread pool: the
// scheduler decides when (a whole head has arrived) and on which worker httplib parses and answers
// it, one request at a time.
class ScheduledServer : public httplib::Server {
 public:
  static constexpr int kBacklog = 1024;  // httplib 0.11 listens with a backlog of 5
  static constexpr int kMaxRequestsPerConnection = 100;
  static constexpr size_t kMaxBodyBytes = 64 * 1024;

  ScheduledServer()
      : scheduler_(SchedulerLimits{},
                   [this](int fd, size_t head, int served) { return serveOne(fd, head, served); }) {
    new_task_queue = [] { return new InlineQueue; };
    set_payload_max_length(kMaxBodyBytes);
    // What the Keep-Alive header announces; the scheduler enforces it.
    set_keep_alive_max_count(kMaxRequestsPerConnection);
    set_keep_alive_timeout(
        std::chrono::duration_cast<std::chrono::seconds>(SchedulerLimits{}.idle_timeout).count());
  }

  void widenBacklog() { ::listen(svr_sock_, kBacklog); }
  void stopWorkers() { scheduler_.stop(); }
  size_t threadCount() const { return scheduler_.threadCount() + 1; }  // + the accept loop

 private:
  // Runs the accept loop's task at once: handing a socket to the scheduler does not block.
  struct InlineQueue : httplib::TaskQueue {
    void enqueue(std::function<void()> fn) override { fn(); }
    void shutdown() override {}
  };

  bool process_and_close_socket(socket_t sock) override {
    scheduler_.admit(sock);
    return true;
  }

  bool serveOne(int fd, size_t head_bytes, int served) {
    ScheduledStream stream(fd, head_bytes, ScheduledStream::kRequestTimeout);
    if (const auto refusal = checkFraming(stream.head(), kMaxBodyBytes)) {
      const std::string response = refusalResponse(*refusal);
      stream.write(response.data(), response.size());
      return false;  // what follows the head cannot be trusted to start a request
    }
    const bool last = served + 1 >= kMaxRequestsPerConnection;
    bool client_closes = false;
    t_serving_fd = fd;
    const bool ok = process_request(stream, last, client_closes, nullptr);
    t_serving_fd = -1;
    return ok && !client_closes && !last;
  }

  ConnectionScheduler scheduler_;
};

struct HttpServer::Impl {
  HttpContext context;
  ScheduledServer server;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  ListenAddress listen;  // set before the server thread starts; read-only afterwards

  explicit Impl(HttpContext c) : context(std::move(c)) { routes(); }

  void routes() {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      const std::string host = req.get_header_value("Host");
      if (hostAllowed(host, listen, context.allowed_hosts)) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.status = 421;  // Misdirected Request
      res.set_content("hotpod does not serve Host '" + host +
                          "' (a DNS rebinding guard); add it to http.allowed_hosts\n",
                      "text/plain");
      log::warn("http_host_refused",
                "refused a request for Host '" + host + "' from " + req.remote_addr +
                    "; if that name is yours, add it to http.allowed_hosts",
                {{"host", host}, {"remote", req.remote_addr}});
      return httplib::Server::HandlerResponse::Handled;
    });
    server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      // Stuck, not idle: a loop waiting for events is alive however long it has waited.
      const auto age = context.reactor.busyFor();
      if (age < kStuckBound) {
        res.set_content("ok\n", "text/plain");
      } else {
        res.status = 503;
        res.set_content(
            "the loop has not turned for " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(age).count()) +
                "s\n",
            "text/plain");
      }
    });
    server.Get("/readyz", [this](const httplib::Request& req, httplib::Response& res) {
      auto status = context.board.current();
      if (req.has_param("service")) {  // one service of a `services:` config
        const auto name = req.get_param_value("service");
        const auto found = status->services.find(name);
        if (found == status->services.end()) {
          res.status = 404;
          res.set_content("no service named '" + name + "' (see /v1/status)\n", "text/plain");
          return;
        }
        status = found->second;
      }
      res.status = status->readiness.ready ? 200 : 503;
      res.set_content(std::string(status->readiness.ready ? "ready: " : "not ready: ") +
                          status->readiness.reason + "\n",
                      "text/plain");
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(context.metrics.serialize(), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/v1/status", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(statusJson(*context.board.current(), unixNow()), "application/json");
    });
    server.Get("/v1/events",
               [this](const httplib::Request& req, httplib::Response& res) { events(req, res); });
    server.Post("/v1/rebuild", [this](const httplib::Request& req, httplib::Response& res) {
      control(req, res, "rebuild", context.rebuild);
    });
    server.Post("/v1/restart", [this](const httplib::Request& req, httplib::Response& res) {
      control(req, res, "restart", context.restart);
    });
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(std::string(statusPageHtml()), "text/html; charset=utf-8");
    });
    // A known path asked with another method: 405 with the methods it has (not 404). The
    // library reads a body before these run, so the connection stays in step.
    allowOnly({"/healthz", "/readyz", "/metrics", "/v1/status", "/v1/events", "/"}, "GET, HEAD");
    allowOnly({"/v1/rebuild", "/v1/restart"}, "POST");
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      res.set_content(res.status == 404 ? "no such endpoint: " + req.path +
                                              " (try /, /healthz, /readyz, /metrics, "
                                              "/v1/status, /v1/events)\n"
                      : res.status == 400 && req.method == "POST"
                          ? "bad request: a POST needs a Content-Length (with curl: -d '')\n"
                          : "error " + std::to_string(res.status) + "\n",
                      "text/plain");
    });
  }

  void allowOnly(std::initializer_list<const char*> paths, const std::string& allowed) {
    const auto refuse = [allowed](const httplib::Request& req, httplib::Response& res) {
      res.status = 405;
      res.set_header("Allow", allowed);
      res.set_content(req.method + " is not allowed on " + req.path + "; use " + allowed + "\n",
                      "text/plain");
    };
    for (const char* path : paths) {
      if (allowed != "POST") server.Post(path, refuse);
      if (allowed == "POST") server.Get(path, refuse);
      server.Put(path, refuse);
      server.Patch(path, refuse);
      server.Delete(path, refuse);
      server.Options(path, refuse);
    }
  }

  void events(const httplib::Request& req, httplib::Response& res) {
    if (!context.events.tryAddSubscriber()) {
      busy(req, res);
      return;
    }
    const std::string origin = req.get_header_value("Origin");
    if (isLocalOrigin(origin)) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    // A reconnecting EventSource says where it stopped; a new one starts with the current state.
    uint64_t last = context.events.lastId();
    bool greet = true;
    if (req.has_header("Last-Event-ID")) {
      try {
        last = std::min<uint64_t>(std::stoull(req.get_header_value("Last-Event-ID")), last);
        greet = false;
      } catch (const std::exception&) {
      }
    }
    auto position = std::make_shared<uint64_t>(last);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, position, greet, fd = t_serving_fd](size_t, httplib::DataSink& sink) mutable {
          if (greet) {
            greet = false;
            const auto status = context.board.current();
            std::string hello =
                "retry: 1000\nevent: hello\ndata: " + statusJson(*status, unixNow()) + "\n\n";
            return sink.write(hello.data(), hello.size());
          }
          // Waits in short steps, so that a client that left gives its slot back at once
          // instead of at the next keep-alive.
          std::vector<LoopEvent> batch;
          const auto keep_alive_due = std::chrono::steady_clock::now() + std::chrono::seconds(15);
          while (batch.empty() && !context.events.closed() &&
                 std::chrono::steady_clock::now() < keep_alive_due) {
            if (peerLeft(fd)) return false;  // ends the stream; the releaser frees the slot
            batch = context.events.waitAfter(*position, kPeerCheck);
          }
          if (context.events.closed()) {
            sink.done();
            return true;
          }
          std::string out;
          for (const auto& event : batch) {
            out += sseFrame(event);
            *position = event.id;
          }
          if (out.empty()) out = ": keep-alive\n\n";  // also finds clients that left
          return sink.write(out.data(), out.size());
        },
        [this](bool) { context.events.removeSubscriber(); });
  }

  // Every stream slot is taken. A browser's EventSource gives up for good on an error status, so
  // it gets a short stream that says when to reconnect (`retry:`); other clients get 503.
  void busy(const httplib::Request& req, httplib::Response& res) const {
    const std::string message = "too many event streams are open (the limit is " +
                                std::to_string(context.events.maxSubscribers()) +
                                "); close one, or retry";
    if (req.get_header_value("Accept").find("text/event-stream") != std::string::npos) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content("retry: " + std::to_string(kBusyRetry.count()) + "\n: " + message +
                          "\nevent: busy\ndata: {}\n\n",
                      "text/event-stream");
      return;
    }
    res.status = 503;
    res.set_header(
        "Retry-After",
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kBusyRetry).count()));
    res.set_content(message + "\n", "text/plain");
  }

  void control(const httplib::Request& req, httplib::Response& res, const std::string& what,
               const std::function<void(const ControlRequest&)>& action) {
    if (context.token.value.empty()) {
      res.status = 403;
      res.set_content("control endpoints are disabled: set HOTPOD_TOKEN or http.token_file\n",
                      "text/plain");
      return;
    }
    const std::string authorization = req.get_header_value("Authorization");  // owns the view
    const auto given = bearerToken(authorization);
    if (!given || !tokensEqual(context.token.value, *given)) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer realm=\"hotpod\"");
      res.set_content(given ? "wrong token\n" : "send Authorization: Bearer <token>\n",
                      "text/plain");
      log::warn("http_unauthorized",
                "refused POST /v1/" + what + " from " + req.remote_addr + " (" +
                    (given ? "wrong token" : "no token") + ")",
                {{"remote", req.remote_addr}});
      return;
    }
    std::vector<std::string> asked;
    for (size_t i = 0; i < req.get_param_value_count("service"); ++i) {
      asked.push_back(req.get_param_value("service", i));
    }
    const auto services = controlTargets(asked, *context.board.current());
    if (!services.error.empty()) {
      res.status = services.status;
      res.set_content(services.error + "\n", "text/plain");
      return;
    }
    std::string which;
    for (const auto& name : services.names) which += (which.empty() ? "" : ", ") + name;
    log::info("http_control",
              what + " requested over HTTP by " + req.remote_addr +
                  (which.empty() ? "" : " for " + which),
              {{"action", what}, {"remote", req.remote_addr}, {"services", which}});
    const bool v6 = req.remote_addr.find(':') != std::string::npos;
    ControlRequest request{what,
                           (v6 ? "[" + req.remote_addr + "]" : req.remote_addr) + ":" +
                               std::to_string(req.remote_port),
                           services.names};
    context.reactor.post([action, request] { action(request); });
    res.status = 202;
    res.set_content(acceptedJson(what, services.names), "application/json");
  }
};

HttpServer::HttpServer(HttpContext context) : impl_(std::make_unique<Impl>(std::move(context))) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start(const ListenAddress& address) {
  const std::string text = formatListenAddress(address);
  impl_->listen = address;
  if (address.port == 0) {
    port_ = impl_->server.bind_to_any_port(address.host);
  } else {
    port_ = impl_->server.bind_to_port(address.host, address.port) ? address.port : -1;
  }
  if (port_ <= 0) {
    throw std::runtime_error("cannot listen on " + text +
                             ": the port is taken or the host is not an address of this "
                             "machine; choose another with --listen or http.listen "
                             "(off disables the server)");
  }
  impl_->server.widenBacklog();
  impl_->thread = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "http-accept");
    impl_->server.listen_after_bind();
    impl_->listen_returned = true;
  });
}

void HttpServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->context.events.close();  // ends the event streams, which hold threads
  // httplib 0.11's stop() does nothing until listen_after_bind() has marked the server running,
  // so a stop right after start() (a SIGTERM at once) left it listening and the join hanging:
  // wait for it to run (or to have given up) first.
  while (!impl_->listen_returned) {
    if (impl_->server.is_running()) {
      impl_->server.stop();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->thread.join();
  impl_->server.stopWorkers();
}

}  // namespace hotpod
