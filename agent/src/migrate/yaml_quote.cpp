#include "migrate/yaml_quote.h"

#include <yaml-cpp/yaml.h>

namespace hotpod {

std::string yamlDoubleQuoted(const std::string& text) {
  YAML::Emitter out;
  out << YAML::DoubleQuoted << text;
  return out.c_str();
}

std::string yamlDoubleQuotedList(const std::vector<std::string>& items) {
  std::string text = "[";
  for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + yamlDoubleQuoted(items[i]);
  return text + "]";
}

}  // namespace hotpod
