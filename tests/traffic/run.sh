#!/usr/bin/env bash
# The labelled-traffic pipeline in small (issue: real-tool traffic, trained
# models, honest evaluation): a short training capture and a short test
# capture from the real tools in namespaces, the feature rows wirewall
# exports, a tiny model trained twice (the same bytes both times), the
# evaluation in three modes, and checks that the capture holds only the
# rig's addresses, that the rig left nothing behind, and that the report's
# numbers add up.
#
#   tests/traffic/run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
cd "$2"
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/ww_traffic_test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CACHE=${WW_WAF_CACHE:-$WORK/hs-cache}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for run in "11 train" "111 test"; do
	set -- $run
	$PY scripts/traffic/gen.py --seed "$1" --role "$2" --profile ci --duration 20 --out "$WORK" |
		tee "$WORK/gen.out"
	tag=$(sed -n 's/.*(rig \(wwt[0-9]*\)).*/\1/p' "$WORK/gen.out")
	[ -n "$tag" ] || fail "gen.py did not name its rig"
	if ip netns list | grep -q "^$tag-"; then
		fail "gen.py left namespaces behind: $(ip netns list | grep "^$tag-" | tr '\n' ' ')"
	fi
done

"$BUILD/app/wirewall/wirewall" -c conf/wirewall.ini \
	--set general.protected_networks=10.99.0.0/16 --set "waf.cache_dir=$CACHE" \
	--set detect.classifier= --set detect.anomaly= \
	-r "$WORK/train-ci-11.pcap" --features "$WORK/train.rows.csv" >/dev/null 2>"$WORK/features.log" ||
	{ cat "$WORK/features.log" >&2; fail "feature export"; }
for out in models models2; do
	$PY models/train.py --out "$WORK/$out" --seed 3 --trees 10 --depth 6 \
		"$WORK/train.rows.csv:$WORK/train-ci-11.json" >"$WORK/train-$out.log"
done
cmp "$WORK/models/classifier.wwf" "$WORK/models2/classifier.wwf" || fail "training is not reproducible (classifier)"
cmp "$WORK/models/anomaly.wwf" "$WORK/models2/anomaly.wwf" || fail "training is not reproducible (anomaly)"
"$BUILD/app/wirewall-model/wirewall-model" check "$WORK/models/classifier.wwf" --features 89 --spec-id 0x57460001 >/dev/null ||
	fail "the trained classifier does not load"
grep -q "sha256" "$WORK/models/MODELS.md" || fail "no model card"
echo "ok: training reproducible, model card written"

WW_WAF_CACHE=$CACHE $PY scripts/eval.py --build "$BUILD" --models "$WORK/models" --out "$WORK/eval" \
	"$WORK/test-ci-111.pcap"
$PY tests/traffic/check.py "$WORK/eval" "$WORK/test-ci-111.json" "$WORK/test-ci-111.pcap" \
	"$WORK/train-ci-11.json" "$WORK/train-ci-11.pcap"
