#include "model/config_error.h"

#include <doctest/doctest.h>

#include "config/key_suggestions.h"
#include "model/config.h"
#include "model/listen_address.h"

using namespace hotpod;

TEST_CASE("ConfigError says file, position, key, problem and hint on one line") {
  ConfigError error("hotpod.yaml", 4, 3, "watch.delai", "unknown key",
                    "did you mean 'watch.delay'?");
  CHECK(std::string(error.what()) ==
        "hotpod.yaml:4:3: watch.delai: unknown key; did you mean 'watch.delay'?");
  CHECK(error.file() == "hotpod.yaml");
  CHECK(error.line() == 4);
  CHECK(error.column() == 3);
  CHECK(error.key() == "watch.delai");
  CHECK(error.problem() == "unknown key");
  CHECK(error.hint() == "did you mean 'watch.delay'?");
}

TEST_CASE("ConfigError leaves out what it does not know") {
  CHECK(std::string(ConfigError("a.yaml", 0, 0, "watch.delay", "bad").what()) ==
        "a.yaml: watch.delay: bad");
  CHECK(std::string(ConfigError("a.yaml", 0, 0, "", "not found", "run init").what()) ==
        "a.yaml: not found; run init");
  CHECK(std::string(ConfigError("", 0, 0, "run.cmd", "empty").what()) == "run.cmd: empty");
}

TEST_CASE("Command::display shows shell text as written") {
  CHECK(Command::shell("make && ./app 'x y'").display() == "make && ./app 'x y'");
}

TEST_CASE("Command::display quotes direct arguments only when needed") {
  CHECK(Command::direct({"./app", "--port", "8080"}).display() == "./app --port 8080");
  CHECK(Command::direct({"echo", "a b", ""}).display() == "echo 'a b' ''");
  CHECK(Command::direct({"echo", "it's", "$HOME", "a*"}).display() ==
        "echo 'it'\\''s' '$HOME' 'a*'");
  CHECK(Command::direct({"env", "A=1", "x@y:z/w,v%"}).display() == "env A=1 x@y:z/w,v%");
  CHECK(Command{}.display().empty());
}

TEST_CASE("parseListenAddress reads HOST:PORT forms") {
  auto address = parseListenAddress("127.0.0.1:8080");
  REQUIRE(address);
  CHECK(address->host == "127.0.0.1");
  CHECK(address->port == 8080);
  CHECK(parseListenAddress(":9000")->host == "0.0.0.0");
  CHECK(parseListenAddress("localhost:1")->port == 1);
  CHECK(parseListenAddress("[::1]:65535")->host == "::1");
  CHECK(formatListenAddress({"::1", 80}) == "[::1]:80");
  CHECK(formatListenAddress({"0.0.0.0", 80}) == "0.0.0.0:80");
}

TEST_CASE("parseListenAddress says what is wrong") {
  std::string problem;
  CHECK_FALSE(parseListenAddress("8080", &problem));
  CHECK(problem == "missing ':PORT'");
  for (const char* text : {"host:65536", "host:", "host:http", "host:-1", "h:123456"}) {
    CAPTURE(text);
    CHECK_FALSE(parseListenAddress(text, &problem));
    CHECK(problem == "the port must be a number from 0 (any free port) to 65535");
  }
  CHECK(parseListenAddress("127.0.0.1:0")->port == 0);  // any free port; the log names it
  CHECK_FALSE(parseListenAddress("::1:80", &problem));
  CHECK(problem == "an IPv6 host must be written in brackets");
  CHECK_FALSE(parseListenAddress("my host:80", &problem));
  CHECK(problem == "the host contains spaces");
  CHECK_FALSE(parseListenAddress("[::1:80"));
  // Found by fuzzing: hosts that could not be written back the way they were read.
  CHECK_FALSE(parseListenAddress("[[;IGHUP21]:80", &problem));
  CHECK(problem == "'[;IGHUP21' is not an IPv6 address");
  CHECK_FALSE(parseListenAddress("[localhost]:80", &problem));
  CHECK_FALSE(parseListenAddress("a/b:80", &problem));
  CHECK(problem == "a host name has only letters, digits, '.', '-' and '_'");
  CHECK(parseListenAddress("[fe80::1%eth0]:80")->host == "fe80::1%eth0");
  CHECK(parseListenAddress("[::ffff:127.0.0.1]:80")->host == "::ffff:127.0.0.1");
}

TEST_CASE("editDistance counts typos, swaps count once, case is ignored") {
  CHECK(editDistance("delay", "delay") == 0);
  CHECK(editDistance("delai", "delay") == 1);
  CHECK(editDistance("dealy", "delay") == 1);
  CHECK(editDistance("Delay", "delay") == 0);
  CHECK(editDistance("", "abc") == 3);
  CHECK(editDistance("kitten", "sitting") == 3);
}

TEST_CASE("unknownKeyHint suggests keys of the section, then of other sections") {
  CHECK(unknownKeyHint("watch", "delai") == "did you mean 'watch.delay'?");
  CHECK(unknownKeyHint("watch", "maxDelay") == "did you mean 'watch.max_delay'?");
  CHECK(unknownKeyHint("", "delay") == "did you mean 'watch.delay'?");
  CHECK(unknownKeyHint("", "cmd") == "did you mean 'build.cmd' or 'run.cmd'?");
  CHECK(unknownKeyHint("build", "watch") == "did you mean 'watch'?");
  CHECK(unknownKeyHint("run", "stop_sigal") == "did you mean 'run.stop_signal'?");
  CHECK(unknownKeyHint("", "hhtp") == "did you mean 'http'?");
  CHECK(unknownKeyHint("", "watch.delay") ==
        "write it nested: 'watch:' with 'delay:' indented below it");
}

TEST_CASE("unknownKeyHint lists the section's keys when nothing is close") {
  CHECK(unknownKeyHint("log", "colour") == "valid keys in 'log': format, level");
  CHECK(unknownKeyHint("http", "port") ==
        "valid keys in 'http': listen, token_file, allowed_hosts, ready_while_building, "
        "ready_after_failed_build");  // not 'root'

  CHECK(unknownKeyHint("", "frobnicate") ==
        "valid top-level keys: root, watch, build, run, log, http, app, notify, audit, target, "
        "proxy, rules, services");
}
