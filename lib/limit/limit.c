/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets, control side: tables and the share rebalancing. See
 * ww_limit.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "ww_limit.h"

int ww_limit_table_init(struct ww_limit_table *t, uint32_t entries, int socket)
{
	uint32_t n = rte_align32pow2(entries < 64 ? 64 : entries);

	memset(t, 0, sizeof(*t));
	t->e = rte_zmalloc_socket("ww_limit", sizeof(*t->e) * n,
				  RTE_CACHE_LINE_SIZE, socket);
	if (t->e == NULL)
		return -ENOMEM;
	t->mask = n - 1;
	return 0;
}

void ww_limit_table_free(struct ww_limit_table *t)
{
	rte_free(t->e);
	t->e = NULL;
}

/* One live bucket as the rebalancing pass saw it. */
struct seen {
	struct ww_limit_key key;
	uint32_t table, idx;
	uint64_t demand; /* hits since the last pass */
};

static int by_key(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));

	return c ? c : (x->table > y->table) - (x->table < y->table);
}

/* Write a share, unless the slot now holds another key. */
static void set_share(struct ww_limit_table *t, const struct seen *s,
		      uint32_t share)
{
	struct ww_limit_entry *e = &t->e[s->idx];

	if (memcmp(&e->key, &s->key, sizeof(s->key)) == 0 && e->share != share)
		__atomic_store_n(&e->share, share, __ATOMIC_RELAXED);
}

uint32_t ww_limit_rebalance(struct ww_limit_table *const *tables,
			    unsigned int n)
{
	struct seen *all;
	size_t cap = 0, k = 0, i, j;
	uint32_t split = 0;
	unsigned int w;

	if (n < 2)
		return 0; /* one worker owns every key: shares stay whole */
	for (w = 0; w < n; w++)
		cap += (size_t)tables[w]->mask + 1;
	all = malloc(sizeof(*all) * cap);
	if (all == NULL)
		return 0;
	for (w = 0; w < n; w++) {
		struct ww_limit_table *t = tables[w];
		uint32_t idx;

		for (idx = 0; idx <= t->mask; idx++) {
			struct ww_limit_entry *e = &t->e[idx];
			uint64_t hits;

			if (__atomic_load_n(&e->last_ns, __ATOMIC_RELAXED) == 0)
				continue;
			hits = __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
			all[k].key = e->key;
			all[k].table = w;
			all[k].idx = idx;
			all[k].demand = hits - e->hits_seen;
			e->hits_seen = hits;
			k++;
		}
	}
	qsort(all, k, sizeof(*all), by_key);
	for (i = 0; i < k; i = j) {
		uint64_t total = 0;
		size_t m;

		for (j = i; j < k && memcmp(&all[j].key, &all[i].key,
					    sizeof(all[i].key)) == 0;
		     j++)
			total += all[j].demand;
		m = j - i;
		if (m == 1) {
			set_share(tables[all[i].table], &all[i],
				  WW_LIMIT_SHARE_ONE);
			continue;
		}
		if (total == 0)
			continue; /* idle: keep the shares it has */
		for (; i < j; i++) {
			uint64_t s = all[i].demand * WW_LIMIT_SHARE_ONE / total;
			uint64_t floor = WW_LIMIT_SHARE_ONE / (16 * m);

			set_share(tables[all[i].table], &all[i],
				  (uint32_t)(s > floor ? s : floor));
		}
		split++;
	}
	free(all);
	return split;
}
