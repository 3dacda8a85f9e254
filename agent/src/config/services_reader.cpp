#include "config/services_reader.h"

#include <algorithm>
#include <cctype>

#include "config/list_readers.h"
#include "model/listen_address.h"

namespace hotpod {
namespace {

bool validServiceName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// Relative to root and inside it: "services/api", "lib/**", "!lib/testdata/".
std::vector<std::string> readPaths(const YamlReader& reader, const YamlField& field) {
  std::vector<std::string> paths;
  for (const auto& item : reader.readStringList(field, "[services/api, lib/]", false)) {
    std::string_view text = item.text;
    const bool negated = text.starts_with('!');
    std::string_view body = negated ? text.substr(1) : text;
    while (body.starts_with("./")) body.remove_prefix(2);
    if (body.empty() || body == "." || body == "/") {
      if (negated) {
        reader.failAt(item.node, field.key, "'" + item.text + "' would exclude everything",
                      "name a directory or pattern below root, e.g. '!api/testdata/'");
      }
      paths.emplace_back("/*");  // the whole root
      continue;
    }
    if (body.starts_with("..") || std::string_view(text).find("/../") != std::string_view::npos) {
      reader.failAt(item.node, field.key, "'" + item.text + "' leaves root",
                    "write paths relative to root, e.g. services/api; widen root if needed");
    }
    paths.push_back((negated ? "!" : "") + std::string(body));
  }
  if (paths.empty()) {
    reader.fail(field, "a service needs at least one path",
                "e.g. paths: [services/api, lib/] (directories or gitignore-style patterns)");
  }
  return paths;
}

std::string readDir(const YamlReader& reader, const YamlField& field) {
  std::filesystem::path dir =
      std::filesystem::path(reader.readString(field, "services/api")).lexically_normal();
  if (dir.is_absolute() || (!dir.empty() && *dir.begin() == "..")) {
    reader.fail(field, "'" + dir.string() + "' is not a directory inside root",
                "write it relative to root, e.g. dir: services/api");
  }
  std::string text = dir.generic_string();
  while (text.ends_with('/')) text.pop_back();
  return text == "." ? std::string() : text;
}

// Where a service's proxy address comes from: its own proxy.listen, or (inherited from the
// top level) the service's name.
struct ServiceProxy {
  YAML::Node node;
  std::string key;
  bool inherited = true;
};

ServiceProxy serviceProxy(const YamlField& service) {
  const YAML::Node& settings = service.value;
  const YAML::Node own = settings["proxy"];
  if (own && own.IsMap() && own["listen"]) {
    return {own["listen"], service.key + ".proxy.listen", false};
  }
  return {service.key_node, service.key + ".proxy.listen", true};
}

// Two addresses that cannot both be bound: the same port on the same host, or on every
// interface and any host.
bool sameListenAddress(const std::string& a, const std::string& b) {
  const auto first = parseListenAddress(a);
  const auto second = parseListenAddress(b);
  if (!first || !second) return a == b;
  const auto any = [](const std::string& host) {
    return host == "0.0.0.0" || host == "::" || host.empty();
  };
  return first->port == second->port &&
         (first->host == second->host || any(first->host) || any(second->host));
}

// Each service with a proxy has an address of its own.
void checkServiceProxies(const YamlReader& reader, const std::vector<ServiceConfig>& services,
                         const std::vector<ServiceProxy>& proxies) {
  for (size_t i = 0; i < services.size(); ++i) {
    const ProxyConfig& proxy = services[i].config.proxy;
    if (!proxy.enabled) continue;
    const std::string& name = services[i].name;
    if (proxy.listen.empty()) {
      reader.failAt(proxies[i].node, proxies[i].key,
                    "service '" + name + "' has a proxy (from the top-level proxy:) but no address",
                    "give it one: " + name +
                        ": {proxy: {listen: 127.0.0.1:8081}}, or turn it "
                        "off for this service: proxy: {listen: off}");
    }
    for (size_t j = 0; j < i; ++j) {
      const ProxyConfig& other = services[j].config.proxy;
      if (!other.enabled || !sameListenAddress(proxy.listen, other.listen)) continue;
      const YAML::Mark mark = proxies[j].node.Mark();
      const std::string where = reader.fileName() + ":" + std::to_string(mark.line + 1) + ":" +
                                std::to_string(mark.column + 1);
      reader.failAt(proxies[i].node, proxies[i].key,
                    "services '" + services[j].name + "' and '" + name + "' would both listen on " +
                        proxy.listen + " (" +
                        (proxies[i].inherited ? "inherited from the top-level proxy:; " : "") +
                        "'" + services[j].name + "' at " + where + ")",
                    "give each service its own address: " + name +
                        ": {proxy: {listen: 127.0.0.1:PORT}}, or proxy: {listen: off}");
    }
  }
}

}  // namespace

// build.parallel: a number of builds at once, at least 1 (unset: the number of cores).
int readParallel(const YamlReader& reader, const YamlField& field) {
  if (field.key.starts_with("services.")) {
    reader.fail(field, "build.parallel is shared by all services",
                "set it at the top level: build: {parallel: 2}");
  }
  const std::string text = reader.readString(field, "2");
  if (text == "auto") return 0;
  int value = 0;
  try {
    size_t used = 0;
    value = std::stoi(text, &used);
    if (used != text.size()) value = 0;
  } catch (const std::exception&) {
    value = 0;
  }
  if (value < 1 || value > 256) {
    reader.fail(
        field, "invalid number of parallel builds '" + text + "'",
        "write a whole number from 1 to 256, e.g. parallel: 2, or auto (the number of cores)");
  }
  return value;
}

bool isSharedOnlyKey(std::string_view key) {
  return key == "root" || key == "log" || key == "http" || key == "notify" || key == "audit" ||
         key == "services";
}

std::vector<ServiceConfig> readServices(const YamlReader& reader, const YamlField& section,
                                        const Config& defaults,
                                        const ServiceKeysReader& read_keys) {
  std::vector<ServiceConfig> services;
  std::vector<ServiceProxy> proxies;
  if (section.value.IsNull()) return services;
  for (const auto& field : reader.mapFields(section, "{api: {paths: [api, lib]}}")) {
    const std::string& name = field.key_node.Scalar();
    if (!validServiceName(name)) {
      reader.failAt(field.key_node, field.key, "invalid service name '" + name + "'",
                    "use letters, digits, '-', '_' and '.' (it becomes a metric label)");
    }
    if (!field.value.IsMap()) {
      reader.fail(field, "expected the service's settings, got " + describeNodeType(field.value),
                  "e.g. " + name + ": {paths: [" + name + "/], build: {cmd: make}}");
    }
    ServiceConfig service;
    service.name = name;
    service.line = field.key_node.Mark().line + 1;
    service.config = defaults;
    service.config.services.clear();
    bool has_paths = false;
    for (auto it = field.value.begin(); it != field.value.end(); ++it) {
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar()) continue;  // sectionFields below says what is wrong
      const std::string& key = key_node.Scalar();
      YamlField sub{field.key + "." + key, key_node, it->second};
      if (key == "paths") {
        service.paths = readPaths(reader, sub);
        has_paths = true;
      } else if (key == "dir") {
        service.dir = readDir(reader, sub);
      } else if (isSharedOnlyKey(key)) {
        reader.failAt(key_node, sub.key, "'" + key + "' is shared by all services",
                      "set it at the top level of hotpod.yaml, outside 'services:'");
      }
    }
    if (!has_paths) {
      reader.failAt(field.key_node, field.key + ".paths", "service '" + name + "' has no paths",
                    "add paths: [" + name + "/] (the directories whose changes concern it)");
    }
    read_keys(field, service.config);
    services.push_back(std::move(service));
    proxies.push_back(serviceProxy(field));
  }
  checkServiceProxies(reader, services, proxies);
  return services;
}

}  // namespace hotpod
