/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage defrag: IPv4 and IPv6 fragments are held (lib/defrag) until their
 * datagram is complete; the datagram, rebuilt into one frame, then takes
 * the place of its last fragment in the burst and goes through every later
 * stage like a whole packet. When it is let through, its original
 * fragments leave instead of it (stage_verdict), so the receiver gets
 * exactly the bytes that were inspected.
 *
 * Overlapping fragments with different bytes: an evasion alert, and the
 * datagram is dropped whole. A datagram that cannot be judged (it never
 * completes, the table or the held-fragment cap is full, it breaks the
 * length rules) follows [exceptions] fragment_failure.
 */
#include <string.h>

#include "stage.h"

/* The addresses of datagram @g as a packet, for events. */
static void dgram_pkt(const struct ww_defrag_dgram *g, struct ww_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->l3 = g->family == 4 ? WW_PKT_L3_IPV4 : WW_PKT_L3_IPV6;
	p->l4proto = g->proto;
	memcpy(p->src, g->src, 16);
	memcpy(p->dst, g->dst, 16);
}

static void free_frags(struct ww_worker *w, const struct ww_defrag_dgram *g,
		       enum ww_drop why)
{
	uint16_t k;

	for (k = 0; k < g->n; k++)
		rte_pktmbuf_free(g->frags[k].handle);
	w->stats.drop[why] += g->n;
}

/* A datagram that cannot be judged: its policy passes its fragments
 * (into a group of their own, sent by stage_verdict) or drops them. */
static void unjudged(struct ww_worker *w, struct ww_burst *b,
		     const struct ww_defrag_dgram *g, struct rte_mbuf *also)
{
	struct ww_pkt p;
	enum ww_verdict v;
	uint16_t k;

	if (g->n == 0 && also == NULL)
		return;
	dgram_pkt(g, &p);
	v = ww_exception(w, WW_CONF_EXC_FRAGMENT_FAILURE, false, &p,
			 also != NULL ? also->port : UINT16_MAX, 0);
	if (v == WW_V_FORWARD && b->n_frags < WW_BURST_GROUPS) {
		struct ww_burst_frags *grp = &b->frags[b->n_frags++];

		grp->pass = 1;
		grp->n = 0;
		for (k = 0; k < g->n; k++)
			grp->m[grp->n++] = g->frags[k].handle;
		if (also != NULL && grp->n < WW_DEFRAG_MAX_FRAGS)
			grp->m[grp->n++] = also;
		else if (also != NULL)
			rte_pktmbuf_free(also);
		return;
	}
	free_frags(w, g, WW_DROP_EXCEPTION);
	if (also != NULL) {
		rte_pktmbuf_free(also);
		w->stats.drop[WW_DROP_EXCEPTION]++;
	}
}

/* Datagram @g is complete: frame @i becomes the rebuilt datagram. */
static void complete(struct ww_worker *w, struct ww_burst *b, uint16_t i,
		     const struct ww_defrag_dgram *g)
{
	const struct ww_conf *conf = w->pol->conf;
	const struct ww_pkt_opts opts = {
		.verify_checksums = conf->verify_checksums,
		.max_ipv6_ext_headers = (uint8_t)conf->max_ipv6_ext_headers,
	};
	struct rte_mbuf *big = rte_pktmbuf_alloc(w->defrag_pool);
	struct ww_burst_frags *grp;
	uint32_t len = 0;
	uint16_t k;

	b->verdict[i] = WW_V_HELD; /* the fragment is in @g now */
	if (big != NULL)
		len = ww_defrag_build(g, rte_pktmbuf_mtod(big, uint8_t *),
				      rte_pktmbuf_tailroom(big));
	if (len == 0 || b->n_frags == WW_BURST_GROUPS) {
		rte_pktmbuf_free(big);
		unjudged(w, b, g, NULL);
		return;
	}
	rte_pktmbuf_append(big, (uint16_t)len);
	big->port = b->m[i]->port;
	ww_mbuf_priv(big)->ts_ns = b->ts[i];
	grp = &b->frags[b->n_frags++];
	grp->pass = 0;
	grp->n = g->n;
	for (k = 0; k < g->n; k++)
		grp->m[k] = g->frags[k].handle;
	b->frag_of[i] = b->n_frags;
	b->m[i] = big;
	b->len[i] = len;
	b->verdict[i] = WW_V_FORWARD;
	b->err[i] = (uint8_t)ww_pkt_decode(rte_pktmbuf_mtod(big, uint8_t *),
					   len, 0, &opts, &b->pk[i]);
	if (b->err[i] != WW_PKT_OK) {
		w->stats.malformed[b->err[i]]++;
		if (conf->malformed_policy == WW_CONF_MALFORMED_DROP)
			stop(b, i, WW_V_DROP, WW_DROP_MALFORMED);
	}
}

void stage_defrag(struct ww_worker *w, struct ww_burst *b)
{
	struct ww_defrag_dgram g, evicted;
	uint16_t i;

	if (w->defrag == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		struct ww_pkt *p = &b->pk[i];
		struct rte_mbuf *m = b->m[i];
		enum ww_defrag_result r;

		if (!live(b, i) || b->err[i] != WW_PKT_OK ||
		    !(p->flags & WW_PKT_F_FRAGMENT))
			continue;
		w->now_ns = b->ts[i];
		r = ww_defrag_add(w->defrag, p, rte_pktmbuf_mtod(m, uint8_t *),
				  m, w->now_ns, &g, &evicted);
		if (evicted.n > 0)
			unjudged(w, b, &evicted, NULL);
		switch (r) {
		case WW_DEFRAG_HELD:
			b->verdict[i] = WW_V_HELD;
			break;
		case WW_DEFRAG_COMPLETE:
			complete(w, b, i, &g);
			break;
		case WW_DEFRAG_OVERLAP:
			free_frags(w, &g, WW_DROP_FRAGMENT);
			stop(b, i, WW_V_DROP, WW_DROP_FRAGMENT);
			if (ww_worker_alert_due(w, WW_MEMO_EVASION, p->src,
						addr_len(p)))
				ww_packet_alert(
					w, m->port, p, WW_SID_FRAG_OVERLAP,
					WW_ACAT_PROTOCOL_VIOLATION,
					"IP fragment overlap with different data (datagram dropped)",
					true);
			break;
		case WW_DEFRAG_DUPLICATE:
		case WW_DEFRAG_DEAD:
			stop(b, i, WW_V_DROP, WW_DROP_FRAGMENT);
			break;
		case WW_DEFRAG_REFUSED:
			b->verdict[i] = WW_V_HELD; /* disposed of below */
			unjudged(w, b, &g, m);
			break;
		}
	}
	w->stats.held_fragments = ww_defrag_stats(w->defrag)->held;
}

void stage_defrag_expire(struct ww_worker *w, struct ww_tx_list *out)
{
	struct ww_defrag_dgram g;

	while (ww_defrag_expire(w->defrag, w->now_ns, &g)) {
		struct ww_pkt p;
		uint16_t k;

		dgram_pkt(&g, &p);
		if (ww_exception(w, WW_CONF_EXC_FRAGMENT_FAILURE, false, &p,
				 UINT16_MAX, 0) != WW_V_FORWARD ||
		    out->n + g.n > WW_TX_LIST_MAX) {
			free_frags(w, &g, WW_DROP_EXCEPTION);
			continue;
		}
		for (k = 0; k < g.n; k++) {
			struct rte_mbuf *m = g.frags[k].handle;

			out->pkts[out->n] = m;
			out->port[out->n++] = w->ctx->peer[m->port];
		}
	}
	w->stats.held_fragments = ww_defrag_stats(w->defrag)->held;
	w->stats.stage.defrag = *ww_defrag_stats(w->defrag);
}
