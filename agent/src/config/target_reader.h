#pragma once
// The target section: which process hotpod agent signals in the shared PID namespace, and how.
#include "config/yaml_reader.h"

namespace hotpod {

void readTarget(const YamlReader& reader, const YamlField& section, TargetConfig& target);

// The checks that need the whole config, because a flag may complete what the file says
// (e.g. --target-exe after `mode: signal` in hotpod.yaml). Throws ConfigError naming the key.
void checkAgentTarget(const Config& config);

}  // namespace hotpod
