#!/usr/bin/env bash
# Cost of one out-of-order segment with 10, 100 and 1,000 already stored
# in its stream, against the list-based reassembly lib/tcp had before.
#   perf/tcp/run.sh [ROUNDS]     (release build in build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/perf/bench_tcp ] || ninja -C build perf/bench_tcp
exec build/perf/bench_tcp "${1:-100}"
