// hotpod.yaml: any text either loads or fails with a ConfigError naming file, line and key.
// Anything else escaping (another exception, a crash, a sanitizer report) is a bug.
#include "model/config_error.h"
#include "config/loader.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    hotpod::parseConfigText(hotpod::fuzz::asText(data, size), "fuzz.yaml");
  } catch (const hotpod::ConfigError& error) {
    if (std::string_view(error.what()).find("fuzz.yaml") != 0) __builtin_trap();
  }
  return 0;
}
