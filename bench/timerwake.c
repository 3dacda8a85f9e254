/* The machine's own cost of waking up after an idle delay: arms a CLOCK_MONOTONIC timerfd for
 * DELAY_MS, waits for it in epoll_wait (as hotpod's reactor waits for its quiet-period timer),
 * and prints how late each wake-up was, in microseconds, one per line.
 *   timerwake DELAY_MS SAMPLES */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: timerwake DELAY_MS SAMPLES\n");
    return 2;
  }
  const int64_t delay_ns = atoll(argv[1]) * 1000000;
  const int samples = atoi(argv[2]);
  const int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  const int poller = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event event = {.events = EPOLLIN};
  if (timer < 0 || poller < 0 || epoll_ctl(poller, EPOLL_CTL_ADD, timer, &event) != 0) {
    perror("timerwake");
    return 1;
  }
  for (int i = 0; i < samples; ++i) {
    const int64_t due = now_ns() + delay_ns;
    struct itimerspec spec = {.it_value = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000}};
    timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, NULL);
    epoll_wait(poller, &event, 1, -1);
    const int64_t late = now_ns() - due;
    uint64_t expirations;
    if (read(timer, &expirations, sizeof expirations) < 0) return 1;
    printf("%.1f\n", late / 1000.0);
  }
  return 0;
}
