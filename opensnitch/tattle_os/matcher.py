"""Does a rule the GUI just created cover another prompt still waiting for
its pop-up?  tattled closes the prompts an answer covers only for its own
answer scopes; a rule added with rules.add (a pop-up answer on the command
line, a port, a host...) leaves them open, and asking again about them
would show the user the question they just answered.

Conservative: an operand or type it does not know never matches (the
prompt is then asked).  No I/O."""
import ipaddress
import re


def _fields(prompt):
    dst = prompt.get("dst") or {}
    proc = prompt.get("process") or {}
    proto = prompt.get("proto") or ""
    if prompt.get("family") == "ipv6":
        proto += "6"
    cmd = proc.get("cmdline") or []
    return {
        "process.path": proc.get("exe"),
        "process.command": " ".join(a for a in cmd if isinstance(a, str)),
        "process.id": str(proc["pid"]) if "pid" in proc else None,
        "user.id": str(proc["uid"]) if "uid" in proc else None,
        "dest.port": str(dst["port"]) if dst.get("port") is not None else None,
        "dest.ip": dst.get("ip"),
        "dest.host": dst.get("host"),
        "protocol": proto,
    }


def _one(op, f):
    kind, operand, data = op.get("type"), op.get("operand"), op.get("data", "")
    sensitive = bool(op.get("sensitive"))
    if kind == "list":
        subs = op.get("list") or []
        return bool(subs) and all(_one(s, f) for s in subs)
    if kind == "network" and operand == "dest.network":
        try:
            return ipaddress.ip_address(f["dest.ip"]) in \
                ipaddress.ip_network(data, strict=False)
        except (ValueError, TypeError):
            return False
    value = f.get(operand)
    if not isinstance(value, str):
        return False
    if kind == "simple":
        return value == data if sensitive else value.lower() == data.lower()
    if kind == "regexp":
        try:
            return re.search(data, value, 0 if sensitive else re.I) is not None
        except re.error:
            return False
    return False


def covers(rule, prompt):
    """rule: a rules.add `rule` (tattled layout); prompt: a prompt event."""
    if not rule.get("enabled", True):
        return False
    return _one(rule.get("operator") or {}, _fields(prompt))
