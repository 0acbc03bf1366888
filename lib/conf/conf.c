/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI file -> struct ww_conf. iniparser only tokenizes: every value is read
 * as a string and parsed here, because iniparser_getint()/getboolean()
 * accept junk ("12abc" is 12, "maybe" is false) and an operator's typo must
 * be refused, not guessed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <dictionary.h>
#include <iniparser.h>

#include "ww_conf.h"

enum key_type {
	KEY_U32,
	KEY_BOOL,
	KEY_STRING,
	KEY_CIDR_LIST,
	KEY_PORT_PAIRS,
	KEY_MALFORMED_POLICY,
	KEY_PORT_LIST,
	KEY_OVERLAP_ACTION,
	KEY_VIOLATION_ACTION,
	KEY_PATH_LIST,
	KEY_CLIENT_KEY,
	KEY_ROUTES,
	KEY_LIMIT_ACTION,
	KEY_AUTH_ROUTES,
	KEY_SITE_RULES,
	KEY_WAF_ACTION,
	KEY_EXC_ACTION,
	KEY_MODEL_ACTION,
	KEY_REAL,     /* a decimal number within [min, max] / 1000 */
	KEY_ALLOW,    /* [detect] allow: a CIDR list */
	KEY_NEVER,    /* [response] never: a CIDR list */
	KEY_LISTEN,   /* "" or ADDRESS:PORT */
	KEY_SERVICES, /* NAME=ADDRESS:PORT, ... */
};

struct key_schema {
	struct ww_conf_key_info info;
	enum key_type type;
	size_t offset; /* into struct ww_conf */
	size_t size;   /* for strings: buffer size */
	uint64_t min, max;
};

#define FIELD(f) offsetof(struct ww_conf, f), sizeof(((struct ww_conf *)0)->f)

/*
 * The schema. Defaults are written as the operator would write them and
 * go through the same parser, so a default can never be a value the file
 * would refuse. conf/wirewall.ini documents each of these; a unit test
 * checks that the two agree. Laid out by hand: the formatter would give
 * every field of an entry a line of its own.
 */
/* clang-format off */
static const struct key_schema schema[] = {
	{{"general", "protected_networks", ""}, KEY_CIDR_LIST,
	 FIELD(protected_networks), 0, 0},

	{{"ports", "pairs", "0:1"}, KEY_PORT_PAIRS, FIELD(pairs), 0, 0},
	{{"ports", "rx_descriptors", "1024"}, KEY_U32, FIELD(rx_descriptors),
	 64, 16384},
	{{"ports", "tx_descriptors", "1024"}, KEY_U32, FIELD(tx_descriptors),
	 64, 16384},
	{{"ports", "mbufs", "16383"}, KEY_U32, FIELD(mbufs), 1023, 16777215},
	{{"ports", "mbuf_cache", "256"}, KEY_U32, FIELD(mbuf_cache), 0, 512},
	{{"ports", "burst_size", "32"}, KEY_U32, FIELD(burst_size), 1, 64},
	{{"ports", "tx_retries", "8"}, KEY_U32, FIELD(tx_retries), 0, 1000},
	{{"ports", "promiscuous", "yes"}, KEY_BOOL, FIELD(promiscuous), 0, 0},

	{{"decode", "malformed_policy", "drop"}, KEY_MALFORMED_POLICY,
	 FIELD(malformed_policy), 0, 0},
	{{"decode", "verify_checksums", "yes"}, KEY_BOOL,
	 FIELD(verify_checksums), 0, 0},
	{{"decode", "max_ipv6_ext_headers", "8"}, KEY_U32,
	 FIELD(max_ipv6_ext_headers), 0, 32},

	{{"flow", "max_flows", "1000000"}, KEY_U32, FIELD(max_flows), 1024,
	 67108864},
	{{"flow", "syn_timeout", "30"}, KEY_U32, FIELD(syn_timeout), 1, 86400},
	{{"flow", "established_timeout", "600"}, KEY_U32,
	 FIELD(established_timeout), 1, 604800},
	{{"flow", "closing_timeout", "60"}, KEY_U32, FIELD(closing_timeout), 1,
	 86400},
	{{"flow", "closed_timeout", "10"}, KEY_U32, FIELD(closed_timeout), 1,
	 86400},
	{{"flow", "udp_timeout", "60"}, KEY_U32, FIELD(udp_timeout), 1, 86400},
	{{"flow", "icmp_timeout", "30"}, KEY_U32, FIELD(icmp_timeout), 1, 86400},
	{{"flow", "other_timeout", "60"}, KEY_U32, FIELD(other_timeout), 1,
	 86400},

	{{"tcp", "memory_mb", "64"}, KEY_U32, FIELD(tcp_memory_mb), 1, 65536},
	{{"tcp", "stream_max_kb", "256"}, KEY_U32, FIELD(tcp_stream_max_kb), 4,
	 1048576},
	{{"tcp", "overlap_action", "rewrite"}, KEY_OVERLAP_ACTION,
	 FIELD(tcp_overlap_rewrite), 0, 0},

	{{"http", "ports", "80, 8080"}, KEY_PORT_LIST, FIELD(http_ports), 0, 0},
	{{"http", "contexts", "1024"}, KEY_U32, FIELD(http_contexts), 1,
	 1048576},
	{{"http", "max_request_line", "8192"}, KEY_U32,
	 FIELD(http_max_request_line), 64, 65536},
	{{"http", "max_headers", "100"}, KEY_U32, FIELD(http_max_headers), 1,
	 128},
	{{"http", "max_header_bytes", "16384"}, KEY_U32,
	 FIELD(http_max_header_bytes), 256, 262144},
	{{"http", "body_depth", "65536"}, KEY_U32, FIELD(http_body_depth), 0,
	 1048576},
	{{"http", "max_chunk_ext", "256"}, KEY_U32, FIELD(http_max_chunk_ext),
	 0, 65536},
	{{"http", "violation_action", "reset"}, KEY_VIOLATION_ACTION,
	 FIELD(http_violation_action), 0, 0},
	{{"http", "header_timeout", "20"}, KEY_U32, FIELD(http_header_timeout),
	 1, 3600},
	{{"http", "body_min_rate", "500"}, KEY_U32, FIELD(http_body_min_rate),
	 0, 1000000000},
	{{"http", "keepalive_timeout", "75"}, KEY_U32,
	 FIELD(http_keepalive_timeout), 1, 86400},

	{{"defrag", "timeout", "30"}, KEY_U32, FIELD(defrag_timeout), 1, 300},
	{{"defrag", "max_datagrams", "4096"}, KEY_U32,
	 FIELD(defrag_max_datagrams), 16, 1048576},
	{{"defrag", "max_fragments", "64"}, KEY_U32,
	 FIELD(defrag_max_fragments), 2, 64},
	{{"defrag", "max_held", "2048"}, KEY_U32, FIELD(defrag_max_held), 16,
	 1048576},

	{{"exceptions", "no_context", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_NO_CONTEXT]), 0, 0},
	{{"exceptions", "reassembly_cap", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_REASSEMBLY_CAP]), 0, 0},
	{{"exceptions", "body_over_depth", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_BODY_OVER_DEPTH]), 0, 0},
	{{"exceptions", "fragment_failure", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_FRAGMENT_FAILURE]), 0, 0},
	{{"exceptions", "waf_arena", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_WAF_ARENA]), 0, 0},
	{{"exceptions", "regex_limit", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_REGEX_LIMIT]), 0, 0},
	{{"exceptions", "midstream", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_MIDSTREAM]), 0, 0},
	{{"exceptions", "flow_lost", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_FLOW_LOST]), 0, 0},
	{{"exceptions", "slow_request", "auto"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_SLOW_REQUEST]), 0, 0},
	/* Pass, counted and logged: see conf/wirewall.ini for why. */
	{{"exceptions", "waf_not_ready", "pass"}, KEY_EXC_ACTION,
	 FIELD(exc[WW_CONF_EXC_WAF_NOT_READY]), 0, 0},

	{{"block", "files", ""}, KEY_PATH_LIST, FIELD(block_files), 0, 0},
	{{"block", "dynamic_max", "65536"}, KEY_U32, FIELD(block_dynamic_max),
	 0, 16777216},
	{{"block", "alert_interval", "60"}, KEY_U32,
	 FIELD(block_alert_interval), 1, 86400},

	{{"limit", "rate", "0"}, KEY_U32, FIELD(limit_rate), 0, 10000000},
	{{"limit", "burst", "0"}, KEY_U32, FIELD(limit_burst), 0, 10000000},
	{{"limit", "client_key", "address"}, KEY_CLIENT_KEY,
	 FIELD(limit_client_net24), 0, 0},
	{{"limit", "routes", ""}, KEY_ROUTES, FIELD(limit_routes), 0, 0},
	{{"limit", "service_rate", "0"}, KEY_U32, FIELD(limit_service_rate), 0,
	 10000000},
	{{"limit", "service_burst", "0"}, KEY_U32, FIELD(limit_service_burst),
	 0, 10000000},
	{{"limit", "syn_rate", "0"}, KEY_U32, FIELD(limit_syn_rate), 0,
	 10000000},
	{{"limit", "syn_burst", "0"}, KEY_U32, FIELD(limit_syn_burst), 0,
	 10000000},
	{{"limit", "action", "429"}, KEY_LIMIT_ACTION, FIELD(limit_action), 0,
	 0},
	{{"limit", "max_entries", "65536"}, KEY_U32, FIELD(limit_max_entries),
	 64, 16777216},

	{{"auth", "routes", ""}, KEY_AUTH_ROUTES, FIELD(auth_routes), 0, 0},
	{{"auth", "keys", ""}, KEY_STRING, FIELD(auth_keys), 0, 0},
	{{"auth", "clock_skew", "60"}, KEY_U32, FIELD(auth_clock_skew), 0,
	 3600},
	{{"auth", "cache_entries", "4096"}, KEY_U32, FIELD(auth_cache_entries),
	 0, 1048576},
	{{"auth", "revoked_file", ""}, KEY_STRING, FIELD(auth_revoked_file), 0,
	 0},

	{{"waf", "enabled", "yes"}, KEY_BOOL, FIELD(waf_enabled), 0, 0},
	{{"waf", "crs_setup", "/etc/modsecurity/crs/crs-setup.conf"}, KEY_STRING,
	 FIELD(waf_crs_setup), 0, 0},
	{{"waf", "rules_dir", "/usr/share/modsecurity-crs/rules"}, KEY_STRING,
	 FIELD(waf_rules_dir), 0, 0},
	{{"waf", "site_rules", ""}, KEY_SITE_RULES, FIELD(waf_site_rules), 0, 0},
	{{"waf", "paranoia_level", "1"}, KEY_U32, FIELD(waf_paranoia_level), 0,
	 4},
	{{"waf", "anomaly_threshold", "5"}, KEY_U32,
	 FIELD(waf_anomaly_threshold), 0, 1000},
	{{"waf", "action", "403"}, KEY_WAF_ACTION, FIELD(waf_answer_403), 0, 0},
	{{"waf", "cache_dir", "/var/cache/wirewall"}, KEY_STRING,
	 FIELD(waf_cache_dir), 0, 0},
	{{"waf", "regex_match_limit", "100000"}, KEY_U32,
	 FIELD(waf_regex_match_limit), 1000, 100000000},
	{{"waf", "allowed_methods", ""}, KEY_STRING, FIELD(waf_allowed_methods),
	 0, 0},
	{{"waf", "allowed_content_types", ""}, KEY_STRING,
	 FIELD(waf_allowed_content_types), 0, 0},
	{{"waf", "restricted_extensions", ""}, KEY_STRING,
	 FIELD(waf_restricted_extensions), 0, 0},
	{{"waf", "restricted_headers", ""}, KEY_STRING,
	 FIELD(waf_restricted_headers), 0, 0},
	{{"waf", "rule_exclusions", ""}, KEY_STRING, FIELD(waf_rule_exclusions),
	 0, 0},
	{{"waf", "target_exclusions", ""}, KEY_STRING,
	 FIELD(waf_target_exclusions), 0, 0},

	{{"detect", "enabled", "yes"}, KEY_BOOL, FIELD(detect_enabled), 0, 0},
	{{"detect", "classifier", ""}, KEY_STRING, FIELD(detect_classifier), 0,
	 0},
	{{"detect", "anomaly", ""}, KEY_STRING, FIELD(detect_anomaly), 0, 0},
	{{"detect", "max_clients", "16384"}, KEY_U32, FIELD(detect_max_clients),
	 64, 16777216},
	{{"detect", "client_v6_prefix", "64"}, KEY_U32, FIELD(detect_v6_prefix),
	 32, 128},
	{{"detect", "may_act", "no"}, KEY_BOOL, FIELD(detect_may_act), 0, 0},
	{{"detect", "flood_action", "block"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[1]), 0, 0},
	{{"detect", "flood_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[1]), 0, 1000},
	{{"detect", "syn_flood_action", "block"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[2]), 0, 0},
	{{"detect", "syn_flood_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[2]), 0, 1000},
	{{"detect", "scan_action", "block"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[3]), 0, 0},
	{{"detect", "scan_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[3]), 0, 1000},
	{{"detect", "web_attack_action", "alert"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[4]), 0, 0},
	{{"detect", "web_attack_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[4]), 0, 1000},
	{{"detect", "content_discovery_action", "block"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[5]), 0, 0},
	{{"detect", "content_discovery_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[5]), 0, 1000},
	{{"detect", "brute_force_action", "block"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[6]), 0, 0},
	{{"detect", "brute_force_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[6]), 0, 1000},
	{{"detect", "slow_dos_action", "reset"}, KEY_MODEL_ACTION,
	 FIELD(detect_action[7]), 0, 0},
	{{"detect", "slow_dos_min_probability", "0.8"}, KEY_REAL,
	 FIELD(detect_min_prob[7]), 0, 1000},
	{{"detect", "anomaly_alert_below", "-0.1"}, KEY_REAL,
	 FIELD(detect_anomaly_alert), 0, 1000},
	{{"detect", "anomaly_act_below", "-0.2"}, KEY_REAL,
	 FIELD(detect_anomaly_act), 0, 1000},
	{{"detect", "anomaly_action", "alert"}, KEY_MODEL_ACTION,
	 FIELD(detect_anomaly_action), 0, 0},
	{{"detect", "anomaly_may_act", "no"}, KEY_BOOL,
	 FIELD(detect_anomaly_may_act), 0, 0},
	{{"detect", "allow", ""}, KEY_ALLOW, FIELD(detect_allow), 0, 0},
	{{"detect", "block_ttl", "300"}, KEY_U32, FIELD(detect_block_ttl), 1,
	 604800},
	{{"detect", "throttle_ttl", "60"}, KEY_U32, FIELD(detect_throttle_ttl),
	 1, 604800},
	{{"detect", "throttle_rate", "10"}, KEY_U32, FIELD(detect_throttle_rate),
	 1, 10000000},
	{{"detect", "trigger_new_flows", "100"}, KEY_U32,
	 FIELD(detect_trigger_flows), 0, 65535},
	{{"detect", "trigger_dst_ports", "20"}, KEY_U32,
	 FIELD(detect_trigger_ports), 0, 300},
	{{"detect", "trigger_half_open", "50"}, KEY_U32,
	 FIELD(detect_trigger_half_open), 0, 65535},
	{{"detect", "trigger_requests", "100"}, KEY_U32,
	 FIELD(detect_trigger_requests), 0, 65535},

	{{"response", "enabled", "yes"}, KEY_BOOL, FIELD(response_enabled), 0, 0},
	{{"response", "dry_run", "no"}, KEY_BOOL, FIELD(response_dry_run), 0, 0},
	{{"response", "half_life", "120"}, KEY_U32, FIELD(response_half_life), 1,
	 86400},
	{{"response", "throttle_at", "5"}, KEY_REAL, FIELD(response_throttle_at),
	 0, 1000000000},
	{{"response", "block_at", "10"}, KEY_REAL, FIELD(response_block_at), 0,
	 1000000000},
	{{"response", "escalate_at", "40"}, KEY_REAL, FIELD(response_escalate_at),
	 0, 1000000000},
	{{"response", "throttle_rate", "10"}, KEY_U32,
	 FIELD(response_throttle_rate), 1, 10000000},
	{{"response", "throttle_ttl", "300"}, KEY_U32,
	 FIELD(response_throttle_ttl), 1, 604800},
	{{"response", "block_ttl", "600"}, KEY_U32, FIELD(response_block_ttl), 1,
	 604800},
	{{"response", "block_ttl_max", "86400"}, KEY_U32,
	 FIELD(response_block_ttl_max), 1, 2592000},
	{{"response", "ttl_growth", "2"}, KEY_REAL, FIELD(response_ttl_growth), 0,
	 100000},
	{{"response", "never", ""}, KEY_NEVER, FIELD(response_never), 0, 0},
	{{"response", "max_offenders", "16384"}, KEY_U32,
	 FIELD(response_max_offenders), 16, 16777216},
	{{"response", "max_entries", "4096"}, KEY_U32,
	 FIELD(response_max_entries), 1, 1048576},
	{{"response", "actions_per_minute", "600"}, KEY_U32,
	 FIELD(response_actions_per_minute), 1, 1000000},
	{{"response", "weight_waf", "1"}, KEY_REAL, FIELD(response_weight[0]), 0,
	 1000000},
	{{"response", "weight_protocol", "2"}, KEY_REAL,
	 FIELD(response_weight[1]), 0, 1000000},
	{{"response", "weight_rate_limit", "1"}, KEY_REAL,
	 FIELD(response_weight[2]), 0, 1000000},
	{{"response", "weight_auth", "1"}, KEY_REAL, FIELD(response_weight[3]),
	 0, 1000000},
	{{"response", "weight_model", "3"}, KEY_REAL, FIELD(response_weight[4]),
	 0, 1000000},
	{{"response", "weight_anomaly", "1"}, KEY_REAL,
	 FIELD(response_weight[5]), 0, 1000000},
	{{"response", "weight_blocklist", "0"}, KEY_REAL,
	 FIELD(response_weight[6]), 0, 1000000},

	{{"control", "socket", "/run/wirewall.sock"}, KEY_STRING,
	 FIELD(control_socket), 0, 0},

	{{"metrics", "listen", "127.0.0.1:9464"}, KEY_LISTEN,
	 FIELD(metrics_listen), 0, 0},
	{{"metrics", "max_services", "64"}, KEY_U32, FIELD(metrics_max_services),
	 1, 65536},
	{{"metrics", "max_signatures", "1024"}, KEY_U32,
	 FIELD(metrics_max_signatures), 16, 65536},
	{{"metrics", "services", ""}, KEY_SERVICES, FIELD(metrics_services), 0,
	 0},

	{{"eve", "file", ""}, KEY_STRING, FIELD(eve_file), 0, 0},
	{{"eve", "alert_pcap", ""}, KEY_STRING, FIELD(eve_alert_pcap), 0, 0},
	{{"eve", "alert_pcap_flow_packets", "64"}, KEY_U32,
	 FIELD(eve_alert_pcap_flow_packets), 1, 65535},
	{{"eve", "alert_pcap_max_mb", "256"}, KEY_U32,
	 FIELD(eve_alert_pcap_max_mb), 1, 1048576},
	{{"eve", "stats", "yes"}, KEY_BOOL, FIELD(stats_events), 0, 0},
	{{"eve", "drop", "yes"}, KEY_BOOL, FIELD(drop_events), 0, 0},
	{{"eve", "flow", "yes"}, KEY_BOOL, FIELD(flow_events), 0, 0},
	{{"eve", "http", "yes"}, KEY_BOOL, FIELD(http_events), 0, 0},
	{{"eve", "stats_interval", "10"}, KEY_U32, FIELD(stats_interval), 1,
	 86400},
	{{"eve", "ring_size", "4096"}, KEY_U32, FIELD(event_ring_size), 64,
	 1048576},
};
/* clang-format on */

#define N_SCHEMA (sizeof(schema) / sizeof(schema[0]))

const char *ww_conf_model_action_name(enum ww_conf_model_action a)
{
	static const char *const names[WW_CONF_MODEL_ACTIONS] = {
		"none", "alert", "drop", "reset", "block", "throttle"};

	return (unsigned int)a < WW_CONF_MODEL_ACTIONS ? names[a] : "?";
}

static const char *const exc_action_names[] = {"auto", "pass", "drop", "reset"};
static const char *const exc_names[WW_CONF_EXC_MAX] = {
	[WW_CONF_EXC_NO_CONTEXT] = "no_context",
	[WW_CONF_EXC_REASSEMBLY_CAP] = "reassembly_cap",
	[WW_CONF_EXC_BODY_OVER_DEPTH] = "body_over_depth",
	[WW_CONF_EXC_FRAGMENT_FAILURE] = "fragment_failure",
	[WW_CONF_EXC_WAF_ARENA] = "waf_arena",
	[WW_CONF_EXC_REGEX_LIMIT] = "regex_limit",
	[WW_CONF_EXC_MIDSTREAM] = "midstream",
	[WW_CONF_EXC_FLOW_LOST] = "flow_lost",
	[WW_CONF_EXC_SLOW_REQUEST] = "slow_request",
	[WW_CONF_EXC_WAF_NOT_READY] = "waf_not_ready",
};

/*
 * What may change while the appliance runs (a new policy snapshot takes
 * it in): whole sections, or "section.key". Everything else sizes a table,
 * names a port or a file opened at start, or is built into an object made
 * once (the flow table's timeouts, the JWT keys and routes).
 */
static const char *const runtime_keys[] = {
	"decode",
	"tcp.overlap_action",
	"http.violation_action",
	"waf",
	"exceptions",
	"limit.rate",
	"limit.burst",
	"limit.client_key",
	"limit.routes",
	"limit.service_rate",
	"limit.service_burst",
	"limit.syn_rate",
	"limit.syn_burst",
	"limit.action",
	"block.alert_interval",
	"detect.classifier",
	"detect.anomaly",
	"detect.may_act",
	"detect.flood_action",
	"detect.flood_min_probability",
	"detect.syn_flood_action",
	"detect.syn_flood_min_probability",
	"detect.scan_action",
	"detect.scan_min_probability",
	"detect.web_attack_action",
	"detect.web_attack_min_probability",
	"detect.content_discovery_action",
	"detect.content_discovery_min_probability",
	"detect.brute_force_action",
	"detect.brute_force_min_probability",
	"detect.slow_dos_action",
	"detect.slow_dos_min_probability",
	"detect.anomaly_alert_below",
	"detect.anomaly_act_below",
	"detect.anomaly_action",
	"detect.anomaly_may_act",
	"detect.allow",
	"detect.block_ttl",
	"detect.throttle_ttl",
	"detect.throttle_rate",
	"detect.trigger_new_flows",
	"detect.trigger_dst_ports",
	"detect.trigger_half_open",
	"detect.trigger_requests",
	"response.enabled",
	"response.dry_run",
	"response.half_life",
	"response.throttle_at",
	"response.block_at",
	"response.escalate_at",
	"response.throttle_rate",
	"response.throttle_ttl",
	"response.block_ttl",
	"response.block_ttl_max",
	"response.ttl_growth",
	"response.never",
	"response.max_entries",
	"response.actions_per_minute",
	"response.weight_waf",
	"response.weight_protocol",
	"response.weight_rate_limit",
	"response.weight_auth",
	"response.weight_model",
	"response.weight_anomaly",
	"response.weight_blocklist",
	"metrics.services",
	"eve.stats",
	"eve.drop",
	"eve.flow",
	"eve.http",
	"eve.stats_interval",
};

bool ww_conf_key_runtime(const struct ww_conf_key_info *k)
{
	unsigned int i;

	for (i = 0; i < sizeof(runtime_keys) / sizeof(runtime_keys[0]); i++) {
		const char *r = runtime_keys[i], *dot = strchr(r, '.');

		if (dot == NULL
			    ? strcmp(r, k->section) == 0
			    : (strncmp(r, k->section, (size_t)(dot - r)) == 0 &&
			       k->section[dot - r] == '\0' &&
			       strcmp(dot + 1, k->key) == 0))
			return true;
	}
	return false;
}

int ww_conf_static_diff(const struct ww_conf *a, const struct ww_conf *b,
			char *err, size_t err_len)
{
	unsigned int i, n = 0;
	size_t len = 0;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	for (i = 0; i < N_SCHEMA; i++) {
		const struct key_schema *k = &schema[i];

		if (ww_conf_key_runtime(&k->info) ||
		    memcmp((const char *)a + k->offset,
			   (const char *)b + k->offset, k->size) == 0)
			continue;
		if (err != NULL && len < err_len)
			len += (size_t)snprintf(err + len, err_len - len,
						"%s[%s] %s", n ? ", " : "",
						k->info.section, k->info.key);
		n++;
	}
	return n == 0 ? 0 : -EPERM;
}

const char *ww_conf_exc_name(enum ww_conf_exc e)
{
	return (unsigned int)e < WW_CONF_EXC_MAX ? exc_names[e] : "unknown";
}

const char *ww_conf_exc_action_name(enum ww_conf_exc_action a)
{
	return (unsigned int)a < 4 ? exc_action_names[a] : "unknown";
}

const struct ww_conf_key_info *ww_conf_key_at(unsigned int n)
{
	return n < N_SCHEMA ? &schema[n].info : NULL;
}

void ww_errf(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/*
 * Decimal only: no sign, no leading zero (so "010" is not silently read
 * as 8 or 10), no hex, no trailing junk, no surrounding space.
 */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		     char *err, size_t err_len)
{
	char *end;
	unsigned long long v;

	if (*s == '\0') {
		ww_errf(err, err_len, "empty value, expected a number");
		return -EINVAL;
	}
	if (!isdigit((unsigned char)*s)) {
		ww_errf(err, err_len, "'%s' is not a decimal number", s);
		return -EINVAL;
	}
	if (s[0] == '0' && s[1] != '\0') {
		ww_errf(err, err_len,
			"'%s' has a leading zero (octal is not accepted)", s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0') {
		ww_errf(err, err_len, "'%s' has trailing characters '%s'", s,
			end);
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		ww_errf(err, err_len, "%s is out of range (%llu..%llu)", s,
			(unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out, char *err, size_t err_len)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	ww_errf(err, err_len,
		"'%s' is not a boolean (yes/no, true/false, on/off, 1/0)", s);
	return -EINVAL;
}

int ww_conf_parse_cidr(const char *s, struct ww_cidr *out, char *err,
		       size_t err_len)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t plen;
	unsigned int max_len, i;
	char perr[128];

	if (alen == 0 || alen >= sizeof(addr)) {
		ww_errf(err, err_len, "'%s' is not an address or prefix", s);
		return -EINVAL;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		max_len = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		max_len = 128;
	} else {
		ww_errf(err, err_len, "'%s' is not an IPv4 or IPv6 address",
			addr);
		return -EINVAL;
	}
	plen = max_len;
	if (slash != NULL &&
	    parse_u64(slash + 1, 0, max_len, &plen, perr, sizeof(perr)) < 0) {
		ww_errf(err, err_len, "'%s': prefix length: %s", s, perr);
		return -EINVAL;
	}
	out->prefix_len = (uint8_t)plen;
	for (i = 0; i < max_len / 8; i++) {
		unsigned int bit0 = i * 8;
		uint8_t mask;

		if (bit0 + 8 <= plen)
			continue;
		mask = bit0 >= plen ? 0xff : (uint8_t)(0xff >> (plen - bit0));
		if (out->addr[i] & mask) {
			ww_errf(err, err_len,
				"'%s' has host bits set (did you mean a network address?)",
				s);
			return -EINVAL;
		}
	}
	return 0;
}

bool ww_cidr_contains(const struct ww_cidr *cidr, uint8_t family,
		      const uint8_t *addr)
{
	unsigned int full = cidr->prefix_len / 8, rest = cidr->prefix_len % 8;

	if (cidr->family != family)
		return false;
	if (memcmp(cidr->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((cidr->addr[full] ^ addr[full]) &
		(uint8_t)(0xff << (8 - rest))) == 0;
}

bool ww_cidr_list_contains(const struct ww_cidr *list, unsigned int n,
			   uint8_t family, const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ww_cidr_contains(&list[i], family, addr))
			return true;
	return false;
}

/* Split @text on commas and whitespace; call @fn on each item. */
static int for_each_item(const char *text,
			 int (*fn)(const char *item, void *arg, char *err,
				   size_t err_len),
			 void *arg, char *err, size_t err_len)
{
	char item[256];
	const char *p = text;

	while (*p != '\0') {
		size_t n;
		int rc;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, ", \t\r\n");
		if (n >= sizeof(item)) {
			ww_errf(err, err_len, "list item too long");
			return -EINVAL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		rc = fn(item, arg, err, err_len);
		if (rc < 0)
			return rc;
		p += n;
	}
	return 0;
}

struct cidr_acc {
	struct ww_cidr *out;
	unsigned int max, n;
};

static int add_cidr(const char *item, void *arg, char *err, size_t err_len)
{
	struct cidr_acc *acc = arg;

	if (acc->n == acc->max) {
		ww_errf(err, err_len, "more than %u prefixes", acc->max);
		return -EINVAL;
	}
	if (ww_conf_parse_cidr(item, &acc->out[acc->n], err, err_len) < 0)
		return -EINVAL;
	acc->n++;
	return 0;
}

int ww_conf_parse_cidr_list(const char *text, struct ww_cidr *out,
			    unsigned int max, char *err, size_t err_len)
{
	struct cidr_acc acc = {out, max, 0};
	int rc = for_each_item(text, add_cidr, &acc, err, err_len);

	return rc < 0 ? rc : (int)acc.n;
}

struct pair_acc {
	struct ww_conf_port_pair *out;
	unsigned int n;
};

static int valid_port_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return 0;
	return 1;
}

static int add_pair(const char *item, void *arg, char *err, size_t err_len)
{
	struct pair_acc *acc = arg;
	const char *colon = strchr(item, ':');
	struct ww_conf_port_pair *pp;
	size_t olen;
	unsigned int i;

	if (acc->n == WW_CONF_MAX_PAIRS) {
		ww_errf(err, err_len, "more than %d port pairs",
			WW_CONF_MAX_PAIRS);
		return -EINVAL;
	}
	if (colon == NULL) {
		ww_errf(err, err_len,
			"'%s' is not a pair: write outside:inside (e.g. 0:1)",
			item);
		return -EINVAL;
	}
	pp = &acc->out[acc->n];
	olen = (size_t)(colon - item);
	if (olen >= sizeof(pp->outside) ||
	    strlen(colon + 1) >= sizeof(pp->inside)) {
		ww_errf(err, err_len, "'%s': port name too long", item);
		return -EINVAL;
	}
	memcpy(pp->outside, item, olen);
	pp->outside[olen] = '\0';
	strcpy(pp->inside, colon + 1);
	if (!valid_port_name(pp->outside) || !valid_port_name(pp->inside)) {
		ww_errf(err, err_len,
			"'%s': a port is a DPDK port id or device name", item);
		return -EINVAL;
	}
	if (strcmp(pp->outside, pp->inside) == 0) {
		ww_errf(err, err_len, "'%s': a port cannot be its own peer",
			item);
		return -EINVAL;
	}
	for (i = 0; i < acc->n; i++) {
		const struct ww_conf_port_pair *o = &acc->out[i];

		if (!strcmp(o->outside, pp->outside) ||
		    !strcmp(o->outside, pp->inside) ||
		    !strcmp(o->inside, pp->outside) ||
		    !strcmp(o->inside, pp->inside)) {
			ww_errf(err, err_len, "'%s': port used in two pairs",
				item);
			return -EINVAL;
		}
	}
	acc->n++;
	return 0;
}

struct path_acc {
	char (*out)[WW_CONF_PATH_MAX];
	unsigned int n;
};

static int add_path(const char *item, void *arg, char *err, size_t err_len)
{
	struct path_acc *acc = arg;

	if (acc->n == WW_CONF_MAX_FILES) {
		ww_errf(err, err_len, "more than %d files", WW_CONF_MAX_FILES);
		return -EINVAL;
	}
	if (strlen(item) >= WW_CONF_PATH_MAX) {
		ww_errf(err, err_len, "path longer than %d bytes",
			WW_CONF_PATH_MAX - 1);
		return -EINVAL;
	}
	strcpy(acc->out[acc->n++], item);
	return 0;
}

struct port_acc {
	uint16_t *out;
	unsigned int n;
};

static int add_port(const char *item, void *arg, char *err, size_t err_len)
{
	struct port_acc *acc = arg;
	char why[128];
	uint64_t v;

	if (acc->n == WW_CONF_MAX_HTTP_PORTS) {
		ww_errf(err, err_len, "more than %d ports",
			WW_CONF_MAX_HTTP_PORTS);
		return -EINVAL;
	}
	if (parse_u64(item, 1, 65535, &v, why, sizeof(why)) < 0) {
		ww_errf(err, err_len, "port %s", why);
		return -EINVAL;
	}
	acc->out[acc->n++] = (uint16_t)v;
	return 0;
}

int ww_conf_parse_hostport(const char *s, bool port0_ok,
			   struct ww_conf_hostport *out, char *err,
			   size_t err_len)
{
	char addr[64], why[128];
	const char *colon, *a = s;
	size_t alen;
	uint64_t port;

	memset(out, 0, sizeof(*out));
	colon = strrchr(s, ':');
	if (colon == NULL) {
		ww_errf(err, err_len,
			"'%s': want ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)", s);
		return -EINVAL;
	}
	alen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (alen < 2 || s[alen - 1] != ']') {
			ww_errf(err, err_len, "'%s': want [IPv6-ADDRESS]:PORT",
				s);
			return -EINVAL;
		}
		a = s + 1;
		alen -= 2;
	}
	if (alen == 0 || alen >= sizeof(addr)) {
		ww_errf(err, err_len, "'%s': want ADDRESS:PORT", s);
		return -EINVAL;
	}
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	if (a == s && inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
	} else if (a != s && inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
	} else {
		ww_errf(err, err_len,
			"'%s' is not an IPv4 address or a bracketed IPv6 one",
			addr);
		return -EINVAL;
	}
	if (parse_u64(colon + 1, port0_ok ? 0 : 1, 65535, &port, why,
		      sizeof(why)) < 0) {
		ww_errf(err, err_len, "'%s': port: %s", s, why);
		return -EINVAL;
	}
	out->port = (uint16_t)port;
	return 0;
}

struct service_acc {
	struct ww_conf_service *out;
	unsigned int n;
};

/* "NAME=ADDRESS:PORT": a name is what a Prometheus label value shows, so
 * it is kept to letters, digits, '_', '-' and '.'. */
static int add_service(const char *item, void *arg, char *err, size_t err_len)
{
	struct service_acc *acc = arg;
	const char *eq = strchr(item, '=');
	struct ww_conf_service *sv;
	size_t nlen;
	unsigned int i;
	char why[256];

	if (acc->n == WW_CONF_MAX_SERVICES) {
		ww_errf(err, err_len, "more than %d services",
			WW_CONF_MAX_SERVICES);
		return -EINVAL;
	}
	sv = &acc->out[acc->n];
	nlen = eq ? (size_t)(eq - item) : 0;
	if (eq == NULL || nlen == 0 || nlen >= sizeof(sv->name)) {
		ww_errf(err, err_len, "'%s': want NAME=ADDRESS:PORT", item);
		return -EINVAL;
	}
	memset(sv, 0, sizeof(*sv));
	memcpy(sv->name, item, nlen);
	for (i = 0; i < nlen; i++)
		if (!isalnum((unsigned char)sv->name[i]) &&
		    strchr("_-.", sv->name[i]) == NULL) {
			ww_errf(err, err_len,
				"'%s': a name is letters, digits, '_', '-' and '.'",
				sv->name);
			return -EINVAL;
		}
	if (ww_conf_parse_hostport(eq + 1, false, &sv->at, why, sizeof(why)) <
	    0) {
		ww_errf(err, err_len, "service %s: %s", sv->name, why);
		return -EINVAL;
	}
	for (i = 0; i < acc->n; i++)
		if (strcmp(acc->out[i].name, sv->name) == 0 ||
		    memcmp(&acc->out[i].at, &sv->at, sizeof(sv->at)) == 0) {
			ww_errf(err, err_len,
				"service %s: its name or address is given twice",
				sv->name);
			return -EINVAL;
		}
	acc->n++;
	return 0;
}

/* One [limit] route, "METHOD /path-prefix RATE [BURST]", into @r. */
static int parse_limit_route(char *item, unsigned int n, void *out, char *err,
			     size_t err_len)
{
	struct ww_conf_route *r = (struct ww_conf_route *)out + n;
	char method[32], prefix[256], rate[32], burst[32] = "0", why[128];
	uint64_t v;
	int got = sscanf(item, "%31s %255s %31s %31s", method, prefix, rate,
			 burst);

	if (got < 3 || prefix[0] != '/' ||
	    strlen(method) >= sizeof(r->method) ||
	    strlen(prefix) >= sizeof(r->prefix)) {
		ww_errf(err, err_len,
			"route %u: want 'METHOD /path-prefix RATE [BURST]' (METHOD may be *), got '%s'",
			n + 1, item);
		return -EINVAL;
	}
	strcpy(r->method, method);
	strcpy(r->prefix, prefix);
	if (parse_u64(rate, 1, 10000000, &v, why, sizeof(why)) < 0) {
		ww_errf(err, err_len, "route %u rate: %s", n + 1, why);
		return -EINVAL;
	}
	r->rate = (uint32_t)v;
	if (parse_u64(burst, 0, 10000000, &v, why, sizeof(why)) < 0) {
		ww_errf(err, err_len, "route %u burst: %s", n + 1, why);
		return -EINVAL;
	}
	r->burst = (uint32_t)v;
	return 0;
}

/* One [auth] route, "/path-prefix ISSUER AUDIENCE[,AUDIENCE...]". */
static int parse_auth_route(char *item, unsigned int n, void *out, char *err,
			    size_t err_len)
{
	struct ww_conf_auth_route *r = (struct ww_conf_auth_route *)out + n;
	char prefix[256], issuer[512], auds[1024], extra[8];
	char *save = NULL, *aud;
	int got = sscanf(item, "%255s %511s %1023s %7s", prefix, issuer, auds,
			 extra);

	if (got != 3 || prefix[0] != '/' ||
	    strlen(prefix) >= sizeof(r->prefix) ||
	    strlen(issuer) >= sizeof(r->issuer)) {
		ww_errf(err, err_len,
			"route %u: want '/path-prefix ISSUER AUDIENCE[,AUDIENCE...]', got '%s'",
			n + 1, item);
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	strcpy(r->prefix, prefix);
	strcpy(r->issuer, issuer);
	for (aud = strtok_r(auds, ",", &save); aud != NULL;
	     aud = strtok_r(NULL, ",", &save)) {
		if (r->n_audiences == WW_CONF_MAX_AUDIENCES ||
		    strlen(aud) >= sizeof(r->audiences[0])) {
			ww_errf(err, err_len,
				"route %u: at most %d audiences of %zu bytes",
				n + 1, WW_CONF_MAX_AUDIENCES,
				sizeof(r->audiences[0]) - 1);
			return -EINVAL;
		}
		strcpy(r->audiences[r->n_audiences++], aud);
	}
	return 0;
}

/*
 * A '|' separated list of routes (';' would start an INI comment): each
 * non-empty item goes to @fn with its index, at most WW_CONF_MAX_ROUTES.
 * @return the count, or -EINVAL.
 */
static int parse_route_list(const char *value,
			    int (*fn)(char *item, unsigned int n, void *out,
				      char *err, size_t err_len),
			    void *out, char *err, size_t err_len)
{
	char buf[4096], *save = NULL, *item;
	unsigned int n = 0;

	if (strlen(value) >= sizeof(buf)) {
		ww_errf(err, err_len, "routes longer than %zu bytes",
			sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, value);
	for (item = strtok_r(buf, "|", &save); item != NULL;
	     item = strtok_r(NULL, "|", &save)) {
		if (strspn(item, " \t") == strlen(item))
			continue; /* an empty item: "a | | b" */
		if (n == WW_CONF_MAX_ROUTES) {
			ww_errf(err, err_len, "more than %d routes",
				WW_CONF_MAX_ROUTES);
			return -EINVAL;
		}
		if (fn(item, n, out, err, err_len) < 0)
			return -EINVAL;
		n++;
	}
	return (int)n;
}

static int parse_value(const struct key_schema *k, const char *value,
		       struct ww_conf *conf, char *err, size_t err_len)
{
	void *field = (char *)conf + k->offset;
	uint64_t u;
	int rc;

	switch (k->type) {
	case KEY_U32:
		rc = parse_u64(value, k->min, k->max, &u, err, err_len);
		if (rc == 0)
			*(uint32_t *)field = (uint32_t)u;
		return rc;
	case KEY_BOOL:
		return parse_bool(value, field, err, err_len);
	case KEY_STRING:
		if (strlen(value) >= k->size) {
			ww_errf(err, err_len, "value longer than %zu bytes",
				k->size - 1);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	case KEY_CIDR_LIST:
		rc = ww_conf_parse_cidr_list(value, field, WW_CONF_MAX_CIDRS,
					     err, err_len);
		if (rc < 0)
			return rc;
		conf->n_protected_networks = (unsigned int)rc;
		return 0;
	case KEY_PORT_PAIRS: {
		struct pair_acc acc = {field, 0};

		rc = for_each_item(value, add_pair, &acc, err, err_len);
		if (rc < 0)
			return rc;
		if (acc.n == 0) {
			ww_errf(err, err_len, "at least one pair is needed");
			return -EINVAL;
		}
		conf->n_pairs = acc.n;
		return 0;
	}
	case KEY_PORT_LIST: {
		struct port_acc acc = {field, 0};

		rc = for_each_item(value, add_port, &acc, err, err_len);
		if (rc < 0)
			return rc;
		conf->n_http_ports = acc.n;
		return 0;
	}
	case KEY_PATH_LIST:
	case KEY_SITE_RULES: {
		struct path_acc acc = {field, 0};

		rc = for_each_item(value, add_path, &acc, err, err_len);
		if (rc < 0)
			return rc;
		if (k->type == KEY_PATH_LIST)
			conf->n_block_files = acc.n;
		else
			conf->n_waf_site_rules = acc.n;
		return 0;
	}
	case KEY_WAF_ACTION:
		if (strcmp(value, "403") == 0 || strcmp(value, "reset") == 0) {
			*(bool *)field = strcmp(value, "403") == 0;
			return 0;
		}
		ww_errf(err, err_len, "'%s' is not an action (403 or reset)",
			value);
		return -EINVAL;
	case KEY_CLIENT_KEY:
		if (strcmp(value, "address") == 0 ||
		    strcmp(value, "net") == 0) {
			*(bool *)field = strcmp(value, "net") == 0;
			return 0;
		}
		ww_errf(err, err_len,
			"'%s' is not a client key (address: IPv4 /32, IPv6 /64; net: IPv4 /24, IPv6 /64)",
			value);
		return -EINVAL;
	case KEY_ROUTES:
		rc = parse_route_list(value, parse_limit_route, field, err,
				      err_len);
		if (rc < 0)
			return rc;
		conf->n_limit_routes = (unsigned int)rc;
		return 0;
	case KEY_AUTH_ROUTES:
		rc = parse_route_list(value, parse_auth_route, field, err,
				      err_len);
		if (rc < 0)
			return rc;
		conf->n_auth_routes = (unsigned int)rc;
		return 0;
	case KEY_LIMIT_ACTION: {
		static const char *const names[] = {"429", "reset", "drop"};
		unsigned int i;

		for (i = 0; i < 3; i++)
			if (strcmp(value, names[i]) == 0) {
				*(enum ww_conf_limit_action *)field =
					(enum ww_conf_limit_action)i;
				return 0;
			}
		ww_errf(err, err_len,
			"'%s' is not an action (429, reset or drop)", value);
		return -EINVAL;
	}
	case KEY_EXC_ACTION: {
		unsigned int i;

		for (i = 0; i < 4; i++)
			if (strcmp(value, exc_action_names[i]) == 0) {
				*(enum ww_conf_exc_action *)field =
					(enum ww_conf_exc_action)i;
				return 0;
			}
		ww_errf(err, err_len,
			"'%s' is not an action (auto, pass, drop or reset)",
			value);
		return -EINVAL;
	}
	case KEY_MODEL_ACTION: {
		unsigned int i;

		for (i = 0; i < WW_CONF_MODEL_ACTIONS; i++)
			if (strcmp(value,
				   ww_conf_model_action_name((
					   enum ww_conf_model_action)i)) == 0) {
				*(enum ww_conf_model_action *)field =
					(enum ww_conf_model_action)i;
				return 0;
			}
		ww_errf(err, err_len,
			"'%s' is not an action (none, alert, drop, reset, block or throttle)",
			value);
		return -EINVAL;
	}
	case KEY_REAL: {
		/* min and max are in thousandths and signed: the schema's
		 * range is [-max, max] when min is 0 (probabilities: see
		 * check below). */
		char *end;
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (errno != 0 || end == value || *end != '\0' || v != v) {
			ww_errf(err, err_len, "'%s' is not a number", value);
			return -EINVAL;
		}
		if (v < -(double)k->max / 1000 || v > (double)k->max / 1000) {
			ww_errf(err, err_len, "%s is out of range [%g, %g]",
				value, -(double)k->max / 1000,
				(double)k->max / 1000);
			return -EINVAL;
		}
		if (strcmp(k->info.section, "response") == 0 && v < 0) {
			ww_errf(err, err_len, "%s: must not be negative",
				value);
			return -EINVAL;
		}
		if (strcmp(k->info.key, "ttl_growth") == 0 && v < 1) {
			ww_errf(err, err_len,
				"%s: a TTL cannot shrink on a repeat offence (1 or more)",
				value);
			return -EINVAL;
		}
		if (strstr(k->info.key, "probability") != NULL && v < 0) {
			ww_errf(err, err_len,
				"%s: a probability is between 0 and 1", value);
			return -EINVAL;
		}
		*(double *)field = v;
		return 0;
	}
	case KEY_LISTEN: {
		struct ww_conf_hostport hp;

		if (value[0] != '\0' &&
		    ww_conf_parse_hostport(value, true, &hp, err, err_len) < 0)
			return -EINVAL;
		if (strlen(value) >= k->size) {
			ww_errf(err, err_len, "value longer than %zu bytes",
				k->size - 1);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	}
	case KEY_SERVICES: {
		struct service_acc acc = {field, 0};

		rc = for_each_item(value, add_service, &acc, err, err_len);
		if (rc < 0)
			return rc;
		conf->n_metrics_services = acc.n;
		return 0;
	}
	case KEY_ALLOW:
		rc = ww_conf_parse_cidr_list(value, field, WW_CONF_MAX_CIDRS,
					     err, err_len);
		if (rc < 0)
			return rc;
		conf->n_detect_allow = (unsigned int)rc;
		return 0;
	case KEY_NEVER:
		rc = ww_conf_parse_cidr_list(value, field, WW_CONF_MAX_CIDRS,
					     err, err_len);
		if (rc < 0)
			return rc;
		conf->n_response_never = (unsigned int)rc;
		return 0;
	case KEY_VIOLATION_ACTION: {
		static const char *const names[] = {"reset", "drop", "pass"};
		unsigned int i;

		for (i = 0; i < 3; i++)
			if (strcmp(value, names[i]) == 0) {
				*(enum ww_conf_violation_action *)field =
					(enum ww_conf_violation_action)i;
				return 0;
			}
		ww_errf(err, err_len,
			"'%s' is not an action (reset, drop or pass)", value);
		return -EINVAL;
	}
	case KEY_OVERLAP_ACTION: {
		const char *keep = "rewrite";
		const char *other = "drop";

		if (strcmp(value, keep) == 0)
			*(bool *)field = true;
		else if (strcmp(value, other) == 0)
			*(bool *)field = false;
		else {
			ww_errf(err, err_len,
				"'%s' is not an action (%s or %s)", value, keep,
				other);
			return -EINVAL;
		}
		return 0;
	}
	case KEY_MALFORMED_POLICY:
		if (strcmp(value, "drop") == 0)
			conf->malformed_policy = WW_CONF_MALFORMED_DROP;
		else if (strcmp(value, "forward") == 0)
			conf->malformed_policy = WW_CONF_MALFORMED_FORWARD;
		else {
			ww_errf(err, err_len,
				"'%s' is not a policy (drop or forward)",
				value);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

void ww_conf_defaults(struct ww_conf *conf)
{
	unsigned int i;
	char err[WW_CONF_ERR_MAX];

	memset(conf, 0, sizeof(*conf));
	for (i = 0; i < N_SCHEMA; i++)
		if (parse_value(&schema[i], schema[i].info.default_value, conf,
				err, sizeof(err)) < 0)
			abort(); /* a bad default is a programming error */
}

static const struct key_schema *find_key(const char *section, const char *key)
{
	unsigned int i;

	for (i = 0; i < N_SCHEMA; i++)
		if (strcmp(schema[i].info.section, section) == 0 &&
		    strcmp(schema[i].info.key, key) == 0)
			return &schema[i];
	return NULL;
}

static int known_section(const char *section)
{
	unsigned int i;

	for (i = 0; i < N_SCHEMA; i++)
		if (strcmp(schema[i].info.section, section) == 0)
			return 1;
	return 0;
}

/* iniparser reports syntax errors through a callback with no context
 * pointer; the loader runs on the control thread only, so a static buffer
 * is enough to carry the message back. */
static char ini_syntax_err[WW_CONF_ERR_MAX];

static int capture_ini_error(const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(ini_syntax_err, sizeof(ini_syntax_err), fmt, ap);
	va_end(ap);
	n = strlen(ini_syntax_err);
	while (n > 0 && ini_syntax_err[n - 1] == '\n')
		ini_syntax_err[--n] = '\0';
	return 0;
}

/* "section.key=value" -> dictionary entry "section:key". */
static int apply_override(dictionary *d, const char *ov, char *err,
			  size_t err_len)
{
	char entry[256], section[128];
	const char *eq = strchr(ov, '=');
	const char *dot = strchr(ov, '.');
	size_t i, n;

	if (eq == NULL || dot == NULL || dot > eq || dot == ov ||
	    dot + 1 == eq) {
		ww_errf(err, err_len, "--set '%s': expected SECTION.KEY=VALUE",
			ov);
		return -EINVAL;
	}
	n = (size_t)(eq - ov);
	if (n >= sizeof(entry) || (size_t)(dot - ov) >= sizeof(section)) {
		ww_errf(err, err_len, "--set '%s': name too long", ov);
		return -EINVAL;
	}
	/* iniparser lowercases names when it reads a file; do the same. */
	for (i = 0; i < n; i++)
		entry[i] = (char)tolower((unsigned char)ov[i]);
	entry[n] = '\0';
	entry[dot - ov] = '\0';
	strcpy(section, entry);
	entry[dot - ov] = ':';
	if (iniparser_find_entry(d, section) == 0)
		iniparser_set(d, section, NULL);
	if (iniparser_set(d, entry, eq + 1) != 0) {
		ww_errf(err, err_len, "--set '%s': out of memory", ov);
		return -ENOMEM;
	}
	return 0;
}

int ww_conf_load(const char *path, const char *const *overrides,
		 unsigned int n_overrides, struct ww_conf *conf, char *err,
		 size_t err_len)
{
	struct ww_conf tmp;
	dictionary *d;
	char why[WW_CONF_ERR_MAX];
	int i, rc = 0;
	unsigned int k;
	FILE *probe;

	probe = fopen(path, "r");
	if (probe == NULL) {
		ww_errf(err, err_len, "%s: cannot open: %s", path,
			strerror(errno));
		return -ENOENT;
	}
	fclose(probe);

	ini_syntax_err[0] = '\0';
	iniparser_set_error_callback(capture_ini_error);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (d == NULL) {
		ww_errf(err, err_len, "%s: %s", path,
			ini_syntax_err[0] ? ini_syntax_err : "cannot parse");
		return -EINVAL;
	}
	if (ini_syntax_err[0] != '\0') {
		ww_errf(err, err_len, "%s: %s", path, ini_syntax_err);
		rc = -EINVAL;
		goto out_free;
	}
	for (k = 0; k < n_overrides; k++) {
		rc = apply_override(d, overrides[k], why, sizeof(why));
		if (rc < 0) {
			ww_errf(err, err_len, "%s", why);
			goto out_free;
		}
	}

	ww_conf_defaults(&tmp);
	snprintf(tmp.path, sizeof(tmp.path), "%s", path);

	/* Walk every entry the file holds, so nothing unknown slips by: keys
	 * first (their message names section and key), then sections that
	 * hold no key at all. */
	for (i = 0; i < d->size; i++) {
		const char *name = d->key[i], *colon;
		const char *value = d->val[i];
		const struct ww_conf_key_info *kinfo;
		const struct key_schema *ks;
		char section[128];
		size_t slen;

		if (name == NULL || (colon = strchr(name, ':')) == NULL)
			continue;
		slen = (size_t)(colon - name);
		if (slen == 0) {
			ww_errf(err, err_len,
				"%s: '%s': key outside of any section", path,
				colon + 1);
			rc = -EINVAL;
			goto out_free;
		}
		if (slen >= sizeof(section))
			slen = sizeof(section) - 1;
		memcpy(section, name, slen);
		section[slen] = '\0';
		ks = find_key(section, colon + 1);
		if (ks == NULL) {
			ww_errf(err, err_len, "%s: [%s] %s: %s", path, section,
				colon + 1,
				known_section(section) ? "unknown key"
						       : "unknown section");
			rc = -EINVAL;
			goto out_free;
		}
		kinfo = &ks->info;
		/* A value replaces the default whole (no bytes of a longer
		 * default left after a string's end), so two configs can be
		 * compared field by field (ww_conf_static_diff). */
		memset((char *)&tmp + ks->offset, 0, ks->size);
		if (parse_value(ks, value ? value : "", &tmp, why,
				sizeof(why)) < 0) {
			ww_errf(err, err_len, "%s: [%s] %s: %s", path,
				kinfo->section, kinfo->key, why);
			rc = -EINVAL;
			goto out_free;
		}
	}
	for (i = 0; i < d->size; i++) {
		const char *name = d->key[i];

		if (name != NULL && strchr(name, ':') == NULL &&
		    !known_section(name)) {
			ww_errf(err, err_len, "%s: [%s]: unknown section", path,
				name);
			rc = -EINVAL;
			goto out_free;
		}
	}

	/* Cross-key rules. */
	if (tmp.mbuf_cache > tmp.mbufs / 2) {
		ww_errf(err, err_len,
			"%s: [ports] mbuf_cache: %u is more than half of mbufs (%u)",
			path, tmp.mbuf_cache, tmp.mbufs);
		rc = -EINVAL;
		goto out_free;
	}
	if (tmp.event_ring_size & (tmp.event_ring_size - 1)) {
		ww_errf(err, err_len,
			"%s: [eve] ring_size: %u is not a power of two", path,
			tmp.event_ring_size);
		rc = -EINVAL;
		goto out_free;
	}
	*conf = tmp;

out_free:
	iniparser_freedict(d);
	return rc;
}
