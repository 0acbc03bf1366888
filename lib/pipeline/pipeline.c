/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-path side of the pipeline: set-up and counter sums. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h> /* NS_PER_S */
#include <rte_errno.h>
#include <rte_malloc.h>

#include "l7.h"
#include "ww_pipeline.h"

static const char *const drop_names[WW_DROP_MAX] = {
	[WW_DROP_MALFORMED] = "malformed",
	[WW_DROP_TX_FULL] = "tx_full",
	[WW_DROP_BLOCKED] = "blocked",
	[WW_DROP_BLOCKLIST] = "blocklist",
	[WW_DROP_RATE_LIMIT] = "rate_limit",
	[WW_DROP_SYN_LIMIT] = "syn_limit",
	[WW_DROP_AUTH] = "auth",
	[WW_DROP_WAF] = "waf",
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
	ctx->pkt_opts.verify_checksums = conf->verify_checksums;
	ctx->pkt_opts.max_ipv6_ext_headers =
		(uint8_t)conf->max_ipv6_ext_headers;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		ctx->peer[i] = (uint16_t)i;
	if (offline) {
		/* Two virtual ports: 0 is the outside, 1 the inside. */
		ctx->peer[WW_SIDE_OUTSIDE] = WW_SIDE_INSIDE;
		ctx->peer[WW_SIDE_INSIDE] = WW_SIDE_OUTSIDE;
	}
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
	uint8_t af = family == 4 ? AF_INET : AF_INET6;
	unsigned int i;

	for (i = 0; i < conf->n_protected_networks; i++)
		if (ww_cidr_contains(&conf->protected_networks[i], af, addr))
			return true;
	return false;
}

/* A flow left the table: tell the control thread (or, when it is the
 * one flushing a stopped worker, write the event directly). */
static void flow_ended(void *arg, struct ww_flow *f, uint64_t now_ns)
{
	struct ww_worker *w = arg;
	struct ww_event ev;
	const unsigned int c = f->client_lo ? 0 : 1, s = 1 - c;

	ww_l7_release(w, f);
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
	if (ww_l7_pool_create(w) < 0)
		return -ENOMEM;
	w->alert_memo = rte_zmalloc_socket(
		"ww_alert_memo",
		sizeof(*w->alert_memo) * WW_ALERT_MEMO_SLOTS * WW_MEMO_MAX, 0,
		socket);
	if (w->alert_memo == NULL)
		return -ENOMEM;
	if ((conf->limit_rate || conf->n_limit_routes ||
	     conf->limit_service_rate || conf->limit_syn_rate) &&
	    ww_limit_table_init(&w->limits, conf->limit_max_entries, socket) <
		    0)
		return -ENOMEM;
	if (w->ctx->auth != NULL &&
	    ww_auth_worker_init(&w->auth, conf->auth_cache_entries) < 0)
		return -ENOMEM;
	if (w->ctx->waf != NULL) {
		w->waf = w->waf_own = ww_waf_ctx_new(w->ctx->waf);
		if (w->waf == NULL)
			return -ENOMEM;
	}
	ww_flow_set_end_cb(w->flows, flow_ended, w);
	if (conf->n_protected_networks != 0)
		ww_flow_set_protected(w->flows, conf_is_protected, conf);
	return 0;
}

void ww_worker_flush_flows(struct ww_worker *w, uint64_t now_ns,
			   struct ww_event_log *log)
{
	if (w->flows == NULL)
		return;
	w->direct_log = log;
	ww_flow_flush(w->flows, now_ns);
	w->direct_log = NULL;
}

void ww_worker_teardown(struct ww_worker *w)
{
	ww_flow_table_destroy(w->flows);
	w->flows = NULL;
	ww_l7_pool_destroy(w);
	rte_free(w->alert_memo);
	w->alert_memo = NULL;
	ww_limit_table_free(&w->limits);
	ww_auth_worker_free(&w->auth);
	ww_waf_ctx_free(w->waf_own); /* a reload's contexts are its own */
	w->waf = w->waf_own = NULL;
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
