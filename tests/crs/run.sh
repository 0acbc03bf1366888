#!/usr/bin/env bash
# The CRS 3.3.4 regression suite at paranoia level 4 through wirewall's
# engine and, as the peer, through libmodsecurity3 with the same rules;
# prints both. Fails if wirewall's pass rate drops below the best reached
# so far (tests/crs/best_rate: raise it as the engine improves) or below
# libmodsecurity3's.
#
#   run.sh CRS_RUNNER SOURCE_DIR
set -u
RUNNER=$1
SRC=$2
SETUP=/etc/modsecurity/crs/crs-setup.conf
RULES=/usr/share/modsecurity-crs/rules
TESTS=${CRS_TESTS:-$SRC/../shared/crs-tests/v3.3.4}
[ -d "$TESTS" ] || TESTS=/work/shared/crs-tests/v3.3.4 # the workplace's copy
if [ ! -f "$SETUP" ] || [ ! -d "$RULES" ]; then
	echo "SKIP: modsecurity-crs is not installed (scripts/setup.sh)"
	exit 77
fi
if [ ! -d "$TESTS" ]; then
	echo "SKIP: no CRS regression tests at $TESTS (set CRS_TESTS)"
	exit 77
fi
WORK=$(mktemp -d /tmp/ww_crs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$RUNNER" --pl 4 "$SETUP" "$RULES" "$TESTS" >"$WORK/ww.txt" || exit 1
"$RUNNER" --pl 4 --engine modsec "$SETUP" "$RULES" "$TESTS" >"$WORK/ms.txt" 2>&1 ||
	echo "(libmodsecurity3 run failed)" >"$WORK/ms.txt"
echo "per rule file: wirewall pass/fail | libmodsecurity3 pass/fail"
join <(grep '\.yaml' "$WORK/ww.txt" | awk '{print $1, $3, $5}' | sort) \
	<(grep '\.yaml' "$WORK/ms.txt" | awk '{print $1, $3, $5}' | sort) |
	awk '{printf "  %-14s %4d/%-4d | %4d/%-4d\n", $1, $2, $3, $4, $5}'
grep -E "^wirewall engine|^unsupported" "$WORK/ww.txt"
grep "^RESULT" "$WORK/ww.txt"
grep "^RESULT" "$WORK/ms.txt" || true
ww=$(awk '/^RESULT/ {print $3}' "$WORK/ww.txt")
ms=$(awk '/^RESULT/ {print $3}' "$WORK/ms.txt")
# Benign tests (no rule expected to log): none that libmodsecurity3
# passes may fail here.
join <(awk '$1 == "benign" {print $2, $3}' "$WORK/ww.txt" | sort) \
	<(awk '$1 == "benign" {print $2, $3}' "$WORK/ms.txt" | sort) >"$WORK/benign.txt"
n_benign=$(wc -l <"$WORK/benign.txt")
ww_benign=$(awk '$2 == "pass"' "$WORK/benign.txt" | wc -l)
ms_benign=$(awk '$3 == "pass"' "$WORK/benign.txt" | wc -l)
worse=$(awk '$3 == "pass" && $2 != "pass" {print $1}' "$WORK/benign.txt")
echo "RESULT crs_benign $n_benign benign tests: wirewall passes $ww_benign, libmodsecurity3 $ms_benign; passed by libmodsecurity3 and failed here: $(echo "$worse" | grep -c .)"
if [ -n "$worse" ]; then
	echo "FAIL: benign tests libmodsecurity3 passes raise rules here: $worse"
	exit 1
fi
best=$(cat "$SRC/tests/crs/best_rate")
awk -v ww="$ww" -v ms="${ms:-0}" -v best="$best" 'BEGIN {
	printf "RESULT crs_pass_rate %.2f %% vs libmodsecurity3 %.2f %% ratio %.2f\n", ww, ms, (ms > 0 ? ww / ms : 0)
	if (ww + 0 < best + 0) { printf "FAIL: pass rate %.2f %% is below the best so far, %.2f %%\n", ww, best; exit 1 }
	if (ww + 0 < ms + 0) { printf "FAIL: pass rate below libmodsecurity3s\n"; exit 1 }
}'
