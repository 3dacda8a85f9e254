#pragma once
// The proxy section: the public address hotpod listens on for the app, how long requests are
// held, how versions hand over, and whether HTML gets the live-reload snippet.
#include "config/yaml_reader.h"

namespace hotpod {

// `require_listen`: a proxy needs its address here. The top level of a `services:` config is
// only the defaults its services inherit: there the check waits for each service
// (checkServiceProxies).
void readProxy(const YamlReader& reader, const YamlField& section, ProxyConfig& proxy,
               bool require_listen = true);

}  // namespace hotpod
