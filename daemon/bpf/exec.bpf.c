/* exec.bpf.c - what each process executed: the path as given to execve and
 * the (dev, inode) it resolved to, so tattled can name the executable of a
 * process that exited before it was ever seen in /proc. */
#include "common.bpf.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tt_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct flowrec_exec_key k = {};
	struct flowrec_exec e = {};
	struct file *f = BPF_CORE_READ(bprm, file);

	k.tgid = BPF_CORE_READ(p, tgid);
	k.start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	e.exe_dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	e.exe_ino = BPF_CORE_READ(f, f_inode, i_ino);
	e.ts_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(e.filename, sizeof(e.filename),
				  BPF_CORE_READ(bprm, filename));
	bpf_map_update_elem(&tt_execs, &k, &e, BPF_ANY);
	return 0;
}
