#include "config/proxy_reader.h"

#include "model/listen_address.h"

namespace hotpod {

void readProxy(const YamlReader& reader, const YamlField& section, ProxyConfig& proxy,
               bool require_listen) {
  const auto fields = reader.sectionFields(section, "proxy");
  if (section.value.IsMap() && !fields.empty()) proxy.enabled = true;
  bool has_listen = !proxy.listen.empty();
  for (const auto& field : fields) {
    const std::string& name = field.key_node.Scalar();
    if (name == "listen") {
      const std::string text = reader.readString(field, "0.0.0.0:8080");
      if (text == "off" || text == "false") {
        proxy.enabled = false;
        proxy.listen.clear();
        return;
      }
      std::string problem;
      auto address = parseListenAddress(text, &problem);
      if (!address || address->port == 0) {
        reader.fail(field,
                    "invalid address '" + text +
                        "': " + (address ? std::string("the port must be given") : problem),
                    "write HOST:PORT, the address users connect to, e.g. 0.0.0.0:8080 or :8080");
      }
      proxy.listen = formatListenAddress(*address);
      has_listen = true;
    } else if (name == "hold_timeout") {
      proxy.hold_timeout = reader.readDuration(field);
      if (proxy.hold_timeout <= Duration{0}) {
        reader.fail(field, "must be longer than 0",
                    "e.g. 30s: how long a request may wait for a ready version");
      }
    } else if (name == "handover") {
      proxy.handover = reader.readChoice(field, {"stop-first", "overlap"}) == "overlap"
                           ? Handover::Overlap
                           : Handover::StopFirst;
    } else if (name == "inject") {
      proxy.inject = reader.readBool(field);
    }
  }
  if (proxy.enabled && !has_listen && require_listen) {
    reader.failAt(section.key_node, section.key + ".listen",
                  "the proxy needs an address to listen on",
                  "add 'listen: 0.0.0.0:8080' (the port users connect to) under proxy:");
  }
}

}  // namespace hotpod
