/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_METRICS_PRIV_H
#define WW_METRICS_PRIV_H

/* Shared by lib/metrics' files. */

#include <stdbool.h>

#include <rte_log.h>

#include "ww_metrics.h"

extern int ww_logtype_metrics;
#define METRICS_LOG(level, fmt, ...)                                        \
	rte_log(RTE_LOG_##level, ww_logtype_metrics, "wirewall: " fmt "\n", \
		##__VA_ARGS__)

struct ww_metrics_http;

struct ww_metrics {
	struct ww_metrics_opts o;
	struct ww_metrics_http *http; /* NULL: no endpoint */
	uint64_t start_s;	      /* UNIX time of the start */
	uint64_t last_offenders_s;
	struct {
		ww_metrics_collect_fn fn;
		void *arg;
	} collectors[WW_METRICS_MAX_COLLECTORS];
	unsigned int n_collectors;
	ww_metrics_offenders_fn offenders_fn;
	void *offenders_arg;
};

/* The workers' counters summed (control thread). */
void ww_metrics_sum(const struct ww_metrics *m, struct ww_worker_stats *t);
/* Dynamic block entries in force. */
uint64_t ww_metrics_dynamic_blocks(const struct ww_metrics *m);

/* http.c: the endpoint. */
struct ww_metrics_http *ww_metrics_http_open(struct ww_metrics *m,
					     const char *listen, char *err,
					     size_t err_len);
void ww_metrics_http_poll(struct ww_metrics_http *h);
void ww_metrics_http_close(struct ww_metrics_http *h);
uint16_t ww_metrics_http_port(const struct ww_metrics_http *h);

/* telemetry.c: the commands, and the snapshot they read. */
void ww_metrics_telemetry_start(const struct ww_metrics *m);
void ww_metrics_telemetry_refresh(struct ww_metrics *m, bool offenders);
void ww_metrics_telemetry_stop(void);

#endif /* WW_METRICS_PRIV_H */
