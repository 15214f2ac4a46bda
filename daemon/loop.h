/* loop.h - a small epoll loop (antirez's ae in spirit): fd callbacks and
 * one deadline timer.  Single-threaded; callbacks run on the loop thread. */
#ifndef TATTLE_LOOP_H
#define TATTLE_LOOP_H

#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(struct loop *l, int fd, uint32_t events, void *data);
typedef void (*loop_cb)(struct loop *l, void *data);

/* NULL and errno on failure.  max_fds bounds the registrations. */
struct loop *loop_new(unsigned max_fds);
void loop_free(struct loop *l);

/* Register fd for events (EPOLLIN...).  -EEXIST, -ENOSPC, or -errno. */
int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *data);
int loop_del(struct loop *l, int fd);
/* Change a registered fd's interest set.  -ENOENT if not registered. */
int loop_mod(struct loop *l, int fd, uint32_t events);

/* cb runs before every wait for events, after each batch of callbacks:
 * the one place to flush what they buffered and re-arm the timer from
 * the deadlines they changed.  It may loop_stop().  NULL removes it. */
void loop_before_sleep(struct loop *l, loop_cb cb, void *data);

/* Arm the one-shot deadline timer at monotonic ms `at` (0 disarms); cb runs
 * once when it fires.  Re-arming replaces the previous deadline; arming
 * the same deadline again costs no system call. */
int loop_set_timer(struct loop *l, uint64_t at_ms, loop_cb cb, void *data);

/* Run until loop_stop().  Returns 0, or -errno from epoll_wait. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

/* CLOCK_MONOTONIC and CLOCK_BOOTTIME in ms / us. */
uint64_t loop_now_ms(void);
uint64_t loop_now_us(void);
uint64_t loop_boottime_ms(void);

#endif
