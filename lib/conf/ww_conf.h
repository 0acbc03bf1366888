/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_CONF_H
#define WW_CONF_H

/*
 * wirewall configuration: one INI file turned into an immutable, validated
 * struct. Every key is known to a schema (conf.c); a key that is not in the
 * schema, a number with trailing junk or out of range, a boolean outside
 * the fixed word set or a malformed CIDR refuses the whole file, and the
 * error names file, section and key. Nothing here touches DPDK, so the
 * loader runs (and is tested) before EAL is up.
 *
 * Thread use: control thread only. The resulting struct is read-only once
 * loaded and may be read from any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WW_CONF_MAX_PAIRS      8
#define WW_CONF_MAX_CIDRS      64
#define WW_CONF_MAX_HTTP_PORTS 16
#define WW_CONF_MAX_FILES      8
#define WW_CONF_MAX_ROUTES     16
#define WW_CONF_MAX_AUDIENCES  8
#define WW_CONF_KEYS_MAX       2048
#define WW_CONF_PORT_NAME_MAX  64
#define WW_CONF_PATH_MAX       512
#define WW_CONF_ERR_MAX	       512
#define WW_CONF_MAX_SERVICES   32

/* An IPv4 or IPv6 prefix. Host bits are always zero (the parser refuses
 * a prefix with host bits set rather than guess what was meant). */
struct ww_cidr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix_len;
	uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 */
};

/* One bump-in-the-wire pair: frames from outside go inside and back.
 * A port is named by its DPDK port id ("0") or device name ("net_tap0"). */
struct ww_conf_port_pair {
	char outside[WW_CONF_PORT_NAME_MAX];
	char inside[WW_CONF_PORT_NAME_MAX];
};

/* An IPv4 or IPv6 address and a TCP port: "192.0.2.1:80",
 * "[2001:db8::1]:80". */
struct ww_conf_hostport {
	uint8_t family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 */
	uint16_t port;
};

/* A name the metrics give a service (a server address and port). */
struct ww_conf_service {
	char name[64];
	struct ww_conf_hostport at;
};

/* What to do with a frame the decoder refuses. */
enum ww_conf_malformed_policy {
	WW_CONF_MALFORMED_DROP = 0,
	WW_CONF_MALFORMED_FORWARD,
};

/* What to do with a request that breaks HTTP/1.1 framing. */
enum ww_conf_violation_action {
	WW_CONF_VIOLATION_RESET = 0, /* drop it, reset both ends */
	WW_CONF_VIOLATION_DROP,	     /* drop it and what follows */
	WW_CONF_VIOLATION_PASS,	     /* alert only */
};

/* What to do with a request over a rate limit. */
enum ww_conf_limit_action {
	WW_CONF_LIMIT_429 = 0, /* answer 429 with Retry-After, reset server */
	WW_CONF_LIMIT_RESET,   /* reset both ends */
	WW_CONF_LIMIT_DROP,    /* drop the request and what follows */
};

/* What to do with traffic the appliance cannot judge (an exception). */
enum ww_conf_exc_action {
	WW_CONF_EXC_AUTO = 0, /* reset what the WAF or auth protects, else
			       * pass (drop for fragments, pass for
			       * waf_not_ready) */
	WW_CONF_EXC_PASS,     /* forward it uninspected (counted) */
	WW_CONF_EXC_DROP,     /* do not forward it */
	WW_CONF_EXC_RESET,    /* do not forward it, reset both ends */
};

/* The cases where the appliance cannot judge traffic ([exceptions]). */
enum ww_conf_exc {
	WW_CONF_EXC_NO_CONTEXT = 0,   /* no inspection context free */
	WW_CONF_EXC_REASSEMBLY_CAP,   /* reassembly memory exhausted */
	WW_CONF_EXC_BODY_OVER_DEPTH,  /* request body past [http] body_depth */
	WW_CONF_EXC_FRAGMENT_FAILURE, /* datagram never completed, or no room */
	WW_CONF_EXC_WAF_ARENA,	      /* rule engine's memory exhausted */
	WW_CONF_EXC_REGEX_LIMIT,      /* a regex hit its match limit */
	WW_CONF_EXC_MIDSTREAM,	      /* TCP picked up without its handshake */
	WW_CONF_EXC_FLOW_LOST,	      /* no flow for the packet (table full,
				       * or its flow evicted in its burst) */
	WW_CONF_EXC_SLOW_REQUEST,     /* a request head, body or the wait
				       * for the next one too slow */
	WW_CONF_EXC_WAF_NOT_READY,    /* a request while the rule set is
				       * still compiling (start, cold
				       * cache) or failed to */
	WW_CONF_EXC_MAX
};

/* A per-client limit on one route: requests whose method matches ("*":
 * any) and whose normalized path starts with @prefix. */
struct ww_conf_route {
	char method[16];
	char prefix[128];
	uint32_t rate, burst;
};

/* A path prefix that requires a JWT bearer token from @issuer for one of
 * @audiences. */
struct ww_conf_auth_route {
	char prefix[128];
	char issuer[256];
	char audiences[WW_CONF_MAX_AUDIENCES][128];
	unsigned int n_audiences;
};

/* What a model's verdict does ([detect] <class>_action, anomaly_action). */
enum ww_conf_model_action {
	WW_CONF_MODEL_NONE = 0, /* not even an alert */
	WW_CONF_MODEL_ALERT,	/* an alert event only */
	WW_CONF_MODEL_DROP,	/* the flow's packets from then on */
	WW_CONF_MODEL_RESET,	/* ... and both ends reset */
	WW_CONF_MODEL_BLOCK,	/* the client, for block_ttl seconds */
	WW_CONF_MODEL_THROTTLE, /* the client's new flows, throttle_rate per
				 * second, for throttle_ttl seconds */
	WW_CONF_MODEL_ACTIONS
};

/* Model classes with an action of their own (lib/feat's classes but
 * benign): flood, syn_flood, scan, web_attack, content_discovery,
 * brute_force, slow_dos; detect_action[] and detect_min_prob[] are
 * indexed by class label. */
#define WW_CONF_MODEL_CLASSES 8

struct ww_conf {
	char path[WW_CONF_PATH_MAX];

	/* [general] */
	struct ww_cidr protected_networks[WW_CONF_MAX_CIDRS];
	unsigned int n_protected_networks;

	/* [ports] */
	struct ww_conf_port_pair pairs[WW_CONF_MAX_PAIRS];
	unsigned int n_pairs;
	uint32_t rx_descriptors;
	uint32_t tx_descriptors;
	uint32_t mbufs;
	uint32_t mbuf_cache;
	uint32_t burst_size;
	uint32_t tx_retries;
	bool promiscuous;

	/* [decode] */
	enum ww_conf_malformed_policy malformed_policy;
	bool verify_checksums;
	uint32_t max_ipv6_ext_headers;

	/* [flow] */
	uint32_t max_flows;   /* per worker */
	uint32_t syn_timeout; /* seconds, per flow state */
	uint32_t established_timeout;
	uint32_t closing_timeout;
	uint32_t closed_timeout;
	uint32_t udp_timeout;
	uint32_t icmp_timeout;
	uint32_t other_timeout;

	/* [tcp] */
	uint32_t tcp_memory_mb;	    /* reassembly pool per worker */
	uint32_t tcp_stream_max_kb; /* per direction */
	bool tcp_overlap_rewrite;   /* else drop the segment */

	/* [http] */
	uint16_t http_ports[WW_CONF_MAX_HTTP_PORTS];
	unsigned int n_http_ports;
	uint32_t http_contexts; /* connections inspected at once, per worker */
	uint32_t http_max_request_line;
	uint32_t http_max_headers;
	uint32_t http_max_header_bytes;
	uint32_t http_body_depth;
	uint32_t http_max_chunk_ext;
	enum ww_conf_violation_action http_violation_action;
	uint32_t http_header_timeout;	 /* seconds for a request head */
	uint32_t http_body_min_rate;	 /* bytes/s after header_timeout */
	uint32_t http_keepalive_timeout; /* seconds between requests */

	/* [defrag] */
	uint32_t defrag_timeout;       /* seconds */
	uint32_t defrag_max_datagrams; /* per worker */
	uint32_t defrag_max_fragments; /* per datagram */
	uint32_t defrag_max_held;      /* fragments held per worker */

	/* [exceptions] */
	enum ww_conf_exc_action exc[WW_CONF_EXC_MAX];

	/* [block] */
	char block_files[WW_CONF_MAX_FILES][WW_CONF_PATH_MAX];
	unsigned int n_block_files;
	uint32_t block_dynamic_max;    /* run-time entries */
	uint32_t block_alert_interval; /* seconds between alerts per source */

	/* [limit] (rates per second; 0 = no limit; burst 0 = the rate) */
	uint32_t limit_rate, limit_burst; /* requests per client */
	bool limit_client_net24;	  /* IPv4 clients by /24, else /32 */
	struct ww_conf_route limit_routes[WW_CONF_MAX_ROUTES];
	unsigned int n_limit_routes;
	uint32_t limit_service_rate, limit_service_burst; /* per server:port */
	uint32_t limit_syn_rate, limit_syn_burst; /* new TCP conns per source */
	enum ww_conf_limit_action limit_action;
	uint32_t limit_max_entries; /* buckets per worker */

	/* [auth] */
	struct ww_conf_auth_route auth_routes[WW_CONF_MAX_ROUTES];
	unsigned int n_auth_routes;
	char auth_keys[WW_CONF_KEYS_MAX]; /* key specs, lib/auth parses */
	uint32_t auth_clock_skew;	  /* seconds */
	uint32_t auth_cache_entries;	  /* verified tokens per worker */
	char auth_revoked_file[WW_CONF_PATH_MAX]; /* "" = in memory only */

	/* [waf] */
	bool waf_enabled;
	char waf_crs_setup[WW_CONF_PATH_MAX];
	char waf_rules_dir[WW_CONF_PATH_MAX];
	char waf_site_rules[WW_CONF_MAX_FILES][WW_CONF_PATH_MAX];
	unsigned int n_waf_site_rules;
	uint32_t waf_paranoia_level;	      /* 0: as crs-setup.conf says */
	uint32_t waf_anomaly_threshold;	      /* 0: as crs-setup.conf says */
	bool waf_answer_403;		      /* else reset both ends */
	char waf_cache_dir[WW_CONF_PATH_MAX]; /* compiled databases */
	uint32_t waf_regex_match_limit;	      /* PCRE2 match limit */
	/* Site tuning ("": as crs-setup.conf says); see ww_waf_opts. */
	char waf_allowed_methods[256];
	char waf_allowed_content_types[1024];
	char waf_restricted_extensions[2048];
	char waf_restricted_headers[1024];
	char waf_rule_exclusions[1024];
	char waf_target_exclusions[2048];

	/* [detect] */
	bool detect_enabled; /* features computed (models need them) */
	char detect_classifier[WW_CONF_PATH_MAX]; /* "" = none */
	char detect_anomaly[WW_CONF_PATH_MAX];	  /* "" = none */
	uint32_t detect_max_clients;		  /* per worker */
	uint32_t detect_v6_prefix;		  /* client key for IPv6 */
	/* [class]: action and least probability; [0] (benign) unused. */
	enum ww_conf_model_action detect_action[WW_CONF_MODEL_CLASSES];
	double detect_min_prob[WW_CONF_MODEL_CLASSES];
	bool detect_may_act;	     /* classifier: act, or only alert */
	double detect_anomaly_alert; /* decision_function below: alert */
	double detect_anomaly_act;   /* ... below: anomaly_action */
	enum ww_conf_model_action detect_anomaly_action;
	bool detect_anomaly_may_act;
	struct ww_cidr detect_allow[WW_CONF_MAX_CIDRS];
	unsigned int n_detect_allow;
	uint32_t detect_block_ttl, detect_throttle_ttl; /* seconds */
	uint32_t detect_throttle_rate; /* new flows per second */
	uint32_t detect_trigger_flows; /* triggers, per client-second */
	uint32_t detect_trigger_ports;
	uint32_t detect_trigger_half_open;
	uint32_t detect_trigger_requests;

	/* [response]: the escalation ladder (lib/response) */
	bool response_enabled;
	bool response_dry_run;	     /* log the steps, take none */
	uint32_t response_half_life; /* seconds for evidence to halve */
	double response_throttle_at; /* evidence score for each step */
	double response_block_at;
	double response_escalate_at;
	uint32_t response_throttle_rate; /* new connections per second */
	uint32_t response_throttle_ttl;	 /* seconds */
	uint32_t response_block_ttl;	 /* seconds, first offence */
	uint32_t response_block_ttl_max; /* seconds */
	double response_ttl_growth;	 /* TTL factor per repeat offence */
	struct ww_cidr response_never[WW_CONF_MAX_CIDRS];
	unsigned int n_response_never;
	uint32_t response_max_offenders; /* sources remembered */
	uint32_t response_max_entries;	 /* blocks and throttles in force */
	uint32_t response_actions_per_minute;
	/* Evidence per verdict, by kind (enum ww_response_kind's order:
	 * waf, protocol, rate_limit, auth, model, anomaly, blocklist). */
	double response_weight[7];

	/* [control] */
	char control_socket[WW_CONF_PATH_MAX]; /* "" = none */

	/* [metrics] */
	char metrics_listen[64];	 /* "" = no endpoint */
	uint32_t metrics_max_services;	 /* per worker, then "other" */
	uint32_t metrics_max_signatures; /* per worker */
	struct ww_conf_service metrics_services[WW_CONF_MAX_SERVICES];
	unsigned int n_metrics_services;

	/* [eve] */
	char eve_file[WW_CONF_PATH_MAX];       /* "" = no event log */
	char eve_alert_pcap[WW_CONF_PATH_MAX]; /* "" = none */
	uint32_t eve_alert_pcap_flow_packets;  /* frames per alerted flow */
	uint32_t eve_alert_pcap_max_mb;	       /* the file's size at most */
	bool http_events;
	bool stats_events;
	bool drop_events;
	bool flow_events;
	uint32_t stats_interval; /* seconds */
	uint32_t event_ring_size;
};

/* One key of the schema, exposed so tests and docs can walk it. */
struct ww_conf_key_info {
	const char *section;
	const char *key;
	const char *default_value; /* as it would be written in the file */
};

/* "alert", "drop", ... */
const char *ww_conf_model_action_name(enum ww_conf_model_action a);

/*
 * Fill @conf with the schema defaults (never fails).
 */
void ww_conf_defaults(struct ww_conf *conf);

/*
 * Load and validate @path, then apply @n_overrides "section.key=value"
 * strings (as given to --set) on top of it.
 *
 * @return 0 on success, with @conf filled; -EINVAL (bad content) or
 *   -ENOENT (file unreadable) with a one-line reason in @err that names the
 *   file, section and key. @conf is untouched on failure.
 */
int ww_conf_load(const char *path, const char *const *overrides,
		 unsigned int n_overrides, struct ww_conf *conf, char *err,
		 size_t err_len);

/*
 * Parse "ADDRESS:PORT" (IPv6 in brackets: "[::1]:9464") into @out; the
 * port may be 0 when @port0_ok. @return 0 or -EINVAL with a reason in
 * @err.
 */
int ww_conf_parse_hostport(const char *s, bool port0_ok,
			   struct ww_conf_hostport *out, char *err,
			   size_t err_len);

/*
 * Parse a comma or whitespace separated list of CIDRs into @out.
 * @return number parsed, or -EINVAL with a reason in @err.
 */
int ww_conf_parse_cidr_list(const char *text, struct ww_cidr *out,
			    unsigned int max, char *err, size_t err_len);

/*
 * Parse one address ("192.0.2.1", "2001:db8::1": a host prefix) or prefix
 * ("192.0.2.0/24"); host bits must be zero. @return 0 or -EINVAL with a
 * reason in @err.
 */
int ww_conf_parse_cidr(const char *s, struct ww_cidr *out, char *err,
		       size_t err_len);

/* True when @addr (family @family, network byte order) lies in @cidr.
 * dp-safe. */
bool ww_cidr_contains(const struct ww_cidr *cidr, uint8_t family,
		      const uint8_t *addr);
/* True when @addr lies in one of the @n prefixes of @list. dp-safe. */
bool ww_cidr_list_contains(const struct ww_cidr *list, unsigned int n,
			   uint8_t family, const uint8_t *addr);

/* snprintf into a caller's error buffer (@err may be NULL): the way every
 * wirewall library reports why it refused something. */
void ww_errf(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Name of an exception as the config and events spell it. */
const char *ww_conf_exc_name(enum ww_conf_exc e);
const char *ww_conf_exc_action_name(enum ww_conf_exc_action a);

/* Whether key @k may change while the appliance runs. */
bool ww_conf_key_runtime(const struct ww_conf_key_info *k);

/*
 * Compare the keys of @a and @b that cannot change at run time.
 * @return 0 when they agree, or -EPERM with the keys that differ
 * ("[flow] max_flows, [http] contexts") in @err.
 */
int ww_conf_static_diff(const struct ww_conf *a, const struct ww_conf *b,
			char *err, size_t err_len);

/* Walk the schema: returns the n-th key, or NULL past the end. */
const struct ww_conf_key_info *ww_conf_key_at(unsigned int n);

#endif /* WW_CONF_H */
