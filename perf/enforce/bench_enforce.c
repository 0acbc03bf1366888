/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/enforce: one core's rate of
 *   - block-list lookups (lib/block: source and destination of bursts of
 *     32 packets, 80 % IPv4) against DPDK's rte_lpm on the same IPv4
 *     prefixes and addresses, as l3fwd uses it;
 *   - token-bucket checks (lib/limit, 100k clients) against DPDK's
 *     rte_meter srTCM on the same rate and burst;
 *   - JWT checks (lib/auth) uncached and cached, per algorithm, printed
 *     as raw numbers; perf/enforce/run.sh puts them beside `openssl
 *     speed` for the same algorithms.
 *
 *   bench_enforce BLOCKLIST_OUT KEYSPEC TOKENS_FILE SECONDS
 *
 * Output lines: "block ww <addr/s> lpm <addr/s>", "limit ww <checks/s>
 * meter <checks/s>", "jwt <ALG> uncached <n/s> cached <n/s>".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_meter.h>
#include <rte_random.h>

#include "../../tests/unit/eal_for_tests.h"
#include "ww_auth.h"
#include "ww_block.h"
#include "ww_limit.h"

#define BURST	    32
#define N_ADDR	    (1 << 16)
#define N_V4_PREFIX 20000
#define N_V6_PREFIX 4000
#define N_CLIENTS   100000
#define NOW_S	    1767225600ull

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile uint64_t sink;

static void bench_block(const char *list_path, double secs)
{
	static struct ww_pkt pk[N_ADDR];
	static const struct ww_pkt *pp[N_ADDR];
	static uint32_t v4[N_ADDR][2];
	struct rte_lpm_config lc = {.max_rules = N_V4_PREFIX * 2,
				    .number_tbl8s = 1 << 16};
	struct rte_lpm *lpm = rte_lpm_create("bench", 0, &lc);
	struct ww_conf conf;
	struct ww_block *b;
	FILE *f = fopen(list_path, "w");
	uint64_t n = 0, i;
	uint32_t k;
	double t0, ww_rate, lpm_rate;
	char err[256];
	uint8_t s[BURST], d[BURST];

	if (f == NULL || lpm == NULL) {
		fprintf(stderr, "bench: block set-up failed\n");
		exit(1);
	}
	/* Random prefixes; the addresses are drawn so that about a third
	 * fall inside one. */
	for (k = 0; k < N_V4_PREFIX; k++) {
		uint32_t a = (uint32_t)rte_rand(), len = 8 + rte_rand() % 25;

		a &= len == 32 ? ~0u : ~(~0u >> len);
		fprintf(f, "%u.%u.%u.%u/%u\n", a >> 24, (a >> 16) & 255,
			(a >> 8) & 255, a & 255, len);
		rte_lpm_add(lpm, a, (uint8_t)len, 1);
	}
	for (k = 0; k < N_V6_PREFIX; k++)
		fprintf(f, "2001:db8:%x:%x::/64\n", k >> 8, k & 255);
	fclose(f);
	ww_conf_defaults(&conf);
	strcpy(conf.block_files[0], list_path);
	conf.n_block_files = 1;
	b = ww_block_create(&conf, NULL, 0, err, sizeof(err));
	if (b == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	for (k = 0; k < N_ADDR; k++) {
		memset(&pk[k], 0, sizeof(pk[k]));
		pp[k] = &pk[k];
		if (k % 5 == 4) {
			pk[k].l3 = WW_PKT_L3_IPV6;
			inet_pton(AF_INET6, "2001:db8::1", pk[k].src);
			pk[k].src[5] = (uint8_t)rte_rand();
			pk[k].src[7] = (uint8_t)rte_rand();
			memcpy(pk[k].dst, pk[k].src, 16);
		} else {
			uint32_t x = (uint32_t)rte_rand(),
				 y = (uint32_t)rte_rand();

			pk[k].l3 = WW_PKT_L3_IPV4;
			v4[k][0] = x;
			v4[k][1] = y;
			x = htonl(x);
			y = htonl(y);
			memcpy(pk[k].src, &x, 4);
			memcpy(pk[k].dst, &y, 4);
		}
	}
	t0 = now_s();
	do {
		for (i = 0; i < 1024; i++, n += BURST) {
			uint32_t at = (uint32_t)(n % N_ADDR);

			ww_block_lookup_burst(ww_block_get(b), pp + at, BURST,
					      s, d);
			sink += s[0] + d[BURST - 1];
		}
	} while (now_s() - t0 < secs);
	ww_rate = 2.0 * (double)n / (now_s() - t0);
	/* The peer: rte_lpm on the IPv4 addresses, both of each packet. */
	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < 1024; i++, n += BURST) {
			uint32_t at = (uint32_t)(n % N_ADDR) / BURST * BURST;
			uint32_t hop[2 * BURST];

			rte_lpm_lookup_bulk(lpm, &v4[at][0], hop, 2 * BURST);
			sink += hop[0];
		}
	} while (now_s() - t0 < secs);
	lpm_rate = 2.0 * (double)n / (now_s() - t0);
	printf("block ww %.0f lpm %.0f\n", ww_rate, lpm_rate);
	ww_block_destroy(b);
	rte_lpm_free(lpm);
}

static void bench_limit(double secs)
{
	const struct ww_limit_rule rule = {.rate = 100, .burst = 200};
	struct rte_meter_srtcm_params mp = {.cir = 100, .cbs = 200, .ebs = 0};
	struct rte_meter_srtcm_profile prof;
	static struct rte_meter_srtcm meters[N_CLIENTS];
	struct ww_limit_table t;
	uint64_t n = 0, i, tsc_hz = rte_get_tsc_hz();
	double t0, ww_rate, meter_rate;

	if (ww_limit_table_init(&t, 1 << 18, 0) < 0 ||
	    rte_meter_srtcm_profile_config(&prof, &mp) != 0) {
		fprintf(stderr, "bench: limit set-up failed\n");
		exit(1);
	}
	for (i = 0; i < N_CLIENTS; i++)
		rte_meter_srtcm_config(&meters[i], &prof);
	t0 = now_s();
	do {
		for (i = 0; i < 4096; i++, n++) {
			struct ww_limit_key key;
			uint8_t a[16] = {10, 0, 0, 0};
			uint32_t c = (uint32_t)((n * 2654435761u) % N_CLIENTS);

			memcpy(a + 1, &c, 3);
			ww_limit_client_key(&key, a, true, false,
					    WW_LIMIT_CLIENT, 0);
			sink += ww_limit_take(&t, &key, &rule,
					      NOW_S * 1000000000ull + n * 1000,
					      NULL);
		}
	} while (now_s() - t0 < secs);
	ww_rate = (double)n / (now_s() - t0);
	/* The peer: one srTCM meter per client, already found (rte_meter
	 * has no table: this is the bucket arithmetic alone). */
	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < 4096; i++, n++) {
			uint32_t c = (uint32_t)((n * 2654435761u) % N_CLIENTS);

			sink += rte_meter_srtcm_color_blind_check(
				&meters[c], &prof, n * (tsc_hz / 1000000), 1);
		}
	} while (now_s() - t0 < secs);
	meter_rate = (double)n / (now_s() - t0);
	printf("limit ww %.0f meter %.0f\n", ww_rate, meter_rate);
	ww_limit_table_free(&t);
}

static double jwt_rate(struct ww_auth *a, uint32_t cache, const char *tok,
		       double secs)
{
	struct ww_auth_worker aw;
	uint64_t n = 0, i;
	uint32_t len = (uint32_t)strlen(tok);
	double t0;

	if (ww_auth_worker_init(&aw, cache) < 0)
		exit(1);
	t0 = now_s();
	do {
		for (i = 0; i < 64; i++, n++)
			if (ww_auth_check(&aw, a, ww_auth_revoked(a), 0, tok,
					  len, NOW_S * 1000000000ull) !=
			    WW_AUTH_OK) {
				fprintf(stderr, "bench: token refused\n");
				exit(1);
			}
	} while (now_s() - t0 < secs);
	ww_auth_worker_free(&aw);
	return (double)n / (now_s() - t0);
}

static void bench_jwt(const char *keys, const char *tokens, double secs)
{
	struct ww_conf conf;
	struct ww_auth *a;
	char err[512], line[8192], alg[16], tok[8000];
	FILE *f = fopen(tokens, "r");

	ww_conf_defaults(&conf);
	conf.n_auth_routes = 1;
	strcpy(conf.auth_routes[0].prefix, "/");
	strcpy(conf.auth_routes[0].issuer, "https://id.bench");
	strcpy(conf.auth_routes[0].audiences[0], "bench");
	conf.auth_routes[0].n_audiences = 1;
	snprintf(conf.auth_keys, sizeof(conf.auth_keys), "%s", keys);
	if (f == NULL || ww_auth_create(&conf, NULL, &a, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", f ? err : tokens);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char authz[8100];

		if (sscanf(line, "%15s %7999s", alg, tok) != 2)
			continue;
		snprintf(authz, sizeof(authz), "Bearer %s", tok);
		printf("jwt %s uncached %.0f cached %.0f\n", alg,
		       jwt_rate(a, 0, authz, secs),
		       jwt_rate(a, 4096, authz, secs));
	}
	fclose(f);
	ww_auth_destroy(a);
}

int main(int argc, char **argv)
{
	double secs;

	if (argc != 5) {
		fprintf(stderr,
			"usage: bench_enforce BLOCKLIST_OUT KEYSPEC TOKENS SECONDS\n");
		return 2;
	}
	secs = atof(argv[4]);
	if (eal_for_tests(argv[0], "wwbenchenf", 1024) < 0)
		return 1;
	bench_block(argv[1], secs);
	bench_limit(secs);
	bench_jwt(argv[2], argv[3], secs);
	printf("sink %lu\n", (unsigned long)(sink & 1));
	rte_eal_cleanup();
	return 0;
}
