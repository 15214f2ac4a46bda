#!/bin/bash
# Without audit: sock_diag finds the socket and a /proc scan on the worker
# thread finds its owner; a second connection from the same process is
# still exact.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_daemon --no-bpf --no-audit
for addr in 127.0.0.1 ::1; do
	for flag in "" -u; do
		out=$(tt_in "$TT_TOOLS/tconnect" -c 2 $flag -T na "$addr" 8080) ||
			tt_fail "connect $flag $addr: $out"
		pid=${out%% *}
		n=$(tt_wait_events 2 "e['type']=='connection' and e['process'] and \
e['process']['pid']==$pid and e['attribution']['confidence']=='exact' and \
e['attribution']['source'] in ('proc-scan','inode-cache')") ||
			tt_fail "$flag $addr: pid $pid not attributed ($n)"
	done
done
tt_daemon_stop
