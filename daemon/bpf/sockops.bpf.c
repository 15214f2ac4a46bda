/* sockops.bpf.c - TCP: the SYN's 5-tuple exists from tcp_connect() on (port
 * and source address chosen), which calls this program just before the SYN
 * goes to netfilter, inside the connect() of the connecting task (or its
 * io_uring worker, or a TCP Fast Open sendmsg): that task is the owner.  A
 * kernel thread (an MPTCP subflow opened by the path manager) is nobody's
 * flow: not recorded, tattled falls back.  No socket storage is needed. */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("sockops")
int tt_sockops(struct bpf_sock_ops *ctx)
{
	struct flowrec_key k = {};
	struct flowrec_val v = {};
	struct task_struct *t;
	__u64 now;
	__u32 src[4], dst[4], src4, dst4;
	bool v4;

	if (ctx->op != BPF_SOCK_OPS_TCP_CONNECT_CB)
		return SK_PASS;
	t = bpf_get_current_task_btf();
	if (!t->mm)
		return SK_PASS;
	/* The owner goes straight into the record, stamped and written at
	 * one instant: one clock read, no copy. */
	now = bpf_ktime_get_ns();
	owner_fill(&v.owner, bpf_get_netns_cookie(ctx), now);
	v.ts_ns = now;
	/* Every field read, no branch: see stamp.bpf.c. */
	src4 = CTX_LD(ctx, local_ip4);
	dst4 = CTX_LD(ctx, remote_ip4);
	src[0] = CTX_LD(ctx, local_ip6[0]);
	src[1] = CTX_LD(ctx, local_ip6[1]);
	src[2] = CTX_LD(ctx, local_ip6[2]);
	src[3] = CTX_LD(ctx, local_ip6[3]);
	dst[0] = CTX_LD(ctx, remote_ip6[0]);
	dst[1] = CTX_LD(ctx, remote_ip6[1]);
	dst[2] = CTX_LD(ctx, remote_ip6[2]);
	dst[3] = CTX_LD(ctx, remote_ip6[3]);
	v4 = ctx->family == AF_INET;
	if (v4) {
		src[0] = src[1] = src[2] = dst[0] = dst[1] = dst[2] = 0;
		src[3] = src4;
		dst[3] = dst4;
	} else {
		v4 = v4mapped(dst);
	}
	k.netns = v.owner.netns;
	k.proto = IPPROTO_TCP;
	k.family = v4 ? AF_INET : AF_INET6;
	k.sport = (__u16)ctx->local_port;
	k.dport = (__u16)bpf_ntohl(ctx->remote_port);
	addr_put(k.src, src, v4);
	addr_put(k.dst, dst, v4);
	flow_update(&k, &v);
	return SK_PASS;
}
