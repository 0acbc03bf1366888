/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-path side of the pipeline: set-up and counter sums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h> /* NS_PER_S */
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <unistd.h>

#include "l7.h"

static const char *const drop_names[WW_DROP_MAX] = {
	[WW_DROP_MALFORMED] = "malformed",
	[WW_DROP_TX_FULL] = "tx_full",
	[WW_DROP_BLOCKED] = "blocked",
	[WW_DROP_BLOCKLIST] = "blocklist",
	[WW_DROP_RATE_LIMIT] = "rate_limit",
	[WW_DROP_SYN_LIMIT] = "syn_limit",
	[WW_DROP_AUTH] = "auth",
	[WW_DROP_WAF] = "waf",
	[WW_DROP_EXCEPTION] = "exception",
	[WW_DROP_FRAGMENT] = "fragment",
	[WW_DROP_TCP_REFUSED] = "tcp_refused",
	[WW_DROP_MODEL] = "model",
	[WW_DROP_THROTTLE] = "throttle",
};

const char *ww_drop_name(enum ww_drop d)
{
	return (unsigned int)d < WW_DROP_MAX ? drop_names[d] : "unknown";
}

void ww_pipeline_ctx_init(struct ww_pipeline_ctx *ctx,
			  const struct ww_conf *conf, bool offline)
{
	unsigned int i;

	memset(ctx, 0, sizeof(*ctx));
	ctx->conf = conf;
	ctx->offline = offline;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		ctx->peer[i] = (uint16_t)i;
		ctx->side[i] = WW_SIDE_UNKNOWN;
	}
	if (offline) {
		/* Two virtual ports: 0 is the outside, 1 the inside. */
		ctx->peer[WW_SIDE_OUTSIDE] = WW_SIDE_INSIDE;
		ctx->peer[WW_SIDE_INSIDE] = WW_SIDE_OUTSIDE;
		ctx->side[WW_SIDE_OUTSIDE] = WW_SIDE_OUTSIDE;
		ctx->side[WW_SIDE_INSIDE] = WW_SIDE_INSIDE;
	}
}

/* "auto": fail closed for what the WAF or auth protects; fragments that
 * never formed a datagram are dropped whatever they were for (their
 * receiver could not use them either); requests while the rule set is
 * not ready pass (counted and logged): a window no client can open or
 * stretch, at start only, where closing would make the appliance the
 * outage. */
static enum ww_exc_outcome resolve(enum ww_conf_exc e,
				   enum ww_conf_exc_action a, bool protected)
{
	switch (a) {
	case WW_CONF_EXC_PASS:
		return WW_EXC_PASSED;
	case WW_CONF_EXC_DROP:
		return WW_EXC_DROPPED;
	case WW_CONF_EXC_RESET:
		return e == WW_CONF_EXC_FRAGMENT_FAILURE ? WW_EXC_DROPPED
							 : WW_EXC_RESET;
	default:
		if (e == WW_CONF_EXC_FRAGMENT_FAILURE)
			return WW_EXC_DROPPED;
		if (e == WW_CONF_EXC_WAF_NOT_READY)
			return WW_EXC_PASSED;
		return protected ? WW_EXC_RESET : WW_EXC_PASSED;
	}
}

struct ww_policy *ww_policy_build(const struct ww_conf *conf,
				  struct ww_conf *conf_owned,
				  struct ww_waf *waf,
				  const struct ww_policy *share_waf,
				  unsigned int n_workers, uint64_t generation)
{
	struct ww_policy *p = calloc(1, sizeof(*p));
	unsigned int i, e;

	if (p == NULL) {
		ww_waf_free(waf);
		free(conf_owned);
		return NULL;
	}
	p->generation = generation;
	p->conf = conf;
	p->conf_owned = conf_owned;
	for (e = 0; e < WW_CONF_EXC_MAX; e++) {
		p->exc[e][0] = (uint8_t)resolve(e, conf->exc[e], false);
		p->exc[e][1] = (uint8_t)resolve(e, conf->exc[e], true);
	}
	if (share_waf != NULL) {
		/* The same rule set and engine contexts: the old snapshot
		 * gives them up (workers do not read owns_waf). */
		p->waf = share_waf->waf;
		p->waf_ctx = share_waf->waf_ctx;
		p->n_waf_ctx = share_waf->n_waf_ctx;
		p->waf_pending = share_waf->waf_pending;
		p->owns_waf = share_waf->owns_waf;
		((struct ww_policy *)share_waf)->owns_waf = false;
		return p;
	}
	p->waf = waf;
	p->owns_waf = true;
	if (waf == NULL)
		return p;
	p->waf_ctx = calloc(n_workers, sizeof(*p->waf_ctx));
	if (p->waf_ctx == NULL)
		goto fail;
	for (i = 0; i < n_workers; i++) {
		p->waf_ctx[i] = ww_waf_ctx_new(waf);
		if (p->waf_ctx[i] == NULL)
			goto fail;
		p->n_waf_ctx = i + 1;
	}
	return p;
fail:
	ww_policy_free(p);
	return NULL;
}

void ww_policy_keep_conf(struct ww_policy *next, struct ww_policy *old)
{
	next->conf_owned = old->conf_owned;
	old->conf_owned = NULL;
}

void ww_policy_free(struct ww_policy *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	if (p->owns_waf) {
		for (i = 0; i < p->n_waf_ctx; i++)
			ww_waf_ctx_free(p->waf_ctx[i]);
		free(p->waf_ctx);
		ww_waf_free(p->waf);
	}
	free(p->conf_owned);
	free(p);
}

void ww_worker_init(struct ww_worker *w, unsigned int id,
		    const struct ww_pipeline_ctx *ctx, struct rte_ring *events)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->ctx = ctx;
	w->events = events;
}

static bool conf_is_protected(const void *arg, uint8_t family,
			      const uint8_t *addr)
{
	const struct ww_conf *conf = arg;

	return ww_cidr_list_contains(conf->protected_networks,
				     conf->n_protected_networks,
				     family == 4 ? AF_INET : AF_INET6, addr);
}

/* A flow left the table: tell the control thread (or, when it is the
 * one flushing a stopped worker, write the event directly). */
void ww_flow_ended(void *arg, struct ww_flow *f, uint64_t now_ns)
{
	struct ww_worker *w = arg;
	struct ww_event ev;
	const unsigned int c = f->client_lo ? 0 : 1, s = 1 - c;

	ww_l7_release(w, f);
	ww_detect_flow_end(w, f, now_ns);
	if (!w->ctx->conf->flow_events ||
	    (w->events == NULL && w->direct_log == NULL))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = now_ns;
	ev.flow_id = f->id;
	ev.type = WW_EVENT_FLOW;
	ev.in_port = UINT16_MAX;
	ev.family = f->key.family;
	ev.proto = f->key.proto;
	memcpy(ev.src_ip, f->key.addr[c], 16);
	memcpy(ev.dest_ip, f->key.addr[s], 16);
	ev.src_port = f->key.port[c];
	ev.dest_port = f->key.port[s];
	ev.flow.pkts[0] = f->pkts[WW_FLOW_TOSERVER];
	ev.flow.pkts[1] = f->pkts[WW_FLOW_TOCLIENT];
	ev.flow.bytes[0] = f->bytes[WW_FLOW_TOSERVER];
	ev.flow.bytes[1] = f->bytes[WW_FLOW_TOCLIENT];
	ev.flow.start_ns = f->start_ns;
	ev.flow.state = f->state;
	ev.flow.reason = f->end_reason;
	ev.flow.judged = f->judged;
	ww_worker_log(w, &ev);
}

int ww_worker_setup_flows(struct ww_worker *w, int socket)
{
	const struct ww_conf *conf = w->ctx->conf;
	struct ww_flow_timeouts to;
	char name[32];

	to.ns[WW_FLOW_SYN] = (uint64_t)conf->syn_timeout * NS_PER_S;
	to.ns[WW_FLOW_ESTABLISHED] =
		(uint64_t)conf->established_timeout * NS_PER_S;
	to.ns[WW_FLOW_CLOSING] = (uint64_t)conf->closing_timeout * NS_PER_S;
	to.ns[WW_FLOW_CLOSED] = (uint64_t)conf->closed_timeout * NS_PER_S;
	to.ns[WW_FLOW_UDP] = (uint64_t)conf->udp_timeout * NS_PER_S;
	to.ns[WW_FLOW_ICMP] = (uint64_t)conf->icmp_timeout * NS_PER_S;
	to.ns[WW_FLOW_OTHER] = (uint64_t)conf->other_timeout * NS_PER_S;
	snprintf(name, sizeof(name), "ww_flows%u", w->id);
	w->flows = ww_flow_table_create(name, conf->max_flows, w->id, &to,
					&w->stats.flow, socket);
	if (w->flows == NULL)
		return -rte_errno;
	snprintf(name, sizeof(name), "ww_defrag%u", w->id);
	w->defrag = ww_defrag_create(
		name, conf->defrag_max_datagrams, conf->defrag_max_fragments,
		conf->defrag_max_held,
		(uint64_t)conf->defrag_timeout * NS_PER_S, socket);
	if (w->defrag == NULL)
		return -ENOMEM;
	/* Reassembled datagrams live for one burst: one mbuf per frame of
	 * a burst, each big enough for the largest datagram. */
	snprintf(name, sizeof(name), "ww_dfrg%u", w->id);
	w->defrag_pool = rte_pktmbuf_pool_create(
		name, WW_BURST_MAX, 0,
		RTE_ALIGN(sizeof(struct ww_mbuf_priv), RTE_MBUF_PRIV_ALIGN),
		UINT16_MAX, socket);
	if (w->defrag_pool == NULL)
		return -ENOMEM;
	if (ww_l7_pool_create(w) < 0)
		return -ENOMEM;
	w->alert_memo = rte_zmalloc_socket(
		"ww_alert_memo",
		sizeof(*w->alert_memo) * WW_ALERT_MEMO_SLOTS * WW_MEMO_MAX, 0,
		socket);
	if (w->alert_memo == NULL)
		return -ENOMEM;
	/* Always: limits may be set while running ([limit] rates are
	 * run-time keys). */
	if (ww_limit_table_init(&w->limits, conf->limit_max_entries, socket) <
	    0)
		return -ENOMEM;
	if (w->ctx->auth != NULL &&
	    ww_auth_worker_init(&w->auth, conf->auth_cache_entries) < 0)
		return -ENOMEM;
	if (ww_detect_create(w, socket) < 0)
		return -ENOMEM;
	if (ww_worker_counters_create(w, socket) < 0)
		return -ENOMEM;
	ww_flow_set_end_cb(w->flows, ww_flow_ended, w);
	if (conf->n_protected_networks != 0)
		ww_flow_set_protected(w->flows, conf_is_protected, conf);
	return 0;
}

void ww_worker_flush_flows(struct ww_worker *w, uint64_t now_ns,
			   struct ww_event_log *log)
{
	struct ww_event_log *was = w->direct_log;
	struct ww_defrag_dgram g;

	if (w->flows == NULL)
		return;
	/* The policy in force now: the one the worker last read may have
	 * been replaced (and freed) since its last quiescent report. */
	w->pol = w->ctx->policy;
	w->direct_log = log;
	w->now_ns = now_ns;
	ww_flow_flush(w->flows, now_ns);
	/* Then the last second's ticks, which see those flows gone. */
	ww_detect_finish(w);
	/* Fragments still waiting: their datagram never completed. */
	while (w->defrag != NULL && ww_defrag_flush(w->defrag, &g)) {
		uint16_t k;

		for (k = 0; k < g.n; k++)
			rte_pktmbuf_free(g.frags[k].handle);
		w->stats.drop[WW_DROP_EXCEPTION] += g.n;
		w->stats.exc[WW_CONF_EXC_FRAGMENT_FAILURE][WW_EXC_DROPPED]++;
	}
	if (w->defrag != NULL)
		w->stats.stage.defrag = *ww_defrag_stats(w->defrag);
	w->stats.held_fragments = 0;
	w->direct_log = was;
}

int ww_worker_setup_alert_pcap(struct ww_worker *w, int socket)
{
	const struct ww_conf *conf = w->ctx->conf;
	struct ww_alert_pcap_worker *a;
	char name[RTE_RING_NAMESIZE];

	if (conf->eve_alert_pcap[0] == '\0')
		return 0;
	a = rte_zmalloc_socket("ww_apcap", sizeof(*a), RTE_CACHE_LINE_SIZE,
			       socket);
	if (a == NULL)
		return -ENOMEM;
	a->per_flow = conf->eve_alert_pcap_flow_packets;
	snprintf(name, sizeof(name), "ww_apcap_p%u_%d", w->id, getpid());
	a->pool = rte_pktmbuf_pool_create(name, WW_APCAP_BUFFERS, 0,
					  sizeof(struct ww_mbuf_priv),
					  RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	snprintf(name, sizeof(name), "ww_apcap_r%u_%d", w->id, getpid());
	a->ring = rte_ring_create(name, WW_APCAP_BUFFERS + 1, socket,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (a->pool == NULL || a->ring == NULL) {
		rte_mempool_free(a->pool);
		rte_ring_free(a->ring);
		rte_free(a);
		return -ENOMEM;
	}
	w->apcap = a;
	return 0;
}

static void alert_pcap_teardown(struct ww_worker *w)
{
	struct rte_mbuf *m;

	if (w->apcap == NULL)
		return;
	while (rte_ring_dequeue(w->apcap->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(w->apcap->ring);
	rte_mempool_free(w->apcap->pool);
	rte_free(w->apcap);
	w->apcap = NULL;
}

void ww_worker_teardown(struct ww_worker *w)
{
	alert_pcap_teardown(w);
	ww_detect_destroy(w);
	ww_worker_counters_destroy(w);
	ww_flow_table_destroy(w->flows);
	w->flows = NULL;
	ww_l7_pool_destroy(w);
	rte_free(w->alert_memo);
	w->alert_memo = NULL;
	ww_limit_table_free(&w->limits);
	ww_auth_worker_free(&w->auth);
	ww_defrag_destroy(w->defrag);
	w->defrag = NULL;
	rte_mempool_free(w->defrag_pool);
	w->defrag_pool = NULL;
}

void ww_worker_stats_add(struct ww_worker_stats *dst,
			 const struct ww_worker_stats *src)
{
	uint64_t *d = (uint64_t *)dst;
	const volatile uint64_t *s = (const volatile uint64_t *)src;
	size_t i;

	RTE_BUILD_BUG_ON(sizeof(*dst) % sizeof(uint64_t) != 0);
	for (i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}
