/* pidreuse - run a program under a pid chosen by the caller, to force pid
 * reuse without touching ns_last_pid: clone3() with set_tid (Linux 5.5+,
 * CAP_SYS_ADMIN over the pid namespace; the host one for host pids).
 * Nothing else on the host is affected: only this one pid is taken, and
 * only if it is free.
 * usage: pidreuse PID PROGRAM [ARG...]
 *        pidreuse 0 PROGRAM_A [ARG...] -- PROGRAM_B [ARG...]
 *   The child gets PID in the caller's pid namespace and execs PROGRAM.
 *   With 0: run PROGRAM_A as a plain child, reap it, and at once run
 *   PROGRAM_B under A's pid (often within the same 10 ms start-time tick).
 *   Then prints "start A_TICKS B_TICKS" (/proc/PID/stat field 22 of each).
 * Exit: the (last) program's exit status, or A's when A failed; 125 when
 * the pid could not be had (EEXIST: in use, EPERM, ENOSYS...), with the
 * reason on stderr. */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* /proc/PID/stat field 22 (start time in clock ticks); zombies too. */
static unsigned long long start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	if (!(p = strrchr(buf, ')')))
		return 0;
	for (i = 2; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

static unsigned long long b_start;

static int run_as(pid_t want, char **argv)
{
	struct clone_args ca;
	pid_t pid;
	int st;

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	ca.set_tid = (uint64_t)(uintptr_t)&want;
	ca.set_tid_size = 1;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		fprintf(stderr, "pidreuse: clone3 set_tid %d: %s\n", (int)want,
			strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execv(argv[0], argv);
		fprintf(stderr, "pidreuse: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	b_start = start_ticks(pid);
	if (waitpid(pid, &st, 0) < 0)
		return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	pid_t want, a;
	unsigned long long a_start;
	siginfo_t si;
	int i, st, r;

	if (argc < 3 || (want = (pid_t)atoi(argv[1])) == 1 || want < 0)
		goto usage;
	if (want > 1)
		return run_as(want, argv + 2);
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++)
		;
	if (i >= argc - 1 || i == 2)
		goto usage;
	argv[i] = NULL;
	fflush(stdout);
	a = fork();
	if (a < 0)
		return 125;
	if (a == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	/* Read A's start time while it is a zombie, then reap it. */
	if (waitid(P_PID, (id_t)a, &si, WEXITED | WNOWAIT) < 0)
		return 125;
	a_start = start_ticks(a);
	if (waitpid(a, &st, 0) < 0)
		return 125;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fflush(stdout);
	r = run_as(a, argv + i + 1);
	printf("start %llu %llu\n", a_start, b_start);
	return r;
usage:
	fprintf(stderr, "usage: pidreuse PID PROGRAM [ARG...]\n"
		"       pidreuse 0 PROGRAM_A [ARG...] -- PROGRAM_B [ARG...]\n");
	return 2;
}
