#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for
# SECONDS (default 20; the test suite runs them briefly, run longer by
# hand: tests/fuzz/run.sh 600). Seeds come from tests/fuzz/seeds/<target>.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-20}
OUT=${FUZZ_OUT:-$(mktemp -d /tmp/ww_fuzz.XXXXXX)}
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || { echo "SKIP: clang not installed"; exit 77; }

build() { # target sources...
	local t=$1
	shift
	"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Ilib/http -Ilib/tcp -Ilib/inject \
		-o "$OUT/$t" "$@"
}
build fuzz_http tests/fuzz/fuzz_http.c lib/http/http_dp.c
build fuzz_tcp tests/fuzz/fuzz_tcp.c lib/tcp/tcp_dp.c
build fuzz_sqli tests/fuzz/fuzz_sqli.c lib/inject/sqli.c
build fuzz_xss tests/fuzz/fuzz_xss.c lib/inject/xss.c

for t in fuzz_http fuzz_tcp fuzz_sqli fuzz_xss; do
	mkdir -p "$OUT/corpus_$t"
	cp tests/fuzz/seeds/"$t"/* "$OUT/corpus_$t/" 2>/dev/null || true
	echo "fuzz: $t for $SECS s"
	if ! "$OUT/$t" -max_total_time="$SECS" -max_len=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/" \
		"$OUT/corpus_$t" >"$OUT/$t.log" 2>&1; then
		tail -40 "$OUT/$t.log"
		echo "fuzz: $t FAILED; the input is in $OUT" >&2
		exit 1
	fi
	grep -E 'stat::number_of_executed_units|^Done' "$OUT/$t.log"
done
[ -n "${FUZZ_OUT:-}" ] || rm -rf "$OUT"
