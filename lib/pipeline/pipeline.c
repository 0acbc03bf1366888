/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-path side of the pipeline: set-up and counter sums. */
#include <string.h>

#include "ww_pipeline.h"

static const char *const drop_names[WW_DROP_MAX] = {
	[WW_DROP_MALFORMED] = "malformed",
	[WW_DROP_TX_FULL] = "tx_full",
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
		ctx->side[WW_SIDE_OUTSIDE] = WW_SIDE_OUTSIDE;
		ctx->side[WW_SIDE_INSIDE] = WW_SIDE_INSIDE;
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
