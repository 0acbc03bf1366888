/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters keyed by something only traffic tells: HTTP requests per
 * service (server address and port) with their status classes and
 * latency histogram, and alerts per signature id. Each worker has its own
 * tables, sized by [metrics] before it starts; a key that finds no room
 * is counted apart, never allocated for. The control thread reads them
 * while the workers write (lib/metrics): a slot's key is complete before
 * the slot shows as used.
 */
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "stage.h"

const uint64_t ww_http_lat_bounds_ns[WW_HTTP_LAT_BUCKETS] = {
	1000000,    2500000,	5000000,     10000000,	25000000,
	50000000,   100000000,	250000000,   500000000, 1000000000,
	2500000000, 5000000000, 10000000000,
};

static const char *const http_class_names[WW_HTTP_CLASSES] = {
	"none", "1xx", "2xx", "3xx", "4xx", "5xx",
};

const char *ww_http_class_name(enum ww_http_class c)
{
	return (unsigned int)c < WW_HTTP_CLASSES ? http_class_names[c] : "?";
}

/* Slots for @max keys: a power of two, at least twice @max, so a probe
 * always ends on a free slot. */
static uint32_t slots_for(uint32_t max)
{
	return rte_align32pow2(max * 2);
}

int ww_worker_counters_create(struct ww_worker *w, int socket)
{
	const struct ww_conf *conf = w->ctx->conf;
	uint32_t n;

	n = slots_for(conf->metrics_max_services);
	w->svc.slot =
		rte_zmalloc_socket("ww_http_svc", sizeof(*w->svc.slot) * n,
				   RTE_CACHE_LINE_SIZE, socket);
	w->svc.mask = n - 1;
	w->svc.max = conf->metrics_max_services;
	n = slots_for(conf->metrics_max_signatures);
	w->sids.slot =
		rte_zmalloc_socket("ww_alert_sid", sizeof(*w->sids.slot) * n,
				   RTE_CACHE_LINE_SIZE, socket);
	w->sids.mask = n - 1;
	w->sids.max = conf->metrics_max_signatures;
	return w->svc.slot != NULL && w->sids.slot != NULL ? 0 : -ENOMEM;
}

void ww_worker_counters_destroy(struct ww_worker *w)
{
	rte_free(w->svc.slot);
	rte_free(w->sids.slot);
	memset(&w->svc, 0, sizeof(w->svc));
	memset(&w->sids, 0, sizeof(w->sids));
}

static inline uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x85ebca6bu;
	return h ^ (h >> 13);
}

/* The counters of service @family/@addr/@port: its slot, taken when
 * free and the table has room; NULL when it has none. */
static struct ww_http_svc_stats *svc_find(struct ww_worker *w, uint8_t family,
					  const uint8_t *addr, uint16_t port)
{
	struct ww_http_svc_table *t = &w->svc;
	const uint32_t alen = family == 4 ? 4 : 16;
	uint32_t words[4] = {0}, h = 0x9e3779b1u * (port + 1u), i;

	if (t->slot == NULL)
		return NULL;
	memcpy(words, addr, alen);
	for (i = 0; i < 4; i++)
		h = mix(h, words[i]);
	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		struct ww_http_svc *e = &t->slot[i];

		if (!e->used) {
			if (t->n == t->max)
				return NULL;
			e->family = family;
			e->port = port;
			memset(e->addr, 0, sizeof(e->addr));
			memcpy(e->addr, addr, alen);
			__atomic_store_n(&e->used, 1, __ATOMIC_RELEASE);
			t->n++;
			return &e->s;
		}
		if (e->port == port && e->family == family &&
		    memcmp(e->addr, addr, alen) == 0)
			return &e->s;
	}
}

void ww_http_svc_count(struct ww_worker *w, uint8_t family, const uint8_t *addr,
		       uint16_t port, uint16_t status, uint64_t latency_ns,
		       bool by_server)
{
	struct ww_http_svc_stats *s = svc_find(w, family, addr, port);
	unsigned int b;

	if (s == NULL) {
		w->stats.http_svc_overflow++;
		s = &w->svc.other;
	}
	s->requests[status >= 100 && status < 600 ? status / 100
						  : WW_HTTP_NONE]++;
	if (!by_server || status == 0)
		return;
	for (b = 0; b < WW_HTTP_LAT_BUCKETS; b++)
		if (latency_ns <= ww_http_lat_bounds_ns[b])
			break;
	s->lat_bucket[b]++;
	s->lat_sum_ns += latency_ns;
}

/* Count one alert of @sid. */
static void sid_count(struct ww_worker *w, uint32_t sid, enum ww_alert_cat cat)
{
	struct ww_alert_sid_table *t = &w->sids;
	uint32_t i;

	if (t->slot == NULL)
		return;
	for (i = mix(0x9e3779b1u, sid) & t->mask;; i = (i + 1) & t->mask) {
		struct ww_alert_sid *e = &t->slot[i];

		if (!e->used) {
			if (t->n == t->max) {
				w->stats.alert_sid_overflow++;
				return;
			}
			e->sid = sid;
			e->cat = (uint8_t)cat;
			__atomic_store_n(&e->used, 1, __ATOMIC_RELEASE);
			t->n++;
		} else if (e->sid != sid) {
			continue;
		}
		e->count++;
		return;
	}
}

void ww_alert_count(struct ww_worker *w, uint32_t sid, enum ww_alert_cat cat)
{
	w->stats.alerts[(unsigned int)cat < WW_ACAT_MAX ? cat
							: WW_ACAT_UNKNOWN]++;
	sid_count(w, sid, cat);
}
