# lib.sh - shared helpers for integration tests.  Sourced by each test.
# Every test runs in its own network namespace with its own queue number
# and audit key, and cleans up on any exit (trap).  Exit codes: 0 pass,
# 77 skip (never in CI as root), anything else fail.
set -eu

TT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TATTLED=${TATTLED:-$TT_ROOT/build/tattled}
TATTLE=${TATTLE:-$TT_ROOT/build/tattle}
case $TATTLED in /*) ;; *) TATTLED=$TT_ROOT/$TATTLED ;; esac
case $TATTLE in /*) ;; *) TATTLE=$TT_ROOT/$TATTLE ;; esac
TT_TOOLS=$TT_ROOT/build/tools
TT_NAME=$(basename "$0" .sh)
TT_TMP=$(mktemp -d "/tmp/tattle-$TT_NAME.XXXXXX")
TT_NS=""
TT_DAEMON_PID=""
TT_QUEUE=$(( 1000 + $$ % 30000 ))
TT_KEY="tt-$$"
TT_EVENTS=$TT_TMP/events.jsonl
TT_CLEANUPS=""
# ASan: report leaks, and make a sanitizer error fail the daemon loudly.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

tt_log() { printf '# %s: %s\n' "$TT_NAME" "$*" >&2; }
tt_fail() {
	tt_log "FAIL: $*"
	if [ -s "$TT_TMP/daemon.err" ]; then
		tt_log "daemon stderr:"; sed 's/^/#   /' "$TT_TMP/daemon.err" >&2
	fi
	exit 1
}
tt_skip() { tt_log "SKIP: $*"; exit 77; }

tt_on_exit() { TT_CLEANUPS="$*; $TT_CLEANUPS"; }

tt_cleanup() {
	rc=$?
	set +e
	if [ -n "$TT_DAEMON_PID" ] && kill -0 "$TT_DAEMON_PID" 2>/dev/null; then
		kill -TERM "$TT_DAEMON_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$TT_DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$TT_DAEMON_PID" 2>/dev/null
	fi
	eval "$TT_CLEANUPS"
	# A daemon of ours that died uncleanly left its audit rules and the
	# settings it found: put them back.
	if [ -f "/run/tattle/audit-$TT_KEY.state" ]; then
		"$TATTLE" audit-status --key "$TT_KEY" --purge >/dev/null 2>&1
	fi
	if [ -n "$TT_NS" ]; then
		ip netns pids "$TT_NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$TT_NS" 2>/dev/null
	fi
	if [ "$rc" -eq 0 ] || [ "${TT_KEEP:-0}" != 1 ]; then rm -rf "$TT_TMP"; fi
	exit "$rc"
}
trap tt_cleanup EXIT
trap 'exit 130' INT TERM

tt_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		[ "${CI:-}" = true ] && tt_fail "integration tests must run as root in CI"
		tt_skip "needs root"
	fi
	command -v ip >/dev/null || tt_fail "ip (iproute2) missing"
	command -v python3 >/dev/null || tt_fail "python3 missing"
}

# Make this test's namespace with loopback up.
tt_netns() {
	TT_NS="tt-$TT_NAME-$$"
	TT_NS=$(printf '%s' "$TT_NS" | cut -c1-60)
	ip netns add "$TT_NS" || tt_fail "ip netns add"
	ip -n "$TT_NS" link set lo up
}

tt_in() { ip netns exec "$TT_NS" "$@"; }

# Start a test server inside the namespace on PORT (v4 and v6 loopback).
tt_server() {
	port=$1; shift
	tt_in "$TT_TOOLS/tserver" -p "$port" "$@" >"$TT_TMP/server.$port.out" 2>&1 &
	for _ in $(seq 50); do
		grep -q ready "$TT_TMP/server.$port.out" 2>/dev/null && return 0
		sleep 0.05
	done
	tt_fail "server on port $port did not start"
}

# Start tattled attached to our namespace; waits until its chains exist.
# Default flags: own queue, no socket; extra flags are passed through.
tt_daemon() {
	: >"$TT_TMP/daemon.err"
	"$TATTLED" --netns "/run/netns/$TT_NS" --queue "$TT_QUEUE" --socket "" \
		--log-events "$TT_EVENTS" --audit-key "$TT_KEY" "$@" \
		>>"$TT_TMP/daemon.out" 2>>"$TT_TMP/daemon.err" &
	TT_DAEMON_PID=$!
	for _ in $(seq 100); do
		if grep -q "^tattled .*: queue" "$TT_TMP/daemon.err" 2>/dev/null; then
			[ -z "${TT_BPF_NOTE:-}" ] || tt_bpf_note "$TT_DAEMON_PID"
			return 0
		fi
		kill -0 "$TT_DAEMON_PID" 2>/dev/null || tt_fail "tattled exited at start"
		sleep 0.05
	done
	tt_fail "tattled did not become ready"
}

# Stop the daemon with SIGTERM and check it exited 0.
tt_daemon_stop() {
	kill -TERM "$TT_DAEMON_PID"
	rc=0
	wait "$TT_DAEMON_PID" || rc=$?
	TT_DAEMON_PID=""
	[ "$rc" -eq 0 ] || tt_fail "tattled exited $rc on SIGTERM"
}

# Wait until the events file holds at least N lines matching a python
# predicate over the event dict `e`; prints the matching count.  An event
# the predicate cannot be evaluated on (a "stats" event has no "verdict")
# does not match.
tt_wait_events() {
	want=$1 pred=$2 secs=${3:-5}
	for _ in $(seq $((secs * 20))); do
		n=$(tt_count_events "$pred")
		[ "$n" -ge "$want" ] && { echo "$n"; return 0; }
		sleep 0.05
	done
	tt_count_events "$pred"
	return 1
}

tt_count_events() {
	python3 - "$TT_EVENTS" "$1" <<'PY'
import json, sys
path, pred = sys.argv[1], sys.argv[2]
n = 0
try:
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):
                break   # the daemon is still writing this one
            e = json.loads(line)
            try:
                hit = eval(pred, {}, {"e": e})
            except (KeyError, TypeError):
                hit = False     # a predicate about other event types
            if hit:
                n += 1
except FileNotFoundError:
    pass
print(n)
PY
}

# Number of jumps into our chains plus our chains, per family.
tt_chain_count() {
	tt_in iptables -S 2>/dev/null | grep -c 'TATTLE' || true
}

# Kernel audit state as JSON (enabled, backlog_limit, rules_with_key...).
tt_audit_state() {
	"$TATTLE" audit-status --key "$TT_KEY"
}

# Record audit state now; at exit, fail if our rules remain or enabled /
# backlog_limit differ from what they were (and restore them).
tt_audit_guard() {
	TT_AUDIT_BEFORE=$(tt_audit_state) || tt_fail "cannot read audit state"
	tt_on_exit tt_audit_check
}

tt_audit_check() {
	after=$("$TATTLE" audit-status --key "$TT_KEY" 2>/dev/null) || return 0
	python3 - "$TT_AUDIT_BEFORE" "$after" <<'PY' || { "$TATTLE" audit-status --key "$TT_KEY" --purge >/dev/null 2>&1; tt_log "FAIL: audit state not restored: $TT_AUDIT_BEFORE -> $after"; rc=1; }
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.exit(0 if a["rules_with_key"] == 0 and a["enabled"] == b["enabled"]
         and a["backlog_limit"] == b["backlog_limit"] else 1)
PY
}

# The cgroup2 mount point: /sys/fs/cgroup on a pure v2 host,
# /sys/fs/cgroup/unified on a hybrid one.  Empty when there is none.
tt_cgroup2_mount() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup2" && $4 == "/") { print $5; exit }
		break } }' /proc/self/mountinfo
}

# Make cgroup REL (a path below the cgroup2 mount, parents too) and
# remove it at exit, even on failure: its processes are killed first,
# then the directories made here are removed innermost first.  Sets
# TT_CG to the directory (call it directly, not in $(...), so the
# cleanup is registered in this shell).
tt_cgroup() {
	mnt=$(tt_cgroup2_mount)
	[ -n "$mnt" ] || tt_fail "no cgroup2 mount"
	dir=$mnt
	made=""
	for part in $(printf '%s' "$1" | tr '/' ' '); do
		dir=$dir/$part
		if [ ! -d "$dir" ]; then
			mkdir "$dir" || tt_fail "mkdir $dir"
			made="$made $dir"
		fi
	done
	for d in $made; do
		tt_on_exit "tt_cgroup_rm '$d'"
	done
	TT_CG=$dir
}

tt_cgroup_rm() {
	if [ -f "$1/cgroup.procs" ]; then
		xargs -r kill -KILL <"$1/cgroup.procs" 2>/dev/null
		for _ in $(seq 50); do
			[ -s "$1/cgroup.procs" ] || break
			sleep 0.02
		done
	fi
	rmdir "$1" 2>/dev/null
}

# Run a command in our namespace as a process of cgroup directory CG.
tt_in_cgroup() {
	cg=$1; shift
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		ip netns exec "$TT_NS" "$@"
}
