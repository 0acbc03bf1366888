/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/limit: token-bucket accuracy (burst + rate x t within 1 %), a slow
 * client never limited, Retry-After, client keys (/24, /64), bounded
 * tables with eviction, and shares rebalanced between workers' tables so
 * that one client's total stays its rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	for (i = 0; i <= (int)a.mask; i++)
		if (a.e[i].last_ns && !memcmp(&a.e[i].key, &k2, sizeof(k2)))
			assert_int_equal(a.e[i].share, WW_LIMIT_SHARE_ONE);
	for (i = 0; i <= (int)a.mask; i++)
		if (a.e[i].last_ns && !memcmp(&a.e[i].key, &k, sizeof(k)))
			assert_int_equal(a.e[i].share,
					 WW_LIMIT_SHARE_ONE * 3 / 4);
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
	};
	int rc;

	(void)argc;
	if (eal_for_tests(argv[0], "tlimit", 256) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
