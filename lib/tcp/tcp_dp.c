/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP reassembly with first-arrival-wins normalization. See ww_tcp.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ww_tcp.h"

int ww_tcp_pool_init(struct ww_tcp_pool *pool, uint64_t bytes)
{
	uint64_t n = bytes / WW_TCP_BLOCK_DATA;
	uint32_t i;

	memset(pool, 0, sizeof(*pool));
	if (n == 0 || n >= WW_TCP_NIL)
		return -EINVAL;
	pool->blocks = calloc(n, sizeof(*pool->blocks));
	if (pool->blocks == NULL)
		return -ENOMEM;
	pool->n_blocks = (uint32_t)n;
	for (i = 0; i < pool->n_blocks; i++)
		pool->blocks[i].next =
			i + 1 < pool->n_blocks ? i + 1 : WW_TCP_NIL;
	pool->free_head = 0;
	pool->n_free = pool->n_blocks;
	return 0;
}

void ww_tcp_pool_free(struct ww_tcp_pool *pool)
{
	free(pool->blocks);
	memset(pool, 0, sizeof(*pool));
}

static uint32_t blk_alloc(struct ww_tcp_pool *pool)
{
	uint32_t b = pool->free_head;

	if (b == WW_TCP_NIL) {
		pool->cap_hits++;
		return WW_TCP_NIL;
	}
	pool->free_head = pool->blocks[b].next;
	pool->n_free--;
	pool->blocks[b].next = WW_TCP_NIL;
	pool->blocks[b].len = 0;
	return b;
}

static void blk_free(struct ww_tcp_pool *pool, uint32_t b)
{
	pool->blocks[b].next = pool->free_head;
	pool->free_head = b;
	pool->n_free++;
}

static void free_list(struct ww_tcp_pool *pool, uint32_t *head)
{
	while (*head != WW_TCP_NIL) {
		uint32_t next = pool->blocks[*head].next;

		blk_free(pool, *head);
		*head = next;
	}
}

void ww_tcp_stream_start(struct ww_tcp_stream *s, uint32_t next_seq)
{
	memset(s, 0, sizeof(*s));
	s->next_seq = next_seq;
	s->acked = next_seq;
	s->held = WW_TCP_NIL;
	s->kept = WW_TCP_NIL;
	s->started = 1;
}

void ww_tcp_stream_release(struct ww_tcp_pool *pool, struct ww_tcp_stream *s)
{
	if (!s->started)
		return;
	free_list(pool, &s->held);
	free_list(pool, &s->kept);
	s->charged = 0;
}

/* Compare the part of [seq, seq+len) that @list holds with @payload;
 * rewrite differing bytes when asked. @return WW_TCP_* bits. */
static unsigned int compare_list(const struct ww_tcp_pool *pool, uint32_t list,
				 uint32_t seq, uint8_t *payload, uint32_t len,
				 bool rewrite)
{
	const uint32_t end = seq + len;
	unsigned int flags = 0;

	for (; list != WW_TCP_NIL; list = pool->blocks[list].next) {
		const struct ww_tcp_block *b = &pool->blocks[list];
		uint32_t lo, hi;

		if (ww_seq_le(b->seq + b->len, seq))
			continue;
		if (ww_seq_le(end, b->seq))
			break; /* lists are in sequence order */
		lo = ww_seq_lt(seq, b->seq) ? b->seq : seq;
		hi = ww_seq_lt(end, b->seq + b->len) ? end : b->seq + b->len;
		flags |= WW_TCP_OVERLAP;
		if (memcmp(payload + (lo - seq), b->data + (lo - b->seq),
			   hi - lo) != 0) {
			flags |= WW_TCP_EVASION;
			if (rewrite) {
				memcpy(payload + (lo - seq),
				       b->data + (lo - b->seq), hi - lo);
				flags |= WW_TCP_REWRITTEN;
			}
		}
	}
	return flags;
}

/*
 * Store [seq, seq+len) of @data in the held list before block @before
 * (WW_TCP_NIL: at the end), after @prev (WW_TCP_NIL: at the head),
 * filling @prev's room first when the bytes follow it. @return 0 or -1
 * when a cap is hit.
 */
static int store(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
		 uint32_t *prev, uint32_t before, uint32_t seq,
		 const uint8_t *data, uint32_t len, uint32_t max_bytes)
{
	while (len > 0) {
		struct ww_tcp_block *p =
			*prev != WW_TCP_NIL ? &pool->blocks[*prev] : NULL;
		uint32_t b, n;

		if (p != NULL && p->seq + p->len == seq &&
		    p->len < WW_TCP_BLOCK_DATA) {
			n = WW_TCP_BLOCK_DATA - p->len;
			n = n < len ? n : len;
			memcpy(p->data + p->len, data, n);
			p->len += n;
		} else {
			if (s->charged + WW_TCP_BLOCK_DATA > max_bytes)
				return -1;
			b = blk_alloc(pool);
			if (b == WW_TCP_NIL)
				return -1;
			n = len < WW_TCP_BLOCK_DATA ? len : WW_TCP_BLOCK_DATA;
			pool->blocks[b].seq = seq;
			pool->blocks[b].len = n;
			memcpy(pool->blocks[b].data, data, n);
			pool->blocks[b].next = before;
			if (*prev == WW_TCP_NIL)
				s->held = b;
			else
				pool->blocks[*prev].next = b;
			*prev = b;
			s->charged += WW_TCP_BLOCK_DATA;
		}
		seq += n;
		data += n;
		len -= n;
	}
	return 0;
}

/* Store the bytes of [seq, seq+len) that the held list does not cover. */
static int store_gaps(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
		      uint32_t seq, const uint8_t *data, uint32_t len,
		      uint32_t max_bytes)
{
	const uint32_t end = seq + len;
	uint32_t cur = seq, prev = WW_TCP_NIL, b = s->held;

	while (b != WW_TCP_NIL && ww_seq_lt(cur, end)) {
		struct ww_tcp_block *blk = &pool->blocks[b];
		uint32_t bend = blk->seq + blk->len;

		if (ww_seq_le(bend, cur)) {
			prev = b;
			b = blk->next;
			continue;
		}
		if (ww_seq_lt(cur, blk->seq)) {
			uint32_t stop =
				ww_seq_lt(end, blk->seq) ? end : blk->seq;

			if (store(pool, s, &prev, b, cur, data + (cur - seq),
				  stop - cur, max_bytes) < 0)
				return -1;
			cur = stop;
			continue;
		}
		cur = bend; /* covered by this block */
		prev = b;
		b = blk->next;
	}
	if (ww_seq_lt(cur, end))
		return store(pool, s, &prev, WW_TCP_NIL, cur,
			     data + (cur - seq), end - cur, max_bytes);
	return 0;
}

/* Deliver what is contiguous from next_seq, moving it to the kept list. */
static unsigned int deliver_ready(struct ww_tcp_pool *pool,
				  struct ww_tcp_stream *s,
				  ww_tcp_deliver_fn deliver, void *arg)
{
	unsigned int flags = 0;
	uint32_t *tail = &s->kept;

	while (*tail != WW_TCP_NIL)
		tail = &pool->blocks[*tail].next;
	while (s->held != WW_TCP_NIL &&
	       pool->blocks[s->held].seq == s->next_seq) {
		uint32_t b = s->held;
		struct ww_tcp_block *blk = &pool->blocks[b];

		s->held = blk->next;
		blk->next = WW_TCP_NIL;
		if (deliver != NULL)
			deliver(arg, blk->data, blk->len);
		s->next_seq += blk->len;
		*tail = b;
		tail = &blk->next;
		flags |= WW_TCP_DELIVERED;
	}
	return flags;
}

unsigned int ww_tcp_segment(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
			    uint32_t seq, uint8_t *payload, uint32_t len,
			    bool rewrite, uint32_t max_bytes,
			    ww_tcp_deliver_fn deliver, void *arg)
{
	unsigned int flags;
	uint32_t from;

	if (!s->started || s->gave_up || len == 0)
		return 0;
	/* Earlier copies win: compare with everything stored first. */
	flags = compare_list(pool, s->kept, seq, payload, len, rewrite) |
		compare_list(pool, s->held, seq, payload, len, rewrite);
	if ((flags & WW_TCP_EVASION) && !rewrite)
		return flags; /* the caller drops it: store nothing */

	/* Only bytes from next_seq on are new. */
	from = ww_seq_lt(seq, s->next_seq) ? s->next_seq : seq;
	if (!ww_seq_lt(from, seq + len)) {
		if (!(flags & WW_TCP_OVERLAP))
			flags |= WW_TCP_OLD;
		return flags;
	}
	if (store_gaps(pool, s, from, payload + (from - seq), seq + len - from,
		       max_bytes) < 0) {
		/* Over a cap: this direction is no longer reassembled; the
		 * caller applies its exception policy. */
		ww_tcp_stream_release(pool, s);
		s->gave_up = 1;
		return flags | WW_TCP_CAP;
	}
	return flags | deliver_ready(pool, s, deliver, arg);
}

void ww_tcp_ack(struct ww_tcp_pool *pool, struct ww_tcp_stream *s, uint32_t ack)
{
	if (!s->started || s->gave_up)
		return;
	/* Never past what was delivered: an ACK for bytes never seen
	 * cannot free bytes still to inspect. */
	if (ww_seq_lt(s->next_seq, ack))
		ack = s->next_seq;
	if (ww_seq_lt(s->acked, ack))
		s->acked = ack;
	while (s->kept != WW_TCP_NIL) {
		struct ww_tcp_block *b = &pool->blocks[s->kept];
		uint32_t next = b->next;

		if (!ww_seq_le(b->seq + b->len, s->acked))
			break;
		blk_free(pool, s->kept);
		s->charged -= WW_TCP_BLOCK_DATA;
		s->kept = next;
	}
}
