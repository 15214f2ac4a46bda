/* main.c - tattle, the terminal client: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "audit_status.h"
#include "cmds.h"
#include "version.h"
/* audit-decode is another module's; build without it until it lands. */
#if defined(__has_include)
#if __has_include("audit_decode.h")
#include "audit_decode.h"
#define HAVE_AUDIT_DECODE 1
#endif
#endif

struct subcmd {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
};

static const struct subcmd subcmds[] = {
	{ "watch", watch_main, "live events, one readable line each" },
	{ "top", top_main, "live per-application table" },
	{ "ask", ask_main, "answer prompts for unknown connections" },
	{ "rules", rules_main, "list, add, rm, enable, disable rules" },
	{ "stats", stats_main, "daemon counters" },
	{ "metrics", metrics_main, "counters as OpenMetrics text" },
	{ "audit-status", audit_status_main, "kernel audit state; --purge our rules" },
#ifdef HAVE_AUDIT_DECODE
	{ "audit-decode", audit_decode_main, "decode raw audit records" },
#endif
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: tattle COMMAND [options]\ncommands:\n");
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		fprintf(out, "  %-18s %s\n", subcmds[i].name, subcmds[i].help);
	fprintf(out, "  %-18s %s\n", "version", "print the version");
	fprintf(out, "run 'tattle COMMAND --help' for a command's options\n"
		"exit codes: 0 ok, 1 runtime error (e.g. cannot connect), 2 usage\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("tattle %s\n", TATTLE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++) {
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].main(argc - 1, argv + 1);
	}
	fprintf(stderr, "tattle: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
