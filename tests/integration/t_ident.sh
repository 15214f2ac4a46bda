#!/bin/bash
# Identity beyond the path, under default deny, with real processes in
# cgroups this test makes under the cgroup2 mount (hybrid or pure v2):
#  - a service-shaped cgroup (…/tt-PID.service): allowed by process.unit;
#  - a Docker-shaped scope (docker-<64 hex>.scope): allowed by
#    process.container; its events name {"runtime":"docker","id":...};
#  - a copy of tconnect allowed by process.hash.md5, and the same copy
#    with one byte appended (another hash) denied;
#  - a nolog rule that allows but leaves no event;
#  - a plain process in none of these: denied by the default.
. "$(dirname "$0")/lib.sh"
tt_require_root
[ -n "$(tt_cgroup2_mount)" ] || tt_fail "no cgroup2 mount on this host"
tt_netns
tt_server 8080
tt_server 8081

top="tattle-it-$$.slice"
unit="tt-ident-$$.service"
cid=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
tt_cgroup "$top/$unit"
svc_cg=$TT_CG
tt_cgroup "$top/docker-$cid.scope"
ctr_cg=$TT_CG
mnt=$(tt_cgroup2_mount)

cp "$TT_TOOLS/tconnect" "$TT_TMP/svc"
cp "$TT_TOOLS/tconnect" "$TT_TMP/ctr"
cp "$TT_TOOLS/tconnect" "$TT_TMP/plain"
cp "$TT_TOOLS/tconnect" "$TT_TMP/hashok"
cp "$TT_TOOLS/tconnect" "$TT_TMP/hashbad"
printf 'x' >>"$TT_TMP/hashbad"
cp "$TT_TOOLS/tconnect" "$TT_TMP/quiet"
# Every other copy gets its own trailing byte: only hashok has its md5.
for f in svc ctr plain quiet; do printf '%s' "$f" >>"$TT_TMP/$f"; done
md5=$(md5sum "$TT_TMP/hashok" | cut -d' ' -f1)
bad_md5=$(md5sum "$TT_TMP/hashbad" | cut -d' ' -f1)
[ "$md5" != "$bad_md5" ] || tt_fail "appending a byte kept the md5"

mkdir "$TT_TMP/rules"
rule() {	# name, operator JSON, [extra members]
	printf '{"name":"%s","enabled":true,"action":"allow","duration":"always",%s"operator":%s}\n' \
		"$1" "${3:-}" "$2" >"$TT_TMP/rules/$1.json"
}
rule 100-unit '{"type":"simple","operand":"process.unit","data":"'"$unit"'"}'
rule 110-container '{"type":"regexp","operand":"process.container","data":"^'"${cid:0:12}"'"}'
rule 120-md5 '{"type":"simple","operand":"process.hash.md5","data":"'"$md5"'"}'
rule 130-quiet '{"type":"list","operand":"list","list":[
 {"type":"simple","operand":"process.path","data":"'"$TT_TMP/quiet"'"},
 {"type":"range","operand":"dest.port","data":"8081-8089"}]}' \
	'"nolog":true,"description":"chatty, not worth logging",'
tt_daemon --default-action deny --rules "$TT_TMP/rules"
[ -s "$TT_TMP/daemon.err" ] && grep -qi "invalid" "$TT_TMP/daemon.err" &&
	tt_fail "a rule file was refused"

tt_in_cgroup "$svc_cg" "$TT_TMP/svc" -t 2000 127.0.0.1 8080 >/dev/null ||
	tt_fail "service-cgroup process not allowed by process.unit"
tt_in_cgroup "$ctr_cg" "$TT_TMP/ctr" -t 2000 127.0.0.1 8080 >/dev/null ||
	tt_fail "docker-scope process not allowed by process.container"
tt_in "$TT_TMP/hashok" -t 2000 127.0.0.1 8080 >/dev/null ||
	tt_fail "process with the allowed md5 not allowed"
if tt_in "$TT_TMP/hashbad" -t 700 127.0.0.1 8080 >/dev/null; then
	tt_fail "copy with one byte appended (another md5) was not denied"
fi
if tt_in "$TT_TMP/plain" -t 700 127.0.0.1 8080 >/dev/null; then
	tt_fail "plain process was not denied"
fi
# the unit rule does not cover the container, nor the reverse
if tt_in_cgroup "$svc_cg" "$TT_TMP/plain" -t 700 -u 127.0.0.1 8080 >/dev/null; then
	: # allowed by unit: right, plain runs in the service cgroup
else
	tt_fail "UDP from the service cgroup not allowed by process.unit"
fi
tt_in "$TT_TMP/quiet" -t 2000 127.0.0.1 8081 >/dev/null ||
	tt_fail "nolog rule did not allow"
tt_in "$TT_TMP/quiet" -t 2000 127.0.0.1 8081 >/dev/null ||
	tt_fail "nolog rule did not allow (second)"
# A logged event after the quiet ones: when it is there, they were decided.
if tt_in "$TT_TMP/plain" -t 500 127.0.0.1 8081 >/dev/null; then
	tt_fail "plain to 8081 was not denied"
fi
tt_wait_events 1 "e['type']=='connection' and e['process'] and \
e['process']['exe']=='$TT_TMP/plain' and e['dst']['port']==8081" >/dev/null ||
	tt_fail "no event for plain to 8081"

svc_path="/${svc_cg#"$mnt"/}"
ctr_path="/${ctr_cg#"$mnt"/}"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and \
e['rule']=='100-unit' and e['process']['exe']=='$TT_TMP/svc' and \
e['process']['unit']=='$unit' and e['process']['cgroup']=='$svc_path' and \
e['process']['container'] is None")
[ "$n" -ge 1 ] || tt_fail "no allow event with unit $unit and cgroup $svc_path"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and \
e['rule']=='110-container' and e['process']['exe']=='$TT_TMP/ctr' and \
e['process']['container']=={'runtime':'docker','id':'$cid'} and \
e['process']['unit']=='docker-$cid.scope' and e['process']['cgroup']=='$ctr_path'")
[ "$n" -ge 1 ] || tt_fail "no allow event naming docker container $cid"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and \
e['rule']=='120-md5' and e['process']['exe']=='$TT_TMP/hashok' and \
e['process']['hash']['md5']=='$md5'")
[ "$n" -ge 1 ] || tt_fail "no allow event by md5 carrying the hash"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='deny' and \
e['reason']=='default' and e['process'] and e['process']['exe']=='$TT_TMP/hashbad' and \
e['process'].get('hash',{}).get('md5')=='$bad_md5'")
[ "$n" -ge 1 ] || tt_fail "no default-deny event for the appended copy with its md5"
n=$(tt_count_events "e['type']=='connection' and e['process'] and \
e['process']['exe']=='$TT_TMP/quiet'")
[ "$n" -eq 0 ] || tt_fail "$n events for the nolog rule's connections, want 0"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='deny' and \
e['process'] and e['process']['exe']=='$TT_TMP/plain' and \
e['process']['container'] is None and e['process']['cgroup'] is not None")
[ "$n" -ge 1 ] || tt_fail "plain process not denied with its cgroup named"
tt_daemon_stop
