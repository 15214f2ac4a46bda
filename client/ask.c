/* ask.c - tattle ask: register as the prompter and answer connections no
 * rule covers, one key per decision.  --auto answers without a person
 * (scripts, tests). */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cmds.h"
#include "conn.h"
#include "fmt.h"
#include "term.h"
#include "types.h"

#define ASK_QUEUE_MAX	64

static const char *const durations[] = { "30s", "5m", "15m", "1h", "12h", "24h" };
#define N_DURATIONS (sizeof(durations) / sizeof(durations[0]))

struct pending_prompt {
	struct json_object *ev;	/* owned */
	uint32_t id;
	uint64_t deadline_ms;	/* local monotonic */
};

struct ask {
	const char *socket;
	bool autoans;
	char auto_action[8], auto_duration[32], auto_scope[16];
	struct pending_prompt q[ASK_QUEUE_MAX];
	unsigned n;
	unsigned scope, dur;
	uint64_t missed;	/* prompts lost: queue full or dropped */
	char status[1200];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ask_drop(struct ask *a, unsigned i)
{
	json_object_put(a->q[i].ev);
	memmove(&a->q[i], &a->q[i + 1], (a->n - i - 1) * sizeof(a->q[0]));
	a->n--;
}

/* Forget prompts whose time ran out: the daemon applied the default. */
static void ask_expire(struct ask *a, uint64_t now)
{
	unsigned i = 0;

	while (i < a->n) {
		if (a->q[i].deadline_ms <= now) {
			snprintf(a->status, sizeof(a->status),
				 "prompt %u timed out: the default action applied",
				 a->q[i].id);
			ask_drop(a, i);
		} else {
			i++;
		}
	}
}

static void ask_event(void *data, struct json_object *ev)
{
	struct ask *a = data;
	const char *type = jstr(ev, "type");

	if (type && !strcmp(type, "dropped")) {
		a->missed += (uint64_t)jint(ev, "count");
		return;
	}
	if (!type || strcmp(type, "prompt"))
		return;
	if (a->n == ASK_QUEUE_MAX) {
		a->missed++;
		return;
	}
	a->q[a->n].ev = json_object_get(ev);
	a->q[a->n].id = (uint32_t)jint(ev, "prompt_id");
	a->q[a->n].deadline_ms = mono_ms() + (uint64_t)jint(ev, "timeout_ms");
	a->n++;
}

static void user_name(uint32_t uid, char *out, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, len, "%s (uid %u)", res->pw_name, uid);
	else
		snprintf(out, len, "uid %u", uid);
	fmt_sanitize(out);
}

static void ask_render_prompt(FILE *f, const struct pending_prompt *p,
			      uint64_t now)
{
	const struct json_object *proc = jget(p->ev, "process");
	char dest[400], cmd[1024], user[300], exe[512];

	fmt_dest(p->ev, dest, sizeof(dest));
	fmt_cmdline(proc, cmd, sizeof(cmd));
	/* An unknown process: the event's own uid is what is known. */
	user_name((uint32_t)jint(proc ? proc : p->ev, "uid"), user, sizeof(user));
	snprintf(exe, sizeof(exe), "%s", jstr(proc, "exe") ? jstr(proc, "exe") :
		 proc ? "?" : "unknown process");
	fmt_sanitize(exe);
	fprintf(f, "  Program    %s  (%s)\033[K\n", fmt_program(proc), exe);
	fprintf(f, "  PID        %lld   parent %lld\033[K\n",
		(long long)jint(proc, "pid"), (long long)jint(proc, "ppid"));
	fprintf(f, "  User       %s\033[K\n", user);
	fprintf(f, "  Command    %.200s\033[K\n", cmd);
	fprintf(f, "  Destination %s  %s\033[K\n", dest,
		jstr(p->ev, "proto") ? jstr(p->ev, "proto") : "?");
	fprintf(f, "  Time left  %llu s   (prompt %u)\033[K\n\033[K\n",
		(unsigned long long)((p->deadline_ms - now + 999) / 1000), p->id);
}

static void ask_render(struct ask *a)
{
	const char *d = durations[a->dur];
	uint64_t now = mono_ms();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fprintf(f, "\033[Htattle ask  %u waiting%s\033[K\n\033[K\n", a->n,
		a->missed ? "  (some prompts were missed)" : "");
	if (a->n)
		ask_render_prompt(f, &a->q[0], now);
	else
		fprintf(f, "  Waiting for connections no rule covers...\033[K\n\033[K\n");
	fprintf(f, "  scope [s]: %-12s   duration for t/T [ ]: %s\033[K\n", prompt_scope_name(a->scope), d);
	fprintf(f, "  allow:   a once   u until restart   A always   t for %s\033[K\n", d);
	fprintf(f, "  deny:    d once   U until restart   D always   T for %s\033[K\n", d);
	fprintf(f, "  reject:  x once   X always          n next     q quit\033[K\n\033[K\n");
	fprintf(f, "  %s\033[K\n\033[J", a->status);
	if (fclose(f) == 0) {
		fwrite(buf, 1, len, stdout);
		fflush(stdout);
	}
	free(buf);
}

/* Send the answer for the first queued prompt. */
static int ask_answer(struct ask *a, struct tconn *c, const char *action,
		      const char *duration, const char *scope)
{
	struct json_object *args = json_object_new_object(), *res = NULL;
	struct pending_prompt p = a->q[0];
	char err[512], dest[400];
	int r;

	/* The front stays put while we wait: new prompts only append. */
	json_object_object_add(args, "prompt_id", json_object_new_int64(p.id));
	json_object_object_add(args, "action", json_object_new_string(action));
	json_object_object_add(args, "duration", json_object_new_string(duration));
	json_object_object_add(args, "scope", json_object_new_string(scope));
	r = tconn_call(c, "prompt.answer",
		       json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		       &res, err, sizeof(err), ask_event, a);
	fmt_dest(p.ev, dest, sizeof(dest));
	if (r == 0)
		snprintf(a->status, sizeof(a->status), "prompt %u: %s -> %s: %s %s "
			 "(%s, %lld packets%s%s)", p.id, fmt_program(jget(p.ev, "process")),
			 dest, action, duration, scope, (long long)jint(res, "decided"),
			 jstr(res, "rule") ? ", rule " : "",
			 jstr(res, "rule") ? jstr(res, "rule") : "");
	else
		snprintf(a->status, sizeof(a->status), "prompt %u: %s", p.id,
			 err[0] ? err : strerror(-r));
	fmt_sanitize(a->status);
	/* Keep a prompt the daemon refused for a fixable reason (scope). */
	if (r == 0 || strncmp(err, "bad-args", 8))
		ask_drop(a, 0);
	json_object_put(args);
	json_object_put(res);
	return r == -EREMOTEIO ? 0 : r;
}

/* A key: 1 to quit, 0 to go on, -errno on a connection error. */
static int ask_key(struct ask *a, struct tconn *c, int k)
{
	static const struct { int key; const char *action, *dur; } keys[] = {
		{ 'a', "allow", "once" }, { 'u', "allow", "until restart" },
		{ 'A', "allow", "always" }, { 't', "allow", NULL },
		{ 'd', "deny", "once" }, { 'U', "deny", "until restart" },
		{ 'D', "deny", "always" }, { 'T', "deny", NULL },
		{ 'x', "reject", "once" }, { 'X', "reject", "always" },
	};
	size_t i;

	switch (k) {
	case 'q': case 'Q': return 1;
	case 's': a->scope = (a->scope + 1) % PROMPT_SCOPE_COUNT; return 0;
	case '[': a->dur = a->dur ? a->dur - 1 : 0; return 0;
	case ']': a->dur = a->dur + 1 < N_DURATIONS ? a->dur + 1 : a->dur; return 0;
	case 'n': case '\t':
		if (a->n > 1) {
			struct pending_prompt p = a->q[0];

			memmove(&a->q[0], &a->q[1], (a->n - 1) * sizeof(a->q[0]));
			a->q[a->n - 1] = p;
		}
		return 0;
	default: break;
	}
	for (i = 0; a->n && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].key == k)
			return ask_answer(a, c, keys[i].action,
					  keys[i].dur ? keys[i].dur : durations[a->dur],
					  prompt_scope_name(a->scope));
	}
	return 0;
}

static void ask_on_event(void *data, struct json_object *ev)
{
	ask_event(data, ev);
}

static int ask_loop(struct ask *a, struct tconn *c, struct term *tm)
{
	int ev, r;

	for (;;) {
		if ((r = tconn_drain(c, ask_on_event, a)) < 0)
			return r;
		ask_expire(a, mono_ms());
		ask_render(a);
		ev = term_wait(tm, c->fd, 1000);
		if (ev < 0)
			return ev;
		if (ev & TERM_EV_QUIT)
			return 0;
		if (ev & TERM_EV_KEY) {
			int k = term_key(tm);

			if (k < 0)
				return 0;
			if ((r = ask_key(a, c, k)) != 0)
				return r < 0 ? r : 0;
		}
	}
}

/* --auto: answer every prompt the same way, one line of output each. */
static int ask_auto(struct ask *a, struct tconn *c)
{
	char *line;
	size_t len;
	int r;

	for (;;) {
		while (a->n) {
			if ((r = ask_answer(a, c, a->auto_action, a->auto_duration,
					    a->auto_scope)) < 0)
				return r;
			printf("%s\n", a->status);
			fflush(stdout);
		}
		r = tconn_read_line(c, -1, &line, &len);
		if (r <= 0)
			return r == 0 ? -ECONNRESET : r;
		{
			struct json_object *ev = tconn_parse(line, len);

			if (ev)
				ask_event(a, ev);
			json_object_put(ev);
		}
	}
}

static void ask_usage(FILE *out)
{
	fprintf(out,
"usage: tattle ask [--auto ACTION[:DURATION[:SCOPE]]] [--socket PATH]\n"
"Register as the prompter: connections no rule covers are held (up to the\n"
"daemon's prompt timeout, then its default action applies) and shown here\n"
"with program, pid, command line, user, destination and protocol.\n"
"Keys: a/u/A/t allow once / until restart / always / for a duration,\n"
"      d/U/D/T deny the same ways, x/X reject once / always,\n"
"      s cycles the scope (exe, exe+host, exe+ip+port), [ ] the duration,\n"
"      n shows the next prompt, q quits.\n"
"  --auto SPEC     answer every prompt without asking, e.g. allow:always:exe,\n"
"                  deny:5m:exe+ip+port, 'allow:until restart'; prints a line\n"
"                  per answer\n"
"  --socket PATH   daemon socket (default " TCONN_DEFAULT_SOCKET ")\n"
"exit: 0 on q, 1 cannot connect or the daemon went away, 2 usage\n");
}

/* ACTION[:DURATION[:SCOPE]] */
static int parse_auto(struct ask *a, const char *spec)
{
	char buf[128], *dur, *scope;
	enum prompt_scope sc;
	enum action act;

	snprintf(buf, sizeof(buf), "%s", spec);
	dur = strchr(buf, ':');
	if (dur)
		*dur++ = '\0';
	scope = dur ? strchr(dur, ':') : NULL;
	if (scope)
		*scope++ = '\0';
	if (action_parse(buf, strlen(buf), &act) < 0 ||
	    (scope && prompt_scope_parse(scope, strlen(scope), &sc) < 0) ||
	    (dur && strlen(dur) >= sizeof(a->auto_duration)))
		return -EINVAL;
	memcpy(a->auto_action, buf, strlen(buf) + 1);	/* checked above */
	strcpy(a->auto_duration, dur ? dur : "once");
	strcpy(a->auto_scope, scope ? scope : "exe");
	a->autoans = true;
	return 0;
}

static int ask_parse(int argc, char **argv, struct ask *a)
{
	static const struct option lo[] = {
		{ "auto", required_argument, NULL, 'a' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "a:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_auto(a, optarg) < 0) {
				fprintf(stderr, "tattle ask: bad --auto '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's': a->socket = optarg; break;
		case 'h': ask_usage(stdout); return -1;
		default: ask_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ask_usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

int ask_main(int argc, char **argv)
{
	struct ask *a = calloc(1, sizeof(*a));
	struct tconn c;
	struct term tm;
	char err[512];
	int r;

	if (!a)
		return EXIT_RUNTIME;
	a->socket = TCONN_DEFAULT_SOCKET;
	a->dur = 1;
	if ((r = ask_parse(argc, argv, a)) != 0) {
		free(a);
		return r < 0 ? EXIT_OK : r;
	}
	if ((r = tconn_open(&c, a->socket)) < 0) {
		r = tconn_fail("ask", a->socket, r);
		free(a);
		return r;
	}
	r = tconn_call(&c, "prompt.register", NULL, NULL, err, sizeof(err), ask_event, a);
	if (r < 0) {
		fprintf(stderr, "tattle ask: %s\n", err[0] ? err : strerror(-r));
	} else if (a->autoans) {
		r = ask_auto(a, &c);
	} else {
		if ((r = term_open(&tm)) == 0)
			r = ask_loop(a, &c, &tm);
		term_close(&tm);
	}
	if (r < 0 && r != -EREMOTEIO)
		fprintf(stderr, "tattle ask: %s\n", r == -ECONNRESET ?
			"daemon closed the connection" : strerror(-r));
	while (a->n)
		ask_drop(a, 0);
	tconn_close(&c);
	free(a);
	return r < 0 ? EXIT_RUNTIME : EXIT_OK;
}
