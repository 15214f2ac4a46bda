#!/bin/bash
# --forward: a "container" namespace behind a veth pair, routed through
# the test namespace (tattled's --netns, standing in for the host) to an
# "outside" namespace.  Its processes sit in Docker-shaped scopes this
# test makes under the cgroup2 mount.  Their flows cross the FORWARD
# hook only: tattled must queue them, name the executable and container
# id (the socket is found in the container's namespace, its owner by
# audit or a /proc scan), and a process.container deny rule must block
# one container while the other passes.
. "$(dirname "$0")/lib.sh"
tt_require_root
[ -n "$(tt_cgroup2_mount)" ] || tt_fail "no cgroup2 mount on this host"
tt_netns
C="tt-fwd-c-$$"
O="tt-fwd-o-$$"
for ns in "$C" "$O"; do
	ip netns add "$ns" || tt_fail "ip netns add $ns"
	tt_on_exit "ip netns pids '$ns' 2>/dev/null | xargs -r kill -KILL 2>/dev/null; ip netns del '$ns' 2>/dev/null"
	ip -n "$ns" link set lo up
done
tt_in sysctl -qw net.ipv4.ip_forward=1 || tt_fail "ip_forward"
tt_in sysctl -qw net.ipv6.conf.all.forwarding=1 || tt_fail "ipv6 forwarding"
ip -n "$TT_NS" link add vh0 type veth peer name vc0 netns "$C" || tt_fail "veth c"
ip -n "$TT_NS" link add vh1 type veth peer name vo0 netns "$O" || tt_fail "veth o"
ip -n "$TT_NS" addr add 10.99.0.1/24 dev vh0
ip -n "$TT_NS" addr add 10.98.0.1/24 dev vh1
ip -n "$TT_NS" link set vh0 up
ip -n "$TT_NS" link set vh1 up
ip -n "$C" addr add 10.99.0.2/24 dev vc0
ip -n "$C" link set vc0 up
ip -n "$C" route add default via 10.99.0.1
ip -n "$O" addr add 10.98.0.2/24 dev vo0
ip -n "$O" link set vo0 up
ip -n "$O" route add default via 10.98.0.1
# IPv6 too (nodad: usable at once)
ip -n "$TT_NS" addr add fd99::1/64 dev vh0 nodad
ip -n "$TT_NS" addr add fd98::1/64 dev vh1 nodad
ip -n "$C" addr add fd99::2/64 dev vc0 nodad
ip -n "$C" route add default via fd99::1
ip -n "$O" addr add fd98::2/64 dev vo0 nodad
ip -n "$O" route add default via fd98::1

ip netns exec "$O" "$TT_TOOLS/tserver" -p 8080 -a 10.98.0.2 -a fd98::2 >"$TT_TMP/server.out" 2>&1 &
for _ in $(seq 50); do grep -q ready "$TT_TMP/server.out" && break; sleep 0.05; done
grep -q ready "$TT_TMP/server.out" || tt_fail "outside server did not start"
# Routed before tattled: the path works without it.
ip netns exec "$C" "$TT_TOOLS/tconnect" -t 2000 10.98.0.2 8080 >/dev/null ||
	tt_fail "no route from container to outside"
# (neighbour discovery may need a moment on a loaded host)
ok=0
for _ in 1 2 3 4 5; do
	ip netns exec "$C" "$TT_TOOLS/tconnect" -t 2000 fd98::2 8080 >/dev/null &&
		{ ok=1; break; }
	tt_log "IPv6 path not ready yet"
	sleep 0.5
done
[ "$ok" = 1 ] || tt_fail "no IPv6 route from container to outside: $(ip -n "$C" -6 addr; ip -n "$TT_NS" -6 addr)"

ida=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
idb=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
tt_cgroup "tattle-it-$$.slice/docker-$ida.scope"
cga=$TT_CG
tt_cgroup "tattle-it-$$.slice/docker-$idb.scope"
cgb=$TT_CG
cp "$TT_TOOLS/tconnect" "$TT_TMP/appa"
cp "$TT_TOOLS/tconnect" "$TT_TMP/appb"
# As in the container: its own process, in its scope, in its namespace.
in_ctr() {
	cg=$1; shift
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		ip netns exec "$C" "$@"
}

mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-deny-b.json" <<JSON
{"name":"100-deny-b","enabled":true,"action":"deny","duration":"always",
 "operator":{"type":"simple","operand":"process.container","data":"$idb"}}
JSON
tt_daemon --forward --default-action allow --rules "$TT_TMP/rules"
tt_in iptables -S FORWARD | grep -q TATTLE-FWD || tt_fail "no FORWARD hook with --forward"

for i in 1 2 3; do
	in_ctr "$cga" "$TT_TMP/appa" -t 3000 10.98.0.2 8080 >/dev/null ||
		tt_fail "container A ($i) was not allowed"
	if in_ctr "$cgb" "$TT_TMP/appb" -t 700 10.98.0.2 8080 >/dev/null; then
		tt_fail "container B ($i) was not denied by its process.container rule"
	fi
done
tt_wait_events 3 "e['type']=='connection' and e['dst']['ip']=='10.98.0.2' and \
e['verdict']=='deny'" >/dev/null || tt_fail "no deny events for B"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and \
e['src']['ip']=='10.99.0.2' and e['dst']['ip']=='10.98.0.2' and e['process'] and \
e['process']['exe']=='$TT_TMP/appa' and \
e['process']['container']=={'runtime':'docker','id':'$ida'} and \
e['attribution']['confidence']=='exact'")
[ "$n" -ge 3 ] || tt_fail "$n forwarded allow events naming appa in container A, want 3"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='deny' and \
e['rule']=='100-deny-b' and e['src']['ip']=='10.99.0.2' and \
e['process']['exe']=='$TT_TMP/appb' and e['process']['container']['id']=='$idb'")
[ "$n" -ge 3 ] || tt_fail "$n forwarded deny events by 100-deny-b naming appb, want >= 3"
n=$(tt_count_events "e['type']=='connection' and e['src']['ip']=='10.99.0.2' and \
(e['process'] is None or e['attribution']['source']=='none')")
[ "$n" -eq 0 ] || tt_fail "$n forwarded flows left unattributed"
# IPv6, and UDP (a connected socket: sent, echoed back)
in_ctr "$cga" "$TT_TMP/appa" -t 3000 fd98::2 8080 >/dev/null ||
	tt_fail "container A was not allowed over IPv6"
if in_ctr "$cgb" "$TT_TMP/appb" -t 700 fd98::2 8080 >/dev/null; then
	tt_fail "container B was not denied over IPv6"
fi
in_ctr "$cga" "$TT_TMP/appa" -t 3000 -u 10.98.0.2 8080 >/dev/null ||
	tt_fail "container A was not allowed over UDP"
if in_ctr "$cgb" "$TT_TMP/appb" -t 700 -u 10.98.0.2 8080 >/dev/null; then
	tt_fail "container B was not denied over UDP"
fi
tt_wait_events 1 "e['type']=='connection' and e['family']=='ipv6' and \
e['verdict']=='deny' and e['rule']=='100-deny-b' and e['src']['ip']=='fd99::2' and \
e['process']['exe']=='$TT_TMP/appb'" >/dev/null || tt_fail "no IPv6 deny naming appb"
tt_wait_events 1 "e['type']=='connection' and e['family']=='ipv6' and \
e['verdict']=='allow' and e['process'] and e['process']['exe']=='$TT_TMP/appa' and \
e['process']['container']['id']=='$ida'" >/dev/null || tt_fail "no IPv6 allow naming appa"
tt_wait_events 1 "e['type']=='connection' and e['proto']=='udp' and \
e['verdict']=='deny' and e['rule']=='100-deny-b' and e['src']['ip']=='10.99.0.2'" \
	>/dev/null || tt_fail "no UDP deny of container B"
tt_wait_events 1 "e['type']=='connection' and e['proto']=='udp' and \
e['verdict']=='allow' and e['process'] and e['process']['container']['id']=='$ida'" \
	>/dev/null || tt_fail "no UDP allow naming container A"
tt_daemon_stop
tt_in iptables -S FORWARD | grep -q TATTLE && tt_fail "FORWARD hook left behind"

# Without audit there are no hints: every namespace's tables are read,
# and the owner comes from a /proc scan.
mv "$TT_EVENTS" "$TT_TMP/events.audit.jsonl"
tt_daemon --forward --no-audit --hash-executables --default-action allow \
	--rules "$TT_TMP/rules"
in_ctr "$cga" "$TT_TMP/appa" -t 3000 10.98.0.2 8080 >/dev/null ||
	tt_fail "container A was not allowed (no audit)"
if in_ctr "$cgb" "$TT_TMP/appb" -t 700 10.98.0.2 8080 >/dev/null; then
	tt_fail "container B was not denied (no audit)"
fi
tt_wait_events 1 "e['type']=='connection' and e['rule']=='100-deny-b' and e['process']['container']['id']=='$idb' and e['attribution']['source']=='proc-scan'" >/dev/null ||
	tt_fail "no deny of B attributed by a /proc scan"
# hash_executables: events carry the hashes with no rule reading them.
md5=$(md5sum "$TT_TMP/appa" | cut -d' ' -f1)
sha1=$(sha1sum "$TT_TMP/appa" | cut -d' ' -f1)
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='allow' and \
e['process'] and e['process']['exe']=='$TT_TMP/appa' and \
e['process']['container']['id']=='$ida' and \
e['process']['hash']=={'md5':'$md5','sha1':'$sha1'}" >/dev/null ||
	tt_fail "no allow of A naming its container and hashes (no audit)"
tt_daemon_stop
exit 0
