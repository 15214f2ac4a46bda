/* test_attrib.c - the join without a kernel: audit events in, packets
 * looked up by destination (sock_diag absent), with simulated time. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "attrib.h"

/* Pids far above pid_max, so /proc never answers for them and the join
 * must use what the audit record says. */
#define FAKE_PID 40000000

struct fixture {
	struct pidcache *pc;
	struct attrib *a;
};

static int setup(void **state)
{
	static struct fixture fx;
	struct attrib_opts o = { .self = 1 };

	fx.pc = pidcache_new(NULL);
	fx.a = attrib_new(&o, NULL, fx.pc);
	assert_non_null(fx.pc);
	assert_non_null(fx.a);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	attrib_free(fx->a);
	pidcache_free(fx->pc);
	return 0;
}

/* A sendto(2) by pid running exe to ip:port, as aurec would deliver it. */
static void sendto_event(struct audit_event *ev, int pid, const char *exe,
			 const char *ip, uint16_t port, uint32_t uid)
{
	memset(ev, 0, sizeof(*ev));
	ev->has_syscall = true;
	ev->arch = AUREC_ARCH_X86_64;
	ev->syscall = 44;	/* sendto */
	ev->success = true;
	ev->exit = 1;
	ev->a[0] = 3;
	ev->pid = pid;
	ev->ppid = 1;
	ev->uid = ev->euid = uid;
	snprintf(ev->comm, sizeof(ev->comm), "tconnect");
	snprintf(ev->exe, sizeof(ev->exe), "%s", exe);
	ev->has_sockaddr = true;
	if (strchr(ip, ':')) {
		ev->family = AF_INET6;
		inet_pton(AF_INET6, ip, ev->addr);
	} else {
		ev->family = AF_INET;
		inet_pton(AF_INET, ip, ev->addr);
	}
	ev->port = port;
}

static struct flow udp_flow(const char *ip, uint16_t port)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.proto = 17;
	f.dport = port;
	f.sport = 40000;
	if (strchr(ip, ':')) {
		f.family = AF_INET6;
		inet_pton(AF_INET6, ip, f.dst);
	} else {
		f.family = AF_INET;
		inet_pton(AF_INET, ip, f.dst);
	}
	return f;
}

static void test_fire_and_forget_found_by_destination(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 1000 };
	struct flow f = udp_flow("127.0.0.1", 53);
	struct attrib_result r;
	struct audit_event ev;

	/* The packet arrives first; nothing is known yet: wait. */
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       1000, &r), 0);
	sendto_event(&ev, FAKE_PID, "/usr/bin/dig", "127.0.0.1", 53, 0);
	assert_int_equal(attrib_on_audit(fx->a, &ev, true, 1001), 1);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       1001, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID);
	assert_string_equal(r.proc->exe, "/usr/bin/dig");
	assert_string_equal(attrib_source_name(r.source), "audit-dst");
	assert_string_equal(attrib_confidence_name(r.confidence), "inferred");
}

static void test_stale_sender_is_never_used(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 5000 };
	struct flow f = udp_flow("::1", 8080);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 1, "/usr/bin/old", "::1", 8080, 0);
	assert_int_equal(attrib_on_audit(fx->a, &ev, true, 1000), 1);
	/* 4 s later a packet to the same place: not that old sender. */
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       5000, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL,
				       5050, &r), 1);
	assert_null(r.proc);
	assert_string_equal(attrib_source_name(r.source), "none");
}

static void test_different_executables_are_not_guessed(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 2000 };
	struct flow f = udp_flow("10.0.0.1", 9999);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 2, "/usr/bin/good", "10.0.0.1", 9999, 1000);
	attrib_on_audit(fx->a, &ev, true, 2001);
	sendto_event(&ev, FAKE_PID + 3, "/usr/bin/bad", "10.0.0.1", 9999, 1000);
	attrib_on_audit(fx->a, &ev, true, 2002);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 1000, &st, ATTRIB_AUDIT,
				       2002, &r), 1);
	assert_null(r.proc);
	assert_true(r.ambiguous);
	assert_string_equal(attrib_confidence_name(r.confidence), "none");
}

/* Two senders of one executable: which one sent is not guessed (the
 * pid, cmdline and user of the event would be a guess). */
static void test_same_executable_two_senders_are_not_guessed(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 3000 };
	struct flow f = udp_flow("10.0.0.2", 123);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 4, "/usr/sbin/ntpd", "10.0.0.2", 123, 0);
	attrib_on_audit(fx->a, &ev, true, 3000);
	sendto_event(&ev, FAKE_PID + 5, "/usr/sbin/ntpd", "10.0.0.2", 123, 0);
	attrib_on_audit(fx->a, &ev, true, 3001);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       3001, &r), 1);
	assert_null(r.proc);
	assert_true(r.ambiguous);
}

static void test_other_uid_does_not_match(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 4000 };
	struct flow f = udp_flow("10.0.0.3", 53);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 6, "/usr/bin/dig", "10.0.0.3", 53, 1000);
	attrib_on_audit(fx->a, &ev, true, 4000);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 1001, &st, ATTRIB_FINAL,
				       4001, &r), 1);
	assert_null(r.proc);
}

static void test_own_pid_events_are_ignored(void **state)
{
	struct fixture *fx = *state;
	struct audit_event ev;

	sendto_event(&ev, 1, "/usr/sbin/tattled", "10.0.0.4", 53, 0);
	assert_int_equal(attrib_on_audit(fx->a, &ev, true, 1), 0);
}

static void test_non_network_syscall_is_ignored(void **state)
{
	struct fixture *fx = *state;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 7, "/bin/cat", "10.0.0.5", 1, 0);
	ev.syscall = 0;	/* read */
	assert_int_equal(attrib_on_audit(fx->a, &ev, true, 1), 0);
}

/* The record's proctitle becomes the cmdline of a process already gone. */
static void test_exited_process_keeps_audit_facts(void **state)
{
	static const char title[] = "dig\0example.org";
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 7000 };
	struct flow f = udp_flow("10.0.0.6", 53);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 8, "/usr/bin/dig", "10.0.0.6", 53, 0);
	memcpy(ev.proctitle, title, sizeof(title) - 1);
	ev.proctitle_len = sizeof(title) - 1;
	snprintf(ev.cwd, sizeof(ev.cwd), "/home/u");
	attrib_on_audit(fx->a, &ev, true, 7000);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       7000, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->cmdline_len, sizeof(title) - 1);
	assert_memory_equal(r.proc->cmdline, title, sizeof(title) - 1);
	assert_string_equal(r.proc->cwd, "/home/u");
	assert_string_equal(r.proc->comm, "tconnect");
}

/* A send record read before the queue was last seen empty was emitted
 * before this packet was queued: an earlier send, never its own (the
 * sender's own record follows its packet).  The sender's record then
 * answers alone. */
static void test_record_before_empty_queue_is_not_the_packets(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 9000 };
	struct flow f = udp_flow("10.0.0.8", 53);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 9, "/usr/bin/procA", "10.0.0.8", 53, 0);
	attrib_on_audit(fx->a, &ev, true, 8990);
	attrib_queue_empty(fx->a);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       9000, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       9000, &r), 0);
	sendto_event(&ev, FAKE_PID + 10, "/usr/bin/procB", "10.0.0.8", 53, 0);
	attrib_on_audit(fx->a, &ev, true, 9001);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       9001, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 10);
}

/* Without that knowledge an earlier send counts: two programs, none. */
static void test_unordered_records_of_two_programs_are_ambiguous(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 9000 };
	struct flow f = udp_flow("10.0.0.9", 53);
	struct attrib_result r;
	struct audit_event ev;

	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       9000, &r), 0);
	sendto_event(&ev, FAKE_PID + 11, "/usr/bin/procA", "10.0.0.9", 53, 0);
	attrib_on_audit(fx->a, &ev, true, 9001);
	sendto_event(&ev, FAKE_PID + 12, "/usr/bin/procB", "10.0.0.9", 53, 0);
	attrib_on_audit(fx->a, &ev, true, 9001);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       9001, &r), 1);
	assert_null(r.proc);
	assert_true(r.ambiguous);
}

/* One record, one flow: the first sender's record, joined to its flow,
 * does not make the next sender's flow ambiguous. */
static void test_joined_record_is_used_up(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st1 = { .arrival_ms = 100 }, st2 = { .arrival_ms = 105 };
	struct flow f = udp_flow("10.0.1.1", 7);
	struct attrib_result r;
	struct audit_event ev;

	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st1, ATTRIB_FIRST,
				       100, &r), 0);
	sendto_event(&ev, FAKE_PID + 13, "/tmp/churn-a", "10.0.1.1", 7, 0);
	attrib_on_audit(fx->a, &ev, true, 101);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st1, ATTRIB_AUDIT,
				       101, &r), 1);
	assert_int_equal(r.proc->pid, FAKE_PID + 13);
	f.sport++;
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st2, ATTRIB_FIRST,
				       105, &r), 0);
	sendto_event(&ev, FAKE_PID + 14, "/tmp/churn-b", "10.0.1.1", 7, 0);
	attrib_on_audit(fx->a, &ev, true, 106);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st2, ATTRIB_AUDIT,
				       106, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 14);
}

/* The audit time of a record is its syscall's entry: one made after the
 * packet was read is a later syscall's. */
static void test_record_made_after_the_packet_is_not_its_own(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 200, .arrival_wall_ms = 5000 };
	struct flow f = udp_flow("10.0.1.2", 7);
	struct attrib_result r;
	struct audit_event ev;

	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       200, &r), 0);
	sendto_event(&ev, FAKE_PID + 15, "/tmp/churn-a", "10.0.1.2", 7, 0);
	ev.time_ms = 5004;
	attrib_on_audit(fx->a, &ev, true, 201);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       201, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL,
				       250, &r), 1);
	assert_null(r.proc);
	/* Made at the same millisecond: it may be. */
	st = (struct attrib_pkt){ .arrival_ms = 300, .arrival_wall_ms = 5100 };
	f.sport++;
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       300, &r), 0);
	sendto_event(&ev, FAKE_PID + 16, "/tmp/churn-b", "10.0.1.2", 7, 0);
	ev.time_ms = 5100;
	attrib_on_audit(fx->a, &ev, true, 301);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       301, &r), 1);
	assert_int_equal(r.proc->pid, FAKE_PID + 16);
}

/* A record made a window before the packet and delivered late belongs
 * to a flow long decided, not to this one. */
static void test_record_made_long_before_the_packet_is_not_its_own(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 500, .arrival_wall_ms = 10000 };
	struct flow f = udp_flow("10.0.1.9", 7);
	struct attrib_result r;
	struct audit_event ev;

	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       500, &r), 0);
	sendto_event(&ev, FAKE_PID + 24, "/tmp/churn-a", "10.0.1.9", 7, 0);
	ev.time_ms = 9900;
	attrib_on_audit(fx->a, &ev, true, 501);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       501, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL,
				       550, &r), 1);
	assert_null(r.proc);
}

/* Two flows to one place wait; one record comes: it could be either's. */
static void test_record_two_waiting_flows_could_own_names_neither(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st1 = { .arrival_ms = 400 }, st2 = { .arrival_ms = 400 };
	struct flow f1 = udp_flow("10.0.1.3", 7), f2 = f1;
	struct attrib_result r;
	struct audit_event ev;

	f2.sport++;
	assert_int_equal(attrib_lookup(fx->a, &f1, true, 0, &st1, ATTRIB_FIRST,
				       400, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f2, true, 0, &st2, ATTRIB_FIRST,
				       400, &r), 0);
	sendto_event(&ev, FAKE_PID + 17, "/tmp/churn-a", "10.0.1.3", 7, 0);
	attrib_on_audit(fx->a, &ev, true, 401);
	assert_int_equal(attrib_lookup(fx->a, &f1, true, 0, &st1, ATTRIB_AUDIT,
				       401, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f1, true, 0, &st1, ATTRIB_FINAL,
				       450, &r), 1);
	assert_null(r.proc);
	assert_int_equal(attrib_lookup(fx->a, &f2, true, 0, &st2, ATTRIB_FINAL,
				       450, &r), 1);
	assert_null(r.proc);
}

/* Two serial UDP senders whose connect records both came after both
 * packets (audit lagging): the second record was made after the first
 * packet was read, so the first packet can own only the first record,
 * and the second packet, which waits meanwhile instead of calling the
 * two candidates ambiguous, then gets the second. */
static void test_forced_records_sort_out_two_waiting_flows(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st1 = { .arrival_ms = 100, .arrival_wall_ms = 1000 };
	struct attrib_pkt st2 = { .arrival_ms = 105, .arrival_wall_ms = 1005 };
	struct flow f1 = udp_flow("10.0.1.7", 7), f2 = f1;
	struct attrib_result r;
	struct audit_event ev;

	f2.sport++;
	assert_int_equal(attrib_lookup(fx->a, &f1, true, 0, &st1, ATTRIB_FIRST,
				       100, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f2, true, 0, &st2, ATTRIB_FIRST,
				       105, &r), 0);
	sendto_event(&ev, FAKE_PID + 21, "/tmp/churn-a", "10.0.1.7", 7, 0);
	ev.syscall = 42;	/* connect */
	ev.exit = 0;
	ev.time_ms = 996;
	attrib_on_audit(fx->a, &ev, true, 106);
	sendto_event(&ev, FAKE_PID + 22, "/tmp/churn-b", "10.0.1.7", 7, 0);
	ev.syscall = 42;
	ev.exit = 0;
	ev.time_ms = 1004;
	attrib_on_audit(fx->a, &ev, true, 107);
	assert_int_equal(attrib_lookup(fx->a, &f2, true, 0, &st2, ATTRIB_AUDIT,
				       107, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f1, true, 0, &st1, ATTRIB_AUDIT,
				       107, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 21);
	assert_int_equal(attrib_lookup(fx->a, &f2, true, 0, &st2, ATTRIB_AUDIT,
				       107, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 22);
}

/* A TCP socket's connect record is not a UDP datagram's: the socket()
 * record says which kind each fd is. */
static void test_tcp_connect_is_not_a_udp_flows_record(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 900 };
	struct flow f = udp_flow("10.0.1.8", 8080);
	struct attrib_result r;
	struct audit_event ev;

	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       900, &r), 0);
	sendto_event(&ev, FAKE_PID + 23, "/tmp/tcp-client", "10.0.1.8", 8080, 0);
	ev.syscall = 41;	/* socket(AF_INET, SOCK_STREAM, 0) = 3 */
	ev.a[0] = AF_INET;
	ev.a[1] = SOCK_STREAM | SOCK_CLOEXEC;
	ev.a[2] = 0;
	ev.exit = 3;
	ev.has_sockaddr = false;
	attrib_on_audit(fx->a, &ev, false, 901);
	sendto_event(&ev, FAKE_PID + 23, "/tmp/tcp-client", "10.0.1.8", 8080, 0);
	ev.syscall = 42;	/* connect(3, ...) */
	ev.exit = 0;
	attrib_on_audit(fx->a, &ev, true, 902);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       902, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL,
				       950, &r), 1);
	assert_null(r.proc);
	/* The same record for a TCP flow names its process. */
	f.proto = 6;
	st = (struct attrib_pkt){ .arrival_ms = 903 };
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL,
				       950, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 23);
}

/* After audit loss any flow's record may be missing: nobody is named
 * from destinations for a while. */
static void test_audit_loss_withholds_destination_answers(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 600 };
	struct flow f = udp_flow("10.0.1.4", 7);
	struct attrib_result r;
	struct audit_event ev;

	attrib_audit_loss(fx->a, 3, 590);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       600, &r), 0);
	sendto_event(&ev, FAKE_PID + 18, "/tmp/churn-a", "10.0.1.4", 7, 0);
	attrib_on_audit(fx->a, &ev, true, 601);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       601, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL,
				       650, &r), 1);
	assert_null(r.proc);
}

/* A UDP socket's connect() record comes before its datagram: read just
 * before the packet, it answers without waiting for the wait to end. */
static void test_fresh_udp_connect_answers_for_its_datagram(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 701 };
	struct flow f = udp_flow("10.0.1.5", 7);
	struct attrib_result r;
	struct audit_event ev;

	sendto_event(&ev, FAKE_PID + 19, "/tmp/churn-a", "10.0.1.5", 7, 0);
	ev.syscall = 42;	/* connect */
	ev.exit = 0;
	attrib_on_audit(fx->a, &ev, true, 700);
	attrib_queue_empty(fx->a);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       701, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       701, &r), 1);
	assert_int_equal(r.proc->pid, FAKE_PID + 19);
	/* The same for TCP is an earlier connect (its own follows the SYN). */
	attrib_on_audit(fx->a, &ev, true, 800);
	attrib_queue_empty(fx->a);
	f.proto = 6;
	st = (struct attrib_pkt){ .arrival_ms = 801 };
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST,
				       801, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_AUDIT,
				       801, &r), 0);
}

/* Issue 14 item 8: an exec is a new identity, even of the same file: a
 * socket mapped to the process before the exec does not name it after. */
static void test_exec_drops_socket_mappings(void **state)
{
	struct fixture *fx = *state;
	struct proc_info pi = { .pid = FAKE_PID + 20, .ppid = 1 };
	const struct proc_info *out;
	struct audit_event ev;

	pi.exe = (char *)"/tmp/m";
	assert_int_equal(pidcache_put(fx->pc, &pi, 100), 0);
	assert_int_equal(pidcache_put_inode(fx->pc, 777, FAKE_PID + 20, 0, 100), 0);
	assert_int_equal(pidcache_by_inode(fx->pc, 777, 100, &out), 0);
	sendto_event(&ev, FAKE_PID + 20, "/tmp/m", "10.0.1.6", 7, 0);
	ev.syscall = 59;	/* execve */
	ev.exit = 0;
	ev.has_sockaddr = false;
	attrib_on_audit(fx->a, &ev, false, 101);
	assert_int_equal(pidcache_by_inode(fx->pc, 777, 101, &out), -ENOENT);
}

/* Issue 14 item 10: process.parent.path names the parent only when it
 * started no later than the child (else its pid was reused after the
 * parent died) and its executable was verified. */
static void test_parent_exe_needs_an_older_verified_parent(void **state)
{
	struct fixture *fx = *state;
	struct proc_info parent = { .pid = FAKE_PID + 30, .ppid = 1,
				    .start_time = 500, .verified = true };
	struct proc_info child = { .pid = FAKE_PID + 31,
				   .ppid = FAKE_PID + 30, .start_time = 600 };
	char buf[256];
	const char *v;

	parent.exe = (char *)"/usr/sbin/sshd";
	assert_int_equal(pidcache_put(fx->pc, &parent, 100), 0);
	v = attrib_parent_exe(fx->a, &child, 100, buf, sizeof(buf));
	assert_non_null(v);
	assert_string_equal(v, "/usr/sbin/sshd");
	/* A child older than the process now under its ppid: reused pid. */
	child.start_time = 400;
	assert_null(attrib_parent_exe(fx->a, &child, 100, buf, sizeof(buf)));
	/* Start time of the child unknown (known only from audit): unproven. */
	child.start_time = 0;
	assert_null(attrib_parent_exe(fx->a, &child, 100, buf, sizeof(buf)));
	/* An unverified parent executable names nothing. */
	child.start_time = 600;
	parent.verified = false;
	parent.start_time = 500;
	assert_int_equal(pidcache_put(fx->pc, &parent, 101), 0);
	assert_null(attrib_parent_exe(fx->a, &child, 101, buf, sizeof(buf)));
}

static void test_icmp_without_ports_waits_then_none(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st = { .arrival_ms = 1 };
	struct flow f = udp_flow("10.0.0.7", 0);
	struct attrib_result r;

	f.proto = 1;
	f.flags = FLOW_F_NO_L4;
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FIRST, 1, &r), 0);
	assert_int_equal(attrib_lookup(fx->a, &f, true, 0, &st, ATTRIB_FINAL, 60, &r), 1);
	assert_string_equal(attrib_source_name(r.source), "none");
}

/* One sender's socket() at serial sock, then sendto (or, connect: a
 * connect) to ip:7 at serial sock + gap, both made at audit time 1000. */
static void feed_sender(struct attrib *a, int pid, const char *exe,
			const char *ip, uint32_t sock, uint32_t gap,
			bool connect, uint64_t now_ms)
{
	struct audit_event ev;

	sendto_event(&ev, pid, exe, ip, 7, 0);
	ev.syscall = 41;	/* socket(AF_INET, SOCK_DGRAM, 0) = 3 */
	ev.a[0] = AF_INET;
	ev.a[1] = SOCK_DGRAM;
	ev.a[2] = 0;
	ev.exit = 3;
	ev.has_sockaddr = false;
	ev.serial = sock;
	ev.time_ms = 1000;
	attrib_on_audit(a, &ev, false, now_ms);
	if (gap == 0)
		return;
	sendto_event(&ev, pid, exe, ip, 7, 0);
	if (connect) {
		ev.syscall = 42;
		ev.exit = 0;
	}
	ev.serial = sock + gap;
	ev.time_ms = 1000;
	attrib_on_audit(a, &ev, true, now_ms);
}

/* n flows to ip:7 read in one wakeup (wall 1000 ms) and left waiting. */
static void wait_flows(struct attrib *a, const char *ip, struct flow *f,
		       struct attrib_pkt *st, size_t n)
{
	struct attrib_result r;
	size_t i;

	for (i = 0; i < n; i++) {
		f[i] = udp_flow(ip, 7);
		f[i].sport = (uint16_t)(40000 + i);
		st[i] = (struct attrib_pkt){ .arrival_ms = 100,
					     .arrival_wall_ms = 1000 };
		assert_int_equal(attrib_lookup(a, &f[i], true, 0, &st[i],
					       ATTRIB_FIRST, 100, &r), 0);
	}
}

/* Serial senders (each socket() after the previous send returned) whose
 * packets and records came together in one audit tick: the records are
 * in queue order, so the first flow is the first sender's. */
static void test_serial_senders_are_named_in_record_order(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st[2];
	struct flow f[2];
	struct attrib_result r;

	wait_flows(fx->a, "10.0.2.1", f, st, 2);
	feed_sender(fx->a, FAKE_PID + 31, "/tmp/churn-a", "10.0.2.1", 10, 1, false, 101);
	feed_sender(fx->a, FAKE_PID + 32, "/tmp/churn-b", "10.0.2.1", 12, 1, false, 101);
	assert_int_equal(attrib_lookup(fx->a, &f[0], true, 0, &st[0], ATTRIB_FINAL,
				       150, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 31);
	assert_int_equal(attrib_lookup(fx->a, &f[1], true, 0, &st[1], ATTRIB_FINAL,
				       150, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 32);
}

/* The later flow may reach its final look first: it still gets the
 * later record. */
static void test_record_order_holds_whichever_flow_looks_first(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st[2];
	struct flow f[2];
	struct attrib_result r;

	wait_flows(fx->a, "10.0.2.2", f, st, 2);
	feed_sender(fx->a, FAKE_PID + 33, "/tmp/churn-a", "10.0.2.2", 10, 1, false, 101);
	feed_sender(fx->a, FAKE_PID + 34, "/tmp/churn-b", "10.0.2.2", 12, 1, false, 101);
	assert_int_equal(attrib_lookup(fx->a, &f[1], true, 0, &st[1], ATTRIB_FINAL,
				       150, &r), 1);
	assert_non_null(r.proc);
	assert_int_equal(r.proc->pid, FAKE_PID + 34);
}

/* A burst: the second sender made its socket before the first one's
 * send returned, so their packets may be in either order: none. */
static void test_overlapping_senders_are_not_ordered(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st[2];
	struct flow f[2];
	struct attrib_result r;

	wait_flows(fx->a, "10.0.2.3", f, st, 2);
	feed_sender(fx->a, FAKE_PID + 35, "/tmp/churn-a", "10.0.2.3", 10, 2, false, 101);
	feed_sender(fx->a, FAKE_PID + 36, "/tmp/churn-b", "10.0.2.3", 11, 2, false, 101);
	assert_int_equal(attrib_lookup(fx->a, &f[0], true, 0, &st[0], ATTRIB_FINAL,
				       150, &r), 1);
	assert_null(r.proc);
	assert_true(r.ambiguous);
	assert_int_equal(attrib_lookup(fx->a, &f[1], true, 0, &st[1], ATTRIB_FINAL,
				       150, &r), 1);
	assert_null(r.proc);
}

/* A UDP connect returns before its datagram is sent: its serial says
 * nothing about the packet's place in the queue. */
static void test_udp_connect_records_are_not_ordered(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st[2];
	struct flow f[2];
	struct attrib_result r;

	wait_flows(fx->a, "10.0.2.4", f, st, 2);
	feed_sender(fx->a, FAKE_PID + 37, "/tmp/churn-a", "10.0.2.4", 10, 1, true, 101);
	feed_sender(fx->a, FAKE_PID + 38, "/tmp/churn-b", "10.0.2.4", 12, 1, true, 101);
	assert_int_equal(attrib_lookup(fx->a, &f[0], true, 0, &st[0], ATTRIB_FINAL,
				       150, &r), 1);
	assert_null(r.proc);
}

/* Three ordered records but two waiting flows: one record's packet is
 * not among them, so which is which is unknown. */
static void test_record_order_needs_one_flow_per_record(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st[2];
	struct flow f[2];
	struct attrib_result r;

	wait_flows(fx->a, "10.0.2.5", f, st, 2);
	feed_sender(fx->a, FAKE_PID + 39, "/tmp/churn-a", "10.0.2.5", 10, 1, false, 101);
	feed_sender(fx->a, FAKE_PID + 40, "/tmp/churn-b", "10.0.2.5", 12, 1, false, 101);
	feed_sender(fx->a, FAKE_PID + 41, "/tmp/churn-a", "10.0.2.5", 14, 1, false, 101);
	assert_int_equal(attrib_lookup(fx->a, &f[0], true, 0, &st[0], ATTRIB_FINAL,
				       150, &r), 1);
	assert_null(r.proc);
}

/* A send whose socket() record was never read: its place is unknown. */
static void test_record_without_its_socket_is_not_ordered(void **state)
{
	struct fixture *fx = *state;
	struct attrib_pkt st[2];
	struct flow f[2];
	struct attrib_result r;
	struct audit_event ev;

	wait_flows(fx->a, "10.0.2.6", f, st, 2);
	feed_sender(fx->a, FAKE_PID + 42, "/tmp/churn-a", "10.0.2.6", 10, 1, false, 101);
	sendto_event(&ev, FAKE_PID + 43, "/tmp/churn-b", "10.0.2.6", 7, 0);
	ev.serial = 13;
	ev.time_ms = 1000;
	attrib_on_audit(fx->a, &ev, true, 101);
	assert_int_equal(attrib_lookup(fx->a, &f[0], true, 0, &st[0], ATTRIB_FINAL,
				       150, &r), 1);
	assert_null(r.proc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fire_and_forget_found_by_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_sender_is_never_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_different_executables_are_not_guessed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_executable_two_senders_are_not_guessed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_uid_does_not_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_pid_events_are_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_network_syscall_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exited_process_keeps_audit_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_before_empty_queue_is_not_the_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unordered_records_of_two_programs_are_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_joined_record_is_used_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_made_after_the_packet_is_not_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_made_long_before_the_packet_is_not_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_two_waiting_flows_could_own_names_neither, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_records_sort_out_two_waiting_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_connect_is_not_a_udp_flows_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_loss_withholds_destination_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_udp_connect_answers_for_its_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_drops_socket_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_exe_needs_an_older_verified_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_without_ports_waits_then_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_senders_are_named_in_record_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_order_holds_whichever_flow_looks_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_senders_are_not_ordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_connect_records_are_not_ordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_order_needs_one_flow_per_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_without_its_socket_is_not_ordered, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
