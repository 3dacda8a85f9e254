#include "filter/path_filter.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "filter/filter_test_support.h"

namespace {

using hotpod::FilterOptions;
using hotpod::PathFilter;
using hotpod::filter_test::TempDir;

}  // namespace

TEST_CASE("path filter: deeper nested .gitignore files take precedence") {
  TempDir root;
  root.write(".gitignore", "*.log\n!keep.log\n/tmp\n");
  root.write("sub/.gitignore", "!*.log\nkeep.log\ntmp\n");
  const PathFilter filter(root.path(), {});
  CHECK_FALSE(filter.isRelevant("a.log"));
  CHECK(filter.isRelevant("keep.log"));
  CHECK(filter.isRelevant("sub/a.log"));
  CHECK_FALSE(filter.isRelevant("sub/keep.log"));
  CHECK_FALSE(filter.isRelevant("sub/deeper/keep.log"));
  CHECK_FALSE(filter.shouldDescend("tmp"));
  CHECK(filter.shouldDescend("other/tmp"));
  CHECK_FALSE(filter.shouldDescend("sub/tmp"));
  CHECK(filter.isRelevant("main.go"));
}

TEST_CASE("path filter: nothing below an excluded directory can be re-included") {
  TempDir root;
  root.write(".gitignore", "build/\n!build/keep.txt\nlogs/**\n!logs/keep.txt\n");
  root.write("build/.gitignore", "!*\n");
  const PathFilter filter(root.path(), {});
  CHECK_FALSE(filter.shouldDescend("build"));
  CHECK_FALSE(filter.shouldDescend("build/sub"));
  CHECK_FALSE(filter.isRelevant("build/keep.txt"));
  CHECK_FALSE(filter.isRelevant("build/other.txt"));
  // "logs/**" matches the contents, not the directory: a negation still works.
  CHECK(filter.shouldDescend("logs"));
  CHECK(filter.isRelevant("logs/keep.txt"));
  CHECK_FALSE(filter.isRelevant("logs/x.txt"));
}

TEST_CASE("path filter: directory-only patterns do not match files") {
  TempDir root;
  root.write(".gitignore", "out/\n");
  const PathFilter filter(root.path(), {});
  CHECK_FALSE(filter.shouldDescend("out"));
  CHECK_FALSE(filter.shouldDescend("a/out"));
  CHECK(filter.isRelevant("out"));  // a file named "out"
  CHECK(filter.isRelevant("a/out"));
}

TEST_CASE("path filter: .git/info/exclude has the lowest precedence") {
  TempDir root;
  root.write(".git/info/exclude", "*.gen\nsecret\n");
  root.write(".gitignore", "!keep.gen\n");
  const PathFilter filter(root.path(), {});
  CHECK_FALSE(filter.isRelevant("a.gen"));
  CHECK_FALSE(filter.isRelevant("x/secret"));
  CHECK(filter.isRelevant("keep.gen"));
}

TEST_CASE("path filter: .hotpodignore wins over .gitignore and survives gitignore=false") {
  TempDir root;
  root.write(".gitignore", "*.txt\nvendor/\n");
  root.write(".hotpodignore", "!notes.txt\n*.md\n");
  root.write("sub/.hotpodignore", "data/\n");
  root.write("sub/.gitignore", "!*.md\n");
  const PathFilter filter(root.path(), {});
  CHECK(filter.isRelevant("notes.txt"));
  CHECK_FALSE(filter.isRelevant("other.txt"));
  CHECK_FALSE(filter.isRelevant("README.md"));
  CHECK(filter.isRelevant("sub/README.md"));  // the deeper .gitignore beats the root's rules
  CHECK_FALSE(filter.shouldDescend("sub/data"));

  FilterOptions no_git;
  no_git.gitignore = false;
  root.write(".git/info/exclude", "*.go\n");
  const PathFilter hotpod_only(root.path(), no_git);
  CHECK(hotpod_only.isRelevant("other.txt"));
  CHECK(hotpod_only.shouldDescend("vendor"));
  CHECK(hotpod_only.isRelevant("main.go"));
  CHECK_FALSE(hotpod_only.isRelevant("README.md"));
  CHECK_FALSE(hotpod_only.isRelevant("sub/README.md"));
  CHECK_FALSE(hotpod_only.shouldDescend("sub/data"));
}

TEST_CASE("path filter: built-in ignores") {
  TempDir root;
  const PathFilter filter(root.path(), {});
  for (const char* dir : {".git", ".hg", ".svn", ".bzr", "_darcs", ".hotpod", "a/.git", "a/b/.svn",
                          "config/..2026_01_01_18_00_00.123456789"}) {
    INFO(dir);
    CHECK_FALSE(filter.shouldDescend(dir));
    CHECK_FALSE(filter.isRelevant(std::string(dir) + "/file"));
  }
  for (const char* file : {"a.swp", ".a.go.swp", "x/.main.go.swx", "a.swo", "4913", "d/4913",
                           "main.go~", ".#main.go", "#main.go#", "main.go___jb_tmp___",
                           "main.go___jb_old___", ".git", "config/..data", "config/..data_tmp"}) {
    INFO(file);
    CHECK_FALSE(filter.isRelevant(file));
  }
  for (const char* file : {"49130", "swp", "a.swpx", "#main.go", "a#b#", "main.go", ".gitignore",
                           ".hotpodignore", "a.git", "config/.data", "a..b"}) {
    INFO(file);
    CHECK(filter.isRelevant(file));
  }
  CHECK(filter.shouldDescend("4913"));
  CHECK(filter.shouldDescend("git"));
}

TEST_CASE("path filter: include_ext and include with exclusion winning") {
  TempDir root;
  root.write(".gitignore", "gen/\n*_gen.go\n");
  FilterOptions options;
  options.include_ext = {"go", ".tmpl", ""};
  options.include = {"config/*.yaml", "static/", "Makefile"};
  const PathFilter filter(root.path(), options);
  CHECK(filter.isRelevant("main.go"));
  CHECK(filter.isRelevant("cmd/app/main.go"));
  CHECK(filter.isRelevant("views/index.tmpl"));
  CHECK_FALSE(filter.isRelevant("main.GO"));  // case-sensitive
  CHECK_FALSE(filter.isRelevant("go"));
  CHECK_FALSE(filter.isRelevant("README.md"));
  CHECK(filter.isRelevant("config/app.yaml"));
  CHECK_FALSE(filter.isRelevant("config/sub/app.yaml"));
  CHECK(filter.isRelevant("static/css/site.css"));  // below an included directory
  CHECK(filter.isRelevant("Makefile"));
  CHECK(filter.isRelevant("sub/Makefile"));
  CHECK_FALSE(filter.isRelevant("gen/x.go"));
  CHECK_FALSE(filter.isRelevant("a_gen.go"));
  CHECK_FALSE(filter.isRelevant("static/x.swp"));

  FilterOptions negated;
  negated.include = {"*.go", "!*_test.go"};
  const PathFilter filter2(root.path(), negated);
  CHECK(filter2.isRelevant("a.go"));
  CHECK_FALSE(filter2.isRelevant("a_test.go"));
  CHECK_FALSE(filter2.isRelevant("a.c"));
}

TEST_CASE("path filter: exclude and exclude_dir and exclude_files") {
  TempDir root;
  root.write(".gitignore", "!*.keep\n!important/\n");
  FilterOptions options;
  options.exclude = {"*.keep", "/docs/", "tmp/**"};
  options.exclude_dir = {"node_modules", "web/dist/", "./bin"};
  options.exclude_files = {"./app", "cmd/tool/tool"};
  const PathFilter filter(root.path(), options);
  CHECK_FALSE(filter.isRelevant("a.keep"));  // exclude beats the .gitignore negation
  CHECK_FALSE(filter.shouldDescend("docs"));
  CHECK(filter.shouldDescend("a/docs"));
  CHECK(filter.shouldDescend("tmp"));
  CHECK_FALSE(filter.isRelevant("tmp/x"));
  CHECK_FALSE(filter.shouldDescend("node_modules"));
  CHECK_FALSE(filter.shouldDescend("a/b/node_modules"));
  CHECK_FALSE(filter.shouldDescend("a/b/node_modules/c"));
  CHECK_FALSE(filter.isRelevant("a/node_modules/x.js"));
  CHECK(filter.isRelevant("node_modules"));  // a file of that name
  CHECK_FALSE(filter.shouldDescend("web/dist"));
  CHECK(filter.shouldDescend("other/web/dist"));
  CHECK(filter.shouldDescend("web"));
  CHECK_FALSE(filter.shouldDescend("bin"));
  CHECK(filter.shouldDescend("x/bin"));
  CHECK_FALSE(filter.isRelevant("app"));
  CHECK(filter.isRelevant("x/app"));
  CHECK_FALSE(filter.isRelevant("cmd/tool/tool"));
  CHECK(filter.isRelevant("cmd/tool/main.go"));

  FilterOptions reinclude;
  reinclude.exclude = {"!important/"};
  root.write(".gitignore", "important/\n");
  const PathFilter filter2(root.path(), reinclude);
  CHECK(filter2.shouldDescend("important"));  // the exclude list outranks .gitignore
}

TEST_CASE("path filter: invalidate re-reads a rewritten ignore file") {
  TempDir root;
  root.write(".gitignore", "*.log\n");
  root.write("sub/.hotpodignore", "*.txt\n");
  root.write(".git/info/exclude", "*.o\n");
  PathFilter filter(root.path(), {});
  CHECK_FALSE(filter.isRelevant("a.log"));
  CHECK_FALSE(filter.isRelevant("sub/a.txt"));
  CHECK_FALSE(filter.isRelevant("a.o"));

  root.write(".gitignore", "*.txt\n");
  root.write("sub/.hotpodignore", "");
  root.write(".git/info/exclude", "");
  CHECK_FALSE(filter.isRelevant("a.log"));  // cached until invalidated
  filter.invalidate(".gitignore");
  filter.invalidate("sub/.hotpodignore");
  filter.invalidate(".git/info/exclude");
  CHECK(filter.isRelevant("a.log"));
  CHECK_FALSE(filter.isRelevant("a.txt"));
  CHECK_FALSE(filter.isRelevant("sub/a.txt"));  // now from the root .gitignore
  CHECK(filter.isRelevant("a.o"));

  std::filesystem::remove(root.path() / ".gitignore");
  filter.invalidate("./.gitignore");
  CHECK(filter.isRelevant("sub/a.txt"));
}

TEST_CASE("path filter: isIgnoreFile") {
  CHECK(PathFilter::isIgnoreFile(".gitignore"));
  CHECK(PathFilter::isIgnoreFile("a/b/.gitignore"));
  CHECK(PathFilter::isIgnoreFile(".hotpodignore"));
  CHECK(PathFilter::isIgnoreFile("x/.hotpodignore"));
  CHECK(PathFilter::isIgnoreFile(".git/info/exclude"));
  CHECK(PathFilter::isIgnoreFile("./.git/info/exclude"));
  CHECK_FALSE(PathFilter::isIgnoreFile("a/.git/info/exclude"));
  CHECK_FALSE(PathFilter::isIgnoreFile(".gitignore.bak"));
  CHECK_FALSE(PathFilter::isIgnoreFile(""));
  CHECK_FALSE(PathFilter::isIgnoreFile("../.gitignore"));
}

TEST_CASE("path filter: odd input never crashes") {
  TempDir root;
  root.write(".gitignore", "ignored/\n");
  root.mkdir("fifo_dir");
  REQUIRE(mkfifo((root.path() / "fifo_dir/.gitignore").c_str(), 0600) == 0);
  PathFilter filter(root.path(), {});
  CHECK(filter.shouldDescend(""));
  CHECK(filter.shouldDescend("."));
  CHECK(filter.shouldDescend("./"));
  CHECK_FALSE(filter.isRelevant(""));
  CHECK_FALSE(filter.isRelevant("/"));
  CHECK_FALSE(filter.shouldDescend(".."));
  CHECK_FALSE(filter.isRelevant("../x.go"));
  CHECK_FALSE(filter.isRelevant("a/../../x.go"));
  CHECK(filter.isRelevant("a/../x.go"));
  CHECK(filter.shouldDescend("src/"));
  CHECK(filter.isRelevant("./src//main.go"));
  CHECK_FALSE(filter.shouldDescend("ignored/"));
  CHECK_FALSE(filter.isRelevant("a/../ignored/x"));
  CHECK_FALSE(filter.isRelevant(std::string_view("a\0b", 3)));
  CHECK(filter.isRelevant("fifo_dir/x.go"));  // a FIFO named .gitignore is not read
  filter.invalidate("");
  filter.invalidate("..");
  filter.invalidate("/");

  PathFilter moved = std::move(filter);
  CHECK(moved.isRelevant("x.go"));
}

TEST_CASE("path filter: rules deep in a tree, read once per directory as a walk descends") {
  TempDir root;
  root.write(".gitignore", "*.tmp\n");
  std::string dir;
  for (int level = 1; level <= 300; ++level) {
    dir += (dir.empty() ? "" : "/") + std::string("d");
    if (level == 100) root.write(dir + "/.gitignore", "!keep.tmp\n");
    if (level == 200) root.write(dir + "/.hotpodignore", "skip/\n");
  }
  root.write(dir + "/x.txt", "x");
  PathFilter filter(root.path(), {});
  std::string walked;
  for (int level = 1; level <= 300; ++level) {  // as a walk asks, parents first
    walked += (walked.empty() ? "" : "/") + std::string("d");
    REQUIRE(filter.shouldDescend(walked));
  }
  CHECK(filter.isRelevant(dir + "/x.txt"));
  CHECK_FALSE(filter.isRelevant(dir + "/x.tmp"));    // the root's rule, 300 levels up
  CHECK(filter.isRelevant(dir + "/keep.tmp"));       // re-included at level 100
  CHECK_FALSE(filter.shouldDescend(dir + "/skip"));  // level 200's .hotpodignore
  CHECK_FALSE(filter.shouldDescend(dir + "/skip/more"));
  CHECK(filter.shouldDescend(dir.substr(0, 2 * 150 - 1) + "/skip"));  // above level 200

  // A changed ignore file in the middle counts for everything below it.
  std::string level100 = dir.substr(0, 2 * 100 - 1);
  root.write(level100 + "/.gitignore", "x.txt\n");
  filter.invalidate(level100 + "/.gitignore");
  CHECK_FALSE(filter.isRelevant(dir + "/x.txt"));
  CHECK_FALSE(filter.isRelevant(dir + "/keep.tmp"));
}
