"""Per-node counters the GUI shows and tattled's stats do not carry
(by host, address, port, uid, executable, protocol; recent events), kept
from tattled's `connection` events.  Bounded; no I/O, no clock."""
import collections
import threading

from . import mapping

MAP_MAX = 4096          # keys per map; the rest is counted under "(other)"
OTHER = "(other)"


class Aggregator:
    def __init__(self, map_max=MAP_MAX, events_max=mapping.EVENTS_MAX):
        self._lock = threading.Lock()
        self._map_max = map_max
        self._events = collections.deque(maxlen=events_max)
        self._last_ns = 0
        self.rule_hits = 0
        self.rule_misses = 0
        self._maps = {k: {} for k in ("by_proto", "by_address", "by_host",
                                      "by_port", "by_uid", "by_executable")}

    def _inc(self, name, key):
        m = self._maps[name]
        if key not in m and len(m) >= self._map_max:
            key = OTHER
        m[key] = m.get(key, 0) + 1

    def add(self, ev):
        """Count one `connection` event and queue it for the next Ping with a
        unixnano no other event of this node has (the GUI keys on it)."""
        dst = ev.get("dst") or {}
        proc = ev.get("process") or {}
        with self._lock:
            ns = mapping.parse_ts_ns(ev.get("ts", ""))
            if ns <= self._last_ns:
                ns = self._last_ns + 1
            self._last_ns = ns
            self._events.append((ns, ev))
            if ev.get("reason") == "rule":
                self.rule_hits += 1
            else:
                self.rule_misses += 1
            self._inc("by_proto", mapping.gui_protocol(ev))
            if isinstance(dst.get("ip"), str):
                self._inc("by_address", dst["ip"])
            if isinstance(dst.get("host"), str) and dst["host"]:
                self._inc("by_host", dst["host"])
            if isinstance(dst.get("port"), int):
                self._inc("by_port", str(dst["port"]))
            if isinstance(proc.get("uid"), int):
                self._inc("by_uid", str(proc["uid"]))
            exe = proc.get("exe") if isinstance(proc.get("exe"), str) else ""
            self._inc("by_executable", exe or "(unknown)")

    def take_events(self):
        """The events queued since the last take: [(unixnano, event)]."""
        with self._lock:
            out = list(self._events)
            self._events.clear()
            return out

    def give_back(self, events):
        """Requeue events a failed Ping did not deliver (oldest dropped when
        more than fit)."""
        with self._lock:
            keep = list(events) + list(self._events)
            self._events.clear()
            self._events.extend(keep[-self._events.maxlen:])

    def snapshot(self):
        with self._lock:
            out = {k: dict(v) for k, v in self._maps.items()}
            out["rule_hits"] = self.rule_hits
            out["rule_misses"] = self.rule_misses
            return out
