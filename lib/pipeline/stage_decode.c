/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage decode: every frame of the burst through lib/pkt. A frame the
 * decoder refuses is counted under its reason and follows [decode]
 * malformed_policy: dropped here with a drop event, or forwarded (it then
 * takes no part in the later stages: it has no flow).
 */
#include <string.h>

#include <rte_prefetch.h>

#include "stage.h"

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

static void drop_event(struct ww_worker *w, const struct rte_mbuf *m,
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
	if (is_ip(p) && err != WW_PKT_IPV4_TRUNCATED &&
	    err != WW_PKT_IPV6_TRUNCATED && err != WW_PKT_IPV4_BAD_VERSION &&
	    err != WW_PKT_IPV6_BAD_VERSION && err != WW_PKT_IPV4_BAD_IHL &&
	    err != WW_PKT_IPV4_BAD_TOTAL_LEN &&
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
	ww_worker_log(w, &ev);
}

void stage_decode(struct ww_worker *w, struct ww_burst *b,
		  struct rte_mbuf **pkts, uint16_t n)
{
	const struct ww_conf *conf = w->pol->conf;
	const struct ww_pkt_opts opts = {
		.verify_checksums = conf->verify_checksums,
		.max_ipv6_ext_headers = (uint8_t)conf->max_ipv6_ext_headers,
	};
	const bool offline = w->ctx->offline;
	uint16_t i;

	b->n = n;
	b->n_frags = 0;
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
		b->m[i] = m;
		b->err[i] = (uint8_t)ww_pkt_decode(
			rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m), hw_cksum_bits(m->ol_flags),
			&opts, &b->pk[i]);
		b->len[i] = b->in_len[i] = rte_pktmbuf_pkt_len(m);
		b->ts[i] = offline ? ww_mbuf_priv(m)->ts_ns : w->now_ns;
		b->verdict[i] = WW_V_FORWARD;
		b->why[i] = 0;
		b->flow[i] = NULL;
		b->dir[i] = 0;
		b->frag_of[i] = 0;
		if (offline) {
			/* The side it came from, as far as its addresses
			 * tell (stage_flow refines it from its flow). */
			m->port = ww_offline_in_port(w, &b->pk[i], NULL, 0);
		}
		if (likely(b->err[i] == WW_PKT_OK)) {
			count_decoded(&w->stats, &b->pk[i]);
			continue;
		}
		w->stats.malformed[b->err[i]]++;
		if (conf->malformed_policy == WW_CONF_MALFORMED_DROP) {
			w->now_ns = b->ts[i];
			stop(b, i, WW_V_DROP, WW_DROP_MALFORMED);
			if (conf->drop_events)
				drop_event(w, m, &b->pk[i],
					   (enum ww_pkt_err)b->err[i]);
		}
	}
}
