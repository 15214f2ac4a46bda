#!/bin/bash
# eBPF unavailable: tattled runs where bpf(2) fails with EPERM although it
# holds every capability (tools/nobpf: a seccomp filter, as Docker's default
# profile does).  It says so in one start line, names the reason, and the
# audit path carries on alone: a live client is still attributed exactly.
# (Missing capabilities are named by bpfsrc_explain, unit-tested in
# test_bpfsrc: dropping CAP_BPF alone cannot be shown here, because
# CAP_SYS_ADMIN, which setns() for --netns needs, implies it.)
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_audit_guard
tt_netns
tt_server 8080
[ -x "$TT_TOOLS/nobpf" ] || tt_fail "build/tools/nobpf missing (make tools)"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$TT_TOOLS/nobpf" "$TATTLED" >"$TT_TMP/tattled"
chmod +x "$TT_TMP/tattled"
TATTLED=$TT_TMP/tattled tt_daemon
n=$(grep -c "eBPF attribution unavailable" "$TT_TMP/daemon.err" || true)
[ "$n" -eq 1 ] || tt_fail "expected one 'eBPF attribution unavailable' line, got $n"
grep -q "eBPF attribution unavailable: loading the BPF object: .*EPERM.*audit and /proc path carries on alone" \
	"$TT_TMP/daemon.err" || tt_fail "the line does not say why: $(grep eBPF "$TT_TMP/daemon.err")"
grep -q "audit on, attribution sock_diag, audit, proc-scan" "$TT_TMP/daemon.err" ||
	tt_fail "start line does not list the audit path: $(grep '^tattled ' "$TT_TMP/daemon.err")"
[ -z "$(tt_bpf_ours | comm -13 <(echo "$TT_BPF_BEFORE") -)" ] ||
	tt_fail "programs attached although loading failed"
out=$(tt_in "$TT_TOOLS/tconnect" 127.0.0.1 8080) || tt_fail "client failed: $out"
pid=${out%% *}
tt_wait_events 1 "e['type']=='connection' and (e['process'] or {}).get('pid')==$pid" 5 >/dev/null ||
	tt_fail "the client's connection was not attributed: $(tail -3 "$TT_EVENTS")"
tt_daemon_stop
python3 - "$TT_EVENTS" "$pid" "$TT_TOOLS/tconnect" <<'PY' || tt_fail "audit path attribution wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ev = [e for e in ev if e["type"] == "connection" and e["process"] and
      e["process"]["pid"] == int(sys.argv[2])]
e = ev[0]
print("# attributed by", e["attribution"], file=sys.stderr)
sys.exit(0 if e["process"]["exe"] == sys.argv[3] and
         e["attribution"]["source"] != "bpf" and
         e["attribution"]["confidence"] == "exact" else 1)
PY
