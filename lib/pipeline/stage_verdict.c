/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage verdict: each frame's fate into the output list, in order. A
 * forwarded frame goes to its port's peer (a reassembled datagram as its
 * original fragments); a stopped one is freed and counted under its drop
 * reason, after the resets or the HTTP answer its verdict asks for.
 */
#include "stage.h"

static inline void push(struct ww_tx_list *out, struct rte_mbuf *m,
			uint16_t port)
{
	out->pkts[out->n] = m;
	out->port[out->n++] = port;
}

static inline void push_injected(struct ww_tx_list *out, struct rte_mbuf *r,
				 uint16_t port)
{
	if (r != NULL) {
		push(out, r, port);
		out->n_injected++;
	}
}

/* Frames of group @g: sent when @send, else freed and counted. */
static uint16_t frags_out(struct ww_worker *w, struct ww_burst_frags *g,
			  bool send, enum ww_drop why, struct ww_tx_list *out)
{
	uint16_t k;

	if (send && out->n + g->n > WW_TX_LIST_MAX) {
		send = false; /* cannot happen: the list has room for all */
		why = WW_DROP_TX_FULL;
	}
	for (k = 0; k < g->n; k++) {
		if (send)
			push(out, g->m[k], w->ctx->peer[g->m[k]->port]);
		else
			rte_pktmbuf_free(g->m[k]);
	}
	if (!send)
		w->stats.drop[why] += g->n;
	return g->n;
}

static void inject(struct ww_worker *w, struct ww_burst *b, uint16_t i,
		   struct ww_tx_list *out)
{
	struct rte_mbuf *m = b->m[i];
	const struct ww_pkt *p = &b->pk[i];
	const uint16_t to_server = w->ctx->peer[m->port];
	uint16_t status;
	uint32_t retry;
	uint8_t auth;

	if (w->inject_pool == NULL)
		return;
	w->now_ns = b->ts[i];
	push_injected(out, ww_make_reset(w, m, p, true), to_server);
	if (b->verdict[i] == WW_V_ANSWER &&
	    ww_l7_answer_of(w, b->flow[i], &status, &retry, &auth))
		push_injected(out, ww_make_answer(w, m, p, status, retry, auth),
			      m->port);
	else
		push_injected(out, ww_make_reset(w, m, p, false), m->port);
}

/* Frame @m of alerted flow @f for [eve] alert_pcap: a copy to the control
 * thread, within the flow's share. */
static void alert_pcap(struct ww_worker *w, struct rte_mbuf *m, uint64_t ts,
		       const struct ww_flow *f)
{
	struct ww_alert_pcap_worker *a = w->apcap;
	struct rte_mbuf *c;
	struct ww_apcap_slot *sl = &a->slot[f->id % WW_APCAP_FLOWS];

	if (sl->flow_id != f->id) {
		sl->flow_id = f->id;
		sl->n = 0;
	}
	if (sl->n >= a->per_flow) {
		w->stats.apcap_capped++;
		return;
	}
	c = rte_pktmbuf_copy(m, a->pool, 0, UINT32_MAX);
	if (c == NULL) {
		w->stats.apcap_lost++;
		return;
	}
	ww_mbuf_priv(c)->ts_ns = ts;
	if (rte_ring_sp_enqueue(a->ring, c) != 0) {
		rte_pktmbuf_free(c);
		w->stats.apcap_lost++;
		return;
	}
	sl->n++;
	w->stats.apcap_frames++;
}

void stage_verdict(struct ww_worker *w, struct ww_burst *b,
		   struct ww_tx_list *out)
{
	struct ww_worker_stats *s = &w->stats;
	const uint16_t rx_port = b->m[0]->port;
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->m[i];
		struct ww_burst_frags *g =
			b->frag_of[i] ? &b->frags[b->frag_of[i] - 1] : NULL;

		w->now_ns = b->ts[i]; /* offline: the capture's clock */
		if (w->apcap != NULL && b->flow[i] != NULL &&
		    (b->flow[i]->judged & WW_FLOW_ALERTED) &&
		    b->verdict[i] != WW_V_HELD)
			alert_pcap(w, m, b->ts[i], b->flow[i]);
		if (w->ctx->offline) {
			s->rx_pkts[m->port]++;
			s->rx_bytes[m->port] += b->in_len[i];
		} else {
			bytes += b->in_len[i];
		}
		switch ((enum ww_verdict)b->verdict[i]) {
		case WW_V_HELD:
			break;
		case WW_V_FORWARD:
			if (g == NULL) {
				push(out, m, w->ctx->peer[m->port]);
				break;
			}
			frags_out(w, g, true, 0, out);
			rte_pktmbuf_free(m);
			break;
		case WW_V_RESET:
		case WW_V_ANSWER:
			inject(w, b, i, out);
			/* fall through */
		case WW_V_DROP:
			/* For the flow's record. A slot that ended and was
			 * taken by a new flow within this burst (a port reused
			 * by a new SYN, an eviction) would get the mark
			 * instead: rare, and only the record is affected. */
			if (b->flow[i] != NULL)
				b->flow[i]->judged |= WW_FLOW_DROPPED;
			if (g != NULL)
				frags_out(w, g, false, b->why[i], out);
			else
				s->drop[b->why[i]]++;
			rte_pktmbuf_free(m);
			break;
		}
	}
	/* Fragments of datagrams that could not be judged, passed. */
	for (i = 0; i < b->n_frags; i++)
		if (b->frags[i].pass)
			frags_out(w, &b->frags[i], true, 0, out);
	/* Live bursts come from one RX queue of one port. */
	if (!w->ctx->offline) {
		s->rx_pkts[rx_port] += b->n;
		s->rx_bytes[rx_port] += bytes;
	}
}
