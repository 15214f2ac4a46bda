#!/bin/bash
# The installed unit under a real systemd: Debian 12's systemd 252 booted
# as PID 1 in systemd-nspawn (own network namespace), with this build's
# `make install` bound in.  Shows: systemd-analyze verify passes;
# `systemctl start` completes only on READY=1 and the unit is active
# (running) with its chains in the container's namespace; audit inside a
# container is refused by the kernel and tattled says so and runs on;
# `systemctl reload` keeps the pid and reloads the rules, and a program in
# another unit is named and denied by the new rule; a stuck loop
# (the test-only SIGUSR2 stall) is killed by the watchdog and restarted
# with its chains replaced, not doubled; `systemctl stop` exits 0 and
# leaves no chain and no audit rule.
#
# All checks go through systemctl / journalctl / systemd-analyze /
# systemd-run talking to the container's PID 1 (run with nsenter into its
# mount and pid namespaces: the answers are the container manager's, and
# what systemd-run starts runs inside, as a unit), except the events file,
# read under /proc/PID/root.
#
# The root file system is made once by scripts/nspawn-rootfs.sh (Debian
# mirror, ~60 s) and cached in $TT_NSPAWN_ROOTFS, outside the repository;
# --volatile=overlay keeps it unchanged.  Skips only when nspawn cannot
# boot it here, and prints why.
. "$(dirname "$0")/lib.sh"
tt_require_root
# No tt_audit_guard: the host's audit settings are shared with whatever
# else runs; this test's claim is about its own key (checked at the end).

ROOTFS=${TT_NSPAWN_ROOTFS:-/var/cache/tattle-test/rootfs}
MACHINE="tt-sysd-$$"
NSPAWN_PID=""
LEADER=""
STAGE=$TT_TMP/stage
ETC=$TT_TMP/etc-tattle
DROPIN=$TT_TMP/dropin
BIN=$TT_ROOT/build/tattled

command -v systemd-nspawn >/dev/null ||
	tt_skip "systemd-nspawn missing (package systemd-container, scripts/deps.sh)"
sh "$TT_ROOT/scripts/nspawn-rootfs.sh" "$ROOTFS" >/dev/null ||
	tt_fail "could not make the container root file system in $ROOTFS"
[ -x "$BIN" ] || tt_fail "$BIN not built (make)"

# Only one booted container per host at a time: nspawn --keep-unit puts
# its payload/ and supervisor/ cgroups under the caller's own cgroup.
exec 8>"$(dirname "$ROOTFS")/nspawn.lock"
flock -w 300 8 || tt_fail "another t_systemd_unit run holds the nspawn lock"

# ---- the container ------------------------------------------------------

# Our cgroup in each hierarchy nspawn uses (v2, and v1 name=systemd on a
# hybrid host); nspawn leaves empty payload/ and supervisor/ there.
own_cgroup_dirs() {
	sed -n 's|^0::\(.*\)|\1|p' /proc/self/cgroup | while read -r p; do
		for base in /sys/fs/cgroup/unified /sys/fs/cgroup; do
			if [ -f "$base/cgroup.controllers" ]; then
				echo "$base${p%/}"; break
			fi
		done
	done
	sed -n 's|^[0-9]*:name=systemd:\(.*\)|\1|p' /proc/self/cgroup |
		while read -r p; do echo "/sys/fs/cgroup/systemd${p%/}"; done
}
CGROUP_DIRS=$(own_cgroup_dirs)

container_cleanup() {
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		kill -TERM "$NSPAWN_PID"	# nspawn: orderly shutdown of PID 1
		for _ in $(seq 150); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$NSPAWN_PID" 2>/dev/null
		wait "$NSPAWN_PID" 2>/dev/null
	fi
	for d in $CGROUP_DIRS; do
		for c in payload supervisor; do
			[ -d "$d/$c" ] && find "$d/$c" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$d/$c" ] && tt_log "cgroup $d/$c not empty: left in place"
		done
	done
	rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
}
tt_on_exit container_cleanup

# `make install` into a staging tree: the real unit, binaries and config.
make -s -C "$TT_ROOT" install DESTDIR="$STAGE" PREFIX=/usr SYSCONFDIR=/etc \
	>"$TT_TMP/install.log" 2>&1 || { cat "$TT_TMP/install.log" >&2; tt_fail "make install"; }
UNIT=$STAGE/lib/systemd/system/tattled.service
[ -f "$UNIT" ] || tt_fail "make install put no unit at /lib/systemd/system"
cp -a "$STAGE/etc/tattle" "$ETC"
python3 - "$ETC/tattled.json" "$TT_QUEUE" "$TT_KEY" <<'PY'
import json, sys
path, queue, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = json.load(open(path))
c.update({"queue": queue, "audit_key": key,
          "log_events": "/run/tattle/events.jsonl"})
json.dump(c, open(path, "w"), indent=1)
PY
mkdir -p "$DROPIN"

binds=(
	"--bind-ro=$STAGE/usr/sbin/tattled:/usr/sbin/tattled"
	"--bind-ro=$STAGE/usr/bin/tattle:/usr/bin/tattle"
	"--bind-ro=$UNIT:/usr/lib/systemd/system/tattled.service"
	"--bind=$ETC:/etc/tattle"
	"--bind-ro=$DROPIN:/etc/systemd/system/tattled.service.d"
	"--bind-ro=$STAGE/usr/share/man/man8/tattled.8:/usr/share/man/man8/tattled.8"
	"--bind-ro=$STAGE/usr/share/man/man1/tattle.1:/usr/share/man/man1/tattle.1"
)
# Libraries the binaries need that the Debian tree lacks: the host's
# (Debian 12 too, so the same ABI), bound read-only.
for lib in $(ldd "$STAGE/usr/sbin/tattled" "$STAGE/usr/bin/tattle" |
	     awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
	soname=/usr/lib/x86_64-linux-gnu/${lib##*/}
	case $lib in /usr/lib/*) soname=$lib ;; esac
	[ -e "$ROOTFS$soname" ] || binds+=("--bind-ro=$(readlink -f "$lib"):$soname")
done

# CAP_BPF/CAP_PERFMON and bpf(): what the eBPF attribution object needs
# (nspawn's own filter refuses bpf() otherwise); CAP_AUDIT_READ is not in
# nspawn's default set.  --private-network: the chains go into the
# container's namespace, never the host's.
systemd-nspawn --quiet -D "$ROOTFS" --machine="$MACHINE" \
	--boot --register=no --keep-unit --volatile=overlay --private-network \
	--capability=CAP_BPF,CAP_PERFMON,CAP_AUDIT_READ \
	--system-call-filter=bpf --console=read-only "${binds[@]}" \
	</dev/null >"$TT_TMP/nspawn.log" 2>&1 &
NSPAWN_PID=$!

boot_failed() {
	tt_log "nspawn output:"; sed 's/^/#   /' "$TT_TMP/nspawn.log" | tail -20 >&2
	tt_skip "systemd-nspawn cannot boot $ROOTFS here: $1"
}
for _ in $(seq 100); do
	kill -0 "$NSPAWN_PID" 2>/dev/null || boot_failed "nspawn exited"
	for p in $(pgrep -P "$NSPAWN_PID"); do
		# The container's PID 1: the last NSpid field is 1.
		grep -q '^NSpid:.*[[:space:]]1$' "/proc/$p/status" 2>/dev/null && LEADER=$p
	done
	[ -n "$LEADER" ] && break
	sleep 0.1
done
[ -n "$LEADER" ] || boot_failed "no PID 1 after 10 s"

# systemctl & co. inside: they ask the container's PID 1 over its socket.
ct() { nsenter -t "$LEADER" -m -p -- "$@"; }
state=""
for _ in $(seq 120); do
	state=$(ct systemctl is-system-running 2>/dev/null) || true
	case $state in running|degraded) break ;; esac
	kill -0 "$NSPAWN_PID" 2>/dev/null || boot_failed "nspawn exited during boot"
	sleep 0.5
done
case $state in running|degraded) ;; *) boot_failed "system state '$state' after 60 s" ;; esac
tt_log "container $MACHINE: systemd $(ct systemctl --version | sed -n '1s/systemd //p'), state $state"

show() { ct systemctl show -p "$2" --value "$1"; }
# A command run by the container's manager as a transient unit, its
# output piped back: the container's view, capabilities and filters.
inside() { ct systemd-run --quiet --wait --pipe --collect "$@" </dev/null; }
chains() {	# ours in the container's network namespace, both backends
	{ inside iptables -S; inside ip6tables -S; inside nft list ruleset; } 2>/dev/null |
		grep -ci tattle || true
}
EVENTS=/proc/$LEADER/root/run/tattle/events.jsonl
events() { python3 - "$EVENTS" "$1" <<'PY'
import json, sys
n = 0
try:
    for line in open(sys.argv[1]):
        if line.endswith("\n") and eval(sys.argv[2], {}, {"e": json.loads(line)}):
            n += 1
except FileNotFoundError:
    pass
print(n)
PY
}
journal() { ct journalctl -q --no-pager -o cat -u tattled.service; }
on_fail() { tt_log "journal of tattled.service:"; journal | tail -40 | sed 's/^/#   /' >&2; tt_fail "$*"; }

# The binaries are the host's build: they run inside only if the host's C
# library is not newer than Debian 12's (the host is Debian 12 in CI).
v=$(inside /usr/sbin/tattled --version 2>&1) ||
	tt_fail "the host's build does not run in the Debian 12 container: $v"

# ---- the unit -----------------------------------------------------------

out=$(ct systemd-analyze verify /usr/lib/systemd/system/tattled.service 2>&1) ||
	{ echo "$out" >&2; tt_fail "systemd-analyze verify failed"; }
if echo "$out" | grep -q tattled; then
	echo "$out" >&2; tt_fail "systemd-analyze verify warns about the unit"
fi
tt_log "systemd-analyze verify: clean"

ct systemctl start tattled.service || on_fail "systemctl start failed"
# Type=notify: start returns only after READY=1; its STATUS= is ours.
[ "$(show tattled ActiveState)/$(show tattled SubState)" = active/running ] ||
	on_fail "not active/running after start"
ct systemctl status --no-pager tattled.service | grep -q 'Active: active (running)' ||
	on_fail "systemctl status does not say active (running)"
status=$(show tattled StatusText)
case $status in "queue $TT_QUEUE, audit "*) ;; *) on_fail "StatusText '$status' is not from READY=1" ;; esac
pid1=$(show tattled MainPID)
wd=$(show tattled WatchdogUSec)
tt_log "active (running), MainPID $pid1, STATUS='$status', WatchdogUSec=$wd"
[ "$wd" = 30s ] || on_fail "the unit's WatchdogSec is '$wd', not 30s"
nch=$(chains)
[ "$nch" -gt 0 ] || on_fail "no tattle chains in the container's namespace"
tt_log "chains: $nch lines naming tattle in the container's iptables/nft"

# Audit: the kernel serves audit control only to the initial pid (and
# user) namespace, so inside a container tattled must say so and run on.
if [ "$status" = "queue $TT_QUEUE, audit off" ]; then
	journal | grep -q 'audit.*attribution falls back to /proc' ||
		on_fail "audit off but no warning in the journal"
	tt_log "audit in the container: $(journal | grep -m1 'audit.*falls back' | sed 's/^tattled: warning: //')"
else
	tt_log "audit in the container: on"
fi

# eBPF: what the unit's sandbox let the loader do (reported, not required:
# the kernel and the container decide).
tt_log "eBPF in the container: $(journal | grep -m1 -i 'ebpf\|bpf-' | sed 's/^tattled: warning: //')"
# What systemd 252 made of the unit's sandbox lines: bpf() passes the
# filter and the eBPF capabilities are in the bounding set.
show tattled SystemCallFilter | tr ' ' '\n' | grep -qx bpf ||
	on_fail "bpf is not in the unit's resolved SystemCallFilter"
for cap in cap_bpf cap_perfmon cap_net_admin; do
	show tattled CapabilityBoundingSet | tr ' ' '\n' | grep -qx "$cap" ||
		on_fail "$cap is not in the unit's CapabilityBoundingSet"
done

# ---- reload ---------------------------------------------------------------

cat >"$ETC/rules/000-0-test-reload.json" <<'EOF'
{"name": "000-0-test-reload", "enabled": true, "action": "deny",
 "duration": "always", "operator": {"type": "simple", "operand": "dest.port",
 "data": "9"}}
EOF
nrules=$(ls "$ETC"/rules/*.json | wc -l)
ct systemctl reload tattled.service || on_fail "systemctl reload failed"
for _ in $(seq 50); do
	[ "$(events "e['type'] == 'rule-change' and e['change'] == 'sighup' and e['rules'] == $nrules")" -ge 1 ] && break
	sleep 0.1
done
[ "$(events "e['type'] == 'rule-change' and e['change'] == 'sighup' and e['rules'] == $nrules")" -ge 1 ] ||
	on_fail "no rule-change event for the reload with $nrules rules"
[ "$(show tattled MainPID)" = "$pid1" ] || on_fail "reload changed the pid"
[ "$(show tattled ActiveState)" = active ] || on_fail "not active after reload"
tt_log "reload: same pid $pid1, $nrules rules loaded"

# The sandboxed service still sees and names a program: a transient unit
# inside the container connects to port 9, which the new rule denies.
inside --unit=tt-connect /usr/bin/timeout 3 /bin/bash -c \
	'exec 3<>/dev/tcp/127.0.0.1/9' || true
deny="e['type'] == 'connection' and e['dst']['port'] == 9 and e['verdict'] == 'deny' and e['rule'] == '000-0-test-reload' and (e.get('process') or {}).get('exe') == '/usr/bin/bash'"
[ "$(events "$deny")" -ge 1 ] || {
	tail -3 "$EVENTS" >&2; on_fail "no deny event naming /usr/bin/bash for port 9"; }
tt_log "filtering: $(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "connection" and e["dst"]["port"] == 9:
        p = e["process"]
        print("%s by rule %s, %s pid %d unit %s, attribution %s" % (e["verdict"], e["rule"], p["exe"], p["pid"], p.get("unit"), e["attribution"]["source"])); break
' "$EVENTS")"

# ---- watchdog -------------------------------------------------------------

# A short watchdog for the test, and the test-only stall switched on.
cat >"$DROPIN/test.conf" <<'EOF'
[Service]
WatchdogSec=2s
Environment=TATTLED_TEST_STALL=1
LimitCORE=0
EOF
ct systemctl daemon-reload
ct systemctl restart tattled.service || on_fail "restart with the watchdog drop-in failed"
pid2=$(show tattled MainPID)
restarts0=$(show tattled NRestarts)
# Pings keep it alive well past the 2 s limit.
sleep 5
[ "$(show tattled MainPID)" = "$pid2" ] || on_fail "restarted while the loop was turning"
[ "$(show tattled NRestarts)" = "$restarts0" ] || on_fail "NRestarts moved while the loop was turning"
[ "$(chains)" -eq "$nch" ] || on_fail "chains $(chains) after restart, $nch before"
ct systemctl kill -s SIGUSR2 --kill-who=main tattled.service
pid3=""
for _ in $(seq 100); do
	p=$(show tattled MainPID)
	if [ "$p" != "$pid2" ] && [ "$p" != 0 ] &&
	   [ "$(show tattled SubState)" = running ]; then pid3=$p; break; fi
	sleep 0.1
done
[ -n "$pid3" ] || on_fail "the stalled loop was not restarted within 10 s"
journal | grep -q 'Watchdog timeout' || on_fail "no watchdog timeout in the journal"
[ "$(show tattled NRestarts)" -gt "$restarts0" ] || on_fail "NRestarts did not grow"
tt_log "watchdog: stalled pid $pid2 killed ($(journal | grep -m1 'Watchdog timeout' | sed 's/^.*Watchdog/Watchdog/')), restarted as $pid3"
for _ in $(seq 20); do [ "$(chains)" -eq "$nch" ] && break; sleep 0.1; done
[ "$(chains)" -eq "$nch" ] || on_fail "chains $(chains) after the watchdog restart, $nch before"

# ---- stop -----------------------------------------------------------------

ct systemctl stop tattled.service || on_fail "systemctl stop failed"
[ "$(show tattled ActiveState)" = inactive ] || on_fail "not inactive after stop"
[ "$(show tattled ExecMainStatus)" = 0 ] || on_fail "exit status $(show tattled ExecMainStatus) on stop"
[ "$(show tattled Result)" = success ] || on_fail "result $(show tattled Result) on stop"
[ "$(chains)" -eq 0 ] || on_fail "$(chains) chain lines left after stop"
n=$(tt_audit_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules_with_key"])')
[ "$n" -eq 0 ] || on_fail "$n audit rules with key $TT_KEY left after stop"
tt_log "stop: exit 0, result success, no chain, no audit rule"
