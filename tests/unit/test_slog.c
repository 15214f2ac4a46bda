/* test_slog.c - the syslog datagram sender against real AF_UNIX datagram
 * sockets: absent, full, restarted receivers; queue, drop, report. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "slog.h"

struct fx {
	char dir[32];
	char path[64];
	int rx;			/* the receiver, -1 while absent */
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_slog.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/log", f->dir);
	f->rx = -1;
	*state = f;
	return 0;
}

static void rx_close(struct fx *f)
{
	if (f->rx >= 0)
		close(f->rx);
	f->rx = -1;
	unlink(f->path);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	rx_close(f);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void rx_open(struct fx *f)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	f->rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(f->rx >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->path);
	assert_int_equal(bind(f->rx, (struct sockaddr *)&a, sizeof(a)), 0);
}

/* Next datagram as a number ("m<N>"), or -1 when none is waiting. */
static long rx_next(struct fx *f)
{
	char buf[128];
	ssize_t n = recv(f->rx, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	assert_int_equal(buf[0], 'm');
	return strtol(buf + 1, NULL, 10);
}

static int send_n(struct slog *s, long i, uint64_t now)
{
	char m[32];
	int n = snprintf(m, sizeof(m), "m%ld", i);

	return slog_send(s, m, (size_t)n, now);
}

static void test_absent_socket_queues_then_delivers_in_order(void **state)
{
	struct fx *f = *state;
	struct slog *s = slog_open(f->path, 4096);
	struct slog_stats st;
	long i;

	assert_non_null(s);
	for (i = 0; i < 5; i++)
		assert_int_equal(send_n(s, i, 1000), 1);
	assert_false(slog_want_write(s));	/* nothing to poll for */
	rx_open(f);
	/* Reconnects only after the retry interval. */
	assert_int_equal(slog_flush(s, 1000 + SLOG_RETRY_MS - 1), 5);
	assert_int_equal(slog_flush(s, 1000 + SLOG_RETRY_MS), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(rx_next(f), i);
	assert_int_equal(rx_next(f), -1);
	slog_get_stats(s, &st);
	assert_int_equal(st.sent, 5);
	assert_int_equal(st.dropped, 0);
	assert_true(st.connected);
	assert_int_equal(slog_take_loss(s), 0);
	slog_close(s);
}

static void test_absent_socket_past_cap_drops_and_reports_after_drain(void **state)
{
	struct fx *f = *state;
	/* Room for exactly 3 records of "mN" (4-byte length + 2 bytes). */
	struct slog *s = slog_open(f->path, 3 * 6);
	struct slog_stats st;
	long i;

	assert_non_null(s);
	for (i = 0; i < 3; i++)
		assert_int_equal(send_n(s, i, 0), 1);
	for (i = 3; i < 7; i++)
		assert_int_equal(send_n(s, i, 0), -ENOBUFS);
	assert_int_equal(slog_take_loss(s), 0);	/* not drained yet */
	rx_open(f);
	assert_int_equal(slog_flush(s, SLOG_RETRY_MS), 0);
	assert_int_equal(slog_take_loss(s), 4);
	assert_int_equal(slog_take_loss(s), 0);	/* reported once */
	for (i = 0; i < 3; i++)
		assert_int_equal(rx_next(f), i);
	assert_int_equal(rx_next(f), -1);
	slog_get_stats(s, &st);
	assert_int_equal(st.dropped, 4);
	assert_int_equal(st.sent, 3);
	slog_close(s);
}

/* The receiver does not read: its queue (net.unix.max_dgram_qlen) or our
 * send buffer fills, send() says EAGAIN, and the sender must not block. */
static void test_full_socket_queues_drops_newest_keeps_order(void **state)
{
	struct fx *f = *state;
	struct slog *s;
	struct slog_stats st;
	long i, got, sent_direct = -1;
	int r, queued = 0, dropped = 0;

	rx_open(f);
	s = slog_open(f->path, 10 * 8);
	assert_non_null(s);
	for (i = 0; i < 100000 && dropped < 5; i++) {
		r = send_n(s, i, 0);
		if (r == 0)
			sent_direct = i;
		else if (r == 1)
			queued++;
		else if (r == -ENOBUFS)
			dropped++;
		else
			fail_msg("unexpected %d", r);
		if (r != 0)
			assert_true(slog_want_write(s) || r == -ENOBUFS);
	}
	assert_true(sent_direct >= 0);
	assert_true(queued > 0);
	assert_int_equal(dropped, 5);
	assert_int_equal(slog_take_loss(s), 0);
	/* Drain the receiver as the syslog daemon would, flushing as the
	 * socket says it is writable again. */
	got = 0;
	while (slog_flush(s, 0) > 0 || got < sent_direct + 1 + queued) {
		long v = rx_next(f);

		if (v < 0)
			continue;
		assert_int_equal(v, got);	/* in order, no gap */
		got++;
	}
	assert_int_equal(got, sent_direct + 1 + queued);
	assert_int_equal(rx_next(f), -1);
	assert_false(slog_want_write(s));
	assert_int_equal(slog_take_loss(s), 5);
	slog_get_stats(s, &st);
	assert_int_equal(st.dropped, 5);
	assert_int_equal(st.sent, (uint64_t)got);
	slog_close(s);
}

static void test_restarted_receiver_is_reconnected(void **state)
{
	struct fx *f = *state;
	struct slog *s;
	struct slog_stats st;

	rx_open(f);
	s = slog_open(f->path, 4096);
	assert_non_null(s);
	assert_int_equal(send_n(s, 0, 0), 0);
	assert_int_equal(rx_next(f), 0);
	rx_close(f);			/* the daemon restarts: new socket */
	rx_open(f);
	assert_int_equal(send_n(s, 1, 10), 0);	/* refused, reconnected */
	assert_int_equal(rx_next(f), 1);
	slog_get_stats(s, &st);
	assert_int_equal(st.reconnects, 1);
	assert_int_equal(st.dropped, 0);
	slog_close(s);
}

static void test_gone_receiver_queues_until_it_returns(void **state)
{
	struct fx *f = *state;
	struct slog *s;

	rx_open(f);
	s = slog_open(f->path, 4096);
	assert_non_null(s);
	assert_int_equal(send_n(s, 0, 0), 0);
	assert_int_equal(rx_next(f), 0);
	rx_close(f);
	assert_int_equal(send_n(s, 1, 10), 1);
	assert_int_equal(send_n(s, 2, 20), 1);
	rx_open(f);
	assert_int_equal(slog_flush(s, 10 + SLOG_RETRY_MS - 1), 2);
	assert_int_equal(slog_flush(s, 10 + SLOG_RETRY_MS), 0);
	assert_int_equal(rx_next(f), 1);
	assert_int_equal(rx_next(f), 2);
	slog_close(s);
}

static void test_oversized_message_is_dropped_and_counted(void **state)
{
	struct fx *f = *state;
	struct slog *s;
	char *big = calloc(1, SLOG_MSG_MAX + 1);

	assert_non_null(big);
	rx_open(f);
	s = slog_open(f->path, 2 * SLOG_MSG_MAX);
	assert_non_null(s);
	assert_int_equal(slog_send(s, big, SLOG_MSG_MAX + 1, 0), -EMSGSIZE);
	assert_int_equal(send_n(s, 1, 0), 0);
	assert_int_equal(slog_take_loss(s), 1);
	assert_int_equal(rx_next(f), 1);
	free(big);
	slog_close(s);
}

static void test_open_rejects_bad_path(void **state)
{
	char longp[200];

	(void)state;
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_null(slog_open(longp, 4096));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_null(slog_open("", 4096));
	assert_int_equal(errno, EINVAL);
	slog_close(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_absent_socket_queues_then_delivers_in_order),
		T(test_absent_socket_past_cap_drops_and_reports_after_drain),
		T(test_full_socket_queues_drops_newest_keeps_order),
		T(test_restarted_receiver_is_reconnected),
		T(test_gone_receiver_queues_until_it_returns),
		T(test_oversized_message_is_dropped_and_counted),
		cmocka_unit_test(test_open_rejects_bad_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
