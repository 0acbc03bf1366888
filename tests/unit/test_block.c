/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/block: longest-prefix match against a naive reference on random
 * prefix sets (IPv4 and IPv6, with exceptions and dynamic entries), file
 * errors naming file and line, dynamic entries (expiry, cap, exceptions),
 * reload that keeps the old set on error, and sets swapped under a
 * concurrently reading thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "eal_for_tests.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "ww_block.h"

static char dir[64];
static char written[16][128]; /* removed at the end */
static unsigned int n_written;

static const char *write_file(const char *name, const char *text)
{
	static char path[8][128];
	static unsigned int k;
	char *p = path[k++ % 8];
	unsigned int i;
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	for (i = 0; i < n_written && strcmp(written[i], p) != 0; i++)
		;
	if (i == n_written && n_written < 16)
		snprintf(written[n_written++], 128, "%s", p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void conf_with(struct ww_conf *c, const char *file)
{
	ww_conf_defaults(c);
	c->n_block_files = 0;
	if (file != NULL) {
		snprintf(c->block_files[0], sizeof(c->block_files[0]), "%s",
			 file);
		c->n_block_files = 1;
	}
}

static uint8_t lookup_src(struct ww_block *b, int family, const uint8_t *a)
{
	struct ww_pkt p;
	const struct ww_pkt *pp = &p;
	uint8_t s, d;

	memset(&p, 0, sizeof(p));
	p.l3 = family == AF_INET ? WW_PKT_L3_IPV4 : WW_PKT_L3_IPV6;
	memcpy(p.src, a, 16);
	ww_block_lookup_burst(ww_block_get(b), &pp, 1, &s, &d);
	return s;
}

/* The reference: the longest containing rule; on equal length an
 * exception beats a dynamic entry, which beats a listed one. */
static uint8_t naive(const struct ww_block_rule *r, uint32_t n, int family,
		     const uint8_t *a)
{
	int best_len = -1;
	uint8_t best = WW_BLOCK_NONE;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (!ww_cidr_contains(&r[i].cidr, (uint8_t)family, a))
			continue;
		if (r[i].cidr.prefix_len > best_len ||
		    (r[i].cidr.prefix_len == best_len && r[i].match > best)) {
			best_len = r[i].cidr.prefix_len;
			best = r[i].match;
		}
	}
	return best;
}

static void random_prefix(int family, struct ww_cidr *c)
{
	const unsigned int bits = family == AF_INET ? 32 : 128;
	/* Lengths cluster around the realistic ones, all of 0..bits can
	 * come out. */
	static const uint8_t v4_len[] = {8,  12, 16, 20, 23, 24,
					 25, 28, 30, 31, 32};
	static const uint8_t v6_len[] = {16, 24, 29, 32,  40,  48,  56,	 60,
					 64, 80, 96, 112, 120, 125, 127, 128};
	unsigned int len, i;

	memset(c, 0, sizeof(*c));
	c->family = (uint8_t)family;
	if (rte_rand() % 8 == 0)
		len = (unsigned int)(rte_rand() % (bits + 1));
	else if (family == AF_INET)
		len = v4_len[rte_rand() % sizeof(v4_len)];
	else
		len = v6_len[rte_rand() % sizeof(v6_len)];
	c->prefix_len = (uint8_t)len;
	/* A small address space, so prefixes overlap and nest. */
	c->addr[0] = family == AF_INET ? 10 : 0x20;
	c->addr[1] = (uint8_t)(rte_rand() % 4);
	for (i = 2; i < bits / 8; i++)
		c->addr[i] = (uint8_t)(rte_rand() % 4 == 0 ? rte_rand() : 0);
	for (i = 0; i < bits; i++)
		if (i >= len)
			c->addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

static void format_cidr(const struct ww_cidr *c, char *out, size_t len)
{
	char a[64];

	inet_ntop(c->family, c->addr, a, sizeof(a));
	snprintf(out, len, "%s/%u", a, c->prefix_len);
}

static void lpm_against_naive(int family)
{
	const unsigned int bits = family == AF_INET ? 32 : 128;
	struct ww_block_rule all[700];
	uint32_t n = 0, i, q, mismatches = 0, hits = 0;
	char *text = malloc(64 * 700), err[256], line[80];
	size_t tl = 0;
	struct ww_conf conf;
	struct ww_block *b;

	/* 500 listed rules, one in four an exception. */
	for (i = 0; i < 500; i++) {
		struct ww_block_rule *r = &all[n++];

		random_prefix(family, &r->cidr);
		r->match =
			rte_rand() % 4 == 0 ? WW_BLOCK_EXCEPT : WW_BLOCK_LISTED;
		format_cidr(&r->cidr, line, sizeof(line));
		tl += (size_t)sprintf(text + tl, "%s%s # rule %u\n",
				      r->match == WW_BLOCK_EXCEPT ? "!" : "",
				      line, i);
	}
	conf_with(&conf, write_file(family == AF_INET ? "r4" : "r6", text));
	b = ww_block_create(&conf, NULL, 0, err, sizeof(err));
	if (b == NULL)
		fail_msg("%s", err);
	/* 200 dynamic entries; those inside an exception are refused. */
	for (i = 0; i < 200; i++) {
		struct ww_cidr c;

		random_prefix(family, &c);
		if (ww_block_add(b, &c, 0, err, sizeof(err)) == 0) {
			bool dup = false;
			uint32_t j;

			for (j = 500; j < n; j++)
				dup |= all[j].cidr.prefix_len == c.prefix_len &&
				       memcmp(all[j].cidr.addr, c.addr, 16) ==
					       0;
			if (!dup)
				all[n++] = (struct ww_block_rule){
					.cidr = c, .match = WW_BLOCK_DYNAMIC};
		}
	}
	assert_int_equal(ww_block_commit(b, err, sizeof(err)), 0);
	for (q = 0; q < 20000; q++) {
		uint8_t a[16] = {0};
		unsigned int k;

		if (q % 2 == 0) { /* inside or just around a rule */
			const struct ww_cidr *c = &all[rte_rand() % n].cidr;

			memcpy(a, c->addr, 16);
			for (k = c->prefix_len; k < bits; k++)
				if (rte_rand() & 1)
					a[k / 8] |= (uint8_t)(0x80 >> (k % 8));
			if (rte_rand() % 4 == 0 && c->prefix_len > 0) {
				k = (unsigned int)(rte_rand() % c->prefix_len);
				a[k / 8] ^= (uint8_t)(0x80 >> (k % 8));
			}
		} else {
			for (k = 0; k < bits / 8; k++)
				a[k] = (uint8_t)rte_rand();
			a[0] = family == AF_INET ? 10 : 0x20;
			a[1] = (uint8_t)(rte_rand() % 4);
		}
		if (lookup_src(b, family, a) != naive(all, n, family, a))
			mismatches++;
		hits += naive(all, n, family, a) != WW_BLOCK_NONE;
	}
	assert_int_equal(mismatches, 0);
	assert_true(hits > 5000); /* the test looked at matches too */
	ww_block_destroy(b);
	free(text);
}

static void test_lpm_v4_against_naive(void **state)
{
	(void)state;
	lpm_against_naive(AF_INET);
}

static void test_lpm_v6_against_naive(void **state)
{
	(void)state;
	lpm_against_naive(AF_INET6);
}

static void test_bad_files_name_file_and_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"10.0.0.0/8\n# ok\n\n10.0.0.1/8\n",
		 ":4: '10.0.0.1/8' has host"},
		{"10.0.0.0/33\n", ":1: '10.0.0.0/33': prefix length"},
		{"  2001:db8::/32  # fine\nnot-an-address\n",
		 ":2: 'not-an-address' is not"},
		{"10.0.0.0/8 10.1.0.0/16\n", ":1: one address or prefix"},
		{"!\n", ":1: '' is not"},
	};
	struct ww_conf conf;
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_file("bad", cases[i].text);

		conf_with(&conf, path);
		assert_null(ww_block_create(&conf, NULL, 0, err, sizeof(err)));
		if (strstr(err, path) == NULL ||
		    strstr(err, cases[i].want) == NULL)
			fail_msg("case %u: '%s' lacks '%s'", i, err,
				 cases[i].want);
	}
	conf_with(&conf, "/nonexistent/blocklist");
	assert_null(ww_block_create(&conf, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/blocklist"));
}

static void parse(const char *s, struct ww_cidr *c)
{
	char err[128];

	assert_int_equal(ww_conf_parse_cidr(s, c, err, sizeof(err)), 0);
}

static uint8_t lookup_str(struct ww_block *b, const char *addr)
{
	struct ww_cidr c;

	parse(addr, &c);
	return lookup_src(b, c.family, c.addr);
}

static void test_dynamic_entries(void **state)
{
	struct ww_conf conf;
	struct ww_block *b;
	struct ww_cidr c;
	char err[256];

	(void)state;
	conf_with(&conf, write_file("dyn", "198.51.100.0/24\n!10.9.0.0/16\n"));
	conf.block_dynamic_max = 2;
	b = ww_block_create(&conf, NULL, 0, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(lookup_str(b, "198.51.100.9"), WW_BLOCK_LISTED);
	assert_int_equal(lookup_str(b, "192.0.2.1"), WW_BLOCK_NONE);

	parse("192.0.2.1", &c);
	assert_int_equal(ww_block_add(b, &c, 1000, err, sizeof(err)), 0);
	/* Not in force before the commit. */
	assert_int_equal(lookup_str(b, "192.0.2.1"), WW_BLOCK_NONE);
	assert_int_equal(ww_block_commit(b, err, sizeof(err)), 0);
	assert_int_equal(lookup_str(b, "192.0.2.1"), WW_BLOCK_DYNAMIC);
	assert_int_equal(lookup_str(b, "192.0.2.2"), WW_BLOCK_NONE);

	parse("2001:db8::/64", &c);
	assert_int_equal(ww_block_add(b, &c, 0, err, sizeof(err)), 0);
	parse("203.0.113.0/24", &c);
	assert_int_equal(ww_block_add(b, &c, 0, err, sizeof(err)), -ENOSPC);
	assert_int_equal(b->dynamic_refused, 1);
	parse("10.9.8.7", &c);
	assert_int_equal(ww_block_add(b, &c, 0, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "exception"));
	assert_int_equal(ww_block_commit(b, err, sizeof(err)), 0);
	assert_int_equal(lookup_str(b, "2001:db8::77"), WW_BLOCK_DYNAMIC);

	/* Expiry: the IPv4 entry at 1000 ns, the IPv6 one never. */
	assert_int_equal(ww_block_expire(b, 999), 0);
	assert_int_equal(ww_block_expire(b, 1000), 1);
	assert_int_equal(ww_block_commit(b, err, sizeof(err)), 0);
	assert_int_equal(lookup_str(b, "192.0.2.1"), WW_BLOCK_NONE);
	assert_int_equal(lookup_str(b, "2001:db8::77"), WW_BLOCK_DYNAMIC);
	parse("2001:db8::/64", &c);
	assert_int_equal(ww_block_remove(b, &c), 0);
	assert_int_equal(ww_block_remove(b, &c), -ENOENT);
	assert_int_equal(ww_block_commit(b, err, sizeof(err)), 0);
	assert_int_equal(lookup_str(b, "2001:db8::77"), WW_BLOCK_NONE);
	ww_block_destroy(b);
}

static void test_reload_keeps_old_set_on_error(void **state)
{
	struct ww_conf conf;
	struct ww_block *b;
	struct ww_cidr c;
	char err[256];

	(void)state;
	conf_with(&conf, write_file("rl", "198.51.100.0/24\n"));
	b = ww_block_create(&conf, NULL, 0, err, sizeof(err));
	assert_non_null(b);
	parse("192.0.2.1", &c);
	assert_int_equal(ww_block_add(b, &c, 0, err, sizeof(err)), 0);
	assert_int_equal(ww_block_commit(b, err, sizeof(err)), 0);

	write_file("rl", "203.0.113.0/24\nbroken\n");
	assert_true(ww_block_reload(b, &conf, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, ":2:"));
	assert_int_equal(lookup_str(b, "198.51.100.1"), WW_BLOCK_LISTED);
	assert_int_equal(lookup_str(b, "203.0.113.1"), WW_BLOCK_NONE);

	write_file("rl", "203.0.113.0/24\n");
	assert_int_equal(ww_block_reload(b, &conf, err, sizeof(err)), 0);
	assert_int_equal(lookup_str(b, "198.51.100.1"), WW_BLOCK_NONE);
	assert_int_equal(lookup_str(b, "203.0.113.1"), WW_BLOCK_LISTED);
	/* Dynamic entries survive a reload. */
	assert_int_equal(lookup_str(b, "192.0.2.1"), WW_BLOCK_DYNAMIC);
	ww_block_destroy(b);
}

/* A reader thread looks up without pause while the control side swaps
 * sets; each set blocks exactly one of two addresses, so every answer
 * must be one of the two consistent ones. */
struct reader {
	struct ww_block *b;
	struct rte_rcu_qsbr *qsbr;
	volatile int stop;
	uint64_t lookups, inconsistent;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct ww_pkt p[2];
	const struct ww_pkt *pp[2] = {&p[0], &p[1]};
	uint8_t s[2], d[2];

	memset(p, 0, sizeof(p));
	p[0].l3 = p[1].l3 = WW_PKT_L3_IPV4;
	inet_pton(AF_INET, "192.0.2.1", p[0].src);
	inet_pton(AF_INET, "192.0.2.2", p[1].src);
	rte_rcu_qsbr_thread_register(r->qsbr, 0);
	rte_rcu_qsbr_thread_online(r->qsbr, 0);
	while (!r->stop) {
		ww_block_lookup_burst(ww_block_get(r->b), pp, 2, s, d);
		if ((s[0] == WW_BLOCK_DYNAMIC) == (s[1] == WW_BLOCK_DYNAMIC))
			r->inconsistent++;
		r->lookups++;
		rte_rcu_qsbr_quiescent(r->qsbr, 0);
	}
	rte_rcu_qsbr_thread_offline(r->qsbr, 0);
	rte_rcu_qsbr_thread_unregister(r->qsbr, 0);
	return NULL;
}

static void test_swap_under_reader(void **state)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct reader r = {0};
	struct ww_conf conf;
	struct ww_cidr a, b2;
	pthread_t t;
	char err[256];
	int i;

	(void)state;
	r.qsbr = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);
	assert_non_null(r.qsbr);
	assert_int_equal(rte_rcu_qsbr_init(r.qsbr, 1), 0);
	conf_with(&conf, NULL);
	r.b = ww_block_create(&conf, r.qsbr, 0, err, sizeof(err));
	assert_non_null(r.b);
	parse("192.0.2.1", &a);
	parse("192.0.2.2", &b2);
	assert_int_equal(ww_block_add(r.b, &a, 0, err, sizeof(err)), 0);
	assert_int_equal(ww_block_commit(r.b, err, sizeof(err)), 0);
	assert_int_equal(pthread_create(&t, NULL, reader_main, &r), 0);
	for (i = 0; i < 100; i++) {
		const bool odd = i & 1;

		ww_block_remove(r.b, odd ? &b2 : &a);
		assert_int_equal(
			ww_block_add(r.b, odd ? &a : &b2, 0, err, sizeof(err)),
			0);
		assert_int_equal(ww_block_commit(r.b, err, sizeof(err)), 0);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	assert_true(r.lookups > 0);
	assert_int_equal(r.inconsistent, 0);
	ww_block_destroy(r.b);
	rte_free(r.qsbr);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lpm_v4_against_naive),
		cmocka_unit_test(test_lpm_v6_against_naive),
		cmocka_unit_test(test_bad_files_name_file_and_line),
		cmocka_unit_test(test_dynamic_entries),
		cmocka_unit_test(test_reload_keeps_old_set_on_error),
		cmocka_unit_test(test_swap_under_reader),
	};
	int rc;

	(void)argc;
	snprintf(dir, sizeof(dir), "/tmp/ww_test_block.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (eal_for_tests(argv[0], "tblock", 512) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	while (n_written > 0)
		unlink(written[--n_written]);
	rmdir(dir);
	return rc;
}
