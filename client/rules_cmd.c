/* rules_cmd.c - tattle rules list|add|rm|enable|disable. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "cmds.h"
#include "conn.h"
#include "rules.h"
#include "fmt.h"
#include "types.h"

static void rules_usage(FILE *out)
{
	fprintf(out,
"usage: tattle rules list [--json] [--socket PATH]\n"
"       tattle rules add --name NAME --action allow|deny|reject\n"
"                    [--duration always|until restart|once|GO-DURATION]\n"
"                    [--exe PATH] [--host NAME] [--ip IP] [--port N]\n"
"                    [--proto tcp|udp|tcp6|...] [--precedence] [--disabled]\n"
"       tattle rules add --file RULE.json\n"
"       tattle rules rm|enable|disable NAME\n"
"Rules use the OpenSnitch format.  An 'always' rule is written to the\n"
"daemon's rules directory; others live until they expire or tattled\n"
"restarts.  Several conditions on add are ANDed.  Default duration: always.\n"
"  --socket PATH   daemon socket (default " TCONN_DEFAULT_SOCKET ")\n"
"exit: 0 ok, 1 cannot connect or the daemon refused, 2 usage\n");
}

/* "operand=data", "operand~regexp", "a & b" for lists. */
static void op_summary(const struct json_object *op, char *out, size_t len)
{
	const char *type = jstr(op, "type"), *opd = jstr(op, "operand");
	const char *data = jstr(op, "data");
	struct json_object *list = jget(op, "list");

	out[0] = '\0';
	if (type && !strcmp(type, "list") && list &&
	    json_object_is_type(list, json_type_array)) {
		size_t i, n = json_object_array_length(list), o = 0;

		for (i = 0; i < n && o + 4 < len; i++) {
			op_summary(json_object_array_get_idx(list, i), out + o, len - o);
			o += strlen(out + o);
			if (i + 1 < n && o + 4 < len)
				o += (size_t)snprintf(out + o, len - o, " & ");
		}
		return;
	}
	snprintf(out, len, "%s%s%s", opd ? opd : "?",
		 type && !strcmp(type, "regexp") ? "~" :
		 type && (!strcmp(type, "network") || !strcmp(type, "range")) ?
		 " in " :
		 type && !strcmp(type, "lists") ? "@" : "=", data ? data : "");
	fmt_sanitize(out);
}

static void print_rules(const struct json_object *res)
{
	struct json_object *rules = jget(res, "rules");
	size_t i, n = rules ? json_object_array_length(rules) : 0;
	char what[512], name[CTL_NAME_MAX + 1], desc[256];

	printf("%-32s %-3s %-6s %-13s %s\n", "NAME", "ON", "ACTION", "DURATION", "MATCH");
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rules, i);

		op_summary(jget(r, "operator"), what, sizeof(what));
		snprintf(name, sizeof(name), "%s", jstr(r, "name") ? jstr(r, "name") : "?");
		fmt_sanitize(name);
		printf("%-32s %-3s %-6s %-13s %s\n", name,
		       json_object_get_boolean(jget(r, "enabled")) ? "yes" : "no",
		       jstr(r, "action") ? jstr(r, "action") : "?",
		       jstr(r, "duration") ? jstr(r, "duration") : "always", what);
		/* Under the rule: what it is for, and whether it logs. */
		snprintf(desc, sizeof(desc), "%s", jstr(r, "description") ?
			 jstr(r, "description") : "");
		fmt_sanitize(desc);
		if (desc[0] || json_object_get_boolean(jget(r, "nolog")))
			printf("%-32s %s%s%s\n", "",
			       json_object_get_boolean(jget(r, "nolog")) ?
			       "[nolog] " : "", desc[0] ? "# " : "", desc);
	}
	if ((size_t)jint(res, "count") > n)
		printf("(%lld more; use --json with the protocol's offset/limit)\n",
		       (long long)jint(res, "count") - (long long)n);
}

static int call(const char *sock, const char *cmd, const char *args,
		struct json_object **res)
{
	struct tconn c;
	char err[512];
	int r;

	if ((r = tconn_open(&c, sock)) < 0)
		return tconn_fail("rules", sock, r);
	r = tconn_call(&c, cmd, args, res, err, sizeof(err), NULL, NULL);
	tconn_close(&c);
	if (r < 0) {
		fprintf(stderr, "tattle rules: %s\n", err[0] ? err : strerror(-r));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int rules_list(const char *sock, int argc, char **argv)
{
	struct json_object *res = NULL;
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	int r;

	if (argc > 2 || (argc == 2 && !json)) {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	if ((r = call(sock, "rules.list", NULL, &res)) != EXIT_OK)
		return r;
	if (json)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_rules(res);
	json_object_put(res);
	return EXIT_OK;
}

static int rules_by_name(const char *sock, const char *cmd, int argc, char **argv)
{
	struct json_object *a, *res = NULL;
	int r;

	if (argc != 2) {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	a = json_object_new_object();
	json_object_object_add(a, "name", json_object_new_string(argv[1]));
	r = call(sock, cmd, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), &res);
	json_object_put(a);
	if (r == EXIT_OK)
		printf("%s: %s\n", cmd + strlen("rules."), argv[1]);
	json_object_put(res);
	return r;
}

struct add_opts {
	const char *name, *action, *duration, *file;
	const char *exe, *host, *ip, *port, *proto;
	bool precedence, disabled;
};


/* One condition: a simple operator; several: a "list" (AND). */
static struct json_object *add_operator(const struct add_opts *o)
{
	const char *opd[] = { "process.path", "dest.host", "dest.ip", "dest.port",
			      "protocol" };
	const char *val[] = { o->exe, o->host, o->ip, o->port, o->proto };
	struct json_object *list = json_object_new_array(), *op;
	size_t i;

	for (i = 0; i < 5; i++) {
		if (val[i])
			json_object_array_add(list, rule_json_simple(opd[i], val[i]));
	}
	if (json_object_array_length(list) == 0) {
		json_object_put(list);
		op = json_object_new_object();
		json_object_object_add(op, "type", json_object_new_string("simple"));
		json_object_object_add(op, "operand", json_object_new_string("true"));
		json_object_object_add(op, "data", json_object_new_string(""));
		return op;
	}
	if (json_object_array_length(list) == 1) {
		op = json_object_get(json_object_array_get_idx(list, 0));
		json_object_put(list);
		return op;
	}
	op = json_object_new_object();
	json_object_object_add(op, "type", json_object_new_string("list"));
	json_object_object_add(op, "operand", json_object_new_string("list"));
	json_object_object_add(op, "list", list);
	return op;
}

static struct json_object *add_rule(const struct add_opts *o)
{
	struct json_object *r;

	if (o->file) {
		r = json_object_from_file(o->file);
		if (!r || !json_object_is_type(r, json_type_object)) {
			fprintf(stderr, "tattle rules: %s: not a JSON rule object\n", o->file);
			json_object_put(r);
			return NULL;
		}
		return r;
	}
	r = json_object_new_object();
	json_object_object_add(r, "name", json_object_new_string(o->name));
	json_object_object_add(r, "enabled", json_object_new_boolean(!o->disabled));
	json_object_object_add(r, "precedence", json_object_new_boolean(o->precedence));
	json_object_object_add(r, "action", json_object_new_string(o->action));
	json_object_object_add(r, "duration", json_object_new_string(o->duration));
	json_object_object_add(r, "operator", add_operator(o));
	return r;
}

static int add_parse(int argc, char **argv, struct add_opts *o)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "action", required_argument, NULL, 'a' },
		{ "duration", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "exe", required_argument, NULL, 'e' },
		{ "host", required_argument, NULL, 'H' },
		{ "ip", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "proto", required_argument, NULL, 'P' },
		{ "precedence", no_argument, NULL, 'r' },
		{ "disabled", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	enum action act;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:a:d:f:e:H:i:p:P:rD", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->name = optarg; break;
		case 'a': o->action = optarg; break;
		case 'd': o->duration = optarg; break;
		case 'f': o->file = optarg; break;
		case 'e': o->exe = optarg; break;
		case 'H': o->host = optarg; break;
		case 'i': o->ip = optarg; break;
		case 'p': o->port = optarg; break;
		case 'P': o->proto = optarg; break;
		case 'r': o->precedence = true; break;
		case 'D': o->disabled = true; break;
		default: return -EINVAL;
		}
	}
	if (optind != argc || (!o->file && (!o->name || !o->action)))
		return -EINVAL;
	if (o->action && action_parse(o->action, strlen(o->action), &act) < 0)
		return -EINVAL;
	return 0;
}

static int rules_add(const char *sock, int argc, char **argv)
{
	struct add_opts o = { .duration = "always" };
	struct json_object *rule, *a, *res = NULL;
	int r;

	if (add_parse(argc, argv, &o) < 0) {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	if (!(rule = add_rule(&o)))
		return EXIT_USAGE;
	a = json_object_new_object();
	json_object_object_add(a, "rule", rule);
	r = call(sock, "rules.add", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		 &res);
	json_object_put(a);
	if (r == EXIT_OK)
		printf("added: %s%s%s\n", jstr(res, "name") ? jstr(res, "name") : "?",
		       jstr(res, "file") ? " -> " : "",
		       jstr(res, "file") ? jstr(res, "file") : "");
	json_object_put(res);
	return r;
}

/* --socket PATH may come anywhere: take it out, keep the rest in order. */
static int take_socket(int *argc, char **argv, const char **sock)
{
	int i, o = 0;

	for (i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--socket") || !strcmp(argv[i], "-s")) {
			if (i + 1 == *argc)
				return -EINVAL;
			*sock = argv[++i];
		} else if (!strncmp(argv[i], "--socket=", 9)) {
			*sock = argv[i] + 9;
		} else {
			argv[o++] = argv[i];
		}
	}
	*argc = o;
	return 0;
}

int rules_main(int argc, char **argv)
{
	const char *sock = TCONN_DEFAULT_SOCKET;
	int i;

	if (take_socket(&argc, argv, &sock) < 0) {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			rules_usage(stdout);
			return EXIT_OK;
		}
	}
	if (argc < 2 || argv[1][0] == '-') {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	argc -= 1;
	argv += 1;
	if (!strcmp(argv[0], "list") || !strcmp(argv[0], "ls"))
		return rules_list(sock, argc, argv);
	if (!strcmp(argv[0], "add"))
		return rules_add(sock, argc, argv);
	if (!strcmp(argv[0], "rm") || !strcmp(argv[0], "delete"))
		return rules_by_name(sock, "rules.delete", argc, argv);
	if (!strcmp(argv[0], "enable"))
		return rules_by_name(sock, "rules.enable", argc, argv);
	if (!strcmp(argv[0], "disable"))
		return rules_by_name(sock, "rules.disable", argc, argv);
	fprintf(stderr, "tattle rules: unknown action '%s'\n", argv[0]);
	rules_usage(stderr);
	return EXIT_USAGE;
}
