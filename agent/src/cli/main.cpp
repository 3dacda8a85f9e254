// The command line. CLI11 is heavy to compile: it stays in this one translation unit.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "base/signals.h"
#include "base/text.h"
#include "cli/options.h"
#include "model/config_error.h"
#include "sync/tar_command.h"

namespace {

void addWatchOptions(CLI::App& command, hotpod::CommandLine& line, bool with_app = true) {
  command.add_option("-c,--config", line.config_file, "Config file (default: ./hotpod.yaml)")
      ->envname("HOTPOD_CONFIG");
  command.add_option("--root", line.root, "Directory to watch (default: .)")
      ->envname("HOTPOD_ROOT");
  command.add_option("--include-ext", line.include_ext, "Extensions that trigger, e.g. go,tmpl")
      ->envname("HOTPOD_INCLUDE_EXT");
  command.add_option("--exclude", line.exclude, "Gitignore-style pattern to ignore (repeatable)")
      ->envname("HOTPOD_EXCLUDE")
      ->delimiter(',');
  command.add_option("--build", line.build, "Build command, run through /bin/sh -c")
      ->envname("HOTPOD_BUILD");
  command.add_option("--backend", line.backend, "auto|inotify|poll|hybrid")
      ->envname("HOTPOD_BACKEND");
  command.add_option("--poll-interval", line.poll_interval, "Poll interval, e.g. 500ms")
      ->envname("HOTPOD_POLL_INTERVAL");
  command.add_option("--delay", line.delay, "Quiet period before a build, e.g. 100ms")
      ->envname("HOTPOD_DELAY");
  command.add_option("--listen", line.listen, "HTTP address HOST:PORT")->envname("HOTPOD_LISTEN");
  command.add_option("--log-format", line.log_format, "text|json")->envname("HOTPOD_LOG_FORMAT");
  command.add_option("--log-level", line.log_level, "trace|debug|info|warn|error|off")
      ->envname("HOTPOD_LOG_LEVEL");
  if (with_app) {
    command
        .add_option("--proxy-listen", line.proxy_listen,
                    "Dev proxy (proxy.listen): listen on HOST:PORT, the app gets a private "
                    "port in PORT")
        ->envname("HOTPOD_PROXY_LISTEN");
    command.add_option("app", line.app,
                       "The app to run, after --: hotpod run -- ./app --port 8080");
  }
}

void addTargetOptions(CLI::App& command, hotpod::CommandLine& line) {
  command
      .add_option("--target-mode", line.target_mode,
                  "exec: restart the app through hotpod exec (default); signal: send "
                  "--target-signal to an app that reloads itself")
      ->envname("HOTPOD_TARGET_MODE");
  auto* exe = command
                  .add_option("--target-exe", line.target_exe,
                              "Find the target by its program name (/proc/PID/exe or comm)")
                  ->envname("HOTPOD_TARGET_EXE");
  auto* cmdline = command
                      .add_option("--target-cmdline", line.target_cmdline,
                                  "Find the target by a regex on its command line")
                      ->envname("HOTPOD_TARGET_CMDLINE");
  auto* pidfile = command
                      .add_option("--target-pidfile", line.target_pidfile,
                                  "Find the target by the PID in this file")
                      ->envname("HOTPOD_TARGET_PIDFILE");
  exe->excludes(cmdline)->excludes(pidfile);
  cmdline->excludes(pidfile);
  command
      .add_option("--target-signal", line.target_signal,
                  "Signal to send (signal mode default SIGHUP; exec mode: what hotpod exec "
                  "restarts on)")
      ->envname("HOTPOD_TARGET_SIGNAL");
}

}  // namespace

int main(int argc, char** argv) {
  // `hotpod run 2>&1 | head`: a reader that leaves must not kill hotpod (and orphan the app); a
  // failed write is ignored instead. Children get the default back (proc/spawn.h).
  std::signal(SIGPIPE, SIG_IGN);
  // `hotpod exec`: a sidecar may find it by its command line and send the restart signal before
  // its signalfd exists; most such signals kill by default. Blocked from the first instruction,
  // they wait for it instead (the supervisor blocks and reads the same ones, and more).
  if (argc > 1 && std::string_view(argv[1]) == "exec") {
    sigset_t early;
    sigemptyset(&early);
    for (int signal : hotpod::passableSignals()) sigaddset(&early, signal);
    pthread_sigmask(SIG_BLOCK, &early, nullptr);
  }
  // hotpod is the image's tar too (a `tar` symlink, or `hotpod tar`): sync tools run it.
  const std::string_view program = argv[0] == nullptr ? "" : argv[0];
  if (program == "tar" || program.ends_with("/tar")) {
    return hotpod::tarMain(std::vector<std::string>(argv + 1, argv + argc));
  }
  if (argc > 1 && std::string_view(argv[1]) == "tar") {
    return hotpod::tarMain(std::vector<std::string>(argv + 2, argv + argc));
  }
  CLI::App app{"hotpod: watch, rebuild, restart, and tell the world it is ready"};
  app.require_subcommand(1);
  // One CommandLine per subcommand: CLI11 fills environment values into the options of every
  // subcommand, also the ones not chosen, and they must not overwrite the chosen one's flags.
  hotpod::CommandLine run_line, check_line, agent_line;

  auto* run = app.add_subcommand("run", "Watch, build and run the app as a child (like air)");
  addWatchOptions(*run, run_line);
  run->add_flag("--allow-production", run_line.allow_production,
                "Start even where the environment says production (docs/security.md)");
  run->footer("Precedence, lowest first: defaults, hotpod.yaml, HOTPOD_* variables, flags.");

  auto* agent = app.add_subcommand(
      "agent", "Sidecar: watch, build, then restart the app in the other container");
  addWatchOptions(*agent, agent_line, false);
  addTargetOptions(*agent, agent_line);
  agent->add_flag("--allow-production", agent_line.allow_production,
                  "Start even where the environment says production (docs/security.md)");
  agent->footer(
      "Finds `hotpod exec` (or target.match) in the shared PID namespace and signals it through "
      "a pidfd. HTTP on 0.0.0.0:4687 unless --listen says otherwise. docs/agent.md has the "
      "details.");

  bool list_files = false;
  auto* check = app.add_subcommand("check", "Validate the config and show what is watched");
  addWatchOptions(*check, check_line);  // the same options as run, so check shows what run would do
  check->add_flag("--list-files", list_files,
                  "Print every file that would trigger a reload, relative to the root");
  std::vector<std::string> forbid_in;
  check
      ->add_option("--forbid-in", forbid_in,
                   "Fail (exit 1) if hotpod is in these manifests, compose files or Dockerfiles "
                   "(files or directories; - reads stdin)")
      ->expected(1, -1);

  hotpod::InitOptions init_options;
  auto* init = app.add_subcommand("init", "Write a commented starter hotpod.yaml");
  init->add_option("--dir", init_options.dir, "Project directory (default: .)");
  init->add_flag("--force", init_options.force, "Overwrite an existing hotpod.yaml");
  auto* from_air =
      init->add_option("--from-air", init_options.from_air, "Convert air's config (.air.toml)")
          ->expected(0, 1);
  auto* from_daemon =
      init->add_option("--from-compiledaemon", init_options.from_compiledaemon,
                       "Convert CompileDaemon's flags, e.g. \"-build='go build' -command=./app\"");
  auto* from_nodemon = init->add_option("--from-nodemon", init_options.from_nodemon,
                                        "Convert nodemon's config (nodemon.json)")
                           ->expected(0, 1);
  auto* from_compose =
      init->add_option("--from-compose", init_options.from_compose,
                       "Convert the develop.watch sections of a compose file into services")
          ->expected(0, 1);
  from_air->excludes(from_daemon)->excludes(from_nodemon)->excludes(from_compose);
  from_daemon->excludes(from_nodemon)->excludes(from_compose);
  from_nodemon->excludes(from_compose);

  hotpod::ExecOptions exec_options;
  auto* exec = app.add_subcommand(
      "exec", "Container entrypoint: run CMD, restart it on a signal, keep the container up");
  exec->add_option("--restart-signal", exec_options.restart_signal,
                   "Signal that restarts CMD (default SIGUSR2; never a forwarded one)");
  exec->add_option("--stop-signal", exec_options.stop_signal,
                   "Signal that stops CMD's group (default SIGTERM)");
  exec->add_option("--stop-timeout", exec_options.stop_timeout,
                   "Wait this long before SIGKILL (default 5s)");
  exec->add_flag("--exit-with-child", exec_options.exit_with_child,
                 "When CMD ends on its own, exit with its status instead of restarting it");
  exec->add_flag("--allow-production", exec_options.allow_production,
                 "Accept restart signals even where the environment says production");
  exec->add_option("--state-file", exec_options.state_file,
                   "Keep a JSON file with the PIDs, restarts and last exit (atomic writes)");
  exec->add_option("--log-format", exec_options.log_format, "text|json")
      ->envname("HOTPOD_LOG_FORMAT");
  exec->add_option("--log-level", exec_options.log_level, "trace|debug|info|warn|error|off")
      ->envname("HOTPOD_LOG_LEVEL");
  exec->add_option("--proxy-listen", exec_options.proxy_listen,
                   "Dev proxy: listen on HOST:PORT, give CMD a private port in PORT")
      ->envname("HOTPOD_PROXY_LISTEN");
  exec->add_option("--proxy-hold-timeout", exec_options.proxy_hold_timeout,
                   "Dev proxy: how long requests wait for CMD (default 30s)");
  exec->add_option("--proxy-handover", exec_options.proxy_handover,
                   "Dev proxy: stop-first (default) or overlap (the new CMD starts on a second "
                   "port; requests switch once it is ready)")
      ->envname("HOTPOD_PROXY_HANDOVER");
  exec->add_option("--health-url", exec_options.health_url,
                   "overlap: the new CMD is ready once this path (/healthz) answers 2xx on its "
                   "port (default: once it accepts connections)");
  exec->add_option("--ready-timeout", exec_options.ready_timeout,
                   "overlap: a new CMD not ready within this is stopped (default 20s)");
  exec->add_option("command", exec_options.command,
                   "The command, after --: hotpod exec -- /src/bin/app --port 8080");
  exec->footer(
      "Forwards SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGQUIT to CMD's process group; SIGTERM and "
      "SIGINT stop CMD and exit with its status. docs/exec.md has the details.");

  hotpod::AuditOptions audit_options;
  auto* audit = app.add_subcommand("audit", "Show the audit log (audit.path) as a table");
  audit->add_option("-c,--config", audit_options.config_file, "Config with audit.path")
      ->envname("HOTPOD_CONFIG");
  audit->add_option("--file", audit_options.file, "The audit log itself (instead of the config)");
  audit->add_option("--since", audit_options.since,
                    "Records from this time on: 2026-12-03T22:10:00Z, 2026-12-03 or 2h (ago)");
  audit->add_option("--until", audit_options.until, "Records up to this time (same forms)");
  audit->add_option("--path", audit_options.paths,
                    "Records whose changed files match this glob, e.g. 'src/**/*.go' "
                    "(repeatable)");
  audit->add_option("--event", audit_options.events, "build, restart, signal or rollback")
      ->check(CLI::IsMember({"build", "restart", "signal", "rollback"}));
  audit->add_flag("--json", audit_options.json, "The matching records as JSON lines");

  auto* version = app.add_subcommand("version", "Print the version");
  hotpod::HealthcheckOptions health_options;
  auto* healthcheck = app.add_subcommand(
      "healthcheck", "Exit 0 when hotpod's /healthz (or URL) answers: a container HEALTHCHECK");
  healthcheck
      ->add_option("url", health_options.url,
                   "Default http://127.0.0.1:PORT/healthz, PORT from HOTPOD_LISTEN or 4687")
      ->envname("HOTPOD_HEALTHZ_URL");
  healthcheck->add_option("--timeout", health_options.timeout, "Give up after this long (2s)");
  // Handled before CLI11 (GNU tar's own syntax); listed here for --help.
  app.add_subcommand("tar", "Extract or create archives as sync tools run tar (docs/cli.md)");

  // CLI11 would only say "a subcommand is required"; name the word it did not know.
  const auto known = [&](const char* word) {
    for (const auto* command : app.get_subcommands({})) {
      if (command->check_name(word)) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::cerr << "hotpod: error: unknown command '" << argv[1]
              << "'; use run, agent, check, init, exec, audit, healthcheck, tar or version (hotpod "
                 "--help)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    if (*run) return hotpod::runCommand(run_line);
    if (*agent) return hotpod::agentCommand(agent_line);
    if (*check && !forbid_in.empty()) return hotpod::forbidInCommand(forbid_in);
    if (*check) return hotpod::checkCommand(check_line, list_files);
    if (*init) {
      init_options.air_given = init->count("--from-air") > 0;
      init_options.nodemon_given = init->count("--from-nodemon") > 0;
      init_options.compose_given = init->count("--from-compose") > 0;
      return hotpod::initCommand(init_options);
    }
    if (*exec) return hotpod::execCommand(exec_options);
    if (*version) return hotpod::versionCommand();
    if (*healthcheck) return hotpod::healthcheckCommand(health_options);
    if (*audit) return hotpod::auditCommand(audit_options);
  } catch (const hotpod::ConfigError& e) {
    // Errors quote paths and values from the user's files: print their control characters.
    std::cerr << "hotpod: error: " << hotpod::escapeControl(e.what()) << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "hotpod: error: " << hotpod::escapeControl(e.what()) << '\n';
    return 1;
  }
  return 2;
}
