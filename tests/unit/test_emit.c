/* test_emit.c - the one fan-out: every event carries host, seq has no
 * gaps (an event too large gives its seq back), every --log-events sink
 * gets it (a file and a real AF_UNIX datagram socket), the start stats
 * event carries the run id and per-sink counters, and a sink's loss
 * becomes a warning event. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"
#include "emit.h"
#include "event.h"
#include "logsink.h"
#include "prompt.h"
#include "stats.h"

struct fixture {
	struct daemon d;
	char dir[32], file[64], sock[64];
	int rx;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct logsink_opts o = { .pid = 77, .on_loss = emit_sink_lost };
	char err[256];

	assert_non_null(fx);
	config_defaults(&fx->d.cfg);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_emit.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->file, sizeof(fx->file), "%s/ev.jsonl", fx->dir);
	snprintf(fx->sock, sizeof(fx->sock), "%s/log", fx->dir);
	fx->rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", fx->sock);
	assert_int_equal(bind(fx->rx, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(fx->d.cfg.log_sinks[0], CONFIG_PATH_MAX, "%s", fx->file);
	snprintf(fx->d.cfg.log_sinks[1], CONFIG_PATH_MAX, "syslog:%s", fx->sock);
	fx->d.cfg.n_log_sinks = 2;
	snprintf(fx->d.host, sizeof(fx->d.host), "web-3");
	snprintf(fx->d.run_id, sizeof(fx->d.run_id), "0123456789abcdef0123456789abcdef");
	o.specs = (const char (*)[CONFIG_PATH_MAX])fx->d.cfg.log_sinks;
	o.n = 2;
	o.host = fx->d.host;
	o.data = &fx->d;
	fx->d.sinks = logsinks_open(&o, err, sizeof(err));
	fx->d.pending = pending_new(16, 0);
	fx->d.stats = stats_new(0);
	assert_non_null(fx->d.sinks);
	assert_non_null(fx->d.stats);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	logsinks_close(fx->d.sinks);
	stats_free(fx->d.stats);
	pending_free(fx->d.pending);
	close(fx->rx);
	unlink(fx->sock);
	unlink(fx->file);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Line n (0-based) of the events file, parsed. */
static struct json_object *file_line(struct fixture *fx, int n)
{
	char buf[EVENT_LINE_MAX];
	struct json_object *o = NULL;
	FILE *f;

	emit_flush(&fx->d);
	f = fopen(fx->file, "r");
	assert_non_null(f);
	while (n-- >= 0)
		assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	return o;
}

/* The next datagram's MSG (the JSON after " - "), parsed. */
static struct json_object *rx_msg(struct fixture *fx, char *hdr, size_t hlen)
{
	char buf[EVENT_LINE_MAX];
	ssize_t n = recv(fx->rx, buf, sizeof(buf) - 1, 0);
	char *json;

	assert_true(n > 0);
	buf[n] = '\0';
	json = strstr(buf, " - {");
	assert_non_null(json);
	snprintf(hdr, hlen, "%.*s", (int)(json - buf), buf);
	return json_tokener_parse(json + 3);
}

static const char *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static void warn(struct daemon *d, char *buf, size_t len)
{
	struct jw w;

	emit_begin(d, &w, buf, len, "warning");
	jw_kstr(&w, "code", "x");
	jw_kstr(&w, "message", "a message long enough not to fit a tiny buffer");
	(void)emit_end(d, &w, &(struct event_meta){ .type = "warning" });
}

static void test_every_event_has_host_and_reaches_both_sinks(void **state)
{
	struct fixture *fx = *state;
	char line[EVENT_LINE_MAX], hdr[256];
	struct json_object *f, *s;

	warn(&fx->d, line, sizeof(line));
	f = file_line(fx, 0);
	s = rx_msg(fx, hdr, sizeof(hdr));
	assert_non_null(s);
	assert_string_equal(jget(f, "host"), "web-3");
	assert_string_equal(jget(f, "seq"), "1");
	assert_string_equal(json_object_to_json_string(f), json_object_to_json_string(s));
	/* daemon.warning, our pid, MSGID the type */
	assert_memory_equal(hdr, "<28>1 ", 6);
	assert_non_null(strstr(hdr, " web-3 tattled 77 warning"));
	/* TIMESTAMP is the event's own ts. */
	assert_memory_equal(hdr + 6, jget(f, "ts"), strlen(jget(f, "ts")));
	json_object_put(f);
	json_object_put(s);
}

static void test_too_large_event_gives_its_seq_back(void **state)
{
	struct fixture *fx = *state;
	char line[EVENT_LINE_MAX], tiny[64];
	struct json_object *o;

	warn(&fx->d, line, sizeof(line));		/* seq 1 */
	warn(&fx->d, tiny, sizeof(tiny));		/* does not fit */
	assert_int_equal(fx->d.seq, 1);
	assert_int_equal(fx->d.st.events_dropped, 1);
	warn(&fx->d, line, sizeof(line));		/* seq 2, no gap */
	o = file_line(fx, 1);
	assert_string_equal(jget(o, "seq"), "2");
	json_object_put(o);
}

static void test_stats_event_carries_run_and_sinks(void **state)
{
	struct fixture *fx = *state;
	struct json_object *o, *arr, *sink;

	housekeeping_stats_event(&fx->d, 1000);
	o = file_line(fx, 0);
	assert_string_equal(jget(o, "type"), "stats");
	assert_string_equal(jget(o, "run"), fx->d.run_id);
	assert_true(json_object_object_get_ex(o, "log_sinks", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	sink = json_object_array_get_idx(arr, 1);
	assert_string_equal(jget(sink, "sink"), fx->d.cfg.log_sinks[1]);
	/* Written before it was sent: the socket connects on first use. */
	assert_string_equal(jget(sink, "connected"), "false");
	assert_string_equal(jget(sink, "sent"), "0");
	json_object_put(o);
	housekeeping_stats_event(&fx->d, 2000);
	o = file_line(fx, 1);
	assert_true(json_object_object_get_ex(o, "log_sinks", &arr));
	sink = json_object_array_get_idx(arr, 1);
	assert_string_equal(jget(sink, "connected"), "true");
	assert_string_equal(jget(sink, "sent"), "1");
	assert_string_equal(jget(sink, "dropped"), "0");
	sink = json_object_array_get_idx(arr, 0);
	assert_string_equal(jget(sink, "sent"), "1");
	assert_false(json_object_object_get_ex(sink, "queued", NULL));
	json_object_put(o);
}

static void test_sink_loss_becomes_a_warning(void **state)
{
	struct fixture *fx = *state;
	struct json_object *o;

	emit_sink_lost(&fx->d, "syslog:/x", 12);
	o = file_line(fx, 0);
	assert_string_equal(jget(o, "type"), "warning");
	assert_string_equal(jget(o, "code"), "log-events-lost");
	assert_string_equal(jget(o, "sink"), "syslog:/x");
	assert_string_equal(jget(o, "dropped"), "12");
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_event_has_host_and_reaches_both_sinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large_event_gives_its_seq_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_event_carries_run_and_sinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sink_loss_becomes_a_warning, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
