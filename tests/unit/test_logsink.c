/* test_logsink.c - several sinks at once: a file gets the JSON line, a
 * real AF_UNIX datagram socket the RFC 5424 message; a syslog sink that
 * dropped reports the loss once it drains. */
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

#include "logsink.h"
#include "slog.h"

struct fx {
	char dir[32];
	char file[64], sock[64];
	char specs[2][CONFIG_PATH_MAX];
	int rx;
	uint64_t lost;
	unsigned reports;
	char lost_spec[128];
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_ls.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/ev.jsonl", f->dir);
	snprintf(f->sock, sizeof(f->sock), "%s/log", f->dir);
	snprintf(f->specs[0], CONFIG_PATH_MAX, "%s", f->file);
	snprintf(f->specs[1], CONFIG_PATH_MAX, "syslog:%s", f->sock);
	f->rx = -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (f->rx >= 0)
		close(f->rx);
	unlink(f->sock);
	unlink(f->file);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void rx_open(struct fx *f)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	f->rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(f->rx >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->sock);
	assert_int_equal(bind(f->rx, (struct sockaddr *)&a, sizeof(a)), 0);
}

static void on_loss(void *data, const char *spec, uint64_t dropped)
{
	struct fx *f = data;

	f->lost += dropped;
	f->reports++;
	snprintf(f->lost_spec, sizeof(f->lost_spec), "%s", spec);
}

static struct logsinks *open_both(struct fx *f, size_t queue_bytes)
{
	struct logsink_opts o = {
		.specs = (const char (*)[CONFIG_PATH_MAX])f->specs, .n = 2,
		.host = "web 3", .pid = 4321, .queue_bytes = queue_bytes,
		.on_loss = on_loss, .data = f,
	};
	char err[256];
	struct logsinks *ls = logsinks_open(&o, err, sizeof(err));
	struct logsink_stats st;

	assert_non_null(ls);
	assert_int_equal(logsinks_get_stats(ls, 1, &st), 0);
	assert_int_equal(logsinks_get_stats(ls, 2, &st), -ENOENT);
	return ls;
}

static const struct timespec t0 = { .tv_sec = 1795289140, .tv_nsec = 5000 };

static void test_file_gets_line_syslog_gets_rfc5424(void **state)
{
	struct fx *f = *state;
	const char *line = "{\"v\":1,\"seq\":7,\"type\":\"warning\"}\n";
	const char *want = "<28>1 2026-11-21T19:25:40.000005Z web_3 tattled 4321 "
			   "warning - {\"v\":1,\"seq\":7,\"type\":\"warning\"}";
	struct logsink_stats st;
	struct logsinks *ls;
	char buf[512];
	ssize_t n;
	FILE *in;

	rx_open(f);
	ls = open_both(f, 0);
	assert_int_equal(logsinks_write(ls, "warning", &t0, line, strlen(line), 0), 0);
	logsinks_flush(ls);
	n = recv(f->rx, buf, sizeof(buf), 0);
	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
	in = fopen(f->file, "r");
	assert_non_null(in);
	assert_non_null(fgets(buf, sizeof(buf), in));
	assert_string_equal(buf, line);
	fclose(in);
	assert_int_equal(logsinks_get_stats(ls, 1, &st), 0);
	assert_true(st.syslog);
	assert_int_equal(st.written, 1);
	assert_int_equal(logsinks_get_stats(ls, 2, &st), -ENOENT);
	logsinks_close(ls);
}

static void test_absent_socket_loss_reported_after_drain(void **state)
{
	struct fx *f = *state;
	const char *line = "{\"v\":1}\n";
	struct logsinks *ls;
	unsigned i, failed = 0;
	uint64_t now = 1000;

	/* Room for two framed messages only. */
	ls = open_both(f, 2 * 100);
	for (i = 0; i < 5; i++)
		failed += logsinks_write(ls, "connection", &t0, line, strlen(line), now);
	assert_int_equal(failed, 3);	/* the file took all 5 */
	logsinks_tick(ls, now);
	assert_int_equal(f->reports, 0);	/* nothing drained yet */
	rx_open(f);
	logsinks_tick(ls, now + SLOG_RETRY_MS);
	assert_int_equal(f->reports, 1);
	assert_int_equal(f->lost, 3);
	assert_string_equal(f->lost_spec, f->specs[1]);
	logsinks_tick(ls, now + 2 * SLOG_RETRY_MS);
	assert_int_equal(f->reports, 1);	/* once */
	logsinks_close(ls);
}

static void test_severity_by_type(void **state)
{
	(void)state;
	assert_int_equal(logsink_severity("warning"), 4);
	assert_int_equal(logsink_severity("audit-loss"), 4);
	assert_int_equal(logsink_severity("prompt"), 5);
	assert_int_equal(logsink_severity("rule-change"), 5);
	assert_int_equal(logsink_severity("connection"), 6);
	assert_int_equal(logsink_severity("stats"), 6);
}

static void test_unwritable_file_names_it(void **state)
{
	static const char specs[1][CONFIG_PATH_MAX] = { "/nonexistent/dir/x" };
	struct logsink_opts o = { .specs = specs, .n = 1 };
	char err[256] = "";

	(void)state;
	assert_null(logsinks_open(&o, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dir/x"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_file_gets_line_syslog_gets_rfc5424),
		T(test_absent_socket_loss_reported_after_drain),
		cmocka_unit_test(test_severity_by_type),
		cmocka_unit_test(test_unwritable_file_names_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
