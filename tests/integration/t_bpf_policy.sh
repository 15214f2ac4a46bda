#!/bin/bash
# Issue 13's policy run, with eBPF: default deny plus "allow process.path =
# churn-a"; one-shot senders of churn-a and churn-b (copies of one binary)
# race to the same destination, 8 at a time, TCP, connected UDP and
# fire-and-forget UDP, v4 and v6.  Every churn-a flow is allowed and every
# churn-b flow denied, although each sender has exited when its packet is
# decided.
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
tt_server 8080
cp "$TT_TOOLS/churn" "$TT_TMP/churn-a"
cp "$TT_TOOLS/churn" "$TT_TMP/churn-b"
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-allow-a.json" <<JSON
{"name":"100-allow-a","enabled":true,"precedence":false,"action":"allow",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":false,"data":"$TT_TMP/churn-a","list":[]}}
JSON
N=${TT_POLICY_N:-40}
tt_daemon --default-action deny --rules "$TT_TMP/rules"
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
: >"$TT_TMP/flows"
base=25000
for cls in tcp udp ff; do
	for addr in 127.0.0.1 ::1; do
		# A denied TCP connect times out in the child: that is not
		# a sender failure here, so the driver's status is ignored.
		tt_in "$TT_TOOLS/churn" -D -m $cls -n "$N" -k 8 -e "$TT_TMP/churn-a" \
			-e "$TT_TMP/churn-b" -a $addr -s $base 8080 >>"$TT_TMP/flows" || true
		base=$((base + N))
	done
done
tt_wait_events $((6 * N)) "e['type']=='connection'" 20 >/dev/null || true
tt_daemon_stop
python3 - "$TT_EVENTS" "$TT_TMP/flows" "$TT_TMP/churn-a" <<'PY' || tt_fail "a verdict did not follow the sender's executable"
import collections, json, sys
events, flows, good = sys.argv[1:4]
first = {}
for line in open(events):
    e = json.loads(line)
    if e["type"] == "connection":
        first.setdefault((e["proto"], e["family"], e["src"]["port"]), e)
stats, bad = collections.Counter(), 0
for line in open(flows):
    pid, exe, cls, addr, port, sport, status = line.split()
    key = ("tcp" if cls == "tcp" else "udp", "ipv6" if ":" in addr else "ipv4", int(sport))
    e = first.get(key)
    who = "good" if exe == good else "bad"
    want = "allow" if who == "good" else "deny"
    got = e["verdict"] if e else "missing"
    stats[(cls, who, got)] += 1
    bad += got != want
for k in sorted(stats):
    print("# %s %s: %s %d" % (k[0], k[1], k[2], stats[k]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
tt_bpf_none_left || tt_fail "BPF programs left attached"
