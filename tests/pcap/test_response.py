#!/usr/bin/python3
"""The escalation ladder ([response]) in offline mode, end to end.

    test_response.py WIREWALL

A generated capture: an attacker sends SQL injection over real TCP
handshakes until the rule engine's verdicts throttle and then block it;
its next connection is dropped while a benign client beside it is never
touched; once the block's TTL runs out (capture time) the attacker gets
through again, and a repeat offence blocks it for twice as long. A second
attacker inside [response] never is refused a step (and logged), and a
third whose handshake was never acknowledged (a blind spoofer's) gives no
evidence at all. Dry run logs the same steps and drops nothing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scapy.all import IP, TCP, Ether, Raw  # noqa: E402

from pcapfile import read_pcap, write_pcap  # noqa: E402

WIREWALL = sys.argv.pop(1) if len(sys.argv) > 1 else "build/app/wirewall/wirewall"
T0 = 1767225600.0
SERVER = "10.77.0.10"
ATTACKER, BENIGN, NEVER, SPOOFED = "10.0.0.66", "10.0.0.5", "10.0.0.77", "10.0.0.99"
ATTACK = b"GET /?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1\r\nHost: shop\r\nUser-Agent: x\r\n\r\n"
BENIGN_GET = b"GET / HTTP/1.1\r\nHost: shop\r\nUser-Agent: x\r\n\r\n"

CONFIG = """[general]
protected_networks = 10.77.0.0/24
[flow]
max_flows = 65536
[http]
contexts = 256
[waf]
enabled = yes
cache_dir = %s
[response]
half_life = 3600
throttle_at = 3
block_at = 6
escalate_at = 0
block_ttl = 20
ttl_growth = 2
never = %s
"""


class Capture:
    def __init__(self):
        self.frames = []
        self.port = 20000

    def add(self, t, pkt):
        eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        self.frames.append((T0 + t, bytes(eth / pkt)))

    def conn(self, t, client, payload, ack_ok=True):
        """A connection at @t: handshake (the client's ACK acknowledging
        the SYN-ACK, or not), one request. @return the request's time."""
        self.port += 1
        c, s = IP(src=client, dst=SERVER), IP(src=SERVER, dst=client)
        sp = self.port
        self.add(t, c / TCP(sport=sp, dport=80, flags="S", seq=1000))
        self.add(t + 0.001, s / TCP(sport=80, dport=sp, flags="SA", seq=5000, ack=1001))
        ack = 5001 if ack_ok else 9999
        self.add(t + 0.002, c / TCP(sport=sp, dport=80, flags="A", seq=1001, ack=ack))
        self.add(t + 0.003, c / TCP(sport=sp, dport=80, flags="PA", seq=1001, ack=ack)
                 / Raw(payload))
        return t + 0.003

    def syn(self, t, client):
        self.port += 1
        self.add(t, IP(src=client, dst=SERVER) / TCP(sport=self.port, dport=80,
                                                      flags="S", seq=1000))
        return self.port


def eve(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def responses(events, src):
    return [e["wirewall"]["response"] for e in events
            if e["event_type"] == "response" and e.get("src_ip") == src]


def forwarded_syn(out, port):
    """Whether the SYN from source port @port is in the output."""
    for _, raw in read_pcap(out):
        p = Ether(raw)
        if TCP in p and p[TCP].sport == port and p[TCP].flags == "S":
            return True
    return False


class Response(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ww_response_")
        cap = Capture()
        t = 0.0
        for _ in range(8):  # the attacker, then the never-listed one
            cap.conn(t, ATTACKER, ATTACK)
            cap.conn(t + 0.05, NEVER, ATTACK)
            cap.conn(t + 0.1, SPOOFED, ATTACK, ack_ok=False)
            t += 0.2
        cls.benign_port = None
        cap.conn(4.0, BENIGN, BENIGN_GET)
        cls.benign_port = cap.port
        cls.blocked_syn = cap.syn(5.0, ATTACKER)
        cls.never_syn = cap.syn(5.1, NEVER)
        # Past the block's 20 s: let through again; then a repeat
        # offence, blocked for 40 s.
        cls.after_syn = cap.syn(30.0, ATTACKER)
        for i in range(8):
            cap.conn(31.0 + 0.2 * i, ATTACKER, ATTACK)
        cls.second_syn = cap.syn(35.0, ATTACKER)
        cls.pcap = os.path.join(cls.dir, "response.pcap")
        write_pcap(cls.pcap, cap.frames)

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("KEEP"):
            shutil.rmtree(cls.dir, ignore_errors=True)

    def run_ww(self, tag, *sets):
        conf = os.path.join(self.dir, tag + ".ini")
        with open(conf, "w") as fh:
            fh.write(CONFIG % (os.environ.get("WW_WAF_CACHE", ""), NEVER))
        out = os.path.join(self.dir, tag + ".out.pcap")
        log = os.path.join(self.dir, tag + ".eve.json")
        args = [WIREWALL, "-c", conf, "-r", self.pcap, "-w", out, "--eve", log]
        for kv in sets:
            args += ["--set", kv]
        p = subprocess.run(args, capture_output=True, text=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        return out, eve(log)

    def test_ladder(self):
        out, events = self.run_ww("ladder")
        steps = responses(events, ATTACKER)
        actions = [s["action"] for s in steps]
        # Throttle, then block with the first TTL; expiry; a repeat
        # offence blocks again, twice as long.
        self.assertEqual(actions[:2], ["throttle", "block"], steps)
        self.assertEqual(steps[1]["ttl"], 20, steps[1])
        self.assertEqual(steps[1]["offences"], 1)
        self.assertTrue(steps[1]["reasons"], "no reason chain")
        self.assertTrue(all(r["kind"] == "waf" for r in steps[1]["reasons"]))
        self.assertIn("expire", actions)
        again = [s for s in steps[actions.index("expire"):]
                 if s["action"] == "block"]
        self.assertTrue(again, steps)
        self.assertEqual(again[0]["ttl"], 40)
        self.assertEqual(again[0]["offences"], 2)
        self.assertFalse(steps[1]["dry_run"])
        # Enforced: the blocked attacker's next SYN is dropped, the one
        # after the TTL goes through, the repeat offence is dropped again.
        self.assertFalse(forwarded_syn(out, self.blocked_syn))
        self.assertTrue(forwarded_syn(out, self.after_syn))
        self.assertFalse(forwarded_syn(out, self.second_syn))
        # The benign client beside it: never on the ladder, forwarded.
        self.assertEqual(responses(events, BENIGN), [])
        self.assertTrue(forwarded_syn(out, self.benign_port))
        # [response] never: refused, said once per step, and not blocked.
        never = responses(events, NEVER)
        self.assertTrue(never and all(s.get("refused") == "never" for s in never),
                        never)
        self.assertEqual(len([s for s in never if s["action"] == "block"]), 1)
        self.assertTrue(forwarded_syn(out, self.never_syn))
        # A handshake never acknowledged: no evidence, no step.
        self.assertEqual(responses(events, SPOOFED), [])
        final = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
        self.assertGreater(final["response"]["unverified"], 0)
        self.assertEqual(final["response"]["steps"]["block"], 2)
        self.assertGreater(final["drop"]["blocklist"], 0)

    def test_dry_run_acts_on_nothing(self):
        out, events = self.run_ww("dry", "response.dry_run=yes")
        steps = responses(events, ATTACKER)
        self.assertIn("block", [s["action"] for s in steps], steps)
        self.assertTrue(all(s["dry_run"] for s in steps))
        self.assertTrue(forwarded_syn(out, self.blocked_syn))
        final = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
        self.assertEqual(final["drop"].get("blocklist", 0), 0)
        self.assertEqual(final["drop"].get("throttle", 0), 0)

    def test_caps(self):
        # One step a minute: the throttle takes it, the block is refused
        # (and said once); one entry in force: the second source's step
        # is refused.
        out, events = self.run_ww("apm", "response.actions_per_minute=1",
                                  "response.never=")
        steps = responses(events, ATTACKER) + responses(events, NEVER)
        refused = [s for s in steps if s.get("refused") == "actions_per_minute"]
        self.assertTrue(refused, steps)
        final = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
        self.assertGreater(final["response"]["refused"]["actions_per_minute"], 0)
        out, events = self.run_ww("entries", "response.max_entries=1",
                                  "response.never=")
        final = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
        self.assertGreater(final["response"]["refused"]["max_entries"], 0)
        self.assertTrue([s for s in responses(events, NEVER)
                         if s.get("refused") == "max_entries"])

    def test_alert_pcap(self):
        # [eve] alert_pcap: the frames of the alerted flows, four a flow
        # (the handshake and the request, all still in the burst).
        path = os.path.join(self.dir, "alerts.pcap")
        out, events = self.run_ww("apcap", "response.enabled=no",
                                  "eve.alert_pcap=" + path,
                                  "eve.alert_pcap_flow_packets=4")
        frames = [Ether(raw) for _, raw in read_pcap(path)]
        alerted = {e["flow_id"] for e in events if e["event_type"] == "alert"}
        self.assertTrue(frames, "no frame written")
        per_flow = {}
        for p in frames:
            self.assertIn(p[IP].src, (ATTACKER, NEVER, SPOOFED, SERVER))
            key = tuple(sorted((p[TCP].sport, p[TCP].dport)))
            per_flow[key] = per_flow.get(key, 0) + 1
        self.assertTrue(all(n <= 4 for n in per_flow.values()), per_flow)
        # The request that raised the alert is there, as sent.
        self.assertTrue(any(bytes(p[TCP].payload).startswith(b"GET /?id=")
                            for p in frames))
        final = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
        self.assertEqual(final["alert_pcap"]["frames"], len(frames))
        self.assertLessEqual(len(per_flow), len(alerted))

    def test_offender_table_is_bounded(self):
        # Many verified sources, one verdict each, into a table of 16:
        # the table holds at most its size, the rest forgotten (idle, low
        # score first) and counted; the one blocked source is kept.
        cap = Capture()
        for i in range(20):
            cap.conn(0.01 * i, ATTACKER, ATTACK)
        for i in range(60):
            cap.conn(1.0 + 0.01 * i, "10.0.1.%d" % (i + 1), ATTACK)
        pcap = os.path.join(self.dir, "many.pcap")
        write_pcap(pcap, cap.frames)
        conf = os.path.join(self.dir, "many.ini")
        with open(conf, "w") as fh:
            fh.write(CONFIG % (os.environ.get("WW_WAF_CACHE", ""), NEVER))
        log = os.path.join(self.dir, "many.eve.json")
        p = subprocess.run([WIREWALL, "-c", conf, "-r", pcap, "--eve", log,
                            "--set", "response.max_offenders=16"],
                           capture_output=True, text=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        events = eve(log)
        final = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
        r = final["response"]
        self.assertLessEqual(r["offenders"], 17, r)
        self.assertGreater(r["offenders_forgotten"], 0, r)
        # Each of the 60 sources' verdict counted, or its source counted
        # as not tracked (no idle entry found to forget).
        self.assertGreaterEqual(r["evidence"] + r["offenders_untracked"], 60, r)
        self.assertEqual(r["in_force"]["block"], 1, r)

    def test_off(self):
        out, events = self.run_ww("off", "response.enabled=no")
        self.assertEqual([e for e in events if e["event_type"] == "response"], [])
        self.assertTrue(forwarded_syn(out, self.blocked_syn))


if __name__ == "__main__":
    unittest.main(verbosity=2)
