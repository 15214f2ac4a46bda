/* fuzz_cgroup.c - arbitrary bytes as a /proc/PID/cgroup body (first byte
 * 0-127) or a mountinfo body (first byte 128-255).  What the parser
 * names must lie inside the input and fit its fixed fields. */
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "fuzz.h"
#include "procfs.h"

static void fuzz_proc(const uint8_t *data, size_t size)
{
	struct proc_info pi;
	struct cgroup_ident id;
	const char *path;
	size_t len;

	if (cgroup_parse_proc((const char *)data, size, &path, &len) == 0) {
		if (path < (const char *)data || path + len > (const char *)data + size ||
		    !len || path[0] != '/' || len >= CGROUP_PATH_MAX)
			abort();
		cgroup_ident_parse(path, len, &id);
		if (strlen(id.unit) >= sizeof(id.unit) || strlen(id.id) >= sizeof(id.id) ||
		    (id.id[0] && !id.runtime[0]) || (!id.id[0] && id.runtime[0]))
			abort();
	}
	memset(&pi, 0, sizeof(pi));
	if (procfs_cgroup_info(&pi, (const char *)data, size) == 0 && !pi.cgroup)
		abort();
	proc_info_clear(&pi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char mnt[256];

	if (!size || size > 65536)
		return 0;
	if (data[0] < 128) {
		fuzz_proc(data + 1, size - 1);
		return 0;
	}
	if (cgroup_parse_mountinfo((const char *)data + 1, size - 1, mnt, sizeof(mnt)) == 0 &&
	    strlen(mnt) >= sizeof(mnt))
		abort();
	return 0;
}
