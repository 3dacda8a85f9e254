#pragma once
// Shared by the import_*_test.cpp files: fixtures, temporary files, and the checks every
// converted hotpod.yaml must pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "config/loader.h"
#include "migrate/importers.h"

namespace import_test {

namespace fs = std::filesystem;

inline fs::path fixture(const std::string& name) {
  return fs::path(__FILE__).parent_path() / "fixtures" / name;
}

// A fresh directory under the system temp directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() / ("hotpod-import-test-" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
    return path / name;
  }
};

// The converted file parsed as hotpod.yaml in the current directory (root "."). Every dropped
// setting must also be a "# not converted:" line of the header, before the first key.
inline hotpod::Config parsed(const hotpod::ImportResult& result) {
  const std::string header = result.yaml.substr(0, result.yaml.find("\nroot:"));
  for (const auto& dropped : result.dropped) {
    CAPTURE(dropped);
    CHECK(header.find("\n# not converted: " + dropped + "\n") != std::string::npos);
  }
  if (result.dropped.empty())
    CHECK(header.find("# Every setting was converted.") != std::string::npos);
  hotpod::Config config;
  CAPTURE(result.yaml);
  REQUIRE_NOTHROW(config = hotpod::parseConfigText(result.yaml, "hotpod.yaml"));
  return config;
}

// The keys of the dropped notes ("build.log: why" -> "build.log"), sorted.
inline std::vector<std::string> droppedKeys(const hotpod::ImportResult& result) {
  std::vector<std::string> keys;
  for (const auto& dropped : result.dropped) keys.push_back(dropped.substr(0, dropped.find(": ")));
  std::sort(keys.begin(), keys.end());
  return keys;
}

inline std::string droppedReason(const hotpod::ImportResult& result, const std::string& key) {
  for (const auto& dropped : result.dropped) {
    if (dropped.starts_with(key + ": ")) return dropped.substr(key.size() + 2);
  }
  return {};
}

using Strings = std::vector<std::string>;

}  // namespace import_test
