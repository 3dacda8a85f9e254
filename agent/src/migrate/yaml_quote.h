#pragma once
// Strings for the services: configs that `hotpod init` writes: always double-quoted, escaped by
// yaml-cpp's emitter, so a path or command reads back exactly.
#include <string>
#include <vector>

namespace hotpod {

std::string yamlDoubleQuoted(const std::string& text);
// ["a", "b"]: a flow sequence of double-quoted strings.
std::string yamlDoubleQuotedList(const std::vector<std::string>& items);

}  // namespace hotpod
