/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pipeline's fast path. See ww_pipeline.h. */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "l7.h"
#include "ww_event.h"
#include "ww_pipeline.h"

#define PREFETCH_AHEAD 4

static inline unsigned int hw_cksum_bits(uint64_t ol)
{
	unsigned int hw = 0;

	switch (ol & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
		hw |= WW_PKT_HW_IP_GOOD;
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		hw |= WW_PKT_HW_IP_BAD;
		break;
	}
	switch (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
		hw |= WW_PKT_HW_L4_GOOD;
		break;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		hw |= WW_PKT_HW_L4_BAD;
		break;
	}
	return hw;
}

/* Offline mode has no ports: the side a frame came from is worked out
 * from the protected networks (the server side) when they are set, else
 * from the frame's flow (its client is the outside), else outside. */
static inline uint16_t offline_in_port(const struct ww_pipeline_ctx *ctx,
				       const struct ww_pkt *p,
				       const struct ww_flow *f, uint8_t dir)
{
	const struct ww_conf *conf = ctx->conf;
	uint8_t family;
	unsigned int i;

	if (p->l3 != WW_PKT_L3_IPV4 && p->l3 != WW_PKT_L3_IPV6)
		return WW_SIDE_OUTSIDE;
	if (conf->n_protected_networks == 0)
		return f != NULL && dir == WW_FLOW_TOCLIENT ? WW_SIDE_INSIDE
							    : WW_SIDE_OUTSIDE;
	family = p->l3 == WW_PKT_L3_IPV4 ? AF_INET : AF_INET6;
	for (i = 0; i < conf->n_protected_networks; i++) {
		if (ww_cidr_contains(&conf->protected_networks[i], family,
				     p->src))
			return WW_SIDE_INSIDE;
		if (ww_cidr_contains(&conf->protected_networks[i], family,
				     p->dst))
			return WW_SIDE_OUTSIDE;
	}
	return WW_SIDE_OUTSIDE;
}

/* Packets that belong to a flow: decoded IP, and not a fragment that
 * carries no L4 header (its ports are unknown). */
static inline bool has_flow(const struct ww_pkt *p)
{
	return (p->l3 == WW_PKT_L3_IPV4 || p->l3 == WW_PKT_L3_IPV6) &&
	       (!(p->flags & WW_PKT_F_FRAGMENT) || (p->flags & WW_PKT_F_L4));
}

static const uint8_t l4_class[256] = {
	[1] = WW_L4_ICMP,
	[6] = WW_L4_TCP,
	[17] = WW_L4_UDP,
	[58] = WW_L4_ICMP,
};

static inline void count_decoded(struct ww_worker_stats *s,
				 const struct ww_pkt *p)
{
	s->l3[p->l3]++;
	s->vlan += p->n_vlan != 0;
	if (p->l3 >= WW_PKT_L3_IPV4) {
		s->l4[l4_class[p->l4proto]]++;
		s->fragments += (p->flags & WW_PKT_F_FRAGMENT) != 0;
	}
}

/* The addresses and ports of decoded IP packet @p into @ev. */
static void event_addresses(struct ww_event *ev, const struct ww_pkt *p)
{
	ev->family = p->l3 == WW_PKT_L3_IPV4 ? 4 : 6;
	ev->proto = p->l4proto;
	memcpy(ev->src_ip, p->src, 16);
	memcpy(ev->dest_ip, p->dst, 16);
	if (p->flags & WW_PKT_F_L4) {
		ev->src_port = p->sport;
		ev->dest_port = p->dport;
	}
}

static void record_drop_event(struct ww_worker *w, const struct rte_mbuf *m,
			      const struct ww_pkt *p, enum ww_pkt_err err)
{
	struct ww_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = w->now_ns;
	ev.type = WW_EVENT_DROP;
	ev.reason = (uint16_t)err;
	ev.in_port = m->port;
	ev.len =
		(uint16_t)RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)UINT16_MAX);
	ev.n_vlan = p->n_vlan;
	ev.vlan[0] = p->vlan[0];
	ev.vlan[1] = p->vlan[1];
	/* Addresses are only meaningful once the IP header was read. */
	if ((p->l3 == WW_PKT_L3_IPV4 || p->l3 == WW_PKT_L3_IPV6) &&
	    err != WW_PKT_IPV4_TRUNCATED && err != WW_PKT_IPV6_TRUNCATED &&
	    err != WW_PKT_IPV4_BAD_VERSION && err != WW_PKT_IPV6_BAD_VERSION &&
	    err != WW_PKT_IPV4_BAD_IHL && err != WW_PKT_IPV4_BAD_TOTAL_LEN &&
	    err != WW_PKT_IPV6_BAD_PAYLOAD_LEN)
		event_addresses(&ev, p);
	ww_event_push(w->events, &ev, &w->stats.events_dropped);
}

bool ww_worker_alert_due(struct ww_worker *w, enum ww_alert_memo_kind kind,
			 const uint8_t *addr, uint32_t alen)
{
	const uint64_t interval =
		(uint64_t)w->ctx->conf->block_alert_interval * NS_PER_S;
	struct ww_alert_memo *slot;

	if (w->events == NULL || w->alert_memo == NULL)
		return false;
	slot = &w->alert_memo[kind * WW_ALERT_MEMO_SLOTS +
			      rte_hash_crc(addr, alen, alen) %
				      WW_ALERT_MEMO_SLOTS];
	if (slot->last_ns != 0 && slot->alen == alen &&
	    memcmp(slot->addr, addr, alen) == 0 &&
	    w->now_ns - slot->last_ns < interval)
		return false;
	memcpy(slot->addr, addr, alen);
	slot->alen = (uint8_t)alen;
	slot->last_ns = w->now_ns ? w->now_ns : 1;
	return true;
}

void ww_worker_packet_alert(struct ww_worker *w, const struct rte_mbuf *m,
			    const struct ww_pkt *p, uint32_t sid,
			    const char *category, const char *signature,
			    bool blocked)
{
	struct ww_event ev;

	if (w->events == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = w->now_ns;
	ev.type = WW_EVENT_ALERT;
	ev.in_port = m->port;
	event_addresses(&ev, p);
	ww_alert_fill(&ev, sid, category, signature, blocked);
	ww_event_push(w->events, &ev, &w->stats.events_dropped);
}

void ww_alert_fill(struct ww_event *ev, uint32_t sid, const char *category,
		   const char *signature, bool blocked)
{
	ev->type = WW_EVENT_ALERT;
	ev->alert.signature_id = sid;
	ev->alert.blocked = blocked;
	ev->alert.severity = 2;
	snprintf(ev->alert.signature, sizeof(ev->alert.signature), "%s",
		 signature);
	snprintf(ev->alert.category, sizeof(ev->alert.category), "%s",
		 category);
}

static inline uint32_t addr_len(const struct ww_pkt *p)
{
	/* Only the address's own bytes: the rest of p->src is not set for
	 * IPv4. */
	return p->l3 == WW_PKT_L3_IPV4 ? 4 : 16;
}

/* A frame to or from a blocked address: alert, at most once per source
 * address per [block] alert_interval. */
static void block_alert(struct ww_worker *w, const struct rte_mbuf *m,
			const struct ww_pkt *p, uint8_t src, uint8_t dst)
{
	const bool by_src = src == WW_BLOCK_LISTED || src == WW_BLOCK_DYNAMIC;
	const uint8_t why = by_src ? src : dst;
	char sig[80];

	if (!ww_worker_alert_due(w, WW_MEMO_BLOCK, p->src, addr_len(p)))
		return;
	snprintf(sig, sizeof(sig), "%s on the %s",
		 by_src ? "Blocked source" : "Blocked destination",
		 why == WW_BLOCK_DYNAMIC ? "dynamic block list" : "block list");
	ww_worker_packet_alert(w, m, p,
			       WW_SID_BLOCK + (by_src ? 0 : 2) +
				       (why == WW_BLOCK_DYNAMIC),
			       "blocklist", sig, true);
}

static inline bool is_ip(const struct ww_pkt *p)
{
	return p->l3 == WW_PKT_L3_IPV4 || p->l3 == WW_PKT_L3_IPV6;
}

static inline bool is_blocked(uint8_t m)
{
	return m == WW_BLOCK_LISTED || m == WW_BLOCK_DYNAMIC;
}

static inline void push_injected(struct ww_tx_list *out, struct rte_mbuf *r,
				 uint16_t port)
{
	if (r != NULL) {
		out->pkts[out->n] = r;
		out->port[out->n++] = port;
	}
}

/* Reset both ends of the connection of client packet @p: one frame on to
 * the server, one back to the client. */
static void inject_resets(struct ww_worker *w, struct rte_mbuf *m,
			  const struct ww_pkt *p, struct ww_tx_list *out)
{
	if (w->inject_pool == NULL)
		return;
	push_injected(out, ww_l7_make_reset(w, m, p, true),
		      w->ctx->peer[m->port]);
	push_injected(out, ww_l7_make_reset(w, m, p, false), m->port);
}

/* Answer the client in the server's place (ww_l7_make_answer) and reset
 * the server side. */
static void inject_answer(struct ww_worker *w, struct rte_mbuf *m,
			  const struct ww_pkt *p, const struct ww_flow *f,
			  struct ww_tx_list *out)
{
	if (w->inject_pool == NULL)
		return;
	push_injected(out, ww_l7_make_reset(w, m, p, true),
		      w->ctx->peer[m->port]);
	push_injected(out, ww_l7_make_answer(w, m, p, f), m->port);
}

/* New TCP connections (a SYN without ACK) per source, against [limit]
 * syn_rate: one over it is marked in @over and takes no flow. */
static void syn_guard(struct ww_worker *w, const struct ww_pkt **to_flow,
		      const uint64_t *ts, uint16_t n, uint8_t *over)
{
	const struct ww_conf *c = w->ctx->conf;
	const struct ww_limit_rule rule = {
		c->limit_syn_rate,
		c->limit_syn_burst ? c->limit_syn_burst : c->limit_syn_rate};
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct ww_pkt *p = to_flow[i];
		struct ww_limit_key key;

		if (p == NULL || p->l4proto != 6 || !(p->flags & WW_PKT_F_L4) ||
		    (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) != WW_TCP_SYN)
			continue;
		ww_limit_client_key(&key, p->src, p->l3 == WW_PKT_L3_IPV4,
				    c->limit_client_net24, WW_LIMIT_SYN, 0);
		if (!ww_limit_take(&w->limits, &key, &rule, ts[i], NULL)) {
			over[i] = 1;
			to_flow[i] = NULL;
		}
	}
}

uint16_t ww_pipeline_burst(struct ww_worker *w, struct rte_mbuf **pkts,
			   uint16_t n, struct ww_tx_list *out)
{
	const struct ww_pipeline_ctx *ctx = w->ctx;
	const struct ww_conf *conf = ctx->conf;
	const bool offline = ctx->offline;
	struct ww_worker_stats *s = &w->stats;
	struct ww_pkt pk[WW_BURST_MAX];
	const struct ww_pkt *to_flow[WW_BURST_MAX];
	struct ww_flow *flows[WW_BURST_MAX];
	uint8_t err[WW_BURST_MAX], dirs[WW_BURST_MAX];
	uint8_t bsrc[WW_BURST_MAX], bdst[WW_BURST_MAX];
	uint8_t syn_over[WW_BURST_MAX] = {0};
	struct ww_block_set *blocks = ww_block_get(ctx->block);
	uint32_t lens[WW_BURST_MAX];
	uint64_t ts[WW_BURST_MAX];
	uint16_t start = out->n;
	uint64_t bytes = 0;
	uint16_t i;

	if (n == 0)
		return 0;
	if (n > WW_BURST_MAX)
		n = WW_BURST_MAX; /* callers never pass more; stay in bounds */
	{
		/* A reloaded rule set: taken here, between two quiescent
		 * states, so the old one is unused once the control thread's
		 * grace period ends. */
		const struct ww_waf_pub *p =
			__atomic_load_n(&ctx->waf_pub, __ATOMIC_ACQUIRE);

		if (unlikely(p != NULL && p->generation != w->waf_generation)) {
			w->waf_generation = p->generation;
			w->waf = w->id < p->n_ctx ? p->ctx[w->id] : w->waf_own;
		}
	}

	/* Stage 1: decode. */
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
		err[i] = (uint8_t)ww_pkt_decode(
			rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m), hw_cksum_bits(m->ol_flags),
			&ctx->pkt_opts, &pk[i]);
		lens[i] = rte_pktmbuf_pkt_len(m);
		ts[i] = offline ? ww_mbuf_priv(m)->ts_ns : w->now_ns;
		to_flow[i] =
			err[i] == WW_PKT_OK && has_flow(&pk[i]) ? &pk[i] : NULL;
		flows[i] = NULL;
	}

	/* Stage 2: block lists, before flows, so that a flood from a
	 * blocked source cannot fill the flow table. */
	if (blocks != NULL) {
		const struct ww_pkt *to_block[WW_BURST_MAX];

		/* Every decoded IP frame, fragments included. */
		for (i = 0; i < n; i++)
			to_block[i] = err[i] == WW_PKT_OK && is_ip(&pk[i])
					      ? &pk[i]
					      : NULL;
		ww_block_lookup_burst(blocks, to_block, n, bsrc, bdst);
		for (i = 0; i < n; i++)
			if (is_blocked(bsrc[i]) || is_blocked(bdst[i]))
				to_flow[i] = NULL;
	}

	/* Stage 2b: the SYN flood guard, also before flows. */
	if (conf->limit_syn_rate != 0 && w->limits.e != NULL)
		syn_guard(w, to_flow, ts, n, syn_over);

	/* Stage 3: flows, looked up for the whole burst at once. */
	if (w->flows != NULL)
		ww_flow_lookup_burst(w->flows, to_flow, lens, ts, n, flows,
				     dirs);

	/* Stage 4, per frame: inspection, verdict and output. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (offline) {
			/* Each frame has its own time and direction. */
			w->now_ns = ts[i];
			m->port =
				offline_in_port(ctx, &pk[i], flows[i], dirs[i]);
			s->rx_pkts[m->port]++;
			s->rx_bytes[m->port] += lens[i];
		} else {
			bytes += lens[i];
		}

		if (blocks != NULL &&
		    (is_blocked(bsrc[i]) || is_blocked(bdst[i]))) {
			s->drop[WW_DROP_BLOCKLIST]++;
			block_alert(w, m, &pk[i], bsrc[i], bdst[i]);
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(syn_over[i])) {
			s->drop[WW_DROP_SYN_LIMIT]++;
			if (ww_worker_alert_due(w, WW_MEMO_LIMIT, pk[i].src,
						addr_len(&pk[i])))
				ww_worker_packet_alert(
					w, m, &pk[i],
					WW_SID_RATE_LIMIT + WW_LIMIT_SYN,
					"rate-limit",
					"Rate limit exceeded (new connections)",
					true);
			rte_pktmbuf_free(m);
			continue;
		}

		/* TCP reassembly and HTTP parsing (decoded frames only:
		 * only they have a flow). */
		if (flows[i] != NULL && pk[i].l4proto == 6 &&
		    (pk[i].flags & WW_PKT_F_L4)) {
			enum ww_drop why = WW_DROP_BLOCKED;
			enum ww_l7_verdict v = ww_l7_packet(
				w, m, &pk[i], flows[i], dirs[i], &why);

			if (v != WW_L7_FORWARD) {
				if (v == WW_L7_RESET)
					inject_resets(w, m, &pk[i], out);
				else if (v == WW_L7_ANSWER)
					inject_answer(w, m, &pk[i], flows[i],
						      out);
				s->drop[why]++;
				rte_pktmbuf_free(m);
				continue;
			}
		}

		if (unlikely(err[i] != WW_PKT_OK)) {
			s->malformed[err[i]]++;
			if (conf->malformed_policy == WW_CONF_MALFORMED_DROP) {
				s->drop[WW_DROP_MALFORMED]++;
				if (w->events != NULL && conf->drop_events)
					record_drop_event(
						w, m, &pk[i],
						(enum ww_pkt_err)err[i]);
				rte_pktmbuf_free(m);
				continue;
			}
		} else {
			count_decoded(s, &pk[i]);
		}

		out->pkts[out->n] = m;
		out->port[out->n] = ctx->peer[m->port];
		out->n++;
	}
	/* Live bursts come from one RX queue of one port. */
	if (!offline) {
		s->rx_pkts[pkts[0]->port] += n;
		s->rx_bytes[pkts[0]->port] += bytes;
	}
	return (uint16_t)(out->n - start);
}

/* At most this many flow entries visited per call, so one call's cost is
 * bounded even after a long pause (ww_flow_expire paces the sweep). */
#define EXPIRE_PER_CALL 256

void ww_worker_housekeeping(struct ww_worker *w)
{
	/* The buckets count in their table; the control thread sums
	 * w->stats. */
	w->stats.limit = w->limits.stats;
	w->stats.auth = w->auth.stats;
	/* Offline mode has no latency to protect: keep the sweep exact to
	 * the capture's clock however far apart its packets are. */
	if (w->flows != NULL)
		ww_flow_housekeeping(w->flows, w->now_ns,
				     w->ctx->offline ? UINT32_MAX
						     : EXPIRE_PER_CALL);
}

void ww_worker_log(struct ww_worker *w, const struct ww_event *ev)
{
	if (w->direct_log != NULL)
		ww_event_log_write(w->direct_log, ev);
	else if (w->events != NULL)
		ww_event_push(w->events, ev, &w->stats.events_dropped);
}
