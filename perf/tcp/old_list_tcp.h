/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef OLD_LIST_TCP_H
#define OLD_LIST_TCP_H
/* The list-based reassembly bench_tcp measures against (old_list_tcp.c). */
#include <stdbool.h>
#include <stdint.h>

#define OLD_TCP_BLOCK_DATA 256
#define OLD_TCP_NIL	   UINT32_MAX

struct old_tcp_block {
	uint32_t seq;  /* sequence number of data[0] */
	uint32_t len;  /* bytes used */
	uint32_t next; /* next block in its list, or OLD_TCP_NIL */
	uint8_t data[OLD_TCP_BLOCK_DATA];
};

struct old_tcp_pool {
	struct old_tcp_block *blocks;
	uint32_t n_blocks;
	uint32_t free_head;
	uint32_t n_free;
	uint64_t cap_hits; /* a block was needed and none was free */
};

/* One direction of a connection. 24 bytes; zero means "not started". */
struct old_tcp_stream {
	uint32_t next_seq; /* next byte to deliver */
	uint32_t acked;	   /* receiver's ACK edge */
	uint32_t held;	   /* list: stored, not yet delivered (by seq) */
	uint32_t kept;	   /* list: delivered, not yet acknowledged */
	uint32_t charged;  /* bytes of blocks in both lists */
	uint8_t started;
	uint8_t gave_up; /* over a cap: no longer reassembled */
	uint16_t pad;
};

/* What old_tcp_segment() found, as bits. */
#define OLD_TCP_DELIVERED 0x01 /* some bytes went to the callback */
#define OLD_TCP_OVERLAP	  0x02 /* some bytes were seen before (same) */
#define OLD_TCP_EVASION	  0x04 /* some seen-before bytes differed */
#define OLD_TCP_REWRITTEN 0x08 /* ... and were rewritten in the payload */
#define OLD_TCP_CAP	  0x10 /* a cap was hit: the stream gave up */
#define OLD_TCP_OLD	  0x20 /* wholly before what is kept: ignored */

/* Receives in-order bytes. */
typedef void (*old_tcp_deliver_fn)(void *arg, const uint8_t *data,
				   uint32_t len);

int old_tcp_pool_init(struct old_tcp_pool *pool, uint64_t bytes);
void old_tcp_pool_free(struct old_tcp_pool *pool);
void old_tcp_stream_start(struct old_tcp_stream *s, uint32_t next_seq);
unsigned int old_tcp_segment(struct old_tcp_pool *pool,
			     struct old_tcp_stream *s, uint32_t seq,
			     uint8_t *payload, uint32_t len, bool rewrite,
			     uint32_t max_bytes, old_tcp_deliver_fn deliver,
			     void *arg);
void old_tcp_stream_release(struct old_tcp_pool *pool,
			    struct old_tcp_stream *s);
#endif
