/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/auth: strict base64url, the JSON scanner through whole tokens
 * (duplicates, crit, bad syntax, escapes), exp/nbf with skew, and
 * revocation by jti and by token taking effect over a cached token.
 * Tokens are HS256, signed here with OpenSSL's HMAC (the pcap test
 * covers the other algorithms with tokens from independent tools).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "eal_for_tests.h"
#include "ww_auth.h"

#define S   1000000000ull
#define NOW 1767225600ull

static const char secret[] = "0123456789abcdef0123456789abcdef";
static char dir[] = "/tmp/ww_test_auth.XXXXXX", key_path[128];

static void b64(const uint8_t *in, size_t n, char *out)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = t[v & 63];
	}
	if (n - i == 1) {
		out[o++] = t[in[i] >> 2];
		out[o++] = t[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = t[v >> 10];
		out[o++] = t[(v >> 4) & 63];
		out[o++] = t[(v & 15) << 2];
	}
	out[o] = '\0';
}

/* "Bearer " + an HS256 token of @header and @claims (raw JSON text). */
static const char *token(const char *header, const char *claims)
{
	static char out[4096];
	char h[1024], c[2048], s[128];
	uint8_t mac[32];
	unsigned int mlen = 32;
	size_t n;

	b64((const uint8_t *)header, strlen(header), h);
	b64((const uint8_t *)claims, strlen(claims), c);
	n = (size_t)snprintf(out, sizeof(out), "Bearer %s.%s", h, c);
	HMAC(EVP_sha256(), secret, 32, (const uint8_t *)out + 7, n - 7, mac,
	     &mlen);
	b64(mac, 32, s);
	snprintf(out + n, sizeof(out) - n, ".%s", s);
	return out;
}

static const char *const HDR = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static struct ww_auth *make_with(const char *revoked_file, char *err,
				 size_t err_len)
{
	struct ww_conf conf;
	struct ww_auth *a = NULL;

	ww_conf_defaults(&conf);
	snprintf(conf.auth_revoked_file, sizeof(conf.auth_revoked_file), "%s",
		 revoked_file);
	conf.n_auth_routes = 1;
	strcpy(conf.auth_routes[0].prefix, "/api/");
	strcpy(conf.auth_routes[0].issuer, "iss1");
	strcpy(conf.auth_routes[0].audiences[0], "aud1");
	conf.auth_routes[0].n_audiences = 1;
	snprintf(conf.auth_keys, sizeof(conf.auth_keys), "secret %s", key_path);
	if (ww_auth_create(&conf, NULL, &a, err, err_len) < 0)
		return NULL;
	return a;
}

static struct ww_auth *make(void)
{
	char err[256];
	struct ww_auth *a = make_with("", err, sizeof(err));

	if (a == NULL)
		fail_msg("%s", err);
	return a;
}

static enum ww_auth_result check(struct ww_auth_worker *aw, struct ww_auth *a,
				 const char *authz, uint64_t now_s)
{
	return ww_auth_check(aw, a, ww_auth_revoked(a), 0, authz,
			     (uint32_t)strlen(authz), now_s * S);
}

static void test_b64url_strict(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_int_equal(ww_b64url_decode("aGk", 3, out, sizeof(out)), 2);
	assert_memory_equal(out, "hi", 2);
	assert_int_equal(ww_b64url_decode("aGk=", 4, out, sizeof(out)), -1);
	assert_int_equal(ww_b64url_decode("a+8", 3, out, sizeof(out)), -1);
	assert_int_equal(ww_b64url_decode("a", 1, out, sizeof(out)), -1);
	/* Non-zero leftover bits: not the canonical encoding of "hi". */
	assert_int_equal(ww_b64url_decode("aGl", 3, out, sizeof(out)), -1);
	assert_int_equal(ww_b64url_decode("AAAAAAAAAAAAAAAAAAAAAAAA", 24, out,
					  sizeof(out)),
			 -1); /* 18 bytes > 16 */
}

static void test_claims_and_json(void **state)
{
	static const struct {
		const char *header, *claims;
		uint64_t now;
		enum ww_auth_result want;
	} cases[] = {
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"exp\":1767229200}",
		 NOW, WW_AUTH_OK},
		/* Escapes decode before comparing. */
		{NULL,
		 "{\"iss\":\"\\u0069ss1\",\"aud\":[\"x\",\"aud\\u0031\"]}", NOW,
		 WW_AUTH_OK},
		/* exp and nbf with the default skew of 60 s. */
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"exp\":1767225550}",
		 NOW, WW_AUTH_OK},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"exp\":1767225530}",
		 NOW, WW_AUTH_EXPIRED},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"nbf\":1767225650}",
		 NOW, WW_AUTH_OK},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"nbf\":1767225670}",
		 NOW, WW_AUTH_NOT_YET_VALID},
		/* A claim given twice is refused, not "last wins". */
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"iss\":\"iss1\"}",
		 NOW, WW_AUTH_MALFORMED},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",}", NOW,
		 WW_AUTH_MALFORMED},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\"} x", NOW,
		 WW_AUTH_MALFORMED},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"exp\":\"soon\"}",
		 NOW, WW_AUTH_MALFORMED},
		{NULL, "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"n\":01}", NOW,
		 WW_AUTH_MALFORMED},
		{NULL, "{\"iss\":\"iss1\"}", NOW, WW_AUTH_BAD_AUDIENCE},
		{NULL, "{\"aud\":\"aud1\"}", NOW, WW_AUTH_BAD_ISSUER},
		{NULL, "[1,2]", NOW, WW_AUTH_MALFORMED},
		{"{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
		 "{\"iss\":\"iss1\",\"aud\":\"aud1\"}", NOW, WW_AUTH_MALFORMED},
		{"{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
		 "{\"iss\":\"iss1\",\"aud\":\"aud1\"}", NOW, WW_AUTH_MALFORMED},
		{"{\"alg\":\"none\"}", "{\"iss\":\"iss1\",\"aud\":\"aud1\"}",
		 NOW, WW_AUTH_BAD_ALG},
		{"{\"alg\":\"RS256\"}", "{\"iss\":\"iss1\",\"aud\":\"aud1\"}",
		 NOW, WW_AUTH_BAD_ALG},
		{"{\"alg\":\"HS256\",\"kid\":\"other\"}",
		 "{\"iss\":\"iss1\",\"aud\":\"aud1\"}", NOW,
		 WW_AUTH_UNKNOWN_KEY},
	};
	struct ww_auth *a = make();
	struct ww_auth_worker aw;
	unsigned int i;

	(void)state;
	assert_int_equal(ww_auth_worker_init(&aw, 0), 0); /* no cache */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ww_auth_result r =
			check(&aw, a,
			      token(cases[i].header ? cases[i].header : HDR,
				    cases[i].claims),
			      cases[i].now);

		if (r != cases[i].want)
			fail_msg("case %u: want %s, got %s", i,
				 ww_auth_result_name(cases[i].want),
				 ww_auth_result_name(r));
	}
	assert_int_equal(check(&aw, a, "Bearer", NOW), WW_AUTH_MISSING);
	assert_int_equal(check(&aw, a, "Bearer a.b", NOW), WW_AUTH_MALFORMED);
	assert_int_equal(check(&aw, a, "Bearer a.b.c.d", NOW),
			 WW_AUTH_MALFORMED);
	assert_int_equal(
		ww_auth_check(&aw, a, ww_auth_revoked(a), 0, NULL, 0, NOW * S),
		WW_AUTH_MISSING);
	assert_int_equal(ww_auth_status(WW_AUTH_BAD_AUDIENCE), 403);
	assert_int_equal(ww_auth_status(WW_AUTH_EXPIRED), 401);
	assert_int_equal(ww_auth_route_for(a, "/api/x", 6), 0);
	assert_int_equal(ww_auth_route_for(a, "/apix", 5), -1);
	ww_auth_worker_free(&aw);
	ww_auth_destroy(a);
}

static void test_cache_and_revocation(void **state)
{
	struct ww_auth *a = make();
	struct ww_auth_worker aw;
	char t1[4096], t2[4096], err[128];

	(void)state;
	assert_int_equal(ww_auth_worker_init(&aw, 64), 0);
	snprintf(t1, sizeof(t1), "%s",
		 token(HDR,
		       "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"jti\":\"j-1\","
		       "\"exp\":1767225700}"));
	snprintf(t2, sizeof(t2), "%s",
		 token(HDR,
		       "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"jti\":\"j-2\"}"));
	assert_int_equal(check(&aw, a, t1, NOW), WW_AUTH_OK);
	assert_int_equal(check(&aw, a, t1, NOW + 1), WW_AUTH_OK);
	assert_int_equal(aw.stats.verified, 1);
	assert_int_equal(aw.stats.cache_hits, 1);
	/* The cache keeps it only until exp (+ skew). */
	assert_int_equal(check(&aw, a, t1, NOW + 100 + 61), WW_AUTH_EXPIRED);

	/* Revoked by jti: refused even though cached. */
	assert_int_equal(check(&aw, a, t2, NOW), WW_AUTH_OK);
	assert_int_equal(ww_auth_revoke(a, "jti", "j-2", 0, err, sizeof(err)),
			 0);
	assert_int_equal(check(&aw, a, t2, NOW), WW_AUTH_REVOKED);
	/* Revoked as a whole token (without "Bearer "), until a time. */
	assert_int_equal(check(&aw, a, t1, NOW), WW_AUTH_OK);
	assert_int_equal(ww_auth_revoke(a, "token", t1 + 7, (NOW + 10) * S, err,
					sizeof(err)),
			 0);
	assert_int_equal(check(&aw, a, t1, NOW), WW_AUTH_REVOKED);
	assert_int_equal(ww_auth_expire(a, (NOW + 10) * S), 1);
	assert_int_equal(check(&aw, a, t1, NOW + 11), WW_AUTH_OK);
	assert_int_equal(check(&aw, a, t2, NOW + 11), WW_AUTH_REVOKED);
	assert_true(ww_auth_revoke(a, "sub", "x", 0, err, sizeof(err)) < 0);
	ww_auth_worker_free(&aw);
	ww_auth_destroy(a);
}

/* [auth] revoked_file: a revocation survives a restart (the file is read
 * at start), wirewall's own lines and an operator's comments load, a bad
 * line refuses the start naming the file and line, and a reload that
 * finds a bad line keeps the revocations in force. */
static void test_revoked_file(void **state)
{
	struct ww_auth *a, *b;
	struct ww_auth_worker aw;
	char path[300], t[4096], err[512];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/revoked", dir);
	unlink(path);
	assert_int_equal(ww_auth_worker_init(&aw, 0), 0);
	snprintf(t, sizeof(t), "%s",
		 token(HDR,
		       "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"jti\":\"j-9\"}"));
	a = make_with(path, err, sizeof(err));
	assert_non_null(a);
	assert_int_equal(check(&aw, a, t, NOW), WW_AUTH_OK);
	assert_int_equal(ww_auth_revoke(a, "jti", "j-9", 0, err, sizeof(err)),
			 0);
	assert_int_equal(check(&aw, a, t, NOW), WW_AUTH_REVOKED);
	ww_auth_destroy(a);

	/* A restart: the file holds it. */
	b = make_with(path, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(check(&aw, b, t, NOW), WW_AUTH_REVOKED);
	/* The secret never reaches the file: only hashes. */
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(t, sizeof(t), f));
	fclose(f);
	assert_int_equal(strcspn(t, " "), 64);
	assert_null(strstr(t, "j-9"));

	/* A line that does not parse: a reload refuses it and keeps what
	 * is in force; a start refuses it, naming file and line. */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("# an operator's note\nnot-a-hash 0\n", f);
	fclose(f);
	assert_true(ww_auth_reload_revoked(b, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, ":3:"));
	snprintf(t, sizeof(t), "%s",
		 token(HDR,
		       "{\"iss\":\"iss1\",\"aud\":\"aud1\",\"jti\":\"j-9\"}"));
	assert_int_equal(check(&aw, b, t, NOW), WW_AUTH_REVOKED);
	ww_auth_destroy(b);
	assert_null(make_with(path, err, sizeof(err)));
	assert_non_null(strstr(err, "revoked:3:"));
	unlink(path);
	ww_auth_worker_free(&aw);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url_strict),
		cmocka_unit_test(test_claims_and_json),
		cmocka_unit_test(test_cache_and_revocation),
		cmocka_unit_test(test_revoked_file),
	};
	FILE *f;
	int rc;

	(void)argc;
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(key_path, sizeof(key_path), "%s/hs.key", dir);
	f = fopen(key_path, "w");
	if (f == NULL)
		return 1;
	fputs(secret, f);
	fclose(f);
	if (eal_for_tests(argv[0], "tauth", 128) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	unlink(key_path);
	rmdir(dir);
	return rc;
}
