#include "filter/ignore_rules.h"

#include <doctest/doctest.h>

#include <string>

#include "filter/filter_test_support.h"

namespace {

using hotpod::IgnoreRules;
using hotpod::IgnoreVerdict;

constexpr auto kNone = IgnoreVerdict::kNoMatch;
constexpr auto kIgnored = IgnoreVerdict::kIgnored;
constexpr auto kReincluded = IgnoreVerdict::kReincluded;

IgnoreVerdict fileVerdict(const IgnoreRules& rules, const std::string& path) {
  return rules.match(path, /*is_dir=*/false);
}
IgnoreVerdict dirVerdict(const IgnoreRules& rules, const std::string& path) {
  return rules.match(path, /*is_dir=*/true);
}

}  // namespace

TEST_CASE("ignore rules: blank lines and comments and CRLF and BOM are not rules") {
  const IgnoreRules rules =
      IgnoreRules::parse("\xEF\xBB\xBF# comment\n\n   \n*.log\r\n#*.txt\n", "");
  CHECK(rules.size() == 1);
  CHECK(fileVerdict(rules, "a.log") == kIgnored);
  CHECK(fileVerdict(rules, "a.txt") == kNone);
  CHECK(fileVerdict(rules, "# comment") == kNone);
}

TEST_CASE("ignore rules: escaped hash and bang match literally") {
  const IgnoreRules rules = IgnoreRules::parse("\\#hash\n\\!bang\n", "");
  CHECK(fileVerdict(rules, "#hash") == kIgnored);
  CHECK(fileVerdict(rules, "!bang") == kIgnored);
  CHECK(fileVerdict(rules, "bang") == kNone);
}

TEST_CASE("ignore rules: trailing spaces are stripped unless escaped") {
  const IgnoreRules rules = IgnoreRules::parse("plain   \nkept\\ \nboth\\  \n", "");
  CHECK(fileVerdict(rules, "plain") == kIgnored);
  CHECK(fileVerdict(rules, "plain   ") == kNone);
  CHECK(fileVerdict(rules, "kept ") == kIgnored);
  CHECK(fileVerdict(rules, "kept") == kNone);
  CHECK(fileVerdict(rules, "both ") == kIgnored);
  CHECK(fileVerdict(rules, "both  ") == kNone);
}

TEST_CASE("ignore rules: the last matching rule wins and negation re-includes") {
  const IgnoreRules rules = IgnoreRules::parse("*.log\n!keep.log\n", "");
  CHECK(fileVerdict(rules, "x.log") == kIgnored);
  CHECK(fileVerdict(rules, "keep.log") == kReincluded);
  CHECK(fileVerdict(rules, "deep/dir/keep.log") == kReincluded);
  const IgnoreRules reversed = IgnoreRules::parse("!keep.log\n*.log\n", "");
  CHECK(fileVerdict(reversed, "keep.log") == kIgnored);
}

TEST_CASE("ignore rules: a leading or middle slash anchors to the directory of the file") {
  const IgnoreRules root = IgnoreRules::parse("/tmp\ndocs/*.md\nname\n", "");
  CHECK(fileVerdict(root, "tmp") == kIgnored);
  CHECK(fileVerdict(root, "src/tmp") == kNone);
  CHECK(fileVerdict(root, "docs/a.md") == kIgnored);
  CHECK(fileVerdict(root, "x/docs/a.md") == kNone);
  CHECK(fileVerdict(root, "docs/sub/a.md") == kNone);
  CHECK(fileVerdict(root, "x/y/name") == kIgnored);

  const IgnoreRules nested = IgnoreRules::parse("/tmp\ndocs/*.md\nname\n", "sub/dir");
  CHECK(fileVerdict(nested, "sub/dir/tmp") == kIgnored);
  CHECK(fileVerdict(nested, "tmp") == kNone);
  CHECK(fileVerdict(nested, "sub/dir/docs/a.md") == kIgnored);
  CHECK(fileVerdict(nested, "sub/dir/x/name") == kIgnored);
  CHECK(fileVerdict(nested, "sub/dirx/name") == kNone);  // not below the base
  CHECK(dirVerdict(nested, "sub/dir") == kNone);         // nor the base itself
}

TEST_CASE("ignore rules: a trailing slash matches directories only") {
  const IgnoreRules rules = IgnoreRules::parse("build/\n/out/\n", "");
  CHECK(dirVerdict(rules, "build") == kIgnored);
  CHECK(dirVerdict(rules, "a/build") == kIgnored);
  CHECK(fileVerdict(rules, "build") == kNone);
  CHECK(dirVerdict(rules, "out") == kIgnored);
  CHECK(dirVerdict(rules, "a/out") == kNone);
}

TEST_CASE("ignore rules: wildcards and ranges and negated classes stay within one component") {
  const IgnoreRules rules = IgnoreRules::parse("src/*.o\n*.[ao]\nx[!0-9]y\nt?t\n", "");
  CHECK(fileVerdict(rules, "src/main.o") == kIgnored);
  CHECK(fileVerdict(rules, "lib.a") == kIgnored);
  CHECK(fileVerdict(rules, "deep/lib.a") == kIgnored);  // basename pattern, any depth
  CHECK(fileVerdict(rules, "lib.c") == kNone);
  CHECK(fileVerdict(rules, "xay") == kIgnored);
  CHECK(fileVerdict(rules, "x5y") == kNone);
  CHECK(fileVerdict(rules, "tat") == kIgnored);
  const IgnoreRules anchored = IgnoreRules::parse("src/*.c\n", "");
  CHECK(fileVerdict(anchored, "src/a/b.c") == kNone);
}

TEST_CASE("ignore rules: double star in leading and trailing and middle position") {
  const IgnoreRules rules = IgnoreRules::parse("**/cache\nlogs/**\na/**/b\n", "");
  CHECK(dirVerdict(rules, "cache") == kIgnored);
  CHECK(dirVerdict(rules, "x/y/cache") == kIgnored);
  CHECK(dirVerdict(rules, "logs") == kNone);  // "logs/**" matches inside only
  CHECK(fileVerdict(rules, "logs/x") == kIgnored);
  CHECK(fileVerdict(rules, "logs/x/y") == kIgnored);
  CHECK(fileVerdict(rules, "a/b") == kIgnored);
  CHECK(fileVerdict(rules, "a/x/y/b") == kIgnored);
  CHECK(fileVerdict(rules, "z/a/b") == kNone);
}

TEST_CASE(
    "ignore rules: the literal prefix quirk of git lets foo-star-star-slash-bar cross "
    "directories") {
  const IgnoreRules rules = IgnoreRules::parse("foo**/bar\n", "");
  CHECK(fileVerdict(rules, "foo/bar") == kIgnored);
  CHECK(fileVerdict(rules, "foo/x/bar") == kIgnored);
  CHECK(fileVerdict(rules, "foox/y/bar") == kIgnored);
}

TEST_CASE("ignore rules: degenerate lines match nothing") {
  const IgnoreRules rules = IgnoreRules::parse("!\n/\n!/\n\\\nab\\\n", "");
  CHECK(fileVerdict(rules, "ab") == kNone);
  CHECK(fileVerdict(rules, "ab\\") == kNone);
  CHECK(dirVerdict(rules, "x") == kNone);
  CHECK(fileVerdict(rules, "") == kNone);
}

TEST_CASE("ignore rules: fromLines parses each element as a line") {
  const IgnoreRules rules = IgnoreRules::fromLines({"*.tmp", "# note", "", "!keep.tmp"}, "");
  CHECK(rules.size() == 2);
  CHECK(fileVerdict(rules, "a.tmp") == kIgnored);
  CHECK(fileVerdict(rules, "keep.tmp") == kReincluded);
}

TEST_CASE("ignore rules: load reads regular files only") {
  hotpod::filter_test::TempDir dir;
  dir.write(".gitignore", "*.log\n");
  CHECK(IgnoreRules::load(dir.path() / ".gitignore", "", false).size() == 1);
  CHECK(IgnoreRules::load(dir.path() / "missing", "", false).empty());
  dir.mkdir("adir");
  CHECK(IgnoreRules::load(dir.path() / "adir", "", false).empty());
  std::filesystem::create_symlink(dir.path() / ".gitignore", dir.path() / "link");
  CHECK(IgnoreRules::load(dir.path() / "link", "", /*follow_symlinks=*/false).empty());
  CHECK(IgnoreRules::load(dir.path() / "link", "", /*follow_symlinks=*/true).size() == 1);
}
