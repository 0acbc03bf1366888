# shellcheck shell=bash
# The bump-in-the-wire rig: two network namespaces joined through wirewall.
#
#   [ns ${RIG}c] ${RIG}c0 --veth-- ${RIG}c0r ={bridge ${RIG}br0}= ${RIG}tap0
#        10.77.0.1                                      |  net_tap0 (outside)
#                                                   wirewall
#   [ns ${RIG}s] ${RIG}s0 --veth-- ${RIG}s0r ={bridge ${RIG}br1}= ${RIG}tap1
#        10.77.0.2                                         net_tap1 (inside)
#
# The taps stay in the root namespace and join a bridge with a veth whose
# other end is in the namespace (ENVIRONMENT.md, topology 1): no race with
# DPDK creating the taps, and the link stays up.
#
# Source this file, set RIG (a short prefix, default "ww"), then:
#   rig_up            namespaces, veths, bridges, addresses
#   rig_eal_args      prints the EAL --vdev arguments for the two taps
#   rig_attach_taps   once wirewall runs: put its taps in the bridges
#   rig_wait_ready LOG [forwarding|waf]
#                     until wirewall's log says it forwards, or that its
#                     rule set is in force too
#   rig_detach_taps   take them out again (stops traffic into wirewall)
#   rig_down          remove everything rig_up made (safe to call twice)

RIG=${RIG:-ww}
RIG_C4=10.77.0.1
RIG_S4=10.77.0.2
RIG_C6=fd00:77::1
RIG_S6=fd00:77::2
RIG_CTL=/tmp/${RIG}.ctl.sock

rig_ns_c() { echo "${RIG}c"; }
rig_ns_s() { echo "${RIG}s"; }

# Quiet interface: no IPv6 on the root-namespace plumbing, so the only
# frames crossing the appliance are the namespaces' own.
_rig_quiet() {
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" 2>/dev/null || true
}

rig_down() {
	local i
	for i in "${RIG}c0r" "${RIG}s0r" "${RIG}br0" "${RIG}br1"; do
		ip link del "$i" 2>/dev/null || true
	done
	for i in c s; do
		if ip netns list 2>/dev/null | grep -qw "${RIG}$i"; then
			# Processes left in the namespace (servers) go first.
			ip netns pids "${RIG}$i" 2>/dev/null | xargs -r kill 2>/dev/null || true
			sleep 0.2
			ip netns pids "${RIG}$i" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
			ip netns del "${RIG}$i" 2>/dev/null || true
		fi
	done
}

rig_up() {
	local side ns addr4 addr6
	rig_down
	for side in c s; do
		ns="${RIG}$side"
		if [ "$side" = c ]; then addr4=$RIG_C4; addr6=$RIG_C6; else addr4=$RIG_S4; addr6=$RIG_S6; fi
		ip netns add "$ns"
		ip link add "${RIG}${side}0r" type veth peer name "${RIG}${side}0"
		ip link set "${RIG}${side}0" netns "$ns"
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "$addr4/24" dev "${RIG}${side}0"
		ip -n "$ns" addr add "$addr6/64" dev "${RIG}${side}0" nodad
		ip -n "$ns" link set "${RIG}${side}0" up
		_rig_quiet "${RIG}${side}0r"
		ip link set "${RIG}${side}0r" up
	done
	for i in 0 1; do
		ip link add "${RIG}br$i" type bridge stp_state 0 forward_delay 0
		_rig_quiet "${RIG}br$i"
		ip link set "${RIG}br$i" up
	done
	ip link set "${RIG}c0r" master "${RIG}br0"
	ip link set "${RIG}s0r" master "${RIG}br1"
}

rig_eal_args() {
	echo "--vdev=net_tap0,iface=${RIG}tap0 --vdev=net_tap1,iface=${RIG}tap1"
}

# Wait up to 20 s for wirewall to create its taps, then bridge them.
rig_attach_taps() {
	local i n=0
	for i in 0 1; do
		while ! ip link show "${RIG}tap$i" >/dev/null 2>&1; do
			n=$((n + 1))
			[ $n -gt 200 ] && { echo "rig: ${RIG}tap$i never appeared" >&2; return 1; }
			sleep 0.1
		done
		_rig_quiet "${RIG}tap$i"
		ip link set "${RIG}tap$i" master "${RIG}br$i"
		ip link set "${RIG}tap$i" up
	done
}

# Wait for wirewall (started with its output in LOG) to be ready, saying
# what it waits for every few seconds. wirewall logs two readiness lines:
#   "ready: forwarding ..."  its ports are up and its workers forward
#                            (seconds after start: EAL, tables, models);
#   "ready: waf ..."         its [waf] rule set is in force (or [waf] is
#                            off): at once when the compile cache holds
#                            the rules, else after a compile in the
#                            background (about 10 s for the CRS, a
#                            minute under ASan), meanwhile requests follow
#                            [exceptions] waf_not_ready.
# (wirewallctl status says the same: ready, forwarding, waf.)
#   rig_wait_ready LOG [forwarding|waf]
# forwarding (the default) waits for the first line, waf for the second.
# Fails when wirewall exits, when its compile fails ("waf failed:"), or
# after RIG_READY_TIMEOUT seconds (default 120 for forwarding, 300 for
# waf).
rig_wait_ready() {
	local log=$1 what=${2:-forwarding} line limit waited said=0 state
	case $what in
	forwarding) line="ready: forwarding" limit=${RIG_READY_TIMEOUT:-120} ;;
	waf) line="ready: waf" limit=${RIG_READY_TIMEOUT:-300} ;;
	*)
		echo "rig_wait_ready: forwarding or waf, not '$what'" >&2
		return 2
		;;
	esac
	local start=$SECONDS
	while ! grep -q "$line" "$log" 2>/dev/null; do
		waited=$((SECONDS - start))
		if grep -q "waf failed:" "$log" 2>/dev/null; then
			echo "rig: wirewall's rule set did not compile: $(grep -m1 'waf failed:' "$log")" >&2
			return 1
		fi
		if ! kill -0 "${WW_PID:-0}" 2>/dev/null; then
			echo "rig: wirewall exited before it was ready ($what)" >&2
			return 1
		fi
		if [ "$waited" -ge "$limit" ]; then
			echo "rig: wirewall not ready ($what) after $limit s" >&2
			return 1
		fi
		if [ "$waited" -ge $((said + 5)) ]; then
			if grep -q "ready: forwarding" "$log" 2>/dev/null; then
				state="rules compiling"
			else
				state="starting"
			fi
			echo "rig: waiting for wirewall: $state ($waited s)" >&2
			said=$waited
		fi
		sleep 0.1
	done
}

rig_detach_taps() {
	local i
	for i in 0 1; do
		ip link set "${RIG}tap$i" nomaster 2>/dev/null || true
	done
}

# Kernel counter of a tap: "tx_packets" of the tap is what the kernel
# handed to wirewall; "rx_packets" is what wirewall sent into the kernel.
rig_tap_counter() {
	cat "/sys/class/net/${RIG}tap$1/statistics/$2"
}

# Start wirewall in the background on the rig's two taps, one worker, no
# hugepages, its control socket at $RIG_CTL (wirewallctl -s "$RIG_CTL"),
# no metrics endpoint unless the arguments ask for one (tests run side by
# side, and a fixed port would be taken); sets WW_PID. Output goes to LOG.
#   rig_start_wirewall BINARY LOG -c CONF [app args after --...]
rig_start_wirewall() {
	local bin=$1 log=$2
	shift 2
	# shellcheck disable=SC2046
	"$bin" --no-pci --no-huge -m 1024 -l 0,1 --file-prefix "$RIG" \
		$(rig_eal_args) -- --set metrics.listen= "$@" \
		--set "control.socket=$RIG_CTL" >"$log" 2>&1 &
	WW_PID=$!
}

# Stop it: SIGINT, then SIGKILL after 5 s. Returns its exit status (137
# when it had to be killed); clears WW_PID. Safe when it is not running.
rig_stop_wirewall() {
	local killed=0 status
	[ -n "${WW_PID:-}" ] || return 0
	kill -INT "$WW_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$WW_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$WW_PID" 2>/dev/null; then
		kill -9 "$WW_PID" 2>/dev/null
		killed=1
	fi
	wait "$WW_PID" 2>/dev/null
	status=$?
	WW_PID=
	[ $killed = 0 ] || return 137
	return "$status"
}
