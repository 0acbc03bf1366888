/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker loop over one burst, and the work between bursts. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>

#include "stage.h"

uint16_t ww_pipeline_burst(struct ww_worker *w, struct rte_mbuf **pkts,
			   uint16_t n, struct ww_tx_list *out)
{
	struct ww_burst b;
	uint16_t start = out->n;

	if (n == 0)
		return 0;
	if (n > WW_BURST_MAX)
		n = WW_BURST_MAX; /* callers never pass more; stay in bounds */
	/* The policy in force for this burst: taken here, between two
	 * quiescent states, so a replaced one is unused once the control
	 * thread's grace period ends. */
	w->pol = __atomic_load_n(&w->ctx->policy, __ATOMIC_ACQUIRE);

	stage_decode(w, &b, pkts, n);
	stage_block(w, &b);
	stage_defrag(w, &b);
	stage_flow(w, &b);
	stage_l7(w, &b);
	stage_detect(w, &b);
	stage_verdict(w, &b, out);
	stage_l7_closed(w, &b);
	return (uint16_t)(out->n - start);
}

void ww_worker_housekeeping(struct ww_worker *w, struct ww_tx_list *out)
{
	/* Expiry logs and applies exceptions: it reads the policy too. */
	w->pol = __atomic_load_n(&w->ctx->policy, __ATOMIC_ACQUIRE);
	/* The buckets count in their table; the control thread sums
	 * w->stats. */
	w->stats.limit = w->limits.stats;
	w->stats.auth = w->auth.stats;
	/* A second that ended is scored before expiry changes its
	 * clients' open flows. */
	ww_detect_housekeeping(w);
	if (w->flows != NULL)
		ww_flow_expire(w->flows, w->now_ns);
	if (w->defrag != NULL)
		stage_defrag_expire(w, out);
	stage_l7_slow(w);
	ww_detect_flush(w);
}

void ww_worker_log(struct ww_worker *w, const struct ww_event *ev)
{
	if (w->observe != NULL)
		w->observe(w->observe_arg, ev);
	if (w->direct_log != NULL)
		ww_event_log_write(w->direct_log, ev);
	else if (w->events != NULL)
		ww_event_push(w->events, ev, &w->stats.events_dropped);
}

void ww_worker_log_n(struct ww_worker *w, const struct ww_event *ev,
		     unsigned int n)
{
	unsigned int i;

	if (w->observe != NULL)
		for (i = 0; i < n; i++)
			w->observe(w->observe_arg, &ev[i]);
	if (w->direct_log != NULL)
		for (i = 0; i < n; i++)
			ww_event_log_write(w->direct_log, &ev[i]);
	else if (w->events != NULL)
		ww_event_push_n(w->events, ev, n, &w->stats.events_dropped);
}

bool ww_worker_alert_due(struct ww_worker *w, enum ww_alert_memo_kind kind,
			 const uint8_t *addr, uint32_t alen)
{
	const uint64_t interval =
		(uint64_t)w->pol->conf->block_alert_interval * NS_PER_S;
	struct ww_alert_memo *slot;

	if ((w->events == NULL && w->direct_log == NULL &&
	     w->observe == NULL) ||
	    w->alert_memo == NULL)
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
