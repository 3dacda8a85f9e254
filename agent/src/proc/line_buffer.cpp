#include "proc/line_buffer.h"

namespace hotpod {

void LineBuffer::feed(std::string_view bytes,
                      const std::function<void(std::string_view)>& on_line) {
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    const size_t room = max_line_ - partial_.size();
    if (newline != std::string_view::npos && newline <= room) {
      partial_.append(bytes.substr(0, newline));
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      on_line(partial_);
      partial_.clear();
      bytes.remove_prefix(newline + 1);
    } else if (bytes.size() < room) {
      partial_.append(bytes);
      return;
    } else {
      partial_.append(bytes.substr(0, room));
      on_line(partial_);
      partial_.clear();
      bytes.remove_prefix(room);
    }
  }
}

void LineBuffer::finish(const std::function<void(std::string_view)>& on_line) {
  if (!partial_.empty()) on_line(partial_);
  partial_.clear();
}

}  // namespace hotpod
