#!/usr/bin/env bash
# Install what is missing, build, run every test suite. Exits non-zero on
# any failure. Tests run against an ASan+UBSan build; the release build is
# compiled too, since it is the one users run and perf/ measures.
#
#   scripts/test.sh [meson test args...]   e.g. scripts/test.sh --suite unit
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

configure() { # builddir meson-args...
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}

configure build -Dbuildtype=release
configure build-asan -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false

ninja -C build
ninja -C build-asan

# Leak checks stay on; DPDK's own allocations are freed by
# rte_eal_cleanup() before exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Compiled rule databases shared by the suites that load the CRS (the
# first compiles them, ~10 s; the others read them back), kept in the
# build tree rather than the appliance's /var/cache/wirewall.
export WW_WAF_CACHE=${WW_WAF_CACHE:-$PWD/build-asan/hs-cache}
# Filled here by the release build: Hyperscan's compiler allocates so
# much that under ASan's allocator a cold compile of the CRS takes about
# a minute instead of ~9 s. Site-rule tests then recompile only the
# databases their rules change.
build/app/wirewall/wirewall -c conf/wirewall.ini --set "waf.cache_dir=$WW_WAF_CACHE" \
	--check-config >/dev/null ||
	echo "test.sh: the CRS did not load with the release build (the tests that need it will say why)"

had_system_cache=no
[ -e /var/cache/wirewall ] && had_system_cache=yes
start=$(date +%s)
meson test -C build-asan --print-errorlogs --num-processes 2 "$@"
# Tests leave nothing behind: the appliance's own compile cache is not
# theirs to create (each passes waf.cache_dir, or turns [waf] off).
if [ $had_system_cache = no ] && [ -e /var/cache/wirewall ]; then
	echo "test.sh: a test created /var/cache/wirewall; tests must use \$WW_WAF_CACHE" >&2
	exit 1
fi
echo "test.sh: all suites passed in $(( $(date +%s) - start )) s"
