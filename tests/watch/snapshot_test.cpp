#include "watch/snapshot.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "support/temp_dir.h"

using namespace hotpod;

namespace {
Snapshot scan(const std::filesystem::path& root) {
  Snapshot out;
  scanTree(root, "", out, [](const std::string& dir) { return dir != "skip"; });
  return out;
}
}  // namespace

TEST_CASE("snapshot: scans files below the root, skipping what the policy refuses") {
  testing::TempDir tree;
  tree.write("a.txt", "a");
  tree.write("sub/b.txt", "b");
  tree.write("skip/c.txt", "c");
  std::filesystem::create_symlink("sub", tree.path() / "link");
  const auto snapshot = scan(tree.path());
  CHECK(snapshot.size() == 3);  // a.txt, sub/b.txt, and the symlink itself (not followed)
  CHECK(snapshot.contains("a.txt"));
  CHECK(snapshot.contains("sub/b.txt"));
  CHECK(snapshot.contains("link"));
  CHECK(snapshot.at("a.txt").size == 1);
}

TEST_CASE("snapshot: diff reports created, modified and removed files") {
  testing::TempDir tree;
  tree.write("keep.txt", "k");
  tree.write("change.txt", "1");
  tree.write("gone.txt", "g");
  const auto before = scan(tree.path());
  tree.write("change.txt", "22");  // another size: a change even within one mtime tick
  tree.write("new.txt", "n");
  std::filesystem::remove(tree.path() / "gone.txt");
  auto events = diffSnapshots(before, scan(tree.path()));
  std::sort(events.begin(), events.end(),
            [](const FileEvent& a, const FileEvent& b) { return a.path < b.path; });
  REQUIRE(events.size() == 3);
  CHECK((events[0].path == "change.txt" && events[0].kind == ChangeKind::Modified));
  CHECK((events[1].path == "gone.txt" && events[1].kind == ChangeKind::Removed));
  CHECK((events[2].path == "new.txt" && events[2].kind == ChangeKind::Created));
}

TEST_CASE("snapshot: a file replaced by another inode with the same size and mtime counts") {
  FileState a{1000, 5, 42, 0100644};
  FileState b = a;
  b.inode = 43;
  Snapshot before{{"f", a}}, after{{"f", b}};
  const auto events = diffSnapshots(before, after);
  REQUIRE(events.size() == 1);
  CHECK((events[0].kind == ChangeKind::Modified));
}
