"""The folders of agent/src depend on each other one way (docs/how-it-works.md, "Layers").

scripts/check-layers.py must pass on the real tree and fail, naming file and line, on an
upward include or a circle; and the build itself must refuse an upward include, because each
layer's include root holds only the layers it names."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = pathlib.Path(os.environ.get("HOTPOD_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
CHECK = SOURCE / "scripts" / "check-layers.py"

LAYERS = """include(HotpodLayer)
hotpod_layer(base)
hotpod_layer(model DEPS base)
hotpod_layer(loop DEPS model)
"""


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


class LayersTest(unittest.TestCase):
    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="hotpod-layers-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.src = self.dir / "src"
        write(self.src / "CMakeLists.txt", LAYERS)
        write(self.src / "base" / "fd.h", "#pragma once\nint fd();\n")
        write(self.src / "base" / "fd.cpp", '#include "base/fd.h"\nint fd() { return 0; }\n')
        write(self.src / "model" / "config.h", '#pragma once\n#include "base/fd.h"\n')
        write(self.src / "model" / "config.cpp", '#include "model/config.h"\n')
        write(self.src / "loop" / "dev_loop.h", '#pragma once\n#include "model/config.h"\n')
        write(self.src / "loop" / "dev_loop.cpp", '#include "loop/dev_loop.h"\n')

    def check(self, src):
        return subprocess.run([sys.executable, str(CHECK), str(src)], capture_output=True,
                              text=True, timeout=60)

    def test_the_real_tree_goes_one_way(self):
        result = self.check(SOURCE / "agent" / "src")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("every include goes down the layers", result.stdout)

    def test_a_clean_small_tree_passes(self):
        result = self.check(self.src)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_an_upward_include_is_named_with_its_line(self):
        write(self.src / "base" / "fd.cpp",
              '#include "base/fd.h"\n#include "loop/dev_loop.h"\nint fd() { return 0; }\n')
        result = self.check(self.src)
        self.assertEqual(result.returncode, 1)
        self.assertIn("base/fd.cpp:2: base/ includes loop/, which is not below it", result.stderr)

    def test_two_folders_including_each_other_is_a_circle(self):
        write(self.src / "model" / "config.cpp",
              '#include "model/config.h"\n#include "loop/dev_loop.h"\n')
        result = self.check(self.src)
        self.assertEqual(result.returncode, 1)
        self.assertIn("model/config.cpp:2: model/ includes loop/", result.stderr)
        self.assertIn("in a circle: loop -> model -> loop", result.stderr)

    def test_a_folder_that_is_not_a_layer_is_reported(self):
        write(self.src / "extra" / "x.cpp", '#include "base/fd.h"\n')
        result = self.check(self.src)
        self.assertEqual(result.returncode, 1)
        self.assertIn("folder extra/ is not a layer", result.stderr)

    def build(self):
        """Configures and builds the small tree with the project's own hotpod_layer()."""
        write(self.dir / "CMakeLists.txt",
              "cmake_minimum_required(VERSION 3.25)\nproject(layers LANGUAGES CXX)\n"
              f"list(APPEND CMAKE_MODULE_PATH {SOURCE / 'cmake'})\nadd_subdirectory(src)\n")
        build = self.dir / "build"
        configure = subprocess.run(["cmake", "-S", str(self.dir), "-B", str(build)],
                                   capture_output=True, text=True, timeout=120)
        self.assertEqual(configure.returncode, 0, configure.stdout + configure.stderr)
        return subprocess.run(["cmake", "--build", str(build)], capture_output=True, text=True,
                              timeout=300)

    def test_the_build_refuses_an_upward_include(self):
        if not shutil.which("cmake"):
            self.skipTest("SKIPPED: no cmake")
        self.assertEqual(self.build().returncode, 0)
        write(self.src / "base" / "fd.cpp",
              '#include "base/fd.h"\n#include "loop/dev_loop.h"\nint fd() { return 0; }\n')
        result = self.build()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("loop/dev_loop.h: No such file or directory", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
