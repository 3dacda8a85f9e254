// The control endpoints' bearer token: parsing, comparison and where it comes from.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "http/control_token.h"
#include "http/http_server.h"

using namespace hotpod;

TEST_CASE("Authorization: Bearer is parsed strictly") {
  CHECK(bearerToken("Bearer s3cret") == "s3cret");
  CHECK(bearerToken("bearer  s3cret ") == "s3cret");  // the scheme is case-insensitive
  CHECK_FALSE(bearerToken(""));
  CHECK_FALSE(bearerToken("Bearer "));
  CHECK_FALSE(bearerToken("Basic dXNlcjpwYXNz"));
  CHECK_FALSE(bearerToken("s3cret"));
}

TEST_CASE("tokens compare equal only when identical") {
  CHECK(tokensEqual("s3cret", "s3cret"));
  CHECK_FALSE(tokensEqual("s3cret", "s3cre"));
  CHECK_FALSE(tokensEqual("s3cret", "s3cret-and-more"));
  CHECK_FALSE(tokensEqual("s3cret", "S3cret"));
  CHECK_FALSE(tokensEqual("s3cret", ""));
  CHECK_FALSE(tokensEqual("", ""));  // no token configured never matches
  // A token that repeats a shorter one must not match it.
  CHECK_FALSE(tokensEqual("abab", "ab"));
}

TEST_CASE("the token comes from HOTPOD_TOKEN, else http.token_file") {
  const auto dir = std::filesystem::temp_directory_path() / "hotpod-token-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "token";
  std::ofstream(file) << "from-file\n";
  ::chmod(file.c_str(), 0600);
  HttpConfig config;
  ::unsetenv("HOTPOD_TOKEN");
  CHECK(loadControlToken(config).value.empty());  // nothing configured: control disabled
  config.token_file = file.string();
  CHECK(loadControlToken(config).value == "from-file");
  CHECK(loadControlToken(config).source == file.string());
  ::setenv("HOTPOD_TOKEN", "from-env", 1);
  CHECK(loadControlToken(config).value == "from-env");
  CHECK(loadControlToken(config).source == "HOTPOD_TOKEN");
  ::unsetenv("HOTPOD_TOKEN");

  std::ofstream(file, std::ios::trunc) << "  \n";
  CHECK_THROWS_WITH_AS(loadControlToken(config),
                       doctest::Contains("is empty: put a long random token in it"),
                       std::runtime_error);
  config.token_file = (dir / "missing").string();
  CHECK_THROWS_WITH_AS(loadControlToken(config), doctest::Contains("cannot read http.token_file"),
                       std::runtime_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("only pages served from this machine may read the event stream cross-origin") {
  CHECK(isLocalOrigin("http://localhost:8080"));
  CHECK(isLocalOrigin("http://127.0.0.1:3000"));
  CHECK(isLocalOrigin("https://localhost"));
  CHECK(isLocalOrigin("http://[::1]:8080"));
  CHECK_FALSE(isLocalOrigin("http://localhost.evil.example"));
  CHECK_FALSE(isLocalOrigin("http://127.0.0.1.nip.io"));
  CHECK_FALSE(isLocalOrigin("https://example.com"));
  CHECK_FALSE(isLocalOrigin(""));
  CHECK_FALSE(isLocalOrigin("null"));
}
