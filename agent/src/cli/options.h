#pragma once
// What the command line (and HOTPOD_* variables, which CLI11 folds into the same options) said,
// before it is merged over the config file. Kept free of CLI11 so only main.cpp compiles it.
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace hotpod {

struct CommandLine {
  std::optional<std::string> config_file;
  std::optional<std::string> root;
  std::optional<std::string> build;
  std::optional<std::string> backend;
  std::optional<std::string> poll_interval;
  std::optional<std::string> delay;
  std::optional<std::string> include_ext;
  std::vector<std::string> exclude;
  std::optional<std::string> listen;
  std::optional<std::string> log_format;
  std::optional<std::string> log_level;
  std::vector<std::string> app;  // after `--`
};

// Defaults, then the config file (-c, or ./hotpod.yaml when present), then the command line.
// Throws ConfigError.
Config resolveConfig(const CommandLine& line);

// No hotpod.yaml, no --build and no app given: guess the project like `hotpod init` does, with
// the build output outside the source tree.
void applyZeroConfig(Config& config);

int runCommand(const CommandLine& line);
int checkCommand(const CommandLine& line, bool list_files);
int initCommand(const std::string& dir, bool force);
int versionCommand();

}  // namespace hotpod
