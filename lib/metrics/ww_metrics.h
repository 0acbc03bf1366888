/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_METRICS_H
#define WW_METRICS_H

/*
 * The appliance's counters for monitoring systems: a Prometheus endpoint
 * (text exposition format 0.0.4, GET /metrics on [metrics] listen) and
 * DPDK telemetry commands (/wirewall/stats, /wirewall/flows,
 * /wirewall/offenders, read with dpdk-telemetry.py).
 *
 * The endpoint has no thread of its own: libmicrohttpd runs in its
 * external-select mode and ww_metrics_poll(), called from the control
 * loop, serves what is ready without waiting, so everything the
 * exposition reads is read on the control thread: the workers' counters
 * (plain uint64_t each worker writes, summed without locks, as the stats
 * event does), their keyed tables (services, signature ids), the block
 * lists and the policy in force.
 *
 * Telemetry callbacks run on DPDK's telemetry thread: they read only a
 * snapshot that ww_metrics_poll() copies each tick under a spinlock held
 * for the copy and nothing else.
 *
 * Other parts of the control plane add families through collectors
 * (ww_metrics_add_collector): the escalation ladder's, for one.
 *
 * Thread use: control thread only, but for the telemetry callbacks.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>

#include "ww_conf.h"
#include "ww_pipeline.h"

struct ww_metrics_opts {
	const struct ww_conf *conf;	   /* as loaded at start */
	const struct ww_pipeline_ctx *ctx; /* policy in force, block lists */
	const struct ww_worker *workers;
	unsigned int n_workers;
	/* Name of each port in use, NULL for the others. */
	const char *port_name[RTE_MAX_ETHPORTS];
};

struct ww_metrics;

/*
 * Bind [metrics] listen (none when empty) and register the telemetry
 * commands. @return NULL with the reason in @err, which names the key,
 * the address and why (the port taken, say).
 */
struct ww_metrics *ww_metrics_create(const struct ww_metrics_opts *o, char *err,
				     size_t err_len);
/* Close the endpoint; telemetry answers that the appliance is stopping. */
void ww_metrics_destroy(struct ww_metrics *m);

/* One tick of the control loop: refresh the telemetry snapshot, serve
 * the scrapes that are ready (never waits). */
void ww_metrics_poll(struct ww_metrics *m);

/* The whole exposition into @out (what GET /metrics answers). */
void ww_metrics_render(struct ww_metrics *m, FILE *out);

/* The port the endpoint listens on (the one the system chose for a
 * listen port 0); 0 when there is no endpoint. */
uint16_t ww_metrics_port(const struct ww_metrics *m);

/*
 * A collector writes families of its own at the end of each exposition,
 * on the control thread, with ww_metrics_family() and samples of the
 * text format (names with the "wirewall_" prefix, label values through
 * ww_metrics_label()). At most WW_METRICS_MAX_COLLECTORS.
 * @return 0, or -ENOSPC.
 */
#define WW_METRICS_MAX_COLLECTORS 8
typedef void (*ww_metrics_collect_fn)(void *arg, FILE *out);
int ww_metrics_add_collector(struct ww_metrics *m, ww_metrics_collect_fn fn,
			     void *arg);

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram). */
void ww_metrics_family(FILE *out, const char *name, const char *type,
		       const char *help);
/* A label value, quoted and escaped as the text format wants. */
void ww_metrics_label(FILE *out, const char *value);

/*
 * The clients /wirewall/offenders lists: lib/response fills them through
 * this hook (called on the control thread when the snapshot is
 * refreshed, at most once a second); without one the list is empty.
 */
#define WW_METRICS_MAX_OFFENDERS 64
struct ww_metrics_offender {
	char addr[48];	     /* "192.0.2.1" or a prefix */
	char step[16];	     /* the ladder's step: "throttle", "block", ... */
	uint64_t score;	     /* what the ladder counts */
	uint64_t expires_in; /* seconds, 0: none */
};
typedef unsigned int (*ww_metrics_offenders_fn)(void *arg,
						struct ww_metrics_offender *out,
						unsigned int max);
void ww_metrics_set_offenders(struct ww_metrics *m, ww_metrics_offenders_fn fn,
			      void *arg);

#endif /* WW_METRICS_H */
