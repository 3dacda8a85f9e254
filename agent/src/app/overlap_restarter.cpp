#include "app/overlap_restarter.h"

#include <algorithm>

#include "base/log.h"

namespace hotpod {

OverlapRestarter::OverlapRestarter(Reactor& reactor, Reaper& reaper,
                                   std::function<RunConfig(int)> make_run,
                                   std::filesystem::path root, AppSupervisorOptions options,
                                   std::array<int, 2> ports, OverlapEvents events)
    : reactor_(reactor),
      reaper_(reaper),
      make_run_(std::move(make_run)),
      root_(std::move(root)),
      options_(std::move(options)),
      ports_(ports),
      events_(std::move(events)),
      configured_(!make_run_(ports[0]).cmd.empty()) {}

OverlapRestarter::~OverlapRestarter() = default;

std::unique_ptr<AppSupervisor> OverlapRestarter::make(int port) {
  AppSupervisorOptions options = options_;
  options.listenOn(port);
  auto self = std::make_shared<const AppSupervisor*>(nullptr);  // set once it exists
  // Events reach the loop only from the promoted version; a candidate's go to the proxy.
  options.observer.started = [this, self, port](pid_t pid) {
    if (*self == active_.get()) {
      if (options_.observer.started) options_.observer.started(pid);
    } else if (*self == candidate_.get() && events_.candidate_started) {
      events_.candidate_started(pid, port);
    }
  };
  options.observer.ended = [this, self](const AppEnd& end) {
    if (*self == active_.get()) {
      if (options_.observer.ended) options_.observer.ended(end);
    } else if (*self == candidate_.get()) {
      abandon("the new version " + end.exit.describe() + " before it was ready");
    }
  };
  options.observer.start_failed = [this, self](int error, auto restart_in) {
    if (*self == active_.get()) {
      if (options_.observer.start_failed) options_.observer.start_failed(error, restart_in);
    } else if (*self == candidate_.get()) {
      abandon("the new version could not start");
    }
  };
  auto supervisor = std::make_unique<AppSupervisor>(reactor_, reaper_, make_run_(port), root_,
                                                    std::move(options));
  *self = supervisor.get();
  return supervisor;
}

void OverlapRestarter::restart(std::string_view reason) {
  if (!configured_ || stopping_) return;
  if (!active_ || !active_->running()) {
    // Nothing serves: a plain (re)start of the current slot.
    if (!active_) {
      active_port_ = ports_[0];
      active_ = make(active_port_);
    }
    active_->restart(reason);
    return;
  }
  if (candidate_) retire(std::move(candidate_), "a newer version replaces it");
  candidate_port_ = active_port_ == ports_[0] ? ports_[1] : ports_[0];
  candidate_ = make(candidate_port_);
  log::info("app_candidate",
            "starting the new version on port " + std::to_string(candidate_port_) +
                " while the current one serves: " + std::string(reason),
            {{"port", int64_t{candidate_port_}}});
  candidate_->restart(reason);
}

void OverlapRestarter::promote() {
  if (!candidate_) return;
  auto old = std::move(active_);
  active_ = std::move(candidate_);
  active_port_ = candidate_port_;
  log::info("app_promoted",
            "the new version (pid " + std::to_string(active_->pid()) + ", port " +
                std::to_string(active_port_) + ") is ready and takes the requests",
            {{"pid", int64_t{active_->pid()}}, {"port", int64_t{active_port_}}});
  if (old) retire(std::move(old), "replaced by the new version");
  if (options_.observer.started) options_.observer.started(active_->pid());
}

void OverlapRestarter::abandon(const std::string& why) {
  if (!candidate_) return;
  log::error("app_candidate_failed",
             "the new version is stopped: " + why + "; the current version keeps serving",
             {{"reason", why}});
  retire(std::move(candidate_), "abandoned");
  if (events_.candidate_failed) events_.candidate_failed(why);
}

void OverlapRestarter::retire(std::unique_ptr<AppSupervisor> supervisor, const char* why) {
  AppSupervisor* raw = supervisor.get();
  retiring_.push_back(std::move(supervisor));
  log::debug("app_retiring", std::string("stopping a version: ") + why);
  raw->stop([this, raw] {
    // Destroyed after the supervisor's own callback has returned.
    reactor_.post([this, raw] {
      std::erase_if(retiring_, [raw](const auto& s) { return s.get() == raw; });
      maybeStopped();
    });
  });
}

void OverlapRestarter::stop(std::function<void()> on_stopped) {
  stopping_ = true;
  on_stopped_ = std::move(on_stopped);
  if (candidate_) retire(std::move(candidate_), "hotpod is stopping");
  // The version in service stays the app: its observer hears how it ended (hotpod exec exits
  // with that status).
  if (active_) {
    active_->stop([this] {
      active_stopped_ = true;
      maybeStopped();
    });
  } else {
    active_stopped_ = true;
  }
  maybeStopped();
}

void OverlapRestarter::maybeStopped() {
  if (!stopping_ || !active_stopped_ || !retiring_.empty() || !on_stopped_) return;
  auto done = std::move(on_stopped_);
  done();
}

}  // namespace hotpod
