/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_PIPELINE_H
#define WW_PIPELINE_H

/*
 * The worker pipeline: what one worker lcore does to a burst of frames.
 * The same function runs on live ports and in offline (pcap) mode; the
 * caller owns the I/O (rx_burst/tx_burst, or pcap read/write) and hands
 * the pipeline frames, and the pipeline hands back, in order, the frames
 * to send and the port each goes to. Frames it stops are freed here.
 *
 * Stages, in order, each a burst function over the worker, the frames and
 * their verdicts, in a file of its own (see pipeline_dp.c for the loop):
 *   decode -> block -> defrag -> flow -> l7 (frame by frame: the flow's
 *   and client's features first, then TCP reassembly, HTTP, and on each
 *   complete request: auth, rate limits, WAF) -> detect (the rows the
 *   burst took, scored in one batch by the models; verdicts) -> verdict
 *   (forward, drop, reset, answer) -> tx.
 *
 * What the control plane may change is read through one policy snapshot
 * (struct ww_policy), picked up once per burst.
 *
 * Block lists come before reassembly (DESIGN.md has them after): they
 * read addresses only, which every fragment carries, and a blocked
 * source's fragments then never take room in the reassembly table.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ww_auth.h"
#include "ww_block.h"
#include "ww_conf.h"
#include "ww_defrag.h"
#include "ww_event.h"
#include "ww_feat.h"
#include "ww_flow.h"
#include "ww_forest.h"
#include "ww_limit.h"
#include "ww_pkt.h"
#include "ww_waf.h"

#define WW_BURST_MAX 64
/* Room for every input frame, the frames the pipeline may inject (resets
 * and responses), and the original fragments of datagrams forwarded in
 * place of their reassembled copy. */
#define WW_TX_LIST_MAX (WW_BURST_MAX * 4 + WW_BURST_MAX * WW_DEFRAG_MAX_FRAGS)

/* Where a frame entered, relative to the protected side. */
enum ww_side {
	WW_SIDE_OUTSIDE = 0, /* client side: frames flow towards servers */
	WW_SIDE_INSIDE = 1,  /* server side */
};

/* Frames the pipeline stopped, by why (the drop "nodes"). Malformed frames
 * also have a counter per decoder reason (malformed[]), exceptions one per
 * case and action (exc[][]). Append only. */
enum ww_drop {
	WW_DROP_MALFORMED = 0, /* decoder refused it, policy is drop */
	WW_DROP_TX_FULL,       /* peer port kept refusing after retries */
	WW_DROP_BLOCKED,       /* inspection stopped it (HTTP violation,
				* TCP overlap evasion) */
	WW_DROP_BLOCKLIST,     /* source or destination on a block list */
	WW_DROP_RATE_LIMIT,    /* a request over a rate limit (and what
				* its connection sent after it) */
	WW_DROP_SYN_LIMIT,     /* a SYN over its source's connection rate */
	WW_DROP_AUTH,	       /* a request without a valid token */
	WW_DROP_WAF,	       /* a request the rule engine stopped */
	WW_DROP_EXCEPTION,     /* traffic that could not be judged, whose
				* exception policy is drop or reset */
	WW_DROP_FRAGMENT,      /* fragment overlap evasion, or a duplicate */
	WW_DROP_TCP_REFUSED,   /* segment outside the receiver's window or
				* the reassembly span, or out of order while
				* reassembly memory is low */
	WW_DROP_MODEL,	       /* a model's verdict: its flow dropped or
				* reset, its client blocked or throttled */
	WW_DROP_THROTTLE,      /* a new connection of a source the
				* escalation ladder throttles, over
				* [response] throttle_rate */
	WW_DROP_MAX
};

/* Decoded frames are counted by L4 class rather than by protocol number,
 * so counting is one table lookup and one increment. */
enum ww_l4_class {
	WW_L4_OTHER = 0,
	WW_L4_TCP,
	WW_L4_UDP,
	WW_L4_ICMP, /* ICMP and ICMPv6 */
};

/* What an exception turned into (the action resolved from "auto"). */
enum ww_exc_outcome {
	WW_EXC_PASSED = 0,
	WW_EXC_DROPPED,
	WW_EXC_RESET,
	WW_EXC_OUTCOMES
};

/* Alert categories (Suricata's classtypes that wirewall's alerts use):
 * one counter each, and the category string of the alert's event. */
enum ww_alert_cat {
	WW_ACAT_BLOCKLIST = 0,
	WW_ACAT_RATE_LIMIT,
	WW_ACAT_AUTHENTICATION,
	WW_ACAT_WEB_APPLICATION_ATTACK,
	WW_ACAT_PROTOCOL_VIOLATION,
	WW_ACAT_ATTEMPTED_DOS,
	WW_ACAT_NETWORK_SCAN,
	WW_ACAT_ATTEMPTED_USER,
	WW_ACAT_ATTEMPTED_RECON,
	WW_ACAT_UNKNOWN,
	WW_ACAT_MAX
};

/* HTTP requests per service, by the class of the status they were
 * answered with (by the server, or by the appliance: 401, 403, 429);
 * WW_HTTP_NONE: logged without an answer (the connection ended first). */
enum ww_http_class {
	WW_HTTP_NONE = 0,
	WW_HTTP_1XX,
	WW_HTTP_2XX,
	WW_HTTP_3XX,
	WW_HTTP_4XX,
	WW_HTTP_5XX,
	WW_HTTP_CLASSES
};

/* Upper bounds of the response-latency histogram's buckets, in
 * nanoseconds (request's end to the response's first byte); the last
 * bucket (+Inf) is implied. Fixed: Prometheus sums buckets across
 * appliances only when their bounds agree. */
#define WW_HTTP_LAT_BUCKETS 13
extern const uint64_t ww_http_lat_bounds_ns[WW_HTTP_LAT_BUCKETS];

/* One service's counters (one worker's share). */
struct ww_http_svc_stats {
	uint64_t requests[WW_HTTP_CLASSES];
	uint64_t lat_bucket[WW_HTTP_LAT_BUCKETS + 1]; /* not cumulative */
	uint64_t lat_sum_ns;			      /* server answers */
};

/* A service (server address and port) and its counters, in a worker's
 * table. dataplane: rw (its worker's), ctlplane: ro. The key is written
 * before @used is set (release), so a reader that sees @used (acquire)
 * sees the key. */
struct ww_http_svc {
	uint8_t used;
	uint8_t family; /* 4 or 6 */
	uint16_t port;	/* host order */
	uint8_t addr[16];
	struct ww_http_svc_stats s;
};

/* Requests per service: open addressing over [metrics] max_services
 * entries (twice as many slots); requests to a service that finds no
 * room go to @other and are counted in the worker's
 * http_svc_overflow. */
struct ww_http_svc_table {
	struct ww_http_svc *slot;
	uint32_t mask, n, max;
	struct ww_http_svc_stats other;
};

/* Alerts per signature id, the same way ([metrics] max_signatures);
 * alerts of ids that find no room count in alert_sid_overflow. */
struct ww_alert_sid {
	uint32_t used; /* written as ww_http_svc's */
	uint32_t sid;
	uint64_t count;
	uint8_t cat; /* enum ww_alert_cat of the first alert */
};

struct ww_alert_sid_table {
	struct ww_alert_sid *slot;
	uint32_t mask, n, max;
};

/* Per-stage counters beyond drops, in the order of the stages. */
struct ww_stage_stats {
	/* defrag */
	struct ww_defrag_stats defrag;
	/* l7 / tcp */
	uint64_t tcp_out_of_window; /* segments refused: past the window */
	uint64_t tcp_beyond_span;   /* ... past the reassembly span */
	uint64_t tcp_ooo_refused;   /* ... out of order, memory low */
	uint64_t tcp_midstream;	    /* connections seen without handshake */
	/* http */
	uint64_t body_over_depth; /* requests longer than body_depth */
	uint64_t slow_requests;	  /* connections too slow (slow_request) */
	/* waf */
	uint64_t waf_incomplete; /* requests the engine could not finish */
};

/* Detection (stage_detect.c). */
struct ww_detect_stats {
	uint64_t rows[WW_DP_MAX]; /* rows taken, by decision point */
	uint64_t scored;	  /* rows a model scored */
	uint64_t batches;	  /* forest calls (both models) */
	uint64_t infer_cycles;	  /* TSC cycles inside those calls */
	uint64_t settled_cls;	  /* rows the classifier stopped early */
	uint64_t settled_anom;	  /* rows the anomaly model stopped early */
	uint64_t verdicts[WW_CLASS_MAX]; /* rows over their class's bar */
	uint64_t anomalies;		 /* rows under anomaly_alert_below */
	uint64_t actions[WW_CONF_MODEL_ACTIONS]; /* what was done */
	uint64_t allow_listed;	     /* verdicts on allowed sources */
	uint64_t throttled_flows;    /* new flows a throttle refused */
	uint64_t throttled_requests; /* requests a throttle refused */
	uint64_t export_dropped;     /* feature rows the export ring lost */
	uint64_t responses_dropped;  /* block requests the ring lost */
	struct ww_feat_client_stats clients;
};

/* Per-worker counters. Plain uint64_t written by one worker only; the
 * control thread reads and sums them (ww_worker_stats_add). All fields
 * must stay uint64_t: the sum walks the struct as an array. */
struct ww_worker_stats {
	uint64_t rx_pkts[RTE_MAX_ETHPORTS];
	uint64_t rx_bytes[RTE_MAX_ETHPORTS];
	uint64_t tx_pkts[RTE_MAX_ETHPORTS];
	uint64_t tx_bytes[RTE_MAX_ETHPORTS];
	uint64_t drop[WW_DROP_MAX];
	uint64_t malformed[WW_PKT_ERR_MAX]; /* seen, whatever the policy */
	uint64_t exc[WW_CONF_EXC_MAX][WW_EXC_OUTCOMES];
	uint64_t
		l3[4]; /* by enum ww_pkt_l3: none (other EtherType), arp, ... */
	uint64_t l4[4]; /* by enum ww_l4_class */
	uint64_t vlan, fragments;
	uint64_t events_dropped; /* event ring was full */
	/* [eve] alert_pcap: frames of alerted flows copied for the file;
	 * frames past a flow's share; frames lost (no buffer, ring full). */
	uint64_t apcap_frames, apcap_capped, apcap_lost;
	uint64_t alerts[WW_ACAT_MAX]; /* alerts made, by category */
	uint64_t alert_sid_overflow;  /* alerts whose id found no room in
				       * the worker's table */
	uint64_t http_svc_overflow;   /* requests whose service found no
				       * room: counted under "other" */
	uint64_t l7_inspected;	/* connections given an inspection context */
	uint64_t l7_no_context; /* ... that found none free */
	uint64_t http_requests, http_violations;
	uint64_t http_responses;     /* complete responses, 1xx included */
	uint64_t http_response_lost; /* connections whose responses could
				      * no longer be followed (malformed,
				      * over a cap) */
	uint64_t http_unanswered;    /* requests logged without a status */
	uint64_t tcp_overlap_evasions, tcp_cap_hits;
	uint64_t resets_sent, inject_failed;
	uint64_t responses_sent; /* injected HTTP answers (429, 403, 401) */
	uint64_t held_fragments; /* gauge: fragments waiting for the rest of
				  * their datagram (neither sent nor
				  * dropped yet) */
	struct ww_stage_stats stage;
	struct ww_limit_stats limit;
	struct ww_auth_stats auth;
	uint64_t waf_checked, waf_blocked; /* requests */
	struct ww_flow_stats flow;
	struct ww_detect_stats detect;
};

/*
 * The policy snapshot: everything the control plane may change while the
 * workers run, behind one pointer published with RCU. A worker reads the
 * pointer once per burst; the control thread builds a new snapshot off
 * the fast path, publishes it, waits for a grace period and frees the old
 * one. dataplane: ro, ctlplane: rw (a new snapshot each time).
 */
struct ww_policy {
	uint64_t generation; /* 1, 2, ... */
	const struct ww_conf *conf;
	struct ww_conf *conf_owned; /* freed with the snapshot (NULL: none) */
	bool owns_waf;		    /* frees the rule set and its contexts */
	/* The rule set and one engine context per worker; NULL when off. */
	struct ww_waf *waf;
	struct ww_waf_ctx **waf_ctx; /* [worker id] */
	unsigned int n_waf_ctx;
	/* [waf] is on but its rule set is not in force (waf NULL): being
	 * compiled, or the compile failed. Requests the rule set would
	 * judge follow [exceptions] waf_not_ready. Shared with the rule
	 * set (ww_policy_build's @share_waf). */
	bool waf_pending;
	/* Block lists and token revocations in force (owned by lib/block
	 * and lib/auth, which free a set once the snapshot that replaced
	 * the one holding it is in force); NULL: none. */
	struct ww_block_set *blocks;
	const struct ww_auth_revset *revoked;
	/* Exception actions, "auto" resolved for protected and for other
	 * traffic: [exception][protected]. */
	uint8_t exc[WW_CONF_EXC_MAX][2];
};

/* Read-only state every worker shares, built by the control thread
 * before workers start. dataplane: ro, ctlplane: rw before start. */
struct ww_pipeline_ctx {
	const struct ww_conf *conf; /* what cannot change at run time */
	bool offline;		    /* time and direction from the capture */
	/* Block lists (their rules; the set in force is in the policy).
	 * NULL in tests that run without them. */
	struct ww_block *block;
	/* JWT routes and keys (revocations: in the policy); NULL when no
	 * route needs a token. */
	struct ww_auth *auth;
	/* The policy in force (see struct ww_policy). */
	struct ww_policy *policy;
	/* The models in force (lib/forest's RCU slots; NULL: none). */
	struct ww_forest_slot classifier, anomaly;
	uint16_t peer[RTE_MAX_ETHPORTS];
	/* enum ww_side of each port, WW_SIDE_UNKNOWN when not known: a
	 * packet that claims to come from a server but arrived on the
	 * outside is not the server's to speak for (stage_l7). */
	uint8_t side[RTE_MAX_ETHPORTS];
};

#define WW_SIDE_UNKNOWN 0xff

/* A per-worker memory of sources recently alerted on, so that a flood
 * gives one alert per source per interval: direct-mapped by a hash of
 * the address (a collision only costs an extra alert). */
#define WW_ALERT_MEMO_SLOTS 1024
struct ww_alert_memo {
	uint8_t addr[16];
	uint8_t alen; /* 4 or 16 */
	uint64_t last_ns;
};

/* Alert signature ids of wirewall's own policy decisions. */
#define WW_SID_BLOCK	    9100000u /* +0/1 source, +2/3 destination */
#define WW_SID_RATE_LIMIT   9100010u /* + enum ww_limit_kind */
#define WW_SID_AUTH	    9100020u /* + enum ww_auth_result */
#define WW_SID_FRAG_OVERLAP 9100040u
#define WW_SID_MODEL	    9100100u /* + enum ww_feat_class */
#define WW_SID_ANOMALY	    9100120u

/* A model asks the control thread to block a client (a dynamic block
 * entry with a TTL): one record per request, on the worker's ring. */
struct ww_detect_response {
	uint8_t addr[16];
	uint8_t family; /* 4 or 6 */
	uint8_t prefix_len;
	uint8_t cls;
	uint8_t pad;
	uint32_t ttl_s;
};

/* Which memo. */
enum ww_alert_memo_kind {
	WW_MEMO_BLOCK = 0, /* block-list drops */
	WW_MEMO_LIMIT,	   /* rate-limited requests and SYNs */
	WW_MEMO_AUTH,	   /* refused tokens */
	WW_MEMO_EVASION,   /* fragment overlaps */
	WW_MEMO_MODEL,	   /* model verdicts that only alert */
	WW_MEMO_MODEL_ACT, /* ... that act */
	WW_MEMO_EXC,	   /* exceptions: one memo per case from here */
	WW_MEMO_MAX = WW_MEMO_EXC + WW_CONF_EXC_MAX
};

struct ww_l7_pool;
struct ww_detect;

/* One per worker lcore, written only by that lcore. */
struct ww_worker {
	struct ww_worker_stats stats;
	const struct ww_pipeline_ctx *ctx;
	const struct ww_policy *pol; /* in force for the current burst */
	struct rte_ring *events;     /* to the control thread */
	struct ww_flow_table *flows;
	struct ww_defrag *defrag;
	struct rte_mempool *defrag_pool; /* reassembled datagrams */
	struct ww_l7_pool *l7; /* NULL when no HTTP port is configured */
	struct rte_mempool *inject_pool; /* mbufs for resets and answers */
	/* Sources recently alerted on, per kind: WW_ALERT_MEMO_SLOTS each. */
	struct ww_alert_memo *alert_memo;
	/* Rate-limit buckets; .e is NULL when no limit is configured. */
	struct ww_limit_table limits;
	/* Verified-token cache and OpenSSL contexts (when ctx->auth). */
	struct ww_auth_worker auth;
	/* Set while events must not be lost (offline mode, and while the
	 * control thread flushes a stopped worker's flows): events are
	 * written here instead of queued. */
	struct ww_event_log *direct_log;
	/* Offline mode: what sees every event in line (the escalation
	 * ladder), written or not. NULL in live mode, where the control
	 * thread shows the events it drains to the ladder. */
	ww_event_observer observe;
	void *observe_arg;
	/* [eve] alert_pcap (NULL: off): frames of alerted flows, copied to
	 * the control thread, which writes them. */
	struct ww_alert_pcap_worker *apcap;
	/* Features and models (NULL when [detect] enabled = no). */
	struct ww_detect *det;
	struct rte_ring *responses; /* block requests to the control thread
				     * (NULL: offline, the worker's own
				     * client table enforces them) */
	/* Feature export (wirewall --features): a ring the control thread
	 * drains, or (offline) rows written here at once. NULL: none. */
	struct rte_ring *feat_ring;
	FILE *feat_csv;
	/* Counters keyed by service and by signature id (the metrics'). */
	struct ww_http_svc_table svc;
	struct ww_alert_sid_table sids;
	uint64_t now_ns; /* time of the current frame, UNIX ns */
	unsigned int id;
	unsigned int lcore_id;
	uint16_t rx_queue;
} __rte_cache_aligned;

/* Log @ev: queued to the control thread, or written directly (offline
 * mode, and while the control thread flushes a stopped worker). dp-safe. */
void ww_worker_log(struct ww_worker *w, const struct ww_event *ev);
/* Log @n records that belong together (an http event and the rest of its
 * URL): queued all or none. dp-safe. */
void ww_worker_log_n(struct ww_worker *w, const struct ww_event *ev,
		     unsigned int n);

/* True when an alert about source @addr (@alen bytes) of @kind is due:
 * none in the last [block] alert_interval. Records it. dp-safe. */
bool ww_worker_alert_due(struct ww_worker *w, enum ww_alert_memo_kind kind,
			 const uint8_t *addr, uint32_t alen);

/* The alert part of event @ev (its addresses set by the caller); the
 * alert is counted, by category and by id. dp-safe. */
void ww_alert_fill(struct ww_worker *w, struct ww_event *ev, uint32_t sid,
		   enum ww_alert_cat cat, const char *signature, bool blocked);
/* Suricata's name of an alert category, e.g. "web-application-attack". */
const char *ww_alert_cat_name(enum ww_alert_cat c);

/* A request to service @family/@addr/@port (host order) was logged,
 * answered with @status (0: none) after @latency_ns, by the server
 * (@by_server; else the appliance answered, and its latency says
 * nothing of the service). Counted in w->svc. dp-safe. */
void ww_http_svc_count(struct ww_worker *w, uint8_t family, const uint8_t *addr,
		       uint16_t port, uint16_t status, uint64_t latency_ns,
		       bool by_server);
/* "1xx" ... "5xx", "none". */
const char *ww_http_class_name(enum ww_http_class c);

/* Read slot @i of @t when in use (control thread, any time): the key is
 * set once @used is seen. */
static inline bool ww_http_svc_used(const struct ww_http_svc *e)
{
	return __atomic_load_n(&e->used, __ATOMIC_ACQUIRE) != 0;
}
static inline bool ww_alert_sid_used(const struct ww_alert_sid *e)
{
	return __atomic_load_n(&e->used, __ATOMIC_ACQUIRE) != 0;
}

/* Output of one burst: frames in the order they must leave. */
struct ww_tx_list {
	uint16_t n;
	uint16_t n_injected; /* frames the pipeline made (resets, answers) */
	uint16_t port[WW_TX_LIST_MAX];
	struct rte_mbuf *pkts[WW_TX_LIST_MAX];
};

/* Private area of every mbuf the app allocates (mempool priv_size). */
struct ww_mbuf_priv {
	uint64_t ts_ns; /* offline mode: capture timestamp */
};

static inline struct ww_mbuf_priv *ww_mbuf_priv(struct rte_mbuf *m)
{
	return (struct ww_mbuf_priv *)rte_mbuf_to_priv(m);
}

/*
 * Run one burst. @pkts[i]->port is the port the frame came in on (in
 * offline mode the pipeline sets it from the direction it works out).
 * Live mode: w->now_ns must be current. Offline: each frame's time is
 * its ww_mbuf_priv timestamp.
 *
 * @return the number of frames appended to @out (out->n is updated).
 * dp-safe.
 */
uint16_t ww_pipeline_burst(struct ww_worker *w, struct rte_mbuf **pkts,
			   uint16_t n, struct ww_tx_list *out);

/* Initialize @ctx from @conf (no ports yet: peer[] is set by the caller;
 * no policy yet: see ww_policy_build). Control thread only. */
void ww_pipeline_ctx_init(struct ww_pipeline_ctx *ctx,
			  const struct ww_conf *conf, bool offline);

/*
 * Build a policy snapshot from @conf (by pointer; @conf_owned, when not
 * NULL, is freed with the snapshot) with rule set @waf (may be NULL; the
 * snapshot takes it, and makes one engine context for each of
 * @n_workers), or the rule set and contexts of snapshot @share_waf
 * (which gives them up; its waf_pending is kept too). @return the snapshot, or
 * NULL (out of memory;
 * @waf and @conf_owned are then freed). Control thread.
 */
struct ww_policy *ww_policy_build(const struct ww_conf *conf,
				  struct ww_conf *conf_owned,
				  struct ww_waf *waf,
				  const struct ww_policy *share_waf,
				  unsigned int n_workers, uint64_t generation);
/* @next takes over the configuration @old owns (same conf pointer). */
void ww_policy_keep_conf(struct ww_policy *next, struct ww_policy *old);
/* Free a snapshot no worker can see any more (its rule set too). */
void ww_policy_free(struct ww_policy *p);

/* Initialize worker @w. @events may be NULL (no event log). */
void ww_worker_init(struct ww_worker *w, unsigned int id,
		    const struct ww_pipeline_ctx *ctx, struct rte_ring *events);

/* Create @w's tables from the config ([flow], [defrag], [http], ...), on
 * @socket. @return 0 or -errno (-ENOMEM: give EAL more memory or lower
 * [flow] max_flows). Control thread, before the worker starts. */
int ww_worker_setup_flows(struct ww_worker *w, int socket);

/*
 * [eve] alert_pcap: once a flow has an alert, its frames still in the
 * worker's burst and those that follow, up to alert_pcap_flow_packets
 * per flow, are copied (a pool of their own, WW_APCAP_BUFFERS) to a ring
 * the control thread drains into the file. A copy that finds no buffer or
 * room is lost and counted; nothing waits.
 */
#define WW_APCAP_BUFFERS 2047
#define WW_APCAP_FLOWS	 4096 /* alerted flows a worker follows at once */
struct ww_alert_pcap_worker {
	struct rte_ring *ring; /* rte_mbuf pointers, worker -> control */
	struct rte_mempool *pool;
	uint32_t per_flow;
	struct ww_apcap_slot {
		uint64_t flow_id; /* the alerted flow it follows */
		uint32_t n;	  /* its frames copied so far */
	} slot[WW_APCAP_FLOWS];
};
/* Set it up for worker @w (no-op when [eve] alert_pcap is empty).
 * Control thread, before the worker runs. @return 0 or -ENOMEM. */
int ww_worker_setup_alert_pcap(struct ww_worker *w, int socket);

/* End every flow of a stopped worker, writing their flow events to @log
 * (may be NULL), and drop the fragments it still holds. Control thread,
 * after the worker stopped. */
void ww_worker_flush_flows(struct ww_worker *w, uint64_t now_ns,
			   struct ww_event_log *log);

/* Bytes of detection state of @w: the client table and the row batch
 * (per-flow features are in the flow table's memory). */
uint64_t ww_detect_memory(const struct ww_worker *w);

/* Free what ww_worker_setup_flows() made. */
void ww_worker_teardown(struct ww_worker *w);

/* Periodic work between bursts: expire idle flows and fragments whose
 * datagram timed out (their frames, when their policy is pass, go to
 * @out). dp-safe, owning worker only. */
void ww_worker_housekeeping(struct ww_worker *w, struct ww_tx_list *out);

/* dst += src, field by field. Control thread. */
void ww_worker_stats_add(struct ww_worker_stats *dst,
			 const struct ww_worker_stats *src);

/* Name of a drop reason, e.g. "tx_full". */
const char *ww_drop_name(enum ww_drop d);
/* Name of an exception outcome: "pass", "drop", "reset". */
const char *ww_exc_outcome_name(enum ww_exc_outcome o);

#endif /* WW_PIPELINE_H */
