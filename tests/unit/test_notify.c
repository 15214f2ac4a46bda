/* test_notify.c - the sd_notify protocol against a real listener: an
 * AF_UNIX datagram socket bound where $NOTIFY_SOCKET points, as systemd
 * binds /run/systemd/notify. */
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

#include "notify.h"

struct listener {
	char dir[64];
	char value[128];	/* what NOTIFY_SOCKET holds */
	int fd;
};

/* Bind a datagram socket at a fresh path, or at an abstract name when
 * abstract; the value is what systemd would put in NOTIFY_SOCKET. */
static void listener_open(struct listener *l, int abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	struct timeval tv = { .tv_sec = 2 };

	memset(l, 0, sizeof(*l));
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	if (abstract) {
		snprintf(l->value, sizeof(l->value), "@tattle-test-notify-%ld",
			 (long)getpid());
		memcpy(sa.sun_path + 1, l->value + 1, strlen(l->value) - 1);
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				    strlen(l->value));
	} else {
		snprintf(l->dir, sizeof(l->dir), "/tmp/tattle-notify-XXXXXX");
		assert_non_null(mkdtemp(l->dir));
		snprintf(l->value, sizeof(l->value), "%s/notify", l->dir);
		memcpy(sa.sun_path, l->value, strlen(l->value) + 1);
		salen = sizeof(sa);
	}
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, salen), 0);
	assert_int_equal(setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof(tv)), 0);
}

static void listener_close(struct listener *l)
{
	close(l->fd);
	if (l->dir[0]) {
		unlink(l->value);
		rmdir(l->dir);
	}
}

/* One datagram, NUL-terminated. */
static ssize_t listener_recv(struct listener *l, char *buf, size_t len)
{
	ssize_t n = recv(l->fd, buf, len - 1, 0);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void test_unset_is_a_noop(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_stopping(), 0);
	assert_int_equal(notify_ready("queue %u", 0u), 0);
}

static void test_ready_reaches_a_path_socket(void **state)
{
	struct listener l;
	char buf[NOTIFY_MAX], want[NOTIFY_MAX];

	(void)state;
	listener_open(&l, 0);
	setenv("NOTIFY_SOCKET", l.value, 1);
	assert_int_equal(notify_ready("queue %u, audit %s", 3u, "on"), 0);
	assert_true(listener_recv(&l, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "READY=1\nSTATUS=queue 3, audit on\nMAINPID=%ld",
		 (long)getpid());
	assert_string_equal(buf, want);
	unsetenv("NOTIFY_SOCKET");
	listener_close(&l);
}

static void test_stopping_reaches_an_abstract_socket(void **state)
{
	struct listener l;
	char buf[NOTIFY_MAX];

	(void)state;
	listener_open(&l, 1);
	setenv("NOTIFY_SOCKET", l.value, 1);
	assert_int_equal(notify_stopping(), 0);
	assert_true(listener_recv(&l, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	listener_close(&l);
}

/* A newline in STATUS would smuggle another assignment (say MAINPID=1). */
static void test_status_newline_cannot_add_an_assignment(void **state)
{
	struct listener l;
	char buf[NOTIFY_MAX], want[NOTIFY_MAX];

	(void)state;
	listener_open(&l, 1);
	setenv("NOTIFY_SOCKET", l.value, 1);
	assert_int_equal(notify_ready("%s", "x\nMAINPID=1"), 0);
	assert_true(listener_recv(&l, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "READY=1\nSTATUS=x MAINPID=1\nMAINPID=%ld",
		 (long)getpid());
	assert_string_equal(buf, want);
	unsetenv("NOTIFY_SOCKET");
	listener_close(&l);
}

static void test_no_listener_is_an_error_not_a_crash(void **state)
{
	(void)state;
	assert_int_equal(notify_send_to("/nonexistent/tattle/notify", "READY=1"),
			 -ENOENT);
	assert_int_equal(notify_send_to("@tattle-test-nobody-listens", "READY=1"),
			 -ECONNREFUSED);
}

static void test_addr_rejects_bad_values(void **state)
{
	static const struct {
		const char *value;
		int err;
	} cases[] = {
		{ "", -EINVAL },
		{ "relative/path", -EINVAL },
		{ "/", -EINVAL },
		{ "@", -EINVAL },
		{ "vsock:2:1234", -EAFNOSUPPORT },
	};
	struct sockaddr_un sa;
	socklen_t salen;
	char longpath[sizeof(sa.sun_path) + 8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(notify_addr(cases[i].value, &sa, &salen),
				 cases[i].err);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(notify_addr(longpath, &sa, &salen), -ENAMETOOLONG);
	/* A path needs room for its NUL; an abstract name uses every byte. */
	longpath[sizeof(sa.sun_path)] = '\0';
	assert_int_equal(notify_addr(longpath, &sa, &salen), -ENAMETOOLONG);
	longpath[0] = '@';
	assert_int_equal(notify_addr(longpath, &sa, &salen), 0);
	assert_int_equal(salen, sizeof(sa));
}

static void test_addr_abstract_has_leading_nul(void **state)
{
	struct sockaddr_un sa;
	socklen_t salen;

	(void)state;
	assert_int_equal(notify_addr("@sd", &sa, &salen), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, "sd", 2);
	assert_int_equal(salen, offsetof(struct sockaddr_un, sun_path) + 3);
	assert_int_equal(notify_addr("/run/systemd/notify", &sa, &salen), 0);
	assert_string_equal(sa.sun_path, "/run/systemd/notify");
	assert_int_equal(salen, offsetof(struct sockaddr_un, sun_path) +
			 strlen("/run/systemd/notify") + 1);
}

static void test_watchdog_is_half_the_interval(void **state)
{
	uint64_t ms = 7;

	(void)state;
	assert_int_equal(notify_watchdog_parse("20000000", NULL, 42, &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(notify_watchdog_parse("3000000", "42", 42, &ms), 0);
	assert_int_equal(ms, 1500);
	/* Below 2 ms still pings, every tick. */
	assert_int_equal(notify_watchdog_parse("1", "42", 42, &ms), 0);
	assert_int_equal(ms, 1);
}

static void test_watchdog_off_when_unset_or_for_another_pid(void **state)
{
	uint64_t ms = 7;

	(void)state;
	assert_int_equal(notify_watchdog_parse(NULL, NULL, 42, &ms), 0);
	assert_int_equal(ms, 0);
	ms = 7;
	/* An inherited variable: the child must not ping for its parent. */
	assert_int_equal(notify_watchdog_parse("20000000", "41", 42, &ms), 0);
	assert_int_equal(ms, 0);
}

static void test_watchdog_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "12s", " 12", "99999999999999999999999",
	};
	uint64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 7;
		assert_int_equal(notify_watchdog_parse(bad[i], NULL, 42, &ms),
				 -EINVAL);
		assert_int_equal(ms, 0);
	}
	ms = 7;
	assert_int_equal(notify_watchdog_parse("1000", "x", 42, &ms), -EINVAL);
	assert_int_equal(ms, 0);
}

static void test_watchdog_reaches_the_socket(void **state)
{
	struct listener l;
	char buf[256];

	(void)state;
	listener_open(&l, 0);
	setenv("NOTIFY_SOCKET", l.value, 1);
	assert_int_equal(notify_watchdog(), 0);
	assert_int_equal(listener_recv(&l, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "WATCHDOG=1");
	unsetenv("NOTIFY_SOCKET");
	listener_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_is_a_noop),
		cmocka_unit_test(test_ready_reaches_a_path_socket),
		cmocka_unit_test(test_stopping_reaches_an_abstract_socket),
		cmocka_unit_test(test_status_newline_cannot_add_an_assignment),
		cmocka_unit_test(test_no_listener_is_an_error_not_a_crash),
		cmocka_unit_test(test_addr_rejects_bad_values),
		cmocka_unit_test(test_addr_abstract_has_leading_nul),
		cmocka_unit_test(test_watchdog_is_half_the_interval),
		cmocka_unit_test(test_watchdog_off_when_unset_or_for_another_pid),
		cmocka_unit_test(test_watchdog_rejects_garbage),
		cmocka_unit_test(test_watchdog_reaches_the_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
