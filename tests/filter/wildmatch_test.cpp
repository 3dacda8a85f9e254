// Cases taken from git's t/t3070-wildmatch.sh (the "wildmatch" column, i.e. WM_PATHNAME).
#include "filter/wildmatch.h"

#include <doctest/doctest.h>

#include <string_view>

namespace {

struct WildCase {
  std::string_view pattern;
  std::string_view text;
  bool matches;
};

void checkCases(std::initializer_list<WildCase> cases) {
  for (const WildCase& c : cases) {
    INFO("pattern '", c.pattern, "' text '", c.text, "'");
    CHECK(hotpod::wildmatch(c.pattern, c.text) == c.matches);
  }
}

}  // namespace

TEST_CASE("wildmatch: literals and question mark and star") {
  checkCases({
      {"foo", "foo", true},
      {"bar", "foo", false},
      {"", "", true},
      {"???", "foo", true},
      {"??", "foo", false},
      {"*", "foo", true},
      {"f*", "foo", true},
      {"*f", "foo", false},
      {"*foo*", "foo", true},
      {"*ob*a*r*", "foobar", true},
      {"*ab", "aaaaaaabababab", true},
      {"foo*", "foo", true},
      {"*X*i", "abcXdefXghi", true},
      {"", "x", false},
      {"x", "", false},
  });
}

TEST_CASE("wildmatch: backslash escapes") {
  checkCases({
      {"foo\\*", "foo*", true},
      {"foo\\*bar", "foobar", false},
      {"f\\\\oo", "f\\oo", true},
      {"\\#x", "#x", true},
      {"\\!x", "!x", true},
      {"a\\", "a", false},
      {"a\\", "a\\", false},
      {"\\ ", " ", true},
  });
}

TEST_CASE("wildmatch: bracket expressions") {
  checkCases({
      {"*[al]?", "ball", true},
      {"[ten]", "ten", false},
      {"**[!te]", "ten", true},
      {"**[!ten]", "ten", false},
      {"t[a-g]n", "ten", true},
      {"t[!a-g]n", "ten", false},
      {"t[!a-g]n", "ton", true},
      {"t[^a-g]n", "ton", true},
      {"a[]]b", "a]b", true},
      {"a[]-]b", "a-b", true},
      {"a[]-]b", "a]b", true},
      {"a[]-]b", "aab", false},
      {"a[]a-]b", "aab", true},
      {"]", "]", true},
      {"[abc", "a", false},
      {"x[a-c].txt", "xb.txt", true},
      {"x[a-c].txt", "xd.txt", false},
      {"[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true},
      {"[[:digit:][:upper:][:space:]]", "a", false},
      {"[[:digit:][:upper:][:space:]]", "A", true},
      {"[a-c[:digit:]x-z]", "5", true},
      {"[a-c[:digit:]x-z]", "q", false},
      {"[[:xdigit:]]", "f", true},
      {"[[:nope:]]", "a", false},
      {"[[:punct:]]", "!", true},
  });
}

TEST_CASE("wildmatch: slash is only matched literally or by double star") {
  checkCases({
      {"foo*bar", "foo/baz/bar", false},
      {"foo**bar", "foo/baz/bar", false},
      {"foo**bar", "foobazbar", true},
      {"foo?bar", "foo/bar", false},
      {"foo[/]bar", "foo/bar", false},
      {"foo[^a-z]bar", "foo/bar", false},
      {"f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo/bar", false},
      {"f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo-bar", true},
      {"foo/*", "foo/bar/baz", false},
      {"*/*/*", "foo/bba/arr", true},
      {"*/*/*", "foo/bb/aa/rr", false},
      {"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1",
       true},
      {"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*",
       "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", true},
  });
}

TEST_CASE("wildmatch: double star forms") {
  checkCases({
      {"foo/**/bar", "foo/baz/bar", true},
      {"foo/**/**/bar", "foo/baz/bar", true},
      {"foo/**/bar", "foo/b/a/z/bar", true},
      {"foo/**/bar", "foo/bar", true},
      {"foo/**/**/bar", "foo/b/a/z/bar", true},
      {"**/foo", "foo", true},
      {"**/foo", "XXX/foo", true},
      {"**/foo", "bar/baz/foo", true},
      {"*/foo", "bar/baz/foo", false},
      {"**/bar*", "foo/bar/baz", false},
      {"**/bar/*", "deep/foo/bar/baz", true},
      {"**/bar/*", "deep/foo/bar/baz/", false},
      {"**/bar/**", "deep/foo/bar/baz/", true},
      {"**/bar/*", "deep/foo/bar", false},
      {"**/bar/**", "deep/foo/bar/", true},
      {"**/bar**", "foo/bar/baz", false},
      {"*/bar/**", "foo/bar/baz/x", true},
      {"*/bar/**", "deep/foo/bar/baz/x", false},
      {"**/bar/*/*", "deep/foo/bar/baz/x", true},
      {"**/**/**", "foo/bb/aa/rr", true},
      {"foo/**", "foo", false},
      {"foo/**", "foo/a/b", true},
      {"**", "a/b/c", true},
      {"a/**/b", "a/x/y/b", true},
  });
}

TEST_CASE("wildmatch: embedded NUL ends the string and malformed patterns never crash") {
  using namespace std::string_view_literals;
  CHECK(hotpod::wildmatch("ab"sv, "ab\0cd"sv));
  CHECK_FALSE(hotpod::wildmatch("[a"sv, "a"sv));
  CHECK_FALSE(hotpod::wildmatch("[[:alpha:"sv, "a"sv));
  CHECK_FALSE(hotpod::wildmatch("[\\"sv, "a"sv));
}
