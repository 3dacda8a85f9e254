#pragma once
// An app that wants the port hotpod's own HTTP server holds fails with "address already in use"
// and crash-loops, and nothing in its output says who holds the port. When an app line says its
// address is in use, hotpod says (once) that it listens on that port itself and how to move.
#include <functional>
#include <string_view>

namespace hotpod {

class PortClashHint {
 public:
  // `hotpod_port`: the port hotpod's HTTP server bound (0: none).
  explicit PortClashHint(std::function<int()> hotpod_port) : port_(std::move(hotpod_port)) {}

  void appLine(std::string_view line);

 private:
  std::function<int()> port_;
  bool said_ = false;
};

// Whether `line` mentions `port` as a number of its own (":8080", " 8080", not "18080").
bool mentionsPort(std::string_view line, int port);

}  // namespace hotpod
