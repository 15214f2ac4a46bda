#!/bin/bash
# Default allow: TCP and UDP over IPv4 and IPv6 succeed, and each new
# connection yields exactly one "connection" event with the right 5-tuple.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_daemon --default-action allow --no-audit

i=0
for spec in "- 127.0.0.1 tcp ipv4" "- ::1 tcp ipv6" "-u 127.0.0.1 udp ipv4" \
	    "-u ::1 udp ipv6" "-U 127.0.0.1 udp ipv4" "-U ::1 udp ipv6"; do
	set -- $spec
	flag=$1 addr=$2 proto=$3 fam=$4
	[ "$flag" = - ] && flag=""
	[ "$flag" = -U ] && flag="-U -w"
	out=$(tt_in "$TT_TOOLS/tconnect" -L $flag "$addr" 8080) ||
		tt_fail "$proto $addr: $out"
	lport=$(echo "$out" | awk '/^local/ {print $2}')
	i=$((i + 1))
	n=$(tt_wait_events 1 "e['type']=='connection' and e['proto']=='$proto' and \
e['family']=='$fam' and e['src']['ip']=='$addr' and e['src']['port']==$lport and \
e['dst']['ip']=='$addr' and e['dst']['port']==8080 and e['verdict']=='allow' and \
e['reason']=='default'") || tt_fail "no event for $proto $addr:$lport"
	[ "$n" -eq 1 ] || tt_fail "$n events for $proto $addr:$lport, want 1"
done
sleep 0.3
total=$(tt_count_events "e['type']=='connection'")
[ "$total" -eq "$i" ] || tt_fail "$total connection events for $i connections"
# Schema v1 basics on every line.
n=$(tt_count_events "e['v']==1 and e['seq']>0 and e['ts'].endswith('Z') and \
'attribution' in e and 'verdict_us' in e")
[ "$n" -eq "$total" ] || tt_fail "schema fields missing"
tt_daemon_stop
[ "$(tt_chain_count)" -eq 0 ] || tt_fail "chains left after clean exit"
tt_log "$total connections, $total events"
