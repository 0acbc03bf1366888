/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets, fast path. See ww_limit.h. */
#include <string.h>

#include <rte_hash_crc.h>

#include "ww_limit.h"

#define TOKEN 1000000000ull /* one token, in 1e-9 tokens */

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
	e->key = *key;
	e->share = WW_LIMIT_SHARE_ONE;
	e->tokens = cap;
	e->last_ns = now_ns ? now_ns : 1;
	e->hits = 0;
	e->hits_seen = 0;
	return e;
}

bool ww_limit_take(struct ww_limit_table *t, const struct ww_limit_key *key,
		   const struct ww_limit_rule *rule, uint64_t now_ns,
		   uint32_t *retry_s)
{
	const uint64_t full = (uint64_t)rule->burst * TOKEN;
	struct ww_limit_entry *e = bucket(t, key, full, now_ns);
	const uint32_t share = __atomic_load_n(&e->share, __ATOMIC_RELAXED);
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
	e->hits++;
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
