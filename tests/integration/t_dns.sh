#!/bin/bash
# Hostnames: a DNS responder inside the namespace (on the address of an
# interface the test creates there: a veth pair with both ends inside, as
# this kernel has no dummy driver) answers; a client resolves a name and connects; the event
# carries the name; a dest.host deny rule and a domain list block it while
# a different name passes.  Queries to port 53 name what was asked.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_in ip link add dns0 type veth peer name dns1
tt_in ip link set dns1 up
tt_in ip addr add 10.200.0.1/24 dev dns0
tt_in ip addr add 10.200.0.10/24 dev dns0
tt_in ip addr add 10.200.0.11/24 dev dns0
tt_in ip addr add 10.200.0.12/24 dev dns0
tt_in ip link set dns0 up
tt_in python3 "$TT_ROOT/tests/tools/dnsd.py" 10.200.0.1 good.test=10.200.0.10 \
	bad.test=10.200.0.11 listed.test=10.200.0.12 alias.test=@good.test \
	>"$TT_TMP/dnsd.out" 2>&1 &
for _ in $(seq 50); do grep -q ready "$TT_TMP/dnsd.out" && break; sleep 0.1; done
tt_server 8080 -a 10.200.0.10 -a 10.200.0.11 -a 10.200.0.12
mkdir -p "$TT_TMP/rules" "$TT_TMP/lists"
printf '# blocked\n0.0.0.0 listed.test\n127.0.0.1 other.test\n' >"$TT_TMP/lists/hosts"
cat >"$TT_TMP/rules/100-deny-bad.json" <<JSON
{"name":"100-deny-bad","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"simple","operand":"dest.host",
 "sensitive":false,"data":"bad.test"}}
JSON
cat >"$TT_TMP/rules/110-deny-list.json" <<JSON
{"name":"110-deny-list","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"lists","operand":"lists.domains",
 "sensitive":false,"data":"$TT_TMP/lists"}}
JSON
tt_daemon --default-action allow --rules "$TT_TMP/rules" --no-audit

# Resolve and connect from one process: a name is bound to the process
# that looked it up (t_trust_dns shows another process does not get it).
connect_name() {
	rc=0
	tt_in python3 "$TT_ROOT/tests/tools/resolve.py" 10.200.0.1 "$1" 8080 \
		>/dev/null || rc=$?
	[ "$rc" -eq 1 ] && tt_fail "resolve $1"
	return "$rc"
}
connect_name good.test || tt_fail "good.test was blocked"
connect_name alias.test || tt_fail "alias.test (CNAME to good.test) was blocked"
if connect_name bad.test; then tt_fail "bad.test passed a dest.host deny rule"; fi
if connect_name listed.test; then tt_fail "listed.test passed a domain list"; fi

tt_wait_events 1 "e['type']=='connection' and e['dst']['ip']=='10.200.0.10' and \
e['dst']['host']=='good.test' and e['verdict']=='allow'" >/dev/null ||
	tt_fail "no allow event naming good.test"
tt_wait_events 1 "e['type']=='connection' and e['dst']['host']=='alias.test' and \
e['dst']['ip']=='10.200.0.10'" >/dev/null || tt_fail "CNAME not resolved back to alias.test"
tt_wait_events 1 "e['dst']['host']=='bad.test' and e['verdict']=='deny' and \
e['rule']=='100-deny-bad'" >/dev/null || tt_fail "no deny event by dest.host"
tt_wait_events 1 "e['dst']['host']=='listed.test' and e['verdict']=='deny' and \
e['rule']=='110-deny-list'" >/dev/null || tt_fail "no deny event by the domain list"
tt_wait_events 1 "e['dst']['port']==53 and e['dst']['host']=='good.test' and \
e['proto']=='udp'" >/dev/null || tt_fail "DNS query event does not name the query"
tt_daemon_stop
