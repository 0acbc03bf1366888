#!/usr/bin/env bash
# The CRS 3.3.4 regression suite at paranoia level 4 through wirewall's
# engine and, as the peer, through libmodsecurity3 set up as Debian's
# libmodsecurity3 users run it (/usr/share/nginx/docs/modsecurity/modsecurity.conf (Debian's libnginx-mod-http-modsecurity) with the engine
# On, then every file owasp-crs.load includes, in its order), both with
# Debian's crs-setup.conf and the suite's own settings, each request built
# as FTW builds it (crs_runner.c, crs_engine.c, ftw_request.c). Prints both
# on all enabled tests and on the request-side set (the tests judged from
# the rules' log alone, without the web server's own answers), and the
# rule families where the two disagree. Fails if wirewall's pass rate drops
# below the best reached so far (tests/crs/best_rate, all enabled tests:
# raise it as the engine improves) or below libmodsecurity3's, or if a
# benign test libmodsecurity3 passes fails here.
#
#   run.sh CRS_RUNNER SOURCE_DIR
#
# Env: CRS_TESTS (the suite's directory), MODSEC_RULE_ENGINE
# (DetectionOnly: libmodsecurity3 as the CRS's own CI ran it; default On),
# WW_WAF_CACHE (wirewall's compiled databases).
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
"$RUNNER" --pl 4 --engine modsec --modsec-conf /usr/share/nginx/docs/modsecurity/modsecurity.conf \
	"$SETUP" "$RULES" "$TESTS" >"$WORK/ms.txt" 2>&1 ||
	echo "(libmodsecurity3 run failed)" >"$WORK/ms.txt"
echo "per rule file: wirewall pass/fail | libmodsecurity3 pass/fail"
join <(awk '$1 ~ /\.yaml$/ && $2 == "pass" {print $1, $3, $5}' "$WORK/ww.txt" | sort) \
	<(awk '$1 ~ /\.yaml$/ && $2 == "pass" {print $1, $3, $5}' "$WORK/ms.txt" | sort) |
	awk '{printf "  %-14s %4d/%-4d | %4d/%-4d\n", $1, $2, $3, $4, $5}'
grep "skipped (enabled: false)" "$WORK/ww.txt" | sed 's/^/  /'
# Rule families (test ids' first 6 digits) where one engine passes a test
# and the other fails it.
echo "disagreements per rule: wirewall passes, libmodsecurity3 fails | the reverse (set)"
join <(awk '$1 == "test" {print $2, $3, $4}' "$WORK/ww.txt" | sort -u) \
	<(awk '$1 == "test" {print $2, $3}' "$WORK/ms.txt" | sort -u) |
	awk '$2 != $4 { split($1, t, "-"); k = t[1] " " $3
		if ($2 == "pass") w[k]++; else m[k]++; seen[k] = 1 }
	END { for (k in seen) printf "  %-6s %3d | %3d  (%s)\n", substr(k, 1, 6), w[k], m[k], substr(k, 8) }' |
	sort
grep -E "^wirewall engine|^unsupported" "$WORK/ww.txt"
grep "^RESULT" "$WORK/ww.txt"
grep "^RESULT" "$WORK/ms.txt" || true
ww=$(awk '$1 == "RESULT" && $2 == "crs-3.3.4" {print $3}' "$WORK/ww.txt")
ms=$(awk '$1 == "RESULT" && $2 == "crs-3.3.4" {print $3}' "$WORK/ms.txt")
ww_rs=$(awk '$1 == "RESULT" && $2 == "crs-3.3.4-request-side" {print $3}' "$WORK/ww.txt")
ms_rs=$(awk '$1 == "RESULT" && $2 == "crs-3.3.4-request-side" {print $3}' "$WORK/ms.txt")
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
awk -v ww="$ww_rs" -v ms="${ms_rs:-0}" 'BEGIN {
	printf "RESULT crs_request_side_pass_rate %.2f %% vs libmodsecurity3 %.2f %% ratio %.2f\n", ww, ms, (ms > 0 ? ww / ms : 0)
}'
awk -v ww="$ww" -v ms="${ms:-0}" -v best="$best" 'BEGIN {
	printf "RESULT crs_pass_rate %.2f %% vs libmodsecurity3 %.2f %% ratio %.2f\n", ww, ms, (ms > 0 ? ww / ms : 0)
	if (ww + 0 < best + 0) { printf "FAIL: pass rate %.2f %% is below the best so far, %.2f %%\n", ww, best; exit 1 }
	if (ww + 0 < ms + 0) { printf "FAIL: pass rate below libmodsecurity3s\n"; exit 1 }
}'
