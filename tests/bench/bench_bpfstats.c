/* bench_bpfstats - what tattle's BPF programs cost per run while a command
 * runs: kernel run-time statistics (BPF_ENABLE_STATS, on only while this
 * holds its fd) of every loaded program named tt_*, before and after.
 * usage: bench_bpfstats COMMAND [ARG...]
 * prints, after COMMAND's own output, one line per program that ran:
 *   bpf prog=NAME runs=N ns_per_run=X
 * Exit: COMMAND's status; 1 when stats cannot be enabled. */
#include <errno.h>
#include <stdio.h>
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

/* Snapshot of every tt_* program: n filled, 0 or -errno. */
static int bs_snapshot(struct bs_prog *p, int *n)
{
	__u32 id = 0;

	*n = 0;
	while (bpf_prog_get_next_id(id, &id) == 0 && *n < BS_MAX) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
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
	int na, nb, i, j, status = 0, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_bpfstats COMMAND [ARG...]\n");
		return 2;
	}
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		fprintf(stderr, "bench_bpfstats: enable stats: %s\n", strerror(errno));
		return 1;
	}
	bs_snapshot(a, &na);
	pid = fork();
	if (pid == 0) {
		close(fd);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	bs_snapshot(b, &nb);
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
