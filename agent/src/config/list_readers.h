#pragma once
// List values read the same way wherever a key takes them (watch and rules).
#include <string>
#include <vector>

#include "config/yaml_reader.h"

namespace hotpod {

// The texts of a list of strings (or of one string).
std::vector<std::string> readTexts(const YamlReader& reader, const YamlField& field,
                                   std::string_view example);
// "*.go", ".go" and "go" all mean the extension "go"; a pattern is an error with a hint.
std::vector<std::string> readExtensions(const YamlReader& reader, const YamlField& field);

}  // namespace hotpod
