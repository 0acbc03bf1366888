/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/waf: requests per second on one core, wirewall's rule engine
 * (lib/http + lib/waf) against libmodsecurity3, both with Debian's CRS
 * 3.3.4, on one corpus: every request of the CRS regression suite plus
 * realistic benign requests (GETs with a few arguments and 5-10 headers,
 * 1 KB form POSTs, JSON POSTs). The two engines alternate, several
 * rounds, medians.
 *
 *   bench_waf CRS_SETUP RULES_DIR TESTS_DIR PL SECONDS ROUNDS
 *
 * libmodsecurity3 is set up as the regression runner sets it up
 * (tests/crs/crs_engine.c): Debian's modsecurity.conf for its
 * libmodsecurity3 users (MODSEC_CONF, default
 * /usr/share/nginx/docs/modsecurity/modsecurity.conf from the source root,
 * where perf/waf/run.sh runs) with the engine On, crs-setup.conf, every rule
 * file owasp-crs.load includes. Each request goes through the request phases
 * and logging; no response is made up (wirewall judges requests only, so
 * neither engine is timed on one). The CRS suite's own test settings are not
 * applied: this is a deployment, at paranoia level PL.
 *
 * Prints "waf pl<N> ww <req/s> modsec <req/s>" and the load figures.
 */
#include <dirent.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tests/crs/crs_engine.h"
#include "../../tests/crs/yaml_tree.h"
#include "ww_inject.h"

struct req {
	char *p;
	size_t n;
};

static struct req *corpus;
static size_t n_corpus, cap_corpus;

static void add(const char *p, size_t n)
{
	if (n_corpus == cap_corpus) {
		cap_corpus = cap_corpus ? 2 * cap_corpus : 1024;
		corpus = realloc(corpus, sizeof(*corpus) * cap_corpus);
	}
	corpus[n_corpus].p = malloc(n + 1);
	memcpy(corpus[n_corpus].p, p, n);
	corpus[n_corpus].p[n] = '\0';
	corpus[n_corpus++].n = n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void load_suite(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024], err[256];
		size_t l = strlen(e->d_name), i, j;
		struct ynode *root;
		const struct ynode *tests;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			load_suite(path);
			continue;
		}
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		root = ytree_load(path, err, sizeof(err));
		tests = ymap_get(root, "tests");
		for (i = 0; tests && i < tests->n; i++) {
			const struct ynode *st =
				ymap_get(tests->kids[i], "stages");

			for (j = 0; st && j < st->n; j++) {
				char *r;
				size_t n;

				crs_build_request(
					ymap_get(ymap_get(st->kids[j], "stage"),
						 "input"),
					&r, &n);
				add(r, n);
				free(r);
			}
		}
		ytree_free(root);
	}
	closedir(d);
}

static const char headers[] =
	"Host: shop.example\r\n"
	"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n"
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
	"Accept-Language: en-US,en;q=0.9\r\n"
	"Accept-Encoding: gzip, deflate, br\r\n"
	"Cookie: session=7f3a9c2e1b8d4f6a; cart=3; theme=dark\r\n"
	"Referer: https://shop.example/catalog/shoes\r\n";

/* Benign requests: as many as the suite has, a third of each kind. */
static void add_benign(size_t n)
{
	size_t i;
	char buf[4096], body[2048];

	for (i = 0; i < n; i++) {
		int k = 0;

		switch (i % 3) {
		case 0:
			k = snprintf(
				buf, sizeof(buf),
				"GET /catalog/item?id=%zu&color=blue&size=42&ref=home HTTP/1.1\r\n%s\r\n",
				i, headers);
			break;
		case 1: {
			int b = snprintf(
				body, sizeof(body),
				"name=Alice+Example&email=alice%%40example.com&street=12+Long+Road&city=Springfield&zip=12345&comment=");

			while (b < 1000)
				b += snprintf(body + b,
					      sizeof(body) - (size_t)b,
					      "please+deliver+after+five+");
			k = snprintf(
				buf, sizeof(buf),
				"POST /checkout/address HTTP/1.1\r\n%sContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
				headers, b, body);
			break;
		}
		default: {
			int b = snprintf(
				body, sizeof(body),
				"{\"items\": [{\"id\": %zu, \"qty\": 2}, {\"id\": 77, \"qty\": 1}], \"coupon\": \"SUMMER24\", \"note\": \"leave at the door\"}",
				i);

			k = snprintf(
				buf, sizeof(buf),
				"POST /api/cart HTTP/1.1\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				headers, b, body);
		}
		}
		add(buf, (size_t)k);
	}
}

/* Requests per second over whole passes of the corpus (at least one,
 * and at least @secs): each engine is measured on every request, in
 * the same proportions, however fast it is. */
static double rate(struct crs_engine *e, double secs)
{
	double t0 = now_s(), t;
	size_t n = 0, i;

	do {
		for (i = 0; i < n_corpus; i++) {
			bool refused;
			uint16_t status;
			uint32_t ids[256];
			unsigned int n_ids = 0;

			crs_engine_run(e, corpus[i].p, corpus[i].n, &refused,
				       &status, ids, &n_ids, 256);
		}
		n += n_corpus;
		t = now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

/* Suite and benign requests alternately (a pass is then an even mix
 * from start to end, not one half after the other). */
static void interleave(size_t n_suite)
{
	struct req *mixed = malloc(sizeof(*mixed) * n_corpus);
	size_t s = 0, b = n_suite, k = 0;

	while (k < n_corpus) {
		if (s < n_suite)
			mixed[k++] = corpus[s++];
		if (b < n_corpus)
			mixed[k++] = corpus[b++];
	}
	free(corpus);
	corpus = mixed;
	cap_corpus = n_corpus;
}

static long resident_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4096 / (1 << 20);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The argument values of the corpus (query and form body, %-decoded),
 * as the operators see them, for their cost per value. */
static size_t collect_values(char ***out)
{
	size_t n = 0, cap = 0, i;
	char **v = NULL;

	for (i = 0; i < n_corpus; i++) {
		const char *r = corpus[i].p, *eol = strstr(r, "\r\n");
		const char *q = strchr(r, '?'), *body = strstr(r, "\r\n\r\n");
		const char *parts[2][2] = {{q, eol},
					   {body ? body + 4 : NULL, NULL}};
		unsigned int k;

		if (q != NULL && eol != NULL && q > eol)
			parts[0][0] = NULL;
		parts[1][1] = body ? r + corpus[i].n : NULL;
		for (k = 0; k < 2; k++) {
			const char *p = parts[k][0], *end = parts[k][1];

			if (p == NULL || end == NULL)
				continue;
			if (k == 0)
				p++;
			while (p < end) {
				const char *amp =
					memchr(p, '&', (size_t)(end - p));
				const char *stop = amp ? amp : end;
				const char *eq =
					memchr(p, '=', (size_t)(stop - p));
				char *d;
				size_t m = 0;

				if (eq != NULL && stop > eq + 1) {
					if (n == cap) {
						cap = cap ? 2 * cap : 4096;
						v = realloc(v,
							    cap * sizeof(*v));
					}
					d = malloc((size_t)(stop - eq));
					for (p = eq + 1; p < stop; p++) {
						if (*p == '%' && stop - p > 2 &&
						    isxdigit((unsigned char)
								     p[1]) &&
						    isxdigit((unsigned char)
								     p[2])) {
							char h[3] = {p[1], p[2],
								     0};

							d[m++] = (char)strtol(
								h, NULL, 16);
							p += 2;
						} else {
							d[m++] = *p == '+' ? ' '
									   : *p;
						}
					}
					d[m] = '\0';
					v[n++] = d;
				}
				p = stop + 1;
			}
		}
	}
	*out = v;
	return n;
}

/* @detectSQLi and @detectXSS (lib/inject), ns per value, best of 3
 * passes over every argument value of the corpus. */
static void detect_cost(void)
{
	char **v, fp[WW_SQLI_FINGERPRINT_MAX];
	size_t n = collect_values(&v), i;
	double best[2] = {1e30, 1e30};
	unsigned int r, hits[2] = {0, 0};

	for (r = 0; r < 3 && n > 0; r++) {
		double t = now_s();

		for (i = 0; i < n; i++)
			hits[0] += ww_detect_sqli(v[i], strlen(v[i]), fp);
		t = now_s() - t;
		best[0] = t < best[0] ? t : best[0];
		t = now_s();
		for (i = 0; i < n; i++)
			hits[1] += ww_detect_xss(v[i], strlen(v[i]));
		t = now_s() - t;
		best[1] = t < best[1] ? t : best[1];
	}
	if (n > 0)
		printf("detect: @detectSQLi %.0f ns/value, @detectXSS %.0f ns/value over %zu argument values (%u and %u detections a pass)\n",
		       best[0] * 1e9 / (double)n, best[1] * 1e9 / (double)n, n,
		       hits[0] / 3, hits[1] / 3);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int main(int argc, char **argv)
{
	char err[1024];
	struct crs_engine_conf conf = {0};
	struct crs_engine *ww, *ms;
	double t0, ww_load, ms_load, wr[16], mr[16];
	unsigned int pl, rounds, r;
	size_t n_suite;
	double secs;

	if (argc != 7) {
		fprintf(stderr,
			"usage: bench_waf CRS_SETUP RULES TESTS PL SECONDS ROUNDS\n");
		return 2;
	}
	pl = (unsigned int)atoi(argv[4]);
	secs = atof(argv[5]);
	rounds = (unsigned int)atoi(argv[6]);
	if (rounds > 16)
		rounds = 16;
	/* BENCH_CORPUS=benign or suite: one half alone, for profiling. */
	if (getenv("BENCH_CORPUS") == NULL ||
	    strcmp(getenv("BENCH_CORPUS"), "benign") != 0)
		load_suite(argv[3]);
	n_suite = n_corpus;
	printf("corpus: %zu regression-suite requests", n_corpus);
	if (getenv("BENCH_CORPUS") == NULL ||
	    strcmp(getenv("BENCH_CORPUS"), "suite") != 0)
		add_benign(n_corpus ? n_corpus : 2400);
	interleave(n_suite);
	printf(", %zu in all, interleaved; a round is whole passes\n",
	       n_corpus);
	detect_cost();
	conf.crs_setup = argv[1];
	conf.rules_dir = argv[2];
	conf.pl = pl;
	conf.modsec_conf =
		getenv("MODSEC_CONF")
			? getenv("MODSEC_CONF")
			: "/usr/share/nginx/docs/modsecurity/modsecurity.conf";
	t0 = now_s();
	ww = crs_engine_new("ww", &conf, err, sizeof(err));
	ww_load = now_s() - t0;
	t0 = now_s();
	ms = ww ? crs_engine_new("modsec", &conf, err, sizeof(err)) : NULL;
	ms_load = now_s() - t0;
	if (ww == NULL || ms == NULL) {
		fprintf(stderr, "bench_waf: %s\n", err);
		return 1;
	}
	printf("load pl%u: wirewall %.3f s, libmodsecurity3 %.3f s; wirewall's resident memory after both %ld MiB\n",
	       pl, ww_load, ms_load, resident_mib());
	for (r = 0; r < rounds; r++) {
		wr[r] = rate(ww, secs);
		/* BENCH_WW_ONLY=1: profile wirewall's side alone. */
		mr[r] = getenv("BENCH_WW_ONLY") ? 0 : rate(ms, secs);
		printf("round %u pl%u: wirewall %.0f req/s, libmodsecurity3 %.0f req/s\n",
		       r + 1, pl, wr[r], mr[r]);
	}
	qsort(wr, rounds, sizeof(double), cmp);
	qsort(mr, rounds, sizeof(double), cmp);
	printf("waf pl%u ww %.0f modsec %.0f\n", pl, wr[rounds / 2],
	       mr[rounds / 2]);
	crs_engine_free(ww);
	crs_engine_free(ms);
	return 0;
}
