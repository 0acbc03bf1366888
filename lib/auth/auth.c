/* SPDX-License-Identifier: BSD-3-Clause */
/* JWT authentication, control side: keys, revocations, worker state.
 * See ww_auth.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ww_auth.h"

#define ALG(a) (1u << (a))
#define RSA_ALGS                                                     \
	(ALG(WW_JWT_RS256) | ALG(WW_JWT_RS384) | ALG(WW_JWT_RS512) | \
	 ALG(WW_JWT_PS256))
#define HMAC_ALGS    (ALG(WW_JWT_HS256) | ALG(WW_JWT_HS384) | ALG(WW_JWT_HS512))
#define MAX_KEYS     256
#define MAX_SECRET   4096
#define MIN_SECRET   32 /* RFC 7518 3.2: at least the hash's size */
#define MIN_RSA_BITS 2048

struct ww_auth_revocation {
	uint8_t h[32];
	uint64_t expires_ns; /* 0 = never */
};

static int alg_by_name(const char *s)
{
	int i;

	for (i = 0; i < WW_JWT_ALG_MAX; i++)
		if (strcmp(s, ww_jwt_alg_name((enum ww_jwt_alg)i)) == 0)
			return i;
	return -1;
}

/* The algorithms a public key can verify, from its type. */
static uint32_t algs_for_pkey(EVP_PKEY *k, char *why, size_t why_len)
{
	char group[64] = "";

	if (EVP_PKEY_is_a(k, "RSA")) {
		if (EVP_PKEY_get_bits(k) < MIN_RSA_BITS) {
			snprintf(why, why_len,
				 "RSA key of %d bits (at least %d)",
				 EVP_PKEY_get_bits(k), MIN_RSA_BITS);
			return 0;
		}
		return RSA_ALGS;
	}
	if (EVP_PKEY_is_a(k, "ED25519"))
		return ALG(WW_JWT_EDDSA);
	if (EVP_PKEY_is_a(k, "EC")) {
		EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
					       group, sizeof(group), NULL);
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0)
			return ALG(WW_JWT_ES256);
		if (strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0)
			return ALG(WW_JWT_ES384);
		snprintf(why, why_len, "EC curve %s (P-256 or P-384 only)",
			 group[0] ? group : "unknown");
		return 0;
	}
	snprintf(why, why_len, "key type %s is not RSA, EC or Ed25519",
		 EVP_PKEY_get0_type_name(k));
	return 0;
}

/* Narrow @k->algs to @alg (a name), which must be one it allows. */
static int bind_alg(struct ww_auth_key *k, const char *alg, char *why,
		    size_t why_len)
{
	int a = alg_by_name(alg);

	if (a < 0) {
		snprintf(why, why_len, "unknown alg '%s'", alg);
		return -EINVAL;
	}
	if (!(k->algs & ALG(a))) {
		snprintf(why, why_len, "alg %s does not fit this key", alg);
		return -EINVAL;
	}
	k->algs = ALG(a);
	return 0;
}

static int read_file(const char *path, uint8_t *buf, size_t cap, size_t *len,
		     char *why, size_t why_len)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		snprintf(why, why_len, "%s", strerror(errno));
		return -ENOENT;
	}
	*len = fread(buf, 1, cap, f);
	if (!feof(f)) {
		snprintf(why, why_len, "longer than %zu bytes", cap - 1);
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	return 0;
}

static int load_pem(struct ww_auth_key *k, const char *path, char *why,
		    size_t why_len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(why, why_len, "%s", strerror(errno));
		return -ENOENT;
	}
	k->pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k->pkey == NULL) {
		snprintf(why, why_len,
			 "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
		return -EINVAL;
	}
	k->algs = algs_for_pkey(k->pkey, why, why_len);
	return k->algs ? 0 : -EINVAL;
}

static int load_secret(struct ww_auth_key *k, const char *path, char *why,
		       size_t why_len)
{
	uint8_t buf[MAX_SECRET + 1];
	size_t len;
	int rc = read_file(path, buf, sizeof(buf), &len, why, why_len);

	if (rc < 0)
		return rc;
	if (len < MIN_SECRET) {
		snprintf(why, why_len, "HMAC secret of %zu bytes (at least %d)",
			 len, MIN_SECRET);
		return -EINVAL;
	}
	k->secret = malloc(len);
	if (k->secret == NULL)
		return -ENOMEM;
	memcpy(k->secret, buf, len);
	k->secret_len = len;
	k->algs = HMAC_ALGS; /* narrowed by alg=, else HS256 */
	return 0;
}

/* An HMAC key: HS256 unless told; never shorter than its hash (RFC 7518
 * 3.2). */
static int check_hmac(struct ww_auth_key *k, char *why, size_t why_len)
{
	size_t need;

	if (k->algs == HMAC_ALGS)
		k->algs = ALG(WW_JWT_HS256);
	need = k->algs == ALG(WW_JWT_HS512)   ? 64
	       : k->algs == ALG(WW_JWT_HS384) ? 48
					      : 32;
	if (k->secret_len < need) {
		snprintf(why, why_len, "HMAC secret of %zu bytes for %s",
			 k->secret_len,
			 k->algs == ALG(WW_JWT_HS512) ? "HS512 (at least 64)"
			 : k->algs == ALG(WW_JWT_HS384)
				 ? "HS384 (at least 48)"
				 : "HS256 (at least 32)");
		return -EINVAL;
	}
	return 0;
}

/* Base64url member @name of JWK @j into @out. @return length or -1. */
static int jwk_bytes(json_t *j, const char *name, uint8_t *out, uint32_t cap)
{
	const char *s = json_string_value(json_object_get(j, name));

	return s ? ww_b64url_decode(s, (uint32_t)strlen(s), out, cap) : -1;
}

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

/* One JWK (RFC 7517, RFC 7518 6, RFC 8037). */
static int load_jwk(struct ww_auth_key *k, json_t *j, char *why, size_t why_len)
{
	const char *kty = json_string_value(json_object_get(j, "kty"));
	const char *kid = json_string_value(json_object_get(j, "kid"));
	const char *alg = json_string_value(json_object_get(j, "alg"));
	const char *use = json_string_value(json_object_get(j, "use"));
	const char *crv = json_string_value(json_object_get(j, "crv"));
	uint8_t a[1024], b[1024];
	int na, nb;

	if (kid != NULL) {
		if (strlen(kid) >= sizeof(k->kid)) {
			snprintf(why, why_len, "kid longer than %zu bytes",
				 sizeof(k->kid) - 1);
			return -EINVAL;
		}
		strcpy(k->kid, kid);
	}
	if (use != NULL && strcmp(use, "sig") != 0) {
		snprintf(why, why_len, "key %s is for \"use\": \"%s\"", k->kid,
			 use);
		return -EINVAL;
	}
	if (kty == NULL) {
		snprintf(why, why_len, "a key without \"kty\"");
		return -EINVAL;
	}
	if (strcmp(kty, "oct") == 0) {
		na = jwk_bytes(j, "k", a, sizeof(a));
		if (na < MIN_SECRET) {
			snprintf(why, why_len,
				 "oct key %s: \"k\" missing or under %d bytes",
				 k->kid, MIN_SECRET);
			return -EINVAL;
		}
		k->secret = malloc((size_t)na);
		if (k->secret == NULL)
			return -ENOMEM;
		memcpy(k->secret, a, (size_t)na);
		k->secret_len = (size_t)na;
		k->algs = HMAC_ALGS;
	} else if (strcmp(kty, "RSA") == 0 || strcmp(kty, "EC") == 0) {
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		const bool rsa = kty[0] == 'R';
		BIGNUM *n = NULL, *e = NULL;
		uint8_t pub[1 + 2 * 66];

		na = jwk_bytes(j, rsa ? "n" : "x", a, sizeof(a));
		nb = jwk_bytes(j, rsa ? "e" : "y", b, sizeof(b));
		if (bld == NULL || na <= 0 || nb <= 0) {
			OSSL_PARAM_BLD_free(bld);
			snprintf(why, why_len, "%s key %s: bad %s", kty, k->kid,
				 rsa ? "n or e" : "x or y");
			return -EINVAL;
		}
		if (rsa) {
			n = BN_bin2bn(a, na, NULL);
			e = BN_bin2bn(b, nb, NULL);
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
		} else {
			const char *group =
				crv && !strcmp(crv, "P-256")   ? "P-256"
				: crv && !strcmp(crv, "P-384") ? "P-384"
							       : NULL;

			if (group == NULL || na != nb ||
			    na != (group[2] == '2' ? 32 : 48)) {
				OSSL_PARAM_BLD_free(bld);
				snprintf(
					why, why_len,
					"EC key %s: curve must be P-256 or P-384 with matching x and y",
					k->kid);
				return -EINVAL;
			}
			pub[0] = 4;
			memcpy(pub + 1, a, (size_t)na);
			memcpy(pub + 1 + na, b, (size_t)nb);
			OSSL_PARAM_BLD_push_utf8_string(
				bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
			OSSL_PARAM_BLD_push_octet_string(
				bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
				1 + 2 * (size_t)na);
		}
		k->pkey = pkey_from_params(kty, bld);
		OSSL_PARAM_BLD_free(bld);
		BN_free(n);
		BN_free(e);
		if (k->pkey == NULL) {
			snprintf(why, why_len, "%s key %s does not load", kty,
				 k->kid);
			return -EINVAL;
		}
		k->algs = algs_for_pkey(k->pkey, why, why_len);
		if (k->algs == 0)
			return -EINVAL;
	} else if (strcmp(kty, "OKP") == 0) {
		na = jwk_bytes(j, "x", a, sizeof(a));
		if (crv == NULL || strcmp(crv, "Ed25519") != 0 || na != 32) {
			snprintf(why, why_len,
				 "OKP key %s: only Ed25519 with a 32-byte x",
				 k->kid);
			return -EINVAL;
		}
		k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a,
						      32);
		if (k->pkey == NULL)
			return -EINVAL;
		k->algs = ALG(WW_JWT_EDDSA);
	} else {
		snprintf(why, why_len, "key %s: kty '%s' unsupported", k->kid,
			 kty);
		return -EINVAL;
	}
	if (alg != NULL && bind_alg(k, alg, why, why_len) < 0)
		return -EINVAL;
	return k->secret != NULL ? check_hmac(k, why, why_len) : 0;
}

static void free_key(struct ww_auth_key *k)
{
	EVP_PKEY_free(k->pkey);
	if (k->secret != NULL)
		OPENSSL_cleanse(k->secret, k->secret_len);
	free(k->secret);
	memset(k, 0, sizeof(*k));
}

static int load_jwks(struct ww_auth *a, const char *path, char *why,
		     size_t why_len)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	json_t *keys, *j;
	size_t i;
	int rc = 0;

	if (doc == NULL) {
		snprintf(why, why_len, "line %d: %s", jerr.line, jerr.text);
		return -EINVAL;
	}
	keys = json_object_get(doc, "keys");
	if (!json_is_array(keys) || json_array_size(keys) == 0) {
		snprintf(why, why_len, "no \"keys\" array");
		json_decref(doc);
		return -EINVAL;
	}
	json_array_foreach(keys, i, j)
	{
		if (a->n_keys == MAX_KEYS) {
			snprintf(why, why_len, "more than %d keys", MAX_KEYS);
			rc = -EINVAL;
			break;
		}
		rc = load_jwk(&a->keys[a->n_keys], j, why, why_len);
		if (rc < 0) {
			free_key(&a->keys[a->n_keys]);
			break;
		}
		a->n_keys++;
	}
	json_decref(doc);
	return rc;
}

/* One key spec: "jwks PATH" | "pem PATH [kid=ID] [alg=ALG]" |
 * "secret PATH [kid=ID] [alg=ALG]". */
static int load_spec(struct ww_auth *a, char *spec, char *err, size_t err_len)
{
	char *save = NULL, *type = strtok_r(spec, " \t", &save);
	char *path = strtok_r(NULL, " \t", &save), *opt;
	char why[256] = "";
	struct ww_auth_key *k;
	int rc;

	if (type == NULL)
		return 0;
	if (path == NULL) {
		ww_errf(err, err_len, "[auth] keys: '%s' needs a file", type);
		return -EINVAL;
	}
	if (strcmp(type, "jwks") == 0) {
		rc = load_jwks(a, path, why, sizeof(why));
		if (rc < 0)
			ww_errf(err, err_len, "[auth] keys: %s: %s", path, why);
		return rc;
	}
	if (a->n_keys == MAX_KEYS) {
		ww_errf(err, err_len, "[auth] keys: more than %d", MAX_KEYS);
		return -EINVAL;
	}
	k = &a->keys[a->n_keys];
	if (strcmp(type, "pem") == 0) {
		rc = load_pem(k, path, why, sizeof(why));
	} else if (strcmp(type, "secret") == 0) {
		rc = load_secret(k, path, why, sizeof(why));
	} else {
		ww_errf(err, err_len,
			"[auth] keys: '%s' is not jwks, pem or secret", type);
		return -EINVAL;
	}
	while (rc == 0 && (opt = strtok_r(NULL, " \t", &save)) != NULL) {
		if (strncmp(opt, "kid=", 4) == 0 &&
		    strlen(opt + 4) < sizeof(k->kid)) {
			strcpy(k->kid, opt + 4);
		} else if (strncmp(opt, "alg=", 4) == 0) {
			rc = bind_alg(k, opt + 4, why, sizeof(why));
		} else {
			snprintf(why, sizeof(why),
				 "'%s' is not kid=ID or alg=ALG", opt);
			rc = -EINVAL;
		}
	}
	if (rc == 0 && k->secret != NULL)
		rc = check_hmac(k, why, sizeof(why));
	if (rc < 0) {
		ww_errf(err, err_len, "[auth] keys: %s: %s", path, why);
		free_key(k);
		return rc;
	}
	a->n_keys++;
	return 0;
}

int ww_auth_create(const struct ww_conf *conf, struct rte_rcu_qsbr *qsbr,
		   struct ww_auth **out, char *err, size_t err_len)
{
	char specs[WW_CONF_KEYS_MAX], *save = NULL, *spec;
	struct ww_auth *a;
	int rc = 0;

	*out = NULL;
	if (conf->n_auth_routes == 0)
		return 0;
	a = calloc(1, sizeof(*a));
	if (a != NULL)
		a->keys = calloc(MAX_KEYS, sizeof(*a->keys));
	if (a == NULL || a->keys == NULL) {
		free(a);
		ww_errf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	a->qsbr = qsbr;
	a->skew_ns = (uint64_t)conf->auth_clock_skew * 1000000000ull;
	memcpy(a->routes, conf->auth_routes, sizeof(a->routes));
	a->n_routes = conf->n_auth_routes;
	snprintf(specs, sizeof(specs), "%s", conf->auth_keys);
	for (spec = strtok_r(specs, "|", &save); spec != NULL && rc == 0;
	     spec = strtok_r(NULL, "|", &save))
		rc = load_spec(a, spec, err, err_len);
	if (rc == 0 && a->n_keys == 0) {
		ww_errf(err, err_len,
			"[auth] routes need tokens but [auth] keys has no key");
		rc = -EINVAL;
	}
	snprintf(a->revoked_file, sizeof(a->revoked_file), "%s",
		 conf->auth_revoked_file);
	if (rc == 0 && a->revoked_file[0] != '\0')
		rc = ww_auth_reload_revoked(a, err, err_len);
	if (rc < 0) {
		ww_auth_destroy(a);
		return rc;
	}
	*out = a;
	return 0;
}

void ww_auth_destroy(struct ww_auth *a)
{
	uint32_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_keys; i++)
		free_key(&a->keys[i]);
	free(a->keys);
	free(a->revoked);
	free(a->rev);
	free(a);
}

static int by_hash(const void *x, const void *y)
{
	return memcmp(x, y, 32);
}

/* Publish the revocations as a new sorted set; free the old one once no
 * worker can see it. */
static int publish(struct ww_auth *a)
{
	struct ww_auth_revset *set, *old = a->revoked;
	uint32_t i;

	set = malloc(sizeof(*set) + (size_t)a->n_rev * 32);
	if (set == NULL)
		return -ENOMEM;
	set->n = a->n_rev;
	for (i = 0; i < a->n_rev; i++)
		memcpy(set->h[i], a->rev[i].h, 32);
	qsort(set->h, set->n, 32, by_hash);
	if (a->publish_fn != NULL) {
		int rc = a->publish_fn(a->publish_arg, set); /* waits */

		if (rc < 0) {
			free(set);
			return rc;
		}
		a->revoked = set;
	} else {
		__atomic_store_n(&a->revoked, set, __ATOMIC_RELEASE);
		if (a->qsbr != NULL)
			rte_rcu_qsbr_synchronize(a->qsbr,
						 RTE_QSBR_THRID_INVALID);
	}
	free(old);
	return 0;
}

void ww_auth_set_publisher(struct ww_auth *a, ww_auth_publish_fn fn, void *arg)
{
	a->publish_fn = fn;
	a->publish_arg = arg;
}

/* Add hash @h until @expires_ns to the revocations (not published). */
static int add_revocation(struct ww_auth *a, const uint8_t *h,
			  uint64_t expires_ns)
{
	uint32_t i;

	for (i = 0; i < a->n_rev; i++) {
		if (memcmp(a->rev[i].h, h, 32) == 0) {
			a->rev[i].expires_ns = expires_ns;
			return 0;
		}
	}
	if (a->n_rev == a->rev_cap) {
		uint32_t cap = a->rev_cap ? 2 * a->rev_cap : 64;
		struct ww_auth_revocation *r =
			realloc(a->rev, sizeof(*r) * cap);

		if (r == NULL)
			return -ENOMEM;
		a->rev = r;
		a->rev_cap = cap;
	}
	memcpy(a->rev[a->n_rev].h, h, 32);
	a->rev[a->n_rev++].expires_ns = expires_ns;
	return 0;
}

/* Append a revocation to the file: a line written whole with one
 * write() on an O_APPEND descriptor, then flushed to the disk, so a
 * crash leaves the file as it was or with the whole line. */
static int append_revocation(const struct ww_auth *a, const uint8_t *h,
			     uint64_t expires_ns, char *err, size_t err_len)
{
	char line[128];
	int fd, n, k;

	n = 0;
	for (k = 0; k < 32; k++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", h[k]);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " %" PRIu64 "\n",
		      (uint64_t)(expires_ns / 1000000000u));
	fd = open(a->revoked_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		  0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		ww_errf(err, err_len, "%s: %s", a->revoked_file,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

int ww_auth_revoke(struct ww_auth *a, const char *what, const char *value,
		   uint64_t expires_ns, char *err, size_t err_len)
{
	struct ww_auth_revocation *saved;
	uint32_t n = a->n_rev;
	uint8_t h[32];
	int rc;

	if (strcmp(what, "jti") != 0 && strcmp(what, "token") != 0) {
		ww_errf(err, err_len, "revoke jti ID or token JWT");
		return -EINVAL;
	}
	EVP_Digest(value, strlen(value), h, NULL, EVP_sha256(), NULL);
	/* Kept on disk first: a revocation the file does not hold would
	 * come back to life at the next restart. */
	if (a->revoked_file[0] != '\0') {
		rc = append_revocation(a, h, expires_ns, err, err_len);
		if (rc < 0)
			return rc;
	}
	saved = n ? malloc(sizeof(*saved) * n) : NULL;
	if (n && saved == NULL) {
		ww_errf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	if (n)
		memcpy(saved, a->rev, sizeof(*saved) * n);
	rc = add_revocation(a, h, expires_ns);
	if (rc == 0 && publish(a) < 0)
		rc = -ENOMEM;
	if (rc < 0) {
		if (n)
			memcpy(a->rev, saved, sizeof(*saved) * n);
		a->n_rev = n;
		ww_errf(err, err_len, "out of memory");
	}
	free(saved);
	return rc;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ww_auth_reload_revoked(struct ww_auth *a, char *err, size_t err_len)
{
	struct ww_auth_revocation *old = a->rev;
	uint32_t old_n = a->n_rev, old_cap = a->rev_cap, line = 0;
	char buf[256];
	FILE *f;
	int rc = 0;

	if (a->revoked_file[0] == '\0')
		return 0;
	f = fopen(a->revoked_file, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0; /* nothing revoked yet: revoke creates it */
		ww_errf(err, err_len, "%s: %s", a->revoked_file,
			strerror(errno));
		return -errno;
	}
	a->rev = NULL;
	a->n_rev = a->rev_cap = 0;
	while (rc == 0 && fgets(buf, sizeof(buf), f) != NULL) {
		char *p = buf, *end;
		unsigned long long exp;
		uint8_t h[32];
		int k;

		line++;
		buf[strcspn(buf, "#\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			continue;
		for (k = 0; k < 32; k++) {
			int hi = hexval(p[2 * k]), lo;

			lo = hi < 0 ? -1 : hexval(p[2 * k + 1]);
			if (lo < 0)
				break;
			h[k] = (uint8_t)(hi << 4 | lo);
		}
		p += 64;
		if (k < 32 || (*p != ' ' && *p != '\t')) {
			ww_errf(err, err_len,
				"%s:%u: expected a SHA-256 in hex (64 digits) and an expiry",
				a->revoked_file, line);
			rc = -EINVAL;
			break;
		}
		errno = 0;
		exp = strtoull(p, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (errno != 0 || end == p || *end != '\0' ||
		    exp > UINT64_MAX / 1000000000ull || strchr(p, '-')) {
			ww_errf(err, err_len,
				"%s:%u: the expiry must be a UNIX second (0: never)",
				a->revoked_file, line);
			rc = -EINVAL;
			break;
		}
		rc = add_revocation(a, h, (uint64_t)exp * 1000000000ull);
		if (rc < 0)
			ww_errf(err, err_len, "out of memory");
	}
	fclose(f);
	if (rc == 0)
		rc = publish(a);
	if (rc < 0) {
		free(a->rev);
		a->rev = old;
		a->n_rev = old_n;
		a->rev_cap = old_cap;
		return rc;
	}
	free(old);
	return 0;
}

uint32_t ww_auth_expire(struct ww_auth *a, uint64_t now_ns)
{
	uint32_t i = 0, gone = 0;

	if (a == NULL)
		return 0;
	while (i < a->n_rev) {
		if (a->rev[i].expires_ns && a->rev[i].expires_ns <= now_ns) {
			a->rev[i] = a->rev[--a->n_rev];
			gone++;
		} else {
			i++;
		}
	}
	if (gone > 0 && publish(a) < 0)
		return 0; /* the old set stays; retried next time */
	return gone;
}

int ww_auth_worker_init(struct ww_auth_worker *aw, uint32_t cache_entries)
{
	static const char *const names[3] = {"SHA256", "SHA384", "SHA512"};
	EVP_MAC *mac;
	int i;

	memset(aw, 0, sizeof(*aw));
	if (cache_entries > 0) {
		uint32_t n = rte_align32pow2(cache_entries);

		aw->cache = rte_zmalloc("ww_auth_cache", sizeof(*aw->cache) * n,
					RTE_CACHE_LINE_SIZE);
		if (aw->cache == NULL)
			return -ENOMEM;
		aw->mask = n - 1;
	}
	aw->md = EVP_MD_CTX_new();
	for (i = 0; i < 3; i++)
		aw->sha[i] = EVP_MD_fetch(NULL, names[i], NULL);
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	aw->hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context holds its own reference */
	if (aw->md == NULL || !aw->sha[0] || !aw->sha[1] || !aw->sha[2] ||
	    aw->hmac == NULL) {
		ww_auth_worker_free(aw);
		return -ENOMEM;
	}
	return 0;
}

void ww_auth_worker_free(struct ww_auth_worker *aw)
{
	int i;

	rte_free(aw->cache);
	EVP_MD_CTX_free(aw->md);
	for (i = 0; i < 3; i++)
		EVP_MD_free(aw->sha[i]);
	EVP_MAC_CTX_free(aw->hmac);
	memset(aw, 0, sizeof(*aw));
}
