/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/conf: defaults, every kind of bad value, unknown names, overrides. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "ww_conf.h"

static char tmp_path[64];

/* Write @text to a fresh temp file and load it. */
static int load_text(const char *text, const char *const *ov, unsigned n_ov,
		     struct ww_conf *c, char *err)
{
	int fd;
	FILE *f;

	strcpy(tmp_path, "/tmp/ww_conf_test_XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	int rc = ww_conf_load(tmp_path, ov, n_ov, c, err, WW_CONF_ERR_MAX);
	unlink(tmp_path);
	return rc;
}

/* Load "[section]\nkey = value\n" and expect a refusal that names the
 * section, the key and @why. */
static void expect_refused(const char *section, const char *key,
			   const char *value, const char *why)
{
	char text[512], err[WW_CONF_ERR_MAX], want[128];
	struct ww_conf c;

	snprintf(text, sizeof(text), "[%s]\n%s = %s\n", section, key, value);
	if (load_text(text, NULL, 0, &c, err) == 0)
		fail_msg("[%s] %s = '%s' was accepted", section, key, value);
	snprintf(want, sizeof(want), "[%s] %s", section, key);
	if (strstr(err, want) == NULL || strstr(err, tmp_path) == NULL ||
	    (why != NULL && strstr(err, why) == NULL))
		fail_msg("[%s] %s = '%s': message '%s' lacks '%s'/'%s'/file",
			 section, key, value, err, want, why ? why : "");
}

static void test_defaults(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	assert_int_equal(load_text("", NULL, 0, &c, err), 0);
	assert_int_equal(c.n_protected_networks, 0);
	assert_int_equal(c.n_pairs, 1);
	assert_string_equal(c.pairs[0].outside, "0");
	assert_string_equal(c.pairs[0].inside, "1");
	assert_int_equal(c.rx_descriptors, 1024);
	assert_int_equal(c.tx_descriptors, 1024);
	assert_int_equal(c.mbufs, 16383);
	assert_int_equal(c.mbuf_cache, 256);
	assert_int_equal(c.burst_size, 32);
	assert_int_equal(c.tx_retries, 8);
	assert_true(c.promiscuous);
	assert_int_equal(c.malformed_policy, WW_CONF_MALFORMED_DROP);
	assert_true(c.verify_checksums);
	assert_int_equal(c.max_ipv6_ext_headers, 8);
	assert_int_equal(c.max_flows, 1000000);
	assert_int_equal(c.syn_timeout, 30);
	assert_int_equal(c.established_timeout, 600);
	assert_int_equal(c.closing_timeout, 60);
	assert_int_equal(c.closed_timeout, 10);
	assert_int_equal(c.udp_timeout, 60);
	assert_int_equal(c.icmp_timeout, 30);
	assert_int_equal(c.other_timeout, 60);
	assert_true(c.flow_events);
	assert_int_equal(c.tcp_memory_mb, 64);
	assert_int_equal(c.tcp_stream_max_kb, 256);
	assert_true(c.tcp_overlap_rewrite);
	for (unsigned int e = 0; e < WW_CONF_EXC_MAX; e++)
		assert_int_equal(c.exc[e], e == WW_CONF_EXC_WAF_NOT_READY
						   ? WW_CONF_EXC_PASS
						   : WW_CONF_EXC_AUTO);
	assert_int_equal(c.defrag_timeout, 30);
	assert_int_equal(c.defrag_max_fragments, 64);
	assert_int_equal(c.waf_regex_match_limit, 100000);
	assert_int_equal(c.n_http_ports, 2);
	assert_int_equal(c.http_ports[0], 80);
	assert_int_equal(c.http_ports[1], 8080);
	assert_int_equal(c.http_contexts, 1024);
	assert_int_equal(c.http_max_request_line, 8192);
	assert_int_equal(c.http_max_headers, 100);
	assert_int_equal(c.http_max_header_bytes, 16384);
	assert_int_equal(c.http_body_depth, 65536);
	assert_int_equal(c.http_max_chunk_ext, 256);
	assert_int_equal(c.http_violation_action, WW_CONF_VIOLATION_RESET);
	assert_true(c.http_events);
	assert_string_equal(c.eve_file, "");
	assert_true(c.stats_events);
	assert_true(c.drop_events);
	assert_int_equal(c.stats_interval, 10);
	assert_int_equal(c.event_ring_size, 4096);
}

/* conf/wirewall.ini must document every key with the schema's default,
 * and nothing the schema does not know. */
static void test_example_documents_every_key(void **state)
{
	const char *path = getenv("WW_EXAMPLE_CONF");
	char line[512], section[64] = "";
	FILE *f;
	unsigned int i, n_keys = 0, n_seen = 0;
	char seen[256][200];

	(void)state;
	assert_non_null(path);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char key[128], val[256];
		const struct ww_conf_key_info *k;
		int found = 0;

		if (sscanf(line, "[%63[^]]]", section) == 1)
			continue;
		/* "; key = value" or "; key =" */
		val[0] = '\0';
		if (sscanf(line, "; %127[a-z0-9_] = %255[^\n]", key, val) < 1 ||
		    strchr(line, '=') == NULL)
			continue;
		for (i = 0; (k = ww_conf_key_at(i)) != NULL; i++) {
			if (strcmp(k->section, section) == 0 &&
			    strcmp(k->key, key) == 0) {
				found = 1;
				if (strcmp(k->default_value, val) != 0)
					fail_msg(
						"[%s] %s: documented '%s', default '%s'",
						section, key, val,
						k->default_value);
			}
		}
		if (!found)
			continue; /* prose that looks like a key */
		assert_true(n_seen < sizeof(seen) / sizeof(seen[0]));
		snprintf(seen[n_seen++], sizeof(seen[0]), "%s.%s", section,
			 key);
	}
	fclose(f);
	for (i = 0; ww_conf_key_at(i) != NULL; i++) {
		const struct ww_conf_key_info *k = ww_conf_key_at(i);
		char name[128];
		unsigned int j;
		int ok = 0;

		n_keys++;
		snprintf(name, sizeof(name), "%s.%s", k->section, k->key);
		for (j = 0; j < n_seen; j++)
			ok |= strcmp(seen[j], name) == 0;
		if (!ok)
			fail_msg("%s is not documented in %s", name, path);
	}
	assert_true(n_keys > 10);
}

static void test_full_file(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	assert_int_equal(
		load_text(
			"[general]\n"
			"protected_networks = 10.0.0.0/8, fd00::/8 192.168.1.7\n"
			"[ports]\n"
			"pairs = net_tap0:net_tap1, 2:3\n"
			"rx_descriptors = 512\n"
			"promiscuous = Off\n"
			"[decode]\n"
			"malformed_policy = forward\n"
			"verify_checksums = false\n"
			"[eve]\n"
			"file = /tmp/x.json\n"
			"ring_size = 64\n",
			NULL, 0, &c, err),
		0);
	assert_int_equal(c.n_protected_networks, 3);
	assert_int_equal(c.protected_networks[0].family, AF_INET);
	assert_int_equal(c.protected_networks[0].prefix_len, 8);
	assert_int_equal(c.protected_networks[1].family, AF_INET6);
	assert_int_equal(c.protected_networks[2].prefix_len, 32);
	assert_int_equal(c.n_pairs, 2);
	assert_string_equal(c.pairs[0].outside, "net_tap0");
	assert_string_equal(c.pairs[1].inside, "3");
	assert_int_equal(c.rx_descriptors, 512);
	assert_false(c.promiscuous);
	assert_int_equal(c.malformed_policy, WW_CONF_MALFORMED_FORWARD);
	assert_false(c.verify_checksums);
	assert_string_equal(c.eve_file, "/tmp/x.json");
	assert_int_equal(c.event_ring_size, 64);
}

static void test_bad_numbers(void **state)
{
	(void)state;
	expect_refused("ports", "burst_size", "12abc", "trailing");
	expect_refused("ports", "burst_size", "", "empty");
	expect_refused("ports", "burst_size", "-1", "not a decimal");
	expect_refused("ports", "burst_size", "+5", "not a decimal");
	expect_refused("ports", "burst_size", "010", "leading zero");
	expect_refused("ports", "burst_size", "0x10", "leading zero");
	expect_refused("ports", "burst_size", "1.5", "trailing");
	expect_refused("ports", "burst_size", "3 4", "trailing");
	expect_refused("ports", "burst_size", "0", "out of range");
	expect_refused("ports", "burst_size", "65", "out of range (1..64)");
	expect_refused("ports", "mbufs", "99999999999999999999999",
		       "out of range");
	expect_refused("ports", "rx_descriptors", "63", "out of range");
	expect_refused("eve", "stats_interval", "0", "out of range");
	expect_refused("eve", "ring_size", "1000", "power of two");
	expect_refused("decode", "max_ipv6_ext_headers", "33", "out of range");
	expect_refused("flow", "max_flows", "1023", "out of range");
	expect_refused("flow", "syn_timeout", "0", "out of range");
	expect_refused("http", "ports", "80, 0", "out of range");
	expect_refused("http", "ports", "80, 70000", "out of range");
	expect_refused("http", "ports", "http", "not a decimal");
	expect_refused("http", "violation_action", "block", "not an action");
	expect_refused("tcp", "overlap_action", "keep", "not an action");
	expect_refused("detect", "scan_action", "explode", "not an action");
	expect_refused("detect", "scan_min_probability", "1.5", "out of range");
	expect_refused("detect", "scan_min_probability", "-0.1",
		       "a probability is between 0 and 1");
	expect_refused("detect", "anomaly_act_below", "0.2x", "not a number");
	expect_refused("detect", "anomaly_act_below", "nan", "not a number");
	expect_refused("detect", "client_v6_prefix", "16", "out of range");
	expect_refused("detect", "allow", "10.0.0.1/8", "host bits");
}

static void test_detect_keys(void **state)
{
	/* Class labels (lib/feat's enum ww_feat_class): 1 flood, 2 syn_flood,
	 * 3 scan, 4 web_attack, 5 content_discovery, 6 brute_force,
	 * 7 slow_dos. */
	static const struct {
		const char *name;
		enum ww_conf_model_action def;
	} classes[WW_CONF_MODEL_CLASSES] = {
		[1] = {"flood", WW_CONF_MODEL_BLOCK},
		[2] = {"syn_flood", WW_CONF_MODEL_BLOCK},
		[3] = {"scan", WW_CONF_MODEL_BLOCK},
		[4] = {"web_attack", WW_CONF_MODEL_ALERT},
		[5] = {"content_discovery", WW_CONF_MODEL_BLOCK},
		[6] = {"brute_force", WW_CONF_MODEL_BLOCK},
		[7] = {"slow_dos", WW_CONF_MODEL_RESET},
	};
	static const char *const gone[] = {"bruteforce", "slow", "http_flood",
					   "discovery"};
	const char *sets[] = {"detect.scan_action=reset",
			      "detect.flood_min_probability=0.55",
			      "detect.anomaly_act_below=-0.25",
			      "detect.allow=192.0.2.0/24, 2001:db8::/32"};
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX], key[64], kv[96], text[128];
	unsigned int i, j;

	(void)state;
	assert_int_equal(load_text("", NULL, 0, &c, err), 0);
	for (i = 1; i < WW_CONF_MODEL_CLASSES; i++) {
		assert_int_equal(c.detect_action[i], classes[i].def);
		assert_true(c.detect_min_prob[i] > 0.799 &&
			    c.detect_min_prob[i] < 0.801);
	}
	/* Each class's keys set its label's entries, and no other's. */
	for (i = 1; i < WW_CONF_MODEL_CLASSES; i++) {
		const char *ov[2];
		char kv2[96];

		snprintf(kv, sizeof(kv), "detect.%s_action=drop",
			 classes[i].name);
		snprintf(kv2, sizeof(kv2), "detect.%s_min_probability=0.3",
			 classes[i].name);
		ov[0] = kv;
		ov[1] = kv2;
		assert_int_equal(load_text("", ov, 2, &c, err), 0);
		for (j = 1; j < WW_CONF_MODEL_CLASSES; j++) {
			assert_int_equal(c.detect_action[j],
					 j == i ? WW_CONF_MODEL_DROP
						: classes[j].def);
			if (j == i)
				assert_true(c.detect_min_prob[j] > 0.299 &&
					    c.detect_min_prob[j] < 0.301);
			else
				assert_true(c.detect_min_prob[j] > 0.799 &&
					    c.detect_min_prob[j] < 0.801);
		}
		snprintf(text, sizeof(text), "[detect]\n%s_action = none\n",
			 classes[i].name);
		assert_int_equal(load_text(text, NULL, 0, &c, err), 0);
		assert_int_equal(c.detect_action[i], WW_CONF_MODEL_NONE);
	}
	/* The old list's names are gone. */
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		snprintf(key, sizeof(key), "%s_action", gone[i]);
		expect_refused("detect", key, "block", "unknown key");
		snprintf(key, sizeof(key), "%s_min_probability", gone[i]);
		expect_refused("detect", key, "0.5", "unknown key");
	}

	assert_int_equal(load_text("", sets, 4, &c, err), 0);
	assert_int_equal(c.detect_action[3], WW_CONF_MODEL_RESET);
	assert_int_equal(c.detect_action[1], WW_CONF_MODEL_BLOCK);
	assert_true(c.detect_min_prob[1] > 0.549 &&
		    c.detect_min_prob[1] < 0.551);
	assert_true(c.detect_anomaly_act < -0.249 &&
		    c.detect_anomaly_act > -0.251);
	assert_int_equal(c.n_detect_allow, 2);
	assert_false(c.detect_may_act);
}

static void test_bad_booleans_and_words(void **state)
{
	(void)state;
	expect_refused("ports", "promiscuous", "maybe", "not a boolean");
	expect_refused("ports", "promiscuous", "", "not a boolean");
	expect_refused("ports", "promiscuous", "2", "not a boolean");
	expect_refused("decode", "verify_checksums", "yess", "not a boolean");
	expect_refused("decode", "malformed_policy", "reject", "not a policy");
}

static void test_bad_cidrs(void **state)
{
	(void)state;
	expect_refused("general", "protected_networks", "10.0.0.0/33",
		       "prefix length");
	expect_refused("general", "protected_networks", "10.0.0.0/",
		       "prefix length");
	expect_refused("general", "protected_networks", "10.0.0.0/08",
		       "leading zero");
	expect_refused("general", "protected_networks", "10.0.0.1/24",
		       "host bits");
	expect_refused("general", "protected_networks", "fd00::1/64",
		       "host bits");
	expect_refused("general", "protected_networks", "10.0.0.256/32",
		       "not an IPv4 or IPv6");
	expect_refused("general", "protected_networks", "example.com",
		       "not an IPv4 or IPv6");
	expect_refused("general", "protected_networks", "10.0.0.0/8 junk",
		       "not an IPv4 or IPv6");
	expect_refused("general", "protected_networks", "fd00::/129",
		       "prefix length");
}

static void test_bad_pairs(void **state)
{
	(void)state;
	expect_refused("ports", "pairs", "0", "not a pair");
	expect_refused("ports", "pairs", "0:0", "own peer");
	expect_refused("ports", "pairs", "0:1, 1:2", "two pairs");
	expect_refused("ports", "pairs", "0:", "port id");
	expect_refused("ports", "pairs", "a b:c", "not a pair");
	expect_refused("ports", "pairs", "", "at least one");
}

static void test_unknown_names(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	expect_refused("ports", "burst", "32", "unknown key");
	expect_refused("port", "burst_size", "32", "unknown section");
	assert_int_equal(load_text("[nosuch]\n", NULL, 0, &c, err), -EINVAL);
	assert_non_null(strstr(err, "[nosuch]: unknown section"));
	assert_int_equal(load_text("stray = 1\n[ports]\n", NULL, 0, &c, err),
			 -EINVAL);
	assert_non_null(strstr(err, "outside of any section"));
}

static void test_cross_key_rules(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	assert_int_equal(load_text("[ports]\nmbufs = 1023\nmbuf_cache = 512\n",
				   NULL, 0, &c, err),
			 -EINVAL);
	assert_non_null(strstr(err, "mbuf_cache"));
}

static void test_overrides(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];
	const char *ok[] = {"ports.burst_size=16", "EVE.Stats_Interval=1",
			    "general.protected_networks=10.1.0.0/16"};
	const char *unknown[] = {"ports.nosuch=1"};
	const char *bad_value[] = {"ports.burst_size=16x"};
	const char *bad_syntax[] = {"burst_size=16"};

	(void)state;
	assert_int_equal(load_text("[ports]\nburst_size = 8\n", ok, 3, &c, err),
			 0);
	assert_int_equal(c.burst_size, 16);
	assert_int_equal(c.stats_interval, 1);
	assert_int_equal(c.n_protected_networks, 1);

	assert_int_equal(load_text("", unknown, 1, &c, err), -EINVAL);
	assert_non_null(strstr(err, "[ports] nosuch: unknown key"));
	assert_int_equal(load_text("", bad_value, 1, &c, err), -EINVAL);
	assert_non_null(strstr(err, "[ports] burst_size"));
	assert_int_equal(load_text("", bad_syntax, 1, &c, err), -EINVAL);
	assert_non_null(strstr(err, "SECTION.KEY=VALUE"));
}

static void test_failure_leaves_conf_alone(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(
		load_text("[ports]\nburst_size = 99\n", NULL, 0, &c, err),
		-EINVAL);
	assert_int_equal(((uint8_t *)&c)[100], 0x5a);
}

static void test_missing_file_and_syntax(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	assert_int_equal(ww_conf_load("/nonexistent/ww.ini", NULL, 0, &c, err,
				      sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/ww.ini"));
	assert_int_equal(
		load_text("[ports\nburst_size = 3\n", NULL, 0, &c, err),
		-EINVAL);
}

static void test_routes(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	assert_int_equal(
		load_text("[limit]\nroutes = POST /login 1 5 | | * /api/ 20\n"
			  "[auth]\nroutes = /api/ https://id.example shop,app "
			  "| /admin/ https://id.example admin\n",
			  NULL, 0, &c, err),
		0);
	assert_int_equal(c.n_limit_routes, 2);
	assert_string_equal(c.limit_routes[0].method, "POST");
	assert_string_equal(c.limit_routes[0].prefix, "/login");
	assert_int_equal(c.limit_routes[0].rate, 1);
	assert_int_equal(c.limit_routes[0].burst, 5);
	assert_int_equal(c.limit_routes[1].burst, 0);
	assert_int_equal(c.n_auth_routes, 2);
	assert_string_equal(c.auth_routes[0].issuer, "https://id.example");
	assert_int_equal(c.auth_routes[0].n_audiences, 2);
	assert_string_equal(c.auth_routes[0].audiences[1], "app");
	assert_string_equal(c.auth_routes[1].prefix, "/admin/");
	expect_refused("limit", "routes", "GET login 1", "route 1");
	expect_refused("limit", "routes", "GET /a 1 | GET /b x",
		       "route 2 rate");
	expect_refused("limit", "routes", "GET /a 0", "route 1 rate");
	expect_refused("auth", "routes", "/api/ https://i", "route 1");
	expect_refused("auth", "routes", "/api/ https://i a b", "route 1");
	expect_refused("limit", "action", "block", "429, reset or drop");
	expect_refused("limit", "client_key", "host", "not a client key");
}

/* [metrics]: the endpoint's address, and service names. */
static void test_metrics_keys(void **state)
{
	struct ww_conf c;
	char err[WW_CONF_ERR_MAX];

	(void)state;
	ww_conf_defaults(&c);
	assert_string_equal(c.metrics_listen, "127.0.0.1:9464");
	assert_int_equal(c.metrics_max_services, 64);
	assert_int_equal(c.metrics_max_signatures, 1024);
	assert_int_equal(c.n_metrics_services, 0);
	assert_int_equal(load_text("[metrics]\n"
				   "listen = [::1]:0\n"
				   "services = shop=10.0.0.2:80, "
				   "api=[fd00::2]:8080\n",
				   NULL, 0, &c, err),
			 0);
	assert_string_equal(c.metrics_listen, "[::1]:0");
	assert_int_equal(c.n_metrics_services, 2);
	assert_string_equal(c.metrics_services[0].name, "shop");
	assert_int_equal(c.metrics_services[0].at.family, AF_INET);
	assert_int_equal(c.metrics_services[0].at.port, 80);
	assert_int_equal(c.metrics_services[1].at.family, AF_INET6);
	assert_int_equal(c.metrics_services[1].at.port, 8080);
	/* Empty: no endpoint. */
	assert_int_equal(load_text("[metrics]\nlisten =\n", NULL, 0, &c, err),
			 0);
	assert_string_equal(c.metrics_listen, "");
	expect_refused("metrics", "listen", "9464", "ADDRESS:PORT");
	expect_refused("metrics", "listen", "localhost:9464", "not an IPv4");
	expect_refused("metrics", "listen", "::1:9464", "not an IPv4");
	expect_refused("metrics", "listen", "127.0.0.1:65536", "out of range");
	expect_refused("metrics", "listen", "127.0.0.1:", "port");
	expect_refused("metrics", "listen", "[::1:9464", "IPv6");
	expect_refused("metrics", "max_services", "0", "out of range");
	expect_refused("metrics", "max_signatures", "8", "out of range");
	expect_refused("metrics", "services", "shop", "NAME=ADDRESS:PORT");
	expect_refused("metrics", "services", "shop=10.0.0.2:0", "port");
	expect_refused("metrics", "services", "sh\"op=10.0.0.2:80", "letters");
	expect_refused("metrics", "services", "a=10.0.0.2:80, a=10.0.0.3:80",
		       "twice");
}

static void test_cidr_contains(void **state)
{
	struct ww_cidr c[3];
	char err[128];
	uint8_t a[16] = {0};

	(void)state;
	assert_int_equal(
		ww_conf_parse_cidr_list("10.1.0.0/16 fc00::/7 0.0.0.0/0", c, 3,
					err, sizeof(err)),
		3);
	inet_pton(AF_INET, "10.1.255.3", a);
	assert_true(ww_cidr_contains(&c[0], AF_INET, a));
	assert_true(ww_cidr_contains(&c[2], AF_INET, a));
	inet_pton(AF_INET, "10.2.0.1", a);
	assert_false(ww_cidr_contains(&c[0], AF_INET, a));
	inet_pton(AF_INET6, "fdff::1", a);
	assert_true(ww_cidr_contains(&c[1], AF_INET6, a));
	assert_false(ww_cidr_contains(&c[0], AF_INET6, a));
	inet_pton(AF_INET6, "fe00::1", a);
	assert_false(ww_cidr_contains(&c[1], AF_INET6, a));
	assert_int_equal(ww_conf_parse_cidr_list("1.0.0.0/8 2.0.0.0/8", c, 1,
						 err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_example_documents_every_key),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_booleans_and_words),
		cmocka_unit_test(test_bad_cidrs),
		cmocka_unit_test(test_bad_pairs),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_cross_key_rules),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_failure_leaves_conf_alone),
		cmocka_unit_test(test_missing_file_and_syntax),
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_detect_keys),
		cmocka_unit_test(test_metrics_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
