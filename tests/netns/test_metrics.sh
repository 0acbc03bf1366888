#!/usr/bin/env bash
# The metrics end to end: wirewall inline between two namespaces with HTTP
# traffic through it, its Prometheus endpoint on a free loopback port
# scraped by a real Prometheus server (Debian's, temporary config and
# storage, 127.0.0.1 only, every second), which must answer a rate() of a
# counter and a histogram_quantile() of the latency histogram; promtool
# must find the exposition clean; every metric the Grafana dashboard uses
# must be in it; the DPDK telemetry commands must answer through the
# telemetry socket; a bad listen address and a port already taken must
# stop the start with a message that says which and why.
#
#   test_metrics.sh WIREWALL_BINARY SOURCE_DIR
#
# Root only (namespaces, taps). Exit 77 = skipped. Everything the test
# creates (namespaces, processes, temporary files) is removed on exit,
# whatever happened.
set -u

WIREWALL=$(readlink -f "$1")
SRC=$(readlink -f "$2")
CHECK="/usr/bin/python3 $SRC/tests/netns/metrics_check.py"
for tool in prometheus promtool; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"
		exit 77
	fi
done
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwm

PROM_PID=
HOLD_PID=
metrics_cleanup() {
	local p
	for p in $PROM_PID $HOLD_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	netns_cleanup
	# EAL's runtime directories (the telemetry socket's among them).
	rm -rf "/var/run/dpdk/$RIG" "/var/run/dpdk/${RIG}b"
}
trap metrics_cleanup EXIT

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
MPORT=$(free_port)
PPORT=$(free_port)
BUSY=$(free_port)

# Refused before anything starts: the message names the key.
check "a bad [metrics] listen is refused, naming the key" bash -c \
	"! '$WIREWALL' -c '$SRC/conf/wirewall.ini' --set metrics.listen=localhost:9464 \
	--check-config >'$WORK/bad.out' 2>&1 && grep -q '\[metrics\] listen' '$WORK/bad.out'"

# A port that cannot be bound stops the start, naming address and reason.
/usr/bin/python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $BUSY)); s.listen(1); time.sleep(120)" &
HOLD_PID=$!
busy_refused() {
	timeout 60 "$WIREWALL" --no-pci --no-huge -m 512 -l 0,1 --file-prefix "${RIG}b" \
		--vdev=net_null0 --vdev=net_null1 -- -c "$SRC/conf/wirewall.ini" \
		--set ports.pairs=net_null0:net_null1 --set waf.enabled=no \
		--set flow.max_flows=1024 --set control.socket= \
		--set "metrics.listen=127.0.0.1:$BUSY" >"$WORK/busy.out" 2>&1
	local rc=$?
	cat "$WORK/busy.out"
	[ $rc = 1 ] && grep -q "\[metrics\] listen 127.0.0.1:$BUSY: cannot listen: Address already in use" "$WORK/busy.out"
}
check "a port already taken stops the start, naming address and reason" busy_refused
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
HOLD_PID=

# The WAF is off (test_enforce.sh has it); a rate-limited route gives
# alerts and answers from wirewall, a name the service label.
rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
	--eve "$WORK/eve.json" --set waf.enabled=no \
	--set "metrics.listen=127.0.0.1:$MPORT" \
	--set "metrics.services=shop=$RIG_S4:8080" \
	--set "limit.routes=GET /limited 1 1"
if ! rig_attach_taps || ! rig_wait_ready "$WORK/wirewall.log"; then
	cat "$WORK/wirewall.log"
	exit 1
fi
check "the log names the endpoint" grep -q "Prometheus endpoint on 127.0.0.1:$MPORT/metrics" "$WORK/wirewall.log"

mkdir -p "$WORK/www"
echo "hello" >"$WORK/www/index.html"
ip netns exec "$NS_S" /usr/bin/python3 -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 >/dev/null 2>&1 &
ip netns exec "$NS_S" /usr/bin/python3 -m http.server -b "$RIG_S4" -d "$WORK/www" 80 >/dev/null 2>&1 &
check "HTTP server (8080) up behind wirewall" wait_port "$NS_C" "$RIG_S4" 8080
check "HTTP server (80) up behind wirewall" wait_port "$NS_C" "$RIG_S4" 80

# Prometheus on loopback, its own storage in the work directory.
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: wirewall
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!

# Traffic for 15 s: pages (200), missing pages (404), the unnamed service
# on port 80, and a rate-limited route (429 from wirewall).
ip netns exec "$NS_C" /usr/bin/python3 - "$RIG_S4" >"$WORK/traffic.out" 2>&1 <<'EOF' &
import http.client, sys, time
end = time.time() + 15
n = 0
while time.time() < end:
    for port, path in ((8080, "/index.html"), (8080, "/missing"), (80, "/"),
                       (8080, "/limited")):
        try:
            c = http.client.HTTPConnection(sys.argv[1], port, timeout=2)
            c.request("GET", path)
            c.getresponse().read()
            c.close()
            n += 1
        except OSError:
            pass
    time.sleep(0.05)
print("requests answered:", n)
EOF
TRAFFIC_PID=$!

check "Prometheus answers rate() and histogram_quantile() over the scrapes" \
	$CHECK prometheus "http://127.0.0.1:$PPORT" shop 40
wait "$TRAFFIC_PID"
sed 's/^/    /' "$WORK/traffic.out"

curl -sf --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt"
grep -E '^wirewall_(http_requests_total|alert_signatures_total|http_request_duration_seconds_count)\{' \
	"$WORK/metrics.txt" | grep -v ' 0$' | sed 's/^/    /'
check "promtool check metrics finds the exposition clean" bash -c "promtool check metrics <'$WORK/metrics.txt'"
check "every family has HELP and TYPE; the traffic moved the counters" $CHECK exposition "$WORK/metrics.txt"
check "every metric the Grafana dashboard uses is exported" \
	$CHECK dashboard "$SRC/conf/grafana/wirewall.json" "$WORK/metrics.txt"
check "other paths are not found" bash -c \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$MPORT/other) = 404 ]"
check "DPDK telemetry: /wirewall/stats, /flows, /offenders" $CHECK telemetry "$RIG"
check "dpdk-telemetry.py reads /wirewall/stats" bash -c \
	"echo /wirewall/stats | dpdk-telemetry.py -f '$RIG' | grep -q http_requests"

check "wirewall stops cleanly" rig_stop_wirewall
netns_finish
