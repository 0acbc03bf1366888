/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/limit: token-bucket accuracy (burst + rate x t within 1 %), a slow
 * client never limited, Retry-After, client keys (/24, /64), bounded
 * tables with eviction, and shares rebalanced between workers' tables so
 * that one client's total stays its rate: without a store into the
 * workers' entries, with slots reused between two passes, and with a
 * bounded number of slots read per call that still covers every key in
 * a sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eal_for_tests.h"
#include "ww_limit.h"

#define S 1000000000ull

static const uint8_t v4a[16] = {192, 0, 2, 1}, v4b[16] = {192, 0, 2, 77};

static void key_for(struct ww_limit_key *k, const uint8_t *addr)
{
	ww_limit_client_key(k, addr, true, false, WW_LIMIT_CLIENT, 0);
}

/* Requests at @per_s for @secs against @rule; @return how many passed. */
static uint64_t run_client(struct ww_limit_table *t, const uint8_t *addr,
			   double per_s, double secs,
			   const struct ww_limit_rule *rule, uint64_t t0)
{
	struct ww_limit_key k;
	uint64_t n = (uint64_t)(per_s * secs), i, passed = 0;

	key_for(&k, addr);
	for (i = 0; i < n; i++)
		passed += ww_limit_take(t, &k, rule,
					t0 + (uint64_t)((double)i * S / per_s),
					NULL);
	return passed;
}

static void test_accuracy(void **state)
{
	const struct ww_limit_rule rule = {.rate = 20, .burst = 10};
	struct ww_limit_table t;
	uint64_t fast, slow;
	double want;

	(void)state;
	assert_int_equal(ww_limit_table_init(&t, 1024, 0), 0);
	/* 50 requests/s for 20 s: the last one comes at 19.98 s. */
	fast = run_client(&t, v4a, 50, 20, &rule, 1000 * S);
	want = 10 + 20 * 19.98;
	if (fast < want * 0.99 || fast > want * 1.01)
		fail_msg("allowed %lu, want %.1f within 1%%",
			 (unsigned long)fast, want);
	/* 5 requests/s is under the rate: never limited. */
	slow = run_client(&t, v4b, 5, 20, &rule, 1000 * S);
	assert_int_equal(slow, 100);
	ww_limit_table_free(&t);
}

static void test_retry_after(void **state)
{
	const struct ww_limit_rule rule = {.rate = 1, .burst = 2};
	struct ww_limit_table t;
	struct ww_limit_key k;
	uint32_t retry = 0;

	(void)state;
	assert_int_equal(ww_limit_table_init(&t, 64, 0), 0);
	key_for(&k, v4a);
	assert_true(ww_limit_take(&t, &k, &rule, S, &retry));
	assert_true(ww_limit_take(&t, &k, &rule, S, &retry));
	assert_false(ww_limit_take(&t, &k, &rule, S, &retry));
	assert_int_equal(retry, 1);
	/* Half a token later: still one second to wait, rounded up. */
	assert_false(ww_limit_take(&t, &k, &rule, S + S / 2, &retry));
	assert_int_equal(retry, 1);
	assert_true(ww_limit_take(&t, &k, &rule, 2 * S, &retry));
	assert_int_equal(t.stats.allowed, 3);
	assert_int_equal(t.stats.limited, 2);
	{
		const struct ww_limit_rule slow = {.rate = 1, .burst = 1};
		struct ww_limit_key k2;

		key_for(&k2, v4b);
		assert_true(ww_limit_take(&t, &k2, &slow, 10 * S, &retry));
		assert_false(ww_limit_take(&t, &k2, &slow, 10 * S, &retry));
		assert_int_equal(retry, 1);
	}
	ww_limit_table_free(&t);
}

static void test_client_keys(void **state)
{
	struct ww_limit_key a, b;
	const uint8_t x6[16] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 9, 9, 9, 9};
	const uint8_t y6[16] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 7};
	const uint8_t z6[16] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 2, 9, 9, 9, 9};

	(void)state;
	ww_limit_client_key(&a, v4a, true, true, WW_LIMIT_CLIENT, 0);
	ww_limit_client_key(&b, v4b, true, true, WW_LIMIT_CLIENT, 0);
	assert_memory_equal(&a, &b, sizeof(a)); /* one /24 */
	ww_limit_client_key(&b, v4b, true, false, WW_LIMIT_CLIENT, 0);
	assert_memory_not_equal(&a, &b, sizeof(a));
	ww_limit_client_key(&a, x6, false, false, WW_LIMIT_CLIENT, 0);
	ww_limit_client_key(&b, y6, false, false, WW_LIMIT_CLIENT, 0);
	assert_memory_equal(&a, &b, sizeof(a)); /* one /64 */
	ww_limit_client_key(&b, z6, false, false, WW_LIMIT_CLIENT, 0);
	assert_memory_not_equal(&a, &b, sizeof(a));
	ww_limit_client_key(&b, x6, false, false, WW_LIMIT_ROUTE, 1);
	assert_memory_not_equal(&a, &b, sizeof(a));
}

static void test_bounded_with_eviction(void **state)
{
	const struct ww_limit_rule rule = {.rate = 1, .burst = 1};
	struct ww_limit_table t;
	uint32_t i;

	(void)state;
	assert_int_equal(ww_limit_table_init(&t, 64, 0), 0);
	assert_int_equal(t.mask, 63);
	for (i = 0; i < 1000; i++) {
		uint8_t a[16] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
				 (uint8_t)i};
		struct ww_limit_key k;

		key_for(&k, a);
		assert_true(ww_limit_take(&t, &k, &rule, S + i, NULL));
	}
	assert_true(t.stats.evicted >= 1000 - 64);
	ww_limit_table_free(&t);
}

static void test_rebalance_shares(void **state)
{
	const struct ww_limit_rule rule = {.rate = 100, .burst = 10};
	struct ww_limit_table a, b;
	struct ww_limit_table *const both[2] = {&a, &b};
	struct ww_limit_key k, k2;
	uint64_t now = S, passed = 0;
	int i, round;

	(void)state;
	assert_int_equal(ww_limit_table_init(&a, 256, 0), 0);
	assert_int_equal(ww_limit_table_init(&b, 256, 0), 0);
	key_for(&k, v4a);
	key_for(&k2, v4b);
	/* A client seen by one worker only keeps the whole rate. */
	for (i = 0; i < 50; i++)
		ww_limit_take(&a, &k2, &rule, now + i * (S / 1000), NULL);
	/* A client whose requests split 3:1 over two workers, 400/s in
	 * all against 100/s: 10 rounds of 1 s with a pass after each. */
	for (round = 0; round < 10; round++) {
		for (i = 0; i < 400; i++) {
			uint64_t ts = now + (uint64_t)i * (S / 400);

			passed += ww_limit_take(i % 4 ? &a : &b, &k, &rule, ts,
						NULL);
		}
		now += S;
		ww_limit_rebalance(both, 2);
	}
	/* Both buckets full at the start: the first second may pass up to
	 * twice the rate; after that the total is the rate. */
	if (passed < 1000 || passed > 1000 + 120)
		fail_msg("passed %lu in 10 s at 100/s", (unsigned long)passed);
	assert_int_equal(ww_limit_share(&a, &k2), WW_LIMIT_SHARE_ONE);
	assert_int_equal(ww_limit_share(&a, &k), WW_LIMIT_SHARE_ONE * 3 / 4);
	assert_int_equal(ww_limit_share(&b, &k), WW_LIMIT_SHARE_ONE / 4);
	ww_limit_table_free(&a);
	ww_limit_table_free(&b);
}

/* @n requests of @key on @t, spread over the second from @t0. */
static void hits(struct ww_limit_table *t, const struct ww_limit_key *key,
		 int n, uint64_t t0)
{
	const struct ww_limit_rule rule = {.rate = 1000, .burst = 1000};
	int i;

	for (i = 0; i < n; i++)
		ww_limit_take(t, key, &rule, t0 + (uint64_t)i * (S / n), NULL);
}

/* The slot of @key in @t, or -1. */
static long slot_of(const struct ww_limit_table *t,
		    const struct ww_limit_key *key)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		if (t->e[i].last_ns && !memcmp(&t->e[i].key, key, sizeof(*key)))
			return i;
	return -1;
}

/*
 * The workers own their entries: a pass must not store a byte into them
 * (nor into the table the worker bumps stats in), yet the shares it
 * computes must reach the buckets.
 */
static void test_rebalance_leaves_entries(void **state)
{
	const struct ww_limit_rule rule = {.rate = 100, .burst = 10};
	struct ww_limit_table a, b, a0, b0;
	struct ww_limit_table *const both[2] = {&a, &b};
	struct ww_limit_entry *ea, *eb;
	struct ww_limit_key k, k2;
	uint64_t now = S, passed;
	size_t size;
	int i, round;

	(void)state;
	assert_int_equal(ww_limit_table_init(&a, 64, 0), 0);
	assert_int_equal(ww_limit_table_init(&b, 64, 0), 0);
	size = sizeof(*a.e) * (a.mask + 1);
	ea = malloc(size);
	eb = malloc(size);
	assert_non_null(ea);
	assert_non_null(eb);
	key_for(&k, v4a);
	key_for(&k2, v4b);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 400; i++)
			ww_limit_take(i % 4 ? &a : &b, &k, &rule,
				      now + (uint64_t)i * (S / 400), NULL);
		ww_limit_take(&a, &k2, &rule, now, NULL);
		now += S;
		memcpy(ea, a.e, size);
		memcpy(eb, b.e, size);
		memcpy(&a0, &a, sizeof(a));
		memcpy(&b0, &b, sizeof(b));
		ww_limit_rebalance(both, 2);
		assert_memory_equal(a.e, ea, size);
		assert_memory_equal(b.e, eb, size);
		assert_memory_equal(&a, &a0, sizeof(a));
		assert_memory_equal(&b, &b0, sizeof(b));
	}
	assert_int_equal(ww_limit_share(&a, &k), WW_LIMIT_SHARE_ONE * 3 / 4);
	assert_int_equal(ww_limit_share(&b, &k), WW_LIMIT_SHARE_ONE / 4);
	assert_int_equal(ww_limit_share(&a, &k2), WW_LIMIT_SHARE_ONE);
	/* The share is applied: alone on worker a for 2 s at 1000/s, the
	 * client drained there gets 3/4 of 100/s (150), plus at most the
	 * 3/4 of the burst it may have had left; 200 on a whole share. */
	passed = run_client(&a, v4a, 1000, 2, &rule, now);
	if (passed < 145 || passed > 160)
		fail_msg("passed %lu in 2 s at a 3/4 share of 100/s",
			 (unsigned long)passed);
	free(ea);
	free(eb);
	ww_limit_table_free(&a);
	ww_limit_table_free(&b);
}

/*
 * A slot whose bucket is evicted and given to another key between two
 * passes: the new bucket starts whole, and its hits, counted from 0, are
 * its demand (the old key's count subtracted from them would wrap into a
 * huge demand that takes all of the new key's rate away from the other
 * worker).
 */
static void test_rebalance_reused_slot(void **state)
{
	struct ww_limit_table a, b;
	struct ww_limit_table *const both[2] = {&a, &b};
	struct ww_limit_key k, x;
	long idx;
	uint32_t i;

	(void)state;
	assert_int_equal(ww_limit_table_init(&a, 64, 0), 0);
	assert_int_equal(ww_limit_table_init(&b, 64, 0), 0);
	key_for(&k, v4a);
	hits(&a, &k, 300, S);
	hits(&b, &k, 100, S);
	ww_limit_rebalance(both, 2);
	assert_int_equal(ww_limit_share(&a, &k), WW_LIMIT_SHARE_ONE * 3 / 4);
	assert_int_equal(ww_limit_share(&b, &k), WW_LIMIT_SHARE_ONE / 4);
	/* New clients on worker b until one takes k's slot. */
	idx = slot_of(&b, &k);
	assert_true(idx >= 0);
	for (i = 0;; i++) {
		const uint8_t y[16] = {10, 9, (uint8_t)(i >> 8), (uint8_t)i};

		assert_true(i < 10000);
		key_for(&x, y);
		hits(&b, &x, 1, 2 * S + i);
		if (memcmp(&b.e[idx].key, &k, sizeof(k)) != 0)
			break;
	}
	assert_memory_equal(&b.e[idx].key, &x, sizeof(x));
	assert_int_equal(ww_limit_share(&b, &x), WW_LIMIT_SHARE_ONE);
	/* x busy on both workers 3:1, and k back on b in another slot,
	 * before the next pass. */
	hits(&b, &x, 2, 3 * S);
	hits(&a, &x, 9, 3 * S);
	hits(&a, &k, 30, 3 * S);
	hits(&b, &k, 10, 3 * S);
	assert_int_equal(slot_of(&b, &x), idx);
	ww_limit_rebalance(both, 2);
	assert_int_equal(ww_limit_share(&a, &x), WW_LIMIT_SHARE_ONE * 3 / 4);
	assert_int_equal(ww_limit_share(&b, &x), WW_LIMIT_SHARE_ONE / 4);
	assert_int_equal(ww_limit_share(&a, &k), WW_LIMIT_SHARE_ONE * 3 / 4);
	assert_int_equal(ww_limit_share(&b, &k), WW_LIMIT_SHARE_ONE / 4);
	ww_limit_table_free(&a);
	ww_limit_table_free(&b);
}

/* Fill @t with distinct clients of @net until no slot is free: each new
 * client takes a free slot or evicts. */
static void fill(struct ww_limit_table *t, uint8_t net)
{
	uint32_t i;

	for (i = 0; i - t->stats.evicted <= t->mask; i++) {
		const uint8_t y[16] = {net, (uint8_t)(i >> 16),
				       (uint8_t)(i >> 8), (uint8_t)i};
		struct ww_limit_key key;

		assert_true(i < 1u << 24);
		key_for(&key, y);
		hits(t, &key, 1, S + i);
	}
}

/*
 * One call reads a bounded number of slots of each table, however many
 * are in use, and a sweep of calls still reaches every key: a key busy on
 * both workers 3:1 is split so.
 */
static void test_rebalance_bounded(void **state)
{
	struct ww_limit_table a, b;
	struct ww_limit_table *const both[2] = {&a, &b};
	struct ww_limit_key k;
	uint32_t calls;

	(void)state;
	assert_int_equal(ww_limit_table_init(&a, 1u << 20, 0), 0);
	assert_int_equal(ww_limit_table_init(&b, 1u << 20, 0), 0);
	fill(&a, 10);
	fill(&b, 11);
	key_for(&k, v4a);
	hits(&a, &k, 300, 1000 * S);
	hits(&b, &k, 100, 1000 * S);
	ww_limit_rebalance(both, 2);
	assert_true(a.ctl->stats.last_visited > 0);
	assert_true(a.ctl->stats.last_visited <= WW_LIMIT_REBALANCE_SLOTS);
	assert_true(b.ctl->stats.last_visited <= WW_LIMIT_REBALANCE_SLOTS);
	for (calls = 1; a.ctl->stats.sweeps == 0; calls++) {
		assert_true(calls <= (a.mask + 1) / (WW_LIMIT_REBALANCE_SLOTS -
						     WW_LIMIT_PROBE + 1) +
					     1);
		ww_limit_rebalance(both, 2);
		assert_true(a.ctl->stats.last_visited <=
			    WW_LIMIT_REBALANCE_SLOTS);
		assert_true(b.ctl->stats.last_visited <=
			    WW_LIMIT_REBALANCE_SLOTS);
	}
	assert_int_equal(b.ctl->stats.sweeps, 1);
	assert_true(a.ctl->stats.visited >= a.mask + 1);
	assert_true(a.ctl->stats.visited <=
		    (uint64_t)calls * WW_LIMIT_REBALANCE_SLOTS);
	assert_int_equal(ww_limit_share(&a, &k), WW_LIMIT_SHARE_ONE * 3 / 4);
	assert_int_equal(ww_limit_share(&b, &k), WW_LIMIT_SHARE_ONE / 4);
	ww_limit_table_free(&a);
	ww_limit_table_free(&b);
}

/*
 * Tables of different sizes and a lowered budget: the window moves over
 * the larger table's hash space and wraps in the smaller one, and a sweep
 * still splits every shared key, whatever its hash.
 */
static void test_rebalance_sizes(void **state)
{
	struct ww_limit_table a, b;
	struct ww_limit_table *const both[2] = {&a, &b};
	struct ww_limit_key k; /* packed: one at a time keeps it aligned */
	uint32_t i, calls;

	(void)state;
	assert_int_equal(ww_limit_table_init(&a, 4096, 0), 0);
	assert_int_equal(ww_limit_table_init(&b, 1024, 0), 0);
	a.ctl->budget = 64; /* the smaller budget applies to both */
	for (i = 0; i < 16; i++) {
		const uint8_t y[16] = {172, 16, 0, (uint8_t)i};

		key_for(&k, y);
		hits(&a, &k, 30 * (i + 1), S);
		hits(&b, &k, 10 * (i + 1), S);
	}
	/* Clients of one worker each around them. */
	for (i = 0; i < 500; i++) {
		const uint8_t y[16] = {10, 1, (uint8_t)(i >> 8), (uint8_t)i};
		const uint8_t z[16] = {10, 2, (uint8_t)(i >> 8), (uint8_t)i};
		struct ww_limit_key n;

		key_for(&n, y);
		hits(&a, &n, 1, 2 * S);
		key_for(&n, z);
		hits(&b, &n, 1, 2 * S);
	}
	for (calls = 0; a.ctl->stats.sweeps == 0; calls++) {
		assert_true(calls < 4096 / (64 - WW_LIMIT_PROBE + 1) + 1);
		ww_limit_rebalance(both, 2);
		assert_true(a.ctl->stats.last_visited <= 64);
		assert_true(b.ctl->stats.last_visited <= 64);
	}
	for (i = 0; i < 16; i++) {
		const uint8_t y[16] = {172, 16, 0, (uint8_t)i};

		key_for(&k, y);
		assert_int_equal(ww_limit_share(&a, &k),
				 WW_LIMIT_SHARE_ONE * 3 / 4);
		assert_int_equal(ww_limit_share(&b, &k),
				 WW_LIMIT_SHARE_ONE / 4);
	}
	ww_limit_table_free(&a);
	ww_limit_table_free(&b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accuracy),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_client_keys),
		cmocka_unit_test(test_bounded_with_eviction),
		cmocka_unit_test(test_rebalance_shares),
		cmocka_unit_test(test_rebalance_leaves_entries),
		cmocka_unit_test(test_rebalance_reused_slot),
		cmocka_unit_test(test_rebalance_bounded),
		cmocka_unit_test(test_rebalance_sizes),
	};
	int rc;

	(void)argc;
	/* Two tables of 1M buckets: 176 MiB. */
	if (eal_for_tests(argv[0], "tlimit", 512) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
