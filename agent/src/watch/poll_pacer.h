#pragma once
// Keeps a poller inside its CPU budget: after each scan, the next one waits at least
// scan_cpu / budget, never less than the configured interval. The effective interval is the
// worst-case detection delay, so it is reported whenever it changes noticeably.
#include <chrono>
#include <functional>
#include <string>

namespace hotpod {

class PollPacer {
 public:
  using Ms = std::chrono::milliseconds;

  PollPacer(std::string what, Ms configured, double budget)
      : what_(std::move(what)), configured_(configured), budget_(budget), effective_(configured) {}

  // Call around one scan.
  void beginScan();
  void endScan();
  // What endScan does with the measured times (also for tests).
  void record(long long cpu_ns, long long wall_ns);

  Ms effective() const { return effective_; }
  Ms configured() const { return configured_; }
  Ms lastScanCpu() const { return last_cpu_; }
  Ms lastScanWall() const { return last_wall_; }
  void observe(std::function<void(std::chrono::nanoseconds)> observer) {
    observer_ = std::move(observer);
  }

 private:
  std::string what_;
  Ms configured_;
  double budget_;
  Ms effective_;
  Ms last_cpu_{0};
  Ms last_wall_{0};
  long long cpu_start_ns_ = 0;
  long long wall_start_ns_ = 0;
  bool reported_ = false;
  std::function<void(std::chrono::nanoseconds)> observer_;
};

}  // namespace hotpod
