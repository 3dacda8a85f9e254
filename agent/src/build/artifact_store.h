#pragma once
// The last good version of build.artifacts, kept outside the source tree so app.rollback can
// put it back when a new version never becomes ready.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hotpod {

class ArtifactStore {
 public:
  ArtifactStore(std::filesystem::path root, std::vector<std::string> artifacts,
                std::filesystem::path keep_dir);

  bool configured() const { return !artifacts_.empty(); }
  // The build whose artefacts are kept, if any.
  std::optional<uint64_t> kept() const { return kept_; }
  // Copies the artefacts as they are now (the output of `build`). False, and logged, when one
  // is missing or cannot be copied; the previous copy then stays.
  bool keep(uint64_t build);
  // Puts the kept artefacts back, each through a temporary file and a rename, so the app never
  // sees half a binary. False, and logged, on failure.
  bool restore();

 private:
  std::filesystem::path root_;
  std::vector<std::string> artifacts_;
  std::filesystem::path keep_dir_;
  std::optional<uint64_t> kept_;
};

}  // namespace hotpod
