"""Translation between tattled's JSON (proto/PROTOCOL.md) and OpenSnitch's
1.5 UI protocol messages (opensnitch/proto/ui.proto).

Pure functions, no I/O: the message module generated from ui.proto is
passed in as `pb`, so the unit tests exercise exactly what the bridge sends.
"""
import datetime
import json

# The 1.5.8.1 GUI compares major.minor of Statistics.daemon_version with its
# own (a mismatch opens a modal warning) and splits it into exactly three
# parts (anything else breaks its Ping handler).  This is the protocol
# version spoken here; tattled's own version goes into the node's config.
PROTOCOL_VERSION = "1.5.8"

ACTIONS = ("allow", "deny", "reject")
GUI_DURATIONS = ("once", "30s", "5m", "15m", "30m", "1h", "until restart",
                 "always")
RULE_NAME_MAX = 255
EVENTS_MAX = 150        # per Ping, as opensnitchd 1.5 (maxEvents)
UID_UNKNOWN = 0xffffffff    # opensnitchd's uint32(-1): no process known


# The GUI's pause button ("stop interception"): tattled cannot unload its
# queue from a client, so pausing adds this rule, which allows everything
# at once (precedence; '!' sorts before the usual names) until resumed or
# tattled restarts.  Connections are still shown.
PAUSE_RULE = {
    "name": "!opensnitch-gui-pause", "enabled": True, "precedence": True,
    "action": "allow", "duration": "until restart",
    "description": "interception paused from the OpenSnitch GUI",
    "operator": {"type": "simple", "operand": "true", "data": "",
                 "sensitive": False},
}


class MappingError(ValueError):
    """A GUI message that cannot become a tattled request; str() says why."""


def _s(v):
    return v if isinstance(v, str) else ""


def _u(v):
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 0


def gui_protocol(ev):
    """tattled proto + family -> OpenSnitch's name ("tcp6" for IPv6)."""
    proto = _s(ev.get("proto")) or "unknown"
    if ev.get("family") == "ipv6" and not proto.endswith("6"):
        proto += "6"
    return proto


def connection_from_event(pb, ev):
    """A tattled `prompt` or `connection` event -> protocol.Connection."""
    src = ev.get("src") or {}
    dst = ev.get("dst") or {}
    proc = ev.get("process") or {}
    args = [a for a in (proc.get("cmdline") or []) if isinstance(a, str)]
    return pb.Connection(
        protocol=gui_protocol(ev),
        src_ip=_s(src.get("ip")), src_port=_u(src.get("port")),
        dst_ip=_s(dst.get("ip")), dst_host=_s(dst.get("host")),
        dst_port=_u(dst.get("port")),
        user_id=_u(proc["uid"]) if isinstance(proc.get("uid"), int)
        else UID_UNKNOWN,
        process_id=_u(proc.get("pid")),
        process_path=_s(proc.get("exe")), process_cwd=_s(proc.get("cwd")),
        process_args=args)


# ---- rules

def _operator_to_pb(pb, op):
    kind = _s(op.get("type"))
    data = _s(op.get("data"))
    if kind == "list":
        # The 1.5 GUI reads a list rule's conditions as a JSON string in
        # `data` (its rules editor does json.loads(operator.data)).
        subs = []
        for sub in op.get("list") or []:
            subs.append({"type": _s(sub.get("type")),
                         "operand": _s(sub.get("operand")),
                         "data": _s(sub.get("data")),
                         "sensitive": bool(sub.get("sensitive"))})
        if subs or not data:
            data = json.dumps(subs)
    return pb.Operator(type=kind, operand=_s(op.get("operand")), data=data,
                       sensitive=bool(op.get("sensitive")))


def rule_to_pb(pb, rule):
    """A tattled rule (rules.list item, OpenSnitch 1.8 layout) -> protocol.Rule."""
    return pb.Rule(name=_s(rule.get("name")), enabled=bool(rule.get("enabled")),
                   precedence=bool(rule.get("precedence")),
                   action=_s(rule.get("action")),
                   duration=_s(rule.get("duration")),
                   operator=_operator_to_pb(pb, rule.get("operator") or {}))


def check_rule_name(name):
    """tattled's rule-name contract (rules.delete & co.); raises MappingError."""
    if not name:
        raise MappingError("rule has no name")
    if len(name.encode()) > RULE_NAME_MAX:
        raise MappingError("rule name longer than %d bytes" % RULE_NAME_MAX)
    if "/" in name or name.startswith("."):
        raise MappingError("rule name %r: no '/' and no leading '.' in "
                           "tattled" % name)


def _operator_from_pb(op):
    out = {"type": op.type, "operand": op.operand, "data": op.data,
           "sensitive": op.sensitive}
    if op.type == "list":
        try:
            subs = json.loads(op.data) if op.data else []
        except ValueError as e:
            raise MappingError("list rule: conditions are not JSON: %s" % e)
        if not isinstance(subs, list) or not subs:
            raise MappingError("list rule without conditions")
        conds = []
        for s in subs:
            if not isinstance(s, dict):
                raise MappingError("list rule: a condition is not an object")
            conds.append({"type": _s(s.get("type")),
                          "operand": _s(s.get("operand")),
                          "data": _s(s.get("data")),
                          "sensitive": bool(s.get("sensitive", False))})
        out.update(operand="list", data="", list=conds)
    return out


def rule_from_pb(rule):
    """protocol.Rule from the GUI -> the `rule` argument of rules.add."""
    check_rule_name(rule.name)
    if rule.action not in ACTIONS:
        raise MappingError("rule %r: action %r is not allow, deny or reject"
                           % (rule.name, rule.action))
    if not rule.duration:
        raise MappingError("rule %r has no duration" % rule.name)
    if not rule.operator.type or not rule.operator.operand:
        raise MappingError("rule %r has no operator" % rule.name)
    return {"name": rule.name, "enabled": rule.enabled,
            "precedence": rule.precedence, "action": rule.action,
            "duration": rule.duration,
            "operator": _operator_from_pb(rule.operator)}


# ---- prompt answers

def answer_plan(prompt, rule):
    """What a pop-up answer means to tattled, as tattle ask would say it.

    Returns a list of (cmd, args) requests, in order:
    - once, any target: prompt.answer once (no rule);
    - process.path of this executable: prompt.answer with scope exe and the
      GUI's duration (tattled names and writes the rule, closes every other
      prompt it covers);
    - anything else (command line, pid, uid, port, ip, host, network,
      regexps, list rules): rules.add of the GUI's rule, then
      prompt.answer once for the held packets.
    """
    if rule.action not in ACTIONS:
        raise MappingError("answer with action %r" % rule.action)
    if rule.duration not in GUI_DURATIONS:
        raise MappingError("answer with duration %r" % rule.duration)
    pid = prompt["prompt_id"]
    exe = _s((prompt.get("process") or {}).get("exe"))
    op = rule.operator
    if rule.duration == "once":
        return [("prompt.answer", {"prompt_id": pid, "action": rule.action,
                                   "duration": "once"})]
    if (op.type == "simple" and op.operand == "process.path" and exe
            and op.data == exe):
        return [("prompt.answer", {"prompt_id": pid, "action": rule.action,
                                   "duration": rule.duration, "scope": "exe"})]
    return [("rules.add", {"rule": rule_from_pb(rule)}),
            ("prompt.answer", {"prompt_id": pid, "action": rule.action,
                               "duration": "once"})]


def default_answer(prompt, action):
    """The answer when the GUI cannot be asked: tattled's default, once."""
    return ("prompt.answer", {"prompt_id": prompt["prompt_id"],
                              "action": action, "duration": "once"})


# ---- node configuration

def is_paused(rules):
    return any(r.get("name") == PAUSE_RULE["name"] and r.get("enabled")
               for r in rules)


def client_config(pb, hostname, rules, tattled_cfg, tattle_version, address):
    """protocol.ClientConfig for Subscribe.  `config` must be a JSON object
    (the GUI json.loads it and sets DefaultAction); its keys are those the
    GUI's preferences dialog reads, plus a "Tattle" section."""
    default = _s(tattled_cfg.get("default_action")) or "allow"
    cfg = {
        "Server": {"Address": address, "LogFile": ""},
        "DefaultAction": "deny" if default == "reject" else default,
        "DefaultDuration": "once",
        "InterceptUnknown": False,
        "ProcMonitorMethod": "audit",
        "LogLevel": 1,
        "Firewall": "iptables",
        "Stats": {"MaxEvents": EVENTS_MAX, "MaxStats": 25},
        "Tattle": {
            "version": tattle_version,
            "socket": tattled_cfg.get("socket"),
            "rules_dir": tattled_cfg.get("rules_dir"),
            "default_action": default,
            "prompt_timeout_ms": tattled_cfg.get("prompt_timeout_ms"),
        },
    }
    return pb.ClientConfig(
        id=0, name=hostname, version="tattled " + tattle_version,
        isFirewallRunning=not is_paused(rules), config=json.dumps(cfg),
        logLevel=1,
        rules=[rule_to_pb(pb, r) for r in rules])


# ---- statistics

def parse_ts_ns(ts):
    """RFC 3339 UTC with microseconds ("...T19:25:40.123456Z") -> unix ns."""
    try:
        base, _, frac = ts.rstrip("Z").partition(".")
        dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
        secs = int(dt.replace(tzinfo=datetime.timezone.utc).timestamp())
        frac = (frac + "000000000")[:9]
        return secs * 1000000000 + int(frac)
    except (ValueError, AttributeError):
        return 0


def event_rule_name(ev):
    """The rule an event names, or what decided it in its place."""
    if isinstance(ev.get("rule"), str) and ev["rule"]:
        return ev["rule"]
    return {"default": "(default action)", "prompt": "(prompt answer)",
            "prompt-timeout": "(prompt timeout)",
            "own-traffic": "(own traffic)",
            "fail-closed": "(fail closed)"}.get(ev.get("reason"), "(none)")


def event_to_pb(pb, ev, unixnano):
    """A tattled `connection` event -> protocol.Event with this unixnano."""
    when = datetime.datetime.fromtimestamp(unixnano / 1e9)
    return pb.Event(time=when.strftime("%Y-%m-%d %H:%M:%S"),
                    connection=connection_from_event(pb, ev),
                    rule=pb.Rule(name=event_rule_name(ev),
                                 action=_s(ev.get("verdict")),
                                 enabled=True, duration="always",
                                 operator=pb.Operator(type="simple",
                                                      operand="true")),
                    unixnano=unixnano)


def statistics(pb, st, agg, events):
    """protocol.Statistics from a tattled `stats` result, the counters the
    bridge keeps (stats.Aggregator.snapshot()) and this Ping's events."""
    v = st.get("verdicts") or {}
    return pb.Statistics(
        daemon_version=PROTOCOL_VERSION,
        rules=_u(st.get("rules")),
        uptime=_u(st.get("uptime_ms")) // 1000,
        dns_responses=0,
        connections=_u(st.get("connections")),
        ignored=_u(st.get("own_traffic")),
        accepted=_u(v.get("allow")),
        dropped=_u(v.get("deny")) + _u(v.get("reject")),
        rule_hits=agg["rule_hits"], rule_misses=agg["rule_misses"],
        by_proto=agg["by_proto"], by_address=agg["by_address"],
        by_host=agg["by_host"], by_port=agg["by_port"],
        by_uid=agg["by_uid"], by_executable=agg["by_executable"],
        events=events)
