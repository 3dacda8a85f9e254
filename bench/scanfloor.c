/* scanfloor: the physical floor of one poll scan — the system calls a poller cannot avoid.
 *
 * Walks a tree with openat(O_DIRECTORY|O_NOFOLLOW) / fdopendir / readdir and one
 * fstatat(AT_SYMLINK_NOFOLLOW) per entry (files and directories, "." and ".." skipped), and
 * descends into every directory. No filtering, no bookkeeping: whatever a real poller does on
 * top of this is its own cost. Build with
 *   cc -O2 -o scanfloor bench/scanfloor.c
 *
 *   scanfloor ROOT [-n N] [--gap-ms MS]
 *       N timed walks (default 10). Between two walks it sleeps max(MS, the last walk's CPU
 *       time) — hotpod's pacing with a 100 % poll budget and a MS poll interval, so that both
 *       get the same treatment from the scheduler on a busy machine; without --gap-ms the walks
 *       run back to back. One JSON line per walk on stdout
 *       ({"walk":i,"wall_us":..,"cpu_us":..,"preempted":..,"files":..,"dirs":..}), then one summary line
 *       ({"summary":true,..,"median_wall_us":..,"median_cpu_us":..}).
 *   scanfloor ROOT --interval-ms MS --duration-s S
 *       A naive poller: walk, sleep MS, walk, ... for S seconds (bounded), then one summary line
 *       with the number of walks and the process' CPU time. The bench reads the CPU from
 *       /proc/PID/stat as for hotpod; the summary is a cross-check. SIGTERM/SIGINT end the
 *       loop after the current walk, with the summary.
 *
 * wall: CLOCK_MONOTONIC around the walk; cpu: CLOCK_PROCESS_CPUTIME_ID around it; preempted:
 * involuntary context switches during it (getrusage ru_nivcsw), i.e. how often other load on the
 * machine took the CPU away — the usual reason for wall > cpu.
 * Exit status: 0, 1 if ROOT cannot be read, 2 bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct counts {
    uint64_t files;
    uint64_t dirs;
    uint64_t sum; /* folded stat fields, so the compiler cannot drop the fstatat results */
};

static volatile sig_atomic_t stop_requested = 0;

static void on_term(int sig) {
    (void)sig;
    stop_requested = 1;
}

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Takes ownership of fd (a directory). Recursive: the depth is the tree's depth. */
static void walk(int fd, struct counts *c) {
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        close(fd);
        return;
    }
    c->dirs++;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        const char *n = e->d_name;
        if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
        struct stat st;
        if (fstatat(dirfd(dir), n, &st, AT_SYMLINK_NOFOLLOW) != 0) continue; /* raced away */
        c->sum += (uint64_t)st.st_mtim.tv_nsec + (uint64_t)st.st_size + (uint64_t)st.st_ino;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(dir), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) walk(sub, c);
        } else {
            c->files++;
        }
    }
    closedir(dir);
}

static int walk_root(const char *root, struct counts *c) {
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    walk(fd, c);
    return 0;
}

static long nivcsw(void) {
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_nivcsw : 0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t median(int64_t *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int usage(void) {
    fprintf(stderr, "usage: scanfloor ROOT [-n N] [--gap-ms MS] | scanfloor ROOT --interval-ms MS --duration-s S\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    const char *root = argv[1];
    long n = 10, interval_ms = -1, gap_ms = -1;
    double duration_s = -1;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "-n") == 0) n = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--gap-ms") == 0) gap_ms = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--interval-ms") == 0) interval_ms = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--duration-s") == 0) duration_s = strtod(argv[++i], NULL);
        else return usage();
    }
    if ((interval_ms >= 0) != (duration_s >= 0) || (gap_ms >= 0 && interval_ms >= 0) || gap_ms > 60000) return usage();

    if (interval_ms >= 0) { /* naive poller */
        if (duration_s > 3600) return usage();
        const int64_t t_end = now_ns(CLOCK_MONOTONIC) + (int64_t)(duration_s * 1e9);
        const int64_t cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        long walks = 0;
        struct counts c = {0, 0, 0};
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_term; /* no SA_RESTART: the nap ends at once */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        while (!stop_requested && now_ns(CLOCK_MONOTONIC) < t_end) {
            memset(&c, 0, sizeof c);
            if (walk_root(root, &c) != 0) {
                fprintf(stderr, "scanfloor: %s: %s\n", root, strerror(errno));
                return 1;
            }
            walks++;
            int64_t left = t_end - now_ns(CLOCK_MONOTONIC);
            int64_t nap = (int64_t)interval_ms * 1000000;
            if (nap > left) nap = left;
            if (nap > 0) {
                struct timespec ts = {(time_t)(nap / 1000000000), (long)(nap % 1000000000)};
                while (!stop_requested && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
                }
            }
        }
        printf("{\"summary\":true,\"mode\":\"poller\",\"interval_ms\":%ld,\"duration_s\":%.3f,\"walks\":%ld,"
               "\"cpu_us\":%lld,\"files\":%llu,\"dirs\":%llu}\n",
               interval_ms, duration_s, walks, (long long)((now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1000),
               (unsigned long long)c.files, (unsigned long long)c.dirs);
        return 0;
    }

    if (n < 1 || n > 100000) return usage();
    int64_t *wall = calloc((size_t)n, sizeof *wall), *cpu = calloc((size_t)n, sizeof *cpu);
    if (!wall || !cpu) return 1;
    struct counts c = {0, 0, 0};
    for (long i = 0; i < n; i++) {
        memset(&c, 0, sizeof c);
        long p0 = nivcsw();
        int64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        int rc = walk_root(root, &c);
        int64_t c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID), w1 = now_ns(CLOCK_MONOTONIC);
        long preempted = nivcsw() - p0;
        if (rc != 0) {
            fprintf(stderr, "scanfloor: %s: %s\n", root, strerror(errno));
            return 1;
        }
        wall[i] = (w1 - w0) / 1000;
        cpu[i] = (c1 - c0) / 1000;
        if (gap_ms >= 0 && i + 1 < n) {
            int64_t nap = (int64_t)gap_ms * 1000000;
            if (c1 - c0 > nap) nap = c1 - c0;
            struct timespec ts = {(time_t)(nap / 1000000000), (long)(nap % 1000000000)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
        }
        printf("{\"walk\":%ld,\"wall_us\":%lld,\"cpu_us\":%lld,\"preempted\":%ld,\"files\":%llu,\"dirs\":%llu,"
               "\"check\":%llu}\n",
               i, (long long)wall[i], (long long)cpu[i], preempted, (unsigned long long)c.files,
               (unsigned long long)c.dirs, (unsigned long long)(c.sum & 0xffff));
    }
    printf("{\"summary\":true,\"mode\":\"walks\",\"walks\":%ld,\"files\":%llu,\"dirs\":%llu,"
           "\"median_wall_us\":%lld,\"median_cpu_us\":%lld}\n",
           n, (unsigned long long)c.files, (unsigned long long)c.dirs, (long long)median(wall, (int)n),
           (long long)median(cpu, (int)n));
    free(wall);
    free(cpu);
    return 0;
}
