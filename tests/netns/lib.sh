# shellcheck shell=bash
# Shared by the netns tests: root check, the rig (scripts/rig.sh) under a
# per-test prefix, a work directory, cleanup on any exit, and TAP-style
# checks.
#
#   WIREWALL=... SRC=... ; netns_setup PREFIX   (PREFIX: 3 letters)
#   check "description" command...    ok/not ok, output shown on failure
#   netns_finish                       exit 1 if any check failed

netns_setup() {
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
		echo "SKIP: needs root and /dev/net/tun"
		exit 77
	fi
	RIG=$1$$
	RIG=${RIG:0:7} # interface names are at most 15 characters
	# shellcheck source=../../scripts/rig.sh
	. "$SRC/scripts/rig.sh"
	NS_C=$(rig_ns_c)
	NS_S=$(rig_ns_s)
	WORK=$(mktemp -d "/tmp/ww_$1.XXXXXX")
	WW_PID=
	FAILED=0
	trap netns_cleanup EXIT
	trap 'exit 1' INT TERM
	rig_up || { echo "rig set-up failed"; exit 1; }
}

netns_cleanup() {
	rig_stop_wirewall
	rig_down
	rm -rf "$WORK" "$RIG_CTL"
}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILED=1; }
check() { # check "description" command...
	local what=$1
	shift
	if "$@" >"$WORK/last.out" 2>&1; then ok "$what"; else
		not_ok "$what"
		sed 's/^/    /' "$WORK/last.out" | tail -15
	fi
}

# Wait until a TCP port answers: wait_port NS ADDR PORT
wait_port() {
	for _ in $(seq 100); do
		ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

netns_finish() {
	if [ "$FAILED" != 0 ]; then
		echo "--- wirewall log"
		tail -30 "$WORK/wirewall.log"
		exit 1
	fi
	exit 0
}
