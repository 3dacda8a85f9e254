"""One FROM scratch image for the pod tests and the pod benchmark: dist/'s static hotpod, Debian's
busybox-static (sh, cat, mv, wget for the shell builds and for reading HTTP inside a container),
`tar` as a symlink to hotpod (the image has no other tar), a passwd for UID 10001, and a small
static HTTP app (`gcc -static`).

The app, `/app NAME PORT`, reads /out/NAME.txt once at start and answers every request on
127.0.0.1:PORT with that file's lines joined by spaces; SIGTERM ends it. What it answers
therefore changes only when a new app process starts: an answer with the new content proves a
rebuild *and* a restart.

The image is tagged localhost/hotpod-kit:KEY, KEY a hash of everything that goes into it (the
hotpod binary, busybox, the app's source, gcc's version, the Containerfile): a second run with
the same inputs builds nothing, and a new hotpod gets a new tag (older ones are removed). It
lives in the podman storage of container_support.Podman (/var/cache/hotpod-test/podman).
"""
import glob
import hashlib
import os
import shutil
import subprocess
import tempfile

from container_support import log, run

UID = 10001
REPOSITORY = "localhost/hotpod-kit"

APP_C = r"""
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: app NAME PORT\n"); return 2; }
  char path[256], answer[512] = "", line[256];
  snprintf(path, sizeof path, "/out/%s.txt", argv[1]);
  FILE *in = fopen(path, "r");
  if (!in) { perror(path); return 3; }
  while (fgets(line, sizeof line, in)) {
    line[strcspn(line, "\n")] = 0;
    if (answer[0]) strncat(answer, " ", sizeof answer - strlen(answer) - 1);
    strncat(answer, line, sizeof answer - strlen(answer) - 1);
  }
  fclose(in);
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[2]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 64) != 0) {
    perror("app: listen");
    return 1;
  }
  printf("app %s answering '%s' on %s, pid %d\n", argv[1], answer, argv[2], (int)getpid());
  fflush(stdout);
  for (;;) {
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) continue;
    char buf[2048], out[1024];
    (void)!read(c, buf, sizeof buf);
    int n = snprintf(out, sizeof out, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s\n", strlen(answer) + 1, answer);
    (void)!write(c, out, n);
    close(c);
  }
}
"""

PASSWD = f"root:x:0:0:root:/root:/sbin/nologin\nhotpod:x:{UID}:{UID}:hotpod:/:/sbin/nologin\n"
GROUP = f"root:x:0:\nhotpod:x:{UID}:\n"
BUSYBOX_TOOLS = ("sh", "cat", "mv", "cp", "wget")

CONTAINERFILE = f"""FROM scratch
COPY passwd group /etc/
COPY hotpod /usr/local/bin/hotpod
COPY bin/ /bin/
COPY app /app
ENV PATH=/usr/local/bin:/bin
USER {UID}:{UID}
"""


def dist_binary(dist_dir):
    """dist/'s static amd64 hotpod, or an AssertionError that says how to make it."""
    found = glob.glob(os.path.join(dist_dir, "hotpod-*-linux-amd64"))
    if len(found) != 1:
        raise AssertionError(f"expected one {dist_dir}/hotpod-*-linux-amd64, found {found}: "
                             "run `make dist` (make test does)")
    return found[0]


def missing_tools():
    """What this module needs and the machine lacks (empty: all there)."""
    missing = [t for t in ("podman", "runc", "gcc") if not shutil.which(t)]
    if not os.path.exists("/bin/busybox"):
        missing.append("/bin/busybox (busybox-static)")
    elif "statically linked" not in subprocess.run(["file", "-b", "-L", "/bin/busybox"],
                                                   capture_output=True, text=True).stdout:
        missing.append("a static /bin/busybox (install busybox-static)")
    return missing


def _key(hotpod):
    digest = hashlib.sha256()
    for path in (hotpod, "/bin/busybox"):
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout
    for text in (APP_C, CONTAINERFILE, PASSWD, GROUP, " ".join(BUSYBOX_TOOLS), gcc):
        digest.update(text.encode())
    return digest.hexdigest()[:16]


def kit_image(podman, hotpod):
    """The image's tag, built unless the storage already has it (same inputs, same tag)."""
    tag = f"{REPOSITORY}:{_key(hotpod)}"
    if podman.image_id(tag):
        log(f"{tag}: cached")
        return tag
    ctx = tempfile.mkdtemp(prefix="hotpod-kit-")
    try:
        for name, text in (("passwd", PASSWD), ("group", GROUP), ("Containerfile", CONTAINERFILE),
                           ("app.c", APP_C)):
            with open(os.path.join(ctx, name), "w") as f:
                f.write(text)
        run(["gcc", "-static", "-O2", "-o", os.path.join(ctx, "app"), os.path.join(ctx, "app.c")])
        shutil.copy(hotpod, os.path.join(ctx, "hotpod"))
        os.makedirs(os.path.join(ctx, "bin"))
        shutil.copy("/bin/busybox", os.path.join(ctx, "bin", "busybox"))
        for tool in BUSYBOX_TOOLS:
            os.symlink("busybox", os.path.join(ctx, "bin", tool))
        os.symlink("/usr/local/bin/hotpod", os.path.join(ctx, "bin", "tar"))  # hotpod's tar
        podman.podman("build", "--network", "none", "-f", os.path.join(ctx, "Containerfile"),
                      "-t", tag, ctx, timeout=300)
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    # Older kits (an older hotpod) are of no further use.
    listed = podman.podman("images", "--format", "{{.Repository}}:{{.Tag}}", REPOSITORY,
                           check=False, quiet=True).stdout.split()
    for old in set(listed) - {tag}:
        podman.podman("rmi", "-f", old, check=False, quiet=True)
    return tag
