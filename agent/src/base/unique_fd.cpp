#include "base/unique_fd.h"

#include <system_error>
#include <thread>

namespace hotpod {

void closeOffThread(UniqueFd fd) {
  if (!fd) return;
  try {
    std::thread([held = std::move(fd)]() mutable { held.reset(); }).detach();
  } catch (const std::system_error&) {
    // No thread to spare (EAGAIN): the lambda, and with it the fd, was closed here instead.
  }
}

}  // namespace hotpod
