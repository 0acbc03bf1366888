/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP reassembly with first-arrival-wins normalization. See ww_tcp.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ww_tcp.h"

/* Block numbers count blocks from the stream's origin, modulo 2^24 (the
 * sequence space holds 2^24 blocks), so a stream can wrap. */
#define BN_MASK 0xffffffu

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
	pool->reserve = pool->n_blocks / 8;
	return 0;
}

void ww_tcp_pool_free(struct ww_tcp_pool *pool)
{
	free(pool->blocks);
	memset(pool, 0, sizeof(*pool));
}

uint32_t ww_tcp_slots_for(uint32_t max_bytes)
{
	uint32_t need = (max_bytes + WW_TCP_BLOCK_DATA - 1) / WW_TCP_BLOCK_DATA;
	uint32_t n = 2;

	while (n < need && n < (BN_MASK + 1) / 2)
		n <<= 1;
	return n;
}

/* The caller made sure a block is free. */
static uint32_t blk_alloc(struct ww_tcp_pool *pool)
{
	uint32_t b = pool->free_head;
	struct ww_tcp_block *blk = &pool->blocks[b];

	pool->free_head = blk->next;
	pool->n_free--;
	memset(blk->present, 0, sizeof(blk->present));
	return b;
}

static void blk_free(struct ww_tcp_pool *pool, uint32_t b)
{
	pool->blocks[b].next = pool->free_head;
	pool->free_head = b;
	pool->n_free++;
}

static inline uint32_t block_no(const struct ww_tcp_stream *s, uint32_t seq)
{
	return ((seq - s->origin) >> WW_TCP_BLOCK_SHIFT) & BN_MASK;
}

static inline uint32_t *slot(struct ww_tcp_stream *s, uint32_t bn)
{
	return &s->slots[bn & s->slot_mask];
}

void ww_tcp_stream_start(struct ww_tcp_stream *s, uint32_t next_seq,
			 uint32_t *slots, uint32_t n_slots)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->next_seq = next_seq;
	s->acked = next_seq;
	s->origin = next_seq;
	s->slots = slots;
	s->slot_mask = n_slots - 1;
	for (i = 0; i < n_slots; i++)
		slots[i] = WW_TCP_NIL;
	s->started = 1;
}

void ww_tcp_window(struct ww_tcp_stream *s, uint32_t ack, uint32_t window)
{
	uint32_t right = ack + window;

	if (!s->wnd_known || ww_seq_lt(s->wnd_right, right)) {
		s->wnd_right = right;
		s->wnd_known = 1;
	}
}

void ww_tcp_stream_release(struct ww_tcp_pool *pool, struct ww_tcp_stream *s)
{
	if (!s->started || s->slots == NULL)
		return;
	for (; s->lo != s->hi; s->lo = (s->lo + 1) & BN_MASK) {
		uint32_t *sl = slot(s, s->lo);

		if (*sl != WW_TCP_NIL) {
			blk_free(pool, *sl);
			*sl = WW_TCP_NIL;
		}
	}
	s->charged = 0;
}

/* Bitmap helpers over a block's present[] bits [from, to). */
static inline uint64_t word_mask(uint32_t w, uint32_t from, uint32_t to)
{
	uint32_t a = from > w * 64 ? from - w * 64 : 0;
	uint32_t b = to < (w + 1) * 64 ? to - w * 64 : 64;
	uint64_t hi = b == 64 ? ~0ull : (1ull << b) - 1;

	return hi & ~((1ull << a) - 1);
}

enum range_state { RANGE_NONE, RANGE_ALL, RANGE_SOME };

static enum range_state range_state(const uint64_t *present, uint32_t from,
				    uint32_t to)
{
	uint32_t w;
	bool any = false, all = true;

	for (w = from / 64; w * 64 < to; w++) {
		uint64_t m = word_mask(w, from, to), p = present[w] & m;

		any |= p != 0;
		all &= p == m;
	}
	return all ? RANGE_ALL : any ? RANGE_SOME : RANGE_NONE;
}

static void range_set(uint64_t *present, uint32_t from, uint32_t to)
{
	uint32_t w;

	for (w = from / 64; w * 64 < to; w++)
		present[w] |= word_mask(w, from, to);
}

static inline bool bit(const uint64_t *present, uint32_t i)
{
	return (present[i / 64] >> (i % 64)) & 1;
}

/* Bytes present from @from on, without a gap. */
static uint32_t run_from(const uint64_t *present, uint32_t from)
{
	uint32_t i = from;

	while (i < WW_TCP_BLOCK_DATA) {
		uint64_t word = ~present[i / 64] >> (i % 64);

		if (word != 0)
			return i + (uint32_t)__builtin_ctzll(word) - from;
		i = (i / 64 + 1) * 64;
	}
	return WW_TCP_BLOCK_DATA - from;
}

/* Compare [off, off + n) of block @b with @p where present; rewrite the
 * differing bytes of @p when asked. @return WW_TCP_* bits. */
static unsigned int compare(struct ww_tcp_block *b, uint32_t off, uint8_t *p,
			    uint32_t n, bool rewrite)
{
	enum range_state st = range_state(b->present, off, off + n);
	unsigned int flags = WW_TCP_OVERLAP;
	uint32_t i;

	if (st == RANGE_NONE)
		return 0;
	if (st == RANGE_ALL) {
		if (memcmp(p, b->data + off, n) == 0)
			return flags;
		flags |= WW_TCP_EVASION;
		if (rewrite) {
			memcpy(p, b->data + off, n);
			flags |= WW_TCP_REWRITTEN;
		}
		return flags;
	}
	for (i = 0; i < n; i++) {
		if (!bit(b->present, off + i) || p[i] == b->data[off + i])
			continue;
		flags |= WW_TCP_EVASION;
		if (rewrite) {
			p[i] = b->data[off + i];
			flags |= WW_TCP_REWRITTEN;
		}
	}
	return flags;
}

/* Store the bytes of [off, off + n) that block @b does not have yet. */
static void fill(struct ww_tcp_block *b, uint32_t off, const uint8_t *p,
		 uint32_t n)
{
	enum range_state st = range_state(b->present, off, off + n);
	uint32_t i;

	if (st == RANGE_ALL)
		return;
	if (st == RANGE_NONE) {
		memcpy(b->data + off, p, n);
		range_set(b->present, off, off + n);
		return;
	}
	for (i = 0; i < n; i++)
		if (!bit(b->present, off + i)) {
			b->data[off + i] = p[i];
			b->present[(off + i) / 64] |= 1ull << ((off + i) % 64);
		}
}

/* Deliver what is contiguous from next_seq. */
static unsigned int deliver_ready(struct ww_tcp_pool *pool,
				  struct ww_tcp_stream *s,
				  ww_tcp_deliver_fn deliver, void *arg)
{
	unsigned int flags = 0;

	for (;;) {
		uint32_t bn = block_no(s, s->next_seq);
		uint32_t id = *slot(s, bn), off, n;
		struct ww_tcp_block *b;

		if (id == WW_TCP_NIL ||
		    ((bn - s->lo) & BN_MASK) >= ((s->hi - s->lo) & BN_MASK))
			break;
		b = &pool->blocks[id];
		off = (s->next_seq - s->origin) & (WW_TCP_BLOCK_DATA - 1);
		n = run_from(b->present, off);
		if (n == 0)
			break;
		if (deliver != NULL)
			deliver(arg, b->data + off, n);
		s->next_seq += n;
		flags |= WW_TCP_DELIVERED;
		if (off + n < WW_TCP_BLOCK_DATA)
			break;
	}
	return flags;
}

unsigned int ww_tcp_segment(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
			    uint32_t seq, uint8_t *payload, uint32_t len,
			    bool rewrite, ww_tcp_deliver_fn deliver, void *arg)
{
	const uint32_t end = seq + len;
	unsigned int flags = 0;
	uint32_t from, first, last, bn, need = 0;
	bool in_order;

	if (!s->started || s->gave_up || len == 0)
		return 0;
	if (s->wnd_known && ww_seq_lt(s->wnd_right, end))
		return WW_TCP_OUT_OF_WINDOW;
	if (ww_seq_le(end, s->acked))
		return WW_TCP_OLD; /* the receiver has it: nothing to compare */
	from = ww_seq_lt(seq, s->acked) ? s->acked : seq;
	first = block_no(s, from);
	last = block_no(s, end - 1);
	if (((last - s->lo) & BN_MASK) > s->slot_mask)
		return WW_TCP_BEYOND;

	/* Earlier copies win: compare with what is stored first, and count
	 * the blocks the new bytes need. */
	for (bn = first;; bn = (bn + 1) & BN_MASK) {
		uint32_t id = *slot(s, bn);
		uint32_t bstart = s->origin + (bn << WW_TCP_BLOCK_SHIFT);
		uint32_t a = ww_seq_lt(from, bstart) ? bstart : from;
		uint32_t z = ww_seq_lt(end, bstart + WW_TCP_BLOCK_DATA)
				     ? end
				     : bstart + WW_TCP_BLOCK_DATA;
		bool held =
			((bn - s->lo) & BN_MASK) < ((s->hi - s->lo) & BN_MASK);

		if (held && id != WW_TCP_NIL)
			flags |= compare(&pool->blocks[id], a - bstart,
					 payload + (a - seq), z - a, rewrite);
		else
			need++;
		if (bn == last)
			break;
	}
	if ((flags & WW_TCP_EVASION) && !rewrite)
		return flags; /* the caller drops it: store nothing */
	in_order = ww_seq_le(seq, s->next_seq);
	if (!in_order && pool->n_free < need + pool->reserve) {
		/* Far-ahead data may not take the last blocks: its sender
		 * retransmits once the gap before it is filled. */
		pool->ooo_refused++;
		return flags | WW_TCP_NO_ROOM;
	}
	if (pool->n_free < need) {
		pool->cap_hits++;
		ww_tcp_stream_release(pool, s);
		s->gave_up = 1;
		return flags | WW_TCP_CAP;
	}

	/* Store what is new. Bytes before next_seq were all stored when
	 * they were delivered, so only bytes from next_seq on can be. */
	if (ww_seq_lt(from, s->next_seq))
		from = s->next_seq;
	if (ww_seq_lt(from, end)) {
		for (bn = block_no(s, from);; bn = (bn + 1) & BN_MASK) {
			uint32_t bstart =
				s->origin + (bn << WW_TCP_BLOCK_SHIFT);
			uint32_t a = ww_seq_lt(from, bstart) ? bstart : from;
			uint32_t z = ww_seq_lt(end, bstart + WW_TCP_BLOCK_DATA)
					     ? end
					     : bstart + WW_TCP_BLOCK_DATA;
			uint32_t *sl = slot(s, bn);

			if (((bn - s->lo) & BN_MASK) >=
			    ((s->hi - s->lo) & BN_MASK)) {
				/* A block past the newest held: the slots
				 * between were never used, mark them. */
				while (s->hi != ((bn + 1) & BN_MASK)) {
					*slot(s, s->hi) = WW_TCP_NIL;
					s->hi = (s->hi + 1) & BN_MASK;
				}
			}
			if (*sl == WW_TCP_NIL) {
				*sl = blk_alloc(pool);
				s->charged += WW_TCP_BLOCK_DATA;
			}
			fill(&pool->blocks[*sl], a - bstart,
			     payload + (a - seq), z - a);
			if (bn == last)
				break;
		}
	}
	return flags | deliver_ready(pool, s, deliver, arg);
}

void ww_tcp_ack(struct ww_tcp_pool *pool, struct ww_tcp_stream *s, uint32_t ack)
{
	uint32_t target;

	if (!s->started || s->gave_up)
		return;
	/* Never past what was delivered: an ACK for bytes never seen
	 * cannot free bytes still to inspect. */
	if (ww_seq_lt(s->next_seq, ack))
		ack = s->next_seq;
	if (!ww_seq_lt(s->acked, ack))
		return;
	s->acked = ack;
	/* Blocks wholly before the ACK edge go. */
	target = block_no(s, ack);
	while (s->lo != target) {
		uint32_t *sl = slot(s, s->lo);

		if (s->lo != s->hi && *sl != WW_TCP_NIL) {
			blk_free(pool, *sl);
			s->charged -= WW_TCP_BLOCK_DATA;
		}
		*sl = WW_TCP_NIL;
		if (s->lo == s->hi)
			s->hi = (s->hi + 1) & BN_MASK;
		s->lo = (s->lo + 1) & BN_MASK;
	}
	/* Everything delivered is acknowledged and nothing waits beyond
	 * it: an idle connection holds no block. */
	if (s->acked == s->next_seq && ((s->hi - s->lo) & BN_MASK) == 1) {
		uint32_t *sl = slot(s, s->lo);
		uint32_t off =
			(s->next_seq - s->origin) & (WW_TCP_BLOCK_DATA - 1);

		if (*sl != WW_TCP_NIL &&
		    range_state(pool->blocks[*sl].present, off,
				WW_TCP_BLOCK_DATA) != RANGE_NONE)
			return; /* out-of-order bytes wait in it */
		if (*sl != WW_TCP_NIL) {
			blk_free(pool, *sl);
			s->charged -= WW_TCP_BLOCK_DATA;
			*sl = WW_TCP_NIL;
		}
		s->hi = s->lo;
	}
}
