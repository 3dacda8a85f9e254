#include "migrate/located_json.h"

#include <doctest/doctest.h>

#include "model/config_error.h"

using hotpod::ConfigError;
using hotpod::LocatedJson;
using Pointer = nlohmann::json::json_pointer;

TEST_CASE("each value's position is where it starts, in characters") {
  const auto doc = LocatedJson::parse(
      "{\n  \"watch\": [\"src\", 12,\n    {\"a\": true}],\n  \"é\": \"é\", \"n\": null\n}\n", "f");
  CHECK(doc.root()["watch"][1] == 12);
  const auto at = [&](const char* pointer) {
    const auto p = doc.positionOf(Pointer(pointer));
    return std::pair{p.line, p.column};
  };
  CHECK(at("") == std::pair{1, 1});
  CHECK(at("/watch") == std::pair{2, 12});
  CHECK(at("/watch/0") == std::pair{2, 13});
  CHECK(at("/watch/1") == std::pair{2, 20});
  CHECK(at("/watch/2") == std::pair{3, 5});
  CHECK(at("/watch/2/a") == std::pair{3, 11});
  CHECK(at("/é") == std::pair{4, 8});  // "é" is one character, two bytes
  CHECK(at("/n") == std::pair{4, 18});
  CHECK(doc.positionOf(Pointer("/missing")).line == 0);
}

TEST_CASE("text that is not JSON is a ConfigError at the place the parser stopped") {
  try {
    LocatedJson::parse("{\n  \"watch\": ['src']\n}\n", "nodemon.json");
    FAIL("no error");
  } catch (const ConfigError& error) {
    CHECK(error.file() == "nodemon.json");
    CHECK(error.line() == 2);
    CHECK(error.column() == 13);
    CHECK(std::string(error.what()).find("invalid JSON") != std::string::npos);
  }
}
