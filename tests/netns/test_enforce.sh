#!/usr/bin/env bash
# Enforcement live, against real Linux TCP stacks: wirewall on net_tap
# between two namespaces, curl in one, a logging HTTP server in the other.
# Over a rate limit curl gets the appliance's 429 with Retry-After (or a
# reset, with action=reset); without a valid JWT it gets 401 (403 for
# another audience), also after wirewallctl revokes the token; the server
# never sees those requests.
#
#   test_enforce.sh WIREWALL_BINARY WIREWALLCTL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u
WIREWALL=$(readlink -f "$1")
CTL=$(readlink -f "$2")
SRC=$(readlink -f "$3")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwe

mkdir -p "$WORK/www/api"
echo "hello" >"$WORK/www/index.html"
echo "data" >"$WORK/www/api/data"
# http.server logs one line per request it received on stderr.
ip netns exec "$NS_S" /usr/bin/python3 -u -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 \
	>/dev/null 2>"$WORK/server.log" &

start() { # forwarding|waf (what to wait for), extra --set arguments
	local ready=$1
	shift
	rig_stop_wirewall
	rig_detach_taps
	rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
		--set flow.max_flows=65536 --eve "$WORK/eve.json" "$@"
	{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" "$ready"; } ||
		{ cat "$WORK/wirewall.log"; exit 1; }
	wait_port "$NS_C" "$RIG_S4" 8080
}
get() { # path [curl args] -> prints the status line and headers
	local path=$1
	shift
	ip netns exec "$NS_C" curl -s -D - -o /dev/null --max-time 5 "$@" "http://$RIG_S4:8080$path"
}
served() { grep -c "GET $1 " "$WORK/server.log"; }

# Limits and tokens first, with the rule engine off (it has its own
# part below, and loading it takes seconds).
start forwarding --set waf.enabled=no --set limit.rate=1 --set limit.burst=2
check "HTTP server up behind wirewall" wait_port "$NS_C" "$RIG_S4" 8080
: >"$WORK/server.log"
for i in 1 2 3; do get "/index.html?n=$i" >"$WORK/r$i" 2>&1; done
check "within the burst: 200" grep -q "^HTTP/1.0 200" "$WORK/r2"
check "over the limit: curl gets 429 from the appliance" grep -q "^HTTP/1.1 429 Too Many Requests" "$WORK/r3"
check "with Retry-After" grep -qi "^Retry-After: [0-9]" "$WORK/r3"
check "the server never saw the limited request" bash -c "[ \$(grep -c 'GET /index.html?n=3 ' '$WORK/server.log') = 0 ]"
check "the allowed ones reached it" bash -c "[ \$(grep -c 'GET /index.html?n=[12] ' '$WORK/server.log') = 2 ]"
sleep 2.2
get "/index.html?n=4" >"$WORK/r4" 2>&1
check "tokens come back with time" grep -q "^HTTP/1.0 200" "$WORK/r4"

start forwarding --set waf.enabled=no --set limit.rate=1 --set limit.burst=1 --set limit.action=reset
get "/index.html?n=5" >/dev/null 2>&1
ip netns exec "$NS_C" curl -s -o /dev/null --max-time 5 "http://$RIG_S4:8080/index.html?n=6"
echo $? >"$WORK/rc6"
check "action=reset: curl sees the connection reset (exit 56)" grep -qx 56 "$WORK/rc6"
check "... and the server never saw it" bash -c "[ \$(grep -c 'GET /index.html?n=6 ' '$WORK/server.log') = 0 ]"

start forwarding --set waf.enabled=no --set "limit.routes=GET /api/ 1 1"
get "/api/data?n=7" >"$WORK/r7" 2>&1
get "/api/data?n=8" >"$WORK/r8" 2>&1
get "/index.html?n=9" >"$WORK/r9" 2>&1
check "route limit: the second call of the route gets 429" grep -q "^HTTP/1.1 429" "$WORK/r8"
check "route limit: other paths pass" grep -q "^HTTP/1.0 200" "$WORK/r9"
check "limited requests logged with status 429" \
	bash -c "grep '\"event_type\":\"http\"' '$WORK/eve.json' | grep -q '\"status\":429'"

# JWT: an HS256 secret, tokens made by python3-jwt.
head -c 32 /dev/urandom >"$WORK/hs.key"
mint() { # aud jti
	/usr/bin/python3 -c 'import jwt, sys, time
print(jwt.encode({"iss": "https://id.test", "aud": sys.argv[2], "jti": sys.argv[3],
                  "exp": int(time.time()) + 600}, open(sys.argv[1], "rb").read(),
                 algorithm="HS256"))' "$WORK/hs.key" "$1" "$2"
}
GOOD=$(mint shop t-1)
OTHER=$(mint billing t-2)
start forwarding --set waf.enabled=no --set "auth.routes=/api/ https://id.test shop" \
	--set "auth.keys=secret $WORK/hs.key"
: >"$WORK/server.log"
get "/api/data?j=1" -H "Authorization: Bearer $GOOD" >"$WORK/j1" 2>&1
get "/api/data?j=2" >"$WORK/j2" 2>&1
get "/api/data?j=3" -H "Authorization: Bearer $OTHER" >"$WORK/j3" 2>&1
BAD=${GOOD%?}A
[ "$BAD" != "$GOOD" ] || BAD=${GOOD%?}B # always a different last character
get "/api/data?j=4" -H "Authorization: Bearer $BAD" >"$WORK/j4" 2>&1
get "/index.html?j=5" >"$WORK/j5" 2>&1
check "valid token: 200 from the server" grep -q "^HTTP/1.0 200" "$WORK/j1"
check "no token: 401 with WWW-Authenticate: Bearer" \
	bash -c "grep -q '^HTTP/1.1 401' '$WORK/j2' && grep -qi '^WWW-Authenticate: Bearer' '$WORK/j2'"
check "another audience: 403" grep -q "^HTTP/1.1 403" "$WORK/j3"
check "a damaged signature: 401 invalid_token" grep -q 'error="invalid_token"' "$WORK/j4"
check "a path without a route needs no token" grep -q "^HTTP/1.0 200" "$WORK/j5"
check "wirewallctl auth revoke jti" "$CTL" -s "$RIG_CTL" auth revoke jti t-1
get "/api/data?j=6" -H "Authorization: Bearer $GOOD" >"$WORK/j6" 2>&1
check "the revoked token: 401 (even though it was cached)" grep -q "^HTTP/1.1 401" "$WORK/j6"
check "the server saw only the allowed requests" \
	bash -c "[ \$(grep -c 'GET /api/data?j=' '$WORK/server.log') = 1 ] && grep -q 'j=1 ' '$WORK/server.log'"

# The CRS inline (paranoia level 1, the default): an attack gets 403 from
# the appliance and never reaches the server; a benign request passes.
# Compiled databases: scripts/test.sh's shared cache, else none (nothing
# left behind in /var/cache).
# A site rule (native format) is in force too, and is replaced by a
# reload while traffic flows.
echo '100001 REQUEST_FILENAME "^/old-admin" deny Old admin path' >"$WORK/site.rules"
start waf --set "waf.cache_dir=${WW_WAF_CACHE:-}" --set "waf.site_rules=$WORK/site.rules"
: >"$WORK/server.log"
get "/index.html?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" >"$WORK/w1" 2>&1
get "/index.html?q=running+shoes&page=2" >"$WORK/w2" 2>&1
check "an SQL injection gets 403 from the appliance" grep -q "^HTTP/1.1 403 Forbidden" "$WORK/w1"
check "a benign request with arguments passes" grep -q "^HTTP/1.0 200" "$WORK/w2"
check "the server never saw the attack" \
	bash -c "! grep -q 'UNION' '$WORK/server.log' && grep -q 'running+shoes' '$WORK/server.log'"
get "/old-admin/x" >"$WORK/w3" 2>&1
check "the site rule denies its path" grep -q "^HTTP/1.1 403" "$WORK/w3"

# waf reload: the new site rule replaces the old one, the CRS stays.
echo '100002 REQUEST_FILENAME "^/new-admin" deny New admin path' >"$WORK/site.rules"
"$CTL" -s "$RIG_CTL" waf reload >"$WORK/reload1" 2>&1
check "wirewallctl waf reload: ok" grep -q "^ok" "$WORK/reload1"
get "/old-admin/x" >"$WORK/w4" 2>&1
get "/new-admin/x" >"$WORK/w5" 2>&1
get "/index.html?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" >"$WORK/w6" 2>&1
check "after the reload the old site rule is gone" grep -q "^HTTP/1.0 404" "$WORK/w4"
check "after the reload the new site rule denies" grep -q "^HTTP/1.1 403" "$WORK/w5"
check "after the reload the CRS still stops the SQL injection" grep -q "^HTTP/1.1 403" "$WORK/w6"

# A rules file that does not load: refused with its file and line, the
# rules in force stay.
printf '100003 REQUEST_FILENAME "(unclosed" deny Broken\n' >"$WORK/site.rules"
"$CTL" -s "$RIG_CTL" waf reload >"$WORK/reload2" 2>&1
check "a broken rules file is refused, naming file and line" \
	grep -q "error: .*site.rules:1" "$WORK/reload2"
get "/new-admin/x" >"$WORK/w7" 2>&1
check "the refused reload left the rules in force" grep -q "^HTTP/1.1 403" "$WORK/w7"
rig_stop_wirewall
check "the attack's alert names the CRS rules" \
	bash -c "grep '\"web-application-attack\"' '$WORK/eve.json' | grep -q '942100\\|942190\\|949110'"
netns_finish
