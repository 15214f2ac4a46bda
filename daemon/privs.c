/* privs.c - see privs.h.  Raw capget/capset and prctl, so no libcap: the
 * whole job is a handful of syscalls on 64-bit masks. */
#include "privs.h"

#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PRIVS_MAX_CAP	63	/* masks are 64 bits; the kernel has ~41 */

#define BIT(c)		(UINT64_C(1) << (c))

/* Names as capabilities(7) and /proc/PID/status tools print them. */
static const char *const cap_names[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner",
	"cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap",
	"cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
	"cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace",
	"cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod",
	"cap_lease", "cap_audit_write", "cap_audit_control", "cap_setfcap",
	"cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore",
};

uint64_t privs_keep_mask(const struct privs_opts *o)
{
	uint64_t m = BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_PTRACE) |
		     BIT(CAP_DAC_READ_SEARCH);

	if (o->audit)
		m |= BIT(CAP_AUDIT_CONTROL);
	if (o->firewall)
		m |= BIT(CAP_NET_RAW);
	return m;
}

int privs_format(uint64_t mask, char *buf, size_t len)
{
	size_t used = 0;
	unsigned c;
	int n;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (c = 0; c <= PRIVS_MAX_CAP; c++) {
		if (!(mask & BIT(c)))
			continue;
		if (c < sizeof(cap_names) / sizeof(cap_names[0]))
			n = snprintf(buf + used, len - used, "%s%s",
				     used ? "," : "", cap_names[c]);
		else
			n = snprintf(buf + used, len - used, "%scap_%u",
				     used ? "," : "", c);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return (int)used;
}

static int caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	*inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static int caps_set(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	d[0].inheritable = (uint32_t)inh;
	d[1].inheritable = (uint32_t)(inh >> 32);
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int privs_get(struct privs_state *out)
{
	unsigned c;
	int r, v;

	memset(out, 0, sizeof(*out));
	if ((r = caps_get(&out->effective, &out->permitted, &out->inheritable)) < 0)
		return r;
	/* Both reads stop at the first capability this kernel lacks. */
	for (c = 0; c <= PRIVS_MAX_CAP; c++) {
		if ((v = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) < 0)
			break;
		if (v)
			out->bounding |= BIT(c);
	}
	for (c = 0; c <= PRIVS_MAX_CAP; c++) {
		if ((v = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0)) < 0)
			break;
		if (v)
			out->ambient |= BIT(c);
	}
	v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	out->no_new_privs = v > 0;
	return 0;
}

/* Capabilities are per thread: a thread started before the drop keeps
 * the full set, and since threads share memory that is the process's set
 * too.  An unreadable /proc (not mounted yet) cannot prove it either
 * way; tattled cannot run without /proc, so that is not refused here. */
static int single_threaded(void)
{
	struct dirent *de;
	DIR *dir = opendir("/proc/self/task");
	int n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n > 1 ? -EBUSY : 0;
}

/* The bounding set bounds what an exec'd program can get back: uid 0
 * regains (bounding & permitted) on exec.  Dropping from it needs
 * CAP_SETPCAP; without it no_new_privs still caps an exec at our
 * permitted set, so that is not an error.  CAP_SETPCAP goes last. */
static int drop_bounding(uint64_t keep, uint64_t eff)
{
	unsigned c;
	int v;

	if (!(eff & BIT(CAP_SETPCAP)))
		return 0;
	for (c = 0; c <= PRIVS_MAX_CAP; c++) {
		if (c == CAP_SETPCAP || (keep & BIT(c)))
			continue;
		if ((v = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) < 0)
			break;
		if (v && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -errno;
	}
	if (!(keep & BIT(CAP_SETPCAP)) &&
	    prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int privs_drop(const struct privs_opts *o)
{
	uint64_t keep = privs_keep_mask(o), eff, prm, inh;
	int r;

	if ((r = single_threaded()) < 0)
		goto out;
	if ((r = caps_get(&eff, &prm, &inh)) < 0)
		goto out;
	if ((r = drop_bounding(keep, eff)) < 0)
		goto out;
	/* Ambient caps would survive an exec even without uid 0. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL) {
		r = -errno;
		goto out;
	}
	if ((r = caps_set(prm & keep, prm & keep, 0)) < 0)
		goto out;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
out:
	return r;
}
