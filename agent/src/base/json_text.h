#pragma once
// JSON as hotpod writes it everywhere (logs, status, events, the exec state file): one line,
// and bytes that are not UTF-8 (a child may print anything) become U+FFFD, so every document
// stays valid JSON.
#include <nlohmann/json.hpp>
#include <string>

namespace hotpod {

template <class Json>
std::string jsonText(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}
// For a brace-initialized object: jsonText({{"event", "restart"}, {"pid", pid}}).
inline std::string jsonText(const nlohmann::json& value) {
  return jsonText<nlohmann::json>(value);
}

}  // namespace hotpod
