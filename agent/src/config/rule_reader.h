#pragma once
// The `rules:` list of hotpod.yaml: an ordered list of {match/ext, one action, delay}.
#include <vector>

#include "config/yaml_reader.h"
#include "model/config.h"

namespace hotpod {

std::vector<Rule> readRules(const YamlReader& reader, const YamlField& field);

}  // namespace hotpod
