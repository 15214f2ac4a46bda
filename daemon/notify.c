/* notify.c - see notify.h.  Written against sd_notify(3) and systemd's
 * own notify_socket parsing: a message is a single datagram, credentials
 * are attached by the kernel (the manager sets SO_PASSCRED), and a failed
 * notification never stops the daemon, so callers may ignore the result. */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *salen)
{
	size_t len;

	memset(sa, 0, sizeof(*sa));
	*salen = 0;
	if (!value || !value[0])
		return -EINVAL;
	if (!strncmp(value, "vsock:", 6))
		return -EAFNOSUPPORT;
	if (value[0] != '/' && value[0] != '@')
		return -EINVAL;
	len = strlen(value);
	if (len < 2)
		return -EINVAL;	/* "/" or an empty abstract name */
	/* A path needs its NUL inside sun_path; an abstract name has none. */
	if (len > sizeof(sa->sun_path) - (value[0] == '/'))
		return -ENAMETOOLONG;
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, value, len);
	if (value[0] == '@')
		sa->sun_path[0] = '\0';
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			     (value[0] == '/'));
	return 0;
}

int notify_send_to(const char *value, const char *state)
{
	struct sockaddr_un sa;
	socklen_t salen;
	ssize_t n;
	int fd = -1, r;

	if ((r = notify_addr(value, &sa, &salen)) < 0)
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (const struct sockaddr *)&sa, salen);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != strlen(state))
		r = -EMSGSIZE;	/* a datagram is all or nothing; be safe */
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int notify_send(const char *state)
{
	const char *v = getenv("NOTIFY_SOCKET");

	if (!v)
		return 0;
	return notify_send_to(v, state);
}

int notify_ready(const char *fmt, ...)
{
	char status[NOTIFY_MAX / 2], msg[NOTIFY_MAX];
	va_list ap;
	char *nl;

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	/* A newline would start a new assignment systemd would act on. */
	while ((nl = strchr(status, '\n')))
		*nl = ' ';
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s\nMAINPID=%ld", status,
		 (long)getpid());
	return notify_send(msg);
}

int notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

/* A positive decimal number that fits in 64 bits, nothing else. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	*out = 0;
	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (!v)
		return -EINVAL;
	*out = v;
	return 0;
}

int notify_watchdog_parse(const char *usec, const char *pid, pid_t self,
			  uint64_t *every_ms)
{
	uint64_t us, p;
	int r;

	*every_ms = 0;
	if (!usec)
		return 0;
	if ((r = parse_u64(usec, &us)) < 0)
		return r;
	if (pid) {
		if ((r = parse_u64(pid, &p)) < 0)
			return r;
		if (p != (uint64_t)self)
			return 0;
	}
	*every_ms = us / 2000u ? us / 2000u : 1;
	return 0;
}

int notify_watchdog(void)
{
	return notify_send("WATCHDOG=1");
}
