/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tcp: what one out-of-order segment costs lib/tcp when its stream
 * already holds 10, 100 or 1,000 out-of-order segments (an attacker's
 * trickle of tiny far-apart segments), against the list-based reassembly
 * lib/tcp had before (old_list_tcp.c), in the same run.
 *
 *   bench_tcp [ROUNDS]
 *
 * Each measure: a stream holding N one-byte segments, each in a block of
 * its own (256 bytes apart, none contiguous with the next byte to
 * deliver), then ROUNDS passes (fewer for the lists at large N, whose
 * cost grows with every byte they store) that each send one new one-byte
 * segment into every stored block (not adjacent to what it holds) and
 * one exact repeat of a stored segment; time per segment, best of 5.
 * Prints
 *   RESULT tcp_ooo_N <ns> ns/segment vs list_ooo_N <ns> ns/segment ratio r
 *   RESULT tcp_ooo_growth <ns at 1000> ns/segment vs tcp_ooo_10 <ns> ns/segment
 * ratio r (ratio > 1: wirewall cheaper; the growth line's ratio is cost at 10
 * over cost at 1,000, so above 0.5 means less than 2x growth).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "old_list_tcp.h"
#include "ww_tcp.h"

#define ISN 1000000u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink_bytes;

static void sink_new(void *arg, const uint8_t *d, uint32_t n)
{
	(void)arg;
	(void)d;
	sink_bytes += n;
}

static void sink_old(void *arg, const uint8_t *d, uint32_t n)
{
	(void)arg;
	(void)d;
	sink_bytes += n;
}

/* Sequence number of stored segment k, and of the new byte of round r
 * in its block (odd offsets: never adjacent to another stored byte). */
static inline uint32_t at(unsigned int k, unsigned int r)
{
	return ISN + 512 + k * 256 + (r ? 2 * (r % 120) + 3 : 0);
}

static double run_new(unsigned int n, unsigned int rounds)
{
	static uint32_t slots[4096];
	struct ww_tcp_pool pool;
	struct ww_tcp_stream s;
	uint8_t b = 'x';
	uint64_t t0, segs = 0;
	unsigned int k, r;

	if (ww_tcp_pool_init(&pool, 64u << 20) != 0)
		abort();
	ww_tcp_stream_start(&s, ISN, slots, ww_tcp_slots_for(1u << 20));
	for (k = 0; k < n; k++)
		ww_tcp_segment(&pool, &s, at(k, 0), &b, 1, true, sink_new,
			       NULL);
	t0 = now_ns();
	for (r = 1; r <= rounds; r++) {
		for (k = 0; k < n; k++) {
			unsigned int f =
				ww_tcp_segment(&pool, &s, at(k, r), &b, 1, true,
					       sink_new, NULL);

			if (f & (WW_TCP_REFUSED | WW_TCP_CAP))
				abort();
		}
		ww_tcp_segment(&pool, &s, at(r % n, 0), &b, 1, true, sink_new,
			       NULL);
		segs += n + 1;
	}
	t0 = now_ns() - t0;
	ww_tcp_stream_release(&pool, &s);
	ww_tcp_pool_free(&pool);
	return (double)t0 / (double)segs;
}

static double run_old(unsigned int n, unsigned int rounds)
{
	struct old_tcp_pool pool;
	struct old_tcp_stream s;
	uint8_t b = 'x';
	uint64_t t0, segs = 0;
	unsigned int k, r;

	if (old_tcp_pool_init(&pool, 256u << 20) != 0)
		abort();
	old_tcp_stream_start(&s, ISN);
	for (k = 0; k < n; k++)
		old_tcp_segment(&pool, &s, at(k, 0), &b, 1, true, 1u << 30,
				sink_old, NULL);
	t0 = now_ns();
	for (r = 1; r <= rounds; r++) {
		for (k = 0; k < n; k++)
			if (old_tcp_segment(&pool, &s, at(k, r), &b, 1, true,
					    1u << 30, sink_old, NULL) &
			    OLD_TCP_CAP)
				abort();
		old_tcp_segment(&pool, &s, at(r % n, 0), &b, 1, true, 1u << 30,
				sink_old, NULL);
		segs += n + 1;
	}
	t0 = now_ns() - t0;
	old_tcp_stream_release(&pool, &s);
	old_tcp_pool_free(&pool);
	return (double)t0 / (double)segs;
}

static double best(double (*fn)(unsigned int, unsigned int), unsigned int n,
		   unsigned int rounds)
{
	double b = 1e30;
	int i;

	for (i = 0; i < 5; i++) {
		double v = fn(n, rounds);

		if (v < b)
			b = v;
	}
	return b;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = {10, 100, 1000};
	unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 100;
	double cost[3];
	unsigned int i;

	if (rounds == 0 || rounds > 100) {
		fprintf(stderr, "bench_tcp: ROUNDS is 1..100\n");
		return 2;
	}
	for (i = 0; i < 3; i++) {
		/* The lists grow with every round (each new byte is a block
		 * of its own there): fewer rounds for them at large N, or a
		 * run would take minutes. */
		unsigned int old_rounds =
			2000 / sizes[i] < rounds ? 2000 / sizes[i] : rounds;
		double old;

		cost[i] = best(run_new, sizes[i], rounds);
		old = best(run_old, sizes[i], old_rounds);
		printf("RESULT tcp_ooo_%u %.1f ns/segment vs list_ooo_%u %.1f ns/segment ratio %.2f\n",
		       sizes[i], cost[i], sizes[i], old, old / cost[i]);
	}
	printf("RESULT tcp_ooo_growth %.1f ns/segment vs tcp_ooo_10 %.1f ns/segment ratio %.2f\n",
	       cost[2], cost[0], cost[0] / cost[2]);
	return 0;
}
