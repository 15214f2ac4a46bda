#!/bin/bash
# A rules directory with 300+ invalid files (19 kinds: bad JSON, empty,
# binary, not an object, nesting 10000 deep, trailing data, over 1 MiB,
# missing or mistyped fields, unknown action/type/operand, bad regexp,
# CIDR, duration, list member; plus a dangling symlink and a directory
# named *.json) and three valid ones (allow good, deny bad, one disabled).
# `tattled --check-rules` exits 1, names every invalid file exactly once
# and prints exactly the valid rules; the daemon names every invalid file
# in a rule-invalid warning event and none of the valid ones, and the
# valid rules decide (default deny: good allowed by its rule, bad denied
# by its rule, IPv4 and IPv6); the same holds after SIGHUP.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
R=$TT_TMP/rules
mkdir "$R"
cp "$TT_TOOLS/tconnect" "$TT_TMP/good"
cp "$TT_TOOLS/tconnect" "$TT_TMP/bad"
NBAD=${TT_BAD_RULES:-300}
python3 - "$R" "$NBAD" "$TT_TMP" <<'PY'
import json, os, sys
d, n, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def rule(name, **kw):
    r = {"name": name, "enabled": True, "precedence": False, "action": "deny",
         "duration": "always",
         "operator": {"type": "simple", "operand": "true", "data": "", "sensitive": False}}
    r.update(kw)
    return r
def op(**kw):
    o = {"type": "simple", "operand": "true", "data": "", "sensitive": False}
    o.update(kw)
    return o
def j(o):
    return json.dumps(o)
kinds = [
    ("badjson", lambda nm: '{"name": "%s", "action": ' % nm),
    ("empty", lambda nm: ''),
    ("binary", lambda nm: '\x00\x01\x02\xff\xfe'),
    ("notobject", lambda nm: '[1,2,3]'),
    ("deep", lambda nm: '[' * 10000 + ']' * 10000),
    ("trailing", lambda nm: j(rule(nm)) + ' garbage'),
    ("noaction", lambda nm: j({k: v for k, v in rule(nm).items() if k != "action"})),
    ("noname", lambda nm: j({k: v for k, v in rule(nm).items() if k != "name"})),
    ("nooperator", lambda nm: j({k: v for k, v in rule(nm).items() if k != "operator"})),
    ("nametype", lambda nm: j(rule(5))),
    ("badaction", lambda nm: j(rule(nm, action="maybe"))),
    ("badtype", lambda nm: j(rule(nm, operator=op(type="fuzzy")))),
    ("badoperand", lambda nm: j(rule(nm, operator=op(operand="process.colour", data="x")))),
    ("badregex", lambda nm: j(rule(nm, operator=op(type="regexp", operand="process.path", data="(unclosed")))),
    ("badcidr", lambda nm: j(rule(nm, operator=op(type="network", operand="dest.network", data="300.1.2.0/99")))),
    ("badduration", lambda nm: j(rule(nm, duration="forever-ish"))),
    ("badlist", lambda nm: j(rule(nm, operator=op(type="list", operand="list",
                              list=[op(operand="nope", data="1")])))),
    ("hugedata", lambda nm: j(rule(nm, operator=op(operand="process.path", data="a" * (1 << 20))))),
]
bad = []
for i in range(n):
    k, f = kinds[i % len(kinds)]
    name = "inv-%s-%d" % (k, i)
    path = os.path.join(d, "%04d-%s.json" % (i, k))
    with open(path, "w", encoding="latin-1") as fh:
        fh.write(f(name))
    bad.append(path)
p = os.path.join(d, "%04d-dangling.json" % n)
os.symlink(os.path.join(d, "nowhere"), p); bad.append(p)
p = os.path.join(d, "%04d-dir.json" % (n + 1))
os.mkdir(p); bad.append(p)
good = [rule("zz-100-allow-good", action="allow",
             operator=op(operand="process.path", data=tmp + "/good")),
        rule("zz-200-deny-bad", operator=op(operand="process.path", data=tmp + "/bad")),
        rule("zz-300-disabled", enabled=False)]
for r in good:
    open(os.path.join(d, r["name"] + ".json"), "w").write(j(r))
open(tmp + "/bad.list", "w").write("\n".join(bad) + "\n")
open(tmp + "/good.list", "w").write("\n".join(r["name"] for r in good) + "\n")
PY
nbad=$(wc -l <"$TT_TMP/bad.list")

# --check-rules
rc=0
t0=$(date +%s%N)
"$TATTLED" --check-rules "$R" >"$TT_TMP/check.out" 2>"$TT_TMP/check.err" || rc=$?
tt_log "check-rules: exit $rc in $(( ($(date +%s%N) - t0) / 1000000 )) ms, $(wc -l <"$TT_TMP/check.err") error lines"
[ "$rc" -eq 1 ] || tt_fail "--check-rules exited $rc, want 1"
fails=""
python3 - "$TT_TMP" <<'PY' || fails="$fails; --check-rules does not name every invalid file once or prints other rules"
import json, sys
tmp = sys.argv[1]
bad = open(tmp + "/bad.list").read().split()
good = open(tmp + "/good.list").read().split()
err = open(tmp + "/check.err", encoding="utf-8", errors="replace").read().splitlines()
missing = [b for b in bad if sum(1 for l in err if l.startswith(b + ":")) != 1]
print("# check-rules named %d of %d invalid files; last line: %s" %
      (len(bad) - len(missing), len(bad), err[-1] if err else ""), file=sys.stderr)
names = sorted(json.loads(l)["name"] for l in open(tmp + "/check.out"))
if missing:
    print("# not named exactly once (%d), e.g.:" % len(missing),
          [m.rsplit("/", 1)[-1] for m in missing[:5]], file=sys.stderr)
if names != sorted(good):
    print("# parsed rules:", names[:10], "want", good, file=sys.stderr)
sys.exit(1 if missing or names != sorted(good) else 0)
PY

check_daemon() {	# check_daemon LABEL FROM: warnings from event line FROM on
	python3 - "$TT_TMP" "$TT_EVENTS" "$1" "$2" <<'PY' || fails="$fails; $1: warnings do not name every invalid file"
import collections, json, os, sys, time
tmp, events, label, skip = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
# Warnings name files relative to the rules directory.
bad = set(os.path.basename(p) for p in open(tmp + "/bad.list").read().split())
good = open(tmp + "/good.list").read().split()
def scan():
    files = collections.Counter()
    with open(events) as f:
        lines = f.readlines()[skip:]
    for line in lines:
        if not line.endswith("\n"):
            break  # being written
        e = json.loads(line)
        if e["type"] == "warning" and e.get("code") == "rule-invalid" and e.get("file"):
            files[os.path.basename(e["file"])] += 1
    return files
end = time.time() + 5
while True:
    files = scan()
    if set(files) >= bad or time.time() > end:
        break
    time.sleep(0.1)
named = set(files)
extra = [f for f in named if f not in bad]
miss = sorted(bad - named)
print("# %s: %d rule-invalid warnings naming %d files (want %d)" %
      (label, sum(files.values()), len(named), len(bad)), file=sys.stderr)
if miss or extra:
    print("# not named (%d), e.g.:" % len(miss), miss[:5], "named but valid or not ours:",
          extra[:5], file=sys.stderr)
sys.exit(1 if miss or extra else 0)
PY
	for addr in 127.0.0.1 ::1; do
		tt_in "$TT_TMP/good" -t 1000 "$addr" 8080 >/dev/null || tt_fail "$1: good $addr not allowed"
		if tt_in "$TT_TMP/bad" -t 500 "$addr" 8080 >/dev/null; then
			tt_fail "$1: bad $addr not denied"
		fi
	done
	sleep 0.2
	n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and e['rule']=='zz-100-allow-good'")
	[ "$n" -ge "$3" ] || tt_fail "$1: $n allow events by zz-100-allow-good, want $3"
	n=$(tt_count_events "e['type']=='connection' and e['verdict']=='deny' and e['rule']=='zz-200-deny-bad'")
	[ "$n" -ge "$3" ] || tt_fail "$1: $n deny events by zz-200-deny-bad, want $3"
}

t0=$(date +%s%N)
tt_daemon --default-action deny --no-audit --rules "$R"
tt_log "daemon ready $(( ($(date +%s%N) - t0) / 1000000 )) ms after start with $nbad invalid files"
check_daemon start 0 2
sleep 0.3
mark=$(wc -l <"$TT_EVENTS")
kill -HUP "$TT_DAEMON_PID"
check_daemon SIGHUP "$mark" 4
tt_daemon_stop
[ -z "$fails" ] || tt_fail "${fails#; }"
