#!/usr/bin/env bash
# Train wirewall's models from labelled captures (models/MODELS.md).
#
#   scripts/train.sh [--data DIR] [--seeds "1 2 3 4"] [--profile full|ci]
#                    [--duration S] [--out DIR] [--seed N] [--depth D] [--trees N]
#
# For each seed, the training capture DIR/train-<profile>-<seed>.pcap is
# made by scripts/traffic/gen.py --role train if it is not there yet;
# wirewall --features writes its rows (the code that scores live traffic,
# on the shipped configuration), and models/train.py trains the
# classifier and the anomaly model on them into DIR (default models/),
# with the model card. Same captures and --seed: the same files, bit for
# bit. Defaults: data /var/tmp/wirewall-traffic, seeds 1-4 and 9-12 (those
# of the shipped models), 90 s runs
# (about 100 s each to generate, a minute to train).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${WW_TRAFFIC_DIR:-/var/tmp/wirewall-traffic}
SEEDS="1 2 3 4 9 10 11 12" # the shipped models (models/MODELS.md)
PROFILE=full
DURATION=90
OUT=models
SEED=1
DEPTH=12
TREES=100
CV=--cv
while [ $# -gt 0 ]; do
	case $1 in
	--data) DATA=$2; shift 2 ;;
	--seeds) SEEDS=$2; shift 2 ;;
	--profile) PROFILE=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	--depth) DEPTH=$2; shift 2 ;;
	--trees) TREES=$2; shift 2 ;;
	--no-cv) CV=; shift ;;
	*) echo "usage: scripts/train.sh [--data DIR] [--seeds LIST] [--profile full|ci] [--duration S] [--out DIR] [--seed N] [--depth D] [--trees N] [--no-cv]" >&2; exit 2 ;;
	esac
done
scripts/setup.sh >/dev/null
[ -x build/app/wirewall/wirewall ] || { meson setup build -Dbuildtype=release >/dev/null && ninja -C build >/dev/null; }
WAF_CACHE=${WW_WAF_CACHE:-$DATA/hs-cache}
mkdir -p "$DATA" "$WAF_CACHE"
pairs=()
for s in $SEEDS; do
	cap=$DATA/train-$PROFILE-$s
	if [ ! -f "$cap.pcap" ] || [ ! -f "$cap.json" ]; then
		/usr/bin/python3 scripts/traffic/gen.py --seed "$s" --role train --profile "$PROFILE" \
			--duration "$DURATION" --out "$DATA"
	fi
	# The rows the appliance would score: the shipped configuration,
	# features on, no models.
	build/app/wirewall/wirewall -c conf/wirewall.ini \
		--set general.protected_networks=10.99.0.0/16 --set "waf.cache_dir=$WAF_CACHE" \
		--set detect.classifier= --set detect.anomaly= \
		-r "$cap.pcap" --features "$cap.rows.csv" >/dev/null 2>"$cap.features.log" ||
		{ cat "$cap.features.log" >&2; exit 1; }
	pairs+=("$cap.rows.csv:$cap.json")
done
/usr/bin/python3 models/train.py --out "$OUT" --seed "$SEED" --depth "$DEPTH" --trees "$TREES" $CV "${pairs[@]}"
