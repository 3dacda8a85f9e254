#pragma once
// What the command line (and HOTPOD_* variables, which CLI11 folds into the same options) said,
// before it is merged over the config file. Kept free of CLI11 so only main.cpp compiles it.
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"

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
  std::vector<std::string> app;             // after `--`
  std::optional<std::string> proxy_listen;  // run (and check): proxy.listen
  // hotpod agent only: how to find and signal the app in the other container.
  std::optional<std::string> target_mode;
  std::optional<std::string> target_exe;
  std::optional<std::string> target_cmdline;
  std::optional<std::string> target_pidfile;
  std::optional<std::string> target_signal;
  bool allow_production = false;  // run and agent: start even where production is signalled
};

// Defaults, then the config file (-c, or ./hotpod.yaml when present), then the command line.
// Without a file, a build or an app, it guesses the project unless `guess_project` is false
// (hotpod agent: the guess would build into a directory the app container cannot see).
// Throws ConfigError. `create_dirs` false (hotpod check, which has no side effects): the
// zero-config output directory is named but not created.
Config resolveConfig(const CommandLine& line, bool guess_project = true, bool create_dirs = true);

// No hotpod.yaml, no --build and no app given: guess the project like `hotpod init` does, with
// the build output outside the source tree (a private directory, made unless !create_dir).
void applyZeroConfig(Config& config, bool create_dir = true);

int runCommand(const CommandLine& line);
// `hotpod agent`: the sidecar; the same loop as run, restarting the app in the other container.
int agentCommand(const CommandLine& line);
int checkCommand(const CommandLine& line, bool list_files);
// `hotpod check --forbid-in PATH…`: 1 when hotpod is found in what is to be deployed.
int forbidInCommand(const std::vector<std::string>& paths);
struct InitOptions {
  std::string dir = ".";
  bool force = false;
  std::string from_air;  // file; empty with air_given: .air.toml in dir
  bool air_given = false;
  std::string from_compiledaemon;  // its command-line flags
  std::string from_nodemon;        // file; empty with nodemon_given: nodemon.json in dir
  bool nodemon_given = false;
  std::string from_compose;  // file; empty with compose_given: compose.yaml … in dir
  bool compose_given = false;
};
int initCommand(const InitOptions& options);

// `hotpod audit`: the audit log as a table (or JSON lines), filtered.
struct AuditOptions {
  std::optional<std::string> config_file;  // where audit.path is set (default ./hotpod.yaml)
  std::optional<std::string> file;         // the audit log itself
  std::optional<std::string> since;        // a time or a duration ago
  std::optional<std::string> until;
  std::vector<std::string> paths;   // globs; a record matches when a changed file matches one
  std::vector<std::string> events;  // build, restart, signal, rollback
  bool json = false;
};
// 0, or 1 when the file is missing or holds a line that is not a record.
int auditCommand(const AuditOptions& options);
int versionCommand();

// `hotpod healthcheck [URL]`: 0 when URL (default: this host's hotpod /healthz) answers 2xx.
struct HealthcheckOptions {
  std::string url;
  std::string timeout = "2s";
};
int healthcheckCommand(const HealthcheckOptions& options);

// `hotpod exec [options] -- CMD [ARGS…]`; unset values keep ExecConfig's defaults.
struct ExecOptions {
  std::optional<std::string> restart_signal;
  std::optional<std::string> stop_signal;
  std::optional<std::string> stop_timeout;
  std::optional<std::string> state_file;
  std::optional<std::string> log_format;
  std::optional<std::string> log_level;
  std::optional<std::string> proxy_listen;
  std::optional<std::string> proxy_hold_timeout;
  std::optional<std::string> proxy_handover;
  std::optional<std::string> health_url;  // a path (/healthz) or a URL whose path is used
  std::optional<std::string> ready_timeout;
  bool exit_with_child = false;
  bool allow_production = false;
  std::vector<std::string> command;  // after `--`
};
// Returns the child's status (see ExecSupervisor::run); throws ConfigError for usage errors.
int execCommand(const ExecOptions& options);

}  // namespace hotpod
