#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "base/files.h"
#include "base/log.h"
#include "base/text.h"
#include "cli/options.h"
#include "config/target_reader.h"
#include "filter/path_filter.h"
#include "filter/path_set.h"
#include "guard/production_guard.h"
#include "loop/dev_loop.h"
#include "loop/service_loop.h"
#include "migrate/importers.h"
#include "migrate/service_finder.h"
#include "migrate/starter.h"
#include "plan/rule_matcher.h"
#include "watch/backend_selection.h"
#include "watch/snapshot.h"
#include "watch/tree_snapshot.h"

namespace hotpod {
namespace {

void setupLogging(const Config& config) {
  log::setup(config.log.format, log::parseLevel(config.log.level).value_or(spdlog::level::info));
}

}  // namespace

namespace {

// Hot reload is for development: where the environment says production, run and agent stop
// here (before anything is read or started) unless --allow-production is given.
bool refusedInProduction(const char* command, const CommandLine& line,
                         const ProductionVerdict& verdict) {
  if (!verdict.production || line.allow_production) return false;
  std::cerr << "hotpod: error: " << productionRefusal(command, verdict) << '\n';
  return true;
}

// Once the log is set up, so that the warning is in the configured format.
void warnIfAllowed(const ProductionVerdict& verdict) {
  if (!verdict.production) return;
  log::warn("production_allowed", "--allow-production: starting although " +
                                      joined(verdict.reasons, "; ") + " says production");
}

}  // namespace

int runCommand(const CommandLine& line) {
  const auto production = detectProduction(ProductionSignals::fromEnvironment());
  if (refusedInProduction("run", line, production)) return kRefusedInProduction;
  Config config = resolveConfig(line);
  setupLogging(config);
  warnIfAllowed(production);
  if (!config.guessed.empty()) {
    log::info("zero_config",
              "no hotpod.yaml: found " + config.guessed +
                  " → build: " + (config.build.cmd.empty() ? "(none)" : config.build.cmd) +
                  "; run: " + (config.run.cmd.empty() ? "(none)" : config.run.cmd.display()) +
                  ". To choose yourself: hotpod init (writes hotpod.yaml), or --build CMD / -- APP",
              {{"project", config.guessed}});
  }
  if (!config.services.empty()) return ServiceLoop(std::move(config)).run();
  DevLoop loop(std::move(config));
  return loop.run();
}

int agentCommand(const CommandLine& line) {
  const auto production = detectProduction(ProductionSignals::fromEnvironment());
  if (refusedInProduction("agent", line, production)) return kRefusedInProduction;
  Config config = resolveConfig(line, false);
  checkAgentTarget(config);
  for (const auto& service : config.services) checkAgentTarget(service.config);
  setupLogging(config);
  warnIfAllowed(production);
  if (!config.run.cmd.empty()) {
    log::warn("run_cmd_ignored",
              "run.cmd (" + config.run.cmd.display() +
                  ") is not started by hotpod agent: the app runs under `hotpod exec` in its own "
                  "container. Its program is still kept from triggering builds",
              {{"run_cmd", config.run.cmd.display()}});
  }
  if (config.build.cmd.empty() && config.services.empty()) {
    log::info("no_build", "no build.cmd: every change restarts the app in the other container");
  }
  if (!config.services.empty()) return ServiceLoop(std::move(config), LoopRole::Agent).run();
  DevLoop loop(std::move(config), LoopRole::Agent);
  return loop.run();
}

int checkCommand(const CommandLine& line, bool list_files) {
  Config config = resolveConfig(line, true, /*create_dirs=*/false);  // a check changes nothing
  const auto root = normalizedRoot(config.root);
  requireWatchRoot(root);  // missing, a file, unreadable: exit 1 saying so
  PathFilter filter(root, filterOptions(config, root));
  TreeSnapshot tree(root);
  tree.walk(
      "", [&](const std::string& dir) { return filter.shouldDescend(dir); }, {}, nullptr);
  // services: which of them each file concerns (its paths, its own watch settings).
  struct ServiceView {
    std::string name;
    PathSet paths;
    PathFilter filter;
    size_t files = 0;
  };
  std::vector<ServiceView> services;
  for (const auto& service : config.services) {
    services.push_back({service.name, PathSet(service.paths),
                        PathFilter(root, filterOptions(service.config, root))});
  }
  std::vector<std::string> relevant;
  std::map<std::string, std::string> concerned;  // path → "api, worker"
  tree.forEachFile([&](const std::string& path, const FileState&) {
    if (services.empty()) {
      if (filter.isRelevant(path)) relevant.push_back(path);
      return;
    }
    std::string names;
    for (auto& service : services) {
      if (!service.paths.contains(path) || !service.filter.isRelevant(path)) continue;
      names += (names.empty() ? "" : ", ") + service.name;
      ++service.files;
    }
    if (names.empty()) return;
    relevant.push_back(path);
    concerned[path] = names;
  });
  std::sort(relevant.begin(), relevant.end());
  if (list_files && !services.empty()) {
    for (const auto& path : relevant) std::cout << path << '\t' << concerned[path] << '\n';
    return 0;
  }
  if (list_files) {
    // With rules, each file also shows the rule that would fire for it.
    const RuleMatcher rules(config.rules);
    for (const auto& path : relevant) {
      std::cout << path;
      if (!rules.empty()) {
        const auto index = rules.ruleFor(path);
        std::cout << '\t' << (index ? rules.describe(*index) : "no rule: a change does nothing");
      }
      std::cout << '\n';
    }
    return 0;
  }
  std::cout << "config:   " << (config.source.empty() ? "(defaults)" : config.source.string())
            << "\nroot:     " << root.string() << "\nwatcher:  "
            << planBackend(config.watch, root,
                           [&](const std::string& dir) { return filter.shouldDescend(dir); })
                   .reason
            << "\nbuild:    " << (config.build.cmd.empty() ? "(none)" : config.build.cmd)
            << "\nrun:      " << (config.run.cmd.empty() ? "(none)" : config.run.cmd.display())
            << "\nwatching: " << relevant.size() << " file(s) would trigger a reload ("
            << tree.fileCount() << " seen); list them with --list-files\n";
  for (const auto& service : services) {
    std::cout << "service:  " << service.name << ": " << service.files << " file(s)\n";
  }
  if (services.empty() && config.build.cmd.empty() && config.run.cmd.empty()) {
    std::cout << "note:     no build.cmd and no run.cmd: hotpod would only report changes\n";
  }
  return 0;
}

int initCommand(const InitOptions& options) {
  const std::filesystem::path dir = options.dir;
  const std::filesystem::path target = dir / "hotpod.yaml";
  if (std::filesystem::exists(target) && !options.force) {
    std::cerr << "hotpod: error: " << target.string()
              << " already exists; use --force to overwrite it\n";
    return 2;
  }
  const auto fileOr = [&dir](const std::string& given, const char* fallback) {
    return given.empty() ? dir / fallback : std::filesystem::path(given);
  };
  ImportResult imported;
  std::string source = "a starter";
  if (options.air_given) {
    const auto file = fileOr(options.from_air, ".air.toml");
    imported = importAir(file);
    source = "air's " + file.string();
  } else if (!options.from_compiledaemon.empty()) {
    imported = importCompileDaemon(options.from_compiledaemon);
    source = "CompileDaemon's flags";
  } else if (options.nodemon_given) {
    const auto file = fileOr(options.from_nodemon, "nodemon.json");
    imported = importNodemon(file);
    source = "nodemon's " + file.string();
  } else if (options.compose_given) {
    std::filesystem::path file = options.from_compose;
    for (const char* name :
         {"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}) {
      if (file.empty() && std::filesystem::exists(dir / name)) file = dir / name;
    }
    if (file.empty()) file = dir / "compose.yaml";  // for the error
    imported = importCompose(file);
    source = "the develop.watch sections of " + file.string();
  } else if (const auto services = findServices(dir); services.size() >= 2) {
    imported.yaml = servicesConfig(services);
    source =
        "the " + std::to_string(services.size()) + " services found (" + services.front().why + ")";
  } else {
    imported.yaml = starterConfig(dir);
  }
  const std::string& text = imported.yaml;
  const std::vector<std::string>& dropped = imported.dropped;
  try {
    // Atomic: with --force, an existing hotpod.yaml is replaced whole or not at all.
    replaceFileAtomically(target, text, 0644, "check that the directory exists and is writable");
  } catch (const std::system_error& error) {
    std::cerr << "hotpod: error: cannot write " << target.string() << ": " << error.what() << "\n";
    return 1;
  }
  std::cout << "wrote " << target.string() << " from " << source << "\n";
  for (const auto& note : dropped) std::cout << "  not converted: " << note << "\n";
  if (!dropped.empty()) std::cout << "  (these are also listed at the top of the file)\n";
  std::cout << "check it with `hotpod check`, then start with `hotpod run`\n";
  return 0;
}

}  // namespace hotpod
