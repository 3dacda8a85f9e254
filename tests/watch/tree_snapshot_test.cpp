#include "watch/tree_snapshot.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "support/temp_dir.h"

using namespace hotpod;

namespace {

const TreeSnapshot::DirectoryPolicy kSkipSkip = [](const std::string& dir) {
  return dir != "skip";
};

std::vector<FileEvent> rescan(TreeSnapshot& tree) {
  std::vector<FileEvent> events;
  tree.walk("", kSkipSkip, {}, &events);
  std::sort(events.begin(), events.end(),
            [](const FileEvent& a, const FileEvent& b) { return a.path < b.path; });
  return events;
}

}  // namespace

TEST_CASE("tree snapshot: scans files below the root, skipping what the policy refuses") {
  testing::TempDir dir;
  dir.write("a.txt", "a");
  dir.write("sub/b.txt", "b");
  dir.write("skip/c.txt", "c");
  std::filesystem::create_symlink("sub", dir.path() / "link");
  TreeSnapshot tree(dir.path());
  tree.walk("", kSkipSkip, {}, nullptr);
  CHECK(tree.fileCount() == 3);  // a.txt, sub/b.txt, and the symlink itself (not followed)
  CHECK(tree.find("a.txt"));
  CHECK(tree.find("sub/b.txt"));
  CHECK(tree.find("link"));
  CHECK_FALSE(tree.find("skip/c.txt"));
  CHECK(tree.find("a.txt")->size == 1);
}

TEST_CASE("tree snapshot: a re-walk reports created, modified and removed files") {
  testing::TempDir dir;
  dir.write("keep.txt", "k");
  dir.write("change.txt", "1");
  dir.write("gone.txt", "g");
  TreeSnapshot tree(dir.path());
  tree.walk("", kSkipSkip, {}, nullptr);
  dir.write("change.txt", "22");  // another size: a change even within one mtime tick
  dir.write("new.txt", "n");
  std::filesystem::remove(dir.path() / "gone.txt");
  const auto events = rescan(tree);
  REQUIRE(events.size() == 3);
  CHECK((events[0].path == "change.txt" && events[0].kind == ChangeKind::Modified));
  CHECK((events[1].path == "gone.txt" && events[1].kind == ChangeKind::Removed));
  CHECK((events[2].path == "new.txt" && events[2].kind == ChangeKind::Created));
}

TEST_CASE("tree snapshot: a file replaced by another inode with the same size and mtime counts") {
  testing::TempDir dir;
  const auto file = dir.write("f", "abc");
  struct stat before;
  REQUIRE(::stat(file.c_str(), &before) == 0);
  TreeSnapshot tree(dir.path());
  tree.walk("", kSkipSkip, {}, nullptr);
  const auto replacement = dir.write("f.new", "xyz");  // same size
  const timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, replacement.c_str(), times, 0) == 0);  // same mtime
  std::filesystem::rename(replacement, file);
  const auto events = rescan(tree);
  REQUIRE(events.size() == 1);
  CHECK((events[0].path == "f" && events[0].kind == ChangeKind::Modified));
}

TEST_CASE("tree snapshot: a symlink whose target is swapped counts as changed") {
  testing::TempDir dir;
  dir.write("..v1/app.yaml", "v: 1\n");
  dir.write("..v2/app.yaml", "v: 2\n");  // same size: only the target tells them apart
  std::filesystem::create_symlink("..v1", dir.path() / "..data");
  std::filesystem::create_symlink("..data/app.yaml", dir.path() / "app.yaml");
  TreeSnapshot tree(dir.path());
  tree.walk("", kSkipSkip, {}, nullptr);

  std::filesystem::create_symlink("..v2", dir.path() / "..tmp");
  std::filesystem::rename(dir.path() / "..tmp", dir.path() / "..data");
  std::vector<FileEvent> events;
  tree.recheckSymlinks(events);
  std::sort(events.begin(), events.end(),
            [](const FileEvent& a, const FileEvent& b) { return a.path < b.path; });
  REQUIRE(events.size() == 2);
  CHECK(events[0].path == "..data");
  CHECK(events[1].path == "app.yaml");
  CHECK((events[1].kind == ChangeKind::Modified));
  events.clear();
  tree.recheckSymlinks(events);
  CHECK(events.empty());  // reported once
}

TEST_CASE("tree snapshot: a root that is a symlink to the tree is read") {
  testing::TempDir dir;
  dir.write("tree/a.txt", "a");
  std::filesystem::create_symlink(dir.path() / "tree", dir.path() / "linkroot");
  TreeSnapshot tree(dir.path() / "linkroot");
  tree.walk("", kSkipSkip, {}, nullptr);
  CHECK(tree.fileCount() == 1);
  CHECK(tree.find("a.txt"));
}

TEST_CASE("tree snapshot: the same inode number on another device is not a rename") {
  std::vector<FileEvent> events{{"mnt/a.txt", ChangeKind::Removed, {}, 7, 1},
                                {"b.txt", ChangeKind::Created, {}, 7, 2},
                                {"c.txt", ChangeKind::Removed, {}, 9, 2},
                                {"d.txt", ChangeKind::Created, {}, 9, 2}};
  pairRenames(events);
  CHECK((events[1].kind == ChangeKind::Created));
  CHECK(events[1].from.empty());
  CHECK((events[3].kind == ChangeKind::Renamed));
  CHECK(events[3].from == "c.txt");
}
