#include "observe/loop_state.h"

#include <nlohmann/json.hpp>

#include "app/peer_finder.h"
#include "base/json_text.h"
#include "base/signals.h"
#include "observe/readiness.h"
#include "observe/status_json.h"

namespace hotpod {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

}  // namespace

LoopState::LoopState(const Config& config, LoopRole role, StatusBoard& board, EventHub& events,
                     Metrics& metrics, WebhookSender& webhooks, AuditTrail& audit)
    : policy_(config.http),
      board_(board),
      events_(events),
      metrics_(metrics),
      webhooks_(webhooks),
      audit_(audit),
      restart_cause_(describe(AuditCause::of("start"))) {
  status_.version = HOTPOD_VERSION;
  status_.role = role;
  status_.started_at = unixNow();
  status_.build_configured = !config.build.cmd.empty();
  if (role == LoopRole::Agent) {
    // The app runs in the other container; what the agent knows of it is how to find it.
    status_.app.configured = true;
    status_.app.command = "target: " + describeTargetMatch(config.target);
  } else {
    status_.app.configured = !config.run.cmd.empty();
    status_.app.command = config.run.cmd.empty() ? "" : config.run.cmd.display();
  }
  status_.app.health_url = config.app.health_url;
  metrics_.appUp(false);
  publish();
}

void LoopState::watching(const std::string& root, std::string_view backend,
                         const WatchStats& stats) {
  status_.watch.root = root;
  sample(backend, stats);
}

void LoopState::sample(std::string_view backend, const WatchStats& stats) {
  auto& watch = status_.watch;
  const WatchStatus before = watch;
  watch.backend = backend;
  watch.directories = stats.watched_directories;
  watch.files = stats.known_files;
  watch.overflows = stats.overflows;
  watch.rescans = stats.rescans;
  watch.poll_interval_seconds = std::chrono::duration<double>(stats.poll_interval).count();
  metrics_.watch(backend, stats.known_files, stats.watched_directories, stats.overflows,
                 watch.poll_interval_seconds);
  if (!(watch == before)) publish();
}

void LoopState::fileEvent(ChangeKind kind) {
  metrics_.fileEvent(toString(kind));
}

void LoopState::debouncing(bool active) {
  if (active && !change_detected_) change_detected_ = Clock::now();
  if (active == debouncing_) return;
  debouncing_ = active;
  publish();
}

void LoopState::buildStarted(uint64_t number, const ChangeSet& changes,
                             const std::optional<ControlRequest>& request) {
  building_ = true;
  // The files as the build saw them: hashed now, recorded with the result.
  build_cause_ = describe(request           ? AuditCause::requested(*request)
                          : changes.empty() ? AuditCause::of("start")
                                            : AuditCause::changed(changes));
  BuildRecord record;
  record.number = number;
  record.started_at = unixNow();
  record.changed_count = changes.size();
  for (const auto& path : changes.paths()) {
    if (record.changed_files.size() == StatusSnapshot::kMaxListedFiles) break;
    record.changed_files.push_back(path);
  }
  emit("build_started", jsonText(buildJson(record)));
  status_.builds.insert(status_.builds.begin(), std::move(record));
  if (status_.builds.size() > StatusSnapshot::kMaxBuilds) status_.builds.pop_back();
  publish();
}

void LoopState::buildFinished(const BuildOutcome& outcome) {
  building_ = false;
  const double seconds = std::chrono::duration<double>(outcome.duration).count();
  metrics_.buildFinished(outcome.result, seconds, unixNow());
  json version = nullptr;
  if (outcome.result == BuildResult::Succeeded && audit_.wanted()) {
    version = audit_.currentVersion();
    audit_.builtVersion(outcome.number, version);
  }
  const json audited = audit(
      "build", {{"build", outcome.number},
                {"trigger", std::exchange(build_cause_, nullptr)},
                {"result", toString(outcome.result)},
                {"duration_ms",
                 std::chrono::duration_cast<std::chrono::milliseconds>(outcome.duration).count()},
                {"exit", outcome.exit.describe()},
                {"version", version}});
  BuildRecord* record = nullptr;
  for (auto& build : status_.builds) {
    if (build.number == outcome.number) record = &build;
  }
  if (record == nullptr) return publish();
  record->result = outcome.result;
  record->duration_seconds = seconds;
  record->exit = outcome.exit.describe();
  const bool failed = hotpod::failed(outcome.result);
  if (failed) {
    record->output_tail.assign(outcome.tail.begin(), outcome.tail.end());
    ++status_.builds_failed;
    status_.last_error =
        "build #" + std::to_string(outcome.number) + " " +
        (outcome.result == BuildResult::TimedOut ? "timed out" : "failed (" + record->exit + ")");
    change_detected_.reset();  // this change will not reach the app
  }
  if (outcome.result == BuildResult::Succeeded) {
    status_.first_build_succeeded = true;
    pending_build_ = outcome.number;
  }
  if (outcome.result != BuildResult::Cancelled) ++status_.builds_total;
  const json build = buildJson(*record);
  emit("build_finished", jsonText(build));
  if (outcome.result != BuildResult::Cancelled) {
    hook(failed ? "build_failed" : "build_succeeded",
         {{"event", failed ? "build_failed" : "build_succeeded"},
          {"time", unixNow()},
          {"build", build},
          {"audit", audited}});
  }
  publish();
}

void LoopState::changeHandled(bool restarts_app) {
  if (!restarts_app) change_detected_.reset();
  publish();
}

void LoopState::syncFinished(const std::set<std::string>& paths, bool complete) {
  json files = json::array();
  for (const auto& path : paths) {
    if (files.size() == AuditTrail::kMaxListedFiles) break;
    files.push_back(path);
  }
  audit("sync", {{"result", complete ? "complete" : "cut"},
                 {"count", paths.size()},
                 {"files", std::move(files)}});
}

void LoopState::restartRequested(std::string_view reason, const AuditCause& cause) {
  restart_reason_ = reason;
  restart_cause_ = describe(cause);
  restarting_ = true;
  publish();
}

void LoopState::appStarted(pid_t pid) {
  auto& app = status_.app;
  app.pid = pid;
  app.running = true;
  app.started_at = unixNow();
  if (++app_starts_ > 1) ++app.restarts;
  crashed_ = false;
  if (pending_build_) app.serving_build = pending_build_;
  metrics_.appUp(true);
  metrics_.restart(restart_reason_);
  app.probe = app.health_url.empty() ? ProbeState::Off : ProbeState::Pending;
  app.probe_detail.clear();
  const json body = {{"pid", pid}, {"reason", restart_reason_}, {"restarts", app.restarts}};
  emit("app_started", jsonText(body));
  const json serving = app.serving_build ? json(*app.serving_build) : json(nullptr);
  const json audited = audit(
      "restart", {{"reason", restart_reason_},
                  {"trigger", restart_cause_},
                  {"result", "started"},
                  {"pid", pid},
                  {"build", serving},
                  {"version", audit_.wanted() ? audit_.versionOf(app.serving_build) : json()}});
  hook("restart", {{"event", "restart"}, {"time", unixNow()}, {"app", body}, {"audit", audited}});
  restart_reason_ = "crash";  // unless the next start is asked for with a reason
  restart_cause_ = describe(AuditCause::of("crash"));
  restarting_ = !app.health_url.empty();
  if (!restarting_) becameReady();
  publish();
}

void LoopState::appStartFailed(const std::string& why) {
  restarting_ = false;
  status_.last_error = "the app did not start: " + why;
  audit("restart", {{"reason", restart_reason_},
                    {"trigger", restart_cause_},
                    {"result", "failed"},
                    {"detail", why}});
  change_detected_.reset();
  publish();
}

void LoopState::restartFailed(std::string_view reason, const std::string& why) {
  restarting_ = false;
  metrics_.restartFailure(reason);
  status_.last_error = "the restart failed: " + why;
  audit("restart", {{"reason", restart_reason_},
                    {"trigger", restart_cause_},
                    {"result", "failed"},
                    {"detail", why}});
  change_detected_.reset();  // this change did not reach the app
  emit("restart_failed", jsonText({{"reason", reason}, {"detail", why}}));
  publish();
}

void LoopState::appGone(const std::string& exit, AppExit end) {
  auto& app = status_.app;
  emit("app_exited",
       jsonText({{"pid", app.pid}, {"exit", exit}, {"crashed", end == AppExit::Crashed}}));
  app.running = false;
  app.pid = 0;
  app.probe = app.health_url.empty() ? ProbeState::Off : ProbeState::Pending;
  metrics_.appUp(false);
  if (end == AppExit::Crashed) {
    crashed_ = true;
    status_.last_error = "the app crashed (" + exit + ")";
  }
  publish();
}

void LoopState::probeVerdict(ProbeVerdict verdict, const std::string& detail) {
  auto& app = status_.app;
  app.probe_detail = detail;
  const bool passing = verdict == ProbeVerdict::Ready || verdict == ProbeVerdict::Recovered;
  app.probe = passing ? ProbeState::Passed : ProbeState::Failed;
  emit("probe", jsonText({{"url", app.health_url}, {"passing", passing}, {"detail", detail}}));
  if (passing && restarting_) {
    restarting_ = false;
    becameReady();
  } else if (verdict == ProbeVerdict::NeverReady) {
    restarting_ = false;
    change_detected_.reset();
    status_.last_error = "the app (pid " + std::to_string(app.pid) + ") never answered " +
                         app.health_url + " with 2xx (" + detail + ")";
  } else if (verdict == ProbeVerdict::Failing) {
    status_.last_error = app.health_url + " stopped answering 2xx (" + detail + ")";
  }
  publish();
}

void LoopState::becameReady() {
  if (status_.app.serving_build) last_good_build_ = status_.app.serving_build;
  json body = {{"pid", status_.app.pid}};
  if (status_.app.serving_build) body["build"] = *status_.app.serving_build;
  if (change_detected_) {
    const double seconds = std::chrono::duration<double>(Clock::now() - *change_detected_).count();
    metrics_.reloadCompleted(seconds);
    body["reload_seconds"] = seconds;
    change_detected_.reset();
  }
  // Browsers with the live-reload snippet reload on this one.
  emit("reload", jsonText(body));
}

void LoopState::rolledBack(uint64_t bad_build, std::optional<uint64_t> good_build,
                           const std::string& why) {
  ++status_.rollbacks;
  metrics_.rollback();
  for (auto& build : status_.builds) {
    if (build.number == bad_build) build.note = "rolled back: " + why;
  }
  pending_build_ = good_build;
  status_.last_error = "build #" + std::to_string(bad_build) + " rolled back: " + why;
  const json body = {{"bad_build", bad_build},
                     {"good_build", good_build ? json(*good_build) : json(nullptr)},
                     {"reason", why}};
  emit("rollback", jsonText(body));
  AuditCause cause = AuditCause::of("not_ready");
  cause.build = bad_build;
  cause.detail = why;
  const json audited =
      audit("rollback", {{"bad_build", bad_build},
                         {"bad_version", audit_.wanted() ? audit_.versionOf(bad_build) : json()},
                         {"good_build", body["good_build"]},
                         {"good_version", audit_.wanted() ? audit_.versionOf(good_build) : json()},
                         {"trigger", describe(cause)},
                         {"result", "restored"}});
  hook("rollback",
       {{"event", "rollback"}, {"time", unixNow()}, {"rollback", body}, {"audit", audited}});
  publish();
}

void LoopState::signalled(int signal, pid_t pid, bool sent, const AuditCause& cause) {
  audit("signal", {{"signal", signalName(signal)},
                   {"pid", sent ? json(pid) : json(nullptr)},
                   {"trigger", describe(cause)},
                   {"result", sent ? "sent" : "no_app"}});
}

void LoopState::notified(const ChangeSet& changes) {
  change_detected_.reset();
  emit("notify", jsonText({{"files", changes.paths()}}));
  emit("reload", jsonText({{"files", changes.paths()}}));
}

void LoopState::proxy(ProxyStatus proxy) {
  completeProxy(proxy);
  if (status_.proxy == proxy) return;
  ProxyStatus counts_apart = proxy;  // a change of more than the request counts is an event
  counts_apart.held_now = status_.proxy.held_now;
  counts_apart.held_total = status_.proxy.held_total;
  counts_apart.failed_total = status_.proxy.failed_total;
  counts_apart.proxied_total = status_.proxy.proxied_total;
  const bool news = !(counts_apart == status_.proxy);
  status_.proxy = std::move(proxy);
  if (news) emit("proxy", jsonText(proxyJson(status_.proxy, unixNow())));
  publish();
}

void LoopState::completeProxy(ProxyStatus& proxy) const {
  const bool serving = proxy.upstream_port != 0 && status_.app.running;
  proxy.upstream_build = serving ? status_.app.serving_build : std::nullopt;
  if (proxy.candidate) proxy.candidate->build = pending_build_;
}

void LoopState::error(const std::string& text) {
  status_.last_error = text;
  publish();
}

LoopPhase LoopState::phase() const {
  if (building_) return LoopPhase::Building;
  if (restarting_) return LoopPhase::Restarting;
  if (debouncing_) return LoopPhase::Debouncing;
  const auto& newest = status_.builds;
  const bool last_failed =
      !newest.empty() && newest.front().result && failed(*newest.front().result);
  if (last_failed || crashed_ || status_.app.probe == ProbeState::Failed) return LoopPhase::Failed;
  if (status_.app.running) return LoopPhase::Running;
  return LoopPhase::Idle;
}

void LoopState::publish() {
  if (status_.proxy.configured) completeProxy(status_.proxy);
  status_.phase = phase();
  status_.readiness = evaluateReadiness(status_, policy_);
  if (status_.phase != published_phase_ || status_.readiness.ready != published_ready_) {
    emit("state", jsonText({{"state", toString(status_.phase)},
                            {"previous", toString(published_phase_)},
                            {"ready", status_.readiness.ready},
                            {"reason", status_.readiness.reason}}));
    published_phase_ = status_.phase;
    published_ready_ = status_.readiness.ready;
  }
  board_.publish(std::make_shared<const StatusSnapshot>(status_));
}

void LoopState::emit(const std::string& type, const std::string& body) {
  if (service_.empty() || !body.starts_with('{')) return (void)events_.publish(type, body);
  const bool empty_object = body.find_first_not_of(" \n", 1) == body.find('}');
  events_.publish(type, "{\"service\":" + jsonText(json(service_)) + (empty_object ? "" : ",") +
                            body.substr(1));
}

void LoopState::hook(const std::string& event, json body) {
  if (!webhooks_.configured()) return;
  if (!service_.empty()) body["service"] = service_;
  webhooks_.send(event, jsonText(body));
}

json LoopState::audit(std::string_view event, json fields) {
  if (!audit_.wanted()) return json();
  if (!service_.empty()) fields["service"] = service_;
  return audit_.record(event, std::move(fields));
}

json LoopState::describe(const AuditCause& cause) const {
  return audit_.wanted() ? audit_.describe(cause) : json();
}

}  // namespace hotpod
