#pragma once
// hotpod.yaml -> Config. Everything wrong in the file is reported as a ConfigError with the
// file, line, column and dotted key, and a hint on what to write instead.
#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.h"

namespace hotpod {

// Reads and parses the file; a missing or unreadable file is a ConfigError too.
Config loadConfigFile(const std::filesystem::path& path);

// Parses YAML text. `file_name` appears in errors, becomes Config::source, and its directory
// anchors a relative `root` (also the default "."). Empty text or an empty document: defaults.
Config parseConfigText(std::string_view yaml, const std::string& file_name);

}  // namespace hotpod
