"""The times of build_started and app_started: the moment hotpod exec'd the build's shell and the
app, not the later moment hotpod got a CPU back to write the line (a Go app's runtime takes both
CPUs of a small machine for a millisecond or two right after its execve). Whoever subtracts
them from a save's time gets hotpod's own part, the build's and the app's (bench/peers.py e2e)."""
import os
import subprocess
import unittest

from hotpod_harness import TempTree, record_ns, write

# Writes CLOCK_REALTIME (ns) to argv[1] first thing and says so on stdout, then either exits (the
# build) or waits for SIGTERM (the app).
STAMP_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  char line[32];
  int n = snprintf(line, sizeof line, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0 || write(fd, line, n) != n) return 1;
  close(fd);
  if (write(1, "stamped\n", 8) != 8) return 1;
  if (argc > 2 && strcmp(argv[2], "serve") == 0) pause();
  return 0;
}
"""


class RecordTimesTest(TempTree):
    def setUp(self):
        super().setUp()
        self.stamp = os.path.join(self.dir, "stamp")
        write(self.stamp + ".c", STAMP_C)
        subprocess.run(["cc", "-O2", "-o", self.stamp, self.stamp + ".c"], check=True)
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.c"), "int main(void) { return 0; }\n")

    def stamps(self, name):
        with open(os.path.join(self.dir, name)) as f:
            return [int(line) for line in f.read().split()]

    def test_build_started_and_app_started_are_stamped_with_their_execve(self):
        builds = os.path.join(self.dir, "built")
        apps = os.path.join(self.dir, "served")
        hp = self.start(["--root", self.src, "--build", f"exec {self.stamp} {builds}",
                         "--", self.stamp, apps, "serve"])
        for number in (1, 2, 3):
            mark = 0 if number == 1 else hp.mark()  # the first build may be logged already
            if number > 1:
                write(os.path.join(self.src, "main.c"), f"int main(void) {{ return {number}; }}\n")
            _, build = hp.wait_for("build_started", after=mark, build=number)
            _, app = hp.wait_for("app_started", after=mark)
            hp.wait_for("output", after=mark, source="app", msg="stamped")  # the build's came first
            self.assertLessEqual(record_ns(build), self.stamps("built")[number - 1],
                                 "build_started is later than the build's first instruction")
            self.assertLessEqual(record_ns(app), self.stamps("served")[number - 1],
                                 "app_started is later than the app's first instruction")


if __name__ == "__main__":
    unittest.main()
