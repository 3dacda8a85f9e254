#pragma once
// The hotpod.yaml that `hotpod init` writes.
#include <filesystem>
#include <string>

namespace hotpod {

// A fully commented starter config: every key with its default explained, build and run
// guessed from what project_dir holds (go.mod or *.go, CMakeLists.txt, Makefile, package.json).
// When nothing is recognised, comments say what to fill in. parseConfigText accepts it as is.
std::string starterConfig(const std::filesystem::path& project_dir);

}  // namespace hotpod
