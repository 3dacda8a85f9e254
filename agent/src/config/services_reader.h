#pragma once
// `services:` in hotpod.yaml: NAME → {paths, dir, and the keys of a single app}. Each service
// starts from the top-level settings (its defaults) and reads its own keys over them.
#include <functional>
#include <vector>

#include "config/yaml_reader.h"
#include "model/config.h"

namespace hotpod {

// Reads `section` (the value of `services:`). `read_keys` reads a service's app keys (watch,
// build, run, rules, app, proxy, target) from a field whose dotted key is "services.NAME" over a
// copy of `defaults`. Errors name the service in their key: services.api.build.cmd.
using ServiceKeysReader = std::function<void(const YamlField& service, Config& config)>;
std::vector<ServiceConfig> readServices(const YamlReader& reader, const YamlField& section,
                                        const Config& defaults, const ServiceKeysReader& read_keys);

// build.parallel: how many services build at once, 1 to 256 (top level only).
int readParallel(const YamlReader& reader, const YamlField& field);

// The top-level keys that hold for the whole hotpod and cannot differ per service.
bool isSharedOnlyKey(std::string_view key);

}  // namespace hotpod
