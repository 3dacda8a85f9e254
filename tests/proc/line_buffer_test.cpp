#include "proc/line_buffer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using hotpod::LineBuffer;

TEST_CASE("line buffer: splits chunks into lines, whatever the chunk boundaries") {
  LineBuffer buffer;
  std::vector<std::string> lines;
  auto collect = [&](std::string_view line) { lines.emplace_back(line); };
  buffer.feed("hel", collect);
  buffer.feed("lo\nwor", collect);
  buffer.feed("ld\r\n\nlast", collect);
  CHECK(lines == std::vector<std::string>{"hello", "world", ""});
  buffer.finish(collect);
  CHECK(lines.back() == "last");
}

TEST_CASE("line buffer: a line longer than the limit is cut, memory stays bounded") {
  LineBuffer buffer(8);
  std::vector<std::string> lines;
  buffer.feed(std::string(20, 'x') + "\n", [&](std::string_view l) { lines.emplace_back(l); });
  CHECK(lines == std::vector<std::string>{"xxxxxxxx", "xxxxxxxx", "xxxx"});
}
