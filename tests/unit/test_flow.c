/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow: both directions map to one flow, who the client is, TCP
 * lifecycle and end reasons, timeouts per state, eviction preferences at
 * capacity, unique ids, and one million concurrent flows in one table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eal_for_tests.h"
#include <rte_eal.h>
#include <rte_errno.h>

#include "ww_flow.h"

#define S 1000000000ull

static struct ww_flow_timeouts timeouts = {
	.ns = {[WW_FLOW_SYN] = 30 * S,
	       [WW_FLOW_ESTABLISHED] = 600 * S,
	       [WW_FLOW_CLOSING] = 60 * S,
	       [WW_FLOW_CLOSED] = 10 * S,
	       [WW_FLOW_UDP] = 60 * S,
	       [WW_FLOW_ICMP] = 30 * S,
	       [WW_FLOW_OTHER] = 45 * S},
};

/* Flows that ended, as the end callback saw them. */
static struct ww_flow ended[4096];
static unsigned int n_ended;

static void on_end(void *arg, struct ww_flow *f, uint64_t now)
{
	(void)arg;
	(void)now;
	if (n_ended < 4096)
		ended[n_ended++] = *f;
}

static struct ww_flow_stats stats;

static struct ww_flow_table *table(uint32_t n)
{
	static unsigned int seq;
	char name[32];
	struct ww_flow_table *t;

	snprintf(name, sizeof(name), "tflow%u", seq++);
	memset(&stats, 0, sizeof(stats));
	n_ended = 0;
	t = ww_flow_table_create(name, n, 3, &timeouts, &stats, 0);
	assert_non_null(t);
	ww_flow_set_end_cb(t, on_end, NULL);
	return t;
}

static void put_addr(uint8_t *dst, int v6, uint32_t a)
{
	uint8_t *w = dst + (v6 ? 12 : 0);

	w[0] = (uint8_t)(a >> 24);
	w[1] = (uint8_t)(a >> 16);
	w[2] = (uint8_t)(a >> 8);
	w[3] = (uint8_t)a;
	if (v6)
		dst[0] = 0xfd;
	else
		dst[0] = 10;
}

/* A TCP/UDP packet from (a, sport) to (b, dport); IPv4 when v6 is 0. */
static struct ww_pkt pkt(int v6, uint8_t proto, uint32_t a, uint16_t sport,
			 uint32_t b, uint16_t dport, uint8_t tcp_flags)
{
	struct ww_pkt p;

	memset(&p, 0, sizeof(p));
	p.l3 = v6 ? WW_PKT_L3_IPV6 : WW_PKT_L3_IPV4;
	p.l4proto = proto;
	p.flags = WW_PKT_F_L4;
	p.sport = sport;
	p.dport = dport;
	p.tcp_flags = tcp_flags;
	/* 10.a.a.a (IPv4) or fd00::a.a.a.a (IPv6), a's low 24/32 bits. */
	put_addr(p.src, v6, a);
	put_addr(p.dst, v6, b);
	return p;
}

/* Run one packet through the table; returns its flow and direction. */
static struct ww_flow *one(struct ww_flow_table *t, const struct ww_pkt *p,
			   uint64_t now, uint8_t *dir)
{
	const struct ww_pkt *pp[1] = {p};
	uint32_t len = 100;
	struct ww_flow *f[1];
	uint8_t d[1] = {9};

	ww_flow_lookup_burst(t, pp, &len, &now, 1, f, d, NULL);
	if (dir)
		*dir = d[0];
	return f[0];
}

static void test_both_directions_one_flow(void **state)
{
	struct ww_flow_table *t = table(1024);
	int v6;

	(void)state;
	for (v6 = 0; v6 < 2; v6++) {
		struct ww_pkt syn = pkt(v6, 6, 0x01020304, 40000, 0x05060708,
					80, WW_TCP_SYN);
		struct ww_pkt synack = pkt(v6, 6, 0x05060708, 80, 0x01020304,
					   40000, WW_TCP_SYN | WW_TCP_ACK);
		struct ww_pkt ack = pkt(v6, 6, 0x01020304, 40000, 0x05060708,
					80, WW_TCP_ACK);
		struct ww_flow *f1, *f2, *f3;
		uint8_t d1, d2, d3;

		f1 = one(t, &syn, 1 * S, &d1);
		f2 = one(t, &synack, 1 * S, &d2);
		f3 = one(t, &ack, 1 * S, &d3);
		assert_non_null(f1);
		assert_ptr_equal(f1, f2);
		assert_ptr_equal(f1, f3);
		assert_int_equal(d1, WW_FLOW_TOSERVER);
		assert_int_equal(d2, WW_FLOW_TOCLIENT);
		assert_int_equal(d3, WW_FLOW_TOSERVER);
		assert_int_equal(f1->pkts[WW_FLOW_TOSERVER], 2);
		assert_int_equal(f1->pkts[WW_FLOW_TOCLIENT], 1);
		assert_int_equal(f1->bytes[WW_FLOW_TOSERVER], 200);
		assert_int_equal(f1->state, WW_FLOW_ESTABLISHED);
		assert_int_equal(f1->key.family, v6 ? 6 : 4);
	}
	assert_int_equal(stats.created, 2);
	assert_int_equal(stats.active, 2);
	ww_flow_table_destroy(t);
}

static bool protect_5(const void *arg, uint8_t family, const uint8_t *addr)
{
	(void)arg;
	(void)family;
	return addr[1] == 6; /* 10.6.7.8: pkt() with a = 0x05060708 */
}

static void test_who_is_the_client(void **state)
{
	struct ww_flow_table *t = table(1024);
	struct ww_pkt synack = pkt(0, 6, 0x05060708, 443, 0x01020304, 5555,
				   WW_TCP_SYN | WW_TCP_ACK);
	struct ww_pkt udp = pkt(0, 17, 0x05060708, 53, 0x01020304, 7777, 0);
	struct ww_pkt mid =
		pkt(0, 6, 0x05060708, 8080, 0x01020304, 6666, WW_TCP_ACK);
	uint8_t d;

	(void)state;
	/* A SYN-ACK comes from the server, even when seen first. */
	one(t, &synack, S, &d);
	assert_int_equal(d, WW_FLOW_TOCLIENT);
	/* Otherwise the first sender is the client ... */
	one(t, &udp, S, &d);
	assert_int_equal(d, WW_FLOW_TOSERVER);
	/* ... unless it is on the protected side. */
	ww_flow_set_protected(t, protect_5, NULL);
	one(t, &mid, S, &d);
	assert_int_equal(d, WW_FLOW_TOCLIENT);
	ww_flow_table_destroy(t);
}

static void test_tcp_lifecycle_and_reasons(void **state)
{
	struct ww_flow_table *t = table(1024);
	struct ww_pkt c_syn = pkt(0, 6, 1, 1000, 2, 80, WW_TCP_SYN);
	struct ww_pkt s_sa = pkt(0, 6, 2, 80, 1, 1000, WW_TCP_SYN | WW_TCP_ACK);
	struct ww_pkt c_fin =
		pkt(0, 6, 1, 1000, 2, 80, WW_TCP_FIN | WW_TCP_ACK);
	struct ww_pkt s_fin =
		pkt(0, 6, 2, 80, 1, 1000, WW_TCP_FIN | WW_TCP_ACK);
	struct ww_pkt c_ack = pkt(0, 6, 1, 1000, 2, 80, WW_TCP_ACK);
	struct ww_pkt r_syn = pkt(0, 6, 1, 2000, 2, 80, WW_TCP_SYN);
	struct ww_pkt r_rst = pkt(0, 6, 2, 80, 1, 2000, WW_TCP_RST);
	struct ww_flow *f;
	uint64_t id;

	(void)state;
	f = one(t, &c_syn, S, NULL);
	assert_int_equal(f->state, WW_FLOW_SYN);
	one(t, &s_sa, S, NULL);
	assert_int_equal(f->state, WW_FLOW_ESTABLISHED);
	one(t, &c_fin, S, NULL);
	assert_int_equal(f->state, WW_FLOW_CLOSING);
	one(t, &s_fin, S, NULL);
	one(t, &c_ack, S, NULL);
	assert_int_equal(f->state, WW_FLOW_CLOSED);
	id = f->id;

	/* A new SYN on the closed 4-tuple is a new connection. */
	f = one(t, &c_syn, 2 * S, NULL);
	assert_int_equal(n_ended, 1);
	assert_int_equal(ended[0].end_reason, WW_FLOW_END_FIN);
	assert_int_equal(ended[0].id, id);
	assert_int_not_equal(f->id, id);
	assert_int_equal(f->state, WW_FLOW_SYN);

	f = one(t, &r_syn, 2 * S, NULL);
	one(t, &r_rst, 2 * S, NULL);
	assert_int_equal(f->state, WW_FLOW_CLOSED);
	/* Closed flows leave after closed_timeout, with their reason. */
	assert_int_equal(ww_flow_expire(t, 2 * S + 10 * S - 1), 0);
	assert_int_equal(ww_flow_expire(t, 2 * S + 10 * S), 1);
	assert_int_equal(ended[n_ended - 1].end_reason, WW_FLOW_END_RST);
	assert_int_equal(stats.ended[WW_FLOW_END_RST], 1);
	assert_int_equal(stats.ended[WW_FLOW_END_FIN], 1);
	ww_flow_table_destroy(t);
}

static void test_rst_only_in_window(void **state)
{
	struct ww_flow_table *t = table(1024);
	struct ww_pkt syn = pkt(0, 6, 1, 3000, 2, 80, WW_TCP_SYN);
	struct ww_pkt sa = pkt(0, 6, 2, 80, 1, 3000, WW_TCP_SYN | WW_TCP_ACK);
	struct ww_pkt ack = pkt(0, 6, 1, 3000, 2, 80, WW_TCP_ACK);
	struct ww_pkt rst = pkt(0, 6, 2, 80, 1, 3000, WW_TCP_RST);
	struct ww_flow *f;

	(void)state;
	syn.tcp_seq = 1000;
	sa.tcp_seq = 5000;
	sa.tcp_ack = 1001;
	sa.tcp_window = 1000;
	ack.tcp_seq = 1001;
	ack.tcp_ack = 5001;
	ack.tcp_window = 2000; /* the client takes 2000 bytes from 5001 */
	f = one(t, &syn, S, NULL);
	one(t, &sa, S, NULL);
	one(t, &ack, S, NULL);
	assert_int_equal(f->state, WW_FLOW_ESTABLISHED);

	/* A blind RST far from the window changes nothing. */
	rst.tcp_seq = 5001 + 100000;
	one(t, &rst, S, NULL);
	assert_int_equal(f->state, WW_FLOW_ESTABLISHED);
	assert_int_equal(stats.rst_out_of_window, 1);
	rst.tcp_seq = 5001 - 5000;
	one(t, &rst, S, NULL);
	assert_int_equal(f->state, WW_FLOW_ESTABLISHED);
	assert_int_equal(stats.rst_out_of_window, 2);

	/* In window: the connection is over. */
	rst.tcp_seq = 5001 + 500;
	one(t, &rst, S, NULL);
	assert_int_equal(f->state, WW_FLOW_CLOSED);
	assert_int_equal(f->end_reason, WW_FLOW_END_RST);
	ww_flow_table_destroy(t);
}

static void test_timeouts_per_state(void **state)
{
	struct {
		struct ww_pkt p;
		enum ww_flow_state st;
	} c[] = {
		{pkt(0, 6, 1, 1, 2, 80, WW_TCP_SYN), WW_FLOW_SYN},
		{pkt(0, 6, 1, 2, 2, 80, WW_TCP_ACK), WW_FLOW_ESTABLISHED},
		{pkt(0, 6, 1, 3, 2, 80, WW_TCP_FIN | WW_TCP_ACK),
		 WW_FLOW_CLOSING},
		{pkt(0, 17, 1, 4, 2, 53, 0), WW_FLOW_UDP},
		{pkt(0, 1, 1, 0, 3, 0, 0), WW_FLOW_ICMP},
		{pkt(0, 47, 1, 0, 4, 0, 0), WW_FLOW_OTHER},
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ww_flow_table *t = table(1024);
		uint64_t to = timeouts.ns[c[i].st];
		struct ww_flow *f = one(t, &c[i].p, 100 * S, NULL);

		assert_non_null(f);
		assert_int_equal(f->state, c[i].st);
		assert_int_equal(ww_flow_expire(t, 100 * S + to - 1), 0);
		assert_int_equal(ww_flow_expire(t, 100 * S + to), 1);
		assert_int_equal(ended[0].end_reason, WW_FLOW_END_TIMEOUT);
		assert_int_equal(stats.active, 0);
		/* Traffic refreshes the timer. */
		one(t, &c[i].p, 200 * S, NULL);
		one(t, &c[i].p, 200 * S + to, NULL);
		assert_int_equal(ww_flow_expire(t, 200 * S + to + 2), 0);
		ww_flow_table_destroy(t);
	}
}

static void test_eviction_prefers_half_open_then_idle(void **state)
{
	struct ww_flow_table *t = table(1024);
	struct ww_pkt p;
	uint32_t i;
	uint8_t d;

	(void)state;
	/* 1000 established flows active at t=100 s and 24 half-open ones. */
	for (i = 0; i < 1000; i++) {
		p = pkt(0, 6, 0x10000 + i, 1000, 2, 80, WW_TCP_ACK);
		assert_non_null(one(t, &p, 100 * S, NULL));
	}
	for (i = 0; i < 24; i++) {
		p = pkt(0, 6, 0x20000 + i, 1000, 2, 80, WW_TCP_SYN);
		assert_non_null(one(t, &p, 100 * S, NULL));
	}
	assert_int_equal(stats.active, 1024);
	/* Full: each new flow takes a half-open one's place. */
	for (i = 0; i < 24; i++) {
		p = pkt(0, 6, 0x30000 + i, 1000, 2, 80, WW_TCP_SYN);
		assert_non_null(one(t, &p, 100 * S, &d));
	}
	assert_int_equal(stats.evicted_by_state[WW_FLOW_SYN], 24);
	assert_int_equal(stats.evicted_by_state[WW_FLOW_ESTABLISHED], 0);
	assert_int_equal(stats.ended[WW_FLOW_END_EVICTED], 24);
	for (i = 0; i < n_ended; i++)
		assert_int_equal(ended[i].state, WW_FLOW_SYN);

	/* Only established ones left, some idle: the idle go first. */
	for (i = 0; i < 1000; i += 2) {
		p = pkt(0, 6, 0x10000 + i, 1000, 2, 80, WW_TCP_ACK);
		one(t, &p, 200 * S, NULL); /* half of them active again */
	}
	n_ended = 0;
	for (i = 0; i < 24; i++) { /* the newcomers' servers answer */
		p = pkt(0, 6, 2, 80, 0x30000 + i, 1000,
			WW_TCP_SYN | WW_TCP_ACK);
		one(t, &p, 200 * S, NULL);
	}
	for (i = 0; i < 100; i++) {
		p = pkt(0, 17, 0x40000 + i, 1000, 2, 53, 0);
		assert_non_null(one(t, &p, 200 * S, NULL));
	}
	assert_int_equal(n_ended, 100);
	for (i = 0; i < n_ended; i++)
		if (ended[i].last_ns != 100 * S)
			fail_msg("victim %u: state %u last %" PRIu64, i,
				 ended[i].state, ended[i].last_ns);
	assert_int_equal(stats.active, 1024);
	ww_flow_table_destroy(t);
}

static void test_ids_unique(void **state)
{
	struct ww_flow_table *t = table(4096);
	uint64_t ids[3000];
	unsigned int i, j;

	(void)state;
	for (i = 0; i < 3000; i++) {
		struct ww_pkt p = pkt(0, 17, 0x50000 + i, 9, 2, 53, 0);

		ids[i] = one(t, &p, S, NULL)->id;
		assert_int_equal(ids[i] >> 48, 3); /* the worker id */
	}
	for (i = 1; i < 3000; i++)
		for (j = 0; j < i; j++)
			if (ids[i] == ids[j])
				fail_msg("flow id %" PRIu64 " twice", ids[i]);
	ww_flow_table_destroy(t);
}

/* The default capacity: one million concurrent flows in one table,
 * looked up in bursts of 32 as a worker does. */
static void test_one_million_flows(void **state)
{
	const uint32_t n = 1000000;
	struct ww_flow_table *t = table(n);
	struct ww_pkt p[32];
	const struct ww_pkt *pp[32];
	struct ww_flow *f[32];
	uint8_t d[32];
	uint32_t lens[32], i, k;
	uint64_t ts[32];

	(void)state;
	for (k = 0; k < 32; k++) {
		lens[k] = 64;
		ts[k] = S;
		pp[k] = &p[k];
	}
	for (i = 0; i < n; i += 32) {
		for (k = 0; k < 32 && i + k < n; k++)
			p[k] = pkt(0, 17, 0x01000000 + i + k, 1234, 2, 53, 0);
		ww_flow_lookup_burst(t, pp, lens, ts, k, f, d, NULL);
		while (k--)
			assert_non_null(f[k]);
	}
	assert_int_equal(stats.active, n);
	assert_int_equal(stats.created, n);
	assert_int_equal(stats.table_full, 0);
	assert_int_equal(stats.ended[WW_FLOW_END_EVICTED], 0);
	/* All still there: a second pass creates nothing. */
	for (i = 0; i < n; i += 32) {
		for (k = 0; k < 32 && i + k < n; k++)
			p[k] = pkt(0, 17, 0x01000000 + i + k, 1234, 2, 53, 0);
		ww_flow_lookup_burst(t, pp, lens, ts, k, f, d, NULL);
	}
	assert_int_equal(stats.created, n);
	printf("one million flows: %" PRIu64 " bytes of table, %" PRIu64
	       " bytes per flow (%zu of state, the rest is the hash)\n",
	       ww_flow_table_memory(t), ww_flow_table_memory(t) / n,
	       sizeof(struct ww_flow));
	/* One more flow evicts one (all are equally active: the oldest). */
	p[0] = pkt(0, 17, 0x7f000000, 1, 2, 53, 0);
	ts[0] = 2 * S;
	ww_flow_lookup_burst(t, pp, lens, ts, 1, f, d, NULL);
	assert_non_null(f[0]);
	assert_int_equal(stats.evicted_by_state[WW_FLOW_UDP], 1);
	ww_flow_table_destroy(t);
}

/* The expiry wheel: each flow ends in the second its timeout passes,
 * however far off (past a whole turn of the wheel) and however the
 * calls are spaced; flows that end early leave the wheel; a state change
 * to a shorter timeout brings the end forward. */
static void test_expiry_wheel(void **state)
{
	struct ww_flow_timeouts saved = timeouts;
	struct ww_flow_table *t;
	struct ww_pkt p[300];
	unsigned int i, total = 0;
	uint64_t now;

	(void)state;
	timeouts.ns[WW_FLOW_UDP] = 10000 * S; /* > 4096 slots */
	t = table(1024);
	for (i = 0; i < 300; i++) {
		p[i] = pkt(0, 17, 1, (uint16_t)(1000 + i), 2, 53, 0);
		assert_non_null(one(t, &p[i], 5 * S + i * (S / 10), NULL));
	}
	/* Nothing before 10000 s; then one after the other, in steps. */
	for (now = 5 * S; now < 5 * S + 9999 * S; now += 997 * S)
		assert_int_equal(ww_flow_expire(t, now), 0);
	for (now = 5 * S + 10000 * S; total < 300; now += S / 2) {
		total += ww_flow_expire(t, now);
		/* Flow i's deadline is 5 s + i/10 s + 10000 s. */
		assert_true(total <= (now - 5 * S - 10000 * S) / (S / 10) + 1);
	}
	assert_int_equal(stats.active, 0);
	/* A long pause costs one turn of the wheel, and still ends all. */
	for (i = 0; i < 10; i++)
		one(t, &p[i], 30000 * S, NULL);
	assert_int_equal(ww_flow_expire(t, 900000 * S), 10);
	ww_flow_table_destroy(t);
	timeouts = saved;

	/* Established (600 s) -> closed by FIN both ways (10 s): it ends
	 * 10 s after the close, not 600 s after the last packet. */
	{
		struct ww_pkt c_syn = pkt(0, 6, 1, 3000, 2, 80, WW_TCP_SYN);
		struct ww_pkt s_sa =
			pkt(0, 6, 2, 80, 1, 3000, WW_TCP_SYN | WW_TCP_ACK);
		struct ww_pkt c_fin =
			pkt(0, 6, 1, 3000, 2, 80, WW_TCP_FIN | WW_TCP_ACK);
		struct ww_pkt s_fin =
			pkt(0, 6, 2, 80, 1, 3000, WW_TCP_FIN | WW_TCP_ACK);
		struct ww_pkt c_ack = pkt(0, 6, 1, 3000, 2, 80, WW_TCP_ACK);

		t = table(1024);
		n_ended = 0;
		one(t, &c_syn, 100 * S, NULL);
		one(t, &s_sa, 100 * S, NULL);
		one(t, &c_fin, 101 * S, NULL);
		one(t, &s_fin, 101 * S, NULL);
		one(t, &c_ack, 101 * S, NULL);
		assert_int_equal(ww_flow_expire(t, 110 * S), 0);
		assert_int_equal(ww_flow_expire(t, 111 * S), 1);
		assert_int_equal(ended[0].end_reason, WW_FLOW_END_FIN);
		ww_flow_table_destroy(t);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions_one_flow),
		cmocka_unit_test(test_who_is_the_client),
		cmocka_unit_test(test_tcp_lifecycle_and_reasons),
		cmocka_unit_test(test_rst_only_in_window),
		cmocka_unit_test(test_timeouts_per_state),
		cmocka_unit_test(test_expiry_wheel),
		cmocka_unit_test(test_eviction_prefers_half_open_then_idle),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_one_million_flows),
	};
	int rc;

	(void)argc;
	if (eal_for_tests(argv[0], "tflow", 1024) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
