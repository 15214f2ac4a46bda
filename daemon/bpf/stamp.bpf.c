/* stamp.bpf.c - UDP connect and unconnected send: runs in the calling
 * task, so the owner stamped into the socket's storage is the process that
 * connects or sends (for io_uring, its worker is one of that process's
 * threads).  connect runs before the source port exists: connected UDP is
 * recorded by release.bpf.c, or looked up by socket cookie while the socket
 * lives.  An unconnected send has its port already (inet_send_prepare
 * autobinds first), so it is recorded here.  TCP is left to sockops.bpf.c,
 * which runs later in the same connect() with the port known: a TCP
 * connect costs this program one comparison. */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline struct flowrec_sk *stamp(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct flowrec_sk *s;
	__u64 cookie;

	/* TCP is stamped by sockops.bpf.c, in the same connect() call. */
	if (ctx->protocol != IPPROTO_UDP)
		return NULL;
	s = bpf_sk_storage_get(&tt_sk, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!s)
		return NULL;
	if (s->owner.tgid == (__u32)(bpf_get_current_pid_tgid() >> 32) &&
	    s->owner.tgid)
		return s;	/* same process again: keep the first stamp */
	owner_fill(&s->owner, bpf_get_netns_cookie(ctx), bpf_ktime_get_ns());
	s->last_dport = 0;
	cookie = bpf_get_socket_cookie(ctx);
	bpf_map_update_elem(&tt_socks, &cookie, &s->owner, BPF_ANY);
	return s;
}

SEC("cgroup/connect4")
int tt_connect4(struct bpf_sock_addr *ctx)
{
	stamp(ctx);
	return SK_PASS;
}

SEC("cgroup/connect6")
int tt_connect6(struct bpf_sock_addr *ctx)
{
	stamp(ctx);
	return SK_PASS;
}

static __always_inline bool same_addr(const __u32 *a, const __u32 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* Record (src, sport, dst, dport) unless this socket recorded the same
 * destination lately: a socket that keeps sending costs one lookup.  The
 * refresh check reads the coarse clock (no clocksource read, jiffy
 * resolution is plenty for 5 s); only a record written gets the precise
 * time verdict_bpf_fits() compares with the packet's arrival. */
static __always_inline void sent(struct bpf_sock_addr *ctx, const __u32 *dst,
				 bool v4)
{
	struct flowrec_key k = {};
	struct flowrec_sk *s = stamp(ctx);
	struct bpf_sock *sk = ctx->sk;
	__u16 dport = bpf_ntohs((__u16)ctx->user_port);
	__u64 now = bpf_ktime_get_coarse_ns();
	__u32 src[4], src4;

	if (!s)
		return;
	k.sport = sk->src_port;
	if (s->last_dport == dport && s->last_sport == k.sport &&
	    now - s->last_ns < FLOWREC_REFRESH_NS &&
	    same_addr((const __u32 *)s->last_dst, dst))
		return;
	k.netns = s->owner.netns;
	k.proto = IPPROTO_UDP;
	k.family = v4 ? AF_INET : AF_INET6;
	k.dport = dport;
	/* Read every field: the verifier refuses a computed offset into a
	 * socket, which a branch per family lets clang produce. */
	src4 = CTX_LD(sk, src_ip4);
	src[0] = CTX_LD(sk, src_ip6[0]);
	src[1] = CTX_LD(sk, src_ip6[1]);
	src[2] = CTX_LD(sk, src_ip6[2]);
	src[3] = CTX_LD(sk, src_ip6[3]);
	if (ctx->family == AF_INET) {
		src[0] = src[1] = src[2] = 0;
		src[3] = src4;
	}
	addr_put(k.src, src, v4);
	addr_put(k.dst, dst, v4);
	flow_put(&k, &s->owner, (src[0] | src[1] | src[2] | src[3]) ? 0 :
				FLOWREC_F_ANY_SRC, bpf_ktime_get_ns());
	((__u32 *)s->last_dst)[0] = dst[0];
	((__u32 *)s->last_dst)[1] = dst[1];
	((__u32 *)s->last_dst)[2] = dst[2];
	((__u32 *)s->last_dst)[3] = dst[3];
	s->last_dport = dport;
	s->last_sport = k.sport;
	s->last_ns = now;
}

SEC("cgroup/sendmsg4")
int tt_sendmsg4(struct bpf_sock_addr *ctx)
{
	__u32 dst[4] = { 0, 0, 0, ctx->user_ip4 };

	sent(ctx, dst, true);
	return SK_PASS;
}

SEC("cgroup/sendmsg6")
int tt_sendmsg6(struct bpf_sock_addr *ctx)
{
	__u32 dst[4] = { ctx->user_ip6[0], ctx->user_ip6[1],
			 ctx->user_ip6[2], ctx->user_ip6[3] };

	sent(ctx, dst, v4mapped(dst));
	return SK_PASS;
}
