"""tattle-opensnitch: tattled's socket on one side, the OpenSnitch 1.5 GUI's
gRPC server on the other.

Threads: main (the session loop: connect, Subscribe, Ping once a second,
re-Subscribe after rule changes), the GUI's Notifications reader, the
asker (one AskRule at a time, as the GUI shows one pop-up at a time) and
the readers of the two tattled connections: `sub` (subscriber, requests;
lives as long as tattled does) and `prompter` (registered only while a GUI
is there, so that tattled applies its default at once when none is).
"""
import collections
import json
import queue
import socket
import threading
import time

import grpc

from . import mapping, matcher
from .stats import Aggregator
from .tattled import Closed, Conn, TattledError

PING_INTERVAL = 1.0
PING_TIMEOUT = 5.0
ASK_TIMEOUT = 120.0     # as opensnitchd 1.5: the GUI's own timeout is shorter
SUBSCRIBE_TIMEOUT = 10.0
RETRY_INTERVAL = 1.0
DONE_MAX = 1024         # prompt ids remembered as decided
ALIAS_MAX = 4096

# Requests tattled has no counterpart for.  The answer is ERROR with this
# text, except where the 1.5.8.1 GUI cannot take an ERROR (see
# handle_notification).
UNSUPPORTED = {
    "CHANGE_CONFIG": "tattled's configuration is not changed from the GUI: "
                     "edit tattled.json (or its options) and restart it",
    "LOG_LEVEL": "tattled has no log level to change",
    "STOP": "tattle-opensnitch does not stop tattled",
    "MONITOR_PROCESS": "process details are not available through "
                       "tattle-opensnitch",
}


class Lost(Exception):
    """The GUI or tattled went away: end this session."""


class Bridge:
    def __init__(self, pb, pb_grpc, socket_path, address, version, log):
        self.pb, self.pb_grpc = pb, pb_grpc
        self.socket_path, self.address = socket_path, address
        self.version, self.log = version, log
        self.stop = threading.Event()
        self.sub = None
        self.cfg = {}
        self.agg = Aggregator()
        self.rules_dirty = threading.Event()
        self.tattled_gone = threading.Event()
        self.done = collections.OrderedDict()   # prompt ids tattled decided
        self.done_lock = threading.Lock()
        self.aliases = {}                       # GUI rule name -> tattled's
        self._last_note = None

    # ---- tattled

    def _on_sub_event(self, ev):
        if ev is None:
            self.tattled_gone.set()
            return
        t = ev.get("type")
        if t == "connection":
            self.agg.add(ev)
            if ev.get("prompt_id"):
                with self.done_lock:
                    self.done[ev["prompt_id"]] = True
                    while len(self.done) > DONE_MAX:
                        self.done.popitem(last=False)
        elif t == "rule-change":
            self.rules_dirty.set()
        elif t == "dropped":
            self.log("tattled dropped %s events for us" % ev.get("count"))

    def connect_tattled(self):
        self.tattled_gone.clear()
        with self.done_lock:
            self.done.clear()   # a new tattled numbers prompts from 1 again
        conn = Conn(self.socket_path, self._on_sub_event, "tattled-sub")
        try:
            conn.call("subscribe", {"types": ["connection", "rule-change"]})
            self.cfg = conn.call("config.get") or {}
        except (Closed, TattledError):
            conn.close()
            raise
        self.sub = conn
        self._last_note = None
        self.log("connected to tattled at %s (default action %s, prompt "
                 "timeout %s ms)" % (self.socket_path,
                                     self.cfg.get("default_action"),
                                     self.cfg.get("prompt_timeout_ms")))

    def is_done(self, prompt_id):
        with self.done_lock:
            return prompt_id in self.done

    def _alias(self, gui_name, tattled_name):
        if gui_name and tattled_name and gui_name != tattled_name:
            self.aliases[gui_name] = tattled_name
            while len(self.aliases) > ALIAS_MAX:
                self.aliases.pop(next(iter(self.aliases)))

    # ---- GUI notifications -> tattled

    def handle_notification(self, noti):
        """One Notification from the GUI -> NotificationReply (or None)."""
        pb = self.pb
        kind = pb.Action.Name(noti.type) if noti.type in \
            pb.Action.values() else str(noti.type)
        if noti.type == pb.NONE:
            return None     # the GUI's wake-up when it closes the stream
        if kind == "STOP_MONITOR_PROCESS":
            return pb.NotificationReply(id=noti.id, code=pb.OK)
        if kind in ("LOAD_FIREWALL", "UNLOAD_FIREWALL"):
            # An ERROR here would crash the 1.5.8.1 GUI (its main window's
            # reply handler calls Message.ok without an icon): pause for
            # real, with a rule tattled has the means for.
            try:
                self._pause(kind == "UNLOAD_FIREWALL")
            except TattledError as e:
                self.log("GUI %s: %s" % (kind, e))
                return pb.NotificationReply(id=noti.id, code=pb.ERROR,
                                            data="tattle: %s" % e)
            return pb.NotificationReply(id=noti.id, code=pb.OK)
        if kind in UNSUPPORTED:
            self.log("GUI asked %s: not supported" % kind)
            return pb.NotificationReply(id=noti.id, code=pb.ERROR,
                                        data="tattle: " + UNSUPPORTED[kind])
        errors = []
        for rule in noti.rules:
            try:
                self._rule_notification(kind, rule)
            except (TattledError, mapping.MappingError) as e:
                errors.append("%s %s: %s" % (kind.lower(), rule.name or "?", e))
        if kind not in ("CHANGE_RULE", "ENABLE_RULE", "DISABLE_RULE",
                        "DELETE_RULE"):
            errors.append("tattle: unknown request %s" % kind)
        elif not noti.rules:
            errors.append("tattle: %s without a rule" % kind.lower())
        if errors:
            self.log("GUI %s: %s" % (kind, "; ".join(errors)))
            return pb.NotificationReply(id=noti.id, code=pb.ERROR,
                                        data="; ".join(errors))
        return pb.NotificationReply(id=noti.id, code=pb.OK)

    def _pause(self, pause):
        sub = self.sub
        if sub is None:
            raise TattledError("unavailable", "not connected to tattled")
        try:
            if pause:
                sub.call("rules.add", {"rule": mapping.PAUSE_RULE})
            else:
                try:
                    sub.call("rules.delete",
                             {"name": mapping.PAUSE_RULE["name"]})
                except TattledError as e:
                    if e.code != "not-found":
                        raise
        except Closed as e:
            raise TattledError("unavailable", str(e)) from e
        self.log("GUI %s interception: rule %s %s" % (
            "paused" if pause else "resumed", mapping.PAUSE_RULE["name"],
            "added" if pause else "removed"))

    def _rule_notification(self, kind, rule):
        sub = self.sub
        if sub is None:
            raise TattledError("unavailable", "not connected to tattled")
        try:
            if kind == "CHANGE_RULE":
                r = mapping.rule_from_pb(rule)
                res = sub.call("rules.add", {"rule": r})
                self.log("GUI rule %s -> tattled %s" % (rule.name, res))
                old = self.aliases.pop(rule.name, None)
                if old and old != rule.name:
                    # the GUI edited a rule tattled made from a pop-up
                    # answer under tattled's name: the GUI's copy replaces it
                    try:
                        sub.call("rules.delete", {"name": old})
                    except TattledError:
                        pass
                return
            name = self.aliases.get(rule.name, rule.name)
            mapping.check_rule_name(name)
            cmd = {"ENABLE_RULE": "rules.enable", "DISABLE_RULE":
                   "rules.disable", "DELETE_RULE": "rules.delete"}[kind]
            try:
                res = sub.call(cmd, {"name": name})
            except TattledError as e:
                if e.code != "not-found" or kind == "DELETE_RULE" or \
                        not rule.action:
                    raise
                # As opensnitchd's Replace: a rule tattled lacks (a once
                # rule used up, one deleted in tattled) is added as sent.
                r = mapping.rule_from_pb(rule)
                r["enabled"] = kind == "ENABLE_RULE"
                res = sub.call("rules.add", {"rule": r})
            if kind == "DELETE_RULE":
                self.aliases.pop(rule.name, None)
            self.log("GUI %s %s -> tattled %s" % (kind, rule.name, res))
        except Closed as e:
            raise TattledError("unavailable", str(e)) from e

    # ---- the session with one GUI

    def _note(self, msg):
        """Log a retry's reason once, not every second."""
        if msg != self._last_note:
            self.log(msg)
        self._last_note = msg

    def run(self):
        self._last_note = None
        while not self.stop.is_set():
            if self.sub is None or self.sub.closed:
                try:
                    self.connect_tattled()
                except (OSError, Closed, TattledError) as e:
                    self._note("tattled at %s: %s" % (self.socket_path, e))
                    self.sub = None
                    self.stop.wait(RETRY_INTERVAL)
                    continue
            try:
                Session(self).run()
            except Lost as e:
                self._note("session ended: %s" % e)
            if self.tattled_gone.is_set() and self.sub:
                self.sub.close()
                self.sub = None
            self.stop.wait(RETRY_INTERVAL)
        if self.sub:
            self.sub.close()


def _grpc_target(address):
    """opensnitch-ui's --socket syntax -> a gRPC target."""
    if address.startswith("unix://") and not address.startswith("unix:///"):
        return "unix:" + address[len("unix://"):]
    return address


class Session:
    def __init__(self, bridge):
        self.b = bridge
        self.pb = bridge.pb
        self.channel = None
        self.stub = None
        self.replies = queue.Queue()
        self.noti_call = None
        self.noti_thread = None
        self.prompter = None
        self.prompts = collections.deque()
        self.prompts_cv = threading.Condition()
        self.asker = None
        self.ending = threading.Event()
        self.lost_reason = None

    # -- setup

    def _rules(self):
        rules = []
        while True:     # rules.list pages at most 1000 rules
            res = self.b.sub.call("rules.list", {"offset": len(rules),
                                                 "limit": 1000})
            page = res.get("rules") or []
            rules.extend(page)
            if not page or len(rules) >= res.get("count", 0):
                return rules

    def _subscribe(self):
        b = self.b
        rules = self._rules()
        cc = mapping.client_config(self.pb, socket.gethostname(), rules,
                                   b.cfg, b.version, b.address)
        reply = self.stub.Subscribe(cc, timeout=SUBSCRIBE_TIMEOUT)
        return reply, len(rules)

    def _open(self):
        b = self.b
        self.channel = grpc.insecure_channel(_grpc_target(b.address))
        try:
            grpc.channel_ready_future(self.channel).result(timeout=2)
        except grpc.FutureTimeoutError:
            raise Lost("no GUI at %s" % b.address)
        self.stub = b.pb_grpc.UIStub(self.channel)
        reply, n = self._subscribe()
        b.log("subscribed to the GUI at %s with %d rules (GUI default "
              "action: %s)" % (b.address, n, _gui_default(reply)))
        # The GUI expects the daemon's first reply on the stream at once.
        self.replies.put(self.pb.NotificationReply(id=0, code=self.pb.OK))
        self.noti_call = self.stub.Notifications(iter(self.replies.get, None))
        self.noti_thread = threading.Thread(target=self._notifications,
                                            name="gui-notifications",
                                            daemon=True)
        self.noti_thread.start()

    def _notifications(self):
        try:
            for noti in self.noti_call:
                try:
                    reply = self.b.handle_notification(noti)
                except Exception as e:      # noqa: BLE001 - answer, go on
                    reply = self.pb.NotificationReply(
                        id=noti.id, code=self.pb.ERROR,
                        data="tattle: internal error: %s" % e)
                if reply is not None:
                    self.replies.put(reply)
            self.lost_reason = "the GUI closed the notifications stream"
        except grpc.RpcError as e:
            self.lost_reason = "notifications stream: %s" % _rpc_text(e)
        self.ending.set()

    def _register_prompter(self):
        def on_event(ev):
            if ev is None:
                self.ending.set()
                return
            if ev.get("type") == "prompt" and ev.get("prompt_id"):
                ev["_deadline"] = time.monotonic() + \
                    ev.get("timeout_ms", 0) / 1000.0
                with self.prompts_cv:
                    self.prompts.append(ev)
                    self.prompts_cv.notify()
        self.prompter = Conn(self.b.socket_path, on_event, "tattled-prompter")
        self.prompter.call("prompt.register")
        self.asker = threading.Thread(target=self._ask_loop, name="asker",
                                      daemon=True)
        self.asker.start()

    # -- prompts

    def _next_prompt(self):
        with self.prompts_cv:
            while not self.prompts and not self.ending.is_set():
                self.prompts_cv.wait(0.5)
            return self.prompts.popleft() if self.prompts else None

    def _ask_loop(self):
        while not self.ending.is_set():
            p = self._next_prompt()
            if p is None:
                continue
            if self.b.is_done(p["prompt_id"]) or \
                    p["_deadline"] <= time.monotonic():
                continue    # tattled decided it already (answer or timeout)
            self._ask(p)

    def _answer(self, requests):
        res = None
        for cmd, args in requests:
            res = self.prompter.call(cmd, args)
        return res

    def _ask(self, p):
        b = self.b
        con = mapping.connection_from_event(self.pb, p)
        b.log("prompt %d: asking the GUI: %s -> %s:%d %s" % (
            p["prompt_id"], con.process_path, con.dst_host or con.dst_ip,
            con.dst_port, con.protocol))
        try:
            rule = self.stub.AskRule(con, timeout=ASK_TIMEOUT)
        except (grpc.RpcError, ValueError) as e:
            # ValueError: the session closed the channel meanwhile
            b.log("prompt %d: AskRule failed (%s): tattled's default"
                  % (p["prompt_id"], _rpc_text(e)))
            self._default(p)
            return
        try:
            plan = mapping.answer_plan(p, rule)
        except mapping.MappingError as e:
            b.log("prompt %d: GUI answer not usable (%s): tattled's "
                  "default" % (p["prompt_id"], e))
            self._default(p)
            return
        try:
            res = self._answer(plan)
            b.log("prompt %d: %s %s %s %s=%s -> %s" % (
                p["prompt_id"], rule.action, rule.duration, rule.operator.type,
                rule.operator.operand, rule.operator.data, res))
            if plan[0][0] == "prompt.answer" and res and res.get("rule"):
                b._alias(rule.name, res["rule"])
        except TattledError as e:
            if e.code != "no-such-prompt":
                b.log("prompt %d: tattled refused the answer: %s"
                      % (p["prompt_id"], e))
                return
            self._late(p, rule)
        except Closed as e:
            b.log("prompt %d: %s" % (p["prompt_id"], e))
            return
        if rule.duration != "once":
            self._covered(rule, p)

    def _late(self, p, rule):
        """The user answered after tattled's prompt timeout: the held packets
        got the default; a lasting answer still becomes a rule."""
        b = self.b
        if rule.duration == "once":
            b.log("prompt %d: answered after tattled's timeout (once: "
                  "nothing to keep)" % p["prompt_id"])
            return
        try:
            r = mapping.rule_from_pb(rule)
            res = self.prompter.call("rules.add", {"rule": r})
            b.log("prompt %d: answered after tattled's timeout: rule %s"
                  % (p["prompt_id"], res))
        except (TattledError, Closed, mapping.MappingError) as e:
            b.log("prompt %d: late answer not kept: %s" % (p["prompt_id"], e))

    def _covered(self, rule, asked):
        """Answer queued prompts the new rule covers without asking again."""
        try:
            r = mapping.rule_from_pb(rule)
        except mapping.MappingError:
            return
        with self.prompts_cv:
            waiting = list(self.prompts)
            self.prompts.clear()
        keep = []
        for p in waiting:
            if p["prompt_id"] != asked["prompt_id"] and matcher.covers(r, p):
                try:
                    self.prompter.call(*mapping.default_answer(p, rule.action))
                except (TattledError, Closed):
                    pass    # tattled closed it itself (exe scope): fine
            else:
                keep.append(p)
        with self.prompts_cv:
            self.prompts.extendleft(reversed(keep))

    def _default(self, p):
        action = self.b.cfg.get("default_action") or "deny"
        try:
            self.prompter.call(*mapping.default_answer(p, action))
        except (TattledError, Closed):
            pass

    # -- the loop

    def _ping(self):
        b = self.b
        st = b.sub.call("stats")
        taken = b.agg.take_events()
        events = [mapping.event_to_pb(self.pb, ev, ns) for ns, ev in taken]
        stats = mapping.statistics(self.pb, st, b.agg.snapshot(), events)
        rid = time.time_ns()
        try:
            pong = self.stub.Ping(self.pb.PingRequest(id=rid, stats=stats),
                                  timeout=PING_TIMEOUT)
        except grpc.RpcError:
            b.agg.give_back(taken)
            raise
        if pong.id != rid:
            b.log("Ping: the GUI answered id %d for %d" % (pong.id, rid))

    def run(self):
        b = self.b
        try:
            self._open()
            self._ping()
            self._register_prompter()
            b._last_note = None
            b.log("GUI session up: prompts go to the GUI")
            while not (self.ending.is_set() or b.stop.is_set()
                       or b.tattled_gone.is_set()):
                t0 = time.monotonic()
                if b.rules_dirty.is_set():
                    b.rules_dirty.clear()
                    self._subscribe()   # the 1.5 GUI learns rules this way
                self._ping()
                self.ending.wait(max(0.0, PING_INTERVAL -
                                     (time.monotonic() - t0)))
            raise Lost(self.lost_reason or
                       ("tattled went away" if b.tattled_gone.is_set()
                        else "stopped"))
        except grpc.RpcError as e:
            raise Lost("GUI: %s" % _rpc_text(e)) from e
        except (Closed, TattledError, OSError) as e:
            raise Lost("tattled: %s" % e) from e
        finally:
            self._close()

    def _close(self):
        self.ending.set()
        self.replies.put(None)
        if self.noti_call is not None:
            self.noti_call.cancel()
        if self.channel is not None:
            self.channel.close()    # a pending AskRule fails: default
        if self.asker:
            self.asker.join(10)
        if self.prompter:
            # No GUI to ask: what is still queued gets tattled's default
            # now instead of waiting out the prompt timeout.
            with self.prompts_cv:
                left = list(self.prompts)
                self.prompts.clear()
            for p in left:
                if not self.b.is_done(p["prompt_id"]):
                    self._default(p)
            self.prompter.close()


def _gui_default(cc):
    try:
        return json.loads(cc.config).get("DefaultAction")
    except (ValueError, AttributeError):
        return None


def _rpc_text(e):
    try:
        return "%s %s" % (e.code().name, e.details())
    except AttributeError:
        return str(e)
