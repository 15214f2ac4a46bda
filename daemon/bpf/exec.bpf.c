/* exec.bpf.c - which path each executable file was run by: (dev, inode)
 * -> path, so tattled can name the executable of a process that exited
 * before it was ever seen in /proc (it checks the path still leads to that
 * file).  Runs at every exec on the host. */
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

	k.exe_dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	k.exe_ino = BPF_CORE_READ(f, f_inode, i_ino);
	e.ts_ns = bpf_ktime_get_ns();
	/* interp: the file that runs (a script's interpreter), as given;
	 * bprm->file is that file too. */
	bpf_probe_read_kernel_str(e.filename, sizeof(e.filename),
				  BPF_CORE_READ(bprm, interp));
	/* A relative path says less than an absolute one: keep the latter. */
	bpf_map_update_elem(&tt_execs, &k, &e,
			    e.filename[0] == '/' ? BPF_ANY : BPF_NOEXIST);
	return 0;
}
