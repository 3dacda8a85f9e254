/* stamp: append CLOCK_MONOTONIC (ns) as one line to the file named by argv[1].
 *
 * Used by bench/latency.py as the "build command": the clock is read in the first statement of
 * main(), so the stamp marks the moment the build command starts running. Build with
 *   cc -O2 -o stamp bench/stamp.c
 * It only uses the raw syscalls' wrappers (no stdio) to keep its own start-up cost tiny.
 *
 *   stamp OUT -    also writes "hotpod-bench-stamp NS" to stdout, after the clock was read: the
 *                  peers (reflex, entr, nodemon, chokidar) pass their command's output through,
 *                  and that line tells the bench that the triggered command ran.
 */
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 2;
    if (argc < 2) return 2;

    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    char buf[32];
    int pos = (int)sizeof buf;
    buf[--pos] = '\n';
    do {
        buf[--pos] = (char)('0' + ns % 10);
        ns /= 10;
    } while (ns != 0);

    int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return 1;
    ssize_t len = (ssize_t)sizeof buf - pos;
    ssize_t n = write(fd, buf + pos, (size_t)len); /* O_APPEND + one write: one whole line */
    if (close(fd) != 0 || n != len) return 1;
    if (argc > 2 && argv[2][0] == '-' && argv[2][1] == '\0') {
        static const char tag[] = "hotpod-bench-stamp ";
        char line[sizeof tag - 1 + sizeof buf];
        size_t t = sizeof tag - 1;
        for (size_t i = 0; i < t; i++) line[i] = tag[i];
        for (ssize_t i = 0; i < len; i++) line[t + (size_t)i] = buf[pos + i];
        if (write(1, line, t + (size_t)len) != (ssize_t)(t + (size_t)len)) return 1;
    }
    return 0;
}
