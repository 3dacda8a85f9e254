"""The DNS rebinding guard over real HTTP: a request whose Host names another site gets 421 and
no status; kubelet's probes (Host: POD_IP:PORT) and localhost keep working; a name listed in
http.allowed_hosts is served."""
import json
import os
import unittest

from hotpod_harness import TempTree, http_request, write

from prometheus_itest import outward_ip


class HostHeaderTest(TempTree):
    def start_server(self, listen, yaml=""):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "a.txt"), "a\n")
        config = os.path.join(self.dir, "hotpod.yaml")
        write(config, yaml or "{}\n")
        hp = self.start(["-c", config, "--root", src, "--build", "true", "--listen", listen])
        hp.wait_for("build_finished", build=1)
        return hp, hp.http_port()

    def get(self, port, path, host):
        return http_request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})

    def test_loopback_listener_refuses_other_names(self):
        hp, port = self.start_server("127.0.0.1:0")
        status, body = self.get(port, "/v1/status", f"rebind.attacker.test:{port}")
        self.assertEqual(status, 421, body)
        self.assertIn("http.allowed_hosts", body)
        self.assertNotIn("hotpod-itest", body)
        hp.wait_for("http_host_refused", host=f"rebind.attacker.test:{port}")
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
            status, body = self.get(port, "/v1/status", host)
            self.assertEqual(status, 200, host)
            self.assertIn("watch", json.loads(body))

    def test_every_interface_serves_probes_by_ip_and_allowed_names(self):
        hp, port = self.start_server("0.0.0.0:0", "http:\n  allowed_hosts: [hotpod.dev.svc]\n")
        ip = outward_ip() or "10.244.1.17"
        for path in ("/healthz", "/readyz", "/metrics"):  # kubelet probes, a scrape by pod IP
            status, _ = self.get(port, path, f"{ip}:{port}")
            self.assertEqual(status, 200, path)
        self.assertEqual(self.get(port, "/v1/status", f"hotpod.dev.svc:{port}")[0], 200)
        self.assertEqual(self.get(port, "/v1/status", f"evil.example:{port}")[0], 421)
        self.assertEqual(self.get(port, "/healthz", "evil.example")[0], 421)


if __name__ == "__main__":
    unittest.main()
