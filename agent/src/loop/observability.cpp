#include "loop/observability.h"

#include "base/log.h"
#include "model/config_error.h"
#include "model/listen_address.h"

namespace hotpod {

namespace {

AuditTrail openAuditTrail(const Config& config, const std::filesystem::path& root,
                          std::vector<std::string> outputs) {
  try {
    return AuditTrail(config, root, std::move(outputs));
  } catch (const std::system_error& error) {
    throw ConfigError("", 0, 0, "audit.path", error.what());
  }
}

}  // namespace

Observability::Observability(const Config& config, LoopRole role, Reactor& reactor,
                             const std::filesystem::path& root, std::vector<std::string> outputs)
    : config_(config),
      role_(role),
      reactor_(reactor),
      metrics_(HOTPOD_VERSION),
      webhooks_(config.notify.webhooks,
                [this](const Webhook& hook, const std::string& event, bool delivered, int attempts,
                       const std::string& detail) {
                  metrics_.webhookDelivery(delivered);
                  const auto fields = {log::Field{"url", hook.url}, log::Field{"hook_event", event},
                                       log::Field{"attempts", int64_t{attempts}},
                                       log::Field{"detail", detail}};
                  if (delivered) {
                    log::debug("webhook_delivered", event + " delivered to " + hook.url, fields);
                  } else {
                    log::event(spdlog::level::warn, "webhook_failed",
                               event + " could not be delivered to " + hook.url + " after " +
                                   std::to_string(attempts) + " attempt(s): " + detail +
                                   "; is the receiver up?",
                               fields);
                  }
                }),
      audit_(openAuditTrail(config, root, std::move(outputs))),
      state_(config, role_, board_, events_, metrics_, webhooks_, audit_) {
  if (!config.audit.path.empty()) {
    log::info("audit", "audit log: " + config.audit.path.string(),
              {{"path", config.audit.path.string()}});
  }
}

Observability::~Observability() {
  stop();
}

std::string Observability::defaultListen(LoopRole role) {
  return (role == LoopRole::Agent ? "0.0.0.0:" : "127.0.0.1:") +
         std::to_string(HttpConfig::kDefaultPort);
}

void Observability::startHttp(ControlHandler rebuild, ControlHandler restart) {
  if (!config_.http.enabled) return;
  const bool chosen = !config_.http.listen.empty();
  const std::string text = chosen ? config_.http.listen : defaultListen(role_);
  const auto address = parseListenAddress(text);
  const ControlToken token = loadControlToken(config_.http);
  http_ = std::make_unique<HttpServer>(HttpContext{board_, events_, metrics_, reactor_, token,
                                                   std::move(rebuild), std::move(restart),
                                                   config_.http.allowed_hosts});
  try {
    http_->start(*address);
  } catch (const std::runtime_error& error) {
    http_.reset();
    if (chosen) throw;
    // Two projects on one laptop: the second one still works, only without its server.
    log::warn("http_off", std::string(error.what()) + "; continuing without the HTTP server");
    return;
  }
  ListenAddress bound = *address;
  bound.port = http_->port();
  const std::string where = formatListenAddress(bound);
  log::info("http_listening",
            "HTTP on http://" + where + "/ (status page, /healthz, /readyz, /metrics, " +
                "/v1/status, /v1/events); control endpoints " +
                (token.value.empty() ? "disabled (no token)"
                                     : "enabled (token from " + token.source + ")"),
            {{"address", where}, {"port", int64_t{bound.port}}, {"control", !token.value.empty()}});
}

void Observability::stop() {
  if (http_) http_->stop();
  http_.reset();
}

}  // namespace hotpod
