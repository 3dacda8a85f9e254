#include "filter/file_selector.h"

#include <doctest/doctest.h>

using hotpod::FileSelector;

TEST_CASE("an extension selects by the end of the file name, with or without its dot") {
  const FileSelector go({"go", ".tmpl", "tar.gz"}, {});
  CHECK(go.selects("main.go"));
  CHECK(go.selects("cmd/api/main.go"));
  CHECK(go.selects("views/index.tmpl"));
  CHECK(go.selects("dist/site.tar.gz"));
  CHECK_FALSE(go.selects("main.gox"));
  CHECK_FALSE(go.selects("go"));
  CHECK_FALSE(go.selects("go/readme"));  // a directory named like the extension is not it
}

TEST_CASE("patterns select like gitignore, read positively") {
  const FileSelector config({}, {"config/*.yaml", "static/", "/Makefile"});
  CHECK(config.selects("config/app.yaml"));
  CHECK_FALSE(config.selects("config/deep/app.yaml"));
  CHECK(config.selects("static/css/site.css"));  // a selected directory selects its files
  CHECK(config.selects("Makefile"));
  CHECK_FALSE(config.selects("sub/Makefile"));  // anchored
}

TEST_CASE("extensions and patterns together select either") {
  const FileSelector both({"go"}, {"templates/**"});
  CHECK(both.selects("a.go"));
  CHECK(both.selects("templates/x/page.html"));
  CHECK_FALSE(both.selects("README.md"));
  CHECK(FileSelector().empty());
  CHECK_FALSE(FileSelector().selects("a.go"));
  CHECK_FALSE(both.empty());
}
