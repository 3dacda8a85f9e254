#pragma once
// `hotpod init --from-air | --from-compiledaemon | --from-nodemon`: another tool's settings
// turned into a commented hotpod.yaml. See docs/migrating.md for every option's mapping.
#include <filesystem>
#include <string>
#include <vector>

namespace hotpod {

struct ImportResult {
  std::string yaml;                  // a complete, commented hotpod.yaml
  std::vector<std::string> dropped;  // "key: reason" for every input setting hotpod cannot express
};

// Throws ConfigError (config/config_error.h) naming the file, line/column when known, and the key
// for unreadable input.
ImportResult importAir(const std::filesystem::path& air_toml);
// The same for the file's text (`file_name` is only for messages).
ImportResult importAirText(const std::string& content, const std::string& file_name);
ImportResult importCompileDaemon(
    const std::string& args);  // e.g. "-build='go build -o app' -command=./app -exclude-dir=.git
                               // -pattern=(.+\\.go|.+\\.c)$"
ImportResult importNodemon(
    const std::filesystem::path&
        nodemon_json);  // JSON: parse it with yaml-cpp (JSON is valid YAML 1.2 flow)

// The develop.watch sections of a compose file, as services and rules (docs/migrating.md).
ImportResult importCompose(const std::filesystem::path& compose_file);
ImportResult importComposeText(const std::string& content, const std::string& file_name);

}  // namespace hotpod
