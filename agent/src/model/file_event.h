#pragma once
// One change to one file below the watched root, as a watch backend reports it.
#include <cstdint>
#include <string>
#include <string_view>

namespace hotpod {

enum class ChangeKind { Created, Modified, Removed, Renamed };
std::string_view toString(ChangeKind kind);

struct FileEvent {
  std::string path;  // relative to the root, '/'-separated
  ChangeKind kind;
  std::string from;     // for Renamed: the old path when known
  uint64_t inode = 0;   // set by scans, so a removal and a creation can be paired into a rename
  uint64_t device = 0;  // with inode: the same inode number on another mount is another file
};

}  // namespace hotpod
