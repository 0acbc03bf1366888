/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets, control side: tables and the share rebalancing. See
 * ww_limit.h for who owns which memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "ww_limit.h"

/* A slot as the rebalancer last saw it. */
struct ww_limit_seen {
	uint64_t hits; /* the entry's hits then */
	uint32_t gen;  /* the entry's gen then; 0 = not seen yet */
};

/* A live bucket whose key has its home in this call's window. */
struct ww_limit_cand {
	struct ww_limit_key key;
	uint32_t hash;
	uint32_t idx;	 /* slot */
	uint32_t gen;	 /* the entry's gen when read */
	uint64_t demand; /* hits since the key's last visit */
};

int ww_limit_table_init(struct ww_limit_table *t, uint32_t entries, int socket)
{
	uint32_t n = rte_align32pow2(entries < 64 ? 64 : entries);
	struct ww_limit_ctl *ctl;

	memset(t, 0, sizeof(*t));
	t->e = rte_zmalloc_socket("ww_limit", sizeof(*t->e) * n,
				  RTE_CACHE_LINE_SIZE, socket);
	if (t->e == NULL)
		goto out_nomem;
	/* Read by the worker on every request: on its socket. */
	t->share = rte_zmalloc_socket("ww_limit_share", sizeof(*t->share) * n,
				      RTE_CACHE_LINE_SIZE, socket);
	if (t->share == NULL)
		goto out_nomem;
	/* The rest only the control thread touches: on its socket, which
	 * is the caller's. */
	ctl = rte_zmalloc("ww_limit_ctl", sizeof(*ctl), RTE_CACHE_LINE_SIZE);
	if (ctl == NULL)
		goto out_nomem;
	t->ctl = ctl;
	ctl->seen = rte_zmalloc("ww_limit_seen", sizeof(*ctl->seen) * n,
				RTE_CACHE_LINE_SIZE);
	ctl->cand = rte_malloc("ww_limit_cand",
			       sizeof(*ctl->cand) * WW_LIMIT_REBALANCE_SLOTS,
			       RTE_CACHE_LINE_SIZE);
	if (ctl->seen == NULL || ctl->cand == NULL)
		goto out_nomem;
	ctl->budget = WW_LIMIT_REBALANCE_SLOTS;
	t->mask = n - 1;
	return 0;

out_nomem:
	ww_limit_table_free(t);
	return -ENOMEM;
}

void ww_limit_table_free(struct ww_limit_table *t)
{
	if (t->ctl != NULL) {
		rte_free(t->ctl->seen);
		rte_free(t->ctl->cand);
		rte_free(t->ctl);
		t->ctl = NULL;
	}
	rte_free(t->share);
	t->share = NULL;
	rte_free(t->e);
	t->e = NULL;
}

/* Order of the window's candidates: by hash (so by home slot), then key.
 * The same in every table, so that the tables' lists merge. */
static int cand_cmp(const struct ww_limit_cand *x,
		    const struct ww_limit_cand *y)
{
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static int by_cand(const void *a, const void *b)
{
	return cand_cmp(a, b);
}

/*
 * Read the key and hits of @e as one snapshot, against a worker that may
 * be giving the slot to another key (the seqlock of ww_limit.h).
 * @return 1 with *@key, *@hits and *@gen; 0 for a slot never used; -1
 * when the worker was rewriting it.
 */
static int read_entry(const struct ww_limit_entry *e, struct ww_limit_key *key,
		      uint64_t *hits, uint32_t *gen)
{
	const uint32_t g = __atomic_load_n(&e->gen, __ATOMIC_ACQUIRE);

	if (g == 0)
		return 0;
	if (g & 1)
		return -1;
	memcpy(key, &e->key, sizeof(*key));
	*hits = __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&e->gen, __ATOMIC_RELAXED) != g)
		return -1;
	*gen = g;
	return 1;
}

/*
 * Fill @t's candidates with the live buckets whose home is in
 * [@c, @c + @win) of a hash space of @space slots, each with its demand
 * since its last visit, sorted. Reads at most @win + WW_LIMIT_PROBE - 1
 * slots of @t: a key lies at most that far past its home.
 */
static void collect(struct ww_limit_table *t, uint32_t c, uint32_t win,
		    uint32_t space)
{
	struct ww_limit_ctl *ctl = t->ctl;
	uint32_t scan = win + WW_LIMIT_PROBE - 1, i, k = 0;

	if (scan > t->mask + 1)
		scan = t->mask + 1; /* the whole (smaller) table */
	for (i = 0; i < scan; i++) {
		const uint32_t idx = (c + i) & t->mask;
		struct ww_limit_cand *x = &ctl->cand[k];
		struct ww_limit_seen *s = &ctl->seen[idx];
		uint64_t hits;
		uint32_t gen;
		int r = read_entry(&t->e[idx], &x->key, &hits, &gen);

		if (r <= 0) {
			/* A torn slot waits for the next sweep: its
			 * demand then spans two, which skews one split. */
			ctl->stats.torn += r < 0;
			continue;
		}
		x->hash = rte_hash_crc(&x->key, sizeof(x->key), 0);
		if (((x->hash - c) & (space - 1)) >= win)
			continue; /* homed in another window */
		if (s->gen != gen) {
			/* A bucket made since the last visit: its hits
			 * started from 0 and all count. */
			ctl->stats.reused += s->gen != 0;
			x->demand = hits;
		} else {
			/* Hits of one generation only grow; should they
			 * not, count afresh rather than wrap. */
			x->demand = hits >= s->hits ? hits - s->hits : hits;
		}
		s->gen = gen;
		s->hits = hits;
		x->idx = idx;
		x->gen = gen;
		k++;
	}
	qsort(ctl->cand, k, sizeof(*ctl->cand), by_cand);
	ctl->n_cand = k;
	ctl->head = 0;
	ctl->stats.last_visited = scan;
	ctl->stats.visited += scan;
	ctl->stats.calls++;
}

static const struct ww_limit_cand *head(const struct ww_limit_table *t)
{
	const struct ww_limit_ctl *ctl = t->ctl;

	return ctl->head < ctl->n_cand ? &ctl->cand[ctl->head] : NULL;
}

/* Give @x's bucket @share. The word is written only when the share the
 * worker sees changes: each store costs the worker a miss. */
static void set_share(struct ww_limit_table *t, const struct ww_limit_cand *x,
		      uint32_t share)
{
	uint64_t *w = &t->share[x->idx];
	const uint64_t old = *w; /* this thread is the only writer */
	const uint32_t cur = (uint32_t)(old >> 32) == x->gen
				     ? (uint32_t)old
				     : WW_LIMIT_SHARE_ONE;

	/* If the worker gave the slot to another key since the read, the
	 * word names the old generation and the worker ignores it. */
	if (cur != share)
		__atomic_store_n(w, (uint64_t)x->gen << 32 | share,
				 __ATOMIC_RELAXED);
}

/* Split the key at the heads of the tables equal to @key (by cand_cmp)
 * by their demands, and move those heads on. @return 1 if split. */
static uint32_t split_key(struct ww_limit_table *const *tables, unsigned int n,
			  const struct ww_limit_cand *key)
{
	uint64_t total = 0, floor;
	unsigned int w, m = 0;

	for (w = 0; w < n; w++) {
		const struct ww_limit_cand *x = head(tables[w]);

		if (x != NULL && cand_cmp(x, key) == 0) {
			total += x->demand;
			m++;
		}
	}
	floor = WW_LIMIT_SHARE_ONE / (16 * m);
	if (floor == 0)
		floor = 1; /* a share of 0 would never refill */
	for (w = 0; w < n; w++) {
		const struct ww_limit_cand *x = head(tables[w]);
		uint64_t s;

		if (x == NULL || cand_cmp(x, key) != 0)
			continue;
		tables[w]->ctl->head++;
		if (m == 1) {
			set_share(tables[w], x, WW_LIMIT_SHARE_ONE);
			continue;
		}
		if (total == 0)
			continue; /* idle: keep the shares it has */
		s = (uint64_t)((unsigned __int128)x->demand *
			       WW_LIMIT_SHARE_ONE / total);
		set_share(tables[w], x, (uint32_t)(s > floor ? s : floor));
	}
	return m > 1 && total > 0;
}

uint32_t ww_limit_rebalance(struct ww_limit_table *const *tables,
			    unsigned int n)
{
	uint32_t space = 0, budget = WW_LIMIT_REBALANCE_SLOTS, win, c, next;
	uint32_t split = 0;
	unsigned int w;

	if (n < 2)
		return 0; /* one worker owns every key: shares stay whole */
	for (w = 0; w < n; w++) {
		if (tables[w]->mask + 1 > space)
			space = tables[w]->mask + 1;
		if (tables[w]->ctl->budget < budget)
			budget = tables[w]->ctl->budget;
	}
	if (budget < WW_LIMIT_PROBE)
		budget = WW_LIMIT_PROBE;
	win = budget - (WW_LIMIT_PROBE - 1);
	if (win > space)
		win = space;
	/* The window is in the hash space of the largest table: in a
	 * smaller one it wraps, and the home test sorts out the aliases. */
	c = tables[0]->ctl->cursor & (space - 1);
	for (w = 0; w < n; w++)
		collect(tables[w], c, win, space);
	for (;;) {
		struct ww_limit_cand min;
		bool any = false;

		for (w = 0; w < n; w++) {
			const struct ww_limit_cand *x = head(tables[w]);

			if (x != NULL && (!any || cand_cmp(x, &min) < 0)) {
				min = *x;
				any = true;
			}
		}
		if (!any)
			break;
		split += split_key(tables, n, &min);
	}
	next = (c + win) & (space - 1);
	for (w = 0; w < n; w++) {
		tables[w]->ctl->cursor = next;
		tables[w]->ctl->stats.sweeps += c + win >= space;
	}
	return split;
}
