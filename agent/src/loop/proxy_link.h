#pragma once
// The dev proxy in the loop (proxy:): gives the app its private port (PORT and HOST=127.0.0.1,
// or {port} in run.cmd) and tells the proxy what the loop knows — a build started or failed, the
// app is being restarted, started, or crashed — so that it holds requests exactly while no
// version can answer, and says why when the wait is over. With handover: overlap the app runs
// in two slots (OverlapRestarter): a new version is probed on its own port (app.health_url's
// path, else a connect) and promoted once ready, or stopped if it never gets there.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "app/app_supervisor.h"
#include "app/overlap_restarter.h"
#include "base/reactor.h"
#include "base/timer.h"
#include "build/builder.h"
#include "model/config.h"
#include "observe/loop_state.h"
#include "observe/metrics.h"
#include "observe/proxy_metrics.h"
#include "observe/status.h"
#include "proxy/dev_proxy.h"
#include "proxy/overlap_gate.h"

namespace hotpod {

class ProxyLink {
 public:
  // Without proxy.listen this does nothing. Otherwise it listens at once (throws when it
  // cannot) and picks the app's private port(s).
  ProxyLink(Reactor& reactor, const Config& config);
  ~ProxyLink();

  bool enabled() const { return proxy_ != nullptr; }
  // The app's restarter for hotpod run: an AppSupervisor with the private port in its
  // environment and run.cmd, or, for overlap, an OverlapRestarter. `options.observer` is the
  // loop's; the proxy hears of the app first.
  std::unique_ptr<AppRestarter> makeApp(Reaper& reaper, RunConfig run,
                                        const std::filesystem::path& root,
                                        AppSupervisorOptions options);
  // A new version did not become ready (overlap): for the status.
  void onCandidateFailed(std::function<void(const std::string& why)> report) {
    candidate_failed_ = std::move(report);
  }

  // Counts requests in hotpod's metrics from now on, and tells `state` what the proxy does (for
  // /v1/status): at once when it switches versions or starts a candidate, at most every
  // kStatusInterval for the request counts.
  static constexpr std::chrono::milliseconds kStatusInterval{250};
  void reportTo(Metrics& metrics, LoopState& state);
  // The loop calls this after each of its turns: the counts may have changed.
  void afterTurn();

  void buildStarted(uint64_t number);
  void buildFinished(const BuildOutcome& outcome, bool app_running);
  // The app is to be restarted: stop-first holds requests from now on and calls `restart` once
  // the answers under way are through; overlap keeps the running version serving and calls it
  // at once, as it does without a proxy.
  void restarting(std::string_view why, bool app_running, std::function<void()> restart);
  void stopping();

  DevProxy* proxy() { return proxy_.get(); }

  // The version label (metrics) of an app started without a build of this hotpod.
  static constexpr std::string_view kUnbuilt = "unbuilt";

 private:
  AppObserver wrap(AppObserver observer);
  void candidateStarted(pid_t pid, int port);
  ProxyStatus sample() const;
  // The label of the version the app's next start runs: its build number.
  std::string version() const;
  void publishStatus();

  Reactor& reactor_;
  const ProxyConfig config_;
  const AppConfig app_config_;
  std::unique_ptr<DevProxy> proxy_;
  std::array<int, 2> ports_{0, 0};
  OverlapRestarter* overlap_ = nullptr;  // owned by the loop, when handover is overlap
  std::unique_ptr<OverlapGate> gate_;    // overlap: the candidate's probe
  std::unique_ptr<ProxyMetrics> metrics_;
  std::function<void(const std::string&)> candidate_failed_;
  // What the status shows.
  std::string listen_;
  LoopState* state_ = nullptr;
  Timer report_timer_;
  ProxyStatus reported_;
  std::chrono::steady_clock::time_point reported_at_{};
  std::optional<ProxyStatus::Candidate> candidate_;
  uint64_t held_total_ = 0;
  uint64_t failed_total_ = 0;
  uint64_t proxied_total_ = 0;
};

}  // namespace hotpod
