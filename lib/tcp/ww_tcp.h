/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_TCP_H
#define WW_TCP_H

/*
 * TCP stream reassembly for an inline appliance, one direction at a time.
 *
 * Policy: the bytes that arrive first win. Every payload byte is stored
 * once, at its first arrival; a later copy of bytes already stored is
 * compared with them, and when it differs (an overlap or retransmission
 * evasion, where receivers disagree on which copy to keep) the segment is
 * rewritten to the stored bytes or dropped, as the caller chooses, so what
 * the server receives is what was inspected. Bytes are delivered in order
 * to the caller's callback as soon as they are contiguous, from within
 * ww_tcp_segment(), i.e. before the segment that completes them is
 * forwarded. Delivered bytes are kept until the receiver acknowledges
 * them, so retransmissions can still be compared.
 *
 * Layout: the stream's sequence space is cut into blocks of
 * WW_TCP_BLOCK_DATA bytes aligned on the stream's first byte; a block is
 * stored with a bitmap of the bytes present, and found through a ring of
 * slots (one per block of the span, memory the caller gives) indexed by
 * the block's number. A segment costs O(its length), whatever else the
 * stream holds: no list walk (Suricata moved from lists to a tree for the
 * same reason: a trickle of tiny out-of-order segments must not make each
 * one dearer).
 *
 * What is accepted: only bytes inside the receiver's advertised window
 * (ww_tcp_window(), RFC 9293 3.10.7.4) and inside the span the slots
 * cover from the oldest unacknowledged byte. A segment outside either is
 * refused whole (WW_TCP_OUT_OF_WINDOW, WW_TCP_BEYOND): the receiver would
 * drop or trim it too, and its sender retransmits once the window moves,
 * so the caller drops it. Out-of-order data may not take the pool's last
 * blocks (a reserve kept for in-order data, WW_TCP_NO_ROOM), so clients
 * that park far-ahead bytes cannot starve the others; in-order data that
 * finds the pool empty makes the stream give up (WW_TCP_CAP), and the
 * caller applies its exception policy.
 *
 * Sequence numbers are compared modulo 2^32 (RFC 9293 3.4).
 * dp-safe; a pool and its streams belong to one worker.
 */

#include <stdbool.h>
#include <stdint.h>

#define WW_TCP_BLOCK_SHIFT 8
#define WW_TCP_BLOCK_DATA  (1u << WW_TCP_BLOCK_SHIFT)
#define WW_TCP_NIL	   UINT32_MAX

struct ww_tcp_block {
	uint64_t present[WW_TCP_BLOCK_DATA / 64]; /* bit i: data[i] is set */
	uint32_t next;				  /* free list link */
	uint32_t pad;
	uint8_t data[WW_TCP_BLOCK_DATA];
};

struct ww_tcp_pool {
	struct ww_tcp_block *blocks;
	uint32_t n_blocks;
	uint32_t free_head;
	uint32_t n_free;
	/* Blocks out-of-order data may not take (an eighth of the pool). */
	uint32_t reserve;
	uint64_t cap_hits;    /* in-order data found no free block */
	uint64_t ooo_refused; /* out-of-order data met the reserve */
};

/* One direction of a connection; zero means "not started". */
struct ww_tcp_stream {
	uint32_t next_seq;  /* next byte to deliver */
	uint32_t acked;	    /* receiver's ACK edge */
	uint32_t origin;    /* first byte of block 0 */
	uint32_t lo;	    /* oldest block number held (24-bit) */
	uint32_t hi;	    /* one past the newest block number held */
	uint32_t charged;   /* bytes of blocks held */
	uint32_t wnd_right; /* receiver's window: one past its last byte */
	uint32_t slot_mask; /* slots - 1 */
	uint32_t *slots;    /* [slot_mask + 1] block ids, WW_TCP_NIL: none */
	uint8_t started;
	uint8_t gave_up; /* over a cap: no longer reassembled */
	uint8_t wnd_known;
	uint8_t pad;
};

/* What ww_tcp_segment() found, as bits. */
#define WW_TCP_DELIVERED     0x01  /* some bytes went to the callback */
#define WW_TCP_OVERLAP	     0x02  /* some bytes were seen before (same) */
#define WW_TCP_EVASION	     0x04  /* some seen-before bytes differed */
#define WW_TCP_REWRITTEN     0x08  /* ... and were rewritten in the payload */
#define WW_TCP_CAP	     0x10  /* the pool was empty: the stream gave up */
#define WW_TCP_OLD	     0x20  /* wholly acknowledged already: ignored */
#define WW_TCP_OUT_OF_WINDOW 0x40  /* past the receiver's window: refused */
#define WW_TCP_BEYOND	     0x80  /* past the span the slots cover: refused */
#define WW_TCP_NO_ROOM	     0x100 /* out of order, pool low: refused */
/* Bits after which the caller must not forward the segment. */
#define WW_TCP_REFUSED (WW_TCP_OUT_OF_WINDOW | WW_TCP_BEYOND | WW_TCP_NO_ROOM)

/* Receives in-order bytes. */
typedef void (*ww_tcp_deliver_fn)(void *arg, const uint8_t *data, uint32_t len);

/* Pool of @bytes of payload storage (rounded down to blocks). Control
 * thread. @return 0 or -EINVAL/-ENOMEM. */
int ww_tcp_pool_init(struct ww_tcp_pool *pool, uint64_t bytes);
void ww_tcp_pool_free(struct ww_tcp_pool *pool);

/* Slots a stream needs to hold @max_bytes (a power of two, at least 2). */
uint32_t ww_tcp_slots_for(uint32_t max_bytes);

/* Start a direction whose next byte is @next_seq (ISN + 1 after SYN),
 * with @n_slots (ww_tcp_slots_for()) slots of memory at @slots. */
void ww_tcp_stream_start(struct ww_tcp_stream *s, uint32_t next_seq,
			 uint32_t *slots, uint32_t n_slots);

/* The receiver of this direction said: acknowledged up to @ack, room
 * for @window bytes after it (already scaled). The right edge never
 * moves left (RFC 9293 3.8.6: shrinking is discouraged; what was allowed
 * stays allowed). */
void ww_tcp_window(struct ww_tcp_stream *s, uint32_t ack, uint32_t window);

/*
 * A segment of this direction: @seq and @len bytes of @payload.
 * @rewrite: when stored bytes differ, overwrite them in @payload (the
 * caller then fixes the checksum); otherwise leave @payload alone (the
 * caller drops the segment). @return WW_TCP_* bits.
 */
unsigned int ww_tcp_segment(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
			    uint32_t seq, uint8_t *payload, uint32_t len,
			    bool rewrite, ww_tcp_deliver_fn deliver, void *arg);

/* The receiver acknowledged up to @ack: free what it holds. */
void ww_tcp_ack(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
		uint32_t ack);

/* Give back everything the stream holds (flow end). */
void ww_tcp_stream_release(struct ww_tcp_pool *pool, struct ww_tcp_stream *s);

/* a < b, a <= b in sequence space (RFC 9293 3.4). */
static inline bool ww_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool ww_seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

#endif /* WW_TCP_H */
