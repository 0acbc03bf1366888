/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exposition: every family, from the workers' counters summed on the
 * control thread. Names follow Prometheus's conventions: the "wirewall_"
 * prefix, "_total" on counters, base units (bytes, seconds), lower_snake
 * labels. Label values are bounded sets (ports, reasons, categories,
 * classes), or bounded by configuration (services: [metrics]
 * max_services per worker, then "other"; signature ids: the ids that
 * fired, at most [metrics] max_signatures per worker).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_version.h>

#include "metrics_priv.h"

RTE_LOG_REGISTER(ww_logtype_metrics, ww.metrics, INFO);

#ifndef WW_VERSION
#define WW_VERSION "unknown"
#endif

void ww_metrics_family(FILE *out, const char *name, const char *type,
		       const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void ww_metrics_label(FILE *out, const char *v)
{
	fputc('"', out);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
	fputc('"', out);
}

/* One sample with a single label. */
static void sample1(FILE *out, const char *name, const char *label,
		    const char *value, uint64_t v)
{
	fprintf(out, "%s{%s=", name, label);
	ww_metrics_label(out, value);
	fprintf(out, "} %" PRIu64 "\n", v);
}

static void sample0(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, "%s %" PRIu64 "\n", name, v);
}

/* A counter or gauge without labels, with its help and type. */
static void scalar(FILE *out, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	ww_metrics_family(out, name, type, help);
	sample0(out, name, v);
}

void ww_metrics_sum(const struct ww_metrics *m, struct ww_worker_stats *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < m->o.n_workers; i++)
		ww_worker_stats_add(t, &m->o.workers[i].stats);
}

uint64_t ww_metrics_dynamic_blocks(const struct ww_metrics *m)
{
	return m->o.ctx->block != NULL ? m->o.ctx->block->n_dynamic : 0;
}

/* A worker's counter, read while its worker may write it (aligned 64-bit
 * loads are whole; the value may be one increment old). */
static inline uint64_t rd(const uint64_t *p)
{
	return *(const volatile uint64_t *)p;
}

static void svc_add(struct ww_http_svc_stats *d,
		    const struct ww_http_svc_stats *s)
{
	const uint64_t *sv = (const uint64_t *)s;
	uint64_t *dv = (uint64_t *)d;
	size_t i;

	RTE_BUILD_BUG_ON(sizeof(*s) % sizeof(uint64_t) != 0);
	for (i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dv[i] += rd(&sv[i]);
}

/* One service summed over the workers. */
struct svc_sum {
	uint8_t used, family;
	uint16_t port;
	uint8_t addr[16];
	struct ww_http_svc_stats s;
};

/* Find or add @e's key in @tab (@mask + 1 slots, never full). */
static struct svc_sum *svc_slot(struct svc_sum *tab, uint32_t mask,
				const struct ww_http_svc *e)
{
	uint32_t h = e->port * 0x9e3779b1u, i;

	for (i = 0; i < 16; i++)
		h = (h ^ e->addr[i]) * 0x01000193u;
	for (i = h & mask;; i = (i + 1) & mask) {
		struct svc_sum *s = &tab[i];

		if (!s->used) {
			s->used = 1;
			s->family = e->family;
			s->port = e->port;
			memcpy(s->addr, e->addr, 16);
			return s;
		}
		if (s->port == e->port && s->family == e->family &&
		    memcmp(s->addr, e->addr, 16) == 0)
			return s;
	}
}

/* The service label: its [metrics] services name, else ADDRESS:PORT. */
static void svc_name(const struct ww_metrics *m, const struct svc_sum *s,
		     char *buf, size_t len)
{
	const struct ww_conf *conf =
		m->o.ctx->policy != NULL ? m->o.ctx->policy->conf : m->o.conf;
	char a[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < conf->n_metrics_services; i++) {
		const struct ww_conf_hostport *at =
			&conf->metrics_services[i].at;

		if (at->port == s->port &&
		    (at->family == AF_INET ? 4 : 6) == s->family &&
		    memcmp(at->addr, s->addr, s->family == 4 ? 4 : 16) == 0) {
			snprintf(buf, len, "%s",
				 conf->metrics_services[i].name);
			return;
		}
	}
	inet_ntop(s->family == 4 ? AF_INET : AF_INET6, s->addr, a, sizeof(a));
	snprintf(buf, len, s->family == 4 ? "%s:%u" : "[%s]:%u", a, s->port);
}

static void svc_samples(FILE *out, const char *service,
			const struct ww_http_svc_stats *s, bool histogram)
{
	unsigned int c, b;
	uint64_t cum = 0;

	if (!histogram) {
		for (c = 0; c < WW_HTTP_CLASSES; c++) {
			fputs("wirewall_http_requests_total{service=", out);
			ww_metrics_label(out, service);
			fprintf(out, ",status_class=\"%s\"} %" PRIu64 "\n",
				ww_http_class_name(c), s->requests[c]);
		}
		return;
	}
	for (b = 0; b <= WW_HTTP_LAT_BUCKETS; b++) {
		cum += s->lat_bucket[b];
		fputs("wirewall_http_request_duration_seconds_bucket{service=",
		      out);
		ww_metrics_label(out, service);
		if (b < WW_HTTP_LAT_BUCKETS)
			fprintf(out, ",le=\"%g\"} %" PRIu64 "\n",
				(double)ww_http_lat_bounds_ns[b] / 1e9, cum);
		else
			fprintf(out, ",le=\"+Inf\"} %" PRIu64 "\n", cum);
	}
	fputs("wirewall_http_request_duration_seconds_sum{service=", out);
	ww_metrics_label(out, service);
	fprintf(out, "} %.9f\n", (double)s->lat_sum_ns / 1e9);
	fputs("wirewall_http_request_duration_seconds_count{service=", out);
	ww_metrics_label(out, service);
	/* The count is the +Inf bucket's, by definition. */
	fprintf(out, "} %" PRIu64 "\n", cum);
}

/* Requests and latency per service, the workers' tables merged. */
static void http_services(const struct ww_metrics *m, FILE *out)
{
	struct ww_http_svc_stats other;
	struct svc_sum *tab;
	uint32_t slots = 0, mask, i;
	unsigned int w, pass;
	char name[96];

	memset(&other, 0, sizeof(other));
	for (w = 0; w < m->o.n_workers; w++)
		slots += m->o.workers[w].svc.max;
	slots = rte_align32pow2(slots * 2 + 2);
	mask = slots - 1;
	tab = calloc(slots, sizeof(*tab));
	for (w = 0; w < m->o.n_workers; w++) {
		const struct ww_http_svc_table *t = &m->o.workers[w].svc;

		svc_add(&other, &t->other);
		for (i = 0; t->slot != NULL && i <= t->mask; i++) {
			const struct ww_http_svc *e = &t->slot[i];

			if (tab != NULL && ww_http_svc_used(e))
				svc_add(&svc_slot(tab, mask, e)->s, &e->s);
		}
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			ww_metrics_family(
				out, "wirewall_http_requests_total", "counter",
				"HTTP requests by service (server address:port, or its [metrics] services name; \"other\" past max_services) and the class of the status they were answered with, by the server or by wirewall (none: no answer).");
		else
			ww_metrics_family(
				out, "wirewall_http_request_duration_seconds",
				"histogram",
				"Time from the end of a request to the first byte of the server's response, by service.");
		for (i = 0; tab != NULL && i < slots; i++) {
			if (!tab[i].used)
				continue;
			svc_name(m, &tab[i], name, sizeof(name));
			svc_samples(out, name, &tab[i].s, pass == 1);
		}
		svc_samples(out, "other", &other, pass == 1);
	}
	free(tab);
}

/* Alerts per signature id, the workers' tables merged. */
static void alert_sids(const struct ww_metrics *m, FILE *out)
{
	struct sid_sum {
		uint32_t sid;
		uint8_t cat, used;
		uint64_t count;
	} * tab;
	uint32_t slots = 0, mask, i, k;
	unsigned int w;

	ww_metrics_family(
		out, "wirewall_alert_signatures_total", "counter",
		"Alerts by signature id (the ids that fired; at most [metrics] max_signatures per worker) and category.");
	for (w = 0; w < m->o.n_workers; w++)
		slots += m->o.workers[w].sids.max;
	slots = rte_align32pow2(slots * 2 + 2);
	mask = slots - 1;
	tab = calloc(slots, sizeof(*tab));
	if (tab == NULL)
		return;
	for (w = 0; w < m->o.n_workers; w++) {
		const struct ww_alert_sid_table *t = &m->o.workers[w].sids;

		for (i = 0; t->slot != NULL && i <= t->mask; i++) {
			const struct ww_alert_sid *e = &t->slot[i];

			if (!ww_alert_sid_used(e))
				continue;
			for (k = (e->sid * 0x9e3779b1u) & mask;;
			     k = (k + 1) & mask)
				if (!tab[k].used || tab[k].sid == e->sid)
					break;
			tab[k].used = 1;
			tab[k].sid = e->sid;
			tab[k].cat = e->cat;
			tab[k].count += rd(&e->count);
		}
	}
	for (k = 0; k < slots; k++)
		if (tab[k].used)
			fprintf(out,
				"wirewall_alert_signatures_total{signature_id=\"%" PRIu32
				"\",category=\"%s\"} %" PRIu64 "\n",
				tab[k].sid, ww_alert_cat_name(tab[k].cat),
				tab[k].count);
	free(tab);
}

static void ports(const struct ww_metrics *m, const struct ww_worker_stats *t,
		  FILE *out)
{
	static const char *const fam[2] = {"wirewall_port_packets_total",
					   "wirewall_port_bytes_total"};
	static const char *const help[2] = {
		"Frames by port and direction (rx: received by wirewall; tx: sent, injected resets and answers included).",
		"Bytes of those frames, by port and direction."};
	unsigned int k, p;

	for (k = 0; k < 2; k++) {
		ww_metrics_family(out, fam[k], "counter", help[k]);
		for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
			if (m->o.port_name[p] == NULL)
				continue;
			fprintf(out, "%s{port=", fam[k]);
			ww_metrics_label(out, m->o.port_name[p]);
			fprintf(out, ",direction=\"rx\"} %" PRIu64 "\n",
				k ? t->rx_bytes[p] : t->rx_pkts[p]);
			fprintf(out, "%s{port=", fam[k]);
			ww_metrics_label(out, m->o.port_name[p]);
			fprintf(out, ",direction=\"tx\"} %" PRIu64 "\n",
				k ? t->tx_bytes[p] : t->tx_pkts[p]);
		}
	}
}

static void flows(const struct ww_flow_stats *f, FILE *out)
{
	unsigned int i;

	scalar(out, "wirewall_flows_active", "gauge",
	       "Flows in the workers' tables now.", f->active);
	scalar(out, "wirewall_flows_created_total", "counter", "Flows created.",
	       f->created);
	ww_metrics_family(out, "wirewall_flows_ended_total", "counter",
			  "Flows that left the table, by why.");
	for (i = 1; i < WW_FLOW_END_MAX; i++)
		sample1(out, "wirewall_flows_ended_total", "reason",
			ww_flow_end_name(i), f->ended[i]);
	ww_metrics_family(
		out, "wirewall_flows_evicted_total", "counter",
		"Flows evicted to make room for a new one (table full), by the state they were in.");
	for (i = 0; i < WW_FLOW_STATE_MAX; i++)
		sample1(out, "wirewall_flows_evicted_total", "state",
			ww_flow_state_name(i), f->evicted_by_state[i]);
	scalar(out, "wirewall_flow_table_full_total", "counter",
	       "Packets that found no flow entry (the table full, no victim).",
	       f->table_full);
}

void ww_metrics_render(struct ww_metrics *m, FILE *out)
{
	static struct ww_worker_stats t; /* large: off the stack */
	const struct ww_detect_stats *d = &t.detect;
	const char *dpdk = rte_version();
	unsigned int i, k;

	ww_metrics_sum(m, &t);

	ww_metrics_family(out, "wirewall_build_info", "gauge",
			  "Always 1; the labels say which wirewall and DPDK.");
	if (strncmp(dpdk, "DPDK ", 5) == 0)
		dpdk += 5;
	fprintf(out,
		"wirewall_build_info{version=\"%s\",dpdk_version=\"%s\"} 1\n",
		WW_VERSION, dpdk);
	scalar(out, "wirewall_start_time_seconds", "gauge",
	       "When the appliance started, UNIX time.", m->start_s);
	scalar(out, "wirewall_workers", "gauge", "Worker lcores.",
	       m->o.n_workers);

	ports(m, &t, out);

	ww_metrics_family(
		out, "wirewall_drops_total", "counter",
		"Frames wirewall stopped, by reason (the pipeline's drop nodes).");
	for (i = 0; i < WW_DROP_MAX; i++)
		sample1(out, "wirewall_drops_total", "reason", ww_drop_name(i),
			t.drop[i]);
	ww_metrics_family(
		out, "wirewall_malformed_total", "counter",
		"Frames the decoder refused, by reason, whatever [decode] malformed_policy did with them.");
	for (i = 1; i < WW_PKT_ERR_MAX; i++)
		sample1(out, "wirewall_malformed_total", "reason",
			ww_pkt_err_name(i), t.malformed[i]);
	ww_metrics_family(
		out, "wirewall_exceptions_total", "counter",
		"Traffic that could not be judged, by case ([exceptions]) and what was done with it.");
	for (i = 0; i < WW_CONF_EXC_MAX; i++)
		for (k = 0; k < WW_EXC_OUTCOMES; k++)
			fprintf(out,
				"wirewall_exceptions_total{case=\"%s\",action=\"%s\"} %" PRIu64
				"\n",
				ww_conf_exc_name(i), ww_exc_outcome_name(k),
				t.exc[i][k]);
	scalar(out, "wirewall_injected_resets_total", "counter",
	       "TCP resets wirewall sent.", t.resets_sent);
	scalar(out, "wirewall_injected_answers_total", "counter",
	       "HTTP answers wirewall sent in place of a server (401, 403, 429).",
	       t.responses_sent);

	ww_metrics_family(out, "wirewall_alerts_total", "counter",
			  "Alerts, by category.");
	for (i = 0; i < WW_ACAT_MAX; i++)
		sample1(out, "wirewall_alerts_total", "category",
			ww_alert_cat_name(i), t.alerts[i]);
	alert_sids(m, out);
	scalar(out, "wirewall_alert_signature_overflow_total", "counter",
	       "Alerts whose signature id found no room in a worker's table ([metrics] max_signatures); they are in wirewall_alerts_total.",
	       t.alert_sid_overflow);

	flows(&t.flow, out);

	http_services(m, out);
	scalar(out, "wirewall_http_service_overflow_total", "counter",
	       "HTTP requests whose service found no room in a worker's table ([metrics] max_services): counted under service=\"other\".",
	       t.http_svc_overflow);
	scalar(out, "wirewall_http_violations_total", "counter",
	       "Requests that broke HTTP/1.1 framing.", t.http_violations);
	scalar(out, "wirewall_waf_requests_checked_total", "counter",
	       "Requests the rule engine judged.", t.waf_checked);
	scalar(out, "wirewall_waf_requests_blocked_total", "counter",
	       "Requests the rule engine stopped.", t.waf_blocked);

	scalar(out, "wirewall_model_rows_scored_total", "counter",
	       "Feature rows the models scored.", d->scored);
	ww_metrics_family(
		out, "wirewall_model_inference_seconds_total", "counter",
		"Time spent inside the models' inference calls (both models).");
	fprintf(out, "wirewall_model_inference_seconds_total %.9f\n",
		(double)d->infer_cycles / (double)rte_get_tsc_hz());
	ww_metrics_family(
		out, "wirewall_model_verdicts_total", "counter",
		"Rows the classifier put over their class's min_probability, by class.");
	for (i = 1; i < WW_CLASS_MAX; i++)
		sample1(out, "wirewall_model_verdicts_total", "class",
			ww_feat_class_name(i), d->verdicts[i]);
	scalar(out, "wirewall_model_anomalies_total", "counter",
	       "Rows the anomaly model put under anomaly_alert_below.",
	       d->anomalies);
	ww_metrics_family(out, "wirewall_model_actions_total", "counter",
			  "What the models' verdicts did, by action.");
	for (i = 1; i < WW_CONF_MODEL_ACTIONS; i++)
		sample1(out, "wirewall_model_actions_total", "action",
			ww_conf_model_action_name(i), d->actions[i]);

	scalar(out, "wirewall_dynamic_blocks", "gauge",
	       "Dynamic block-list entries in force (control socket, models).",
	       ww_metrics_dynamic_blocks(m));
	scalar(out, "wirewall_dynamic_blocks_refused_total", "counter",
	       "Dynamic block entries refused: the list was full ([block] dynamic_max).",
	       m->o.ctx->block != NULL ? m->o.ctx->block->dynamic_refused : 0);
	scalar(out, "wirewall_events_dropped_total", "counter",
	       "Events lost because a worker's event ring was full.",
	       t.events_dropped);

	for (i = 0; i < m->n_collectors; i++)
		m->collectors[i].fn(m->collectors[i].arg, out);
}

int ww_metrics_add_collector(struct ww_metrics *m, ww_metrics_collect_fn fn,
			     void *arg)
{
	if (m->n_collectors == WW_METRICS_MAX_COLLECTORS)
		return -ENOSPC;
	m->collectors[m->n_collectors].fn = fn;
	m->collectors[m->n_collectors].arg = arg;
	m->n_collectors++;
	return 0;
}

void ww_metrics_set_offenders(struct ww_metrics *m, ww_metrics_offenders_fn fn,
			      void *arg)
{
	m->offenders_fn = fn;
	m->offenders_arg = arg;
}

struct ww_metrics *ww_metrics_create(const struct ww_metrics_opts *o, char *err,
				     size_t err_len)
{
	struct ww_metrics *m = calloc(1, sizeof(*m));
	struct timespec ts;

	if (m == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	m->o = *o;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_s = (uint64_t)ts.tv_sec;
	if (o->conf->metrics_listen[0] != '\0') {
		m->http = ww_metrics_http_open(m, o->conf->metrics_listen, err,
					       err_len);
		if (m->http == NULL) {
			free(m);
			return NULL;
		}
	}
	ww_metrics_telemetry_start(m);
	ww_metrics_telemetry_refresh(m, true);
	return m;
}

void ww_metrics_destroy(struct ww_metrics *m)
{
	if (m == NULL)
		return;
	ww_metrics_telemetry_stop();
	ww_metrics_http_close(m->http);
	free(m);
}

void ww_metrics_poll(struct ww_metrics *m)
{
	struct timespec ts;
	bool offenders;

	if (m == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	offenders = (uint64_t)ts.tv_sec != m->last_offenders_s;
	m->last_offenders_s = (uint64_t)ts.tv_sec;
	ww_metrics_telemetry_refresh(m, offenders);
	if (m->http != NULL)
		ww_metrics_http_poll(m->http);
}

uint16_t ww_metrics_port(const struct ww_metrics *m)
{
	return m != NULL && m->http != NULL ? ww_metrics_http_port(m->http) : 0;
}
