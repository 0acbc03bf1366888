/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/feat on its own: the client table stays bounded whatever sources
 * an attacker invents (eviction counted, least recently seen first, an
 * entry's generation changes with its client), windows roll and slide as
 * models/FEATURES.md says, distinct counts estimate, per-flow statistics
 * and user-agent classes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eal_for_tests.h"

#include <rte_eal.h>
#include <rte_jhash.h>

#include "ww_feat.h"

#define S  1000000000ull
#define T0 (1767225600ull * S)

static void addr4(uint8_t *a, uint32_t v)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

static void test_table_bounded_under_spoofed_sources(void **state)
{
	struct ww_feat_clients t;
	uint8_t a[16];
	uint32_t i, idx, victim_gen;

	(void)state;
	assert_int_equal(ww_feat_clients_init(&t, 1000, 64, 7, -1), 0);
	assert_int_equal(t.capacity, 1024); /* a power of two */
	/* A steady client, then a million invented sources. */
	addr4(a, 0xc0000201);
	idx = ww_feat_client_get(&t, 4, a, T0);
	victim_gen = t.e[idx].gen;
	for (i = 0; i < 1000000; i++) {
		addr4(a, 0x0a000000 + i);
		ww_feat_client_get(&t, 4, a, T0 + 1 + i);
	}
	assert_int_equal(t.stats.inserted, 1000001);
	/* Every insert beyond the table's size evicted one entry. */
	assert_int_equal(t.stats.evicted, 1000001 - 1024);
	/* The steady client's entry went to someone else: its generation
	 * says so, so the flows that cached it attach afresh. */
	assert_int_not_equal(t.e[idx].gen, victim_gen);
	ww_feat_clients_free(&t);
}

static uint32_t set_of(const struct ww_feat_clients *t, uint32_t v)
{
	uint8_t a[16];

	addr4(a, v);
	return rte_jhash(a, 16, t->seed ^ 4) & t->mask;
}

static void test_lru_within_a_set(void **state)
{
	struct ww_feat_clients t;
	uint8_t a[16];
	uint32_t v, n = 0, same[WW_FEAT_WAYS + 1], idx[WW_FEAT_WAYS + 1];
	uint32_t i, gen0;

	(void)state;
	assert_int_equal(ww_feat_clients_init(&t, 64, 64, 7, -1), 0);
	/* WAYS + 1 clients of one set. */
	for (v = 1; n < WW_FEAT_WAYS + 1; v++)
		if (set_of(&t, v) == set_of(&t, 1))
			same[n++] = v;
	for (i = 0; i < WW_FEAT_WAYS; i++) {
		addr4(a, same[i]);
		idx[i] = ww_feat_client_get(&t, 4, a, T0 + i);
	}
	assert_int_equal(t.stats.evicted, 0);
	/* The oldest is seen again: now the second oldest is the LRU. */
	addr4(a, same[0]);
	gen0 = t.e[idx[0]].gen;
	assert_int_equal(ww_feat_client_get(&t, 4, a, T0 + 100), idx[0]);
	addr4(a, same[WW_FEAT_WAYS]);
	idx[WW_FEAT_WAYS] = ww_feat_client_get(&t, 4, a, T0 + 101);
	assert_int_equal(t.stats.evicted, 1);
	assert_int_equal(idx[WW_FEAT_WAYS], idx[1]);
	/* The first kept its entry and generation. */
	addr4(a, same[0]);
	assert_int_equal(ww_feat_client_get(&t, 4, a, T0 + 102), idx[0]);
	assert_int_equal(t.e[idx[0]].gen, gen0);
	assert_int_equal(t.stats.evicted, 1);
	ww_feat_clients_free(&t);
}

/* An attacker who sends from new sources of its own set cannot wipe a
 * blocked client's entry (its block with it), nor a busy one before
 * idle ones. */
static void test_eviction_spares_blocked_and_busy(void **state)
{
	struct ww_feat_clients t;
	uint8_t a[16];
	uint32_t v, n = 0, same[3 * WW_FEAT_WAYS], blocked, busy, i;

	(void)state;
	assert_int_equal(ww_feat_clients_init(&t, 64, 64, 7, -1), 0);
	for (v = 1; n < 3 * WW_FEAT_WAYS; v++)
		if (set_of(&t, v) == set_of(&t, 1))
			same[n++] = v;
	addr4(a, same[0]);
	blocked = ww_feat_client_get(&t, 4, a, T0);
	t.e[blocked].blocked_until_ns = T0 + 300 * S;
	addr4(a, same[1]);
	busy = ww_feat_client_get(&t, 4, a, T0 + 1);
	t.e[busy].open_flows = 3;
	/* Sixteen more sources of that set, each newer than both. */
	for (i = 2; i < 2 + 2 * WW_FEAT_WAYS; i++) {
		addr4(a, same[i]);
		ww_feat_client_get(&t, 4, a, T0 + 10 + i);
	}
	assert_true(t.stats.evicted > 0);
	addr4(a, same[0]);
	assert_int_equal(ww_feat_client_get(&t, 4, a, T0 + 100), blocked);
	assert_true(t.e[blocked].blocked_until_ns > T0);
	addr4(a, same[1]);
	assert_int_equal(ww_feat_client_get(&t, 4, a, T0 + 101), busy);
	assert_int_equal(t.e[busy].open_flows, 3);
	ww_feat_clients_free(&t);
}

static void test_ipv6_clients_by_prefix(void **state)
{
	struct ww_feat_clients t;
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1};
	uint32_t x, y;

	(void)state;
	assert_int_equal(ww_feat_clients_init(&t, 64, 64, 7, -1), 0);
	a[15] = 1;
	x = ww_feat_client_get(&t, 4 + 2, a, T0); /* family 6 */
	a[15] = 2;
	a[9] = 0x77; /* another privacy address in the same /64 */
	y = ww_feat_client_get(&t, 6, a, T0 + 1);
	assert_int_equal(x, y);
	a[7] = 2; /* another /64 */
	y = ww_feat_client_get(&t, 6, a, T0 + 2);
	assert_int_not_equal(x, y);
	ww_feat_clients_free(&t);
}

static void test_windows_roll_and_slide(void **state)
{
	struct ww_feat_clients t;
	struct ww_feat_client *c;
	uint8_t a[16];
	float row[WW_FEAT_N];
	uint32_t idx;
	int i;

	(void)state;
	assert_int_equal(ww_feat_clients_init(&t, 64, 64, 7, -1), 0);
	addr4(a, 0xcb007101);
	idx = ww_feat_client_get(&t, 4, a, T0);
	c = &t.e[idx];
	/* 10 new flows in second 0 (T0 is a multiple of 10 s). */
	ww_feat_client_touch(&t, idx, T0 + S / 10);
	for (i = 0; i < 10; i++) {
		c->w1.new_flows++;
		c->w10.new_flows++;
	}
	/* At 0.5 s: the current second holds 10, nothing before. */
	ww_feat_row_client(row, WW_DP_TRIGGER, c, T0 + S / 2);
	assert_float_equal(row[WW_F_CLIENT_1S + WW_FW_NEW_FLOWS], 10, 1e-4);
	/* At the end of second 0 (the tick): exactly 10. */
	ww_feat_row_client(row, WW_DP_TICK, c, T0 + S);
	assert_float_equal(row[WW_F_CLIENT_1S + WW_FW_NEW_FLOWS], 10, 1e-4);
	/* Second 1, a quarter in, 4 more: 4 + 10 x 0.75. */
	ww_feat_client_roll(c, T0 + S + S / 4);
	for (i = 0; i < 4; i++) {
		c->w1.new_flows++;
		c->w10.new_flows++;
	}
	ww_feat_row_client(row, WW_DP_TRIGGER, c, T0 + S + S / 4);
	assert_float_equal(row[WW_F_CLIENT_1S + WW_FW_NEW_FLOWS], 11.5, 1e-4);
	/* The 10 s window still holds all 14 (its previous one is empty). */
	assert_float_equal(row[WW_F_CLIENT_10S + WW_FW_NEW_FLOWS], 14, 1e-4);
	/* Three seconds of silence: the 1 s window is empty, 10 s is not. */
	ww_feat_row_client(row, WW_DP_TICK, c, T0 + 5 * S);
	assert_float_equal(row[WW_F_CLIENT_1S + WW_FW_NEW_FLOWS], 0, 1e-4);
	assert_float_equal(row[WW_F_CLIENT_10S + WW_FW_NEW_FLOWS], 14, 1e-4);
	/* Second 12: the 10 s window before (0-9) weighs 0.8. */
	ww_feat_row_client(row, WW_DP_TICK, c, T0 + 12 * S);
	assert_float_equal(row[WW_F_CLIENT_10S + WW_FW_NEW_FLOWS], 14 * 0.8,
			   1e-3);
	/* Second 25: nothing left. */
	ww_feat_row_client(row, WW_DP_TICK, c, T0 + 25 * S);
	assert_float_equal(row[WW_F_CLIENT_10S + WW_FW_NEW_FLOWS], 0, 1e-4);
	ww_feat_clients_free(&t);
}

static void test_distinct_estimate(void **state)
{
	unsigned int n, base;

	(void)state;
	assert_float_equal(ww_feat_distinct(0), 0, 1e-6);
	assert_float_equal(ww_feat_distinct(ww_feat_bit(80)), 1, 0.01);
	for (n = 5; n <= 40; n += 5) {
		double sum = 0;

		/* Sequential values (a port scan) and strided ones: each
		 * estimate within 40 % (3 standard errors of 64-bit linear
		 * counting), their mean within 5 %. */
		for (base = 0; base < 100; base++) {
			uint64_t bm = 0;
			unsigned int v;
			double e;

			for (v = 0; v < n; v++)
				bm |= ww_feat_bit(base * 1000 +
						  v * (base % 2 ? 1 : 7));
			e = ww_feat_distinct(bm);
			assert_true(fabs(e - n) <= 0.4 * n);
			sum += e;
		}
		assert_true(fabs(sum / 100 - n) <= 0.05 * n);
	}
	/* Saturated: "several hundred", finite. */
	assert_true(ww_feat_distinct(UINT64_MAX) > 250);
	assert_true(isfinite(ww_feat_distinct(UINT64_MAX)));
}

static void test_flow_statistics(void **state)
{
	struct ww_feat_flow ff;
	struct ww_flow f;
	struct ww_pkt p;
	/* Sizes (IP) and times (ms) of a small exchange. */
	static const uint32_t size[] = {60, 60, 52, 300, 1500, 52};
	static const uint8_t dir[] = {0, 1, 0, 0, 1, 0};
	static const uint32_t ms[] = {0, 10, 20, 50, 60, 110};
	double mean = 0, m2 = 0;
	unsigned int i;
	enum ww_feat_dp dp;

	(void)state;
	memset(&ff, 0, sizeof(ff));
	memset(&f, 0, sizeof(f));
	f.start_ns = T0;
	for (i = 0; i < 6; i++) {
		memset(&p, 0, sizeof(p));
		p.l4proto = 17;
		p.payload_len = (uint16_t)(size[i] - 28);
		dp = ww_feat_flow_packet(&ff, &f, &p, size[i], dir[i],
					 T0 + ms[i] * 1000000ull);
		assert_int_equal(dp, i == 1   ? WW_DP_PKT2
				     : i == 3 ? WW_DP_PKT4
					      : WW_DP_NONE);
	}
	for (i = 0; i < 6; i++)
		mean += size[i] / 6.0;
	for (i = 0; i < 6; i++)
		m2 += (size[i] - mean) * (size[i] - mean);
	assert_int_equal(ff.pkts[0], 4);
	assert_int_equal(ff.pkts[1], 2);
	assert_int_equal(ff.bytes[0], 60 + 52 + 300 + 52);
	assert_int_equal(ff.payload[1], 32 + 1472);
	assert_int_equal(ff.size_min, 52);
	assert_int_equal(ff.size_max, 1500);
	assert_float_equal(ff.size_mean, mean, 1e-3);
	assert_float_equal(ff.size_m2 / 5, m2 / 5, m2 / 5 * 1e-5);
	/* Client gaps 20, 30, 60 ms: mean 36.67 ms, variance 433.3 ms^2. */
	assert_float_equal(ff.iat_mean[0], 0.110 / 3, 1e-6);
	assert_float_equal(ff.iat_m2[0] / 2, 433.3333e-6, 1e-8);
	assert_int_equal(ff.first[0], 60);
	assert_int_equal(ff.first[1], -60);
	assert_int_equal(ff.first[4], -1500);
	assert_int_equal(ff.first[6], 0);
}

static void test_user_agent_classes(void **state)
{
	static const struct {
		const char *ua;
		enum ww_feat_ua cls;
	} cases[] = {
		{"", WW_UA_NONE},
		{"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
		 WW_UA_BROWSER},
		{"curl/7.88.1", WW_UA_CLI},
		{"Wget/1.21.3", WW_UA_CLI},
		{"python-requests/2.28.1", WW_UA_LIBRARY},
		{"Go-http-client/1.1", WW_UA_LIBRARY},
		{"sqlmap/1.7.2#stable (https://sqlmap.org)", WW_UA_SCANNER},
		{"Mozilla/5.0 (compatible; Nmap Scripting Engine)",
		 WW_UA_SCANNER},
		{"gobuster/3.5", WW_UA_SCANNER},
		{"Mozilla/5.0 (compatible; Googlebot/2.1)", WW_UA_CRAWLER},
		{"kube-probe/1.27", WW_UA_MONITOR},
		{"ApacheBench/2.3", WW_UA_LOADTEST},
		{"k6/0.45.0 (https://k6.io/)", WW_UA_LOADTEST},
		{"SomethingElse/1.0", WW_UA_OTHER},
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ww_feat_ua_class(cases[i].ua,
				     (uint32_t)strlen(cases[i].ua)) !=
		    cases[i].cls)
			fail_msg(
				"'%s': class %d, want %d", cases[i].ua,
				ww_feat_ua_class(cases[i].ua,
						 (uint32_t)strlen(cases[i].ua)),
				cases[i].cls);
}

static void test_names_unique_and_complete(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < WW_FEAT_N; i++) {
		assert_non_null(ww_feat_name(i));
		assert_string_not_equal(ww_feat_name(i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(ww_feat_name(i),
						ww_feat_name(j));
	}
	assert_int_equal(WW_FEAT_N, 89);
	assert_true(sizeof(struct ww_feat_flow) <= 128);
	assert_int_equal(sizeof(struct ww_feat_client), 384);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_bounded_under_spoofed_sources),
		cmocka_unit_test(test_lru_within_a_set),
		cmocka_unit_test(test_eviction_spares_blocked_and_busy),
		cmocka_unit_test(test_ipv6_clients_by_prefix),
		cmocka_unit_test(test_windows_roll_and_slide),
		cmocka_unit_test(test_distinct_estimate),
		cmocka_unit_test(test_flow_statistics),
		cmocka_unit_test(test_user_agent_classes),
		cmocka_unit_test(test_names_unique_and_complete),
	};
	int rc;

	(void)argc;
	if (eal_for_tests(argv[0], "tfeat", 256) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
