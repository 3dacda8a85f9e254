#include <cstdlib>

#include "base/duration.h"
#include "base/files.h"
#include "base/syscalls.h"
#include "loop/dev_loop.h"

namespace hotpod {

FilterOptions filterOptions(const Config& config, const std::filesystem::path& root) {
  FilterOptions options{config.watch.include_ext,
                        config.watch.include,
                        config.watch.exclude,
                        config.watch.exclude_dir,
                        buildOutputsInside(config, root),
                        config.watch.gitignore};
  // An artefact may be a directory: nothing below it triggers either.
  for (const auto& artifact : config.build.artifacts)
    options.exclude_dir.push_back("./" + artifact);
  // The audit log (and its rotated files) inside the root: its records must not trigger builds.
  if (!config.audit.path.empty()) {
    const auto relative =
        std::filesystem::absolute(config.audit.path).lexically_normal().lexically_relative(root);
    if (!relative.empty() && *relative.begin() != "..") {
      options.exclude_files.push_back(relative.generic_string());
      options.exclude.push_back("/" + relative.generic_string() + ".[0-9]*");
    }
  }
  return options;
}

std::filesystem::path normalizedRoot(const std::filesystem::path& root) {
  auto normal = std::filesystem::absolute(root).lexically_normal();
  if (!normal.has_filename() && normal.has_parent_path() && normal != normal.root_path()) {
    normal = normal.parent_path();  // "/src/" → "/src"
  }
  return normal;
}

std::vector<std::string> buildOutputsInside(const Config& config,
                                            const std::filesystem::path& root) {
  std::vector<std::string> inside = config.build.artifacts;
  if (config.run.cmd.empty() || config.run.cmd.through_shell) return inside;
  const std::filesystem::path program = config.run.cmd.argv.front();
  if (program.native().find('/') == std::string::npos) return inside;  // found through PATH
  const auto absolute = std::filesystem::weakly_canonical(root / program);
  const auto relative = absolute.lexically_relative(std::filesystem::weakly_canonical(root));
  if (!relative.empty() && *relative.begin() != "..") inside.push_back(relative.generic_string());
  return inside;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

std::filesystem::path makeScratchDir() {
  std::string pattern = (tempDirectory() / "hotpod-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw sys::error(errno, "mkdtemp " + pattern, "make TMPDIR (or /tmp) writable");
  }
  return pattern;
}

}  // namespace hotpod
