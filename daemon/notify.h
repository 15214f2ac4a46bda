/* notify.h - the systemd readiness protocol (sd_notify(3)) without
 * libsystemd: one datagram of "KEY=VALUE\n" lines on the AF_UNIX socket
 * named by $NOTIFY_SOCKET.  Outside a Type=notify service the variable is
 * unset and every call is a no-op. */
#ifndef TATTLE_NOTIFY_H
#define TATTLE_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#define NOTIFY_MAX	1024	/* one message; ours are a few lines */

/* Fill *sa and *salen from a $NOTIFY_SOCKET value: an absolute path, or
 * "@name" for the abstract namespace (the '@' becomes the leading NUL).
 * 0; -EINVAL for an empty or relative value, or a bare "/" or "@";
 * -EAFNOSUPPORT for "vsock:..." (systemd >= 254 knows it, we do not);
 * -ENAMETOOLONG when it does not fit sun_path. */
int notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *salen);

/* Send state (e.g. "STOPPING=1", several lines allowed) to the socket
 * named by value.  0 on success; -errno from socket/sendto or
 * notify_addr(). */
int notify_send_to(const char *value, const char *state);

/* notify_send_to($NOTIFY_SOCKET, state).  0, also when the variable is
 * unset (not started by systemd); -errno otherwise. */
int notify_send(const char *state);

/* "READY=1\nSTATUS=<fmt...>\nMAINPID=<getpid()>": setup is done and the
 * daemon is filtering.  A STATUS longer than fits is cut, not refused. */
int notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "STOPPING=1": teardown has begun (chains and audit rules are going). */
int notify_stopping(void);

/* How often to send WATCHDOG=1, from the values of $WATCHDOG_USEC and
 * $WATCHDOG_PID (either may be NULL) as sd_watchdog_enabled(3) reads
 * them: half the interval the manager allows, so one late tick is not
 * yet a restart.  0 and *every_ms (at least 1) when the watchdog is on
 * for self; 0 and *every_ms = 0 when it is off (usec unset, or pid names
 * another process: a child inherited the variables); -EINVAL for a value
 * that is not a positive decimal number (the watchdog is then off). */
int notify_watchdog_parse(const char *usec, const char *pid, pid_t self,
			  uint64_t *every_ms);

/* "WATCHDOG=1": the loop is turning.  Send it only from the loop. */
int notify_watchdog(void);

#endif
