/* rfc5424.h - one event as an RFC 5424 syslog message.  No I/O: the caller
 * passes the time and the fields, and gets the bytes of one datagram.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG
 *
 * STRUCTURED-DATA is always "-" (the event carries its data as JSON).  MSG
 * is the event JSON as is, without a "@cee:" cookie and without a BOM: a
 * collector reads the message body as JSON (rsyslog: mmjsonparse with
 * cookie="", or %msg% straight to a file).  See docs/FLEET.md. */
#ifndef TATTLE_RFC5424_H
#define TATTLE_RFC5424_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Field limits from RFC 5424 section 6 (ABNF). */
#define RFC5424_HOSTNAME_MAX	255
#define RFC5424_APPNAME_MAX	48
#define RFC5424_PROCID_MAX	128
#define RFC5424_MSGID_MAX	32
#define RFC5424_FACILITY_MAX	23
#define RFC5424_SEVERITY_MAX	7
/* Longest header this module writes: PRI, version, timestamp with
 * microseconds and every field at its limit, separators. */
#define RFC5424_HEADER_MAX	(5 + 2 + 28 + 1 + RFC5424_HOSTNAME_MAX + 1 + \
				 RFC5424_APPNAME_MAX + 1 + RFC5424_PROCID_MAX + \
				 1 + RFC5424_MSGID_MAX + 3)

#define RFC5424_FAC_DAEMON	3
#define RFC5424_SEV_WARNING	4
#define RFC5424_SEV_NOTICE	5
#define RFC5424_SEV_INFO	6

struct rfc5424_hdr {
	unsigned facility;		/* 0..23 */
	unsigned severity;		/* 0..7 */
	const struct timespec *ts;	/* CLOCK_REALTIME; NULL -> "-" */
	const char *hostname;		/* NULL or "" -> "-" */
	const char *app_name;		/* NULL or "" -> "-" */
	long procid;			/* <= 0 -> "-" */
	const char *msgid;		/* NULL or "" -> "-" */
};

/* Write the message for msg (msg_len bytes; one trailing '\n' is dropped)
 * into buf.  Header fields keep only printable US-ASCII (33..126, each
 * other byte becomes '_') and are cut at their RFC limits; MSG bytes are
 * copied unchanged.  Returns the message length (no NUL is written or
 * counted), -EINVAL for a facility or severity out of range, -ENOSPC when
 * cap is too small. */
int rfc5424_format(const struct rfc5424_hdr *h, const char *msg,
		   size_t msg_len, char *buf, size_t cap);

#endif
