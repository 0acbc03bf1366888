#!/usr/bin/env bash
# Evaluate wirewall's models and rules on test captures (eval/report.md).
#
#   scripts/eval.sh [--data DIR] [--seeds "101 102"] [--profile full|ci]
#                   [--duration S] [--models DIR] [--out DIR]
#
# For each seed, the test capture DIR/test-<profile>-<seed>.pcap is made
# by scripts/traffic/gen.py --role test if it is not there yet (other
# seeds, address ranges, rates and tools than training ever sees); then
# scripts/eval.py replays each through offline mode with rules only,
# models only, and both, and writes the report, metrics.json and plots
# into --out (default eval/). Defaults: data /var/tmp/wirewall-traffic,
# seeds 101 102, models models/. Run time: about 100 s per capture to
# generate, a minute per capture to evaluate.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${WW_TRAFFIC_DIR:-/var/tmp/wirewall-traffic}
SEEDS="101 102"
PROFILE=full
DURATION=90
MODELS=models
OUT=eval
while [ $# -gt 0 ]; do
	case $1 in
	--data) DATA=$2; shift 2 ;;
	--seeds) SEEDS=$2; shift 2 ;;
	--profile) PROFILE=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--models) MODELS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) echo "usage: scripts/eval.sh [--data DIR] [--seeds LIST] [--profile full|ci] [--duration S] [--models DIR] [--out DIR]" >&2; exit 2 ;;
	esac
done
scripts/setup.sh >/dev/null
[ -x build/app/wirewall/wirewall ] || { meson setup build -Dbuildtype=release >/dev/null && ninja -C build >/dev/null; }
export WW_WAF_CACHE=${WW_WAF_CACHE:-$DATA/hs-cache}
mkdir -p "$DATA" "$WW_WAF_CACHE"
caps=()
for s in $SEEDS; do
	cap=$DATA/test-$PROFILE-$s
	if [ ! -f "$cap.pcap" ] || [ ! -f "$cap.json" ]; then
		/usr/bin/python3 scripts/traffic/gen.py --seed "$s" --role test --profile "$PROFILE" \
			--duration "$DURATION" --out "$DATA"
	fi
	caps+=("$cap.pcap")
done
/usr/bin/python3 scripts/eval.py --models "$MODELS" --out "$OUT" "${caps[@]}"
