"""Unit tests of tattle-opensnitch's message mapping: prompt <-> AskRule,
rule <-> Rule, stats <-> Statistics, with the message classes generated from
the committed ui.proto (build/opensnitch, made by `make`)."""
import json
import unittest

import ui_pb2 as pb
from tattle_os import mapping, matcher
from tattle_os.bridge import Bridge
from tattle_os.stats import Aggregator

PROMPT = {
    "v": 1, "seq": 2, "type": "prompt", "ts": "2026-11-21T20:12:26.113940Z",
    "prompt_id": 7, "timeout_ms": 15000, "proto": "tcp", "family": "ipv4",
    "src": {"ip": "10.0.0.2", "port": 40002},
    "dst": {"ip": "93.184.216.34", "port": 443, "host": "www.example.com"},
    "process": {"pid": 1000, "ppid": 1, "uid": 1001, "gid": 1001,
                "comm": "curl", "exe": "/usr/bin/curl",
                "cmdline": ["curl", "-s", "https://www.example.com/"],
                "cwd": "/home/u"},
}


def conn_event(**kw):
    ev = {"v": 1, "seq": 3, "type": "connection",
          "ts": "2026-11-21T19:25:40.123456Z", "verdict": "allow",
          "reason": "rule", "rule": "000-allow-localhost", "proto": "tcp",
          "family": "ipv4", "src": {"ip": "127.0.0.1", "port": 43210},
          "dst": {"ip": "127.0.0.1", "port": 8080, "host": None},
          "process": {"pid": 1234, "uid": 0, "exe": "/usr/bin/curl",
                      "cmdline": ["curl"], "cwd": "/root"}}
    ev.update(kw)
    return ev


def gui_rule(action="allow", duration="always", type_="simple",
             operand="process.path", data="/usr/bin/curl",
             name="allow-always-simple-usr-bin-curl"):
    return pb.Rule(name=name, enabled=True, action=action, duration=duration,
                   operator=pb.Operator(type=type_, operand=operand, data=data))


class PromptToAskRule(unittest.TestCase):
    def test_fields(self):
        c = mapping.connection_from_event(pb, PROMPT)
        self.assertEqual(c.protocol, "tcp")
        self.assertEqual((c.src_ip, c.src_port), ("10.0.0.2", 40002))
        self.assertEqual((c.dst_ip, c.dst_port, c.dst_host),
                         ("93.184.216.34", 443, "www.example.com"))
        self.assertEqual((c.user_id, c.process_id), (1001, 1000))
        self.assertEqual(c.process_path, "/usr/bin/curl")
        self.assertEqual(c.process_cwd, "/home/u")
        self.assertEqual(list(c.process_args),
                         ["curl", "-s", "https://www.example.com/"])

    def test_ipv6_protocol_name(self):
        ev = dict(PROMPT, proto="udp", family="ipv6")
        self.assertEqual(mapping.connection_from_event(pb, ev).protocol, "udp6")

    def test_unknown_process_and_no_ports(self):
        ev = dict(PROMPT, proto="icmp", process=None,
                  src={"ip": "127.0.0.1", "port": None},
                  dst={"ip": "127.0.0.1", "port": None, "host": None})
        c = mapping.connection_from_event(pb, ev)
        self.assertEqual((c.process_id, c.process_path, c.src_port,
                          c.dst_port, c.dst_host), (0, "", 0, 0, ""))
        self.assertEqual(c.user_id, 0xffffffff)     # not root: unknown


class AskRuleAnswerToTattled(unittest.TestCase):
    def test_executable_always_is_a_prompt_answer_scope_exe(self):
        plan = mapping.answer_plan(PROMPT, gui_rule())
        self.assertEqual(plan, [("prompt.answer", {
            "prompt_id": 7, "action": "allow", "duration": "always",
            "scope": "exe"})])

    def test_executable_timed_and_until_restart(self):
        for d in ("30s", "5m", "15m", "30m", "1h", "until restart"):
            plan = mapping.answer_plan(PROMPT, gui_rule("deny", d))
            self.assertEqual(plan[0][1]["duration"], d)
            self.assertEqual(plan[0][1]["scope"], "exe")

    def test_once_on_any_target_decides_only_this_prompt(self):
        r = gui_rule("deny", "once", operand="dest.port", data="443")
        self.assertEqual(mapping.answer_plan(PROMPT, r), [("prompt.answer", {
            "prompt_id": 7, "action": "deny", "duration": "once"})])

    def test_other_target_is_a_rule_plus_once(self):
        r = gui_rule("deny", "5m", operand="process.command",
                     data="curl -s https://www.example.com/",
                     name="deny-5m-simple-curl")
        plan = mapping.answer_plan(PROMPT, r)
        self.assertEqual([c for c, _ in plan], ["rules.add", "prompt.answer"])
        rule = plan[0][1]["rule"]
        self.assertEqual((rule["name"], rule["action"], rule["duration"]),
                         ("deny-5m-simple-curl", "deny", "5m"))
        self.assertEqual(rule["operator"]["operand"], "process.command")
        self.assertEqual(plan[1][1], {"prompt_id": 7, "action": "deny",
                                      "duration": "once"})

    def test_path_of_another_program_is_a_rule(self):
        r = gui_rule(data="/usr/bin/wget")
        self.assertEqual(mapping.answer_plan(PROMPT, r)[0][0], "rules.add")

    def test_list_rule_from_advanced_popup(self):
        conds = [{"type": "simple", "operand": "dest.port", "data": "443"},
                 {"type": "simple", "operand": "process.path",
                  "data": "/usr/bin/curl"}]
        r = gui_rule(type_="list", operand="list", data=json.dumps(conds),
                     name="allow-always-list-curl-443")
        rule = mapping.answer_plan(PROMPT, r)[0][1]["rule"]
        self.assertEqual(rule["operator"]["type"], "list")
        self.assertEqual(rule["operator"]["operand"], "list")
        self.assertEqual([c["operand"] for c in rule["operator"]["list"]],
                         ["dest.port", "process.path"])

    def test_bad_answers(self):
        with self.assertRaises(mapping.MappingError):
            mapping.answer_plan(PROMPT, gui_rule(action="ask"))
        with self.assertRaises(mapping.MappingError):
            mapping.answer_plan(PROMPT, gui_rule(duration="forever"))

    def test_default_answer(self):
        self.assertEqual(mapping.default_answer(PROMPT, "reject"),
                         ("prompt.answer", {"prompt_id": 7, "action": "reject",
                                            "duration": "once"}))


class RuleMapping(unittest.TestCase):
    TATTLED = {"name": "100-deny-telnet", "enabled": True,
               "precedence": False, "action": "deny", "duration": "always",
               "operator": {"type": "list", "operand": "list", "data": "",
                            "sensitive": False,
                            "list": [{"type": "simple",
                                      "operand": "process.path",
                                      "data": "/usr/bin/telnet",
                                      "sensitive": False},
                                     {"type": "simple", "operand": "dest.port",
                                      "data": "23", "sensitive": True}]},
               "file": "/etc/tattle/rules/100-deny-telnet.json"}

    def test_tattled_rule_to_gui(self):
        r = mapping.rule_to_pb(pb, self.TATTLED)
        self.assertEqual((r.name, r.enabled, r.precedence, r.action,
                          r.duration), ("100-deny-telnet", True, False,
                                        "deny", "always"))
        self.assertEqual(r.operator.type, "list")
        subs = json.loads(r.operator.data)     # the GUI json.loads it
        self.assertEqual(subs[1], {"type": "simple", "operand": "dest.port",
                                   "data": "23", "sensitive": True})

    def test_round_trip(self):
        back = mapping.rule_from_pb(mapping.rule_to_pb(pb, self.TATTLED))
        want = dict(self.TATTLED)
        del want["file"]
        want["operator"] = dict(want["operator"])
        self.assertEqual(back, want)

    def test_simple_rule(self):
        r = pb.Rule(name="allow-x", enabled=False, precedence=True,
                    action="allow", duration="until restart",
                    operator=pb.Operator(type="regexp", operand="dest.host",
                                         data="^(|.*\\.)example\\.com",
                                         sensitive=True))
        self.assertEqual(mapping.rule_from_pb(r), {
            "name": "allow-x", "enabled": False, "precedence": True,
            "action": "allow", "duration": "until restart",
            "operator": {"type": "regexp", "operand": "dest.host",
                         "data": "^(|.*\\.)example\\.com",
                         "sensitive": True}})

    def test_rejected_rules_say_why(self):
        bad = [gui_rule(name=""), gui_rule(name="a/b"), gui_rule(name=".x"),
               gui_rule(name="x" * 256), gui_rule(action="drop"),
               gui_rule(duration=""), gui_rule(type_="", operand=""),
               gui_rule(type_="list", operand="list", data="not json"),
               gui_rule(type_="list", operand="list", data="[]")]
        for r in bad:
            with self.assertRaises(mapping.MappingError) as cm:
                mapping.rule_from_pb(r)
            self.assertTrue(str(cm.exception))


class NodeConfig(unittest.TestCase):
    def test_subscribe_config(self):
        cfg = {"default_action": "reject", "socket": "/run/tattle/tattle.sock",
               "rules_dir": "/etc/tattle/rules", "prompt_timeout_ms": 15000}
        cc = mapping.client_config(pb, "host1", [RuleMapping.TATTLED], cfg,
                                   "0.1.0", "unix:///tmp/osui.sock")
        conf = json.loads(cc.config)
        self.assertIsInstance(conf, dict)
        self.assertEqual(conf["DefaultAction"], "deny")   # GUI knows no reject
        self.assertEqual(conf["Tattle"]["default_action"], "reject")
        self.assertEqual(conf["Server"]["Address"], "unix:///tmp/osui.sock")
        for k in ("DefaultDuration", "ProcMonitorMethod", "InterceptUnknown",
                  "LogLevel"):
            self.assertIn(k, conf)
        self.assertEqual((cc.name, cc.version), ("host1", "tattled 0.1.0"))
        self.assertTrue(cc.isFirewallRunning)
        self.assertEqual([r.name for r in cc.rules], ["100-deny-telnet"])
        cc = mapping.client_config(pb, "h", [mapping.PAUSE_RULE], cfg, "0",
                                   "unix:///x")
        self.assertFalse(cc.isFirewallRunning)      # paused from the GUI

    def test_pause_rule_is_valid_and_first(self):
        r = mapping.rule_from_pb(mapping.rule_to_pb(pb, mapping.PAUSE_RULE))
        self.assertEqual((r["action"], r["precedence"], r["operator"]["operand"]),
                         ("allow", True, "true"))
        self.assertLess(r["name"].encode(), b"0")   # sorts before 000-...


class StatsMapping(unittest.TestCase):
    STATS = {"uptime_ms": 4802, "rules": 3, "connections": 120,
             "own_traffic": 2,
             "verdicts": {"allow": 100, "deny": 15, "reject": 5}}

    def test_counters(self):
        agg = Aggregator()
        agg.add(conn_event())
        agg.add(conn_event(reason="default", rule=None, verdict="deny"))
        s = mapping.statistics(pb, self.STATS, agg.snapshot(), [])
        self.assertEqual(s.daemon_version.split(".")[:2], ["1", "5"])
        self.assertEqual(len(s.daemon_version.split(".")), 3)
        self.assertEqual((s.rules, s.uptime, s.connections, s.accepted,
                          s.dropped, s.ignored), (3, 4, 120, 100, 20, 2))
        self.assertEqual((s.rule_hits, s.rule_misses), (1, 1))
        self.assertEqual(dict(s.by_port), {"8080": 2})
        self.assertEqual(dict(s.by_executable), {"/usr/bin/curl": 2})
        self.assertEqual(dict(s.by_uid), {"0": 2})
        self.assertEqual(dict(s.by_address), {"127.0.0.1": 2})
        self.assertEqual(dict(s.by_proto), {"tcp": 2})
        self.assertEqual(dict(s.by_host), {})   # no name known: not counted

    def test_events_once_with_unique_unixnano(self):
        agg = Aggregator()
        for _ in range(3):      # same timestamp: still three distinct keys
            agg.add(conn_event())
        taken = agg.take_events()
        self.assertEqual(len({ns for ns, _ in taken}), 3)
        self.assertEqual(taken[0][0], 1795289140123456000)
        self.assertEqual(agg.take_events(), [])         # sent once
        agg.add(conn_event())                           # later: still larger
        self.assertGreater(agg.take_events()[0][0], taken[-1][0])

    def test_give_back_after_a_failed_ping(self):
        agg = Aggregator(events_max=4)
        for port in (1, 2, 3):
            agg.add(conn_event(dst={"ip": "1.2.3.4", "port": port,
                                    "host": None}))
        taken = agg.take_events()
        agg.add(conn_event())
        agg.add(conn_event())
        agg.give_back(taken)
        ports = [ev["dst"]["port"] for _, ev in agg.take_events()]
        self.assertEqual(ports, [2, 3, 8080, 8080])     # oldest dropped

    def test_bounded_maps(self):
        agg = Aggregator(map_max=2)
        for port in (1, 2, 3, 4):
            agg.add(conn_event(dst={"ip": "1.2.3.4", "port": port,
                                    "host": "h%d" % port}))
        snap = agg.snapshot()
        self.assertEqual(snap["by_port"], {"1": 1, "2": 1, "(other)": 2})
        self.assertEqual(len(snap["by_host"]), 3)

    def test_event_message(self):
        ev = conn_event(reason="prompt-timeout", rule=None, verdict="deny",
                        family="ipv6", proto="udp",
                        dst={"ip": "::1", "port": 53, "host": "example.com"})
        e = mapping.event_to_pb(pb, ev, 1795289140123456000)
        self.assertEqual(e.unixnano, 1795289140123456000)
        self.assertEqual((e.rule.name, e.rule.action),
                         ("(prompt timeout)", "deny"))
        self.assertEqual((e.connection.protocol, e.connection.dst_host,
                          e.connection.process_path),
                         ("udp6", "example.com", "/usr/bin/curl"))
        self.assertEqual(len(e.time), len("2026-11-21 19:25:40"))
        e = mapping.event_to_pb(pb, conn_event(), 1)
        self.assertEqual(e.rule.name, "000-allow-localhost")

    def test_timestamps(self):
        self.assertEqual(mapping.parse_ts_ns("1970-01-01T00:00:01.000002Z"),
                         1000002000)
        self.assertEqual(mapping.parse_ts_ns("garbage"), 0)


class CoveredPrompts(unittest.TestCase):
    def rule(self, op):
        return {"name": "r", "enabled": True, "operator": op}

    def test_matches(self):
        yes = [{"type": "simple", "operand": "process.command",
                "data": "curl -s https://www.example.com/"},
               {"type": "simple", "operand": "dest.port", "data": "443"},
               {"type": "simple", "operand": "user.id", "data": "1001"},
               {"type": "simple", "operand": "dest.host",
                "data": "WWW.example.com"},
               {"type": "network", "operand": "dest.network",
                "data": "93.184.216.0/24"},
               {"type": "regexp", "operand": "dest.host",
                "data": "^(|.*\\.)example\\.com"},
               {"type": "list", "operand": "list", "list": [
                   {"type": "simple", "operand": "dest.port", "data": "443"},
                   {"type": "simple", "operand": "process.path",
                    "data": "/usr/bin/curl"}]}]
        for op in yes:
            self.assertTrue(matcher.covers(self.rule(op), PROMPT), op)

    def test_no_match(self):
        no = [{"type": "simple", "operand": "dest.port", "data": "80"},
              {"type": "simple", "operand": "dest.host",
               "data": "WWW.example.com", "sensitive": True},
              {"type": "network", "operand": "dest.network",
               "data": "10.0.0.0/8"},
              {"type": "simple", "operand": "process.env.HOME", "data": "/"},
              {"type": "list", "operand": "list", "list": []},
              {"type": "regexp", "operand": "dest.host", "data": "("}]
        for op in no:
            self.assertFalse(matcher.covers(self.rule(op), PROMPT), op)
        r = self.rule({"type": "simple", "operand": "dest.port", "data": "443"})
        r["enabled"] = False
        self.assertFalse(matcher.covers(r, PROMPT))


class UnsupportedNotifications(unittest.TestCase):
    def setUp(self):
        self.logged = []
        self.b = Bridge(pb, None, "/nonexistent", "unix:///nonexistent",
                        "0", self.logged.append)

    def test_errors_with_a_reason(self):
        for kind in (pb.CHANGE_CONFIG, pb.LOG_LEVEL, pb.STOP,
                     pb.MONITOR_PROCESS):
            r = self.b.handle_notification(pb.Notification(id=9, type=kind))
            self.assertEqual((r.id, r.code), (9, pb.ERROR))
            self.assertTrue(r.data.startswith("tattle: "), r.data)

    def test_pause_needs_tattled(self):
        for kind in (pb.LOAD_FIREWALL, pb.UNLOAD_FIREWALL):
            r = self.b.handle_notification(pb.Notification(id=5, type=kind))
            self.assertEqual((r.id, r.code), (5, pb.ERROR))
            self.assertIn("not connected", r.data)

    def test_wakeup_gets_no_reply(self):
        self.assertIsNone(self.b.handle_notification(pb.Notification(id=0)))

    def test_rule_change_without_tattled_is_an_error(self):
        n = pb.Notification(id=3, type=pb.DELETE_RULE,
                            rules=[pb.Rule(name="x")])
        r = self.b.handle_notification(n)
        self.assertEqual(r.code, pb.ERROR)
        self.assertIn("not connected", r.data)
        r = self.b.handle_notification(pb.Notification(id=4,
                                                       type=pb.CHANGE_RULE))
        self.assertEqual(r.code, pb.ERROR)
        self.assertIn("without a rule", r.data)


if __name__ == "__main__":
    unittest.main()
