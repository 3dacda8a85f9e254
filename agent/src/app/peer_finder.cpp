#include "app/peer_finder.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "model/exec_protocol.h"

namespace hotpod {
namespace {

constexpr size_t kMaxCandidatesListed = 20;
constexpr size_t kCommLength = 15;  // the kernel keeps this much of a process name

// Zombies and kernel threads (no command line) are never targets, nor worth listing.
bool isCandidate(const ProcessInfo& process) {
  return process.state != 'Z' && !process.argv.empty();
}

std::string joinedDescriptions(const std::vector<ProcessInfo>& processes) {
  std::string text;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (i == kMaxCandidatesListed) {
      text += "; … and " + std::to_string(processes.size() - i) + " more";
      break;
    }
    text += (i == 0 ? "" : "; ") + processes[i].describe();
  }
  return text;
}

}  // namespace

bool isExecMarker(const ProcessInfo& process) {
  if (process.comm == kExecProcessName) return true;
  return process.argv.size() >= 2 &&
         std::filesystem::path(process.argv[0]).filename() == "hotpod" && process.argv[1] == "exec";
}

ExecCommandLine parseExecCommandLine(const std::vector<std::string>& argv) {
  ExecCommandLine options;
  const struct {
    std::string_view flag;
    std::optional<std::string>& value;
  } known[] = {{"--restart-signal", options.restart_signal}, {"--state-file", options.state_file}};
  for (size_t i = 2; i < argv.size() && argv[i] != "--"; ++i) {
    for (const auto& [flag, value] : known) {
      const std::string& arg = argv[i];
      if (arg == flag && i + 1 < argv.size()) {
        value = argv[++i];
      } else if (arg.size() > flag.size() && arg.starts_with(flag) && arg[flag.size()] == '=') {
        value = arg.substr(flag.size() + 1);
      }
    }
  }
  return options;
}

PeerFinder::PeerFinder(TargetConfig config, ProcTable proc, pid_t self)
    : config_(std::move(config)), proc_(std::move(proc)), self_(self > 0 ? self : proc_.self()) {
  if (config_.match == TargetMatch::Cmdline) {
    cmdline_.emplace(config_.match_value, std::regex::ECMAScript);  // checked by the config reader
  }
}

std::string PeerFinder::searchDescription() const {
  switch (config_.match) {
    case TargetMatch::Exec:
      return std::string("the hotpod exec marker (comm '") + kExecProcessName +
             "', or argv[0] 'hotpod' followed by 'exec')";
    case TargetMatch::Exe:
      return "a process whose program (/proc/PID/exe, or its comm) is '" + config_.match_value +
             "'";
    case TargetMatch::Cmdline:
      return "a process whose command line matches /" + config_.match_value + "/";
    case TargetMatch::Pidfile:
      return "the process named by the pidfile " + config_.match_value;
  }
  return {};
}

bool PeerFinder::matches(const ProcessInfo& process) const {
  if (!isCandidate(process)) return false;
  switch (config_.match) {
    case TargetMatch::Exec:
      return isExecMarker(process);
    case TargetMatch::Exe:
      return process.exe == config_.match_value ||
             process.comm == config_.match_value.substr(0, kCommLength);
    case TargetMatch::Cmdline:
      return std::regex_search(process.cmdline(), *cmdline_);
    case TargetMatch::Pidfile:
      return true;  // the pidfile named it
  }
  return false;
}

std::vector<pid_t> PeerFinder::ancestorsOfSelf() const {
  std::vector<pid_t> ancestors;
  pid_t pid = self_;
  // Bounded: a fake tree with a cycle must not hang the agent.
  for (int depth = 0; depth < 4096; ++depth) {
    const auto process = proc_.read(pid);
    if (!process || process->ppid <= 0) break;
    pid = process->ppid;
    ancestors.push_back(pid);
  }
  return ancestors;
}

std::string PeerFinder::refusal(const ProcessInfo& process) const {
  return refusal(process, ancestorsOfSelf());
}

std::string PeerFinder::refusal(const ProcessInfo& process,
                                const std::vector<pid_t>& ancestors) const {
  if (process.pid == self_) return "it is hotpod agent itself";
  if (process.comm == "pause" || process.comm == "catatonit") {
    return "it is the pod's " + process.comm +
           " process, and signalling it takes the whole pod down";
  }
  if (std::find(ancestors.begin(), ancestors.end(), process.pid) != ancestors.end()) {
    return "it is an ancestor of hotpod agent, so signalling it could stop the agent's own "
           "container";
  }
  if (process.pid == 1 && !isExecMarker(process)) {
    return "it is PID 1 of the namespace, which ignores every signal it has no handler for (and "
           "in a pod, PID 1 is the pause process); run the app under `hotpod exec` and keep "
           "target.mode: exec";
  }
  return {};
}

std::optional<ProcessInfo> PeerFinder::recheck(const ProcessInfo& process) const {
  auto now = proc_.read(process.pid);
  if (!now || !now->sameProcess(process) || !matches(*now) || !refusal(*now).empty()) {
    return std::nullopt;
  }
  return now;
}

std::string PeerFinder::notFound(const std::vector<ProcessInfo>& seen) const {
  std::vector<ProcessInfo> candidates;
  for (const auto& process : seen) {
    if (isCandidate(process) && process.pid != self_) candidates.push_back(process);
  }
  std::string text =
      "no target to restart: searched " + std::to_string(seen.size()) + " processes in " +
      proc_.root().string() + " for " + searchDescription() + "; candidates seen: " +
      (candidates.empty() ? "none besides hotpod agent" : joinedDescriptions(candidates)) +
      ". Share the app's PID namespace with the agent (Kubernetes: "
      "shareProcessNamespace: true; compose: pid: \"service:app\")";
  if (config_.match == TargetMatch::Exec) {
    text += ", and start the app container with `hotpod exec -- APP`";
  } else {
    text += ", and check target.match";
  }
  return text;
}

FindResult PeerFinder::findByPidfile() const {
  std::ifstream file(config_.match_value);
  long pid = 0;
  if (!file) {
    return {FindOutcome::NotFound, std::nullopt,
            "no target to restart: cannot read the pidfile " + config_.match_value +
                "; does the app write it, in a volume both containers mount at this path?"};
  }
  if (!(file >> pid) || pid <= 0) {
    return {FindOutcome::NotFound, std::nullopt,
            "no target to restart: the pidfile " + config_.match_value +
                " holds no PID; the app should write its PID there as a decimal number"};
  }
  auto process = proc_.read(static_cast<pid_t>(pid));
  if (!process || !isCandidate(*process)) {
    return {FindOutcome::NotFound, std::nullopt,
            "no target to restart: the pidfile " + config_.match_value + " names PID " +
                std::to_string(pid) + ", which is not running in this PID namespace (a stale " +
                "pidfile, or the agent does not share the app's PID namespace)"};
  }
  if (auto why = refusal(*process); !why.empty()) {
    return {FindOutcome::Refused, std::nullopt,
            "refusing to signal " + process->describe() + " named by the pidfile " +
                config_.match_value + ": " + why};
  }
  return {FindOutcome::Found, std::move(process), {}};
}

FindResult PeerFinder::find() const {
  if (config_.match == TargetMatch::Pidfile) return findByPidfile();
  const auto all = proc_.list();
  const auto ancestors = ancestorsOfSelf();  // once per search, not per process
  std::vector<ProcessInfo> allowed;
  std::vector<std::pair<ProcessInfo, std::string>> refused;
  for (const auto& process : all) {
    if (!matches(process)) continue;
    if (auto why = refusal(process, ancestors); !why.empty()) {
      refused.emplace_back(process, why);
    } else {
      allowed.push_back(process);
    }
  }
  if (allowed.empty() && !refused.empty()) {
    std::string text = "refusing to signal what matches " + searchDescription() + ": ";
    for (size_t i = 0; i < refused.size(); ++i) {
      text += (i == 0 ? "" : "; ") + refused[i].first.describe() + ": " + refused[i].second;
    }
    return {FindOutcome::Refused, std::nullopt, text + ". Make target.match more specific"};
  }
  if (allowed.empty()) return {FindOutcome::NotFound, std::nullopt, notFound(all)};
  // An app that forks workers with its own name: the topmost match is the one to signal.
  std::map<pid_t, pid_t> parent;
  for (const auto& process : all) parent[process.pid] = process.ppid;
  std::set<pid_t> matched;
  for (const auto& process : allowed) matched.insert(process.pid);
  std::vector<ProcessInfo> topmost;
  for (const auto& process : allowed) {
    bool below_another = false;
    pid_t up = process.ppid;
    for (int depth = 0; up > 0 && depth < 4096 && !below_another; ++depth) {
      below_another = matched.count(up) > 0;
      const auto next = parent.find(up);
      up = next == parent.end() ? 0 : next->second;
    }
    if (!below_another) topmost.push_back(process);
  }
  if (topmost.size() > 1) {
    return {FindOutcome::Ambiguous, std::nullopt,
            std::to_string(topmost.size()) + " processes match " + searchDescription() + ": " +
                joinedDescriptions(topmost) +
                ". Make target.match more specific (a cmdline regex, or a pidfile)"};
  }
  return {FindOutcome::Found, topmost.front(), {}};
}

std::optional<ProcessInfo> PeerFinder::supervisedChild(const ProcessInfo& exec) const {
  std::optional<ProcessInfo> newest;
  for (auto& child : proc_.childrenOf(exec.pid)) {
    if (child.state == 'Z' || child.pgid != child.pid) continue;
    // A copy of hotpod exec that has not yet exec'd the app (or failed to) is not an app.
    if (child.comm == exec.comm && child.argv == exec.argv) continue;
    if (!newest || child.start_time > newest->start_time ||
        (child.start_time == newest->start_time && child.pid > newest->pid)) {
      newest = std::move(child);
    }
  }
  return newest;
}

std::string describeTargetMatch(const TargetConfig& target) {
  switch (target.match) {
    case TargetMatch::Exec:
      return "hotpod exec (marker)";
    case TargetMatch::Exe:
      return "program '" + target.match_value + "'";
    case TargetMatch::Cmdline:
      return "cmdline /" + target.match_value + "/";
    case TargetMatch::Pidfile:
      return "pidfile " + target.match_value;
  }
  return {};
}

}  // namespace hotpod
