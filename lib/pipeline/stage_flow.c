/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage flow: every decoded IP frame (reassembled datagrams included,
 * fragments held excluded) finds or creates its flow, in one bulk lookup
 * per burst. A frame that ends up without its flow, because the table was
 * full with nothing to evict or because a later frame of the same burst
 * evicted the flow it found (its entry now holds another connection),
 * cannot be judged: [exceptions] flow_lost.
 */
#include <sys/socket.h>

#include "stage.h"

uint16_t ww_offline_in_port(const struct ww_worker *w, const struct ww_pkt *p,
			    const struct ww_flow *f, uint8_t dir)
{
	const struct ww_conf *conf = w->ctx->conf;
	uint8_t family;
	unsigned int i;

	if (!is_ip(p))
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

/* Frames that belong to a flow: decoded IP, and not a fragment (a
 * fragment that reaches this stage was passed unjudged by policy). */
static inline bool has_flow(const struct ww_pkt *p)
{
	return is_ip(p) && !(p->flags & WW_PKT_F_FRAGMENT);
}

/* Would a frame of this TCP packet's connection be what the WAF or auth
 * protects? (The server port is the lower one for a lost flow: the
 * direction is unknown, so both are tried.) */
static bool pkt_protected(const struct ww_worker *w, const struct ww_pkt *p)
{
	return p->l4proto == 6 && (p->flags & WW_PKT_F_L4) &&
	       (ww_port_protected(w, p->dport) ||
		ww_port_protected(w, p->sport));
}

void stage_flow(struct ww_worker *w, struct ww_burst *b)
{
	const struct ww_pkt *to_flow[WW_BURST_MAX];
	uint16_t i;

	if (w->flows == NULL)
		return;
	for (i = 0; i < b->n; i++)
		to_flow[i] = live(b, i) && b->err[i] == WW_PKT_OK &&
					     has_flow(&b->pk[i])
				     ? &b->pk[i]
				     : NULL;
	ww_flow_lookup_burst(w->flows, to_flow, b->len, b->ts, b->n, b->flow,
			     b->dir, b->flow_id);
	for (i = 0; i < b->n; i++) {
		struct ww_flow *f = b->flow[i];
		enum ww_verdict v;

		if (to_flow[i] == NULL)
			continue;
		/* Offline, without protected networks, the side comes from
		 * the flow (stage_decode could only guess it). */
		if (w->ctx->offline && w->ctx->conf->n_protected_networks == 0)
			b->m[i]->port =
				ww_offline_in_port(w, &b->pk[i], f, b->dir[i]);
		if (f != NULL && f->in_use && f->id == b->flow_id[i])
			continue;
		/* Lost: the frame is judged by the exception policy. */
		b->flow[i] = NULL;
		w->now_ns = b->ts[i];
		v = ww_exception(w, WW_CONF_EXC_FLOW_LOST,
				 pkt_protected(w, &b->pk[i]), &b->pk[i],
				 b->m[i]->port, 0);
		if (v != WW_V_FORWARD)
			stop(b, i, v, WW_DROP_EXCEPTION);
	}
}
