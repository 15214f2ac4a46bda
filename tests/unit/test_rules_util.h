/* test_rules_util.h - shared helpers for the rules tests. */
#ifndef TEST_RULES_UTIL_H
#define TEST_RULES_UTIL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet.h"
#include "procfs.h"

static const struct rules_clock test_clk = {
	.boot_ms = 1000000,		/* 1000 s since boot */
	.wall_ms = 1700000000000LL,	/* 2023-11-14T22:13:20Z */
};

static inline struct flow mkflow(const char *src, uint16_t sport,
				 const char *dst, uint16_t dport, uint8_t proto)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	f.proto = proto;
	if (inet_pton(f.family, src, f.src) != 1 ||
	    inet_pton(f.family, dst, f.dst) != 1)
		abort();
	f.sport = sport;
	f.dport = dport;
	return f;
}

static inline void write_file(const char *dir, const char *name,
			      const char *body, size_t len)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(fp = fopen(path, "w")))
		abort();
	if (len && fwrite(body, 1, len, fp) != len)
		abort();
	fclose(fp);
}

static inline void rm_tree(const char *dir)
{
	struct dirent *de;
	char path[4096];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) >= sizeof(path))
			continue;
		if (unlink(path) < 0)
			rm_tree(path);
	}
	closedir(d);
	rmdir(dir);
}

#endif
