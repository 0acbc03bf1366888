#!/usr/bin/python3
"""Checks of the small traffic pipeline run (tests/traffic/run.sh).

    check.py EVAL_DIR LABELS.json CAPTURE.pcap [LABELS.json CAPTURE.pcap ...]

- every capture holds only the rig's addresses (the server and the
  labelled clients; link-local multicast from them): nothing came from
  or went anywhere else;
- every labelled activity sent packets the capture holds, and each
  address runs one class;
- the report, its plots and metrics exist, and the metrics add up: per
  mode, clients and flows per class are the same counts in every mode
  (the ground truth does not depend on what wirewall did), judged counts
  never exceed them, rates are within [0, 1], the attackers counted are
  the labelled attacking addresses that sent something.
"""
import json
import os
import sys

from scapy.all import IP, PcapReader

SERVER = "10.99.0.10"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check_capture(labels_path, pcap):
    with open(labels_path) as fh:
        labels = json.load(fh)
    known = {a["src"] for a in labels["activities"]} | {SERVER}
    seen = {}
    for p in PcapReader(pcap):
        if IP not in p:
            continue
        s, d = p[IP].src, p[IP].dst
        if d.startswith("224.0.0."):
            d = s  # link-local multicast (IGMP): never leaves the bridge
        if s not in known or d not in known:
            fail("%s: a packet %s -> %s outside the rig's addresses" % (pcap, s, d))
        seen[s] = seen.get(s, 0) + 1
    classes = {}
    for a in labels["activities"]:
        if seen.get(a["src"], 0) == 0:
            fail("%s: %s (%s) sent nothing" % (pcap, a["tool"], a["src"]))
        classes.setdefault(a["src"], set()).add(a["class"])
        if not (labels["start"] <= a["start"] <= (a["end"] or labels["end"]) <= labels["end"] + 1):
            fail("%s: %s has times outside the run" % (pcap, a["tool"]))
    if any(len(c) > 1 for c in classes.values()):
        fail("an address runs more than one class")
    print("ok: %s: %d packets, only the rig's %d addresses, every activity seen"
          % (os.path.basename(pcap), sum(seen.values()), len(known)))
    return labels, seen


def main():
    out = sys.argv[1]
    pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
    labels, seen = check_capture(*pairs[0])
    for p in pairs[1:]:
        check_capture(*p)
    for f in ("report.md", "metrics.json", "recall.png", "anomaly.png", "confusion.png"):
        path = os.path.join(out, f)
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            fail("%s missing" % f)
        if f.endswith(".png"):
            with open(path, "rb") as fh:
                if fh.read(8) != b"\x89PNG\r\n\x1a\n":
                    fail("%s is not a PNG" % f)
    with open(os.path.join(out, "metrics.json")) as fh:
        m = json.load(fh)
    attackers = {a["src"] for a in labels["activities"] if a["class"] != "benign"}
    ref = None
    for mode, d in m["modes"].items():
        counts = {c: (v["clients"], v["flows"]) for c, v in d["per_class"].items()}
        if ref is None:
            ref = counts
        elif counts != ref:
            fail("%s: ground-truth counts differ between modes" % mode)
        if d["attackers"] != len(attackers):
            fail("%s: %d attackers counted, %d labelled" % (mode, d["attackers"], len(attackers)))
        if not 0 <= d["attackers_with_verdict"] <= d["attackers"]:
            fail("%s: attackers with a verdict out of range" % mode)
        if d["benign_flows_judged"] > d["benign_flows"] or d["benign_flows"] == 0:
            fail("%s: benign flow counts" % mode)
        for c, v in d["per_class"].items():
            for k in ("flow_recall", "client_recall", "client_precision"):
                x = v.get(k)
                if x is not None and not 0 <= x <= 1:
                    fail("%s/%s: %s = %s" % (mode, c, k, x))
    with open(os.path.join(out, "report.md")) as fh:
        text = fh.read()
    for needle in ("rules only", "models only", "rules + models", "models + request rules",
                   "benign-flow false-positive"):
        if needle not in text:
            fail("report lacks %r" % needle)
    print("ok: report, plots and metrics consistent (%d attackers, %d benign flows)"
          % (len(attackers), m["modes"]["both"]["benign_flows"]))


if __name__ == "__main__":
    main()
