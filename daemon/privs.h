/* privs.h - drop the capabilities tattled no longer needs once setup is
 * done.  tattled stays uid 0 (it writes root-owned rule files and execs
 * iptables at exit) but keeps only:
 *
 *   CAP_NET_ADMIN        every nfnetlink message (queue verdicts),
 *                        SOCK_DESTROY for reject, and the iptables/nft
 *                        tools it execs at exit to remove its chains;
 *   CAP_SYS_PTRACE       readlink of /proc/PID/{exe,cwd,fd/N} and reading
 *                        /proc/PID/environ of other users' processes
 *                        (ptrace_may_access, PTRACE_MODE_READ);
 *   CAP_DAC_READ_SEARCH  listing /proc/PID/fd (mode 0500, owned by the
 *                        process's uid) and opening /proc/PID/environ;
 *   CAP_AUDIT_CONTROL    when audit is in use: status polls, re-enabling
 *                        audit, deleting its rules at exit;
 *   CAP_NET_RAW          when it manages the firewall: iptables-legacy
 *                        opens a raw socket to remove the chains.
 *
 * CAP_AUDIT_READ is checked only when the multicast socket binds and
 * CAP_CHOWN only when the control socket is given its group: both happen
 * before the drop.  So are CAP_BPF and CAP_PERFMON (loading the eBPF
 * object: maps, programs that read the task) and CAP_NET_ADMIN's cgroup
 * attach: once attached, the programs stay attached through their link
 * fds and the maps are read through fds already open, which no
 * capability check guards.  Everything else goes. */
#ifndef TATTLE_PRIVS_H
#define TATTLE_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct privs_opts {
	bool firewall;	/* tattled installed chains and removes them at exit */
	bool audit;	/* the audit control socket is open */
};

/* What the kernel says this thread holds: bit n is capability n. */
struct privs_state {
	uint64_t effective, permitted, inheritable, bounding, ambient;
	bool no_new_privs;
};

/* The capabilities kept for o, as a mask (bit n = capability n).  Pure. */
uint64_t privs_keep_mask(const struct privs_opts *o);

/* Reduce effective, permitted and (when CAP_SETPCAP allows) the bounding
 * set to privs_keep_mask(o) intersected with what the thread holds; clear
 * inheritable and ambient; set no_new_privs.  Because tattled stays
 * uid 0, an exec'd iptables gets (bounding & permitted), that is, the
 * kept set: enough to remove the chains, nothing more.
 *
 * Capabilities are per thread: call it before any thread is started.
 * 0; -EBUSY when this process already has other threads (they would keep
 * everything); -errno from capset/prctl. */
int privs_drop(const struct privs_opts *o);

/* The calling thread's sets.  0 or -errno. */
int privs_get(struct privs_state *out);

/* "cap_net_admin,cap_sys_ptrace" for mask (unknown bits as "cap_N"); an
 * empty mask is "".  Returns the length written, or -ENOSPC (buf holds a
 * truncated, terminated prefix). */
int privs_format(uint64_t mask, char *buf, size_t len);

#endif
