#pragma once
// The bearer token that enables POST /v1/rebuild and /v1/restart. Without one the control
// endpoints stay disabled; there is no default token.
#include <optional>
#include <string>
#include <string_view>

#include "model/config.h"

namespace hotpod {

struct ControlToken {
  std::string value;   // empty: control disabled
  std::string source;  // "HOTPOD_TOKEN" or the file's path, for messages (never the value)
};

// HOTPOD_TOKEN wins over http.token_file. A token file that others can read gets a warning; one
// that cannot be read, or is empty, is an error (std::runtime_error saying what to do).
ControlToken loadControlToken(const HttpConfig& config);

// The token of an "Authorization: Bearer TOKEN" header; nullopt for anything else.
std::optional<std::string_view> bearerToken(std::string_view authorization);

// Equal, in time that depends only on the lengths (no early exit on the first difference).
bool tokensEqual(std::string_view expected, std::string_view given);

}  // namespace hotpod
