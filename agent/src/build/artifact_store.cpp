#include "build/artifact_store.h"

#include "base/files.h"
#include "base/log.h"

namespace hotpod {
namespace fs = std::filesystem;

ArtifactStore::ArtifactStore(fs::path root, std::vector<std::string> artifacts, fs::path keep_dir)
    : root_(std::move(root)), artifacts_(std::move(artifacts)), keep_dir_(std::move(keep_dir)) {}

bool ArtifactStore::keep(uint64_t build) {
  const fs::path staging = keep_dir_.string() + ".new";
  try {
    fs::remove_all(staging);
    for (const auto& artifact : artifacts_) {
      const fs::path source = root_ / artifact;
      if (fs::is_directory(source)) {
        fs::create_directories(staging / artifact);
        fs::copy(source, staging / artifact, fs::copy_options::recursive);
      } else {
        fs::create_directories((staging / artifact).parent_path());
        copyFileAtomically(source, staging / artifact);
      }
    }
    fs::remove_all(keep_dir_);
    fs::rename(staging, keep_dir_);
  } catch (const std::system_error& error) {
    log::warn("artifacts_not_kept",
              "cannot keep build #" + std::to_string(build) +
                  "'s artefacts for rollback: " + error.what() + "; check build.artifacts",
              {{"build", static_cast<int64_t>(build)}});
    return false;
  }
  kept_ = build;
  log::debug("artifacts_kept", "kept build #" + std::to_string(build) + "'s artefacts",
             {{"build", static_cast<int64_t>(build)}});
  return true;
}

bool ArtifactStore::restore() {
  if (!kept_) return false;
  try {
    for (const auto& artifact : artifacts_) {
      const fs::path saved = keep_dir_ / artifact;
      const fs::path target = root_ / artifact;
      if (fs::is_directory(saved)) {
        fs::remove_all(target);
        fs::copy(saved, target, fs::copy_options::recursive);
      } else {
        fs::create_directories(target.parent_path());
        copyFileAtomically(saved, target);
      }
    }
  } catch (const std::system_error& error) {
    log::error("rollback_failed",
               std::string("cannot restore the last good artefacts: ") + error.what(), {});
    return false;
  }
  return true;
}

}  // namespace hotpod
