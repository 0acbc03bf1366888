#!/usr/bin/env bash
# perf/waf: requests per second on one core through wirewall's rule
# engine (lib/http + lib/waf) against libmodsecurity3, both with Debian's
# CRS 3.3.4, at paranoia levels 1 and 4, on one corpus (the CRS
# regression-suite requests plus as many benign GETs, 1 KB form POSTs and
# JSON POSTs), alternating rounds, medians. See perf/README.md.
#
#   perf/waf/run.sh [SECONDS_PER_ROUND] [ROUNDS]     (defaults: 2 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-2}
ROUNDS=${2:-3}
BUILD=${BUILD:-build}
TESTS=${CRS_TESTS:-../shared/crs-tests/v3.3.4}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
ninja -C "$BUILD" >/dev/null
BENCH=$BUILD/perf/bench_waf
[ -x "$BENCH" ] || { echo "perf/waf: needs libmodsecurity-dev (scripts/setup.sh)" >&2; exit 1; }
SETUP=/etc/modsecurity/crs/crs-setup.conf
RULES=/usr/share/modsecurity-crs/rules

# Compiled databases: a fresh cache, so the first load shows the full
# compile and the second one the read-back (the rule set is the same).
WW_WAF_CACHE=$(mktemp -d /tmp/ww_perf_waf_cache.XXXXXX)
export WW_WAF_CACHE
trap 'rm -rf "$WW_WAF_CACHE"' EXIT
for pl in 1 4; do
	"$BENCH" "$SETUP" "$RULES" "$TESTS" "$pl" "$SECS" "$ROUNDS" >"/tmp/ww_perf_waf.$pl" 2>&1
	grep -E "^corpus|^detect|^load|^round|Hyperscan|^compile cache" "/tmp/ww_perf_waf.$pl" | sed 's/^/  /'
done
for pl in 1 4; do
	awk -v pl="$pl" '$1 == "waf" {
		printf "RESULT waf_pl%s %.0f requests/s vs libmodsecurity3 %.0f requests/s ratio %.2f\n", pl, $4, $6, $4 / $6
	}' "/tmp/ww_perf_waf.$pl"
done
rm -f /tmp/ww_perf_waf.1 /tmp/ww_perf_waf.4
