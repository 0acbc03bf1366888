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

/* Timer wheel: one slot per second, WHEEL_SLOTS seconds round; a flow
 * waits in the slot of its deadline (a later deadline comes round again
 * and is put back). */
#define WHEEL_SLOTS 4096u
#define WHEEL_MASK  (WHEEL_SLOTS - 1)
/* wheel_prev of a slot's first flow: WHEEL_HEAD + slot. */
#define WHEEL_HEAD 0x80000000u
#define WHEEL_NONE UINT32_MAX /* not in the wheel */

struct ww_flow_table {
	struct flow_list lru[LRU_MAX];
	struct rte_hash *hash;
	struct ww_flow *flows; /* [capacity], indexed by hash key position */
	uint32_t capacity;
	uint32_t hand; /* clock hand for eviction sampling */
	/* Expiry: per flow index, the wheel's links (parallel to flows[],
	 * so the flow state keeps its two cache lines). */
	uint32_t *wheel_next, *wheel_prev;
	uint32_t wheel_head[WHEEL_SLOTS];
	uint64_t wheel_tick; /* seconds: every slot up to it was visited */
	bool wheel_on;	     /* wheel_tick was set (by the first flow) */
	uint64_t next_id;
	struct ww_flow_timeouts timeouts;
	struct ww_flow_stats *stats; /* the owner's counters */
	ww_flow_end_cb end_cb;
	void *end_arg;
	ww_flow_protected_fn is_protected;
	const void *protected_arg;
	uint64_t memory;
	/* The owner's per-flow state (ww_flow_table_ext): ext_size bytes per
	 * flow index, zeroed when a flow is created. */
	uint8_t *ext;
	uint32_t ext_size;
};

#endif /* WW_FLOW_PRIV_H */
