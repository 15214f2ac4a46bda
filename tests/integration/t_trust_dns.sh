#!/bin/bash
# Issue 14 item 12: a DNS answer names an address only when it answers a
# query that left (same 5-tuple, transaction id and question), and only
# for the process that asked.  Default deny, "allow dest.host good.test":
# a resolver that forges replies around its genuine one (wrong id, other
# question, a second answer) must not open the forged addresses; another
# process connecting to the genuine address does not get the name.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_in ip link add dns0 type veth peer name dns1
tt_in ip link set dns1 up
tt_in ip addr add 10.200.0.2/24 dev dns0
for i in 10 11 12 13; do tt_in ip addr add 10.200.0.$i/24 dev dns0; done
tt_in ip link set dns0 up
tt_in python3 "$TT_ROOT/tests/tools/dnsforge.py" 10.200.0.2 10.200.0.10 \
	10.200.0.11 10.200.0.12 10.200.0.13 >"$TT_TMP/forge.out" 2>&1 &
for _ in $(seq 50); do grep -q ready "$TT_TMP/forge.out" && break; sleep 0.1; done
tt_server 8080 -a 10.200.0.10 -a 10.200.0.11 -a 10.200.0.12 -a 10.200.0.13
mkdir -p "$TT_TMP/rules"
cat >"$TT_TMP/rules/010-allow-dns.json" <<JSON
{"name":"010-allow-dns","enabled":true,"precedence":false,"action":"allow",
 "duration":"always","operator":{"type":"simple","operand":"dest.port",
 "sensitive":false,"data":"53"}}
JSON
cat >"$TT_TMP/rules/100-allow-good.json" <<JSON
{"name":"100-allow-good","enabled":true,"precedence":false,"action":"allow",
 "duration":"always","operator":{"type":"simple","operand":"dest.host",
 "sensitive":false,"data":"good.test"}}
JSON
tt_daemon --default-action deny --rules "$TT_TMP/rules" --no-audit

out=$(tt_in python3 "$TT_ROOT/tests/tools/dnsclient.py" 10.200.0.2 good.test 8080 \
	10.200.0.10 10.200.0.11 10.200.0.12 10.200.0.13) || tt_fail "dnsclient: $out"
tt_log "$(echo $out)"
echo "$out" | grep -qx "answer 10.200.0.10" || tt_fail "no genuine answer: $out"
echo "$out" | grep -qx "10.200.0.10 ok" ||
	tt_fail "the genuine answer did not name its address for the asker: $out"
for a in 11 12 13; do
	echo "$out" | grep -qx "10.200.0.$a fail" ||
		tt_fail "a forged reply named 10.200.0.$a: $out"
done
for a in 11 12 13; do
	tt_wait_events 1 "e['type']=='connection' and e['dst']['ip']=='10.200.0.$a' \
and e['verdict']=='deny' and e['dst']['host'] is None" >/dev/null ||
		tt_fail "10.200.0.$a: no deny event without a name"
done
tt_wait_events 1 "e['type']=='connection' and e['dst']['ip']=='10.200.0.10' \
and e['dst']['host']=='good.test' and e['rule']=='100-allow-good'" >/dev/null ||
	tt_fail "no allow event naming good.test"

# Another process did not ask: the name is not its to use.
if tt_in "$TT_TOOLS/tconnect" -t 700 10.200.0.10 8080 >/dev/null; then
	tt_fail "another process's lookup named the address for tconnect"
fi
tt_wait_events 1 "e['type']=='connection' and e['dst']['ip']=='10.200.0.10' \
and e['verdict']=='deny' and e['process'] and \
e['process']['exe'].endswith('tconnect') and e['dst']['host'] is None" >/dev/null ||
	tt_fail "no unnamed deny event for tconnect"

# A second query on the same socket (an established flow, not decided
# again) is remembered too: its answer names the address (last wins).
out=$(tt_in python3 "$TT_ROOT/tests/tools/dnsclient.py" 10.200.0.2 \
	first.test,good.test 8080 10.200.0.10) || tt_fail "dnsclient: $out"
tt_log "$(echo $out)"
echo "$out" | grep -qx "10.200.0.10 ok" ||
	tt_fail "the answer to a later query on one socket was not learned: $out"
tt_daemon_stop
