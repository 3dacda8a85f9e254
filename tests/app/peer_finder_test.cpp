// hotpod agent's target search on a fake /proc: the four ways to match, the processes it must
// never signal, and what it says when it finds nothing.
#include "app/peer_finder.h"

#include <doctest/doctest.h>

#include "support/fake_proc.h"

// FakeProcess{.pid = …} leaves the other fields at their defaults on purpose; GCC 12 warns
// about designated initializers that do so.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace hotpod;
using hotpod::testing::FakeProc;
using hotpod::testing::FakeProcess;

namespace {

constexpr pid_t kAgent = 40;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TargetConfig matching(TargetMatch match, std::string value = {},
                      TargetMode mode = TargetMode::Exec) {
  TargetConfig config;
  config.mode = mode;
  config.match = match;
  config.match_value = std::move(value);
  return config;
}

// A Kubernetes pod with shareProcessNamespace: pause is PID 1; the app container runs
// hotpod exec and its app; the sidecar runs hotpod agent under a shell. A container's first
// process has its parent outside the namespace: ppid 0.
void addPod(FakeProc& proc) {
  proc.add({.pid = 1, .ppid = 0, .comm = "pause", .argv = {"/pause"}, .exe = "/pause"});
  proc.add({.pid = 7,
            .ppid = 0,
            .comm = "hotpod-exec",
            .argv = {"/usr/local/bin/hotpod", "exec", "--state-file", "/shared/exec.json", "--",
                     "/src/bin/app", "--port", "8080"},
            .exe = "/usr/local/bin/hotpod"});
  proc.add({.pid = 12,
            .ppid = 7,
            .comm = "app",
            .argv = {"/src/bin/app", "--port", "8080"},
            .start_time = 5000,
            .exe = "/src/bin/app (deleted)"});  // the build renamed a new binary over it
  proc.add({.pid = 30, .ppid = 0, .comm = "sh", .argv = {"/bin/sh", "-c", "hotpod agent"}});
  proc.add({.pid = kAgent,
            .ppid = 30,
            .comm = "hotpod",
            .argv = {"/usr/local/bin/hotpod", "agent"},
            .exe = "/usr/local/bin/hotpod"});
  proc.setSelf(kAgent);
}

FindResult findIn(const FakeProc& proc, const TargetConfig& config) {
  return PeerFinder(config, ProcTable(proc.root())).find();
}

}  // namespace

TEST_CASE("the exec marker finds hotpod exec by its comm or by its cmdline") {
  FakeProc proc;
  addPod(proc);
  auto found = findIn(proc, matching(TargetMatch::Exec));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 7);

  // No PR_SET_NAME (an older hotpod, or prctl refused): argv still says "hotpod" "exec".
  proc.add({.pid = 7, .ppid = 0, .comm = "hotpod", .argv = {"hotpod", "exec", "--", "app"}});
  found = findIn(proc, matching(TargetMatch::Exec));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 7);

  // hotpod agent's own cmdline is "hotpod agent": it never matches itself.
  proc.remove(7);
  proc.remove(12);
  found = findIn(proc, matching(TargetMatch::Exec));
  CHECK(found.outcome == FindOutcome::NotFound);
}

TEST_CASE("exe matches the program's basename, or the comm when the exe link is unreadable") {
  FakeProc proc;
  addPod(proc);
  auto found = findIn(proc, matching(TargetMatch::Exe, "app", TargetMode::Signal));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 12);  // "/src/bin/app (deleted)" still counts as app
  CHECK(found.target->exe == "app");

  // Another UID: no exe link, but the comm (15 characters at most) is readable.
  proc.add({.pid = 12, .ppid = 7, .comm = "my-long-server-", .argv = {"./my-long-server-name"}});
  found = findIn(proc, matching(TargetMatch::Exe, "my-long-server-name", TargetMode::Signal));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 12);
}

TEST_CASE("cmdline is a regex on the arguments joined by spaces") {
  FakeProc proc;
  addPod(proc);
  proc.add({.pid = 50, .ppid = 1, .comm = "python3", .argv = {"python3", "-u", "/src/app.py"}});
  auto found = findIn(proc, matching(TargetMatch::Cmdline, R"(python3 .*app\.py)"));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 50);
  found = findIn(proc, matching(TargetMatch::Cmdline, "--port 8080$"));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 7);  // the topmost of hotpod exec and its app
}

TEST_CASE("pidfile names the process; a missing, empty or stale one says so") {
  FakeProc proc;
  addPod(proc);
  testing::TempDir shared;
  const auto pidfile = shared.write("app.pid", "12\n");
  auto found = findIn(proc, matching(TargetMatch::Pidfile, pidfile.string()));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 12);

  shared.write("app.pid", "99\n");
  found = findIn(proc, matching(TargetMatch::Pidfile, pidfile.string()));
  CHECK(found.outcome == FindOutcome::NotFound);
  CHECK(contains(found.problem, "names PID 99, which is not running in this PID namespace"));

  shared.write("app.pid", "\n");
  found = findIn(proc, matching(TargetMatch::Pidfile, pidfile.string()));
  CHECK(contains(found.problem, "holds no PID"));

  found = findIn(proc, matching(TargetMatch::Pidfile, (shared.path() / "none.pid").string()));
  CHECK(found.outcome == FindOutcome::NotFound);
  CHECK(contains(found.problem, "cannot read the pidfile"));

  shared.write("app.pid", "1\n");  // the pause process
  found = findIn(proc, matching(TargetMatch::Pidfile, pidfile.string()));
  CHECK(found.outcome == FindOutcome::Refused);
  CHECK(contains(found.problem, "takes the whole pod down"));
}

TEST_CASE("never signalled: PID 1 unless it is hotpod exec, pause, catatonit, self, ancestors") {
  FakeProc proc;
  addPod(proc);
  const PeerFinder finder(matching(TargetMatch::Exe, "x", TargetMode::Signal),
                          ProcTable(proc.root()));
  const auto refusal = [&](pid_t pid) { return finder.refusal(*finder.proc().read(pid)); };

  CHECK(contains(refusal(1), "the pod's pause process"));
  CHECK(contains(refusal(kAgent), "hotpod agent itself"));
  CHECK(contains(refusal(30), "an ancestor of hotpod agent"));
  CHECK(refusal(7).empty());
  CHECK(refusal(12).empty());

  proc.add({.pid = 1, .ppid = 0, .comm = "catatonit", .argv = {"/catatonit", "-P"}});
  CHECK(contains(refusal(1), "the pod's catatonit process"));

  // docker-compose with pid: "service:app": the app itself is PID 1 and ignores signals it has
  // no handler for.
  proc.add({.pid = 1, .ppid = 0, .comm = "app", .argv = {"/src/bin/app"}});
  CHECK(contains(refusal(1), "PID 1 of the namespace"));
  auto found = findIn(proc, matching(TargetMatch::Exe, "app", TargetMode::Signal));
  CHECK(found.outcome == FindOutcome::Found);  // 12 is an app too, and allowed
  CHECK(found.target->pid == 12);
  proc.remove(12);
  found = findIn(proc, matching(TargetMatch::Exe, "app", TargetMode::Signal));
  CHECK(found.outcome == FindOutcome::Refused);
  CHECK(contains(found.problem, "refusing to signal what matches"));
  CHECK(contains(found.problem, "1 app '/src/bin/app': it is PID 1 of the namespace"));

  // The compose case done right: hotpod exec is PID 1, and it is the target.
  proc.add({.pid = 1, .ppid = 0, .comm = "hotpod-exec", .argv = {"hotpod", "exec", "--", "app"}});
  proc.remove(7);
  CHECK(refusal(1).empty());
  found = findIn(proc, matching(TargetMatch::Exec));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 1);

  // ... unless the agent runs below it (started by the app's own command): restarting hotpod
  // exec's child would stop the agent.
  proc.add({.pid = 30, .ppid = 1, .comm = "sh", .argv = {"/bin/sh", "-c", "hotpod agent"}});
  CHECK(contains(refusal(1), "an ancestor of hotpod agent"));
  found = findIn(proc, matching(TargetMatch::Exec));
  CHECK(found.outcome == FindOutcome::Refused);
}

TEST_CASE("a match that only hits the agent's own tree is refused, not signalled") {
  FakeProc proc;
  addPod(proc);
  // "hotpod" matches hotpod exec (allowed), the agent (self) and nothing else.
  auto found = findIn(proc, matching(TargetMatch::Cmdline, "hotpod agent"));
  CHECK(found.outcome == FindOutcome::Refused);
  CHECK(contains(found.problem, "sh '/bin/sh -c hotpod agent': it is an ancestor"));
  CHECK(contains(found.problem, "hotpod agent itself"));
}

TEST_CASE("nothing found: what was searched, and the candidates seen (pid, comm, cmdline)") {
  FakeProc proc;
  addPod(proc);
  proc.remove(7);
  proc.add({.pid = 12,
            .ppid = 0,
            .comm = "app",
            .argv = {"/src/bin/app", std::string(100, 'x')},
            .start_time = 5000});
  proc.add({.pid = 13, .ppid = 1, .comm = "kworker/0:1", .argv = {}});  // a kernel thread
  proc.add({.pid = 14, .ppid = 1, .comm = "defunct", .argv = {"x"}, .state = 'Z'});
  const auto found = findIn(proc, matching(TargetMatch::Exec));
  REQUIRE(found.outcome == FindOutcome::NotFound);
  const std::string& text = found.problem;
  CHECK(contains(text, "searched 6 processes in " + proc.root().string() +
                           " for the hotpod exec marker (comm 'hotpod-exec', or argv[0] "
                           "'hotpod' followed by 'exec')"));
  CHECK(contains(text, "candidates seen: 1 pause '/pause'; 12 app '/src/bin/app " +
                           std::string(80 - 13, 'x') + "…'; 30 sh '/bin/sh -c hotpod agent'."));
  CHECK_FALSE(contains(text, "kworker"));
  CHECK_FALSE(contains(text, "defunct"));
  CHECK_FALSE(contains(text, "40 hotpod"));  // not itself
  CHECK(contains(text, "shareProcessNamespace: true"));
  CHECK(contains(text, "hotpod exec -- APP"));
}

TEST_CASE("several independent matches are ambiguous; an app's own workers are not") {
  FakeProc proc;
  addPod(proc);
  proc.add({.pid = 13, .ppid = 12, .comm = "app", .argv = {"/src/bin/app", "--worker"}});
  auto found = findIn(proc, matching(TargetMatch::Exe, "app", TargetMode::Signal));
  REQUIRE(found.outcome == FindOutcome::Found);
  CHECK(found.target->pid == 12);

  proc.add({.pid = 60, .ppid = 0, .comm = "app", .argv = {"/opt/other/app"}});
  found = findIn(proc, matching(TargetMatch::Exe, "app", TargetMode::Signal));
  CHECK(found.outcome == FindOutcome::Ambiguous);
  CHECK(contains(found.problem, "2 processes match"));
  CHECK(contains(found.problem, "12 app '/src/bin/app --port 8080'; 60 app '/opt/other/app'"));
}

TEST_CASE("hotpod exec's child is its own group's leader; orphans and zombies are not") {
  FakeProc proc;
  addPod(proc);
  proc.add({.pid = 20, .ppid = 7, .comm = "daemon", .argv = {"d"}, .pgid = 12});  // an orphan
  proc.add({.pid = 21, .ppid = 7, .comm = "app", .argv = {"a"}, .state = 'Z', .start_time = 9000});
  const PeerFinder finder(matching(TargetMatch::Exec), ProcTable(proc.root()));
  const auto exec = *finder.proc().read(7);
  auto child = finder.supervisedChild(exec);
  REQUIRE(child);
  CHECK(child->pid == 12);

  // With the kernel's children lists, only those are read.
  proc.setChildren(7, {12, 20, 21});
  child = finder.supervisedChild(exec);
  REQUIRE(child);
  CHECK(child->pid == 12);
  proc.setChildren(7, {});
  CHECK_FALSE(finder.supervisedChild(exec));
}

TEST_CASE("a child of hotpod exec that has not exec'd the app yet is not the app") {
  FakeProc proc;
  addPod(proc);
  proc.add({.pid = 40,
            .ppid = 7,
            .comm = "hotpod-exec",
            .argv = {"/usr/local/bin/hotpod", "exec", "--state-file", "/shared/exec.json", "--",
                     "/src/bin/app", "--port", "8080"},
            .start_time = 9000,
            .exe = "/usr/local/bin/hotpod"});
  const PeerFinder finder(matching(TargetMatch::Exec), ProcTable(proc.root()));
  const auto child = finder.supervisedChild(*finder.proc().read(7));
  REQUIRE(child);
  CHECK(child->pid == 12);  // the running app, not the newer copy of hotpod exec
}

TEST_CASE("recheck refuses a PID that now belongs to another process") {
  FakeProc proc;
  addPod(proc);
  const PeerFinder finder(matching(TargetMatch::Exec), ProcTable(proc.root()));
  const auto found = finder.find();
  REQUIRE(found.target);
  CHECK(finder.recheck(*found.target));
  // hotpod exec ended and a new process got PID 7: same marker, later start time.
  proc.add({.pid = 7,
            .ppid = 0,
            .comm = "hotpod-exec",
            .argv = {"hotpod", "exec", "--", "app"},
            .start_time = 7777});
  CHECK_FALSE(finder.recheck(*found.target));
  proc.remove(7);
  CHECK_FALSE(finder.recheck(*found.target));
}

TEST_CASE("hotpod exec's options are read from its cmdline, up to --") {
  auto options = parseExecCommandLine({"hotpod", "exec", "--restart-signal", "SIGRTMIN+1",
                                       "--state-file=/shared/exec.json", "--", "app",
                                       "--restart-signal", "HUP"});
  CHECK(options.restart_signal == "SIGRTMIN+1");
  CHECK(options.state_file == "/shared/exec.json");
  options = parseExecCommandLine({"hotpod", "exec", "--", "app"});
  CHECK_FALSE(options.restart_signal);
  CHECK_FALSE(options.state_file);
}

TEST_CASE("readStat and list(StatOnly) read only the stat file, read and list read all") {
  FakeProc proc;
  proc.add({.pid = 12,
            .ppid = 7,
            .comm = "app (v2)",  // spaces and ')' in the name: split after the last ')'
            .argv = {"/src/bin/app", "--port", "8080"},
            .pgid = 9,
            .start_time = 5000,
            .exe = "/src/bin/app"});
  const ProcTable table(proc.root());
  const auto stat = table.readStat(12);
  REQUIRE(stat);
  CHECK(stat->pid == 12);
  CHECK(stat->ppid == 7);
  CHECK(stat->pgid == 9);
  CHECK(stat->start_time == 5000);
  CHECK(stat->comm == "app (v2)");
  CHECK(stat->argv.empty());
  CHECK(stat->exe.empty());
  const auto full = table.read(12);
  REQUIRE(full);
  CHECK(full->sameProcess(*stat));
  CHECK(full->argv == std::vector<std::string>{"/src/bin/app", "--port", "8080"});
  CHECK(full->exe == "app");
  CHECK_FALSE(table.readStat(13));
  const auto listed = table.list(ProcTable::Detail::StatOnly);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].sameProcess(*stat));
  CHECK(listed[0].argv.empty());
  CHECK(table.list()[0].argv == full->argv);
}
