"""Symlinks, for real, with the inotify and the poll backend: a root that is a symlink to the
tree is watched; a Kubernetes ConfigMap update (kubelet's atomic writer: a new timestamped
directory, the ..data link swapped by rename, the old directory deleted) reaches a SIGHUP rule
through the user's unchanged config/app.yaml link, and the ..-prefixed internals trigger
nothing of their own."""
import os
import shutil
import sys
import unittest

from hotpod_harness import TempTree, write

APP = """import signal, sys, time
def hup(*_):
    with open(sys.argv[1], "a") as f:
        f.write("SIGHUP\\n")
    print("got SIGHUP", flush=True)
signal.signal(signal.SIGHUP, hup)
print("ready", flush=True)
while True:
    time.sleep(1)
"""

BACKENDS = (["--backend", "inotify"], ["--backend", "poll", "--poll-interval", "100ms"])


def configmap_volume(cfg, version):
    """The volume as kubelet first writes it: cfg/app.yaml → ..data/app.yaml → ..TS/app.yaml."""
    stamp = f"..2026_01_01_{version}"
    write(os.path.join(cfg, stamp, "app.yaml"), f"v: {version}\n")
    os.symlink(stamp, os.path.join(cfg, "..data"))
    os.symlink("..data/app.yaml", os.path.join(cfg, "app.yaml"))


def configmap_update(cfg, old, new):
    """An update as kubelet's atomic writer does it."""
    stamp = f"..2026_01_01_{new}"
    write(os.path.join(cfg, stamp, "app.yaml"), f"v: {new}\n")
    os.symlink(stamp, os.path.join(cfg, "..data_tmp"))
    os.rename(os.path.join(cfg, "..data_tmp"), os.path.join(cfg, "..data"))
    shutil.rmtree(os.path.join(cfg, f"..2026_01_01_{old}"))


class SymlinkTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)
        write(os.path.join(self.src, "main.go"), "package main\n")
        self.build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/build-$HOTPOD_BUILD_NUMBER'

    def changed_files(self, hp, after):
        _, record = hp.wait_for("build_finished", after=after)
        with open(os.path.join(self.out, f"build-{record['build']}")) as f:
            return sorted(filter(None, f.read().split("\n")))

    def test_a_root_that_is_a_symlink_is_watched(self):
        link = os.path.join(self.dir, "linkroot")
        os.symlink(self.src, link)
        for backend in BACKENDS:
            with self.subTest(backend=backend[1]):
                shutil.rmtree(self.out)
                os.makedirs(self.out)
                hp = self.start(["--root", link, "--build", self.build, "--delay", "20ms",
                                 *backend])
                hp.wait_for("build_finished", build=1)
                mark = hp.mark()
                write(os.path.join(self.src, "main.go"), f"package main // {backend[1]}\n")
                self.assertEqual(self.changed_files(hp, mark), ["main.go"])
                self.assertEqual(hp.stop(), 0)

    def test_configmap_update_sends_the_rules_signal(self):
        write(os.path.join(self.dir, "app.py"), APP)
        for backend in BACKENDS:
            with self.subTest(backend=backend[1]):
                cfg = os.path.join(self.src, "config")
                shutil.rmtree(cfg, ignore_errors=True)
                os.makedirs(cfg)
                configmap_volume(cfg, "a")
                hups = os.path.join(self.out, f"hups-{backend[1]}")
                config = os.path.join(self.dir, "hotpod.yaml")
                write(config, f"""root: src
watch:
  delay: 50ms
build:
  cmd: echo built >> {self.out}/builds-{backend[1]}
run:
  cmd: [{sys.executable}, -u, {self.dir}/app.py, {hups}]
rules:
  - match: 'config/*.yaml'
    signal: SIGHUP
  - match: 'config/**'
    action: build
""")
                hp = self.start(["-c", config, *backend])
                hp.wait_for("output", source="app", msg="ready")
                mark = hp.mark()
                configmap_update(cfg, "a", "b")
                hp.wait_for("app_signalled", after=mark)
                hp.wait_for("output", after=mark, source="app", msg="got SIGHUP")
                with open(os.path.join(cfg, "app.yaml")) as f:
                    self.assertEqual(f.read(), "v: b\n")
                # A second update, then an ordinary edit that builds: the internals
                # (config/..data, config/..2026_*) built nothing of their own in between.
                mark = hp.mark()
                configmap_update(cfg, "b", "c")
                hp.wait_for("app_signalled", after=mark)
                write(os.path.join(cfg, "extra.txt"), "x\n")
                hp.wait_for("build_finished", after=mark)
                self.assertEqual(hp.count("build_started"), 2, hp.log_tail())  # start + extra.txt
                self.assertEqual(hp.count("app_signalled"), 2, hp.log_tail())
                with open(hups) as f:
                    self.assertEqual(f.read(), "SIGHUP\nSIGHUP\n")
                self.assertEqual(hp.stop(), 0)

    def test_configmap_internals_do_not_count_as_changes(self):
        cfg = os.path.join(self.src, "config")
        os.makedirs(cfg)
        configmap_volume(cfg, "a")
        for backend in BACKENDS:
            with self.subTest(backend=backend[1]):
                hp = self.start(["--root", self.src, "--build", self.build, "--delay", "50ms",
                                 *backend])
                hp.wait_for("build_finished", build=1)
                mark = hp.mark()
                old, new = ("a", "b") if backend[1] == "inotify" else ("b", "c")
                configmap_update(cfg, old, new)
                self.assertEqual(self.changed_files(hp, mark), ["config/app.yaml"])
                self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
