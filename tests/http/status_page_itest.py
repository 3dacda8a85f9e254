"""The status page (GET /) in a real browser: Debian's headless Chromium loads it from a running
hotpod that has made a successful, a failed and a successful build, and the test checks what a
user sees: the state badge, one table row and one chart bar per build, the failed build's
output (as text, not markup). Then one more build happens with the page open and the page shows
it without a reload (EventSource). A screenshot is kept as a build artefact.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe), not with
--dump-dom --virtual-time-budget: the page keeps an EventSource open, and virtual time never
advances while a fetch is pending, so that budget would never run out. Over the pipe the test
awaits conditions in the page (a MutationObserver) instead of guessing a delay."""
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from html.parser import HTMLParser

from hotpod_harness import HANG_TIMEOUT, TempTree, skip, write

CHROMIUM = shutil.which("chromium")
ERROR_LINE = "main.c:3: error: page-test <b>boom</b> & 'quotes'"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class DevTools:
    """A headless Chromium and its DevTools protocol on fds 3 and 4 (NUL-separated JSON)."""

    def __init__(self, test):
        home = tempfile.mkdtemp(prefix="hotpod-chromium-")  # outside the watched tree
        test.addCleanup(shutil.rmtree, home, ignore_errors=True)
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # High copies, so that bash's 3<& and 4>& cannot overwrite one another (dash takes only
        # one-digit fds).
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_chrome_r, from_chrome_w)]
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)
        self.stderr_path = os.path.join(home, "chromium.log")
        argv = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", f"--user-data-dir={os.path.join(home, 'profile')}",
                "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
                "--hide-scrollbars", "about:blank"]
        with open(self.stderr_path, "w") as log:
            self.proc = subprocess.Popen(
                ["bash", "-c", f'exec "$@" 3<&{ends[0]} 4>&{ends[1]}', "bash", *argv],
                env={**os.environ, "HOME": home}, stdin=subprocess.DEVNULL, stdout=log,
                stderr=log, pass_fds=ends, start_new_session=True)
        for fd in ends:
            os.close(fd)
        self.write_fd, self.read_fd = to_chrome_w, from_chrome_r
        self.buffer = b""
        self.events = []
        self.next_id = 0
        test.addCleanup(self.close)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
                self.proc.wait(10)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        for fd in (self.write_fd, self.read_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def log_tail(self):
        with open(self.stderr_path, errors="replace") as f:
            return "".join(f.readlines()[-20:])

    def _receive(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.read_fd], [], [], max(0.0, remaining))
            if not ready:
                raise AssertionError("chromium did not answer in time:\n" + self.log_tail())
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise AssertionError("chromium exited:\n" + self.log_tail())
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method, session=None, timeout=HANG_TIMEOUT, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.write_fd, data):]
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                return answer["result"]
            self.events.append(answer)

    def wait_event(self, method, session, timeout=HANG_TIMEOUT):
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            self.events.append(self._receive(deadline))


class Page:
    """One tab, attached in flat mode."""

    def __init__(self, devtools, url):
        self.dt = devtools
        target = self.dt.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.dt.send("Target.attachToTarget", targetId=target,
                                    flatten=True)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", url=url)
        self.dt.wait_event("Page.loadEventFired", self.session)

    def send(self, method, **params):
        return self.dt.send(method, session=self.session, **params)

    def evaluate(self, expression):
        answer = self.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in answer:
            raise AssertionError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, *selectors, guard_ms=60_000):
        """True once every CSS selector matches; False after guard_ms (a hang guard)."""
        return self.evaluate("""new Promise((resolve) => {
          const selectors = %s;
          const done = () => selectors.every((s) => document.querySelector(s));
          if (done()) return resolve(true);
          const observer = new MutationObserver(() => {
            if (done()) { observer.disconnect(); resolve(true); }
          });
          observer.observe(document.documentElement,
                           {subtree: true, childList: true, attributes: true, characterData: true});
          setTimeout(() => { observer.disconnect(); resolve(done()); }, %d);
        })""" % (json.dumps(selectors), guard_ms))

    def dom(self):
        return self.evaluate("'<!doctype html>\\n' + document.documentElement.outerHTML")

    def screenshot(self):
        return base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])

    def exceptions(self):
        return [e["params"]["exceptionDetails"] for e in self.dt.events
                if e.get("method") == "Runtime.exceptionThrown"
                and e.get("sessionId") == self.session]


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def by_id(self, id_):
        found = self.find_all(id=id_)
        if len(found) != 1:
            raise AssertionError(f"expected one element with id={id_!r}, found {len(found)}")
        return found[0]

    def field(self, name):
        (dd,) = self.find_all("dd", data_field=name)
        return dd.text()


class DomParser(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", [], None)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def artifacts_dir():
    path = os.environ.get("HOTPOD_ARTIFACTS_DIR") or os.path.join(os.getcwd(), "artifacts")
    os.makedirs(path, exist_ok=True)
    return path


class StatusPageTest(TempTree):
    def build(self, hp, script, number, result):
        mark = hp.mark()
        write(os.path.join(self.dir, "build.sh"), script)
        _, record = hp.wait_for("build_finished", after=mark, build=number)
        self.assertEqual(record["result"], result, hp.log_tail())
        return mark

    def test_the_page_shows_builds_failures_and_follows_events(self):
        write(os.path.join(self.dir, "build.sh"), "echo compiling v1\n")
        hp = self.start(["--build", "sh build.sh", "--", "sleep", "600"])
        _, first = hp.wait_for("build_finished", build=1)
        self.assertEqual(first["result"], "success", hp.log_tail())
        hp.wait_for("app_started")
        self.build(hp, f"echo compiling v2\necho \"{ERROR_LINE}\" >&2\nexit 1\n", 2, "failure")
        mark = self.build(hp, "echo compiling v3\n", 3, "success")
        _, app = hp.wait_for("app_started", after=mark)

        page = Page(DevTools(self), hp.url("/"))
        rendered = page.wait_for('#state[data-state="running"]', '#live[data-live="live"]',
                                 '#builds tr[data-build-number="3"][data-result="success"]',
                                 '#chart rect[data-build-number="3"]')
        html = page.dom()
        out = artifacts_dir()
        with open(os.path.join(out, "status-page.html"), "w") as f:
            f.write(html)
        self.assertTrue(rendered, "the page never showed build #3 and a running app:\n" + html)
        dom = DomParser(html).root

        # Header: the state badge, readiness and the live indicator.
        self.assertEqual(dom.by_id("state").text(), "running")
        self.assertEqual(dom.by_id("ready").text(), "ready")
        self.assertIn(f"pid {app['pid']}", dom.by_id("reason").text())
        self.assertEqual(dom.by_id("live").text(), "live")
        self.assertEqual(dom.by_id("app").field("pid"), str(app["pid"]))
        self.assertEqual(dom.by_id("app").field("restarts"), "1")  # started twice
        backend = hp.wait_for("watching")[1]["backend"]
        self.assertEqual(dom.by_id("watch").field("backend"), backend)
        self.assertEqual(dom.by_id("counts").field("builds_failed"), "1")
        self.assertIn("build #2 failed", dom.by_id("last-error").text())

        # The table: one row per build, newest first, with its result.
        rows = dom.by_id("builds").find_all("tr")
        rows = [r for r in rows if "data-build-number" in r.attrs]
        self.assertEqual([r.attrs["data-build-number"] for r in rows], ["3", "2", "1"])
        results = [r.find_all("span")[0].text() for r in rows]
        self.assertEqual(results, ["success", "failure", "success"])
        self.assertEqual([r.find_all("td")[0].text() for r in rows], ["#3", "#2", "#1"])
        self.assertIn("exit code 1", rows[1].text())
        self.assertIn("build.sh", rows[1].text())

        # The failed build's output, as text: its markup must not have become elements.
        failed = dom.by_id("failed")
        self.assertNotIn("hidden", failed.attrs)
        self.assertIn("#2", dom.by_id("failed-title").text())
        output = dom.by_id("failed-output")
        self.assertIn(ERROR_LINE, output.text())
        self.assertEqual([c for c in output.children if isinstance(c, Node)], [])
        self.assertEqual(dom.find_all("b"), [])

        # The chart: one bar per build, oldest first, coloured by result, each with a tooltip.
        bars = dom.by_id("chart").find_all("rect")
        self.assertEqual([b.attrs.get("data-build-number") for b in bars], ["1", "2", "3"])
        self.assertEqual([b.attrs["class"] for b in bars],
                         ["bar success", "bar failure", "bar success"])
        for bar in bars:
            (title,) = bar.find_all("title")
            self.assertIn(f"build #{bar.attrs['data-build-number']}", title.text())
        labels = [t.text() for t in dom.by_id("chart").find_all("text")]
        for number in ("1", "2", "3"):
            self.assertIn(number, labels)

        png = page.screenshot()
        path = os.path.join(out, "status-page.png")
        with open(path, "wb") as f:
            f.write(png)
        with open(path, "rb") as f:
            self.assertEqual(f.read(8), PNG_MAGIC)
        self.assertGreater(os.path.getsize(path), 1000)
        print(f"screenshot: {path}", flush=True)

        # Live: with the page open (not reloaded), one more build appears through /v1/events.
        page.evaluate("window.notReloaded = true")
        self.build(hp, "echo compiling v4\n", 4, "success")
        self.assertTrue(
            page.wait_for('#builds tr[data-build-number="4"][data-result="success"]',
                          '#chart rect[data-build-number="4"]'),
            "build #4 never appeared on the open page:\n" + page.dom())
        self.assertTrue(page.evaluate("window.notReloaded === true"), "the page reloaded")
        self.assertEqual(page.exceptions(), [])
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    if CHROMIUM is None:
        skip("chromium not installed")
    unittest.main()
