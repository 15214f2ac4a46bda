/* config.h - tattled options: defaults, the JSON config file, argv.
 * Command-line flags override the file.  No global state. */
#ifndef TATTLE_CONFIG_H
#define TATTLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "types.h"

#define CONFIG_DEFAULT_SOCKET	"/run/tattle/tattle.sock"
#define CONFIG_DEFAULT_QUEUE	0
#define CONFIG_PATH_MAX		4096
#define CONFIG_LOG_SINKS_MAX	4	/* --log-events given this often */
#define CONFIG_HOST_MAX		256	/* host name stamped on events */
#define CONFIG_SYSLOG_PREFIX	"syslog"

struct config {
	char rules_dir[CONFIG_PATH_MAX];	/* "" = no rules */
	char netns[CONFIG_PATH_MAX];
	char socket_path[CONFIG_PATH_MAX];	/* "" disables the socket */
	/* --log-events, each FILE, "-" (stdout), "syslog" or "syslog:PATH" */
	char log_sinks[CONFIG_LOG_SINKS_MAX][CONFIG_PATH_MAX];
	unsigned n_log_sinks;
	char host[CONFIG_HOST_MAX];		/* "" = gethostname() */
	unsigned log_queue_bytes;		/* per syslog sink; 0 = default */
	char check_rules[CONFIG_PATH_MAX];	/* --check-rules DIR */
	char config_file[CONFIG_PATH_MAX];
	enum action default_action;
	enum action unattributed_action;	/* no process known */
	bool unattributed_set;		/* else: the default action */
	uint16_t queue;
	bool no_firewall;
	bool fail_closed;
	bool no_audit;
	bool audit_execve;
	bool no_sockdiag;		/* use the /proc/net fallback (tests) */
	bool hash_executables;		/* md5/sha1 of every attributed exe */
	bool forward;			/* also queue forwarded flows */
	bool no_bpf;			/* do not load the eBPF source */
	bool audit_with_bpf;		/* audit syscall rules even with BPF */
	unsigned bpf_flows;		/* flow records kept (LRU) */
	unsigned bpf_sockets;		/* open-socket owners kept (LRU) */
	unsigned bpf_execs;		/* exec records kept (LRU) */
	char audit_key[32];
	unsigned audit_wait_ms;		/* wait for audit before deciding */
	unsigned verdict_timeout_ms;	/* hard cap on any pending packet */
	unsigned prompt_timeout_ms;
	unsigned pidcache_max;
	unsigned process_ttl_ms;	/* idle age expiry */
	unsigned grace_ms;		/* keep exited processes this long */
	unsigned pending_max;		/* packets held at once */
	unsigned queue_maxlen;		/* kernel queue length; full = drop */
	unsigned audit_backlog;		/* backlog_limit while we run */
	unsigned event_rate_per_exe;	/* connection events per second per
					 * program+verdict+reason before
					 * folding; 0 = never fold */
};

/* What parsing asks main to do. */
enum config_cmd { CONFIG_RUN, CONFIG_HELP, CONFIG_VERSION, CONFIG_CHECK_RULES };

void config_defaults(struct config *c);

/* Parse argv (including loading --config FILE first, so flags override
 * it).  0 and *cmd; -EINVAL with a one-line reason in err. */
int config_parse(struct config *c, int argc, char **argv, enum config_cmd *cmd,
		 char *err, size_t errlen);

/* Apply a JSON config file.  0, or -errno with a reason naming the file. */
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);

/* A --log-events value naming a syslog socket: 1 and *path (the default
 * /dev/log for plain "syslog"), or 0 for a file or "-". */
int config_sink_syslog(const char *spec, const char **path);

void config_usage(FILE *out);

#endif
