/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets, fast path. See ww_limit.h. */
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "ww_limit.h"

#define TOKEN 1000000000ull /* one token, in 1e-9 tokens */

/* One line per bucket: a worker's request touches no neighbour's. */
_Static_assert(sizeof(struct ww_limit_entry) == 64, "one cache line");

void ww_limit_client_key(struct ww_limit_key *key, const uint8_t *addr, bool v4,
			 bool v4_net24, uint8_t kind, uint8_t route)
{
	memset(key, 0, sizeof(*key));
	if (v4)
		memcpy(key->addr, addr, v4_net24 ? 3 : 4);
	else
		memcpy(key->addr, addr, 8); /* the /64 */
	key->port = v4; /* keeps an IPv4 key apart from an IPv6 one */
	key->kind = kind;
	key->route = route;
}

/* The slot of @key in @t, or NULL. Any thread: a torn key only misses. */
static const struct ww_limit_entry *find(const struct ww_limit_table *t,
					 const struct ww_limit_key *key)
{
	const uint32_t h = rte_hash_crc(key, sizeof(*key), 0);
	unsigned int p;

	for (p = 0; p < WW_LIMIT_PROBE; p++) {
		const struct ww_limit_entry *e = &t->e[(h + p) & t->mask];

		/* Slots are never freed: the key is not past a free one. */
		if (__atomic_load_n(&e->gen, __ATOMIC_RELAXED) == 0)
			return NULL;
		if (memcmp(&e->key, key, sizeof(*key)) == 0)
			return e;
	}
	return NULL;
}

/* The bucket of @key: found, or made (full) in a free or the least
 * recently used of the probed slots. */
static struct ww_limit_entry *bucket(struct ww_limit_table *t,
				     const struct ww_limit_key *key,
				     uint64_t cap, uint64_t now_ns)
{
	const uint32_t h = rte_hash_crc(key, sizeof(*key), 0);
	struct ww_limit_entry *free_slot = NULL, *victim = NULL, *e;
	uint64_t oldest = UINT64_MAX;
	unsigned int p;
	uint32_t gen;

	/* take reads the share word of the slot found: fetch the line of
	 * the probed slots' words while the probe runs. */
	rte_prefetch0(&t->share[h & t->mask]);
	for (p = 0; p < WW_LIMIT_PROBE; p++) {
		e = &t->e[(h + p) & t->mask];
		if (e->last_ns == 0) {
			if (free_slot == NULL)
				free_slot = e;
		} else if (memcmp(&e->key, key, sizeof(*key)) == 0) {
			return e;
		} else if (e->last_ns < oldest) {
			oldest = e->last_ns;
			victim = e;
		}
	}
	e = free_slot;
	if (e == NULL) {
		e = victim;
		t->stats.evicted++;
	}
	/* A new key: seqlock write (see ww_limit.h), so that the control
	 * thread never takes the old key's hits for the new one's. Only
	 * here, never per request. */
	gen = e->gen;
	__atomic_store_n(&e->gen, gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->key = *key;
	e->tokens = cap;
	e->last_ns = now_ns ? now_ns : 1;
	__atomic_store_n(&e->hits, 0, __ATOMIC_RELAXED);
	gen += 2;
	if (gen == 0)
		gen = 2; /* 0 means never used, and matches a zeroed word */
	__atomic_store_n(&e->gen, gen, __ATOMIC_RELEASE);
	return e;
}

/* The share the control thread gave the bucket in @e, if it was given to
 * this key (same generation); a new bucket has the whole rate. */
static inline uint32_t share_of(const struct ww_limit_table *t,
				const struct ww_limit_entry *e, uint32_t gen)
{
	const uint64_t w =
		__atomic_load_n(&t->share[e - t->e], __ATOMIC_RELAXED);

	return (uint32_t)(w >> 32) == gen ? (uint32_t)w : WW_LIMIT_SHARE_ONE;
}

uint32_t ww_limit_share(const struct ww_limit_table *t,
			const struct ww_limit_key *key)
{
	const struct ww_limit_entry *e = find(t, key);

	return e != NULL ? share_of(t, e,
				    __atomic_load_n(&e->gen, __ATOMIC_RELAXED))
			 : 0;
}

bool ww_limit_take(struct ww_limit_table *t, const struct ww_limit_key *key,
		   const struct ww_limit_rule *rule, uint64_t now_ns,
		   uint32_t *retry_s)
{
	const uint64_t full = (uint64_t)rule->burst * TOKEN;
	struct ww_limit_entry *e = bucket(t, key, full, now_ns);
	const uint32_t share = share_of(t, e, e->gen);
	/* This worker's part of the rate (1e-9 tokens per ns) and burst. */
	const uint64_t rate = (uint64_t)rule->rate * share;
	uint64_t cap = (uint64_t)(((unsigned __int128)full * share) >> 16);

	if (cap < TOKEN)
		cap = TOKEN;
	if (now_ns > e->last_ns) {
		unsigned __int128 refill =
			((unsigned __int128)(now_ns - e->last_ns) * rate) >> 16;

		uint64_t room = cap > e->tokens ? cap - e->tokens : 0;

		e->tokens = refill >= room ? cap : e->tokens + (uint64_t)refill;
		e->last_ns = now_ns;
	}
	if (e->tokens > cap)
		e->tokens = cap; /* the share shrank since the last refill */
	/* A plain increment, stored whole for the control thread's load. */
	__atomic_store_n(&e->hits, e->hits + 1, __ATOMIC_RELAXED);
	if (e->tokens >= TOKEN) {
		e->tokens -= TOKEN;
		t->stats.allowed++;
		return true;
	}
	t->stats.limited++;
	if (retry_s != NULL) {
		uint64_t per_s = rate >> 16; /* 1e-9 tokens per ns = tokens/s */
		uint64_t ns = per_s ? (TOKEN - e->tokens + per_s - 1) / per_s
				    : UINT64_MAX;

		*retry_s = ns >= UINT32_MAX * TOKEN
				   ? UINT32_MAX
				   : (uint32_t)((ns + TOKEN - 1) / TOKEN);
		if (*retry_s == 0)
			*retry_s = 1;
	}
	return false;
}
