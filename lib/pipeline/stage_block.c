/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage block: block lists (lib/block, bulk longest-prefix match of every
 * IP frame's source and destination) and the SYN flood guard ([limit]
 * syn_rate), both before the flow stage, so that neither a blocked flood
 * nor a SYN flood over its rate can fill the flow table.
 */
#include <stdio.h>

#include "stage.h"

static inline bool is_blocked(uint8_t m)
{
	return m == WW_BLOCK_LISTED || m == WW_BLOCK_DYNAMIC;
}

/* A frame to or from a blocked address: alert, at most once per source
 * address per [block] alert_interval. */
static void block_alert(struct ww_worker *w, uint16_t port,
			const struct ww_pkt *p, uint8_t src, uint8_t dst)
{
	const bool by_src = is_blocked(src);
	const uint8_t why = by_src ? src : dst;
	char sig[80];

	if (!ww_worker_alert_due(w, WW_MEMO_BLOCK, p->src, addr_len(p)))
		return;
	snprintf(sig, sizeof(sig), "%s on the %s",
		 by_src ? "Blocked source" : "Blocked destination",
		 why == WW_BLOCK_DYNAMIC ? "dynamic block list" : "block list");
	ww_packet_alert(w, port, p,
			WW_SID_BLOCK + (by_src ? 0 : 2) +
				(why == WW_BLOCK_DYNAMIC),
			WW_ACAT_BLOCKLIST, sig, true);
}

/* A source the escalation ladder throttles: each new connection (a SYN
 * without ACK; for other protocols, each packet) takes a token of its
 * bucket, [response] throttle_rate a second; over it, dropped. What it
 * has established goes on. */
static void throttle(struct ww_worker *w, struct ww_burst *b, uint16_t i)
{
	const struct ww_pkt *p = &b->pk[i];
	const uint32_t rate = w->pol->conf->response_throttle_rate;
	const struct ww_limit_rule rule = {rate, rate};
	struct ww_limit_key key;

	if (p->l4proto == 6 &&
	    (!(p->flags & WW_PKT_F_L4) ||
	     (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) != WW_TCP_SYN))
		return;
	if (w->limits.e == NULL)
		return;
	ww_limit_client_key(&key, p->src, p->l3 == WW_PKT_L3_IPV4, false,
			    WW_LIMIT_THROTTLE, 2);
	if (ww_limit_take(&w->limits, &key, &rule, b->ts[i], NULL))
		return;
	stop(b, i, WW_V_DROP, WW_DROP_THROTTLE);
}

static void block_lists(struct ww_worker *w, struct ww_burst *b,
			struct ww_block_set *set)
{
	const struct ww_pkt *to_block[WW_BURST_MAX];
	uint8_t bsrc[WW_BURST_MAX], bdst[WW_BURST_MAX];
	uint16_t i;

	/* Every decoded IP frame, fragments included (before reassembly,
	 * so a blocked source's fragments take no room there). */
	for (i = 0; i < b->n; i++)
		to_block[i] =
			live(b, i) && b->err[i] == WW_PKT_OK && is_ip(&b->pk[i])
				? &b->pk[i]
				: NULL;
	ww_block_lookup_burst(set, to_block, b->n, bsrc, bdst);
	for (i = 0; i < b->n; i++) {
		if (to_block[i] == NULL)
			continue;
		if (bsrc[i] == WW_BLOCK_THROTTLE && !is_blocked(bdst[i])) {
			throttle(w, b, i);
			continue;
		}
		if (!is_blocked(bsrc[i]) && !is_blocked(bdst[i]))
			continue;
		w->now_ns = b->ts[i];
		stop(b, i, WW_V_DROP, WW_DROP_BLOCKLIST);
		block_alert(w, b->m[i]->port, &b->pk[i], bsrc[i], bdst[i]);
	}
}

/* New TCP connections (a SYN without ACK) per source, against [limit]
 * syn_rate: one over it is dropped and takes no flow. */
static void syn_guard(struct ww_worker *w, struct ww_burst *b)
{
	const struct ww_conf *c = w->pol->conf;
	const struct ww_limit_rule rule = {
		c->limit_syn_rate,
		c->limit_syn_burst ? c->limit_syn_burst : c->limit_syn_rate};
	uint16_t i;

	for (i = 0; i < b->n; i++) {
		const struct ww_pkt *p = &b->pk[i];
		struct ww_limit_key key;

		if (!live(b, i) || b->err[i] != WW_PKT_OK || p->l4proto != 6 ||
		    !(p->flags & WW_PKT_F_L4) ||
		    (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) != WW_TCP_SYN)
			continue;
		ww_limit_client_key(&key, p->src, p->l3 == WW_PKT_L3_IPV4,
				    c->limit_client_net24, WW_LIMIT_SYN, 0);
		if (ww_limit_take(&w->limits, &key, &rule, b->ts[i], NULL))
			continue;
		w->now_ns = b->ts[i];
		stop(b, i, WW_V_DROP, WW_DROP_SYN_LIMIT);
		if (ww_worker_alert_due(w, WW_MEMO_LIMIT, p->src, addr_len(p)))
			ww_packet_alert(w, b->m[i]->port, p,
					WW_SID_RATE_LIMIT + WW_LIMIT_SYN,
					WW_ACAT_RATE_LIMIT,
					"Rate limit exceeded (new connections)",
					true);
	}
}

void stage_block(struct ww_worker *w, struct ww_burst *b)
{
	struct ww_block_set *set = w->pol->blocks;

	if (set != NULL)
		block_lists(w, b, set);
	if (w->pol->conf->limit_syn_rate != 0 && w->limits.e != NULL)
		syn_guard(w, b);
}
