// `hotpod init --from-air`: any .air.toml either converts or fails with a ConfigError; a
// conversion is itself a hotpod.yaml that loads.
#include "model/config_error.h"
#include "migrate/importers.h"
#include "config/loader.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml;
  try {
    yaml = hotpod::importAirText(std::string(hotpod::fuzz::asText(data, size)), ".air.toml").yaml;
  } catch (const hotpod::ConfigError&) {
    return 0;
  }
  try {
    hotpod::parseConfigText(yaml, "hotpod.yaml");
  } catch (const hotpod::ConfigError&) {
    // A converted command may still be rejected (e.g. an empty build.cmd list); fine, as long as
    // it is a clear ConfigError.
  }
  return 0;
}
