/* bench_bpfstats - what tattle's BPF programs cost per run while a command
 * runs: kernel run-time statistics (BPF_ENABLE_STATS, on only while this
 * holds its fd) of every loaded program named tt_*, before and after.
 * usage: bench_bpfstats [-p PID] COMMAND [ARG...]
 * -p PID: only the programs of the links PID holds (one tattled), not
 * those of every tattled on the host (siblings' programs run for every
 * connect too and would mix into the figures).
 * prints, after COMMAND's own output, one line per program that ran:
 *   bpf prog=NAME runs=N ns_per_run=X
 * Exit: COMMAND's status; 1 when stats cannot be enabled. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define BS_MAX 64

struct bs_prog {
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	__u64 cnt, ns;
};

/* The program ids of the bpf links process pid holds (fdinfo's
 * "link_id:" and "prog_id:" lines): count filled, or -errno. */
static int bs_linked(long pid, __u32 *ids, int max)
{
	char path[64], line[128];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%ld/fdinfo", pid);
	if (!(dir = opendir(path)))
		return -errno;
	while ((de = readdir(dir)) && n < max) {
		unsigned int prog = 0;
		int is_link = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%.20s", pid, de->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "link_id:", 8) == 0)
				is_link = 1;
			else if (strncmp(line, "prog_id:", 8) == 0)
				prog = (unsigned int)strtoul(line + 8, NULL, 10);
		}
		fclose(f);
		if (is_link && prog)
			ids[n++] = prog;
	}
	closedir(dir);
	return n;
}

static int bs_wanted(__u32 id, const __u32 *ids, int nids)
{
	int i;

	if (nids < 0)
		return 1;
	for (i = 0; i < nids; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Snapshot of every tt_* program (of ids, unless nids < 0): n filled,
 * 0 or -errno. */
static int bs_snapshot(struct bs_prog *p, int *n, const __u32 *ids, int nids)
{
	__u32 id = 0;

	*n = 0;
	while (bpf_prog_get_next_id(id, &id) == 0 && *n < BS_MAX) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0 || !bs_wanted(id, ids, nids)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strncmp(info.name, "tt_", 3) == 0) {
			p[*n].id = id;
			memcpy(p[*n].name, info.name, sizeof(p[*n].name));
			p[*n].cnt = info.run_cnt;
			p[*n].ns = info.run_time_ns;
			(*n)++;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bs_prog a[BS_MAX], b[BS_MAX];
	int na, nb, i, j, status = 0, fd, nids = -1;
	__u32 ids[BS_MAX];
	pid_t pid;

	if (argc >= 3 && strcmp(argv[1], "-p") == 0) {
		nids = bs_linked(strtol(argv[2], NULL, 10), ids, BS_MAX);
		if (nids < 0) {
			fprintf(stderr, "bench_bpfstats: pid %s: %s\n", argv[2],
				strerror(-nids));
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: bench_bpfstats [-p PID] COMMAND [ARG...]\n");
		return 2;
	}
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		fprintf(stderr, "bench_bpfstats: enable stats: %s\n", strerror(errno));
		return 1;
	}
	bs_snapshot(a, &na, ids, nids);
	pid = fork();
	if (pid == 0) {
		close(fd);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	bs_snapshot(b, &nb, ids, nids);
	close(fd);
	fflush(stdout);
	for (i = 0; i < nb; i++)
		for (j = 0; j < na; j++)
			if (a[j].id == b[i].id && b[i].cnt > a[j].cnt)
				printf("bpf prog=%s runs=%llu ns_per_run=%.0f\n", b[i].name,
				       (unsigned long long)(b[i].cnt - a[j].cnt),
				       (double)(b[i].ns - a[j].ns) / (double)(b[i].cnt - a[j].cnt));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
