#!/usr/bin/env bash
# perf/enforce: block-list lookups and token-bucket checks per second on
# one core against DPDK's rte_lpm and rte_meter, and JWT checks per second
# (uncached and cached) against `openssl speed` for the same algorithms,
# all in one run. See perf/README.md.
#
#   perf/enforce/run.sh [SECONDS_PER_MEASURE]     (default 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-2}
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
ninja -C "$BUILD" >/dev/null
WORK=$(mktemp -d /tmp/ww_perf_enforce.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

/usr/bin/python3 perf/enforce/gen_tokens.py "$WORK"
"$BUILD/perf/bench_enforce" "$WORK/block.list" "$(cat "$WORK/keys.spec")" \
	"$WORK/tokens.txt" "$SECS" >"$WORK/ww.txt"
openssl speed -seconds "$SECS" rsa2048 ecdsap256 ecdsap384 ed25519 2>/dev/null >"$WORK/ossl.txt"
openssl speed -seconds "$SECS" -hmac sha256 2>/dev/null >>"$WORK/ossl.txt"
sed 's/^/  raw: /' "$WORK/ww.txt"
grep -E "^rsa 2048|nistp256|nistp384|Ed25519|^hmac" "$WORK/ossl.txt" | sed 's/^/  openssl: /'

awk '
FNR == NR {
	if ($1 == "rsa" && $2 == "2048") peer["RS256"] = peer["PS256"] = $NF
	if ($0 ~ /nistp256/) peer["ES256"] = $NF
	if ($0 ~ /nistp384/) peer["ES384"] = $NF
	if ($0 ~ /Ed25519/) peer["EdDSA"] = $NF
	# hmac(sha256): thousands of bytes/s at 256-byte inputs (a token s
	# signed part is about that long) -> operations/s.
	if ($1 == "hmac(sha256)") { v = $4; sub(/k$/, "", v); peer["HS256"] = v * 1000 / 256 }
	next
}
$1 == "block" { printf "RESULT block_lookups %.2f M addr/s vs rte_lpm %.2f M addr/s ratio %.2f\n", $3/1e6, $5/1e6, $3/$5 }
$1 == "limit" { printf "RESULT limit_checks %.2f M checks/s vs rte_meter_srtcm %.2f M checks/s ratio %.2f\n", $3/1e6, $5/1e6, $3/$5 }
$1 == "jwt" {
	p = peer[$2]; what = ($2 == "HS256") ? "hmac_sha256_256B" : "verify"
	printf "RESULT jwt_%s_uncached %.0f checks/s vs openssl_speed_%s %.0f /s ratio %.2f\n", $2, $4, what, p, $4/p
	printf "RESULT jwt_%s_cached %.0f checks/s vs openssl_speed_%s %.0f /s ratio %.2f\n", $2, $6, what, p, $6/p
}' "$WORK/ossl.txt" "$WORK/ww.txt"
