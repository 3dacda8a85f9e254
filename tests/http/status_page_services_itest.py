"""The status page with `services:` in headless Chromium: one row per service with its state,
readiness, last build and result, its app's pid and the build it runs; the builds of all of them
in one table, each named by its service; the App card (one app) gives way to the rows."""
import json
import os
import unittest

from hotpod_harness import TempTree, http_get, skip, write
from status_page_itest import CHROMIUM, DevTools, DomParser, Page

CONFIG = """watch: {delay: 50ms}
services:
  alpha:
    paths: [alpha/]
    build: {cmd: "echo built alpha"}
    run: {cmd: [sleep, "600"]}
  beta:
    paths: [beta/]
    build: {cmd: "echo 'beta.c:1: error: <i>nope</i>' >&2; exit 3"}
    run: {cmd: [sleep, "600"]}
"""


class ServicesPageTest(TempTree):
    def test_one_row_per_service(self):
        for name in ("alpha", "beta"):
            write(os.path.join(self.dir, name, "main.txt"), name + "\n")
        write(os.path.join(self.dir, "hotpod.yaml"), CONFIG)
        hp = self.start([])
        _, app = hp.wait_for("app_started", service="alpha")
        _, failed = hp.wait_for("build_finished", service="beta", build=1)
        self.assertEqual(failed["result"], "failure", hp.log_tail())

        page = Page(DevTools(self), hp.url("/"))
        rendered = page.wait_for('#services tr[data-service="alpha"][data-state="running"]',
                                 '#services tr[data-service="beta"][data-state="failed"]',
                                 '#builds tr[data-service="beta"][data-result="failure"]')
        html = page.dom()
        self.assertTrue(rendered, "the page never showed both services:\n" + html)
        dom = DomParser(html).root
        self.assertNotIn("hidden", dom.by_id("services-card").attrs)
        self.assertIn("hidden", dom.by_id("app-card").attrs)
        self.assertIn("hidden", dom.by_id("proxy-card").attrs)

        rows = {r.attrs["data-service"]: r for r in dom.by_id("services").find_all("tr")
                if "data-service" in r.attrs}
        self.assertEqual(sorted(rows), ["alpha", "beta"])

        def cell(name, cls):
            (td,) = [td for td in rows[name].find_all("td") if cls in td.attrs.get("class", "")]
            return td.text()

        self.assertEqual(cell("alpha", "name"), "alpha")
        self.assertEqual(cell("alpha", "ready"), "ready")
        self.assertTrue(cell("alpha", "last-build").startswith("#1 success"))
        self.assertEqual(cell("alpha", "app"), f"pid {app['pid']}")
        self.assertEqual(cell("alpha", "serving"), "build #1")
        self.assertEqual(cell("beta", "ready"), "not ready")
        self.assertTrue(cell("beta", "last-build").startswith("#1 failure"))
        self.assertEqual(cell("beta", "app"), "not running")
        self.assertEqual(cell("beta", "serving"), "–")
        self.assertIn("running", rows["alpha"].find_all("span")[0].text())

        # The builds of both, named by their service; beta's output as text.
        labels = sorted(r.find_all("td")[0].text() for r in dom.by_id("builds").find_all("tr")
                        if "data-build-number" in r.attrs)
        self.assertEqual(labels, ["alpha #1", "beta #1"])
        self.assertIn("beta #1", dom.by_id("failed-title").text())
        self.assertIn("beta.c:1: error: <i>nope</i>", dom.by_id("failed-output").text())
        self.assertEqual(dom.find_all("i"), [])
        self.assertIn("beta: no build has succeeded yet", dom.by_id("reason").text())
        # The same numbers as /v1/status.
        status = json.loads(http_get(hp.url("/v1/status"))[1])
        self.assertEqual(status["services"]["alpha"]["app"]["pid"], app["pid"])
        self.assertEqual(page.exceptions(), [])
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    if CHROMIUM is None:
        skip("chromium not installed")
    unittest.main()
