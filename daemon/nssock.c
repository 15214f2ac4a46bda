/* nssock.c - see nssock.h. */
#include "nssock.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "procfs.h"
#include "procnet.h"

struct ns_search {
	const char *procroot;
	const struct flow *f;
	uint64_t seen[NSSOCK_MAX_NETNS];
	size_t n_seen;
	bool exact_found;
	struct nssock_result exact;
	size_t n_wild;		/* namespaces with a wildcard match */
	struct nssock_result wild;
};

static bool ns_seen(struct ns_search *s, uint64_t ns)
{
	for (size_t i = 0; i < s->n_seen; i++)
		if (s->seen[i] == ns)
			return true;
	return false;
}

/* Read the tables of pid's namespace (once per namespace).  1 when an
 * exact match ends the search. */
static int ns_try(struct ns_search *s, pid_t pid)
{
	char root[PATH_MAX];
	struct sockdiag_sock sock;
	uint64_t ns;

	if (s->n_seen >= NSSOCK_MAX_NETNS ||
	    procfs_netns(s->procroot, pid, &ns) < 0 || ns_seen(s, ns))
		return 0;
	s->seen[s->n_seen++] = ns;
	snprintf(root, sizeof(root), "%s/%d", s->procroot, (int)pid);
	if (procnet_lookup(root, s->f, &sock) < 0 || !sock.inode ||
	    (sock.flags & SOCKDIAG_F_LISTEN))
		return 0;
	if (sock.flags & SOCKDIAG_F_WILDCARD) {
		if (s->n_wild++ == 0) {
			s->wild.sock = sock;
			s->wild.pid = pid;
			s->wild.netns = ns;
		}
		return 0;
	}
	s->exact.sock = sock;
	s->exact.pid = pid;
	s->exact.netns = ns;
	s->exact_found = true;
	return 1;
}

static int ns_walk(struct ns_search *s)
{
	struct dirent *de;
	DIR *d = opendir(s->procroot);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && s->n_seen < NSSOCK_MAX_NETNS) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT_MAX)
			continue;
		if (ns_try(s, (pid_t)pid) == 1)
			break;
	}
	closedir(d);
	return 0;
}

int nssock_lookup(const char *procroot, const struct flow *f,
		  const pid_t *hints, size_t nhints, uint64_t skip_netns,
		  bool walk, struct nssock_result *out)
{
	struct ns_search *s;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP &&
	    f->proto != IPPROTO_UDPLITE)
		return -EPROTONOSUPPORT;
	if (!(s = calloc(1, sizeof(*s))))
		return -ENOMEM;
	s->procroot = procroot;
	s->f = f;
	if (skip_netns)
		s->seen[s->n_seen++] = skip_netns;
	for (size_t i = 0; i < nhints && !s->exact_found; i++)
		(void)ns_try(s, hints[i]);
	if (!s->exact_found && walk && (r = ns_walk(s)) < 0)
		goto out;
	out->netns_tried = s->n_seen - (skip_netns ? 1 : 0);
	if (s->exact_found) {
		*out = s->exact;
	} else if (s->n_wild == 1 && f->proto != IPPROTO_TCP) {
		*out = s->wild;
	} else {
		r = -ENOENT;
		goto out;
	}
	out->netns_tried = s->n_seen - (skip_netns ? 1 : 0);
out:
	free(s);
	return r;
}
