#pragma once
// The whole configuration of hotpod, after defaults, hotpod.yaml, HOTPOD_* variables and flags
// (in that order of precedence, lowest first) have been applied.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/log_format.h"

namespace hotpod {

enum class WatchBackend { Auto, Inotify, Poll, Hybrid };
enum class OnBusy { Restart, Queue };

// A command either runs through `/bin/sh -c` (written as one string) or is exec'd directly
// (written as a list, or given after `--` on the command line).
struct Command {
  std::vector<std::string> argv;  // empty: no command
  bool through_shell = false;     // argv is {"/bin/sh", "-c", text}

  static Command shell(std::string text) { return {{"/bin/sh", "-c", std::move(text)}, true}; }
  static Command direct(std::vector<std::string> argv) { return {std::move(argv), false}; }
  bool empty() const { return argv.empty(); }
  std::string display() const;  // how it is shown in logs
};

struct WatchConfig {
  WatchBackend backend = WatchBackend::Auto;
  Duration poll_interval{500};
  Duration verify_interval{5000};
  double poll_budget = 0.05;  // share of one core a poller may use; its interval stretches to fit
  std::vector<std::string> include_ext;  // without the leading dot: {"go", "tmpl"}
  std::vector<std::string> include;      // gitignore-style patterns relative to root
  std::vector<std::string> exclude;      // gitignore-style patterns relative to root
  std::vector<std::string> exclude_dir{"node_modules"};  // names, or paths relative to root
  bool gitignore = true;     // honour .gitignore files (and .git/info/exclude)
  Duration delay{100};       // trailing quiet period
  Duration max_delay{2000};  // cap on how long a stream of changes is held back
};

struct BuildConfig {
  std::string cmd;      // through /bin/sh -c in the root; empty: no build step
  Duration timeout{0};  // 0: no timeout
  OnBusy on_busy = OnBusy::Restart;
  std::map<std::string, std::string> env;
  // What the build produces (relative to root): kept as the last good version for app.rollback,
  // and never a trigger themselves.
  std::vector<std::string> artifacts;
  // `services:`: how many services may build at once (0: the number of cores). Read at the
  // top level only.
  int parallel = 0;
};

struct RunConfig {
  Command cmd;
  int stop_signal = SIGTERM;
  Duration stop_timeout{5000};
  bool restart_on_crash = true;
};

struct LogConfig {
  LogFormat format = LogFormat::Text;
  std::string level = "info";  // trace, debug, info, warn, error, off
};

// The HTTP server (health, readiness, metrics, status, events, control).
struct HttpConfig {
  static constexpr int kDefaultPort = 4687;  // "HOTP" on a phone keypad
  bool enabled = true;
  std::string listen;  // HOST:PORT; empty: the role's default (127.0.0.1 for run, 0.0.0.0 agent)
  std::string token_file;  // bearer token for POST /v1/rebuild|restart (HOTPOD_TOKEN wins)
  // Host names served besides localhost, IP literals and the listen host (DNS rebinding guard).
  std::vector<std::string> allowed_hosts;
  // /readyz policy: the old app keeps serving during a build and after a failed one.
  bool ready_while_building = true;
  bool ready_after_failed_build = false;
};

// The app's own health, checked after every (re)start.
struct AppConfig {
  std::string health_url;  // empty: the app is ready once it runs
  // How long a new version may take to answer 2xx. 20 s keeps a rollback (bad start → old
  // version answering, docs/benchmarks.md) under 30 s with the other defaults.
  Duration ready_timeout{20000};
  Duration probe_interval{2000};  // how often a ready app is checked again
  bool rollback = false;          // restore build.artifacts when a new version never gets ready
};

struct Webhook {
  std::string url;
  std::vector<std::string> events;  // empty: all (build_succeeded, build_failed, restart, rollback)
  Duration timeout{5000};
  int retries = 3;
};

struct NotifyConfig {
  std::vector<Webhook> webhooks;
};

// The audit log (docs/security.md): one JSON line per build, restart, signal and rollback,
// appended and fsync'd, rotated by size.
struct AuditConfig {
  std::filesystem::path path;              // empty: no audit log
  uint64_t max_size = uint64_t{10} << 20;  // bytes; rotated before a line would pass it
  int keep = 5;                            // rotated files kept: path.1 (newest) … path.keep
};

// What a change to matching files does, weakest first: one ChangeSet does the strongest action
// any of its files asks for (build > restart > signal > run > notify).
enum class RuleAction { Notify, Run, Signal, Restart, Build };

struct Rule {
  std::vector<std::string> match;  // gitignore-style patterns relative to root
  std::vector<std::string> ext;    // extensions without the dot
  RuleAction action = RuleAction::Build;
  int signal = 0;                 // for Signal
  std::string run;                // for Run: through /bin/sh -c, before the action
  std::optional<Duration> delay;  // quiet period for changes this rule matches
  int line = 0;                   // where it is written (1-based), for messages
};

// hotpod agent: which process in the shared PID namespace to signal after a build, and how.
enum class TargetMode {
  Exec,    // signal the hotpod exec supervisor, which restarts its child (the app)
  Signal,  // send target.signal straight to an app that reloads itself
};
enum class TargetMatch { Exec, Exe, Cmdline, Pidfile };

struct TargetConfig {
  TargetMode mode = TargetMode::Exec;
  TargetMatch match = TargetMatch::Exec;
  std::string match_value;  // the program name, the cmdline regex or the pidfile path
  // Exec mode: unset sends what hotpod exec says its restart signal is (SIGUSR2 by default);
  // signal mode: unset sends SIGHUP.
  std::optional<int> signal;
  Duration confirm_timeout{10000};  // how long the new app (or the reloaded one) may take
};

// The dev proxy (proxy:): hotpod owns the app's public address and forwards to the app's private
// port, holding requests while no version is ready.
enum class Handover {
  StopFirst,  // stop the old version, start the new one; requests are held between
  Overlap,    // start the new version on a fresh port; switch once it is ready
};

struct ProxyConfig {
  bool enabled = false;          // a proxy section with a listen address
  std::string listen;            // HOST:PORT users and other services connect to
  Duration hold_timeout{30000};  // how long a request waits for a ready version, then 503
  Handover handover = Handover::StopFirst;
  bool inject = true;  // the live-reload snippet in text/html responses
};

struct ServiceConfig;

struct Config {
  std::filesystem::path source;  // the file it was read from; empty when defaults only
  std::filesystem::path root = ".";
  WatchConfig watch;
  BuildConfig build;
  RunConfig run;
  LogConfig log;
  HttpConfig http;
  AppConfig app;
  NotifyConfig notify;
  AuditConfig audit;
  TargetConfig target;
  ProxyConfig proxy;
  std::vector<Rule> rules;  // empty: every relevant change builds and restarts
  std::string guessed;      // zero-config: what hotpod found ("a Go project (go.mod)")
  // `services:` (docs/configuration.md): empty for a single app. Each service's own Config is
  // the top-level one with the service's keys read over it.
  std::vector<ServiceConfig> services;
};

// One service of a `services:` config.
struct ServiceConfig {
  std::string name;
  // Gitignore-style patterns relative to root: a change concerns this service when it (or a
  // directory above it) matches one. A plain directory name ("api") matches everything below it.
  std::vector<std::string> paths;
  std::string dir;  // where build.cmd and run.cmd start, relative to root ("" = root)
  Config config;    // services is empty here
  int line = 0;     // where the service is written (1-based), for messages
};

}  // namespace hotpod
