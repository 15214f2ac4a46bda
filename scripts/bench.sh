#!/bin/sh
# bench.sh - `make bench`: tattled against the NFQUEUE floor and OpenSnitch.
# Method and how to read the tables: docs/BENCH.md.  Writes
# docs/bench-latest.md (BENCH_OUT) and prints the same tables.
#
# Modes `tattled` (eBPF attribution where the kernel allows it) and
# `tattled-nobpf` (--no-bpf: audit and /proc) run side by side.  After the
# rounds, section 6 measures what tattled costs every other process with
# no queue at all (--no-firewall): a loopback connect loop and an
# unconnected UDP sendto loop, bare / tattled with eBPF / tattled with
# --no-bpf (audit rules), alternated, plus the eBPF programs' own run time
# per call from the kernel's BPF statistics.
#
# Every mode run gets a fresh network namespace with the target server, the
# mode's rules and daemon, and the load generator, all on loopback inside
# it; nothing is installed in the host namespace.  Modes run alternately
# (none floor tattled opensnitch, none floor ...) for BENCH_ROUNDS rounds
# and the tables show medians over rounds.
#
# Environment:
#   BENCH_QUICK=1      about 2 minutes: smaller counts, shorter runs
#   BENCH_ROUNDS=N     rounds (default 5, quick 3; at least 3 for medians)
#   BENCH_MODES="..."  subset of: none floor tattled tattled-nobpf opensnitch
#   BENCH_COST=0       skip section 6 (cost on other processes)
#   BENCH_OUT=FILE     results file (default docs/bench-latest.md)
#   BENCH_KEEP=1       keep the scratch directory (logs, event files)
#   TATTLED=PATH       daemon under test (default build/tattled)
#   TATTLED_BASE=PATH  a second build to compare with (e.g. main's): adds
#                      mode tattled-base (eBPF) after tattled, and
#                      cost-base to section 6, run alternately with the rest
#   BENCH_NO_INSTALL=1 do not try to apt-get install opensnitch
#   BENCH_PIN=same     pin the daemon, loadgen and tserver to CPU 0
#   BENCH_PIN=split    pin the daemon to CPU 1, loadgen and tserver to CPU 0
#                      (default: the scheduler places them, as for users;
#                      on a small VM that placement decides workload 1,
#                      see docs/BENCH.md)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TATTLED=${TATTLED:-$ROOT/build/tattled}
TATTLED_BASE=${TATTLED_BASE:-}
LOADGEN=$ROOT/build/bench/loadgen
FLOOR=$ROOT/build/bench/floor
AUDITSTAT=$ROOT/build/bench/bench_auditstat
TSERVER=$ROOT/build/tools/tserver
QUICK=${BENCH_QUICK:-0}
MODES=${BENCH_MODES:-none floor tattled${TATTLED_BASE:+ tattled-base} tattled-nobpf opensnitch}
COST_MODES="cost-bare cost-bpf${TATTLED_BASE:+ cost-base} cost-audit"
BPFSTATS=$ROOT/build/bench/bench_bpfstats
OUT=${BENCH_OUT:-$ROOT/docs/bench-latest.md}
ADDR=127.0.0.1
PORT=9000
QUEUE=7
OWN_MARK=0x7a77		# FIREWALL_OWN_MARK in daemon/firewall.h
AUDIT_KEY="tattle-bench-$$"
PIN=${BENCH_PIN:-}
# Command prefixes, split into words on purpose: empty when not pinned.
case $PIN in
"") PIN_D="" PIN_C="" ;;
same) PIN_D="taskset -c 0" PIN_C="taskset -c 0" ;;
split) PIN_D="taskset -c 1" PIN_C="taskset -c 0" ;;
*) echo "bench: BENCH_PIN must be same or split" >&2; exit 2 ;;
esac

if [ "$QUICK" = 1 ]; then
	W1_N=500 W2_MS=1000 W3_IDLE=10000 W3_MS=1000 W4_N=200 W5_N=500
	WARM_N=100 ROUNDS=${BENCH_ROUNDS:-3} W6_N=2000 W6_U=100000
else
	W1_N=3000 W2_MS=4000 W3_IDLE=10000 W3_MS=4000 W4_N=1000 W5_N=2000
	WARM_N=300 ROUNDS=${BENCH_ROUNDS:-5} W6_N=5000 W6_U=300000
fi
W2_P=4 W4_J=4

TMP=""
NS=""
DPID=""		# the mode's daemon (floor, tattled, opensnitchd)
DKIND=""
SPID=""		# tserver
HPID=""		# loadgen hold
AUDIT_BEFORE=""
AUDIT_DIRTY=0	# a tattled of ours was killed: put audit back at exit

# Other tattled or auditd processes on the machine: audit rules are
# host-wide, so theirs tax every connect of ours.  Noted in the results.
note_others() {
	for p in $(pgrep -x tattled; pgrep -x auditd); do
		[ "$p" = "$DPID" ] && continue
		printf '%s %s\n' "$p" "$(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-120)"
	done >>"$TMP/others"
}

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Stop a process we started: SIGTERM, wait up to $2 tenths of a second,
# then SIGKILL.  Its exit status goes in STOP_RC.  Never call this in a
# subshell: only the shell that started a process can wait for it.
stop_pid() {
	pid=$1 tenths=${2:-50} st=""
	STOP_RC=""
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	i=0
	while [ $i -lt "$tenths" ] && kill -0 "$pid" 2>/dev/null; do
		# A zombie is gone as far as the kernel is concerned.
		st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/"$pid"/status 2>/dev/null)
		[ "$st" = Z ] && break
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null && [ "$st" != Z ]; then
		log "pid $pid did not stop on SIGTERM; SIGKILL"
		kill -KILL "$pid" 2>/dev/null
		# A killed tattled cannot restore the audit state it changed.
		[ "$pid" = "$DPID" ] && case $DKIND in tattled*|cost-bpf|cost-base|cost-audit) AUDIT_DIRTY=1 ;; esac
	fi
	wait "$pid" 2>/dev/null
	STOP_RC=$?
}

teardown_run() {
	[ -n "$HPID" ] && stop_pid "$HPID" 50
	HPID=""
	[ -n "$TMP" ] && note_others
	[ -n "$DPID" ] && stop_pid "$DPID" 150
	DPID=""
	DKIND=""
	[ -n "$SPID" ] && stop_pid "$SPID" 20
	SPID=""
	if [ -n "$NS" ]; then
		for p in $(ip netns pids "$NS" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$NS" 2>/dev/null
	fi
	NS=""
}

# A tattled that had to be killed left its audit rules (our key) behind.
# A fresh one with the same key deletes them at start (stale rules by key)
# and its own at a clean exit.
audit_rules_cleanup() {
	[ "$AUDIT_DIRTY" = 1 ] && [ -n "$TMP" ] || return 0
	log "removing the audit rules of a killed tattled (key $AUDIT_KEY)"
	RUN=$TMP
	NS="tb-$$-auditclean"
	ip netns add "$NS" || return 0
	"$TATTLED" --netns "/run/netns/$NS" --queue "$QUEUE" --socket "" \
		--no-firewall --audit-key "$AUDIT_KEY" 2>"$TMP/auditclean.err" &
	DPID=$!
	DKIND=tattled-cleanup
	wait_for "$TMP/auditclean.err" '^tattled .*: queue' 100 ||
		log "cleanup tattled did not start"
	teardown_run
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	teardown_run
	audit_rules_cleanup
	audit_check_restore
	if [ -n "$TMP" ]; then
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			log "scratch kept in $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
	exit "$rc"
}

# Audit hygiene: tattled restores the audit state it changed on a clean
# exit.  If one of ours had to be killed, put back what we saw at start;
# otherwise only report a difference (another tattled may own it now).
audit_check_restore() {
	if [ -z "$AUDIT_BEFORE" ] || [ ! -x "$AUDITSTAT" ]; then
		return 0
	fi
	now=$("$AUDITSTAT" get 2>/dev/null) || return 0
	[ "$now" = "$AUDIT_BEFORE" ] && return 0
	if [ "$AUDIT_DIRTY" = 1 ]; then
		log "audit state (enabled backlog) $AUDIT_BEFORE -> $now; restoring"
		# shellcheck disable=SC2086
		"$AUDITSTAT" set $AUDIT_BEFORE || log "could not restore audit state"
	else
		log "warning: audit state (enabled backlog) $AUDIT_BEFORE -> $now"
	fi
}

# rec ROUND MODE KEY VALUE: one measurement.
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$TMP/results.tsv"; }

# kv KEY "k=v k=v ...": the value of KEY.
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# Daemon CPU time in milliseconds (utime+stime, all threads).
cpu_ms() {
	if [ -z "$DPID" ] || [ ! -r /proc/"$DPID"/stat ]; then
		echo ""
		return
	fi
	sed 's/.*) //' /proc/"$DPID"/stat |
		awk -v hz="$CLK_TCK" '{ printf "%.1f", ($12 + $13) * 1000 / hz }'
}

rss_kib() {
	[ -n "$DPID" ] || { echo ""; return; }
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$DPID"/status 2>/dev/null
}

# shellcheck disable=SC2086
in_ns() { ip netns exec "$NS" $PIN_C "$@"; }

# The rule shape tattled installs with iptables (daemon/firewall.c,
# firewall_render_iptables), with TARGET in place of the queue jump.
rules_iptables() {
	target=$1
	cat <<EOF
*filter
:TATTLE-OUT - [0:0]
:TATTLE-IN - [0:0]
-A TATTLE-OUT -m mark --mark $OWN_MARK -j RETURN
-A TATTLE-OUT -p tcp --tcp-flags FIN,SYN,RST,ACK SYN $target
-A TATTLE-OUT -p tcp -j RETURN
-A TATTLE-OUT -m conntrack --ctstate NEW $target
-A TATTLE-IN -p udp --sport 53 $target
-I OUTPUT 1 -j TATTLE-OUT
-I INPUT 1 -j TATTLE-IN
COMMIT
EOF
}

# The same for nftables (firewall_render_nft), when tattled would use it.
rules_nft() {
	target=$1
	cat <<EOF
table inet tattle {
 chain out {
  type filter hook output priority 0; policy accept;
  meta mark $OWN_MARK return
  tcp flags & (fin|syn|rst|ack) == syn $target
  meta l4proto tcp return
  ct state new $target
 }
 chain in {
  type filter hook input priority 0; policy accept;
  udp sport 53 $target
 }
}
EOF
}

# Which backend tattled picks here: nft when the kernel takes the nft
# queue statement (probed in a scratch namespace), else iptables.
probe_backend() {
	pns="tb-probe-$$"
	ip netns add "$pns" || die "ip netns add"
	if ip netns exec "$pns" nft -f - >/dev/null 2>&1 <<EOF
table inet tattle_probe {
 chain c {
  type filter hook output priority 0; policy accept;
  meta mark 0x7a78 queue num 65535 bypass
 }
}
EOF
	then BACKEND=nftables; else BACKEND=iptables; fi
	ip netns del "$pns"
}

install_rules() {
	if [ "$BACKEND" = nftables ]; then
		case $1 in
		accept) t=accept ;;
		*) t="queue num $QUEUE bypass" ;;
		esac
		rules_nft "$t" | in_ns nft -f - || die "nft rules"
	else
		case $1 in
		accept) t="-j ACCEPT" ;;
		*) t="-j NFQUEUE --queue-num $QUEUE --queue-bypass" ;;
		esac
		rules_iptables "$t" | in_ns iptables-restore -w --noflush ||
			die "iptables-restore"
	fi
}

# wait_for FILE PATTERN TENTHS: until FILE has a line matching PATTERN.
wait_for() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		[ -n "$DPID" ] && ! kill -0 "$DPID" 2>/dev/null && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

setup_ns() {
	NS="tb-$$-$1"
	ip netns add "$NS" || die "ip netns add $NS"
	ip -n "$NS" link set lo up
	# Ephemeral ports stay below loadgen's fixed source ports (61000+).
	in_ns sysctl -qw net.ipv4.ip_local_port_range="10000 60999"
	# shellcheck disable=SC2086
	ip netns exec "$NS" $PIN_C "$TSERVER" -p "$PORT" -a "$ADDR" >"$RUN/server.out" 2>&1 &
	SPID=$!
	i=0
	until grep -q ready "$RUN/server.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && die "tserver did not start"
		sleep 0.1
	done
}

opensnitch_config() {
	cat >"$RUN/os-config.json" <<EOF
{
  "Server": { "Address": "unix://$RUN/osui.sock", "LogFile": "$RUN/opensnitchd.log" },
  "DefaultAction": "allow",
  "DefaultDuration": "once",
  "InterceptUnknown": false,
  "ProcMonitorMethod": "ebpf",
  "LogLevel": 2,
  "Firewall": "iptables",
  "Stats": { "MaxEvents": 150, "MaxStats": 25 }
}
EOF
	cat >"$RUN/os-system-fw.json" <<EOF
{
  "SystemRules": [
    { "Rule": { "Description": "bench: idle connections bypass the queue",
                "Table": "mangle", "Chain": "OUTPUT",
                "Parameters": "-m mark --mark $OWN_MARK",
                "Target": "ACCEPT", "TargetParameters": "" } },
    { "Rule": { "Description": "Allow icmp", "Table": "mangle", "Chain": "OUTPUT",
                "Parameters": "-p icmp", "Target": "ACCEPT", "TargetParameters": "" } }
  ]
}
EOF
	mkdir -p "$RUN/os-rules"
}

# start_opensnitch [-debug]: headless, config bind-mounted in a private
# mount namespace, inside the bench namespace.  Debug logging is the only
# place 1.5 writes the pid it attributed, so workload 4 turns it on.
start_opensnitch() {
	: >"$RUN/opensnitchd.log"
	# shellcheck disable=SC2016
	# shellcheck disable=SC2086
	ip netns exec "$NS" $PIN_D unshare -m sh -c '
		mount --bind "$1" /etc/opensnitchd/default-config.json &&
		mount --bind "$2" /etc/opensnitchd/system-fw.json &&
		shift 2 && exec "$@"' sh "$RUN/os-config.json" "$RUN/os-system-fw.json" \
		opensnitchd -rules-path "$RUN/os-rules" -process-monitor-method proc \
		-log-file "$RUN/opensnitchd.log" "$@" >"$RUN/opensnitchd.out" 2>&1 &
	DPID=$!
	i=0
	until in_ns iptables -w -t mangle -S OUTPUT 2>/dev/null | grep -q NFQUEUE; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$DPID" 2>/dev/null; then
			log "opensnitchd did not install its rules; see $RUN/opensnitchd.out"
			return 1
		fi
		sleep 0.1
	done
	sleep 0.5
}

# Extra tattled flags per mode.
mode_flags() {
	case $1 in
	tattled-nobpf) echo --no-bpf ;;
	cost-bpf|cost-base) echo --no-firewall ;;
	cost-audit) echo --no-firewall --no-bpf ;;
	esac
}

start_mode() {
	DKIND=$1
	case $1 in
	none)
		install_rules accept ;;
	floor)
		# shellcheck disable=SC2086
		ip netns exec "$NS" $PIN_D "$FLOOR" -q "$QUEUE" >"$RUN/floor.out" 2>"$RUN/floor.err" &
		DPID=$!
		wait_for "$RUN/floor.out" ready 50 || die "floor did not start"
		install_rules queue ;;
	tattled|tattled-nobpf|tattled-base|cost-bpf|cost-base|cost-audit)
		: >"$RUN/tattled.err"
		bin=$TATTLED
		case $1 in *-base) bin=$TATTLED_BASE ;; esac
		# shellcheck disable=SC2046,SC2086
		$PIN_D "$bin" --netns "/run/netns/$NS" --queue "$QUEUE" --socket "" \
			--log-events "$RUN/events.jsonl" --default-action allow \
			--audit-key "$AUDIT_KEY" $(mode_flags "$1") \
			>"$RUN/tattled.out" 2>>"$RUN/tattled.err" &
		DPID=$!
		if ! wait_for "$RUN/tattled.err" '^tattled .*: queue' 100; then
			log "tattled did not start:"
			sed 's/^/    /' "$RUN/tattled.err" >&2
			return 1
		fi
		case $1 in cost-*) return 0 ;; esac
		sed -n 's/.*firewall \([a-z]*\).*/\1/p' "$RUN/tattled.err" | head -n 1 \
			>"$TMP/tattled-backend" ;;
	cost-bare) ;;
	opensnitch)
		opensnitch_config
		start_opensnitch || return 1 ;;
	esac
	return 0
}

# Run one loadgen workload, recording its key=value output and the daemon
# CPU it cost.  run_load ROUND MODE WNAME loadgen-args...
run_load() {
	r=$1 m=$2 w=$3
	shift 3
	c0=$(cpu_ms)
	out=$(in_ns "$LOADGEN" "$@" 2>&1)
	c1=$(cpu_ms)
	printf '%s %s %s: %s\n' "$r" "$m" "$w" "$out" >>"$TMP/raw.log"
	for k in conns cps p50 p99 fail n secs ok; do
		v=$(kv "$k" "$out")
		[ -n "$v" ] && rec "$r" "$m" "$w.$k" "$v"
	done
	if [ -n "$c0" ] && [ -n "$c1" ]; then
		rec "$r" "$m" "$w.cpu_ms" "$(echo "$c1 $c0" | awk '{ printf "%.1f", $1 - $2 }')"
	fi
}

# Workload 3's idle connections carry tattled's own-traffic mark, which
# every mode's rules let through unqueued (tattled's chains and the copies
# of them RETURN on it; OpenSnitch gets a system rule): through a daemon
# that scans /proc per connection, opening 10,000 would take minutes and
# measure the opening, not the holding.  Idle established sockets send no
# packets, so no daemon ever sees them; they cost what lookups pay to walk
# them.
open_idle() {
	# shellcheck disable=SC2086
	ip netns exec "$NS" $PIN_C "$LOADGEN" hold -n "$W3_IDLE" -P 4 -m "$OWN_MARK" \
		"$ADDR" "$PORT" >"$RUN/hold.out" 2>&1 &
	HPID=$!
	i=0
	until grep -q '^held=' "$RUN/hold.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$HPID" 2>/dev/null; then
			log "could not open $W3_IDLE idle connections"
			stop_pid "$HPID" 20
			HPID=""
			return 1
		fi
		sleep 0.1
	done
	sleep 1
}

close_idle() {
	stop_pid "$HPID" 50
	HPID=""
}

# Workload 4: short-lived processes; check each one's attribution.
run_spawn() {
	r=$1 m=$2
	off=0
	if [ "${m#tattled}" != "$m" ]; then
		off=$(stat -c %s "$RUN/events.jsonl" 2>/dev/null || echo 0)
		attr_sources "$RUN/events.jsonl" "$off" | while read -r src n p50 p99; do
			rec "$r" "$m" "src.$src.n" "$n"
			rec "$r" "$m" "src.$src.p50" "$p50"
			rec "$r" "$m" "src.$src.p99" "$p99"
		done
	fi
	run_load "$r" "$m" w4 spawn -n "$W4_N" -j "$W4_J" -o "$RUN/spawn.map" \
		"$ADDR" "$PORT"
	sleep 0.3
	case $m in
	tattled*) check_attr tattled "$RUN/events.jsonl" "$off" ;;
	opensnitch) check_attr opensnitch "$RUN/opensnitchd.log" 0 ;;
	*) return 0 ;;
	esac >"$RUN/attr.out" 2>>"$TMP/raw.log"
	a=$(cat "$RUN/attr.out")
	printf '%s %s w4 attribution: %s\n' "$r" "$m" "$a" >>"$TMP/raw.log"
	for k in right wrong unattributed missing; do
		rec "$r" "$m" "w4.$k" "$(kv "$k" "$a")"
	done
}

# attr_sources EVENTS END: per attribution source of tattled's connection
# events before byte END (workloads 1, 2, 3, 5 and the warm-up): count and
# p50/p99 of attribution.us.
attr_sources() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, end = sys.argv[1], int(sys.argv[2])
by = {}
with open(path, "rb") as f:
    for raw in f.read(end).splitlines():
        try:
            e = json.loads(raw)
        except ValueError:
            continue
        if e.get("type") != "connection":
            continue
        a = e.get("attribution") or {}
        by.setdefault(a.get("source") or "unknown", []).append(a.get("us") or 0)
for src, us in sorted(by.items()):
    us.sort()
    print(src, len(us), us[len(us) // 2], us[min(len(us) - 1, len(us) * 99 // 100)])
PY
}

# check_attr KIND LOG OFFSET: compare the map loadgen wrote (pid, source
# port, exe per process) with what the mode logged for each connection.
check_attr() {
	python3 - "$1" "$2" "$3" "$RUN/spawn.map" "$PORT" <<'PY'
import json, re, sys
kind, path, off, mapf, dport = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
want = {}
for line in open(mapf):
    pid, port, exe, st = line.split()
    want[int(port)] = (int(pid), exe)
got = {}   # source port -> (pid or None, exe or None)
if kind == "tattled":
    with open(path, "rb") as f:
        f.seek(off)
        for raw in f:
            try:
                e = json.loads(raw)
            except ValueError:
                continue
            if e.get("type") != "connection" or e.get("proto") != "tcp":
                continue
            if (e.get("dst") or {}).get("port") != dport:
                continue
            sp = (e.get("src") or {}).get("port")
            p = e.get("process") or {}
            got[sp] = (p.get("pid"), p.get("exe"))
else:
    # opensnitchd 1.5 -debug: the netlink line maps port -> inode, the
    # "PID found" / "known pids" lines map inode -> pid.  No exe is logged
    # on the default-action path, so exe is taken as right when pid is.
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    port_ino, ino_pid = {}, {}
    r1 = re.compile(r"(\d+):\S+ -> \S+:%d \|\| netlink response: .*?inode: (\d+)" % dport)
    r2 = re.compile(r"PID found (\d+) \[(\d+)\]")
    r3 = re.compile(r"pid: (\d+), inode: (\d+)")
    for line in open(path, errors="replace"):
        line = ansi.sub("", line)
        m = r1.search(line)
        if m:
            port_ino[int(m.group(1))] = int(m.group(2))
        for rx in (r2, r3):
            m = rx.search(line)
            if m:
                ino_pid[int(m.group(2))] = int(m.group(1))
    for sp, ino in port_ino.items():
        pid = ino_pid.get(ino)
        exe = want[sp][1] if sp in want and pid == want[sp][0] else None
        got[sp] = (pid, exe)
right = wrong = unattr = missing = 0
for port, (pid, exe) in want.items():
    if port not in got:
        missing += 1
    elif got[port][0] is None:
        unattr += 1
    elif got[port] == (pid, exe):
        right += 1
    else:
        wrong += 1
print("right=%d wrong=%d unattributed=%d missing=%d" % (right, wrong, unattr, missing))
PY
}

# report RESULTS MODES: the markdown tables, medians over rounds, ratios to
# floor computed within each round.
report() {
	python3 - "$1" "$2" "$W3_IDLE" <<'PY'
import statistics, sys
from collections import defaultdict
path, modes, idle = sys.argv[1], sys.argv[2].split(), sys.argv[3]
v = defaultdict(dict)          # (round, mode) -> key -> float
for line in open(path):
    r, m, k, x = line.rstrip("\n").split("\t")
    try:
        v[(r, m)][k] = float(x)
    except ValueError:
        pass
rounds = sorted({r for r, _ in v}, key=int)
ran = [m for m in modes if any((r, m) in v and "unavailable" not in v[(r, m)] for r in rounds)]

def derive(d):
    def per_k(cpu, n):
        return d[cpu] * 1000 / d[n] if cpu in d and d.get(n) else None
    d["w1.cpu_k"] = per_k("w1.cpu_ms", "w1.conns")
    d["w2.cpu_k"] = per_k("w2.cpu_ms", "w2.conns")
    d["w3.cpu_k"] = per_k("w3.cpu_ms", "w3.conns")
    d["w5.cpu_k"] = per_k("w5.cpu_ms", "w5.n")
    n = sum(d.get(k, 0) for k in ("w1.conns", "w2.conns", "w3.conns", "w5.n"))
    ws = [d.get(k) for k in ("w1.cpu_ms", "w2.cpu_ms", "w3.cpu_ms", "w5.cpu_ms")]
    d["all.cpu_k"] = sum(ws) * 1000 / n if n and None not in ws else None
    d["w3.cost"] = d["w2.cps"] / d["w3.cps"] if d.get("w3.cps") and "w2.cps" in d else None
    d["w3.cpu_rel"] = (d["w3.cpu_k"] / d["w2.cpu_k"]
                       if d.get("w3.cpu_k") is not None and d.get("w2.cpu_k") else None)
    d["rss_mib"] = d["rss_kib"] / 1024 if "rss_kib" in d else None
for d in v.values():
    derive(d)

def med(m, k):
    xs = [v[(r, m)].get(k) for r in rounds if (r, m) in v]
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

def ratio(m, k, base="floor"):
    """Median over rounds of m's k over base's k in the same round."""
    xs = []
    for r in rounds:
        a, b = v.get((r, m), {}).get(k), v.get((r, base), {}).get(k)
        if a is not None and b:
            xs.append(a / b)
    return statistics.median(xs) if xs else None

def f(x, fmt="%.0f"):
    return "n/a" if x is None else fmt % x

def fx(x):
    return "n/a" if x is None else "%.2fx" % x

def verdict(x, limit, below=True):
    if x is None:
        return "n/a"
    ok = x <= limit if below else x >= limit
    return "%s (%.2fx, %s %.2fx)" % ("PASS" if ok else "MISS", x, "max" if below else "min", limit)

def table(title, head, rows):
    print("### " + title + "\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()

def target(m, text):
    return text if m.startswith("tattled") else ""

print("Medians over %d rounds; ratios are to `floor` within the same round, then the median.\n" % len(rounds))
table("1. Sequential TCP connects, one client: connect latency",
      ["mode", "p50 us", "p99 us", "p50 / floor", "p99 / floor", "target: p50 <= 1.3x floor"],
      [[m, f(med(m, "w1.p50")), f(med(m, "w1.p99")), fx(ratio(m, "w1.p50")),
        fx(ratio(m, "w1.p99")), target(m, verdict(ratio(m, "w1.p50"), 1.3))] for m in ran])
table("2. Four parallel clients: connections per second",
      ["mode", "conn/s", "/ floor", "p99 us", "daemon CPU ms / 1k conns", "CPU / floor",
       "target: >= 0.8x floor"],
      [[m, f(med(m, "w2.cps")), fx(ratio(m, "w2.cps")), f(med(m, "w2.p99")),
        f(med(m, "w2.cpu_k"), "%.1f"), fx(ratio(m, "w2.cpu_k")),
        target(m, verdict(ratio(m, "w2.cps"), 0.8, below=False))] for m in ran])
table("3. Workload 2 with %s idle established connections held open" % idle,
      ["mode", "held", "conn/s", "/ floor", "cost / own w2 (w2 cps / w3 cps)",
       "CPU ms / 1k conns", "CPU / own w2", "daemon CPU ms while the idle ones opened",
       "target: cost <= 1.1x own w2"],
      [[m, f(med(m, "w3.held")), f(med(m, "w3.cps")), fx(ratio(m, "w3.cps")),
        fx(med(m, "w3.cost")), f(med(m, "w3.cpu_k"), "%.1f"), fx(med(m, "w3.cpu_rel")),
        f(med(m, "w3.open_cpu_ms")), target(m, verdict(med(m, "w3.cost"), 1.1))]
       for m in ran])

def attr(m, k):
    x = med(m, "w4." + k)
    return "n/a (no log)" if x is None else f(x)
table("4. Short-lived processes, one connection each: attribution and wall time",
      ["mode", "processes", "wall s", "/ floor", "exe+pid right", "wrong", "unattributed",
       "missing", "target: all right"],
      [[m, f(med(m, "w4.n")), f(med(m, "w4.secs"), "%.2f"), fx(ratio(m, "w4.secs")),
        attr(m, "right"), attr(m, "wrong"), attr(m, "unattributed"), attr(m, "missing"),
        target(m, "n/a" if med(m, "w4.right") is None else
               ("PASS" if med(m, "w4.right") == med(m, "w4.n") else
                "MISS (%s of %s)" % (f(med(m, "w4.right")), f(med(m, "w4.n")))))] for m in ran])
table("5. UDP first-packet round trip (a new flow each time)",
      ["mode", "p50 us", "p99 us", "p50 / floor", "p99 / floor", "daemon CPU ms / 1k flows"],
      [[m, f(med(m, "w5.p50")), f(med(m, "w5.p99")), fx(ratio(m, "w5.p50")),
        fx(ratio(m, "w5.p99")), f(med(m, "w5.cpu_k"), "%.1f")] for m in ran])

def rss_verdict(m):
    x = med(m, "rss_mib")
    if not m.startswith("tattled") or x is None:
        return ""
    return "%s (%.1f MiB, max 16 MiB)" % ("PASS" if x <= 16 else "MISS", x)
table("Daemon cost over workloads 1, 2, 3, 5",
      ["mode", "CPU ms / 1k conns", "CPU / floor", "target: CPU <= 2x floor",
       "peak RSS MiB (VmHWM)", "target: RSS <= 16 MiB"],
      [[m, f(med(m, "all.cpu_k"), "%.1f"), fx(ratio(m, "all.cpu_k")),
        target(m, verdict(ratio(m, "all.cpu_k"), 2.0)), f(med(m, "rss_mib"), "%.1f"),
        rss_verdict(m)] for m in ran])

srcs = sorted({k.split(".")[1] for d in v.values() for k in d if k.startswith("src.")})
for tm in [m for m in ran if m.startswith("tattled")] if srcs else []:
    runs = [d for (r, m), d in v.items() if m == tm]
    def share(x):
        xs = []
        for d in runs:
            t = sum(d.get("src.%s.n" % y, 0) for y in srcs)
            if t:
                xs.append(d.get("src.%s.n" % x, 0) / t)
        return "%.1f%%" % (100 * statistics.median(xs)) if xs else "n/a"
    table("%s: how connections were attributed (workloads 1, 2, 3, 5)" % tm,
          ["attribution.source", "share of connections", "attribution.us p50",
           "attribution.us p99"],
          [[x, share(x), f(med(tm, "src.%s.p50" % x)),
            f(med(tm, "src.%s.p99" % x))] for x in srcs if med(tm, "src.%s.p50" % x) is not None])

# 6. Cost on every other process: no queue, tattled only watching.
cost = [m for m in ("cost-bare", "cost-bpf", "cost-base", "cost-audit")
        if any((r, m) in v for r in rounds)]
def cratio(m, k):
    return ratio(m, k, "cost-bare")
if "cost-bare" in cost:
    def cverdict(m, k, limit, slower_is_bigger=True):
        x = cratio(m, k)
        if x is None or m not in ("cost-bpf", "cost-base"):
            return ""
        slow = x if slower_is_bigger else (1 / x if x else None)
        return verdict(slow, limit)
    table("6. Cost on every other process (no queue: --no-firewall; loopback)",
          ["tattled", "connect loop conn/s", "slowdown", "target: <= 1.05x",
           "sendto loop ns/call", "slowdown", "target: <= 1.10x"],
          [[{"cost-bare": "not running", "cost-bpf": "running, eBPF",
             "cost-base": "running, eBPF (TATTLED_BASE build)",
             "cost-audit": "running, --no-bpf (audit rules)"}[m],
            f(med(m, "w6c.cps")), fx(1 / cratio(m, "w6c.cps")) if cratio(m, "w6c.cps") else "n/a",
            cverdict(m, "w6c.cps", 1.05, slower_is_bigger=False),
            f(med(m, "w6u.ns_per_call")), fx(cratio(m, "w6u.ns_per_call")),
            cverdict(m, "w6u.ns_per_call", 1.10)] for m in cost])
    progs = sorted({k.split(".")[2] for d in v.values() for k in d if k.startswith("w6bpf.")})
    for cm in [m for m in ("cost-bpf", "cost-base") if m in cost] if progs else []:
        table("6b. eBPF program run time per call (kernel BPF statistics, during section 6, %s)" % cm,
              ["program", "runs per connect", "ns per run (connect loop)",
               "runs per sendto", "ns per run (sendto loop)"],
              [[p, f(med(cm, "w6bpf.c.%s.runs_per" % p), "%.2f"),
                f(med(cm, "w6bpf.c.%s.ns" % p)),
                f(med(cm, "w6bpf.u.%s.runs_per" % p), "%.2f"),
                f(med(cm, "w6bpf.u.%s.ns" % p))] for p in progs])

notes = []
for m in modes:
    if m not in ran:
        notes.append("`%s`: unavailable in this run." % m)
for (r, m), d in sorted(v.items()):
    for k in ("w1.fail", "w2.fail", "w3.fail", "w4.fail", "w5.fail"):
        if d.get(k):
            notes.append("round %s `%s`: %s %d failed" % (r, m, k.split(".")[0], d[k]))
    if d.get("exit"):
        notes.append("round %s `%s`: daemon exit status %d on SIGTERM" % (r, m, d["exit"]))
if notes:
    print("Notes:\n")
    for n in notes:
        print("- " + n)
    print()
PY
}

# A fresh namespace and scratch directory for one mode run, and the mode
# started in it; 1 (recorded as unavailable, torn down) when it cannot be.
begin_run() {
	RUN="$TMP/r$1-$2"
	mkdir -p "$RUN"
	log "round $1: $2"
	setup_ns "$1-$2"
	start_mode "$2" && return 0
	rec "$1" "$2" unavailable 1
	teardown_run
	return 1
}

run_mode() {
	r=$1 m=$2
	begin_run "$r" "$m" || return 0
	in_ns "$LOADGEN" tcp -n "$WARM_N" "$ADDR" "$PORT" >/dev/null 2>&1
	c_start=$(cpu_ms)
	run_load "$r" "$m" w1 tcp -P 1 -n "$W1_N" "$ADDR" "$PORT"
	run_load "$r" "$m" w2 tcp -P "$W2_P" -d "$W2_MS" "$ADDR" "$PORT"
	run_load "$r" "$m" w5 udp -n "$W5_N" "$ADDR" "$PORT"
	c_mid=$(cpu_ms)
	if open_idle; then
		c_idle=$(cpu_ms)
		rec "$r" "$m" w3.held "$(kv held "$(cat "$RUN/hold.out")")"
		run_load "$r" "$m" w3 tcp -P "$W2_P" -d "$W3_MS" "$ADDR" "$PORT"
		close_idle
		[ -n "$c_mid" ] && rec "$r" "$m" w3.open_cpu_ms \
			"$(echo "$c_idle $c_mid" | awk '{ printf "%.1f", $1 - $2 }')"
	fi
	c_end=$(cpu_ms)
	[ -n "$c_start" ] && rec "$r" "$m" all.cpu_ms \
		"$(echo "$c_end $c_start" | awk '{ printf "%.1f", $1 - $2 }')"
	rec "$r" "$m" rss_kib "$(rss_kib)"
	if [ "$m" = opensnitch ]; then
		stop_pid "$DPID" 150
		DPID=""
		start_opensnitch -debug || { teardown_run; return 0; }
	fi
	run_spawn "$r" "$m"
	# Event logs run to tens of MB per run; keep them only when asked.
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$RUN/events.jsonl" "$RUN/opensnitchd.log"
	if [ -n "$DPID" ]; then
		stop_pid "$DPID" 150
		DPID=""
		[ "${m#tattled}" != "$m" ] && [ "$STOP_RC" != 0 ] &&
			log "tattled exited $STOP_RC on SIGTERM (see $RUN/tattled.err)"
		rec "$r" "$m" exit "$STOP_RC"
	fi
	teardown_run
}

# Section 6: one round of the cost loops.  run_cost ROUND MODE
run_cost() {
	r=$1 m=$2
	begin_run "$r" "$m" || return 0
	sleep 0.5
	in_ns "$LOADGEN" tcp -n "$WARM_N" "$ADDR" "$PORT" >/dev/null 2>&1
	out=$(in_ns "$LOADGEN" tcp -P 1 -n "$W6_N" "$ADDR" "$PORT" 2>&1)
	printf '%s %s w6c: %s\n' "$r" "$m" "$out" >>"$TMP/raw.log"
	rec "$r" "$m" w6c.cps "$(kv cps "$out")"
	out=$(in_ns "$LOADGEN" sendto -n "$W6_U" "$ADDR" 0 2>&1)
	printf '%s %s w6u: %s\n' "$r" "$m" "$out" >>"$TMP/raw.log"
	rec "$r" "$m" w6u.ns_per_call "$(kv ns_per_call "$out")"
	# Run-time statistics cost time themselves: shorter loops, apart.
	if { [ "$m" = cost-bpf ] || [ "$m" = cost-base ]; } && [ -x "$BPFSTATS" ]; then
		out=$(in_ns "$BPFSTATS" -p "$DPID" "$LOADGEN" tcp -P 1 -n "$((W6_N / 4))" \
			"$ADDR" "$PORT" 2>&1)
		cost_bpf_rec "$r" "$m" c "$((W6_N / 4))" "$out"
		out=$(in_ns "$BPFSTATS" -p "$DPID" "$LOADGEN" sendto -n "$((W6_U / 4))" "$ADDR" 0 2>&1)
		cost_bpf_rec "$r" "$m" u "$((W6_U / 4))" "$out"
	fi
	if [ -n "$DPID" ]; then
		stop_pid "$DPID" 150
		DPID=""
	fi
	teardown_run
}

# The "bpf prog=NAME runs=N ns_per_run=X" lines of bench_bpfstats.
cost_bpf_rec() {
	r=$1 m=$2 w=$3 n=$4
	printf '%s\n' "$5" | sed -n 's/^bpf //p' | while read -r line; do
		p=$(kv prog "$line")
		rec "$r" "$m" "w6bpf.$w.$p.ns" "$(kv ns_per_run "$line")"
		rec "$r" "$m" "w6bpf.$w.$p.runs_per" \
			"$(echo "$(kv runs "$line") $n" | awk '{ printf "%.3f", $1 / $2 }')"
	done
}

opensnitch_available() {
	command -v opensnitchd >/dev/null 2>&1 && return 0
	[ "${BENCH_NO_INSTALL:-0}" = 1 ] && return 1
	log "opensnitchd not installed; trying apt-get install opensnitch"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		opensnitch >"$TMP/apt.log" 2>&1 ||
	{ apt-get update -qq >/dev/null 2>&1 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends opensnitch >>"$TMP/apt.log" 2>&1; }
	command -v opensnitchd >/dev/null 2>&1
}

machine_header() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	printf '# tattle benchmark: latest run\n\n'
	# shellcheck disable=SC2016
	printf 'Written by `make bench` (scripts/bench.sh); method in docs/BENCH.md.\n\n'
	printf '| | |\n|---|---|\n'
	printf '| date | %s |\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '| machine | %s cores, %s |\n' "$(nproc)" "${cpu:-unknown CPU}"
	printf '| kernel | %s |\n' "$(uname -r)"
	printf '| tattled | %s |\n' "$("$TATTLED" --version 2>/dev/null | head -n 1)"
	[ -n "$TATTLED_BASE" ] &&
		printf '| tattled-base | %s (%s) |\n' "$("$TATTLED_BASE" --version 2>/dev/null | head -n 1)" "$TATTLED_BASE"
	printf '| opensnitch | %s |\n' "$OS_VERSION"
	printf '| firewall backend | %s (floor and none: same rule shape) |\n' "$BACKEND"
	if [ -s "$TMP/others" ]; then
		# shellcheck disable=SC2016
		printf '| other audit users seen | count %s, e.g. `%s` (host-wide audit rules: they slow every mode; docs/BENCH.md) |\n' \
			"$(sed 's/ .*//' "$TMP/others" | sort -un | wc -l)" \
			"$(head -n 1 "$TMP/others" | cut -d' ' -f2- | cut -c1-80 | sed 's/ *$//')"
	else
		printf '| other audit users seen | none |\n'
	fi
	printf '| placement | %s |\n' "$(case $PIN in
		same) echo 'pinned (BENCH_PIN=same): daemon, loadgen and tserver on CPU 0' ;;
		split) echo 'pinned (BENCH_PIN=split): daemon on CPU 1, loadgen and tserver on CPU 0' ;;
		*) echo 'scheduler' ;; esac)"
	printf '| run | %s, %s rounds, modes alternated: %s |\n' \
		"$([ "$QUICK" = 1 ] && echo quick || echo full)" "$ROUNDS" "$MODES"
	printf '| sizes | w1 %s connects; w2 %s clients x %s ms; w3 %s idle + w2; w4 %s processes (%s at once); w5 %s UDP flows; w6 %s connects, %s sendto |\n\n' \
		"$W1_N" "$W2_P" "$W2_MS" "$W3_IDLE" "$W4_N" "$W4_J" "$W5_N" "$W6_N" "$W6_U"
}

main() {
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, NFQUEUE)"
	for b in "$TATTLED" ${TATTLED_BASE:+"$TATTLED_BASE"} "$LOADGEN" "$FLOOR" "$TSERVER"; do
		[ -x "$b" ] || die "$b missing: run make bench"
	done
	command -v python3 >/dev/null || die "python3 missing"
	[ "$ROUNDS" -ge 1 ] 2>/dev/null || die "BENCH_ROUNDS must be a number"
	[ "$PIN" != split ] || [ "$(nproc)" -ge 2 ] || die "BENCH_PIN=split needs 2 CPUs"
	CLK_TCK=$(getconf CLK_TCK)
	TMP=$(mktemp -d /tmp/tattle-bench.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	: >"$TMP/results.tsv"
	[ -x "$AUDITSTAT" ] && AUDIT_BEFORE=$("$AUDITSTAT" get 2>/dev/null)
	OS_VERSION="not installed"
	case " $MODES " in
	*" opensnitch "*)
		if opensnitch_available; then
			OS_VERSION=$(opensnitchd -version 2>&1 | head -n 1)
		else
			log "opensnitch unavailable (see apt log); mode skipped"
			MODES=$(echo "$MODES" | sed 's/opensnitch//')
		fi ;;
	esac
	probe_backend
	log "backend $BACKEND; modes: $MODES; rounds: $ROUNDS; quick=$QUICK"
	r=1
	while [ $r -le "$ROUNDS" ]; do
		for m in $MODES; do
			run_mode "$r" "$m"
		done
		r=$((r + 1))
	done
	if [ "${BENCH_COST:-1}" = 1 ]; then
		r=1
		while [ $r -le "$ROUNDS" ]; do
			for m in $COST_MODES; do
				run_cost "$r" "$m"
			done
			r=$((r + 1))
		done
	fi
	[ -s "$TMP/tattled-backend" ] && [ "$(cat "$TMP/tattled-backend")" != "$BACKEND" ] &&
		log "warning: tattled used $(cat "$TMP/tattled-backend"), floor used $BACKEND"
	mkdir -p "$(dirname "$OUT")"
	{
		machine_header
		report "$TMP/results.tsv" "$MODES"
	} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
	cat "$OUT"
	log "wrote $OUT"
}

main "$@"
