/* config.c - see config.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/un.h>

#include <json-c/json.h>

#include "capread.h"

#define CONFIG_FILE_MAX (256 * 1024)

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->socket_path, sizeof(c->socket_path), "%s", CONFIG_DEFAULT_SOCKET);
	snprintf(c->audit_key, sizeof(c->audit_key), "tattle");
	c->default_action = ACTION_ALLOW;
	c->queue = CONFIG_DEFAULT_QUEUE;
	c->audit_wait_ms = 50;
	c->verdict_timeout_ms = 2000;
	c->prompt_timeout_ms = 15000;
	c->pidcache_max = 65536;
	c->process_ttl_ms = 10 * 60 * 1000;
	c->grace_ms = 30 * 1000;
	c->pending_max = 4096;
	c->queue_maxlen = 8192;
	c->audit_backlog = 8192;
	c->bpf_flows = 65536;
	c->bpf_sockets = 65536;
	c->bpf_execs = 16384;
	c->event_rate_per_exe = 1000;
}

void config_usage(FILE *out)
{
	fprintf(out,
"usage: tattled [options]\n"
"  --rules DIR               OpenSnitch rule files (*.json)\n"
"  --default-action ACTION   allow|deny|reject when no rule matches (default allow)\n"
"  --unattributed-action ACTION\n"
"                            allow|deny|reject when no rule matches and no\n"
"                            process is known (default: the default action)\n"
"  --queue N                 NFQUEUE number (default 0)\n"
"  --queue-maxlen N          packets the kernel holds for tattled (default\n"
"                            8192); when full, new ones are dropped\n"
"  --netns PATH              enter this network namespace after opening\n"
"                            host-only sockets (audit)\n"
"  --socket PATH             event/control socket (default %s, \"\" disables)\n"
"  --log-events FILE|-|syslog[:PATH]\n"
"                            write every event as a JSON line to FILE or\n"
"                            stdout, or as an RFC 5424 message to the syslog\n"
"                            socket PATH (default /dev/log); may be repeated\n"
"  --host NAME               host name in events (default: the system's)\n"
"  --no-firewall             do not install chains; the user routes to the queue\n"
"  --fail-closed             drop new connections while tattled is not running\n"
"  --no-audit                do not use kernel audit\n"
"  --hash-executables        md5/sha1 of every attributed executable in events\n"
"                            (without it, only when a rule reads a hash)\n"
"  --forward                 also queue new forwarded flows (containers on a\n"
"                            bridge), attributed in the sender's namespace\n"
"  --no-bpf                  do not record flow owners with eBPF\n"
"  --audit-with-bpf          keep audit syscall rules while eBPF is active\n"
"  --event-rate-per-exe N    connection events a second per program, verdict\n"
"                            and reason before folding the rest (default 1000)\n"
"  --config FILE             JSON config file (flags override it)\n"
"  --check-rules DIR         validate rules, print them as JSON, exit non-zero\n"
"                            if any file is invalid\n"
"  --version, --help\n"
"exit: 0 clean shutdown, 1 runtime failure, 2 bad usage or config\n",
		CONFIG_DEFAULT_SOCKET);
}

static int config_set_str(char *dst, size_t cap, const char *v, const char *what,
			  char *err, size_t errlen)
{
	if (strlen(v) >= cap) {
		snprintf(err, errlen, "%s: value too long", what);
		return -EINVAL;
	}
	snprintf(dst, cap, "%s", v);
	return 0;
}

static int config_set_uint(unsigned *dst, const char *v, unsigned max,
			   const char *what, char *err, size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > max || v[0] == '-') {
		snprintf(err, errlen, "%s: expected an integer 0..%u, got '%s'",
			 what, max, v);
		return -EINVAL;
	}
	*dst = (unsigned)n;
	return 0;
}

int config_sink_syslog(const char *spec, const char **path)
{
	size_t n = strlen(CONFIG_SYSLOG_PREFIX);

	if (strncmp(spec, CONFIG_SYSLOG_PREFIX, n) ||
	    (spec[n] != '\0' && spec[n] != ':'))
		return 0;
	*path = spec[n] == ':' ? spec + n + 1 : "/dev/log";
	return 1;
}

/* Append one --log-events value; a syslog socket path must fit sun_path. */
static int config_add_sink(struct config *c, const char *v, char *err,
			   size_t errlen)
{
	const char *path;

	if (c->n_log_sinks >= CONFIG_LOG_SINKS_MAX) {
		snprintf(err, errlen, "log-events: at most %d sinks",
			 CONFIG_LOG_SINKS_MAX);
		return -EINVAL;
	}
	if (!*v) {
		snprintf(err, errlen, "log-events: empty value");
		return -EINVAL;
	}
	if (config_sink_syslog(v, &path) &&
	    (!*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))) {
		snprintf(err, errlen, "log-events: syslog socket path '%s' is "
			 "empty or too long", path);
		return -EINVAL;
	}
	if (config_set_str(c->log_sinks[c->n_log_sinks], CONFIG_PATH_MAX, v,
			   "log-events", err, errlen) < 0)
		return -EINVAL;
	c->n_log_sinks++;
	return 0;
}

/* One option by name, shared by argv and the config file. */
static int config_apply(struct config *c, const char *name, const char *v,
			char *err, size_t errlen)
{
	unsigned u;
	int r;

	if (!strcmp(name, "rules"))
		return config_set_str(c->rules_dir, sizeof(c->rules_dir), v, name, err, errlen);
	if (!strcmp(name, "netns"))
		return config_set_str(c->netns, sizeof(c->netns), v, name, err, errlen);
	if (!strcmp(name, "socket"))
		return config_set_str(c->socket_path, sizeof(c->socket_path), v, name, err, errlen);
	if (!strcmp(name, "log-events"))
		return config_add_sink(c, v, err, errlen);
	if (!strcmp(name, "host")) {
		if (!*v) {
			snprintf(err, errlen, "host: empty value");
			return -EINVAL;
		}
		return config_set_str(c->host, sizeof(c->host), v, name, err, errlen);
	}
	if (!strcmp(name, "audit-key"))
		return config_set_str(c->audit_key, sizeof(c->audit_key), v, name, err, errlen);
	if (!strcmp(name, "default-action")) {
		if (action_parse(v, strlen(v), &c->default_action) < 0) {
			snprintf(err, errlen, "default-action: expected allow|deny|reject, got '%s'", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(name, "unattributed-action")) {
		if (action_parse(v, strlen(v), &c->unattributed_action) < 0) {
			snprintf(err, errlen, "unattributed-action: expected allow|deny|reject, got '%s'", v);
			return -EINVAL;
		}
		c->unattributed_set = true;
		return 0;
	}
	if (!strcmp(name, "queue")) {
		if ((r = config_set_uint(&u, v, 65535, name, err, errlen)) < 0)
			return r;
		c->queue = (uint16_t)u;
		return 0;
	}
#define UINT_OPT(key, field, max) \
	if (!strcmp(name, key)) \
		return config_set_uint(&c->field, v, max, name, err, errlen);
	UINT_OPT("audit-wait-ms", audit_wait_ms, 10000)
	UINT_OPT("verdict-timeout-ms", verdict_timeout_ms, 600000)
	UINT_OPT("prompt-timeout-ms", prompt_timeout_ms, 3600000)
	UINT_OPT("pidcache-max", pidcache_max, 1u << 22)
	UINT_OPT("process-ttl-ms", process_ttl_ms, 86400000)
	UINT_OPT("grace-ms", grace_ms, 3600000)
	UINT_OPT("pending-max", pending_max, 1u << 20)
	UINT_OPT("queue-maxlen", queue_maxlen, 1u << 20)
	UINT_OPT("audit-backlog", audit_backlog, 1u << 20)
	UINT_OPT("log-queue-bytes", log_queue_bytes, 1u << 30)
	UINT_OPT("bpf-flows", bpf_flows, 1u << 24)
	UINT_OPT("bpf-sockets", bpf_sockets, 1u << 24)
	UINT_OPT("bpf-execs", bpf_execs, 1u << 24)
	UINT_OPT("event-rate-per-exe", event_rate_per_exe, 1u << 20)
#undef UINT_OPT
	snprintf(err, errlen, "unknown option '%s'", name);
	return -EINVAL;
}

static int config_apply_bool(struct config *c, const char *name, bool v,
			     char *err, size_t errlen)
{
	if (!strcmp(name, "no-firewall"))
		c->no_firewall = v;
	else if (!strcmp(name, "fail-closed"))
		c->fail_closed = v;
	else if (!strcmp(name, "no-audit"))
		c->no_audit = v;
	else if (!strcmp(name, "audit-execve"))
		c->audit_execve = v;
	else if (!strcmp(name, "no-sockdiag"))
		c->no_sockdiag = v;
	else if (!strcmp(name, "hash-executables"))
		c->hash_executables = v;
	else if (!strcmp(name, "forward"))
		c->forward = v;
	else if (!strcmp(name, "no-bpf"))
		c->no_bpf = v;
	else if (!strcmp(name, "audit-with-bpf"))
		c->audit_with_bpf = v;
	else {
		snprintf(err, errlen, "'%s' is not a true/false option", name);
		return -EINVAL;
	}
	return 0;
}

/* "log_events": ["syslog", "/var/log/tattle.jsonl"] */
static int config_apply_array(struct config *c, const char *name,
			      struct json_object *arr, char *err, size_t errlen)
{
	size_t i, n = json_object_array_length(arr);
	int r;

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string)) {
			snprintf(err, errlen, "%s: array elements must be strings", name);
			return -EINVAL;
		}
		if ((r = config_apply(c, name, json_object_get_string(e), err,
				      errlen)) < 0)
			return r;
	}
	return 0;
}

/* Config file keys use the flag names ("default-action") or the same with
 * underscores ("default_action"). */
int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	struct json_object *root = NULL;
	char sub[256], *text = NULL;
	size_t len;
	int r;

	/* The admin's path: a symlink is followed, a FIFO never blocks. */
	r = capread_at(AT_FDCWD, path, CONFIG_FILE_MAX, CAPREAD_FOLLOW, &text, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, capread_strerror(r));
		goto out;
	}
	root = json_tokener_parse(text);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "%s: not a JSON object (%s)", path,
			 root ? "wrong type" : "parse error");
		r = -EINVAL;
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		char name[64], *p;

		snprintf(name, sizeof(name), "%s", key);
		for (p = name; *p; p++)
			if (*p == '_')
				*p = '-';
		if (!strcmp(name, "log-events") &&
		    json_object_is_type(val, json_type_array))
			r = config_apply_array(c, name, val, sub, sizeof(sub));
		else if (json_object_is_type(val, json_type_boolean))
			r = config_apply_bool(c, name, json_object_get_boolean(val),
					      sub, sizeof(sub));
		else if (json_object_is_type(val, json_type_string) ||
			 json_object_is_type(val, json_type_int))
			r = config_apply(c, name, json_object_get_string(val),
					 sub, sizeof(sub));
		else {
			snprintf(sub, sizeof(sub), "%s: unsupported value type", name);
			r = -EINVAL;
		}
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, sub);
			goto out;
		}
	}
out:
	json_object_put(root);
	free(text);
	return r;
}

static const struct option config_longopts[] = {
	{ "rules", required_argument, NULL, 0 },
	{ "default-action", required_argument, NULL, 0 },
	{ "unattributed-action", required_argument, NULL, 0 },
	{ "queue", required_argument, NULL, 0 },
	{ "netns", required_argument, NULL, 0 },
	{ "socket", required_argument, NULL, 0 },
	{ "log-events", required_argument, NULL, 'l' },
	{ "host", required_argument, NULL, 0 },
	{ "log-queue-bytes", required_argument, NULL, 0 },
	{ "audit-key", required_argument, NULL, 0 },
	{ "verdict-timeout-ms", required_argument, NULL, 0 },
	{ "audit-wait-ms", required_argument, NULL, 0 },
	{ "prompt-timeout-ms", required_argument, NULL, 0 },
	{ "grace-ms", required_argument, NULL, 0 },
	{ "queue-maxlen", required_argument, NULL, 0 },
	{ "event-rate-per-exe", required_argument, NULL, 0 },
	{ "no-firewall", no_argument, NULL, 0 },
	{ "fail-closed", no_argument, NULL, 0 },
	{ "no-audit", no_argument, NULL, 0 },
	{ "audit-execve", no_argument, NULL, 0 },
	{ "hash-executables", no_argument, NULL, 0 },
	{ "forward", no_argument, NULL, 0 },
	{ "no-bpf", no_argument, NULL, 0 },
	{ "audit-with-bpf", no_argument, NULL, 0 },
	{ "config", required_argument, NULL, 'c' },
	{ "check-rules", required_argument, NULL, 'k' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* First pass: only --config, so the file loads before flags override it. */
static int config_find_file(struct config *c, int argc, char **argv,
			    char *err, size_t errlen)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			v = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			v = argv[i] + 9;
		if (v)
			return config_set_str(c->config_file, sizeof(c->config_file),
					      v, "config", err, errlen);
	}
	return 0;
}

int config_parse(struct config *c, int argc, char **argv, enum config_cmd *cmd,
		 char *err, size_t errlen)
{
	bool argv_sinks = false;
	int opt, idx, r;

	*cmd = CONFIG_RUN;
	if ((r = config_find_file(c, argc, argv, err, errlen)) < 0)
		return r;
	if (c->config_file[0] &&
	    (r = config_load_file(c, c->config_file, err, errlen)) < 0)
		return r;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", config_longopts, &idx)) != -1) {
		const char *name = config_longopts[idx].name;

		switch (opt) {
		case 0:
			if (config_longopts[idx].has_arg == no_argument)
				r = config_apply_bool(c, name, true, err, errlen);
			else
				r = config_apply(c, name, optarg, err, errlen);
			if (r < 0)
				return r;
			break;
		case 'l':
			/* Flags replace the file's sinks; repeated flags add. */
			if (!argv_sinks)
				c->n_log_sinks = 0;
			argv_sinks = true;
			if ((r = config_add_sink(c, optarg, err, errlen)) < 0)
				return r;
			break;
		case 'c':
			break;
		case 'k':
			*cmd = CONFIG_CHECK_RULES;
			if ((r = config_set_str(c->check_rules, sizeof(c->check_rules),
						optarg, "check-rules", err, errlen)) < 0)
				return r;
			break;
		case 'V':
			*cmd = CONFIG_VERSION;
			return 0;
		case 'h':
			*cmd = CONFIG_HELP;
			return 0;
		default:
			snprintf(err, errlen, "unknown or incomplete option '%s'",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!c->unattributed_set)
		c->unattributed_action = c->default_action;
	return 0;
}
