/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics' counters: the per-worker tables keyed by service and by
 * signature id (caps, overflow, status classes, histogram buckets), and
 * the exposition that merges them over the workers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "eal_for_tests.h"
#include "stage.h"
#include "ww_metrics.h"

static struct ww_conf conf;
static struct ww_pipeline_ctx ctx;

static const uint8_t S1[4] = {10, 0, 0, 2}, S2[4] = {10, 0, 0, 3},
		     S3[4] = {10, 0, 0, 4};

static struct ww_worker *new_worker(unsigned int id)
{
	struct ww_worker *w = rte_zmalloc(NULL, sizeof(*w), 64);

	assert_non_null(w);
	w->id = id;
	w->ctx = &ctx;
	assert_int_equal(ww_worker_counters_create(w, SOCKET_ID_ANY), 0);
	return w;
}

static void free_worker(struct ww_worker *w)
{
	ww_worker_counters_destroy(w);
	rte_free(w);
}

static const struct ww_http_svc_stats *
svc_of(const struct ww_worker *w, const uint8_t *addr, uint16_t port)
{
	uint32_t i;

	for (i = 0; i <= w->svc.mask; i++)
		if (ww_http_svc_used(&w->svc.slot[i]) &&
		    w->svc.slot[i].port == port &&
		    memcmp(w->svc.slot[i].addr, addr, 4) == 0)
			return &w->svc.slot[i].s;
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	ww_conf_defaults(&conf);
	conf.metrics_max_services = 2;
	conf.metrics_max_signatures = 16;
	ww_pipeline_ctx_init(&ctx, &conf, false);
	return 0;
}

/* Status classes, who answered, the bucket each latency falls in. */
static void test_service_counts(void **state)
{
	struct ww_worker *w = new_worker(0);
	const struct ww_http_svc_stats *s;

	(void)state;
	ww_http_svc_count(w, 4, S1, 80, 200, 1000000, true); /* le 0.001 */
	ww_http_svc_count(w, 4, S1, 80, 204, 1000001, true); /* le 0.0025 */
	ww_http_svc_count(w, 4, S1, 80, 503, 20000000000ull, true); /* +Inf */
	ww_http_svc_count(w, 4, S1, 80, 429, 0, false); /* wirewall's */
	ww_http_svc_count(w, 4, S1, 80, 0, 0, true);	/* no answer */
	ww_http_svc_count(w, 4, S1, 80, 101, 5000, true);
	s = svc_of(w, S1, 80);
	assert_non_null(s);
	assert_int_equal(s->requests[WW_HTTP_2XX], 2);
	assert_int_equal(s->requests[WW_HTTP_5XX], 1);
	assert_int_equal(s->requests[WW_HTTP_4XX], 1);
	assert_int_equal(s->requests[WW_HTTP_NONE], 1);
	assert_int_equal(s->requests[WW_HTTP_1XX], 1);
	/* Only the server's answers have a latency. */
	assert_int_equal(s->lat_bucket[0], 2); /* 1 ms and 5 us */
	assert_int_equal(s->lat_bucket[1], 1);
	assert_int_equal(s->lat_bucket[WW_HTTP_LAT_BUCKETS], 1);
	assert_int_equal(s->lat_sum_ns,
			 1000000 + 1000001 + 20000000000ull + 5000);
	free_worker(w);
}

/* Past max_services, requests go to "other" and are counted as such;
 * services already in the table keep their own counters. */
static void test_service_cap(void **state)
{
	struct ww_worker *w = new_worker(0);

	(void)state;
	ww_http_svc_count(w, 4, S1, 80, 200, 1000, true);
	ww_http_svc_count(w, 4, S1, 8080, 200, 1000, true); /* another port */
	ww_http_svc_count(w, 4, S2, 80, 200, 1000, true);   /* no room */
	ww_http_svc_count(w, 4, S3, 80, 404, 1000, true);   /* no room */
	ww_http_svc_count(w, 4, S1, 80, 200, 1000, true);
	assert_int_equal(w->svc.n, 2);
	assert_int_equal(svc_of(w, S1, 80)->requests[WW_HTTP_2XX], 2);
	assert_int_equal(svc_of(w, S1, 8080)->requests[WW_HTTP_2XX], 1);
	assert_null(svc_of(w, S2, 80));
	assert_int_equal(w->svc.other.requests[WW_HTTP_2XX], 1);
	assert_int_equal(w->svc.other.requests[WW_HTTP_4XX], 1);
	assert_int_equal(w->stats.http_svc_overflow, 2);
	free_worker(w);
}

/* Alerts: every one by category; ids up to max_signatures, then counted
 * as overflow. */
static void test_signature_cap(void **state)
{
	struct ww_worker *w = new_worker(0);
	uint32_t sid, total = 0, i;

	(void)state;
	for (sid = 1000; sid < 1020; sid++)
		ww_alert_count(w, sid, WW_ACAT_WEB_APPLICATION_ATTACK);
	ww_alert_count(w, 1000, WW_ACAT_WEB_APPLICATION_ATTACK);
	ww_alert_count(w, 9100010, WW_ACAT_RATE_LIMIT);
	assert_int_equal(w->stats.alerts[WW_ACAT_WEB_APPLICATION_ATTACK], 21);
	assert_int_equal(w->stats.alerts[WW_ACAT_RATE_LIMIT], 1);
	assert_int_equal(w->sids.n, 16);
	for (i = 0; i <= w->sids.mask; i++)
		if (ww_alert_sid_used(&w->sids.slot[i])) {
			total += (uint32_t)w->sids.slot[i].count;
			if (w->sids.slot[i].sid == 1000)
				assert_int_equal(w->sids.slot[i].count, 2);
		}
	assert_int_equal(total + w->stats.alert_sid_overflow, 22);
	assert_int_equal(w->stats.alert_sid_overflow, 5);
	assert_string_equal(ww_alert_cat_name(WW_ACAT_RATE_LIMIT),
			    "rate-limit");
	free_worker(w);
}

/* The exposition merges the workers' tables: one series per service,
 * named from [metrics] services, cumulative buckets, +Inf = count. */
static void test_exposition_merges_workers(void **state)
{
	struct ww_worker *w[2] = {new_worker(0), new_worker(1)};
	struct ww_worker *workers = rte_zmalloc(NULL, sizeof(*workers) * 2, 64);
	struct ww_metrics_opts o = {.conf = &conf, .ctx = &ctx, .n_workers = 2};
	struct ww_metrics *m;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	assert_non_null(workers);
	conf.metrics_listen[0] = '\0'; /* no endpoint */
	conf.n_metrics_services = 1;
	strcpy(conf.metrics_services[0].name, "shop");
	conf.metrics_services[0].at.family = AF_INET;
	memcpy(conf.metrics_services[0].at.addr, S1, 4);
	conf.metrics_services[0].at.port = 80;
	ww_http_svc_count(w[0], 4, S1, 80, 200, 2000000, true);
	ww_http_svc_count(w[1], 4, S1, 80, 200, 3000000, true);
	ww_http_svc_count(w[1], 4, S2, 443, 302, 30000000, true);
	ww_alert_count(w[0], 942100, WW_ACAT_WEB_APPLICATION_ATTACK);
	ww_alert_count(w[1], 942100, WW_ACAT_WEB_APPLICATION_ATTACK);
	w[0]->stats.rx_pkts[0] = 5;
	w[1]->stats.rx_pkts[0] = 7;
	/* The workers as the app lays them out: one array. */
	workers[0] = *w[0];
	workers[1] = *w[1];
	o.workers = workers;
	o.port_name[0] = "net_tap0";
	m = ww_metrics_create(&o, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(ww_metrics_port(m), 0);
	out = open_memstream(&text, &len);
	ww_metrics_render(m, out);
	fclose(out);
#define HAS(s)                                                           \
	do {                                                             \
		if (strstr(text, s) == NULL)                             \
			fail_msg("exposition lacks '%s':\n%s", s, text); \
	} while (0)
	HAS("wirewall_http_requests_total{service=\"shop\",status_class=\"2xx\"} 2\n");
	HAS("wirewall_http_requests_total{service=\"10.0.0.3:443\",status_class=\"3xx\"} 1\n");
	HAS("wirewall_http_requests_total{service=\"other\",status_class=\"2xx\"} 0\n");
	HAS("wirewall_http_request_duration_seconds_bucket{service=\"shop\",le=\"0.001\"} 0\n");
	HAS("wirewall_http_request_duration_seconds_bucket{service=\"shop\",le=\"0.0025\"} 1\n");
	HAS("wirewall_http_request_duration_seconds_bucket{service=\"shop\",le=\"0.005\"} 2\n");
	HAS("wirewall_http_request_duration_seconds_bucket{service=\"shop\",le=\"+Inf\"} 2\n");
	HAS("wirewall_http_request_duration_seconds_sum{service=\"shop\"} 0.005000000\n");
	HAS("wirewall_http_request_duration_seconds_count{service=\"shop\"} 2\n");
	HAS("wirewall_alert_signatures_total{signature_id=\"942100\",category=\"web-application-attack\"} 2\n");
	HAS("wirewall_alerts_total{category=\"web-application-attack\"} 2\n");
	HAS("wirewall_port_packets_total{port=\"net_tap0\",direction=\"rx\"} 12\n");
	HAS("# TYPE wirewall_http_request_duration_seconds histogram\n");
	HAS("wirewall_build_info{version=");
	/* One series per service, though two workers count it. */
	assert_ptr_equal(
		strstr(strstr(text, "{service=\"shop\",status_class=\"2xx\"}") +
			       1,
		       "{service=\"shop\",status_class=\"2xx\"}"),
		NULL);
	free(text);
	ww_metrics_destroy(m);
	rte_free(workers);
	free_worker(w[0]);
	free_worker(w[1]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_service_counts, setup),
		cmocka_unit_test_setup(test_service_cap, setup),
		cmocka_unit_test_setup(test_signature_cap, setup),
		cmocka_unit_test_setup(test_exposition_merges_workers, setup),
	};
	int rc;

	(void)argc;
	if (eal_for_tests(argv[0], "tmetrics", 256) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
