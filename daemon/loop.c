/* loop.c - epoll + timerfd.  See loop.h.
 *
 * The rule of tattled's one loop thread: it never waits.  Every packet,
 * audit record, client line and worker result is a callback here, and
 * while one callback waits nothing else moves: packets queue in the
 * kernel until NFQUEUE drops them, audit records until the socket
 * overflows.  So:
 *  - Work that can take long goes to the worker thread (worker.c) while
 *    the packet stays pending (pending.c) with a deadline: /proc fd scans,
 *    /proc/net tables, content hashes, and the look-ups rules read (a
 *    user's name: NSS may ask the network; a process's environment:
 *    reading it takes that process's memory lock).  Answers come back on
 *    worker_fd() and are cached (pidcache.c, factcache.c), so the next
 *    packet of the same process does not wait.
 *  - Peers are non-blocking sockets with bounded queues: a slow client
 *    loses events (server.c), a stalled syslog loses lines and counts them
 *    (slog.c); neither slows a verdict.
 *  - What stays on the loop is bounded and local: a sock_diag round trip
 *    (the kernel answers before sendmsg returns), small reads of one
 *    named /proc/PID (stat, status, cmdline, a readlink), and appends of
 *    event lines to a log file (page cache; no fsync).
 *  - Rule files are written (fsync) and removed on the worker too: the
 *    edit that needs one (rules.add of an "always" rule, an "always"
 *    answer, enable/disable/delete of a rule on disk) finishes, and its
 *    request is answered, when the worker is done (control.c; the server
 *    holds that client's next requests meanwhile, SERVER_LATER); a used
 *    "once" rule's file is unlinked there (policy.c).
 *  - Time is read once per callback and passed down (now_ms); the one
 *    timer is re-armed from the earliest deadline in loop_before_sleep. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct loop_slot {
	int fd;			/* -1 when free */
	loop_fd_cb cb;
	void *data;
};

struct loop {
	int epfd;
	int tfd;
	int stop;
	unsigned max;
	struct loop_slot *slots;
	loop_cb timer_cb;
	void *timer_data;
	uint64_t timer_at;	/* armed deadline, 0 = disarmed or fired */
	loop_cb before_sleep;
	void *before_sleep_data;
};

#define LOOP_TIMER_TAG UINT32_MAX
#define LOOP_BATCH 64

uint64_t loop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t loop_now_ms(void)
{
	return loop_now_us() / 1000u;
}

uint64_t loop_boottime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct loop *loop_new(unsigned max_fds)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct loop *l;
	unsigned i;

	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->epfd = l->tfd = -1;
	l->max = max_fds;
	l->slots = calloc(max_fds, sizeof(*l->slots));
	if (!l->slots)
		goto fail;
	for (i = 0; i < max_fds; i++)
		l->slots[i].fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epfd < 0 || l->tfd < 0)
		goto fail;
	ev.data.u32 = LOOP_TIMER_TAG;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0)
		goto fail;
	return l;
fail:
	{
		int e = errno;

		loop_free(l);
		errno = e;
	}
	return NULL;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tfd >= 0)
		close(l->tfd);
	free(l->slots);
	free(l);
}

int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *data)
{
	struct epoll_event ev = { .events = events };
	unsigned i, freei = l->max;

	for (i = 0; i < l->max; i++) {
		if (l->slots[i].fd == fd)
			return -EEXIST;
		if (l->slots[i].fd < 0 && freei == l->max)
			freei = i;
	}
	if (freei == l->max)
		return -ENOSPC;
	ev.data.u32 = freei;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	l->slots[freei] = (struct loop_slot){ .fd = fd, .cb = cb, .data = data };
	return 0;
}

int loop_del(struct loop *l, int fd)
{
	unsigned i;

	for (i = 0; i < l->max; i++) {
		if (l->slots[i].fd != fd)
			continue;
		l->slots[i].fd = -1;
		if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
			return -errno;
		return 0;
	}
	return -ENOENT;
}

int loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	unsigned i;

	for (i = 0; i < l->max; i++) {
		if (l->slots[i].fd != fd)
			continue;
		ev.data.u32 = i;
		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			return -errno;
		return 0;
	}
	return -ENOENT;
}

void loop_before_sleep(struct loop *l, loop_cb cb, void *data)
{
	l->before_sleep = cb;
	l->before_sleep_data = data;
}

int loop_set_timer(struct loop *l, uint64_t at_ms, loop_cb cb, void *data)
{
	struct itimerspec its;

	l->timer_cb = cb;
	l->timer_data = data;
	if (at_ms == l->timer_at)
		return 0;
	memset(&its, 0, sizeof(its));
	if (at_ms) {
		its.it_value.tv_sec = (time_t)(at_ms / 1000u);
		its.it_value.tv_nsec = (long)(at_ms % 1000u) * 1000000L;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		l->timer_at = 0;
		return -errno;
	}
	l->timer_at = at_ms;
	return 0;
}

static void loop_fire_timer(struct loop *l)
{
	uint64_t n;
	loop_cb cb = l->timer_cb;

	if (read(l->tfd, &n, sizeof(n)) != sizeof(n))
		return;
	l->timer_at = 0;	/* one-shot: disarmed now */
	if (cb)
		cb(l, l->timer_data);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];
	int n, i;

	l->stop = 0;
	while (!l->stop) {
		if (l->before_sleep) {
			l->before_sleep(l, l->before_sleep_data);
			if (l->stop)
				break;
		}
		n = epoll_wait(l->epfd, evs, LOOP_BATCH, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !l->stop; i++) {
			uint32_t tag = evs[i].data.u32;
			struct loop_slot *s;

			if (tag == LOOP_TIMER_TAG) {
				loop_fire_timer(l);
				continue;
			}
			s = &l->slots[tag];
			if (s->fd >= 0)
				s->cb(l, s->fd, evs[i].events, s->data);
		}
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = 1;
}
