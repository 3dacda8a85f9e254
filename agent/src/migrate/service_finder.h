#pragma once
// `hotpod init` in a repository with several services: several go.mod files, several Go main
// packages of one module, npm/yarn/pnpm workspaces, or the build contexts of a
// docker-compose.yml. The result is a `services:` config.
#include <filesystem>
#include <string>
#include <vector>

namespace hotpod {

struct FoundService {
  std::string name;
  std::string dir;                 // relative to the project, "" = the project itself
  std::vector<std::string> paths;  // what concerns it
  std::string build_cmd;           // runs in dir
  std::string run_cmd;             // runs in dir; empty: unknown
  std::vector<std::string> include_ext;
  std::string why;  // "go.mod", "Go main package", "npm workspace", "compose build context"
};

// The services of the project, in a stable order; fewer than two: not a multi-service project.
std::vector<FoundService> findServices(const std::filesystem::path& project_dir);

// The hotpod.yaml for them (parseConfigText accepts it as is).
std::string servicesConfig(const std::vector<FoundService>& services);

}  // namespace hotpod
