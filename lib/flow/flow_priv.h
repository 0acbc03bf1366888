/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_FLOW_PRIV_H
#define WW_FLOW_PRIV_H

/* Internals shared by flow.c (control path) and flow_dp.c (fast path). */

#include <rte_hash.h>

#include "ww_flow.h"

/* Eviction lists: flows that should go first when the table is full. */
enum flow_lru { LRU_NONE = 0, LRU_CLOSED, LRU_HALF_OPEN, LRU_MAX };

#define LRU_NIL UINT32_MAX

struct flow_list {
	uint32_t head, tail; /* oldest at head */
	uint32_t count;
};

struct ww_flow_table {
	struct flow_list lru[LRU_MAX];
	struct rte_hash *hash;
	struct ww_flow *flows; /* [capacity], indexed by hash key position */
	uint32_t capacity;
	uint32_t hand; /* clock hand for expiry and eviction */
	uint64_t last_sweep_ns;
	uint64_t sweep_owed; /* entries the hand is behind, at most capacity */
	uint64_t next_id;
	struct ww_flow_timeouts timeouts;
	struct ww_flow_stats *stats; /* the owner's counters */
	ww_flow_end_cb end_cb;
	void *end_arg;
	ww_flow_protected_fn is_protected;
	const void *protected_arg;
	uint64_t memory;
};

#endif /* WW_FLOW_PRIV_H */
