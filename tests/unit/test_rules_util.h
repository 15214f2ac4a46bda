/* test_rules_util.h - shared helpers for the rules tests. */
#ifndef TEST_RULES_UTIL_H
#define TEST_RULES_UTIL_H

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet.h"
#include "match.h"
#include "procfs.h"
#include "rules.h"
#include "rule_oracle.h"

static const struct rules_clock test_clk = {
	.boot_ms = 1000000,		/* 1000 s since boot */
	.wall_ms = 1700000000000LL,	/* 2023-11-14T22:13:20Z */
};

/* A boolean field of the rule as rule_to_json() writes it (what rules.list
 * and --check-rules show). */
static inline bool rule_json_bool(const struct rule *r, const char *key)
{
	struct json_object *o = rule_to_json(r), *v;
	bool b;

	if (!o || !json_object_object_get_ex(o, key, &v))
		abort();
	b = json_object_get_boolean(v);
	json_object_put(o);
	return b;
}

/* The boot-clock ms from which rule_expired(r) holds (0: never), found
 * through rule_expired() alone. */
static inline uint64_t rule_expiry(const struct rule *r)
{
	uint64_t lo = 0, hi = UINT64_MAX;

	if (!rule_expired(r, UINT64_MAX))
		return 0;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (rule_expired(r, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

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
