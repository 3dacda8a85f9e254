#pragma once
// Splits a byte stream into lines; a line longer than max_line is cut into pieces so memory
// stays bounded whatever a child prints.
#include <functional>
#include <string>
#include <string_view>

namespace hotpod {

class LineBuffer {
 public:
  explicit LineBuffer(size_t max_line = 16 * 1024) : max_line_(max_line) {}

  void feed(std::string_view bytes, const std::function<void(std::string_view)>& on_line);
  // Emits what is left without a trailing newline.
  void finish(const std::function<void(std::string_view)>& on_line);

 private:
  size_t max_line_;
  std::string partial_;
};

}  // namespace hotpod
