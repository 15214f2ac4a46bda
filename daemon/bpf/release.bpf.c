/* release.bpf.c - connected UDP: no hook runs between the port's
 * assignment (after connect4, in connect()) and the first datagram, so
 * while the socket is open tattled finds it by sock_diag and reads its
 * owner by socket cookie (tt_socks).  When it is closed, which a one-shot
 * sender does right after sending, this program records its 5-tuple before
 * the socket leaves the kernel's tables (inet_release runs it first), so a
 * sock_diag miss is always followed by a hit here. */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("cgroup/sock_release")
int tt_release(struct bpf_sock *sk)
{
	struct flowrec_key k = {};
	struct flowrec_sk *s;
	__u32 src[4], dst[4];
	struct sock *ks;
	__u16 sport;
	__u64 cookie;
	bool v4;

	if (sk->protocol != IPPROTO_UDP || sk->dst_port == 0)
		return SK_PASS;	/* TCP is done at connect; UDP unconnected */
	s = bpf_sk_storage_get(&tt_sk, sk, 0, 0);
	if (!s)
		return SK_PASS;
	/* A cgroup/sock program may not read src_* from its context
	 * (post_bind only): read the kernel socket instead. */
	ks = (struct sock *)sk;
	v4 = BPF_CORE_READ(ks, __sk_common.skc_family) == AF_INET;
	if (v4) {
		src[0] = src[1] = src[2] = dst[0] = dst[1] = dst[2] = 0;
		src[3] = BPF_CORE_READ(ks, __sk_common.skc_rcv_saddr);
		dst[3] = BPF_CORE_READ(ks, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&src, ks, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&dst, ks, __sk_common.skc_v6_daddr);
		v4 = v4mapped(dst);
	}
	sport = BPF_CORE_READ(ks, __sk_common.skc_num);
	k.netns = s->owner.netns;
	k.proto = IPPROTO_UDP;
	k.family = v4 ? AF_INET : AF_INET6;
	k.sport = sport;
	k.dport = bpf_ntohs((__u16)sk->dst_port);
	addr_put(k.src, src, v4);
	addr_put(k.dst, dst, v4);
	flow_put(&k, &s->owner, FLOWREC_F_RELEASE, bpf_ktime_get_ns());
	cookie = bpf_get_socket_cookie(sk);
	bpf_map_delete_elem(&tt_socks, &cookie);
	return SK_PASS;
}
