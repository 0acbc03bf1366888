#!/usr/bin/env bash
# The payload corpus: attack payloads from the wordlists of Debian's
# wfuzz, sqlmap, wapiti and dirb (read from the installed packages) and
# benign shop and API requests, each in its own connection, through
# wirewall's offline mode (CRS at PL1, shipped defaults otherwise) and
# through libmodsecurity3 set up as its users set it up; both directions
# of disagreement are listed (tests/corpus/compare.py).
#
#   run.sh WIREWALL CORPUS_MODSEC SOURCE_DIR [ATTACKS] [BENIGN]
set -euo pipefail
WW=$(readlink -f "$1")
MS=$(readlink -f "$2")
SRC=$(readlink -f "$3")
WORK=$(mktemp -d /tmp/ww_corpus.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
rc=0
PYTHONPATH="$SRC/tests/pcap" /usr/bin/python3 "$SRC/tests/corpus/gen_corpus.py" \
	"$WORK" "${4:-3000}" "${5:-2000}" || rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || exit $rc
# Every payload is judged on its own: the escalation ladder would block
# the one source that sends them all.
printf '[general]\nprotected_networks = 10.77.0.2/32\n[flow]\nmax_flows = 65536\n[response]\nenabled = no\n' >"$WORK/ww.ini"
"$WW" -c "$WORK/ww.ini" --set waf.enabled=yes --set "waf.cache_dir=${WW_WAF_CACHE:-}" \
	-r "$WORK/corpus.pcap" --eve "$WORK/eve.json" >"$WORK/summary" 2>&1 ||
	{ cat "$WORK/summary"; exit 1; }
"$MS" "$WORK/requests.bin" /usr/share/nginx/docs/modsecurity/modsecurity.conf \
	/etc/modsecurity/crs/crs-setup.conf /usr/share/modsecurity-crs/rules 1 \
	>"$WORK/modsec.txt"
/usr/bin/python3 "$SRC/tests/corpus/compare.py" "$WORK/corpus.json" "$WORK/eve.json" \
	"$WORK/modsec.txt" "$SRC/tests/corpus/floor"
