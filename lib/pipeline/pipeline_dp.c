/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pipeline's fast path. See ww_pipeline.h. */
#include <string.h>

#include <rte_prefetch.h>

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
 * from the protected networks (the server side). */
static inline uint16_t offline_in_port(const struct ww_pipeline_ctx *ctx,
				       const struct ww_pkt *p)
{
	const struct ww_conf *conf = ctx->conf;
	uint8_t family;
	unsigned int i;

	if (p->l3 != WW_PKT_L3_IPV4 && p->l3 != WW_PKT_L3_IPV6)
		return WW_SIDE_OUTSIDE;
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
	    err != WW_PKT_IPV6_BAD_PAYLOAD_LEN) {
		ev.family = p->l3 == WW_PKT_L3_IPV4 ? 4 : 6;
		ev.proto = p->l4proto;
		memcpy(ev.src_ip, p->src, 16);
		memcpy(ev.dest_ip, p->dst, 16);
		if (p->flags & WW_PKT_F_L4) {
			ev.src_port = p->sport;
			ev.dest_port = p->dport;
		}
	}
	ww_event_push(w->events, &ev, &w->stats.events_dropped);
}

uint16_t ww_pipeline_burst(struct ww_worker *w, struct rte_mbuf **pkts,
			   uint16_t n, struct ww_tx_list *out)
{
	const struct ww_pipeline_ctx *ctx = w->ctx;
	const struct ww_conf *conf = ctx->conf;
	const bool offline = ctx->offline;
	struct ww_worker_stats *s = &w->stats;
	uint16_t start = out->n;
	uint64_t bytes = 0;
	uint16_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct ww_pkt p;
		enum ww_pkt_err err;
		uint32_t len = rte_pktmbuf_data_len(m);

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));

		err = ww_pkt_decode(rte_pktmbuf_mtod(m, const uint8_t *), len,
				    hw_cksum_bits(m->ol_flags), &ctx->pkt_opts,
				    &p);
		if (offline) {
			/* Each frame has its own time and direction. */
			w->now_ns = ww_mbuf_priv(m)->ts_ns;
			m->port = offline_in_port(ctx, &p);
			s->rx_pkts[m->port]++;
			s->rx_bytes[m->port] += rte_pktmbuf_pkt_len(m);
		} else {
			bytes += rte_pktmbuf_pkt_len(m);
		}

		if (unlikely(err != WW_PKT_OK)) {
			s->malformed[err]++;
			if (conf->malformed_policy == WW_CONF_MALFORMED_DROP) {
				s->drop[WW_DROP_MALFORMED]++;
				if (w->events != NULL && conf->drop_events)
					record_drop_event(w, m, &p, err);
				rte_pktmbuf_free(m);
				continue;
			}
		} else {
			count_decoded(s, &p);
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
