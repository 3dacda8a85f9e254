#include "base/files.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include "support/temp_dir.h"

using namespace hotpod;

namespace {

std::string readAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

size_t entriesIn(const std::filesystem::path& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_.empty() ? ::unsetenv(name_) : ::setenv(name_, old_.c_str(), 1); }

 private:
  const char* name_;
  std::string old_;
};

}  // namespace

TEST_CASE("replacing a file is atomic: a reader's open file keeps the old content") {
  hotpod::testing::TempDir dir;
  const auto path = dir.path() / "exec.json";
  replaceFileAtomically(path, "old\n");
  std::ifstream reader(path);  // opened before the replacement, like a slow reader
  struct stat before {};
  REQUIRE(::stat(path.c_str(), &before) == 0);

  replaceFileAtomically(path, "new\n");
  struct stat after {};
  REQUIRE(::stat(path.c_str(), &after) == 0);
  // A rename puts a new inode in place; writing in place would keep the inode and let a
  // reader see a half-written file.
  CHECK(before.st_ino != after.st_ino);
  std::string old_text;
  std::getline(reader, old_text);
  CHECK(old_text == "old");
  CHECK(readAll(path) == "new\n");
  CHECK(entriesIn(dir.path()) == 1);      // no temp file left behind
  CHECK((after.st_mode & 0777) == 0644);  // readable by an agent under another UID
}

TEST_CASE("a private file gets the mode it asks for") {
  hotpod::testing::TempDir dir;
  const auto path = dir.path() / "journal";
  replaceFileAtomically(path, "1 2\n", 0600);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a replacement without fsync (Durable::No) is just as atomic") {
  hotpod::testing::TempDir dir;
  const auto path = dir.path() / "journal";
  replaceFileAtomically(path, "1 2\n", 0600, {}, Durable::No);
  struct stat before {};
  REQUIRE(::stat(path.c_str(), &before) == 0);
  replaceFileAtomically(path, "3 4\n", 0600, {}, Durable::No);
  struct stat after {};
  REQUIRE(::stat(path.c_str(), &after) == 0);
  CHECK(before.st_ino != after.st_ino);  // renamed into place, never written in place
  CHECK(readAll(path) == "3 4\n");
  CHECK(entriesIn(dir.path()) == 1);
  CHECK((after.st_mode & 0777) == 0600);
}

TEST_CASE("a file that cannot be written names the directory and the advice") {
  hotpod::testing::TempDir dir;
  try {
    replaceFileAtomically(dir.path() / "missing" / "x", "text", 0644, "choose another path");
    FAIL("no error");
  } catch (const std::system_error& error) {
    const std::string message = error.what();
    CHECK(message.find((dir.path() / "missing").string()) != std::string::npos);
    CHECK(message.find("choose another path") != std::string::npos);
  }
  CHECK(entriesIn(dir.path()) == 0);
}

TEST_CASE("copying a program keeps its permissions and replaces the target atomically") {
  hotpod::testing::TempDir dir;
  const auto from = dir.write("new-app", std::string(200'000, 'x'));
  std::filesystem::permissions(from, std::filesystem::perms(0750));
  const auto to = dir.write("app", "old");
  struct stat before {};
  REQUIRE(::stat(to.c_str(), &before) == 0);
  copyFileAtomically(from, to);
  struct stat after {};
  REQUIRE(::stat(to.c_str(), &after) == 0);
  CHECK(before.st_ino != after.st_ino);
  CHECK((after.st_mode & 0777) == 0750);
  CHECK(readAll(to) == std::string(200'000, 'x'));
  CHECK(entriesIn(dir.path()) == 2);
}

TEST_CASE("the temp and runtime directories follow TMPDIR and XDG_RUNTIME_DIR") {
  {
    ScopedEnv tmp("TMPDIR", nullptr);
    ScopedEnv runtime("XDG_RUNTIME_DIR", nullptr);
    CHECK(tempDirectory() == "/tmp");
    CHECK(runtimeDirectory() == "/tmp");
  }
  ScopedEnv tmp("TMPDIR", "/var/tmp/x");
  {
    ScopedEnv runtime("XDG_RUNTIME_DIR", "");
    CHECK(tempDirectory() == "/var/tmp/x");
    CHECK(runtimeDirectory() == "/var/tmp/x");
  }
  ScopedEnv runtime("XDG_RUNTIME_DIR", "/run/user/1000");
  CHECK(runtimeDirectory() == "/run/user/1000");
}

TEST_CASE("only a regular file is replaced: a FIFO, a symlink or a device is refused and kept") {
  hotpod::testing::TempDir dir;
  const auto fifo = dir.path() / "state.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  try {
    replaceFileAtomically(fifo, "{}\n");
    FAIL("no error");
  } catch (const std::system_error& error) {
    CHECK(std::string(error.what()).find(fifo.string() + " is a named pipe (FIFO)") !=
          std::string::npos);
  }
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));

  const auto target = dir.write("real", "keep");
  const auto link = dir.path() / "link";
  std::filesystem::create_symlink(target, link);
  CHECK_THROWS_AS(replaceFileAtomically(link, "x"), std::system_error);
  CHECK(std::filesystem::is_symlink(link));
  CHECK(readAll(target) == "keep");

  if (::geteuid() == 0) {  // a copy of /dev/full, as the issue reproduced it
    const auto device = dir.path() / "full";
    REQUIRE(::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0);
    CHECK_THROWS_WITH(replaceFileAtomically(device, "x"),
                      doctest::Contains("is a character device"));
    REQUIRE(::lstat(device.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  } else {
    MESSAGE("SKIPPED: the character-device case needs root (mknod)");
  }
  CHECK(entriesIn(dir.path()) == 4);  // no temp file left behind
}

TEST_CASE("a private directory is made 0700, and a planted one is refused") {
  testing::TempDir dir;
  const auto made = dir.path() / "mine";
  CHECK(privateDirectory(made) == made);
  struct stat st;
  REQUIRE(::lstat(made.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(privateDirectory(made) == made);  // again: already fine

  ::chmod(made.c_str(), 0755);  // ours, nobody else could write: narrowed
  privateDirectory(made);
  REQUIRE(::lstat(made.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  const auto open = dir.path() / "open";
  ::mkdir(open.c_str(), 0777);
  ::chmod(open.c_str(), 01777);
  CHECK_THROWS_WITH_AS(privateDirectory(open), doctest::Contains("group or others may write"),
                       std::system_error);

  const auto link = dir.path() / "link";
  std::filesystem::create_symlink(made, link);
  CHECK_THROWS_WITH_AS(privateDirectory(link), doctest::Contains("is a symlink"),
                       std::system_error);

  if (::geteuid() == 0) {  // as root, a directory of another user can be made for real
    const auto foreign = dir.path() / "foreign";
    ::mkdir(foreign.c_str(), 0700);
    REQUIRE(::chown(foreign.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(privateDirectory(foreign), doctest::Contains("belongs to UID 65534"),
                         std::system_error);
  }
}
