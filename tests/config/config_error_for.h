#pragma once
// The full one-line message parseConfigText gives for a YAML text, for error-message tests.
#include <string>
#include <string_view>

#include "config/loader.h"
#include "model/config_error.h"

namespace hotpod::testing {

inline std::string errorFor(std::string_view yaml) {
  try {
    parseConfigText(yaml, "hotpod.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace hotpod::testing
