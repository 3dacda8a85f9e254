"""hotpod agent with `services:`: one sidecar drives three `hotpod exec` containers of one pod
(a real shared PID namespace, pod_support.py), each service naming its target by cmdline. An
edit of the code two services share rebuilds and restarts both, once each, through their own
hotpod exec; the third is neither built nor signalled."""
import json
import os
import unittest

from hotpod_harness import free_port, http_get, namespace_pid, write
from pod_support import APP_CPP, VOLUME_MOUNT, PodTest, answer, skip_unless_pods_work

# Each app shows its own name and the shared version.
SHARED_H = '#define SHARED_VERSION "@V@"\n'


def app_source(name):
    return ('#include "../shared/version.h"\n' +
            APP_CPP.replace('"@VERSION@"', f'"{name} " SHARED_VERSION'))


def service(name, paths):
    build = f"g++ -O0 -o bin/{name}.new {name}/main.cpp && mv bin/{name}.new bin/{name}"
    return (f"  {name}:\n    paths: {paths}\n    build: {{cmd: '{build}'}}\n"
            f"    target: {{match: {{cmdline: 'exec .*-- {VOLUME_MOUNT}/bin/{name}$'}}}}\n")


class AgentServicesTest(PodTest):
    def test_one_agent_three_exec_targets(self):
        pause = self.start_pause_pod()
        write(os.path.join(self.volume, "shared", "version.h"), SHARED_H.replace("@V@", "v1"))
        ports = {}
        for name in ("a", "b", "c"):
            write(os.path.join(self.volume, name, "main.cpp"), app_source(name))
            ports[name] = str(free_port())
        write(os.path.join(self.volume, "agent.yaml"),
              "watch: {include_ext: [cpp, h], delay: 50ms}\nservices:\n" +
              service("a", "[a/, shared/]") + service("b", "[b/, shared/]") +
              service("c", "[c/]"))
        execs = {}
        for name in ("a", "b", "c"):
            hp, pid = self.start_in(self.container(pause), ["--", f"{VOLUME_MOUNT}/bin/{name}"],
                                    "exec", env={"PORT": ports[name]})
            hp.wait_for("exec_started")
            execs[name] = (hp, pid)
        agent, _ = self.start_in(self.container(pause), ["-c", "agent.yaml"], "agent")
        for name in ("a", "b", "c"):
            _, found = agent.wait_for("target_found", service=name)
            self.assertEqual(found["pid"], namespace_pid(execs[name][1]))
            agent.wait_for("restart_confirmed", service=name)
            self.wait_for_answer(ports[name], f"{name} v1")

        mark = agent.mark()
        write(os.path.join(self.volume, "shared", "version.h"), SHARED_H.replace("@V@", "v2"))
        for name in ("a", "b"):
            _, built = agent.wait_for("build_finished", after=mark, service=name)
            self.assertEqual(built["result"], "success", agent.log_tail())
            agent.wait_for("restart_confirmed", after=mark, service=name)
            self.wait_for_answer(ports[name], f"{name} v2")
        after = list(agent.records)[mark:]
        for name, builds in (("a", 1), ("b", 1), ("c", 0)):
            self.assertEqual(sum(1 for r in after if r.get("event") == "build_finished"
                                 and r.get("service") == name), builds, agent.log_tail())
        self.assertEqual([r for r in after if r.get("event") == "peer_signalled"
                          and r.get("service") == "c"], [])
        self.assertEqual(answer(ports["c"]), "c v1")
        status = json.loads(http_get(agent.url("/v1/status"))[1])
        self.assertEqual(status["mode"], "agent")
        self.assertEqual(sorted(status["services"]), ["a", "b", "c"])
        self.assertTrue(all(s["app"]["running"] for s in status["services"].values()))

    def wait_for_answer(self, port, expected):
        from hotpod_harness import wait_until
        wait_until(f"{expected!r} on {port}", lambda: answer(port) == expected)


if __name__ == "__main__":
    skip_unless_pods_work()
    unittest.main()
