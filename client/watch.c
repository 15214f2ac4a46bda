/* watch.c - tattle watch: live events, one readable line each. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmds.h"
#include "conn.h"
#include "ctl.h"
#include "fmt.h"

static void watch_usage(FILE *out)
{
	fprintf(out,
"usage: tattle watch [--json] [--type T]... [--verdict V]... [--exe PATH]\n"
"                    [--socket PATH]\n"
"Print live events, one line each:\n"
"  time verdict program[pid] -> host/ip:port proto rule\n"
"  --json          print the raw JSON event lines (schema v1) instead\n"
"  --type T        only events of type T (connection, prompt, rule-change,\n"
"                  stats, audit-loss, warning); repeatable or comma-separated\n"
"  --verdict V     only connections with verdict V (allow, deny, reject)\n"
"  --exe PATH      only connections of this executable\n"
"  --socket PATH   daemon socket (default " TCONN_DEFAULT_SOCKET ")\n"
"exit: 0 ok, 1 cannot connect or the daemon went away, 2 usage\n");
}

struct watch_opts {
	const char *socket;
	const char *exe;
	bool json;
	struct json_object *types, *verdicts;	/* arrays */
};

/* Split "a,b" into array entries, checking each name. */
static int add_names(struct json_object *arr, const char *list,
		     uint32_t (*bit)(const char *), const char *what)
{
	char buf[256], *save = NULL, *t;

	snprintf(buf, sizeof(buf), "%s", list);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!bit(t)) {
			fprintf(stderr, "tattle watch: unknown %s '%s'\n", what, t);
			return -EINVAL;
		}
		json_object_array_add(arr, json_object_new_string(t));
	}
	return 0;
}

static int watch_parse(int argc, char **argv, struct watch_opts *o)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "type", required_argument, NULL, 't' },
		{ "verdict", required_argument, NULL, 'v' },
		{ "exe", required_argument, NULL, 'e' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "jt:v:e:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 't':
			if (add_names(o->types, optarg, ctl_event_bit, "type") < 0)
				return EXIT_USAGE;
			break;
		case 'v':
			if (add_names(o->verdicts, optarg, ctl_verdict_bit, "verdict") < 0)
				return EXIT_USAGE;
			break;
		case 'e': o->exe = optarg; break;
		case 's': o->socket = optarg; break;
		case 'h': watch_usage(stdout); return -1;
		default: watch_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		watch_usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static char *watch_filter(struct watch_opts *o)
{
	struct json_object *a = json_object_new_object();
	char *s;

	if (!json_object_array_length(o->types)) {
		/* stats events are for machines; people get them with --type. */
		add_names(o->types, "connection,prompt,rule-change,audit-loss,warning",
			  ctl_event_bit, "type");
	}
	json_object_object_add(a, "types", json_object_get(o->types));
	if (json_object_array_length(o->verdicts))
		json_object_object_add(a, "verdicts", json_object_get(o->verdicts));
	if (o->exe)
		json_object_object_add(a, "exe", json_object_new_string(o->exe));
	s = strdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return s;
}

/* Print until the daemon goes away or stdout closes. */
static int watch_loop(struct tconn *c, bool json)
{
	char *line, out[1024];
	size_t len;
	int r;

	while ((r = tconn_read_line(c, -1, &line, &len)) > 0) {
		struct json_object *ev;

		if (json) {
			if (printf("%s\n", line) < 0 || fflush(stdout))
				return EXIT_OK;
			continue;
		}
		if (!(ev = tconn_parse(line, len)))
			continue;
		if (jget(ev, "type") && fmt_event(ev, out, sizeof(out)) &&
		    (printf("%s\n", out) < 0 || fflush(stdout))) {
			json_object_put(ev);
			return EXIT_OK;
		}
		json_object_put(ev);
	}
	fprintf(stderr, "tattle watch: %s\n", r == 0 ? "daemon closed the connection" :
		strerror(-r));
	return EXIT_RUNTIME;
}

int watch_main(int argc, char **argv)
{
	struct watch_opts o = { .socket = TCONN_DEFAULT_SOCKET };
	struct tconn c;
	char err[512], *filter = NULL;
	int r;

	signal(SIGPIPE, SIG_IGN);
	o.types = json_object_new_array();
	o.verdicts = json_object_new_array();
	r = watch_parse(argc, argv, &o);
	if (r != 0) {
		r = r < 0 ? EXIT_OK : r;
		goto out;
	}
	filter = watch_filter(&o);
	if ((r = tconn_open(&c, o.socket)) < 0) {
		r = tconn_fail("watch", o.socket, r);
		goto out;
	}
	r = tconn_call(&c, "subscribe", filter, NULL, err, sizeof(err), NULL, NULL);
	if (r < 0) {
		fprintf(stderr, "tattle watch: subscribe: %s\n", err[0] ? err : strerror(-r));
		r = EXIT_RUNTIME;
	} else {
		r = watch_loop(&c, o.json);
	}
	tconn_close(&c);
out:
	free(filter);
	json_object_put(o.types);
	json_object_put(o.verdicts);
	return r;
}
