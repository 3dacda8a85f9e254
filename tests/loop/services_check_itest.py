"""`hotpod init` finds several services and writes `services:`; `hotpod check --list-files` says
which services each file concerns."""
import json
import os
import unittest

from hotpod_harness import TempTree, run_hotpod, write

MAIN = "package main\n\nfunc main() {}\n"


class InitAndCheckServicesTest(TempTree):
    def init_and_list(self, tree):
        for path, text in tree.items():
            write(os.path.join(self.dir, path), text)
        init = run_hotpod(["init", "--dir", self.dir])
        self.assertEqual(init.returncode, 0, init.stdout + init.stderr)
        check = run_hotpod(["check", "--list-files", "-c", os.path.join(self.dir, "hotpod.yaml")])
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        listed = dict(line.split("\t") for line in check.stdout.splitlines())
        with open(os.path.join(self.dir, "hotpod.yaml")) as f:
            return init.stdout, f.read(), listed

    def test_go_main_packages_share_the_rest_of_the_module(self):
        out, config, listed = self.init_and_list({
            "go.mod": "module example.com/mono\n",
            "cmd/api/main.go": MAIN, "cmd/worker/main.go": MAIN,
            "internal/lib/lib.go": "package lib\n", "README.md": "x\n"})
        self.assertIn("2 services found (Go main package)", out)
        self.assertIn("  api:\n", config)
        self.assertIn("  worker:\n", config)
        self.assertEqual(listed["internal/lib/lib.go"], "api, worker")
        self.assertEqual(listed["cmd/api/main.go"], "api")
        self.assertEqual(listed["cmd/worker/main.go"], "worker")
        self.assertNotIn("README.md", listed)  # include_ext: go, tmpl, html

        summary = run_hotpod(["check", "-c", os.path.join(self.dir, "hotpod.yaml")])
        self.assertIn("service:  api: 2 file(s)", summary.stdout)

    def test_go_modules(self):
        out, config, listed = self.init_and_list({
            "api/go.mod": "module api\n", "api/main.go": MAIN,
            "worker/go.mod": "module worker\n", "worker/main.go": MAIN})
        self.assertIn("(go.mod)", out)
        self.assertIn('dir: "api"', config)
        self.assertEqual(listed, {"api/main.go": "api", "worker/main.go": "worker"})

    def test_npm_workspaces(self):
        out, config, listed = self.init_and_list({
            "package.json": json.dumps({"workspaces": ["packages/*"]}),
            "packages/web/package.json": "{}", "packages/web/index.js": "",
            "packages/admin/package.json": "{}", "packages/admin/index.js": ""})
        self.assertIn("npm workspace", out)
        self.assertEqual(listed["packages/web/index.js"], "web")
        self.assertEqual(listed["packages/admin/index.js"], "admin")

    def test_pnpm_workspaces(self):
        # pnpm reads pnpm-workspace.yaml, not package.json's "workspaces"; '!' takes one back.
        out, config, listed = self.init_and_list({
            "package.json": json.dumps({"name": "mono", "private": True}),
            "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - packages/ui\n"
                                   "  - '!apps/legacy'\n",
            "apps/site/package.json": "{}", "apps/site/index.js": "",
            "apps/legacy/package.json": "{}", "apps/legacy/index.js": "",
            "packages/ui/package.json": "{}", "packages/ui/button.js": "",
            "packages/other/package.json": "{}", "packages/other/x.js": ""})
        self.assertIn("2 services found (pnpm workspace)", out)
        self.assertIn('run: {cmd: "pnpm run dev"}', config)
        self.assertEqual(listed, {"apps/site/index.js": "site", "apps/site/package.json": "site",
                                  "packages/ui/button.js": "ui",
                                  "packages/ui/package.json": "ui"})

    def test_yarn_workspaces(self):
        out, config, listed = self.init_and_list({
            "package.json": json.dumps({"workspaces": {"packages": ["packages/*"]}}),
            "yarn.lock": "", "packages/web/package.json": "{}", "packages/web/index.js": "",
            "packages/admin/package.json": "{}", "packages/admin/index.js": ""})
        self.assertIn("yarn workspace", out)
        self.assertIn('run: {cmd: "yarn run dev"}', config)
        self.assertEqual(listed["packages/admin/index.js"], "admin")

    def test_compose_build_contexts(self):
        out, config, listed = self.init_and_list({
            "docker-compose.yml": "services:\n  api:\n    build: ./api\n  front:\n"
                                  "    build: {context: web}\n  db:\n    image: postgres\n",
            "api/main.go": MAIN, "web/index.js": ""})
        self.assertIn("build context", out)
        self.assertNotIn("db:", config)
        self.assertEqual(listed["api/main.go"], "api")
        self.assertEqual(listed["web/index.js"], "front")

    def test_from_compose_develop_watch(self):
        write(os.path.join(self.dir, "compose.yaml"),
              "services:\n  web:\n    build: web\n    develop:\n      watch:\n"
              "        - {action: sync, path: ./web, target: /app, ignore: [dist/]}\n"
              "  db: {image: postgres}\n")
        write(os.path.join(self.dir, "web", "index.js"), "")
        write(os.path.join(self.dir, "web", "dist", "bundle.js"), "")
        init = run_hotpod(["init", "--from-compose", "--dir", self.dir])
        self.assertEqual(init.returncode, 0, init.stdout + init.stderr)
        self.assertIn("not converted: web.develop.watch[0].target (/app)", init.stdout)
        self.assertIn("not converted: db: no develop.watch", init.stdout)
        check = run_hotpod(["check", "--list-files", "-c", os.path.join(self.dir, "hotpod.yaml")])
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        listed = dict(line.split("\t") for line in check.stdout.splitlines())
        self.assertEqual(listed, {"web/index.js": "web"})  # dist/ is ignored


if __name__ == "__main__":
    unittest.main()
