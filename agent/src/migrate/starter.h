#pragma once
// The hotpod.yaml that `hotpod init` writes.
#include <filesystem>
#include <string>
#include <vector>

namespace hotpod {

// What a project directory holds, as far as `hotpod init` and zero-config can tell.
struct ProjectGuess {
  std::string found;  // "a Go project (go.mod)"; empty: nothing recognised
  std::vector<std::string> include_ext;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string build_cmd;      // writes under .hotpod/ in the project
  std::string build_comment;  // lines starting with "  # "
  std::string run_cmd;        // empty: unknown
  std::string run_comment;
};

ProjectGuess detectProject(const std::filesystem::path& project_dir);

// A fully commented starter config: every key with its default explained, build and run
// guessed from what project_dir holds (go.mod or *.go, CMakeLists.txt, Makefile, package.json).
// When nothing is recognised, comments say what to fill in. parseConfigText accepts it as is.
std::string starterConfig(const std::filesystem::path& project_dir);

}  // namespace hotpod
