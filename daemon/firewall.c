/* firewall.c - see firewall.h.  Runs the iptables/nft tools: a handful of
 * execs at start and stop, never on the packet path. */
#include "firewall.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FW_SCRIPT_MAX 4096

struct fw_buf {
	char *buf;
	size_t cap, len;
	bool overflow;
};

__attribute__((format(printf, 2, 3)))
static void fw_printf(struct fw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

int firewall_render_iptables(const struct firewall_opts *o, int family,
			     char *buf, size_t len)
{
	struct fw_buf b = { .buf = buf, .cap = len };
	const char *q_bypass = o->fail_closed ? "" : " --queue-bypass";
	const char *icmp = family == 6 ? "ipv6-icmp" : "icmp";
	char q[64];

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	snprintf(q, sizeof(q), "-j NFQUEUE --queue-num %u%s", o->queue, q_bypass);
	fw_printf(&b, "*filter\n:%s - [0:0]\n:%s - [0:0]\n",
		  FIREWALL_CHAIN_OUT, FIREWALL_CHAIN_IN);
	if (o->forward)
		fw_printf(&b, ":%s - [0:0]\n", FIREWALL_CHAIN_FWD);
	fw_printf(&b, "-A %s -m mark --mark 0x%x -j RETURN\n",
		  FIREWALL_CHAIN_OUT, FIREWALL_OWN_MARK);
	fw_printf(&b, "-A %s -p tcp --tcp-flags FIN,SYN,RST,ACK SYN %s\n",
		  FIREWALL_CHAIN_OUT, q);
	fw_printf(&b, "-A %s -p tcp -j RETURN\n", FIREWALL_CHAIN_OUT);
	if (family == 6) {
		/* Neighbour discovery and router messages are link plumbing,
		 * not connections: never hold them. */
		static const unsigned nd[] = { 133, 134, 135, 136, 137 };
		size_t i;

		for (i = 0; i < sizeof(nd) / sizeof(nd[0]); i++)
			fw_printf(&b, "-A %s -p %s --icmpv6-type %u -j RETURN\n",
				  FIREWALL_CHAIN_OUT, icmp, nd[i]);
	}
	fw_printf(&b, "-A %s -m conntrack --ctstate NEW %s\n",
		  FIREWALL_CHAIN_OUT, q);
	/* Later DNS queries on a flow already allowed: queued only so that
	 * their answers can be matched to them (accepted at once). */
	fw_printf(&b, "-A %s -p udp --dport 53 -m conntrack --ctstate ESTABLISHED %s\n",
		  FIREWALL_CHAIN_OUT, q);
	/* Only answers to queries that left this host: a spoofed datagram
	 * that conntrack does not pair with a query teaches no names. */
	fw_printf(&b, "-A %s -p udp --sport 53 -m conntrack --ctstate ESTABLISHED %s\n",
		  FIREWALL_CHAIN_IN, q);
	if (o->forward) {
		/* A forwarded flow's first packet: no own mark to skip, and
		 * replies are never SYN-only nor NEW. */
		fw_printf(&b, "-A %s -p tcp --tcp-flags FIN,SYN,RST,ACK SYN %s\n",
			  FIREWALL_CHAIN_FWD, q);
		fw_printf(&b, "-A %s -p tcp -j RETURN\n", FIREWALL_CHAIN_FWD);
		fw_printf(&b, "-A %s -m conntrack --ctstate NEW %s\n",
			  FIREWALL_CHAIN_FWD, q);
		fw_printf(&b, "-I FORWARD 1 -j %s\n", FIREWALL_CHAIN_FWD);
	}
	fw_printf(&b, "-I OUTPUT 1 -j %s\n-I INPUT 1 -j %s\nCOMMIT\n",
		  FIREWALL_CHAIN_OUT, FIREWALL_CHAIN_IN);
	return b.overflow ? -ENOSPC : (int)b.len;
}

int firewall_render_nft(const struct firewall_opts *o, char *buf, size_t len)
{
	struct fw_buf b = { .buf = buf, .cap = len };
	const char *bypass = o->fail_closed ? "" : " bypass";

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	fw_printf(&b, "table inet %s\ndelete table inet %s\n",
		  FIREWALL_NFT_TABLE, FIREWALL_NFT_TABLE);
	fw_printf(&b, "table inet %s {\n", FIREWALL_NFT_TABLE);
	fw_printf(&b, " chain out {\n  type filter hook output priority 0; policy accept;\n");
	fw_printf(&b, "  meta mark 0x%x return\n", FIREWALL_OWN_MARK);
	fw_printf(&b, "  tcp flags & (fin|syn|rst|ack) == syn queue num %u%s\n",
		  o->queue, bypass);
	fw_printf(&b, "  meta l4proto tcp return\n");
	fw_printf(&b, "  icmpv6 type { nd-router-solicit, nd-router-advert, "
		  "nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } return\n");
	fw_printf(&b, "  ct state new queue num %u%s\n", o->queue, bypass);
	fw_printf(&b, "  udp dport 53 ct state established queue num %u%s\n }\n",
		  o->queue, bypass);
	fw_printf(&b, " chain in {\n  type filter hook input priority 0; policy accept;\n");
	fw_printf(&b, "  udp sport 53 ct state established queue num %u%s\n }\n",
		  o->queue, bypass);
	if (o->forward) {
		fw_printf(&b, " chain fwd {\n  type filter hook forward priority 0; "
			  "policy accept;\n");
		fw_printf(&b, "  tcp flags & (fin|syn|rst|ack) == syn queue num %u%s\n",
			  o->queue, bypass);
		fw_printf(&b, "  meta l4proto tcp return\n");
		fw_printf(&b, "  ct state new queue num %u%s\n }\n", o->queue, bypass);
	}
	fw_printf(&b, "}\n");
	return b.overflow ? -ENOSPC : (int)b.len;
}

/* Run argv with `input` on stdin (may be NULL), output discarded unless
 * out is given (captured up to outlen-1 bytes).  Returns the exit status,
 * 127 when it could not run, or -errno. */
static int fw_run(char *const argv[], const char *input, char *out,
		  size_t outlen)
{
	int in[2] = { -1, -1 }, op[2] = { -1, -1 }, st = 0, r = -EIO;
	size_t got = 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(op, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in[0], 0);
		dup2(op[1], 1);
		dup2(null >= 0 ? null : op[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]), in[0] = -1;
	close(op[1]), op[1] = -1;
	if (input) {
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);

		(void)!write(in[1], input, strlen(input));
		signal(SIGPIPE, old);
	}
	close(in[1]), in[1] = -1;
	for (;;) {
		char tmp[512];
		ssize_t n = read(op[0], tmp, sizeof(tmp));

		if (n <= 0)
			break;
		if (out && got + 1 < outlen) {
			size_t k = (size_t)n < outlen - 1 - got ? (size_t)n :
				   outlen - 1 - got;
			memcpy(out + got, tmp, k);
			got += k;
		}
	}
	if (out && outlen)
		out[got] = '\0';
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
out:
	if (in[0] >= 0) close(in[0]);
	if (in[1] >= 0) close(in[1]);
	if (op[0] >= 0) close(op[0]);
	if (op[1] >= 0) close(op[1]);
	return r;
}

/* Does this kernel take the nft queue statement?  Probe in a scratch
 * table of our own, then delete it. */
static bool fw_nft_has_queue(void)
{
	static const char probe[] =
		"table inet tattle_probe {\n chain c {\n"
		"  type filter hook output priority 0; policy accept;\n"
		"  meta mark 0x7a78 queue num 65535 bypass\n }\n}\n";
	char *const add[] = { "nft", "-f", "-", NULL };
	char *const del[] = { "nft", "delete", "table", "inet", "tattle_probe", NULL };

	if (fw_run(add, probe, NULL, 0) != 0)
		return false;
	(void)fw_run(del, NULL, NULL, 0);
	return true;
}

static void fw_remove_iptables(const char *tool)
{
	static const char *const hooks[][2] = {
		{ "OUTPUT", FIREWALL_CHAIN_OUT }, { "INPUT", FIREWALL_CHAIN_IN },
		{ "FORWARD", FIREWALL_CHAIN_FWD },
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		char *const del[] = { (char *)tool, "-w", "-D", (char *)hooks[i][0],
				      "-j", (char *)hooks[i][1], NULL };
		char *const flush[] = { (char *)tool, "-w", "-F",
					(char *)hooks[i][1], NULL };
		char *const rm[] = { (char *)tool, "-w", "-X",
				     (char *)hooks[i][1], NULL };

		/* Bounded: a crash loop could have left several jumps. */
		for (k = 0; k < 64 && fw_run(del, NULL, NULL, 0) == 0; k++)
			;
		(void)fw_run(flush, NULL, NULL, 0);
		(void)fw_run(rm, NULL, NULL, 0);
	}
}

int firewall_remove(void)
{
	char *const del[] = { "nft", "delete", "table", "inet",
			      FIREWALL_NFT_TABLE, NULL };

	fw_remove_iptables("iptables");
	fw_remove_iptables("ip6tables");
	(void)fw_run(del, NULL, NULL, 0);
	return firewall_present() > 0 ? -EEXIST : 0;
}

static int fw_install_iptables(const struct firewall_opts *o, char *err,
			       size_t errlen)
{
	static const char *const tools[2] = { "iptables-restore", "ip6tables-restore" };
	char script[FW_SCRIPT_MAX];
	int fam, r;

	for (fam = 0; fam < 2; fam++) {
		char *const argv[] = { (char *)tools[fam], "-w", "--noflush", NULL };

		if ((r = firewall_render_iptables(o, fam ? 6 : 4, script,
						  sizeof(script))) < 0)
			return r;
		r = fw_run(argv, script, NULL, 0);
		if (r != 0) {
			snprintf(err, errlen, "%s failed (exit %d)%s",
				 tools[fam], r,
				 r == 127 ? ": not installed" : "");
			return -EIO;
		}
	}
	return 0;
}

int firewall_install(const struct firewall_opts *o,
		     enum firewall_backend *backend, char *err, size_t errlen)
{
	char script[FW_SCRIPT_MAX];
	int r;

	*backend = FIREWALL_NONE;
	if (errlen)
		err[0] = '\0';
	(void)firewall_remove();
	if (fw_nft_has_queue()) {
		char *const argv[] = { "nft", "-f", "-", NULL };

		if ((r = firewall_render_nft(o, script, sizeof(script))) < 0)
			return r;
		if (fw_run(argv, script, NULL, 0) == 0) {
			*backend = FIREWALL_NFT;
			return 0;
		}
	}
	if ((r = fw_install_iptables(o, err, errlen)) < 0) {
		(void)firewall_remove();
		return r;
	}
	*backend = FIREWALL_IPTABLES;
	return 0;
}

int firewall_present(void)
{
	static const char *const tools[2] = { "iptables", "ip6tables" };
	char out[8192];
	int i, found = 0;

	for (i = 0; i < 2; i++) {
		char *const argv[] = { (char *)tools[i], "-w", "-S", NULL };

		if (fw_run(argv, NULL, out, sizeof(out)) != 0)
			continue;
		if (strstr(out, FIREWALL_CHAIN_OUT) || strstr(out, FIREWALL_CHAIN_IN) ||
		    strstr(out, FIREWALL_CHAIN_FWD))
			found = 1;
	}
	{
		char *const argv[] = { "nft", "list", "table", "inet",
				       FIREWALL_NFT_TABLE, NULL };

		if (fw_run(argv, NULL, NULL, 0) == 0)
			found = 1;
	}
	return found;
}

const char *firewall_backend_name(enum firewall_backend b)
{
	switch (b) {
	case FIREWALL_NFT:
		return "nftables";
	case FIREWALL_IPTABLES:
		return "iptables";
	default:
		return "none";
	}
}
