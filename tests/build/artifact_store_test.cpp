// The last good artefacts: kept outside the tree, put back whole.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "build/artifact_store.h"
#include "support/temp_dir.h"

using namespace hotpod;
namespace fs = std::filesystem;

TEST_CASE("kept artefacts come back, files and directories, with their permissions") {
  const fs::path base = fs::temp_directory_path() / "hotpod-artifacts-test";
  fs::remove_all(base);
  const fs::path root = base / "src";
  fs::create_directories(root / "bin");
  fs::create_directories(root / "static/css");
  std::ofstream(root / "bin/app") << "version 1";
  fs::permissions(root / "bin/app", fs::perms::owner_all);
  std::ofstream(root / "static/css/site.css") << "v1 css";

  ArtifactStore store(root, {"bin/app", "static"}, base / "keep");
  CHECK_FALSE(store.kept());
  CHECK_FALSE(store.restore());  // nothing kept yet
  REQUIRE(store.keep(1));
  CHECK(store.kept() == 1u);

  std::ofstream(root / "bin/app", std::ios::trunc) << "version 2 (broken)";
  std::ofstream(root / "static/css/site.css", std::ios::trunc) << "v2 css";
  std::ofstream(root / "static/new.js") << "only in v2";
  REQUIRE(store.restore());
  CHECK(testing::readText(root / "bin/app") == "version 1");
  CHECK((fs::status(root / "bin/app").permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(testing::readText(root / "static/css/site.css") == "v1 css");
  CHECK_FALSE(fs::exists(root / "static/new.js"));
  CHECK_FALSE(fs::exists(root / "bin/.app.hotpod-tmp"));  // no temporary left behind
  fs::remove_all(base);
}

TEST_CASE("a missing artefact keeps the previous good copy") {
  const fs::path base = fs::temp_directory_path() / "hotpod-artifacts-test2";
  fs::remove_all(base);
  fs::create_directories(base / "src");
  std::ofstream(base / "src/app") << "good";
  ArtifactStore store(base / "src", {"app"}, base / "keep");
  REQUIRE(store.keep(3));
  fs::remove(base / "src/app");
  CHECK_FALSE(store.keep(4));
  CHECK(store.kept() == 3u);
  REQUIRE(store.restore());
  CHECK(testing::readText(base / "src/app") == "good");
  fs::remove_all(base);
}
