#pragma once
// What the world may know about the loop: an immutable snapshot the reactor publishes after
// every change and the HTTP threads read without touching pipeline state.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/build_result.h"
#include "model/loop_role.h"

namespace hotpod {

// Wall-clock time as the status reports it: unix seconds.
inline double unixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

enum class LoopPhase { Idle, Debouncing, Building, Restarting, Running, Failed };
std::string_view toString(LoopPhase phase);

struct BuildRecord {
  uint64_t number = 0;
  double started_at = 0;  // unix seconds
  double duration_seconds = 0;
  std::optional<BuildResult> result;       // nullopt while the build runs
  std::string exit;                        // "exit code 2", "" while running
  std::vector<std::string> changed_files;  // the first kMaxListedFiles
  size_t changed_count = 0;
  std::vector<std::string> output_tail;  // kept for failed builds
  std::string note;                      // e.g. "rolled back: never became ready"
};

enum class ProbeState { Off, Pending, Passed, Failed };
std::string_view toString(ProbeState state);

struct AppStatus {
  bool configured = false;
  std::string command;
  pid_t pid = 0;  // 0: not running
  bool running = false;
  double started_at = 0;
  uint64_t restarts = 0;
  std::string health_url;
  ProbeState probe = ProbeState::Off;
  std::string probe_detail;               // the last probe's answer or error
  std::optional<uint64_t> serving_build;  // the build whose output runs, when known
};

struct WatchStatus {
  std::string root;
  std::string backend;
  size_t directories = 0;
  size_t files = 0;
  size_t overflows = 0;
  size_t rescans = 0;
  double poll_interval_seconds = 0;  // 0: nothing is polled
  bool operator==(const WatchStatus&) const = default;
};

// The dev proxy (proxy:), for hotpod run without services: where it listens, where it sends
// requests, what it holds, and the version being started beside the running one (overlap).
struct ProxyStatus {
  struct Candidate {
    pid_t pid = 0;
    int port = 0;
    std::optional<uint64_t> build;  // the build it runs, when known
    double started_at = 0;          // unix seconds
    bool operator==(const Candidate&) const = default;
  };
  bool configured = false;
  std::string listen;     // "127.0.0.1:8080"
  std::string handover;   // "stop-first" or "overlap"
  bool ready = false;     // a version takes requests
  int upstream_port = 0;  // the private port requests go to (or will, once it accepts); 0: none
  std::optional<uint64_t> upstream_build;  // the build running there, when known
  std::string hold_kind;                   // while not ready: starting, building, crashed …
  std::string hold_reason;                 // … and the line held requests are told
  size_t held_now = 0;                     // requests waiting for a version right now
  uint64_t held_total = 0;                 // held requests that went on to a version
  uint64_t failed_total = 0;               // 503 after holding, 502, cut off
  uint64_t proxied_total = 0;              // responses passed through completely
  std::optional<Candidate> candidate;      // overlap: a new version not promoted yet
  bool operator==(const ProxyStatus&) const = default;
};

struct Readiness {
  bool ready = false;
  std::string reason;
};

struct StatusSnapshot {
  static constexpr size_t kMaxBuilds = 20;
  static constexpr size_t kMaxListedFiles = 50;

  std::string version;
  LoopRole role = LoopRole::Run;
  double started_at = 0;
  LoopPhase phase = LoopPhase::Idle;
  Readiness readiness;
  WatchStatus watch;
  AppStatus app;
  ProxyStatus proxy;
  std::vector<BuildRecord> builds;  // newest first
  uint64_t builds_total = 0;
  uint64_t builds_failed = 0;
  uint64_t rollbacks = 0;
  std::string last_error;
  bool first_build_succeeded = false;
  bool build_configured = false;
  // `services:`: each service's own status, by name (empty for a single app).
  std::map<std::string, std::shared_ptr<const StatusSnapshot>> services;
};

// The latest published snapshot; publish() from the loop, current() from anywhere.
class StatusBoard {
 public:
  // Loop thread only: turns what is published into what is shown (hotpod with services adds
  // theirs to its own), or hears that a service's status changed.
  using Decorator =
      std::function<std::shared_ptr<const StatusSnapshot>(std::shared_ptr<const StatusSnapshot>)>;

  StatusBoard() : current_(std::make_shared<const StatusSnapshot>()) {}
  void publish(std::shared_ptr<const StatusSnapshot> snapshot) {
    raw_ = snapshot;
    if (decorator_) snapshot = decorator_(std::move(snapshot));
    std::lock_guard lock(mutex_);
    current_ = std::move(snapshot);
  }
  void decorate(Decorator decorator) { decorator_ = std::move(decorator); }
  // Publishes the last snapshot again, through the decorator (loop thread).
  void refresh() {
    if (raw_) publish(raw_);
  }
  std::shared_ptr<const StatusSnapshot> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const StatusSnapshot> current_;
  std::shared_ptr<const StatusSnapshot> raw_;  // loop thread only
  Decorator decorator_;
};

}  // namespace hotpod
