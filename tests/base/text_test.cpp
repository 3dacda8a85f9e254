#include "base/text.h"

#include <doctest/doctest.h>

using namespace hotpod;

TEST_CASE("lowercase changes ASCII letters only") {
  CHECK(lowercase("SIGHup-Ä") == "sighup-Ä");
  CHECK(lowercase("") == "");
}

TEST_CASE("trimmed removes the given whitespace at both ends only") {
  CHECK(trimmed("  a b \t\r\n") == "a b");
  CHECK(trimmed(" \t \n") == "");
  CHECK(trimmed("\na\n", " \t") == "\na\n");
  CHECK(trimmed(" x ", " \t") == "x");
}

TEST_CASE("joined puts the separator between words") {
  CHECK(joined({}) == "");
  CHECK(joined({"a"}) == "a");
  CHECK(joined({"a", "b", "c"}) == "a, b, c");
  CHECK(joined({"a", "b"}, " | ") == "a | b");
}

TEST_CASE("stableHash is FNV-1a: the same in every run and on every machine") {
  CHECK(stableHash("") == 0xcbf29ce484222325ull);
  CHECK(stableHash("a") == 0xaf63dc4c8601ec8cull);
  CHECK(stableHash("/src/app") != stableHash("/src/api"));
}

TEST_CASE("escapeControl writes out control characters and keeps the rest, UTF-8 included") {
  CHECK(escapeControl("plain é.go") == "plain é.go");
  CHECK(escapeControl("a\nb\tc\r") == "a\\nb\\tc\\r");
  CHECK(escapeControl("\x1b]0;TITLE\a\x1b[2J") == "\\x1b]0;TITLE\\x07\\x1b[2J");
  CHECK(escapeControl(std::string("\0\x7f", 2)) == "\\x00\\x7f");
}
