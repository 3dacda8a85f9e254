#include "migrate/service_finder.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "base/files.h"
#include "migrate/starter.h"
#include "migrate/yaml_quote.h"

namespace hotpod {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 4;

bool skipped(const std::string& name) {
  return name.starts_with('.') || name == "node_modules" || name == "vendor" ||
         name == "testdata" || name == "third_party";
}

// Directories below `root` (relative, sorted), at most kMaxDepth deep, skipping the usual noise.
std::vector<std::string> directories(const fs::path& root) {
  std::vector<std::string> found;
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
  for (fs::recursive_directory_iterator end; !error && it != end; it.increment(error)) {
    if (!it->is_directory(error) || it->is_symlink(error)) continue;
    if (skipped(it->path().filename().string()) || it.depth() >= kMaxDepth) {
      it.disable_recursion_pending();
      if (skipped(it->path().filename().string())) continue;
    }
    found.push_back(it->path().lexically_relative(root).generic_string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string nameOf(const std::string& dir) {
  std::string name = fs::path(dir).filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '-';
  }
  return name.empty() ? "app" : name;
}

bool isGoMain(const fs::path& dir) {
  static const std::regex package_main(R"(^\s*package\s+main\b)", std::regex::multiline);
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const auto& file = it->path();
    if (file.extension() != ".go" || file.stem().string().ends_with("_test")) continue;
    const std::string text = readWholeFile(file).value_or("");
    if (std::regex_search(text, package_main)) return true;
  }
  return false;
}

// Several go.mod: one service per module; one module with several main packages: one service
// per main package, each concerned by the whole module except the other main packages.
std::vector<FoundService> goServices(const fs::path& root, const std::vector<std::string>& dirs) {
  std::vector<FoundService> services;
  std::vector<std::string> modules;
  for (const auto& dir : dirs) {
    if (fs::exists(root / dir / "go.mod")) modules.push_back(dir);
  }
  if (modules.size() >= 2 || (modules.size() == 1 && !fs::exists(root / "go.mod"))) {
    for (const auto& dir : modules) {
      services.push_back({nameOf(dir),
                          dir,
                          {dir + "/"},
                          "go build -o .hotpod/bin/app .",
                          ".hotpod/bin/app",
                          {"go", "tmpl", "html"},
                          "go.mod"});
    }
    return services;
  }
  if (!fs::exists(root / "go.mod")) return services;
  std::vector<std::string> mains;
  for (const auto& dir : dirs) {
    if (isGoMain(root / dir)) mains.push_back(dir);
  }
  for (const auto& dir : mains) {
    FoundService service{nameOf(dir), "", {"/"}, {}, {}, {"go", "tmpl", "html"}, "Go main package"};
    for (const auto& other : mains) {
      if (other != dir) service.paths.push_back("!" + other + "/");
    }
    service.build_cmd = "go build -o .hotpod/bin/" + service.name + " ./" + dir;
    service.run_cmd = ".hotpod/bin/" + service.name;
    services.push_back(std::move(service));
  }
  return services;
}

// package.json "workspaces": ["packages/*", "apps/web"] (or {packages: [...]}).
std::vector<std::string> npmWorkspaces(const fs::path& root) {
  std::vector<std::string> patterns;
  try {
    const auto json = nlohmann::json::parse(readWholeFile(root / "package.json").value_or("{}"));
    auto spaces = json.value("workspaces", nlohmann::json());
    if (spaces.is_object()) spaces = spaces.value("packages", nlohmann::json());
    if (!spaces.is_array()) return patterns;
    for (const auto& item : spaces) {
      if (item.is_string()) patterns.push_back(item.get<std::string>());
    }
  } catch (const std::exception&) {
    // No or unreadable package.json: no npm workspaces.
  }
  return patterns;
}

// pnpm-workspace.yaml's packages (pnpm ignores package.json's "workspaces"); '!…' excludes.
std::vector<std::string> pnpmWorkspaces(const fs::path& root) {
  std::vector<std::string> patterns;
  try {
    const YAML::Node pnpm = YAML::LoadFile((root / "pnpm-workspace.yaml").string());
    if (!pnpm.IsMap() || !pnpm["packages"] || !pnpm["packages"].IsSequence()) return patterns;
    for (const auto& item : pnpm["packages"]) {
      if (item.IsScalar()) patterns.push_back(item.Scalar());
    }
  } catch (const std::exception&) {
    // No or unreadable pnpm-workspace.yaml: no pnpm workspaces.
  }
  return patterns;
}

// The workspace directories (with a package.json) that `patterns` name; a trailing /* or /**
// expands to the directories below, a '!' pattern takes directories back out.
std::set<std::string> workspaceDirs(const fs::path& root,
                                    const std::vector<std::string>& patterns) {
  std::set<std::string> dirs;
  std::vector<std::string> excluded;
  for (std::string pattern : patterns) {
    const bool negated = pattern.starts_with('!');
    if (negated) pattern.erase(0, 1);
    while (pattern.starts_with("./")) pattern.erase(0, 2);
    while (pattern.ends_with('/') && pattern.size() > 1) pattern.pop_back();
    if (negated) {
      excluded.push_back(pattern);
    } else if (pattern.ends_with("/*") || pattern.ends_with("/**")) {
      const fs::path parent = root / pattern.substr(0, pattern.rfind('/'));
      std::error_code error;
      for (fs::directory_iterator it(parent, error), end; !error && it != end;
           it.increment(error)) {
        if (fs::exists(it->path() / "package.json") && !skipped(it->path().filename().string())) {
          dirs.insert(it->path().lexically_relative(root).generic_string());
        }
      }
    } else if (fs::exists(root / pattern / "package.json")) {
      dirs.insert(pattern);
    }
  }
  for (const auto& pattern : excluded) {
    const bool below = pattern.ends_with("/*") || pattern.ends_with("/**");
    const std::string parent = below ? pattern.substr(0, pattern.rfind('/')) + "/" : pattern;
    std::erase_if(dirs, [&](const std::string& dir) {
      return below ? dir.starts_with(parent) : dir == parent;
    });
  }
  return dirs;
}

// npm, yarn or pnpm workspaces: one service per workspace, run with its package manager.
std::vector<FoundService> workspaceServices(const fs::path& root) {
  std::string manager = "npm";
  std::vector<std::string> patterns = pnpmWorkspaces(root);
  if (!patterns.empty() || fs::exists(root / "pnpm-workspace.yaml")) {
    manager = "pnpm";
  } else {
    patterns = npmWorkspaces(root);
    if (fs::exists(root / "yarn.lock")) manager = "yarn";
  }
  std::vector<FoundService> services;
  for (const auto& dir : workspaceDirs(root, patterns)) {
    services.push_back(
        {nameOf(dir), dir, {dir + "/"}, "", manager + " run dev", {}, manager + " workspace"});
  }
  return services;
}

// docker-compose.yml (or compose.yaml): each service with a local build context.
std::vector<FoundService> composeServices(const fs::path& root) {
  std::vector<FoundService> services;
  for (const char* name :
       {"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}) {
    if (!fs::exists(root / name)) continue;
    try {
      const YAML::Node doc = YAML::LoadFile((root / name).string());
      for (const auto& entry : doc["services"]) {
        const YAML::Node build = entry.second["build"];
        std::string context;
        if (build && build.IsScalar()) context = build.Scalar();
        if (build && build.IsMap() && build["context"]) context = build["context"].Scalar();
        if (context.empty() || context.find("://") != std::string::npos) continue;
        fs::path dir = fs::path(context).lexically_normal();
        if (dir.is_absolute() || (!dir.empty() && *dir.begin() == "..")) continue;
        std::string rel = dir.generic_string();
        while (rel.ends_with('/')) rel.pop_back();
        if (rel == ".") rel.clear();
        const ProjectGuess guess = detectProject(root / rel);
        services.push_back({entry.first.Scalar(),
                            rel,
                            {rel.empty() ? "/" : rel + "/"},
                            guess.build_cmd,
                            guess.run_cmd,
                            guess.include_ext,
                            std::string("build context in ") + name});
      }
    } catch (const std::exception&) {
      continue;  // not YAML we can read: nothing from it
    }
    break;
  }
  return services;
}

}  // namespace

std::vector<FoundService> findServices(const fs::path& project_dir) {
  const auto dirs = directories(project_dir);
  for (auto found : {goServices(project_dir, dirs), workspaceServices(project_dir),
                     composeServices(project_dir)}) {
    if (found.size() < 2) continue;
    // Two services may not share a name: the second "api" becomes "api-2".
    std::map<std::string, int> seen;
    for (auto& service : found) {
      if (int count = ++seen[service.name]; count > 1) {
        service.name += "-" + std::to_string(count);
      }
    }
    return found;
  }
  return {};
}

std::string servicesConfig(const std::vector<FoundService>& services) {
  std::ostringstream out;
  out << "# hotpod configuration for " << services.size()
      << " services, written by `hotpod init`.\n"
         "# Top-level keys are the defaults every service inherits; a service's own keys\n"
         "# replace them. A change goes to every service whose `paths` include it (gitignore-\n"
         "# style, relative to root). docs/configuration.md#services has the details.\n"
         "root: .\n"
         "watch:\n"
         "  delay: 100ms\n"
         "build:\n"
         "  # How many services may build at once; unset: the number of cores.\n"
         "  # parallel: 2\n"
         "services:\n";
  for (const auto& service : services) {
    out << "  # found: " << service.why << "\n"
        << "  " << service.name << ":\n"
        << "    paths: " << yamlDoubleQuotedList(service.paths) << "\n";
    if (!service.dir.empty()) out << "    dir: " << yamlDoubleQuoted(service.dir) << "\n";
    if (!service.include_ext.empty()) {
      out << "    watch: {include_ext: " << yamlDoubleQuotedList(service.include_ext) << "}\n";
    }
    out << "    build: {cmd: " << yamlDoubleQuoted(service.build_cmd) << "}\n";
    if (service.run_cmd.empty()) {
      out << "    # run: {cmd: ...}   # how to start it: not found\n";
    } else {
      out << "    run: {cmd: " << yamlDoubleQuoted(service.run_cmd) << "}\n";
    }
  }
  return out.str();
}

}  // namespace hotpod
