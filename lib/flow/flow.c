/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow table: creation, destruction, names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "flow_priv.h"

static uint64_t heap_allocated(int socket)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(socket, &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

struct ww_flow_table *ww_flow_table_create(const char *name, uint32_t max_flows,
					   unsigned int worker_id,
					   const struct ww_flow_timeouts *to,
					   struct ww_flow_stats *stats,
					   int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = max_flows,
		.key_len = sizeof(struct ww_flow_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		/* Extendable buckets: an insert fails only when the table
		 * really holds max_flows keys, never on a bucket collision
		 * an attacker could provoke. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct ww_flow_table *t;
	uint64_t before;

	if (max_flows < 8 || worker_id >= (1u << 15) || stats == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	before = heap_allocated(socket < 0 ? 0 : socket);
	t = rte_zmalloc_socket("ww_flow_table", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto out_free;
	t->flows = rte_zmalloc_socket("ww_flows",
				      (size_t)max_flows * sizeof(*t->flows),
				      RTE_CACHE_LINE_SIZE, socket);
	if (t->flows == NULL) {
		rte_errno = ENOMEM;
		goto out_hash;
	}
	t->wheel_next = rte_malloc_socket("ww_flow_wheel",
					  (size_t)max_flows * sizeof(uint32_t),
					  0, socket);
	t->wheel_prev = rte_malloc_socket("ww_flow_wheel",
					  (size_t)max_flows * sizeof(uint32_t),
					  0, socket);
	if (t->wheel_next == NULL || t->wheel_prev == NULL) {
		rte_errno = ENOMEM;
		goto out_flows;
	}
	memset(t->wheel_prev, 0xff, (size_t)max_flows * sizeof(uint32_t));
	for (unsigned int i = 0; i < WHEEL_SLOTS; i++)
		t->wheel_head[i] = WHEEL_NONE;
	t->capacity = max_flows;
	t->stats = stats;
	for (unsigned int i = 0; i < LRU_MAX; i++)
		t->lru[i].head = t->lru[i].tail = LRU_NIL;
	t->timeouts = *to;
	/* Worker id in the top bits: ids stay unique across workers. */
	t->next_id = ((uint64_t)worker_id << 48) + 1;
	t->memory = heap_allocated(socket < 0 ? 0 : socket) - before;
	return t;

out_flows:
	rte_free(t->wheel_next);
	rte_free(t->wheel_prev);
	rte_free(t->flows);
out_hash:
	rte_hash_free(t->hash);
out_free:
	rte_free(t);
	return NULL;
}

void ww_flow_table_destroy(struct ww_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_free(t->flows);
	rte_free(t->wheel_next);
	rte_free(t->wheel_prev);
	rte_free(t->ext);
	rte_free(t);
}

int ww_flow_table_ext(struct ww_flow_table *t, uint32_t size, int socket)
{
	uint64_t before = heap_allocated(socket < 0 ? 0 : socket);

	if (size == 0 || size > WW_FLOW_EXT_MAX || size % 8 != 0 ||
	    t->ext != NULL)
		return -EINVAL;
	/* Not zeroed here: a flow's part is zeroed when the flow is made,
	 * so start-up does not write every byte of a large table. */
	t->ext = rte_malloc_socket("ww_flow_ext", (size_t)t->capacity * size,
				   RTE_CACHE_LINE_SIZE, socket);
	if (t->ext == NULL)
		return -ENOMEM;
	t->ext_size = size;
	t->memory += heap_allocated(socket < 0 ? 0 : socket) - before;
	return 0;
}

void ww_flow_set_end_cb(struct ww_flow_table *t, ww_flow_end_cb cb, void *arg)
{
	t->end_cb = cb;
	t->end_arg = arg;
}

void ww_flow_set_protected(struct ww_flow_table *t, ww_flow_protected_fn fn,
			   const void *arg)
{
	t->is_protected = fn;
	t->protected_arg = arg;
}

uint64_t ww_flow_table_memory(const struct ww_flow_table *t)
{
	return t->memory;
}

const char *ww_flow_state_name(enum ww_flow_state s)
{
	static const char *const names[WW_FLOW_STATE_MAX] = {
		[WW_FLOW_SYN] = "syn",
		[WW_FLOW_ESTABLISHED] = "established",
		[WW_FLOW_CLOSING] = "closing",
		[WW_FLOW_CLOSED] = "closed",
		[WW_FLOW_UDP] = "udp",
		[WW_FLOW_ICMP] = "icmp",
		[WW_FLOW_OTHER] = "other",
	};

	return (unsigned int)s < WW_FLOW_STATE_MAX ? names[s] : "unknown";
}

const char *ww_flow_end_name(enum ww_flow_end e)
{
	static const char *const names[WW_FLOW_END_MAX] = {
		[WW_FLOW_END_NONE] = "none",
		[WW_FLOW_END_FIN] = "fin",
		[WW_FLOW_END_RST] = "rst",
		[WW_FLOW_END_TIMEOUT] = "timeout",
		[WW_FLOW_END_EVICTED] = "evicted",
		[WW_FLOW_END_SHUTDOWN] = "shutdown",
	};

	return (unsigned int)e < WW_FLOW_END_MAX ? names[e] : "unknown";
}
