#!/usr/bin/env bash
# wirewallctl --json, live: every command's answer as one JSON document
# with its fields, refusals as {"error": ...} with exit status 1, no
# appliance as {"error": ...} with exit status 2 (tests/netns/ctl_json.py,
# which also fails when the appliance knows a command it has no case for).
#
#   test_ctl_json.sh WIREWALL_BINARY WIREWALLCTL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u
WIREWALL=$(readlink -f "$1")
CTL=$(readlink -f "$2")
SRC=$(readlink -f "$3")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwj

# Something for every command to act on: a block-list file, a JWT route
# and its key, models, the rule set (from scripts/test.sh's shared cache
# when there is one; else compiled, which the wait below allows for).
echo "203.0.113.0/24" >"$WORK/block.list"
head -c 32 /dev/urandom >"$WORK/hs.key"
rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
	--set flow.max_flows=65536 --set "waf.cache_dir=${WW_WAF_CACHE:-}" \
	--set "block.files=$WORK/block.list" \
	--set "auth.routes=/api/ https://id.test shop" --set "auth.keys=secret $WORK/hs.key" \
	--set "detect.classifier=$SRC/models/placeholder-classifier.wwf" \
	--set "detect.anomaly=$SRC/models/placeholder-anomaly.wwf"
{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" waf; } ||
	{ cat "$WORK/wirewall.log"; exit 1; }
/usr/bin/python3 "$SRC/tests/netns/ctl_json.py" "$CTL" "$RIG_CTL" 203.0.113.0/24 ||
	FAILED=1
rig_stop_wirewall
echo $? >"$WORK/stop.rc"
check "wirewall exits cleanly after all that (exit 0: nothing leaked)" \
	grep -qx 0 "$WORK/stop.rc"
netns_finish
