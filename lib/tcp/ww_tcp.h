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
 * Memory: fixed-size blocks from a per-worker pool (the global cap) and a
 * per-direction byte cap; hitting either is reported, never waited on.
 * Sequence numbers are compared modulo 2^32 (RFC 9293 3.4).
 *
 * dp-safe; a pool and its streams belong to one worker.
 */

#include <stdbool.h>
#include <stdint.h>

/* Payload bytes per block: small, so that a stream of tiny out-of-order
 * segments (an evasion classic) costs little, and charged in whole blocks
 * against the caps, so that it cannot cost more than its cap either. */
#define WW_TCP_BLOCK_DATA 256
#define WW_TCP_NIL	  UINT32_MAX

struct ww_tcp_block {
	uint32_t seq;  /* sequence number of data[0] */
	uint32_t len;  /* bytes used */
	uint32_t next; /* next block in its list, or WW_TCP_NIL */
	uint8_t data[WW_TCP_BLOCK_DATA];
};

struct ww_tcp_pool {
	struct ww_tcp_block *blocks;
	uint32_t n_blocks;
	uint32_t free_head;
	uint32_t n_free;
	uint64_t cap_hits; /* a block was needed and none was free */
};

/* One direction of a connection. 24 bytes; zero means "not started". */
struct ww_tcp_stream {
	uint32_t next_seq; /* next byte to deliver */
	uint32_t acked;	   /* receiver's ACK edge */
	uint32_t held;	   /* list: stored, not yet delivered (by seq) */
	uint32_t kept;	   /* list: delivered, not yet acknowledged */
	uint32_t charged;  /* bytes of blocks in both lists */
	uint8_t started;
	uint8_t gave_up; /* over a cap: no longer reassembled */
	uint16_t pad;
};

/* What ww_tcp_segment() found, as bits. */
#define WW_TCP_DELIVERED 0x01 /* some bytes went to the callback */
#define WW_TCP_OVERLAP	 0x02 /* some bytes were seen before (same) */
#define WW_TCP_EVASION	 0x04 /* some seen-before bytes differed */
#define WW_TCP_REWRITTEN 0x08 /* ... and were rewritten in the payload */
#define WW_TCP_CAP	 0x10 /* a cap was hit: the stream gave up */
#define WW_TCP_OLD	 0x20 /* wholly before what is kept: ignored */

/* Receives in-order bytes. */
typedef void (*ww_tcp_deliver_fn)(void *arg, const uint8_t *data, uint32_t len);

/* Pool of @bytes of payload storage (rounded down to blocks). Control
 * thread. @return 0 or -ENOMEM. */
int ww_tcp_pool_init(struct ww_tcp_pool *pool, uint64_t bytes);
void ww_tcp_pool_free(struct ww_tcp_pool *pool);

/* Start a direction whose next byte is @next_seq (ISN + 1 after SYN). */
void ww_tcp_stream_start(struct ww_tcp_stream *s, uint32_t next_seq);

/*
 * A segment of this direction: @seq and @len bytes of @payload.
 * @rewrite: when stored bytes differ, overwrite them in @payload (the
 * caller then fixes the checksum); otherwise leave @payload alone (the
 * caller drops the segment). @max_bytes: per-direction cap.
 * @return WW_TCP_* bits.
 */
unsigned int ww_tcp_segment(struct ww_tcp_pool *pool, struct ww_tcp_stream *s,
			    uint32_t seq, uint8_t *payload, uint32_t len,
			    bool rewrite, uint32_t max_bytes,
			    ww_tcp_deliver_fn deliver, void *arg);

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
