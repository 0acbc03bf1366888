#!/usr/bin/python3
"""Join wirewall's and libmodsecurity3's verdicts on the payload corpus.

    compare.py CORPUS.JSON EVE.JSON MODSEC.TXT FLOOR

Blocked, for wirewall: an alert whose action is blocked, or the request
refused by an exception (an anomaly event whose action is not pass), on
the request's connection. Prints both directions (requests
libmodsecurity3 blocks that wirewall passes, and the reverse), the
RESULT lines, and fails when wirewall's share of libmodsecurity3's
blocks falls below FLOOR's ww_of_modsec, or when wirewall blocks more
benign requests that libmodsecurity3 passes than FLOOR's
benign_ww_only.
"""
import json
import sys


def main():
    meta = json.load(open(sys.argv[1]))
    ww = set()
    for line in open(sys.argv[2]):
        e = json.loads(line)
        if e["event_type"] == "alert" and e["alert"]["action"] == "blocked":
            ww.add(e.get("src_port"))
        elif e["event_type"] == "anomaly" and e["wirewall"]["action"] != "pass":
            ww.add(e.get("src_port"))
    ms = set()
    for line in open(sys.argv[3]):
        i, verdict = line.split()
        if verdict == "blocked":
            ms.add(meta[int(i)]["port"])
    floor = dict(l.split() for l in open(sys.argv[4]) if l.strip() and not l.startswith("#"))
    att = [m for m in meta if m["kind"] == "attack"]
    ben = [m for m in meta if m["kind"] == "benign"]
    ms_att = [m for m in att if m["port"] in ms]
    both = [m for m in ms_att if m["port"] in ww]
    ms_only = [m for m in meta if m["port"] in ms and m["port"] not in ww]
    ww_only = [m for m in meta if m["port"] in ww and m["port"] not in ms]
    ben_ww_only = [m for m in ben if m["port"] in ww and m["port"] not in ms]
    print("requests libmodsecurity3 blocks and wirewall passes: %d" % len(ms_only))
    for m in ms_only:
        print("  ms-only %-28s %s" % (m["source"], m["line"][:160]))
    print("requests wirewall blocks and libmodsecurity3 passes: %d" % len(ww_only))
    for m in ww_only:
        print("  ww-only %-28s %s" % (m["source"], m["line"][:160]))
    share = len(both) / len(ms_att) if ms_att else 1.0
    print("RESULT corpus_attacks_blocked %d of %d vs libmodsecurity3 %d of %d ratio %.2f"
          % (len([m for m in att if m["port"] in ww]), len(att), len(ms_att), len(att),
             len([m for m in att if m["port"] in ww]) / max(1, len(ms_att))))
    print("RESULT corpus_ww_of_modsec_blocks %.4f share vs floor %s" % (share, floor["ww_of_modsec"]))
    print("RESULT corpus_benign_blocked %d of %d vs libmodsecurity3 %d of %d (wirewall only: %d)"
          % (len([m for m in ben if m["port"] in ww]), len(ben),
             len([m for m in ben if m["port"] in ms]), len(ben), len(ben_ww_only)))
    ok = share + 1e-9 >= float(floor["ww_of_modsec"]) and \
        len(ben_ww_only) <= int(floor["benign_ww_only"])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
