#pragma once
// The proxy section: the public address hotpod listens on for the app, how long requests are
// held, how versions hand over, and whether HTML gets the live-reload snippet.
#include "config/yaml_reader.h"

namespace hotpod {

void readProxy(const YamlReader& reader, const YamlField& section, ProxyConfig& proxy);

}  // namespace hotpod
