#include "model/file_event.h"

namespace hotpod {

std::string_view toString(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::Created:
      return "created";
    case ChangeKind::Modified:
      return "modified";
    case ChangeKind::Removed:
      return "removed";
    case ChangeKind::Renamed:
      return "renamed";
  }
  return "unknown";
}

}  // namespace hotpod
