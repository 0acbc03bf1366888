/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp: in-order and out-of-order delivery (one byte per segment,
 * shuffled, reversed with duplicates), overlaps with different bytes
 * (rewritten or refused, first arrival wins), sequence wraparound, caps,
 * and acknowledgements giving memory back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ww_tcp.h"

static uint8_t got[8192];
static uint32_t got_len;

static void sink(void *arg, const uint8_t *d, uint32_t n)
{
	(void)arg;
	assert_true(got_len + n <= sizeof(got));
	memcpy(got + got_len, d, n);
	got_len += n;
}

static const char msg[] =
	"GET /index.html?q=wirewall HTTP/1.1\r\nHost: example.com\r\n"
	"User-Agent: test\r\nAccept: */*\r\n\r\n";
#define MSG_LEN (sizeof(msg) - 1)

static struct ww_tcp_pool pool;
/* Slots for a 1 MiB span. */
static uint32_t slots[4096];

static void start(struct ww_tcp_stream *s, uint32_t isn)
{
	ww_tcp_stream_start(s, isn, slots, ww_tcp_slots_for(1 << 20));
}

static int setup(void **state)
{
	(void)state;
	got_len = 0;
	return ww_tcp_pool_init(&pool, 1 << 20);
}

static int teardown(void **state)
{
	(void)state;
	ww_tcp_pool_free(&pool);
	return 0;
}

/* Send byte i of msg as its own segment. */
static unsigned int byte(struct ww_tcp_stream *s, uint32_t isn, uint32_t i)
{
	uint8_t b = (uint8_t)msg[i];

	return ww_tcp_segment(&pool, s, isn + i, &b, 1, true, sink, NULL);
}

static void test_in_order(void **state)
{
	struct ww_tcp_stream s;
	uint8_t buf[MSG_LEN];
	uint32_t off;

	(void)state;
	memcpy(buf, msg, MSG_LEN);
	start(&s, 1000);
	for (off = 0; off < MSG_LEN; off += 10) {
		uint32_t n = MSG_LEN - off < 10 ? MSG_LEN - off : 10;

		assert_true(ww_tcp_segment(&pool, &s, 1000 + off, buf + off, n,
					   true, sink, NULL) &
			    WW_TCP_DELIVERED);
	}
	assert_int_equal(got_len, MSG_LEN);
	assert_memory_equal(got, msg, MSG_LEN);
	ww_tcp_ack(&pool, &s, 1000 + MSG_LEN);
	assert_int_equal(pool.n_free, pool.n_blocks);
	assert_int_equal(s.charged, 0);
}

static void test_one_byte_shuffled(void **state)
{
	uint32_t order[MSG_LEN], i, j, t;
	int round;

	(void)state;
	srand(7);
	for (round = 0; round < 50; round++) {
		struct ww_tcp_stream s;

		for (i = 0; i < MSG_LEN; i++)
			order[i] = i;
		for (i = MSG_LEN - 1; i > 0; i--) {
			j = (uint32_t)rand() % (i + 1);
			t = order[i], order[i] = order[j], order[j] = t;
		}
		got_len = 0;
		start(&s, 5000);
		for (i = 0; i < MSG_LEN; i++)
			byte(&s, 5000, order[i]);
		assert_int_equal(got_len, MSG_LEN);
		assert_memory_equal(got, msg, MSG_LEN);
		ww_tcp_stream_release(&pool, &s);
	}
	assert_int_equal(pool.n_free, pool.n_blocks);
}

static void test_reversed_with_duplicates(void **state)
{
	struct ww_tcp_stream s;
	uint32_t i;
	unsigned int f;

	(void)state;
	start(&s, 77);
	for (i = MSG_LEN; i-- > 0;) {
		f = byte(&s, 77, i);
		/* Each byte twice, and its neighbour again: duplicates of
		 * stored bytes are overlaps, never deliveries. */
		f = byte(&s, 77, i);
		assert_true(f & WW_TCP_OVERLAP);
		assert_false(f & WW_TCP_EVASION);
		if (i + 1 < MSG_LEN)
			byte(&s, 77, i + 1);
	}
	assert_int_equal(got_len, MSG_LEN);
	assert_memory_equal(got, msg, MSG_LEN);
}

static void test_overlap_with_different_bytes(void **state)
{
	struct ww_tcp_stream s;
	uint8_t a[20], evil[20];
	unsigned int f;

	(void)state;
	memcpy(a, msg, 20);
	start(&s, 0);
	ww_tcp_segment(&pool, &s, 0, a, 20, true, sink, NULL);
	/* A retransmission of bytes 5..24 whose first 15 differ. */
	memcpy(evil, "XXXXXXXXXXXXXXX", 15);
	memcpy(evil + 15, msg + 20, 5);
	f = ww_tcp_segment(&pool, &s, 5, evil, 20, true, sink, NULL);
	assert_true(f & WW_TCP_EVASION);
	assert_true(f & WW_TCP_REWRITTEN);
	/* What goes on to the server is what was inspected. */
	assert_memory_equal(evil, msg + 5, 20);
	assert_int_equal(got_len, 25);
	assert_memory_equal(got, msg, 25);

	/* Refused instead of rewritten: payload untouched, nothing kept. */
	memcpy(evil, "YYYYYYYYYY", 10);
	memcpy(evil + 10, msg + 25, 10);
	f = ww_tcp_segment(&pool, &s, 15, evil, 20, false, sink, NULL);
	assert_true(f & WW_TCP_EVASION);
	assert_false(f & WW_TCP_REWRITTEN);
	assert_memory_equal(evil, "YYYYYYYYYY", 10);
	assert_int_equal(got_len, 25);
}

static void test_first_arrival_wins_out_of_order(void **state)
{
	struct ww_tcp_stream s;
	uint8_t later[10], first[20];
	unsigned int f;

	(void)state;
	start(&s, 100);
	/* Bytes 10..19 arrive first (out of order) ... */
	memcpy(later, msg + 10, 10);
	f = ww_tcp_segment(&pool, &s, 110, later, 10, true, sink, NULL);
	assert_false(f & WW_TCP_DELIVERED);
	/* ... then 0..19 with other bytes at 10..19: those are rewritten
	 * to what arrived first, and everything is delivered once. */
	memcpy(first, msg, 10);
	memset(first + 10, 'Z', 10);
	f = ww_tcp_segment(&pool, &s, 100, first, 20, true, sink, NULL);
	assert_true(f & WW_TCP_EVASION);
	assert_true(f & WW_TCP_DELIVERED);
	assert_memory_equal(first, msg, 20);
	assert_int_equal(got_len, 20);
	assert_memory_equal(got, msg, 20);
}

static void test_sequence_wraparound(void **state)
{
	struct ww_tcp_stream s;
	const uint32_t isn = 0xffffffffu - 30;
	uint32_t i;

	(void)state;
	start(&s, isn);
	/* Reversed, across the wrap from 2^32 - 1 to 0. */
	for (i = MSG_LEN; i-- > 0;)
		byte(&s, isn, i);
	assert_int_equal(got_len, MSG_LEN);
	assert_memory_equal(got, msg, MSG_LEN);
	assert_int_equal(s.next_seq, isn + (uint32_t)MSG_LEN);
	assert_true(s.next_seq < isn); /* it wrapped */
	ww_tcp_ack(&pool, &s, s.next_seq);
	assert_int_equal(pool.n_free, pool.n_blocks);
	/* Old data after the ack: ignored, not compared. */
	assert_true(byte(&s, isn, 3) & WW_TCP_OLD);
}

static void test_caps(void **state)
{
	static uint32_t few[4];
	struct ww_tcp_stream s;
	struct ww_tcp_pool small;
	uint8_t buf[4096];
	unsigned int f;
	uint32_t i;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	/* The span: 4 slots of 256 bytes from the oldest unacknowledged
	 * byte. A segment past it is refused whole, nothing stored. */
	ww_tcp_stream_start(&s, 0, few, 4);
	f = ww_tcp_segment(&pool, &s, 10, buf, 2000, true, sink, NULL);
	assert_true(f & WW_TCP_BEYOND);
	assert_int_equal(pool.n_free, pool.n_blocks);
	f = ww_tcp_segment(&pool, &s, 1024, buf, 1, true, sink, NULL);
	assert_true(f & WW_TCP_BEYOND);
	/* Inside it: stored, and once acknowledged the span moves on. */
	f = ww_tcp_segment(&pool, &s, 0, buf, 1000, true, sink, NULL);
	assert_true(f & WW_TCP_DELIVERED);
	ww_tcp_ack(&pool, &s, 1000);
	/* (Slots count from the block the ACK edge falls in, 768.) */
	f = ww_tcp_segment(&pool, &s, 1000, buf, 800, true, sink, NULL);
	assert_true(f & WW_TCP_BEYOND);
	f = ww_tcp_segment(&pool, &s, 1000, buf, 700, true, sink, NULL);
	assert_true(f & WW_TCP_DELIVERED);
	assert_int_equal(got_len, 1700);
	ww_tcp_stream_release(&pool, &s);
	assert_int_equal(pool.n_free, pool.n_blocks);

	/* A pool of 16 blocks keeps 2 for in-order data: far-ahead bytes
	 * take 14 at most, then are refused (not a give-up). */
	assert_int_equal(ww_tcp_pool_init(&small, 16 * WW_TCP_BLOCK_DATA), 0);
	start(&s, 0);
	for (i = 0; i < 14; i++) {
		f = ww_tcp_segment(&small, &s, 1000 + i * 1000, buf, 1, true,
				   sink, NULL);
		assert_int_equal(f & (WW_TCP_NO_ROOM | WW_TCP_CAP), 0);
	}
	f = ww_tcp_segment(&small, &s, 90000, buf, 1, true, sink, NULL);
	assert_true(f & WW_TCP_NO_ROOM);
	assert_false(s.gave_up);
	assert_int_equal(small.ooo_refused, 1);
	/* In-order data still gets the reserve ... */
	f = ww_tcp_segment(&small, &s, 0, buf, 300, true, sink, NULL);
	assert_true(f & WW_TCP_DELIVERED);
	/* ... and when even that is gone, the stream gives up. */
	f = ww_tcp_segment(&small, &s, 300, buf, 600, true, sink, NULL);
	assert_true(f & WW_TCP_CAP);
	assert_true(s.gave_up);
	assert_int_equal(small.cap_hits, 1);
	assert_int_equal(small.n_free, 16); /* given back on giving up */
	assert_int_equal(
		ww_tcp_segment(&small, &s, 900, buf, 10, true, sink, NULL), 0);
	ww_tcp_pool_free(&small);
}

/* Bytes past the receiver's advertised window are refused whole; the
 * right edge follows the largest window seen (never shrinks). */
static void test_window(void **state)
{
	struct ww_tcp_stream s;
	uint8_t buf[2000];
	unsigned int f;

	(void)state;
	memset(buf, 'w', sizeof(buf));
	start(&s, 1000);
	ww_tcp_window(&s, 1000, 500);
	f = ww_tcp_segment(&pool, &s, 1400, buf, 101, true, sink, NULL);
	assert_true(f & WW_TCP_OUT_OF_WINDOW);
	f = ww_tcp_segment(&pool, &s, 100000, buf, 1, true, sink, NULL);
	assert_true(f & WW_TCP_OUT_OF_WINDOW);
	assert_int_equal(pool.n_free, pool.n_blocks);
	f = ww_tcp_segment(&pool, &s, 1000, buf, 500, true, sink, NULL);
	assert_true(f & WW_TCP_DELIVERED);
	/* A smaller window later does not pull the edge back. */
	ww_tcp_window(&s, 1100, 100);
	f = ww_tcp_segment(&pool, &s, 1000, buf, 500, true, sink, NULL);
	assert_false(f & WW_TCP_OUT_OF_WINDOW);
	ww_tcp_window(&s, 1500, 1000);
	f = ww_tcp_segment(&pool, &s, 1500, buf, 1000, true, sink, NULL);
	assert_true(f & WW_TCP_DELIVERED);
	assert_int_equal(got_len, 1500);
	/* Across the wrap of sequence space too. */
	start(&s, 0xfffffff0u);
	ww_tcp_window(&s, 0xfffffff0u, 0x20);
	f = ww_tcp_segment(&pool, &s, 0xfffffff0u, buf, 0x20, true, sink, NULL);
	assert_true(f & WW_TCP_DELIVERED);
	f = ww_tcp_segment(&pool, &s, 0x10, buf, 1, true, sink, NULL);
	assert_true(f & WW_TCP_OUT_OF_WINDOW);
	ww_tcp_stream_release(&pool, &s);
}

/* Holes filled in any order inside one block: only the present bytes
 * are compared, the rest stored. */
static void test_partial_blocks(void **state)
{
	struct ww_tcp_stream s;
	uint32_t i;
	unsigned int f;

	(void)state;
	start(&s, 0);
	for (i = 1; i < MSG_LEN; i += 2)
		assert_false(byte(&s, 0, i) & WW_TCP_DELIVERED);
	for (i = 0; i < MSG_LEN; i += 2)
		byte(&s, 0, i);
	assert_int_equal(got_len, MSG_LEN);
	assert_memory_equal(got, msg, MSG_LEN);
	/* A copy of the whole message with one byte changed. */
	{
		uint8_t copy[MSG_LEN];

		memcpy(copy, msg, MSG_LEN);
		copy[7] ^= 1;
		f = ww_tcp_segment(&pool, &s, 0, copy, MSG_LEN, true, sink,
				   NULL);
		assert_true(f & WW_TCP_REWRITTEN);
		assert_memory_equal(copy, msg, MSG_LEN);
	}
	ww_tcp_stream_release(&pool, &s);
	assert_int_equal(pool.n_free, pool.n_blocks);
}

static void test_ack_frees_and_bounds(void **state)
{
	struct ww_tcp_stream s;
	uint8_t buf[1000];
	uint32_t before;

	(void)state;
	memset(buf, 'b', sizeof(buf));
	start(&s, 0);
	ww_tcp_segment(&pool, &s, 0, buf, 1000, true, sink, NULL);
	before = pool.n_free;
	/* An ACK beyond what was seen frees only what was delivered. */
	ww_tcp_ack(&pool, &s, 5000);
	assert_true(pool.n_free > before);
	assert_int_equal(pool.n_free, pool.n_blocks);
	assert_int_equal(s.acked, 1000);

	/* Everything delivered acknowledged, but bytes ahead wait in the
	 * same block: it stays, and they are delivered once the gap fills. */
	got_len = 0;
	ww_tcp_segment(&pool, &s, 1000, buf, 10, true, sink, NULL);
	ww_tcp_segment(&pool, &s, 1020, buf, 10, true, sink, NULL);
	ww_tcp_ack(&pool, &s, 1010);
	ww_tcp_segment(&pool, &s, 1010, buf, 10, true, sink, NULL);
	assert_int_equal(got_len, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_shuffled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reversed_with_duplicates,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_overlap_with_different_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_first_arrival_wins_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_wraparound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_blocks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ack_frees_and_bounds,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
