#!/usr/bin/env bash
# perf/forest: ns per row of wirewall's forest kernels against XGBoost's C
# API (identical trees) and scikit-learn, at batch sizes 1, 8 and 64, in
# one run. See perf/README.md.
#
#   perf/forest/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
ninja -C "$BUILD" >/dev/null
BENCH=$BUILD/perf/bench_forest
[ -x "$BENCH" ] || { echo "perf/forest: needs libxgboost-dev (scripts/setup.sh)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ww_perf_forest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 perf/forest/train.py "$WORK" >"$WORK/sk.txt"

for m in xgbrf xgbrf12 rf8 rf12 iforest; do
	if [ -f "$WORK/$m.json" ]; then
		"$BENCH" "$WORK/rows.f32" 20 "$WORK/$m.wwf" "$WORK/$m.json"
	else
		"$BENCH" "$WORK/rows.f32" 20 "$WORK/$m.wwf"
	fi | sed "s/^/$m /"
done >"$WORK/ww.txt"
"$BUILD/app/wirewall-model/wirewall-model" info "$WORK/xgbrf.wwf" | sed 's/^/  xgbrf.wwf: /'
cat "$WORK/ww.txt" "$WORK/sk.txt" | sed 's/^/  raw: /'

# RESULT lines: ratio = peer ns/row / wirewall ns/row (above 1: faster).
awk '
FNR == NR && $1 == "sk" { sk[$2, $3] = $4; next }
$2 == "xgb" { xgb[$1, $3] = $4; next }
$2 == "ww" { ww[$1, $3, $4] = $5; kern[$3] = 1; models[$1] = 1 }
END {
	split("1 8 64", B, " ")
	label["xgbrf"] = "xgbrf_d8"; label["xgbrf12"] = "xgbrf_d12"; label["rf8"] = "rf_d8"
	label["rf12"] = "rf_d12"; label["iforest"] = "iforest"
	for (m in models) for (i = 1; i <= 3; i++) for (k in kern) {
		b = B[i]; w = ww[m, k, b]
		if (w == "") continue
		if (m ~ /^xgbrf/)
			printf "RESULT forest_%s_b%s_%s %.1f ns/row vs xgboost %.1f ns/row ratio %.2f\n", label[m], b, k, w, xgb[m, b], xgb[m, b] / w
		else
			printf "RESULT forest_%s_b%s_%s %.1f ns/row vs sklearn %.1f ns/row ratio %.2f\n", label[m], b, k, w, sk[m, b], sk[m, b] / w
	}
}' "$WORK/sk.txt" "$WORK/ww.txt" | sort
