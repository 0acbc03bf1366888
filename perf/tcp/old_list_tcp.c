/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The peer of bench_tcp: lib/tcp as it was before its blocks were put in
 * an ordered slot ring (commit d03c3fa), when stored blocks were kept in
 * sorted linked lists that every segment walked. Kept only to measure
 * against, with its names changed; not used by the appliance.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "old_list_tcp.h"

/* Pool of @bytes of payload storage (rounded down to blocks). Control
 * thread. @return 0 or -ENOMEM. */
int old_tcp_pool_init(struct old_tcp_pool *pool, uint64_t bytes);
void old_tcp_pool_free(struct old_tcp_pool *pool);

/* Start a direction whose next byte is @next_seq (ISN + 1 after SYN). */
void old_tcp_stream_start(struct old_tcp_stream *s, uint32_t next_seq);

/*
 * A segment of this direction: @seq and @len bytes of @payload.
 * @rewrite: when stored bytes differ, overwrite them in @payload (the
 * caller then fixes the checksum); otherwise leave @payload alone (the
 * caller drops the segment). @max_bytes: per-direction cap.
 * @return OLD_TCP_* bits.
 */
unsigned int old_tcp_segment(struct old_tcp_pool *pool,
			     struct old_tcp_stream *s, uint32_t seq,
			     uint8_t *payload, uint32_t len, bool rewrite,
			     uint32_t max_bytes, old_tcp_deliver_fn deliver,
			     void *arg);

/* The receiver acknowledged up to @ack: free what it holds. */
void old_tcp_ack(struct old_tcp_pool *pool, struct old_tcp_stream *s,
		 uint32_t ack);

/* Give back everything the stream holds (flow end). */
void old_tcp_stream_release(struct old_tcp_pool *pool,
			    struct old_tcp_stream *s);

/* a < b, a <= b in sequence space (RFC 9293 3.4). */
static inline bool old_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool old_seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

int old_tcp_pool_init(struct old_tcp_pool *pool, uint64_t bytes)
{
	uint64_t n = bytes / OLD_TCP_BLOCK_DATA;
	uint32_t i;

	memset(pool, 0, sizeof(*pool));
	if (n == 0 || n >= OLD_TCP_NIL)
		return -EINVAL;
	pool->blocks = calloc(n, sizeof(*pool->blocks));
	if (pool->blocks == NULL)
		return -ENOMEM;
	pool->n_blocks = (uint32_t)n;
	for (i = 0; i < pool->n_blocks; i++)
		pool->blocks[i].next =
			i + 1 < pool->n_blocks ? i + 1 : OLD_TCP_NIL;
	pool->free_head = 0;
	pool->n_free = pool->n_blocks;
	return 0;
}

void old_tcp_pool_free(struct old_tcp_pool *pool)
{
	free(pool->blocks);
	memset(pool, 0, sizeof(*pool));
}

static uint32_t blk_alloc(struct old_tcp_pool *pool)
{
	uint32_t b = pool->free_head;

	if (b == OLD_TCP_NIL) {
		pool->cap_hits++;
		return OLD_TCP_NIL;
	}
	pool->free_head = pool->blocks[b].next;
	pool->n_free--;
	pool->blocks[b].next = OLD_TCP_NIL;
	pool->blocks[b].len = 0;
	return b;
}

static void blk_free(struct old_tcp_pool *pool, uint32_t b)
{
	pool->blocks[b].next = pool->free_head;
	pool->free_head = b;
	pool->n_free++;
}

static void free_list(struct old_tcp_pool *pool, uint32_t *head)
{
	while (*head != OLD_TCP_NIL) {
		uint32_t next = pool->blocks[*head].next;

		blk_free(pool, *head);
		*head = next;
	}
}

void old_tcp_stream_start(struct old_tcp_stream *s, uint32_t next_seq)
{
	memset(s, 0, sizeof(*s));
	s->next_seq = next_seq;
	s->acked = next_seq;
	s->held = OLD_TCP_NIL;
	s->kept = OLD_TCP_NIL;
	s->started = 1;
}

void old_tcp_stream_release(struct old_tcp_pool *pool, struct old_tcp_stream *s)
{
	if (!s->started)
		return;
	free_list(pool, &s->held);
	free_list(pool, &s->kept);
	s->charged = 0;
}

/* Compare the part of [seq, seq+len) that @list holds with @payload;
 * rewrite differing bytes when asked. @return OLD_TCP_* bits. */
static unsigned int compare_list(const struct old_tcp_pool *pool, uint32_t list,
				 uint32_t seq, uint8_t *payload, uint32_t len,
				 bool rewrite)
{
	const uint32_t end = seq + len;
	unsigned int flags = 0;

	for (; list != OLD_TCP_NIL; list = pool->blocks[list].next) {
		const struct old_tcp_block *b = &pool->blocks[list];
		uint32_t lo, hi;

		if (old_seq_le(b->seq + b->len, seq))
			continue;
		if (old_seq_le(end, b->seq))
			break; /* lists are in sequence order */
		lo = old_seq_lt(seq, b->seq) ? b->seq : seq;
		hi = old_seq_lt(end, b->seq + b->len) ? end : b->seq + b->len;
		flags |= OLD_TCP_OVERLAP;
		if (memcmp(payload + (lo - seq), b->data + (lo - b->seq),
			   hi - lo) != 0) {
			flags |= OLD_TCP_EVASION;
			if (rewrite) {
				memcpy(payload + (lo - seq),
				       b->data + (lo - b->seq), hi - lo);
				flags |= OLD_TCP_REWRITTEN;
			}
		}
	}
	return flags;
}

/*
 * Store [seq, seq+len) of @data in the held list before block @before
 * (OLD_TCP_NIL: at the end), after @prev (OLD_TCP_NIL: at the head),
 * filling @prev's room first when the bytes follow it. @return 0 or -1
 * when a cap is hit.
 */
static int store(struct old_tcp_pool *pool, struct old_tcp_stream *s,
		 uint32_t *prev, uint32_t before, uint32_t seq,
		 const uint8_t *data, uint32_t len, uint32_t max_bytes)
{
	while (len > 0) {
		struct old_tcp_block *p =
			*prev != OLD_TCP_NIL ? &pool->blocks[*prev] : NULL;
		uint32_t b, n;

		if (p != NULL && p->seq + p->len == seq &&
		    p->len < OLD_TCP_BLOCK_DATA) {
			n = OLD_TCP_BLOCK_DATA - p->len;
			n = n < len ? n : len;
			memcpy(p->data + p->len, data, n);
			p->len += n;
		} else {
			if (s->charged + OLD_TCP_BLOCK_DATA > max_bytes)
				return -1;
			b = blk_alloc(pool);
			if (b == OLD_TCP_NIL)
				return -1;
			n = len < OLD_TCP_BLOCK_DATA ? len : OLD_TCP_BLOCK_DATA;
			pool->blocks[b].seq = seq;
			pool->blocks[b].len = n;
			memcpy(pool->blocks[b].data, data, n);
			pool->blocks[b].next = before;
			if (*prev == OLD_TCP_NIL)
				s->held = b;
			else
				pool->blocks[*prev].next = b;
			*prev = b;
			s->charged += OLD_TCP_BLOCK_DATA;
		}
		seq += n;
		data += n;
		len -= n;
	}
	return 0;
}

/* Store the bytes of [seq, seq+len) that the held list does not cover. */
static int store_gaps(struct old_tcp_pool *pool, struct old_tcp_stream *s,
		      uint32_t seq, const uint8_t *data, uint32_t len,
		      uint32_t max_bytes)
{
	const uint32_t end = seq + len;
	uint32_t cur = seq, prev = OLD_TCP_NIL, b = s->held;

	while (b != OLD_TCP_NIL && old_seq_lt(cur, end)) {
		struct old_tcp_block *blk = &pool->blocks[b];
		uint32_t bend = blk->seq + blk->len;

		if (old_seq_le(bend, cur)) {
			prev = b;
			b = blk->next;
			continue;
		}
		if (old_seq_lt(cur, blk->seq)) {
			uint32_t stop =
				old_seq_lt(end, blk->seq) ? end : blk->seq;

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
	if (old_seq_lt(cur, end))
		return store(pool, s, &prev, OLD_TCP_NIL, cur,
			     data + (cur - seq), end - cur, max_bytes);
	return 0;
}

/* Deliver what is contiguous from next_seq, moving it to the kept list. */
static unsigned int deliver_ready(struct old_tcp_pool *pool,
				  struct old_tcp_stream *s,
				  old_tcp_deliver_fn deliver, void *arg)
{
	unsigned int flags = 0;
	uint32_t *tail = &s->kept;

	while (*tail != OLD_TCP_NIL)
		tail = &pool->blocks[*tail].next;
	while (s->held != OLD_TCP_NIL &&
	       pool->blocks[s->held].seq == s->next_seq) {
		uint32_t b = s->held;
		struct old_tcp_block *blk = &pool->blocks[b];

		s->held = blk->next;
		blk->next = OLD_TCP_NIL;
		if (deliver != NULL)
			deliver(arg, blk->data, blk->len);
		s->next_seq += blk->len;
		*tail = b;
		tail = &blk->next;
		flags |= OLD_TCP_DELIVERED;
	}
	return flags;
}

unsigned int old_tcp_segment(struct old_tcp_pool *pool,
			     struct old_tcp_stream *s, uint32_t seq,
			     uint8_t *payload, uint32_t len, bool rewrite,
			     uint32_t max_bytes, old_tcp_deliver_fn deliver,
			     void *arg)
{
	unsigned int flags;
	uint32_t from;

	if (!s->started || s->gave_up || len == 0)
		return 0;
	/* Earlier copies win: compare with everything stored first. */
	flags = compare_list(pool, s->kept, seq, payload, len, rewrite) |
		compare_list(pool, s->held, seq, payload, len, rewrite);
	if ((flags & OLD_TCP_EVASION) && !rewrite)
		return flags; /* the caller drops it: store nothing */

	/* Only bytes from next_seq on are new. */
	from = old_seq_lt(seq, s->next_seq) ? s->next_seq : seq;
	if (!old_seq_lt(from, seq + len)) {
		if (!(flags & OLD_TCP_OVERLAP))
			flags |= OLD_TCP_OLD;
		return flags;
	}
	if (store_gaps(pool, s, from, payload + (from - seq), seq + len - from,
		       max_bytes) < 0) {
		/* Over a cap: this direction is no longer reassembled; the
		 * caller applies its exception policy. */
		old_tcp_stream_release(pool, s);
		s->gave_up = 1;
		return flags | OLD_TCP_CAP;
	}
	return flags | deliver_ready(pool, s, deliver, arg);
}

void old_tcp_ack(struct old_tcp_pool *pool, struct old_tcp_stream *s,
		 uint32_t ack)
{
	if (!s->started || s->gave_up)
		return;
	/* Never past what was delivered: an ACK for bytes never seen
	 * cannot free bytes still to inspect. */
	if (old_seq_lt(s->next_seq, ack))
		ack = s->next_seq;
	if (old_seq_lt(s->acked, ack))
		s->acked = ack;
	while (s->kept != OLD_TCP_NIL) {
		struct old_tcp_block *b = &pool->blocks[s->kept];
		uint32_t next = b->next;

		if (!old_seq_le(b->seq + b->len, s->acked))
			break;
		blk_free(pool, s->kept);
		s->charged -= OLD_TCP_BLOCK_DATA;
		s->kept = next;
	}
}
