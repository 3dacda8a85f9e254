#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/options.h"
#include "config/starter.h"
#include "core/dev_loop.h"
#include "core/log.h"
#include "filter/path_filter.h"
#include "filter/rule_matcher.h"
#include "watch/backend_selection.h"
#include "watch/snapshot.h"

namespace hotpod {
namespace {

void setupLogging(const Config& config) {
  log::setup(config.log.format, log::parseLevel(config.log.level).value_or(spdlog::level::info));
}

}  // namespace

int runCommand(const CommandLine& line) {
  Config config = resolveConfig(line);
  setupLogging(config);
  if (!config.guessed.empty()) {
    log::info("zero_config",
              "no hotpod.yaml: found " + config.guessed +
                  " → build: " + (config.build.cmd.empty() ? "(none)" : config.build.cmd) +
                  "; run: " + (config.run.cmd.empty() ? "(none)" : config.run.cmd.display()) +
                  ". To choose yourself: hotpod init (writes hotpod.yaml), or --build CMD / -- APP",
              {{"project", config.guessed}});
  }
  if (!config.http.listen.empty()) {
    log::info("http", "http.listen " + config.http.listen +
                          " noted; the HTTP server is not part of this version yet");
  }
  DevLoop loop(std::move(config));
  return loop.run();
}

int checkCommand(const CommandLine& line, bool list_files) {
  Config config = resolveConfig(line);
  const auto root = normalizedRoot(config.root);
  if (!std::filesystem::is_directory(root)) {
    std::cerr << "hotpod: error: root " << root.string()
              << " is not a directory; fix root: in the config or --root\n";
    return 1;
  }
  PathFilter filter(
      root, {config.watch.include_ext, config.watch.include, config.watch.exclude,
             config.watch.exclude_dir, buildOutputsInside(config, root), config.watch.gitignore});
  Snapshot files;
  scanTree(root, "", files, [&](const std::string& dir) { return filter.shouldDescend(dir); });
  std::vector<std::string> relevant;
  for (const auto& [path, state] : files) {
    if (filter.isRelevant(path)) relevant.push_back(path);
  }
  std::sort(relevant.begin(), relevant.end());
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
            << files.size() << " seen); list them with --list-files\n";
  if (config.build.cmd.empty() && config.run.cmd.empty()) {
    std::cout << "note:     no build.cmd and no run.cmd: hotpod would only report changes\n";
  }
  return 0;
}

int initCommand(const std::string& dir, bool force) {
  const std::filesystem::path target = std::filesystem::path(dir) / "hotpod.yaml";
  if (std::filesystem::exists(target) && !force) {
    std::cerr << "hotpod: error: " << target.string()
              << " already exists; use --force to overwrite it\n";
    return 2;
  }
  const std::string text = starterConfig(dir);
  std::ofstream out(target);
  out << text;
  if (!out) {
    std::cerr << "hotpod: error: cannot write " << target.string() << "\n";
    return 1;
  }
  std::cout << "wrote " << target.string()
            << "; check it with `hotpod check`, then start with `hotpod run`\n";
  return 0;
}

int versionCommand() {
  std::cout << "hotpod " << HOTPOD_VERSION << '\n';
  return 0;
}

}  // namespace hotpod
