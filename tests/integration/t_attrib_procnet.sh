#!/bin/bash
# Without sock_diag (forced with the config key no_sockdiag) the packet's
# socket is found by parsing /proc/net/{tcp,udp}{,6} on the worker thread,
# and its owner by a /proc scan: still exact for live processes.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
echo '{"no_sockdiag": true}' >"$TT_TMP/cfg.json"
tt_daemon --no-bpf --no-audit --config "$TT_TMP/cfg.json"
tt_wait_events 1 "e['type']=='warning' and e['code']=='sockdiag-unavailable'" \
	>/dev/null || tt_fail "no warning that sock_diag is off"
for addr in 127.0.0.1 ::1; do
	for flag in "" -u; do
		out=$(tt_in "$TT_TOOLS/tconnect" $flag -T pn "$addr" 8080) ||
			tt_fail "connect $flag $addr: $out"
		pid=${out%% *}
		tt_wait_events 1 "e['type']=='connection' and e['process'] and \
e['process']['pid']==$pid and e['attribution']['confidence']=='exact'" >/dev/null ||
			tt_fail "$flag $addr: pid $pid not attributed via /proc/net"
	done
done
tt_daemon_stop
