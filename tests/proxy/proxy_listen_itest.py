"""Where the dev proxy listens: proxy.listen in hotpod.yaml, overridden by HOTPOD_PROXY_LISTEN
or `hotpod run --proxy-listen` (`off` runs the app on its own PORT), as the examples and
`make demo` rely on."""
import unittest

from hotpod_harness import free_port
from proxy_itest import ProxyCase


class ProxyListenTest(ProxyCase):
    def test_proxy_listen_from_the_variable_or_the_flag_wins_over_the_file(self):
        moved = free_port()
        hp = self.start_hotpod(env={"HOTPOD_PROXY_LISTEN": f"127.0.0.1:{moved}"})
        _, listening = hp.wait_for("proxy_listening")
        self.assertEqual(listening["listen"], f"127.0.0.1:{moved}")
        hp.wait_for("proxy_ready")
        self.proxy_port = moved
        self.assertIn("v1 ", self.get()[2])
        self.assertEqual(hp.stop(), 0)
        # --proxy-listen off: no proxy; the app listens on the PORT it inherits.
        port = free_port()
        hp = self.start_hotpod(args=["--proxy-listen", "off"], env={"PORT": str(port)},
                               proxy=False)
        hp.wait_for("output", source="app")  # listening
        self.assertEqual(hp.count("proxy_listening"), 0)
        self.proxy_port = port
        self.assertIn(f"v1 port={port} ", self.get()[2])
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
