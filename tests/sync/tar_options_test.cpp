#include "sync/tar_options.h"

#include <doctest/doctest.h>

using namespace hotpod;

namespace {
std::string refusal(const std::vector<std::string>& args) {
  try {
    parseTarArguments(args);
  } catch (const TarUsageError& e) {
    return e.what();
  }
  return "(accepted)";
}
}  // namespace

TEST_CASE("tar options: Skaffold's traditional bundle `xmf - -C / --no-same-owner`") {
  const auto options = parseTarArguments({"xmf", "-", "-C", "/", "--no-same-owner"});
  CHECK(options.mode == TarMode::Extract);
  CHECK(options.touch);
  CHECK(options.file == "-");
  CHECK(options.directory == "/");
  CHECK(options.no_same_owner);
  CHECK(options.members.empty());
}

TEST_CASE("tar options: kubectl cp's extract and copy-out lines") {
  const auto in = parseTarArguments(
      {"--no-same-permissions", "--no-same-owner", "-xmf", "-", "-C", "/app/data"});
  CHECK(in.mode == TarMode::Extract);
  CHECK(in.no_same_permissions);
  CHECK(in.no_same_owner);
  CHECK(in.touch);
  CHECK(in.directory == "/app/data");

  const auto out = parseTarArguments({"cf", "-", "/app/data/report.txt"});
  CHECK(out.mode == TarMode::Create);
  CHECK(out.file == "-");
  REQUIRE(out.members.size() == 1);
  CHECK(out.members[0].name == "/app/data/report.txt");
}

TEST_CASE("tar options: Tilt's and compose watch's `-C / -x -f -` and `-v -C / -x -f -`") {
  const auto tilt = parseTarArguments({"-C", "/", "-x", "-f", "-"});
  CHECK(tilt.mode == TarMode::Extract);
  CHECK(tilt.directory == "/");
  CHECK(tilt.file == "-");
  CHECK_FALSE(tilt.touch);
  const auto compose = parseTarArguments({"-v", "-C", "/", "-x", "-f", "-"});
  CHECK(compose.verbose == 1);
}

TEST_CASE("tar options: attached arguments and long forms with =") {
  const auto options = parseTarArguments({"-xzf-", "-C/srv", "--file=archive.tgz", "--verbose"});
  CHECK(options.gzip);
  CHECK(options.directory == "/srv");
  CHECK(options.file == "archive.tgz");
  CHECK(options.verbose == 1);
  const auto create = parseTarArguments({"--create", "--file", "-", "-C", "/src", "a", "b"});
  REQUIRE(create.members.size() == 2);
  CHECK(create.members[1].directory == "/src");
}

TEST_CASE("tar options: anything unsupported is refused by its name") {
  CHECK(refusal({"-xjf", "-"}).find("'-j'") != std::string::npos);
  CHECK(refusal({"-x", "--overwrite"}).find("'--overwrite'") != std::string::npos);
  CHECK(refusal({"xkf", "-"}).find("'-k'") != std::string::npos);
  CHECK(refusal({"-x", "--strip-components=1"}).find("'--strip-components'") != std::string::npos);
  CHECK(refusal({"-x", "-f"}).find("'-f' requires an argument") != std::string::npos);
  CHECK(refusal({"-f", "-"}).find("one of -x, -c or -t") != std::string::npos);
  CHECK(refusal({"-x", "-c"}).find("more than one") != std::string::npos);
  CHECK(refusal({"-xf", "-", "some/member"}).find("'some/member'") != std::string::npos);
  CHECK(refusal({"-c", "-f", "-"}).find("empty archive") != std::string::npos);
}
