#pragma once
// hotpod.yaml -> Config. Everything wrong in the file is reported as a ConfigError with the
// file, line, column and dotted key, and a hint on what to write instead.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"

namespace hotpod {

// Reads and parses the file; a missing or unreadable file is a ConfigError too.
Config loadConfigFile(const std::filesystem::path& path);

// Parses YAML text. `file_name` appears in errors, becomes Config::source, and its directory
// anchors a relative `root` (also the default "."). Empty text or an empty document: defaults.
Config parseConfigText(std::string_view yaml, const std::string& file_name);

// Applies one setting given by a flag or a HOTPOD_* variable over `config`, with the same rules
// and messages as the key in hotpod.yaml; errors name `origin` (e.g. "--delay (or HOTPOD_DELAY)")
// instead of a file position. `key` is dotted ("watch.delay"); `as_list` passes a YAML list.
void applySetting(Config& config, std::string_view key, const std::vector<std::string>& values,
                  bool as_list, const std::string& origin);

}  // namespace hotpod
