#pragma once
// `hotpod check --forbid-in PATH…`: finds hotpod in what is about to be deployed — Kubernetes
// manifests (plain, kustomize or Helm output), docker-compose files and Dockerfiles — so that a
// CI step can keep hot reload out of production.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

struct ScanFinding {
  std::string file;
  int line = 0;  // 1-based
  std::string what;
};

// One document: a Dockerfile when `name` looks like one (Dockerfile, *.Dockerfile, Dockerfile.*,
// Containerfile), YAML (one or more documents) otherwise. Throws ConfigError for YAML that does
// not parse, naming the place.
std::vector<ScanFinding> scanForHotpod(std::string_view text, const std::string& name);

// The files below `path` (or `path` itself) that scanForHotpod reads: *.yaml, *.yml, and
// Dockerfiles; .git and node_modules are skipped.
std::vector<std::filesystem::path> scannableFiles(const std::filesystem::path& path);

// Whether a command line (one string, or argv joined by spaces) runs `hotpod agent`,
// `hotpod exec` or `hotpod run`, directly or through a shell.
bool runsHotpod(std::string_view command_line);

// Whether an image reference names a hotpod image ("hotpod", "hotpod:dev",
// "ghcr.io/acme/hotpod-gin-dev:1"): its repository's last part starts with "hotpod".
bool isHotpodImage(std::string_view image);

}  // namespace hotpod
