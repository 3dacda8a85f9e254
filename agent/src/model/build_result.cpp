#include "model/build_result.h"

namespace hotpod {

std::string_view toString(BuildResult result) {
  switch (result) {
    case BuildResult::Succeeded:
      return "success";
    case BuildResult::Failed:
      return "failure";
    case BuildResult::TimedOut:
      return "timeout";
    case BuildResult::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace hotpod
