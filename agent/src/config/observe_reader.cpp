#include "config/observe_reader.h"

#include <algorithm>

#include "config/audit_reader.h"
#include "config/list_readers.h"
#include "model/listen_address.h"

namespace hotpod {

const std::vector<std::string>& webhookEventNames() {
  static const std::vector<std::string> names = {"build_succeeded", "build_failed", "restart",
                                                 "rollback"};
  return names;
}

std::string readUrl(const YamlReader& reader, const YamlField& field, std::string_view example) {
  std::string url = reader.readString(field, example);
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    reader.fail(field, "'" + url + "' is not an http:// or https:// URL",
                "e.g. " + std::string(example));
  }
  if (url.size() == scheme_end + 3 || url[scheme_end + 3] == '/') {
    reader.fail(field, "'" + url + "' has no host", "e.g. " + std::string(example));
  }
  return url;
}

void readHttp(const YamlReader& reader, const YamlField& section, HttpConfig& http) {
  for (const auto& field : reader.sectionFields(section, "http")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "listen") {
      std::string text = reader.readString(field, "127.0.0.1:4687");
      if (text.empty() || text == "off" || text == "false") {
        http.enabled = false;
        http.listen.clear();
        continue;
      }
      std::string problem;
      auto address = parseListenAddress(text, &problem);
      if (!address) {
        reader.fail(field, "invalid address '" + text + "': " + problem,
                    "write HOST:PORT, e.g. 127.0.0.1:4687, :4687 for every interface, or off");
      }
      http.enabled = true;
      http.listen = formatListenAddress(*address);
    } else if (name == "token_file") {
      http.token_file = reader.readString(field, "/var/run/secrets/hotpod/token");
    } else if (name == "allowed_hosts") {
      http.allowed_hosts = readTexts(reader, field, "hotpod.dev.svc.cluster.local");
      for (const auto& host : http.allowed_hosts) {
        if (host.empty() || host.find_first_of("/ *") != std::string::npos) {
          reader.fail(field, "'" + host + "' is not a host name",
                      "list names as clients send them in Host, e.g. hotpod.dev.svc");
        }
      }
    } else if (name == "ready_while_building") {
      http.ready_while_building = reader.readBool(field);
    } else if (name == "ready_after_failed_build") {
      http.ready_after_failed_build = reader.readBool(field);
    }
  }
}

void readApp(const YamlReader& reader, const YamlField& section, AppConfig& app) {
  const YamlField* rollback_field = nullptr;
  const auto fields = reader.sectionFields(section, "app");  // outlives rollback_field
  for (const auto& field : fields) {
    const std::string& name = field.key_node.Scalar();
    if (name == "health_url") {
      app.health_url =
          field.value.IsNull() || (field.value.IsScalar() && field.value.Scalar() == "")
              ? std::string()
              : readUrl(reader, field, "http://127.0.0.1:8080/healthz");
    } else if (name == "ready_timeout" || name == "probe_interval") {
      const Duration value = reader.readDuration(field);
      if (value <= Duration{0}) reader.fail(field, "must be longer than 0", "e.g. 30s");
      (name == "ready_timeout" ? app.ready_timeout : app.probe_interval) = value;
    } else if (name == "rollback") {
      app.rollback = reader.readBool(field);
      rollback_field = &field;
    }
  }
  if (rollback_field && app.rollback && app.health_url.empty()) {
    reader.fail(*rollback_field,
                "rollback needs app.health_url to tell a good version from a bad one",
                "add app.health_url, e.g. http://127.0.0.1:8080/healthz");
  }
}

namespace {

Webhook readWebhook(const YamlReader& reader, const YamlField& item) {
  Webhook hook;
  if (item.value.IsScalar()) {
    hook.url = readUrl(reader, item, "http://127.0.0.1:9000/hooks/hotpod");
    return hook;
  }
  for (const auto& field : reader.sectionFields(item, "notify.webhooks")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "url") {
      hook.url = readUrl(reader, field, "http://127.0.0.1:9000/hooks/hotpod");
    } else if (name == "events") {
      for (const auto& event : reader.readStringList(field, "[build_failed, rollback]", false)) {
        const auto& known = webhookEventNames();
        if (std::find(known.begin(), known.end(), event.text) == known.end()) {
          reader.failAt(event.node, field.key, "unknown event '" + event.text + "'",
                        "use some of build_succeeded, build_failed, restart, rollback");
        }
        hook.events.push_back(event.text);
      }
    } else if (name == "timeout") {
      hook.timeout = reader.readDuration(field);
      if (hook.timeout <= Duration{0}) reader.fail(field, "must be longer than 0", "e.g. 5s");
    } else if (name == "retries") {
      const std::string text = reader.readString(field, "3");
      if (text.empty() || text.size() > 2 ||
          text.find_first_not_of("0123456789") != std::string::npos) {
        reader.fail(field, "expected a number of retries from 0 to 99, got '" + text + "'",
                    "e.g. retries: 3");
      }
      hook.retries = std::stoi(text);
    }
  }
  if (hook.url.empty()) {
    reader.fail(item, "a webhook needs a url", "e.g. - url: http://127.0.0.1:9000/hooks/hotpod");
  }
  return hook;
}

}  // namespace

void readNotify(const YamlReader& reader, const YamlField& section, NotifyConfig& notify) {
  for (const auto& field : reader.sectionFields(section, "notify")) {
    // Only "webhooks" passes sectionFields.
    if (field.value.IsNull()) {
      notify.webhooks.clear();
      continue;
    }
    if (!field.value.IsSequence()) {
      reader.fail(field, "expected a list of webhooks, got " + describeNodeType(field.value),
                  "e.g. webhooks: [http://127.0.0.1:9000/hooks/hotpod]");
    }
    notify.webhooks.clear();
    for (const auto& node : field.value) {
      notify.webhooks.push_back(readWebhook(reader, YamlField{field.key, node, node}));
    }
  }
}

}  // namespace hotpod

namespace hotpod {

std::string observeSectionsYaml() {
  const HttpConfig http;
  const AppConfig app;
  return "\nhttp:\n"
         "  # The status page, /healthz, /readyz, /metrics, /v1/status and /v1/events. Default: "
         "\"\"\n"
         "  # = 127.0.0.1:" +
         std::to_string(HttpConfig::kDefaultPort) +
         " for hotpod run, 0.0.0.0:" + std::to_string(HttpConfig::kDefaultPort) +
         " for hotpod agent; off: no server.\n"
         "  listen: \"\"\n"
         "  # A file holding the bearer token for POST /v1/rebuild and /v1/restart (HOTPOD_TOKEN\n"
         "  # wins). Without a token those endpoints are off. Default: \"\".\n"
         "  token_file: \"\"\n"
         "  # Host names served besides localhost, IP addresses and the listen host, e.g. a\n"
         "  # Service name (other names get 421: a DNS rebinding guard). Default: [].\n"
         "  allowed_hosts: []\n"
         "  # /readyz while a build runs, and after one failed, with the old app still serving\n"
         "  # (defaults true and false).\n"
         "  ready_while_building: " +
         (http.ready_while_building ? "true" : "false") +
         "\n"
         "  ready_after_failed_build: " +
         (http.ready_after_failed_build ? "true" : "false") +
         "\n"
         "\napp:\n"
         "  # The app's own health URL, probed after every start until it answers 2xx; empty\n"
         "  # (default): the app is ready once it runs.\n"
         "  health_url: \"\"\n"
         "  # How long a new version may take to answer (default 20s: with rollback, the old\n"
         "  # version is back within 30s), and how often a ready app is checked again (default "
         "2s).\n"
         "  ready_timeout: 20s\n"
         "  probe_interval: 2s\n"
         "  # Put build.artifacts of the last good version back when a new one never answers\n"
         "  # (needs health_url; default " +
         (app.rollback ? "true" : "false") +
         ").\n"
         "  rollback: false\n"
         "\nnotify:\n"
         "  # URLs that get a JSON POST on build_succeeded, build_failed, restart and rollback,\n"
         "  # e.g. [http://127.0.0.1:9000/hook] or [{url: ..., events: [build_failed]}]. Default: "
         "[].\n"
         "  webhooks: []\n" +
         auditSectionYaml();
}

}  // namespace hotpod
