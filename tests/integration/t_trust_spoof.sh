#!/bin/bash
# Issue 14 item 2: an executable path spoofed through a mount namespace.
# As nobody, `unshare -Urm` a mount namespace, bind-mount another program
# (mal) over the allowed path (good) there and exec that path: readlink
# of /proc/PID/exe says good, but the file is mal's.  Default deny plus
# "allow process.path = good": the real good connects (verified), the
# spoofed one is denied (its event says verified: false).  With audit
# (the exe then comes from the record, checked against /proc while the
# process lives) and without.  Both run through `nsenter --net` (`ip
# netns exec` gives each process a private mount namespace of its own).
. "$(dirname "$0")/lib.sh"
tt_require_root
command -v setpriv >/dev/null && command -v unshare >/dev/null &&
	command -v nsenter >/dev/null || tt_fail "setpriv/unshare/nsenter missing"
tt_netns
tt_server 8080
chmod 755 "$TT_TMP"
cp "$TT_TOOLS/tconnect" "$TT_TMP/good"
cp "$TT_TOOLS/tconnect" "$TT_TMP/mal"
chmod 755 "$TT_TMP/good" "$TT_TMP/mal"
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups \
	unshare -Urm sh -c "mount --bind $TT_TMP/mal $TT_TMP/good" 2>"$TT_TMP/userns.err"; then
	[ "${CI:-}" = true ] && tt_fail "no unprivileged user namespaces: $(cat "$TT_TMP/userns.err")"
	tt_skip "unprivileged user namespaces unavailable: $(cat "$TT_TMP/userns.err")"
fi
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-allow-good.json" <<JSON
{"name":"100-allow-good","enabled":true,"precedence":false,"action":"allow",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":true,"data":"$TT_TMP/good"}}
JSON
as_nobody() {
	nsenter --net="/run/netns/$TT_NS" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
for mode in audit no-audit; do
	: >"$TT_EVENTS"
	if [ $mode = audit ]; then
		tt_daemon --default-action deny --rules "$TT_TMP/rules"
	else
		tt_daemon --default-action deny --rules "$TT_TMP/rules" --no-audit
	fi
	out=$(as_nobody "$TT_TMP/good" -t 1000 -T good 127.0.0.1 8080) ||
		tt_fail "$mode: the real good was not allowed: $out"
	good=${out%% *}
	if out=$(as_nobody unshare -Urm sh -c "mount --bind $TT_TMP/mal $TT_TMP/good &&
		exec $TT_TMP/good -t 1000 -T spoof 127.0.0.1 8080"); then
		tt_fail "$mode: the spoofed good was allowed: $out"
	fi
	tt_wait_events 1 "e['type']=='connection' and e['verdict']=='allow' and \
e['process'] and e['process']['pid']==$good and e['process'].get('verified') is True" \
		>/dev/null || tt_fail "$mode: no verified allow event for the real good"
	tt_wait_events 1 "e['type']=='connection' and e['verdict']=='deny' and \
e['dst']['port']==8080" >/dev/null || tt_fail "$mode: no deny event for the spoofed good"
	n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and \
(e['process'] is None or 'spoof' in (e['process']['cmdline'] or []))")
	[ "$n" -eq 0 ] || tt_fail "$mode: a spoofed connection was allowed"
	n=$(tt_count_events "e['type']=='connection' and e['process'] and \
'spoof' in (e['process']['cmdline'] or []) and e['process'].get('verified') is not False")
	[ "$n" -eq 0 ] || tt_fail "$mode: a spoofed process was called verified"
	tt_daemon_stop
done
