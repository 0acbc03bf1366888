/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_PIPELINE_STAGE_H
#define WW_PIPELINE_STAGE_H

/*
 * Internals of the worker pipeline: the burst every stage works on, the
 * verdicts, and one function per stage (each in its own file).
 */

#include "ww_http.h"
#include "ww_pipeline.h"

/* What happens to a frame of the burst. A stage may only make a verdict
 * stronger (forward -> drop -> reset/answer); the verdict stage acts. */
enum ww_verdict {
	WW_V_FORWARD = 0,
	WW_V_HELD,   /* kept by a stage (a fragment): neither sent nor freed */
	WW_V_DROP,   /* freed, counted under why[] */
	WW_V_RESET,  /* freed, and both ends of its connection reset */
	WW_V_ANSWER, /* freed, the client answered (HTTP), the server reset */
};

/* A reassembled datagram stands in for its fragments in the burst: it is
 * inspected, and when let through, its original fragments leave instead
 * of it. */
struct ww_burst_frags {
	uint16_t n;
	uint8_t pass; /* no frame stands for it: fragments of a datagram
		       * that could not be judged, passed by policy */
	struct rte_mbuf *m[WW_DEFRAG_MAX_FRAGS];
};
/* Groups a burst can have: a completed datagram per frame, plus
 * fragments handed back unjudged (evicted, refused) passed by policy. */
#define WW_BURST_GROUPS (2 * WW_BURST_MAX)

struct ww_burst {
	uint16_t n;
	struct rte_mbuf *m[WW_BURST_MAX];
	struct ww_pkt pk[WW_BURST_MAX];
	uint64_t ts[WW_BURST_MAX];
	uint32_t len[WW_BURST_MAX];
	uint8_t err[WW_BURST_MAX]; /* enum ww_pkt_err */
	uint8_t verdict[WW_BURST_MAX];
	uint8_t why[WW_BURST_MAX]; /* enum ww_drop when not forwarded */
	uint8_t dir[WW_BURST_MAX];
	uint32_t in_len[WW_BURST_MAX]; /* as received (rx counters) */
	struct ww_flow *flow[WW_BURST_MAX];
	uint64_t flow_id[WW_BURST_MAX]; /* the flow each frame found */
	/* Datagrams reassembled in this burst: frags[k], and which frame
	 * stands for it (frag_of[i] = k + 1, 0 for none). */
	uint8_t frag_of[WW_BURST_MAX];
	uint8_t n_frags;
	struct ww_burst_frags frags[WW_BURST_GROUPS];
};

/* A frame is still in play for the later stages. */
static inline bool live(const struct ww_burst *b, uint16_t i)
{
	return b->verdict[i] == WW_V_FORWARD;
}

/* A decoded IP frame. */
static inline bool is_ip(const struct ww_pkt *p)
{
	return p->l3 == WW_PKT_L3_IPV4 || p->l3 == WW_PKT_L3_IPV6;
}

static inline uint32_t addr_len(const struct ww_pkt *p)
{
	/* Only the address's own bytes: the rest of p->src is not set for
	 * IPv4. */
	return p->l3 == WW_PKT_L3_IPV4 ? 4 : 16;
}

/* Stop frame @i: @v (drop, reset or answer), counted under @why. */
static inline void stop(struct ww_burst *b, uint16_t i, enum ww_verdict v,
			enum ww_drop why)
{
	b->verdict[i] = (uint8_t)v;
	b->why[i] = (uint8_t)why;
}

/* The stages, in order (pipeline_dp.c runs them). */
void stage_decode(struct ww_worker *w, struct ww_burst *b,
		  struct rte_mbuf **pkts, uint16_t n);
void stage_block(struct ww_worker *w, struct ww_burst *b);
void stage_defrag(struct ww_worker *w, struct ww_burst *b);
void stage_flow(struct ww_worker *w, struct ww_burst *b);
void stage_l7(struct ww_worker *w, struct ww_burst *b);
/* Between bursts: connections too slow for [http] header_timeout,
 * body_min_rate, keepalive_timeout give their context back. */
void stage_l7_slow(struct ww_worker *w);
/* After the verdicts: closed connections give their context back. */
void stage_l7_closed(struct ww_worker *w, struct ww_burst *b);
void stage_detect(struct ww_worker *w, struct ww_burst *b);

/* Detection (stage_detect.c). Features of frame @i (with a flow), before
 * its L7 inspection; may stop it (a client or flow a model judged). */
void ww_detect_frame(struct ww_worker *w, struct ww_burst *b, uint16_t i);
/* Reports from the L7 stage: a complete request, a final response, a
 * request head that begins and one that is complete. */
void ww_detect_request(struct ww_worker *w, struct ww_flow *f,
		       const struct ww_http_request *r);
void ww_detect_response(struct ww_worker *w, struct ww_flow *f, uint16_t status,
			uint64_t latency_ns);
void ww_detect_head_begin(struct ww_worker *w, struct ww_flow *f);
void ww_detect_head_done(struct ww_worker *w, struct ww_flow *f);
/* The flow is leaving the table. */
void ww_detect_flow_end(struct ww_worker *w, struct ww_flow *f,
			uint64_t now_ns);
/* Between bursts: a second that ended gives its client ticks. */
void ww_detect_housekeeping(struct ww_worker *w);
/* Score what waits (after housekeeping, at exit). */
void ww_detect_flush(struct ww_worker *w);
/* The worker stops: the current second ends for its clients (their
 * last ticks), and what waits is scored. */
void ww_detect_finish(struct ww_worker *w);
/* Setup (control thread): per [detect]; 0 or -ENOMEM. */
int ww_detect_create(struct ww_worker *w, int socket);
void ww_detect_destroy(struct ww_worker *w);
void stage_verdict(struct ww_worker *w, struct ww_burst *b,
		   struct ww_tx_list *out);
/* Between bursts: datagrams that timed out follow their policy. */
void stage_defrag_expire(struct ww_worker *w, struct ww_tx_list *out);
/* Offline mode: the side frame @p came from (protected networks, else
 * its flow's client is the outside). */
uint16_t ww_offline_in_port(const struct ww_worker *w, const struct ww_pkt *p,
			    const struct ww_flow *f, uint8_t dir);

/* Exceptions (exception_dp.c): the action the policy gives case @e for
 * traffic that is (@protected) or is not what the WAF or auth protects;
 * counted, and logged as an anomaly event about packet @p (at most once
 * per source per alert interval). @return the verdict to apply. */
enum ww_verdict ww_exception(struct ww_worker *w, enum ww_conf_exc e,
			     bool protected, const struct ww_pkt *p,
			     uint16_t in_port, uint64_t flow_id);
/* Is a connection to server port @port one the WAF or auth protects? */
bool ww_port_protected(const struct ww_worker *w, uint16_t port);

/* Alerts about a packet (alert_dp.c). */
void ww_packet_event(struct ww_event *ev, const struct ww_worker *w,
		     uint16_t in_port, const struct ww_pkt *p, uint16_t type);
void ww_packet_alert(struct ww_worker *w, uint16_t in_port,
		     const struct ww_pkt *p, uint32_t sid,
		     enum ww_alert_cat category, const char *signature,
		     bool blocked);
/* Count an alert of @sid (counters.c). */
void ww_alert_count(struct ww_worker *w, uint32_t sid, enum ww_alert_cat cat);
/* The worker's keyed counters ([metrics] max_services, max_signatures):
 * 0 or -ENOMEM. Control thread, before the worker starts. */
int ww_worker_counters_create(struct ww_worker *w, int socket);
void ww_worker_counters_destroy(struct ww_worker *w);

/* Frames the pipeline makes (inject_dp.c). */
struct ww_flow;
/* A TCP reset for the connection of client packet @p (received as
 * @orig): towards the server with the sequence number @p carried, or
 * back to the client with the one the client acknowledges, so both stacks
 * accept it (RFC 9293 3.5.3). NULL when no mbuf (counted). */
struct rte_mbuf *ww_make_reset(struct ww_worker *w, const struct rte_mbuf *orig,
			       const struct ww_pkt *p, bool to_server);
/* The HTTP answer the appliance gives in place of the server, status
 * @status (429 with Retry-After @retry_after, 401/403 with the
 * WWW-Authenticate that @auth_result calls for), Connection: close, FIN,
 * in the client's sequence space. NULL when no mbuf (counted). */
struct rte_mbuf *ww_make_answer(struct ww_worker *w,
				const struct rte_mbuf *orig,
				const struct ww_pkt *p, uint16_t status,
				uint32_t retry_after, uint8_t auth_result);

/* The HTTP answer the connection of flow @f wants (stage_l7.c): status,
 * Retry-After and auth result for ww_make_answer. false when none. */
bool ww_l7_answer_of(const struct ww_worker *w, const struct ww_flow *f,
		     uint16_t *status, uint32_t *retry_after,
		     uint8_t *auth_result);

/* L7 contexts (stage_l7.c). */
int ww_l7_pool_create(struct ww_worker *w);
void ww_l7_pool_destroy(struct ww_worker *w);
/* The flow ends: give its context back. */
void ww_l7_release(struct ww_worker *w, struct ww_flow *f);

/* Flow expiry callback (pipeline.c): logs the flow event. */
void ww_flow_ended(void *arg, struct ww_flow *f, uint64_t now_ns);

#endif /* WW_PIPELINE_STAGE_H */
