#include "loop/app_health.h"

#include "base/log.h"

namespace hotpod {

AppHealth::AppHealth(Reactor& reactor, const Config& config, const std::filesystem::path& root,
                     const std::filesystem::path& scratch, LoopState& state, AppRestarter& app)
    : config_(config.app),
      state_(state),
      app_(app),
      probe_(reactor, config.app,
             [this](uint64_t start, ProbeVerdict verdict, const std::string& detail) {
               onVerdict(start, verdict, detail);
             }),
      artifacts_(root, config.app.rollback ? config.build.artifacts : std::vector<std::string>{},
                 scratch / "last-good") {}

void AppHealth::started(pid_t pid) {
  if (!probe_.configured()) return;
  start_ = probe_.watchStart();
  log::debug("probe_started",
             "probing " + probe_.url() + " for the app (pid " + std::to_string(pid) + ")");
}

void AppHealth::gone() {
  if (probe_.configured()) probe_.pause();
  start_ = 0;
}

void AppHealth::onVerdict(uint64_t start, ProbeVerdict verdict, const std::string& detail) {
  if (start != start_) return;  // about a process that is gone
  state_.probeVerdict(verdict, detail);
  const std::string pid = std::to_string(app_.pid());
  switch (verdict) {
    case ProbeVerdict::Ready:
    case ProbeVerdict::Recovered:
      log::info("app_ready",
                "the app (pid " + pid + ") answers " + probe_.url() + " (" + detail + ")",
                {{"pid", int64_t{app_.pid()}}, {"url", probe_.url()}});
      keepIfGood();
      break;
    case ProbeVerdict::Failing:
      log::warn(
          "app_unhealthy",
          "the app (pid " + pid + ") stopped answering " + probe_.url() + " with 2xx: " + detail,
          {{"pid", int64_t{app_.pid()}}, {"detail", detail}});
      break;
    case ProbeVerdict::NeverReady:
      log::error("app_not_ready",
                 "the app (pid " + pid + ") did not answer " + probe_.url() + " with 2xx within " +
                     std::to_string(config_.ready_timeout.count()) +
                     "ms (app.ready_timeout): " + detail,
                 {{"pid", int64_t{app_.pid()}}, {"detail", detail}});
      if (config_.rollback)
        rollBack("it never answered " + probe_.url() + " with 2xx (" + detail + ")");
      break;
  }
}

void AppHealth::keepIfGood() {
  const auto serving = state_.status().app.serving_build;
  if (!artifacts_.configured() || !serving || build_running_) return;
  if (artifacts_.kept() == serving) return;
  artifacts_.keep(*serving);
}

void AppHealth::rollBack(const std::string& why) {
  const auto serving = state_.status().app.serving_build;
  const auto good = artifacts_.kept();
  if (!serving) return;
  if (!good || *good == *serving) {
    log::error("rollback_impossible",
               "cannot roll back build #" + std::to_string(*serving) +
                   ": no earlier version became ready; fix the code and save again");
    return;
  }
  if (!artifacts_.restore()) return;
  log::error(
      "rollback",
      "ROLLED BACK: build #" + std::to_string(*serving) + " " + why + "; build #" +
          std::to_string(*good) + " is back",
      {{"bad_build", static_cast<int64_t>(*serving)}, {"good_build", static_cast<int64_t>(*good)}});
  state_.rolledBack(*serving, good, why);
  AuditCause cause = AuditCause::of("rollback");
  cause.build = *good;
  state_.restartRequested("rollback", cause);
  app_.restart("rolling back to build #" + std::to_string(*good));
}

}  // namespace hotpod
