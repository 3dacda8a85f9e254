"""End to end with the bundled examples and their real compilers: edit the source, the HTTP
answer changes; break the build, the old app keeps answering; fix it, the new one answers."""
import os
import shutil
import unittest

from hotpod_harness import SOURCE_DIR, TempTree, free_port, http_get

GO_CACHE = os.path.join(SOURCE_DIR, ".cache", "go")  # kept between runs; outside the copies


class ExampleAppTest(TempTree):
    example = None
    source_file = None
    greeting = None
    broken = None

    def setUp(self):
        super().setUp()
        self.app_dir = os.path.join(self.dir, self.example)
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", self.example), self.app_dir,
                        ignore=shutil.ignore_patterns(".hotpod"))
        self.port = free_port()
        os.makedirs(GO_CACHE, exist_ok=True)

    def edit(self, old, new):
        path = os.path.join(self.app_dir, self.source_file)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new))

    def wait_serving(self, hp, after):
        hp.wait_for("app_started", after=after)
        if self.zero_config:  # the app itself listens on PORT
            hp.wait_for("output", after=after, source="app",
                        msg=f"listening on http://127.0.0.1:{self.port}")
        else:  # the example's dev proxy listens on the test's port, the app on a private one
            hp.wait_for("proxy_ready", after=after)

    zero_config = False

    def test_edit_rebuild_restart_and_a_failed_build_keeps_the_old_app(self):
        env = {"PORT": str(self.port), "GOCACHE": GO_CACHE}
        if not self.zero_config:  # the examples' hotpod.yaml puts the dev proxy before the app
            env["HOTPOD_PROXY_LISTEN"] = f"127.0.0.1:{self.port}"
        if self.zero_config:
            os.remove(os.path.join(self.app_dir, "hotpod.yaml"))
            # The offline Go setting of this machine (the example's hotpod.yaml sets the same).
            env.update({"GO111MODULE": "off", "GOPATH": "/usr/share/gocode"})
        hp = self.start([], cwd=self.app_dir, env=env)
        if self.zero_config:
            _, guessed = hp.wait_for("zero_config")
            self.assertIn(self.expected_project, guessed["project"])
        _, first = hp.wait_for("build_finished", build=1, timeout=300)
        self.assertEqual(first["result"], "success", hp.log_tail())
        self.wait_serving(hp, 0)
        url = f"http://127.0.0.1:{self.port}/"
        self.assertEqual(http_get(url), (200, self.greeting + "\n"))

        mark = hp.mark()
        self.edit(self.greeting, "Edited by the test")
        _, second = hp.wait_for("build_finished", after=mark, build=2, timeout=300)
        self.assertEqual(second["result"], "success", hp.log_tail())
        self.wait_serving(hp, mark)
        self.assertEqual(http_get(url), (200, "Edited by the test\n"))

        mark = hp.mark()
        self.edit(self.broken[0], self.broken[1])
        _, third = hp.wait_for("build_finished", after=mark, build=3, timeout=300)
        self.assertEqual(third["result"], "failure")
        self.assertEqual(hp.count("app_stopping"), 1, "a failed build must not touch the app")
        self.assertEqual(http_get(url), (200, "Edited by the test\n"))

        mark = hp.mark()
        self.edit(self.broken[1], self.broken[0])
        _, fourth = hp.wait_for("build_finished", after=mark, build=4, timeout=300)
        self.assertEqual(fourth["result"], "success", hp.log_tail())
        self.wait_serving(hp, mark)
        self.assertEqual(http_get(url), (200, "Edited by the test\n"))
        self.assertEqual(hp.stop(), 0)


class GinAppTest(ExampleAppTest):
    example = "gin-app"
    source_file = "main.go"
    greeting = "Hello from hotpod!"
    broken = ("package main", "package main\n\nthis is not go")


class CppAppTest(ExampleAppTest):
    example = "cpp-app"
    source_file = "main.cpp"
    greeting = None  # read from the source below
    broken = ("#include", "this is not C++;\n#include")

    def setUp(self):
        with open(os.path.join(SOURCE_DIR, "examples", "cpp-app", "main.cpp")) as f:
            for line in f:
                if "kGreeting" in line and '"' in line:
                    self.greeting = line.split('"')[1]
                    break
        super().setUp()


class GinZeroConfigTest(GinAppTest):
    """No hotpod.yaml: hotpod finds go.mod and builds outside the tree, like `fresh`."""
    zero_config = True
    expected_project = "go.mod"


class CppZeroConfigTest(CppAppTest):
    """No hotpod.yaml: hotpod finds CMakeLists.txt and its add_executable."""
    zero_config = True
    expected_project = "CMakeLists.txt"


del ExampleAppTest

if __name__ == "__main__":
    unittest.main()
