/* test_loop.c - the epoll loop's before-sleep hook, loop_mod and the
 * timer, on real pipes and a real timerfd. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

struct rec {
	struct loop *l;
	int fds[2];
	unsigned sleeps, reads, writes, timers;
	unsigned stop_after;		/* stop at this many sleeps */
	char order[16];			/* 's' sleep, 'r' read, 'w' write */
	unsigned n;
};

static void mark(struct rec *r, char c)
{
	if (r->n + 1 < sizeof(r->order))
		r->order[r->n++] = c;
}

static void on_sleep(struct loop *l, void *data)
{
	struct rec *r = data;

	mark(r, 's');
	if (++r->sleeps >= r->stop_after)
		loop_stop(l);
}

static void on_read(struct loop *l, int fd, uint32_t events, void *data)
{
	struct rec *r = data;
	char buf[8];

	(void)l, (void)events;
	mark(r, 'r');
	r->reads++;
	(void)read(fd, buf, sizeof(buf));
}

static void on_write(struct loop *l, int fd, uint32_t events, void *data)
{
	struct rec *r = data;

	(void)l, (void)fd;
	if (events & EPOLLOUT) {
		mark(r, 'w');
		r->writes++;
	}
}

static void on_timer(struct loop *l, void *data)
{
	struct rec *r = data;

	(void)l;
	r->timers++;
}

static void test_before_sleep_runs_before_every_wait(void **state)
{
	struct rec r = { .stop_after = 2 };

	(void)state;
	r.l = loop_new(4);
	assert_non_null(r.l);
	assert_int_equal(pipe(r.fds), 0);
	assert_int_equal(loop_add(r.l, r.fds[0], EPOLLIN, on_read, &r), 0);
	loop_before_sleep(r.l, on_sleep, &r);
	assert_int_equal(write(r.fds[1], "x", 1), 1);
	/* The hook runs first, then the read it precedes, then again
	 * before the next wait (where it stops the loop). */
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.reads, 1);
	assert_string_equal(r.order, "srs");
	close(r.fds[0]);
	close(r.fds[1]);
	loop_free(r.l);
}

static void test_loop_mod_changes_interest(void **state)
{
	struct rec r = { .stop_after = 2 };

	(void)state;
	r.l = loop_new(4);
	assert_non_null(r.l);
	assert_int_equal(pipe(r.fds), 0);
	/* The write end is always writable: only EPOLLOUT interest shows it. */
	assert_int_equal(loop_add(r.l, r.fds[1], 0, on_write, &r), 0);
	assert_int_equal(loop_mod(r.l, r.fds[1], EPOLLOUT), 0);
	loop_before_sleep(r.l, on_sleep, &r);
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.writes, 1);
	assert_int_equal(loop_mod(r.l, r.fds[0], EPOLLIN), -ENOENT);
	close(r.fds[0]);
	close(r.fds[1]);
	loop_free(r.l);
}

static void test_timer_fires_once_and_rearms(void **state)
{
	struct rec r = { .stop_after = 2 };
	uint64_t at;

	(void)state;
	r.l = loop_new(4);
	assert_non_null(r.l);
	at = loop_now_ms() + 5;
	assert_int_equal(loop_set_timer(r.l, at, on_timer, &r), 0);
	assert_int_equal(loop_set_timer(r.l, at, on_timer, &r), 0);
	loop_before_sleep(r.l, on_sleep, &r);
	/* Sleep, the timer fires once, sleep (stop). */
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.timers, 1);
	/* Fired means disarmed: the same (now past) deadline arms it again
	 * and it fires at once. */
	r.sleeps = 0;
	assert_int_equal(loop_set_timer(r.l, at, on_timer, &r), 0);
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.timers, 2);
	loop_free(r.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_sleep_runs_before_every_wait),
		cmocka_unit_test(test_loop_mod_changes_interest),
		cmocka_unit_test(test_timer_fires_once_and_rearms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
