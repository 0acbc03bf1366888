/* SPDX-License-Identifier: BSD-3-Clause */
/* JWT checks, fast path. See ww_auth.h. */
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ww_auth.h"

#define MAX_HEADER  1024 /* decoded JOSE header */
#define MAX_CLAIMS  8192 /* decoded claims */
#define MAX_SIG	    512	 /* RSA-4096 */
#define MAX_STRING  256	 /* a decoded string claim we compare */
#define JSON_DEPTH  16
#define MAX_AUD	    8
#define NS_PER_SEC  1000000000ull
#define NO_EXP_KEEP (300 * NS_PER_SEC) /* cache a token without exp */

static const char *const result_names[WW_AUTH_RESULT_MAX] = {
	[WW_AUTH_OK] = "ok",
	[WW_AUTH_MISSING] = "missing",
	[WW_AUTH_MALFORMED] = "malformed",
	[WW_AUTH_BAD_ALG] = "bad_alg",
	[WW_AUTH_UNKNOWN_KEY] = "unknown_key",
	[WW_AUTH_BAD_SIGNATURE] = "bad_signature",
	[WW_AUTH_EXPIRED] = "expired",
	[WW_AUTH_NOT_YET_VALID] = "not_yet_valid",
	[WW_AUTH_BAD_ISSUER] = "bad_issuer",
	[WW_AUTH_BAD_AUDIENCE] = "bad_audience",
	[WW_AUTH_REVOKED] = "revoked",
};

static const char *const alg_names[WW_JWT_ALG_MAX] = {
	"HS256", "HS384", "HS512", "RS256", "RS384",
	"RS512", "PS256", "ES256", "ES384", "EdDSA",
};

const char *ww_auth_result_name(enum ww_auth_result r)
{
	return (unsigned int)r < WW_AUTH_RESULT_MAX ? result_names[r]
						    : "unknown";
}

uint16_t ww_auth_status(enum ww_auth_result r)
{
	return r == WW_AUTH_OK ? 200 : r == WW_AUTH_BAD_AUDIENCE ? 403 : 401;
}

const char *ww_jwt_alg_name(enum ww_jwt_alg a)
{
	return (unsigned int)a < WW_JWT_ALG_MAX ? alg_names[a] : "unknown";
}

int ww_b64url_decode(const char *in, uint32_t len, uint8_t *out, uint32_t cap)
{
	uint32_t acc = 0, bits = 0, n = 0, i;

	if (len % 4 == 1)
		return -1; /* no length of base64 ends with one char */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-')
			v = 62;
		else if (c == '_')
			v = 63;
		else
			return -1; /* '=', '+', '/', spaces: not base64url */
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be zero (a canonical encoding). */
	if (acc & ((1u << bits) - 1))
		return -1;
	return (int)n;
}

/* ---- A strict JSON scanner for one flat object (RFC 8259) ---- */

struct json_str {
	const char *p; /* raw, between the quotes */
	uint32_t len;
};

struct scan {
	const char *s;
	uint32_t n, i;
};

static void skip_ws(struct scan *sc)
{
	while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
				 sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
		sc->i++;
}

static bool scan_string(struct scan *sc, struct json_str *out)
{
	uint32_t start;

	if (sc->i >= sc->n || sc->s[sc->i] != '"')
		return false;
	start = ++sc->i;
	while (sc->i < sc->n) {
		unsigned char c = (unsigned char)sc->s[sc->i];

		if (c == '"') {
			out->p = sc->s + start;
			out->len = sc->i - start;
			sc->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++sc->i >= sc->n)
				return false;
			c = (unsigned char)sc->s[sc->i];
			if (c == 'u') {
				uint32_t k;

				for (k = 1; k <= 4; k++)
					if (sc->i + k >= sc->n ||
					    !strchr("0123456789abcdefABCDEF",
						    sc->s[sc->i + k]) ||
					    sc->s[sc->i + k] == '\0')
						return false;
				sc->i += 4;
			} else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
				return false;
			}
		}
		sc->i++;
	}
	return false;
}

static bool scan_number(struct scan *sc)
{
	uint32_t start = sc->i, digits;

	if (sc->i < sc->n && sc->s[sc->i] == '-')
		sc->i++;
	digits = sc->i;
	while (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9')
		sc->i++;
	if (sc->i == digits ||
	    (sc->s[digits] == '0' && sc->i - digits > 1)) /* no "01" */
		return false;
	if (sc->i < sc->n && sc->s[sc->i] == '.') {
		digits = ++sc->i;
		while (sc->i < sc->n && sc->s[sc->i] >= '0' &&
		       sc->s[sc->i] <= '9')
			sc->i++;
		if (sc->i == digits)
			return false;
	}
	if (sc->i < sc->n && (sc->s[sc->i] == 'e' || sc->s[sc->i] == 'E')) {
		sc->i++;
		if (sc->i < sc->n &&
		    (sc->s[sc->i] == '+' || sc->s[sc->i] == '-'))
			sc->i++;
		digits = sc->i;
		while (sc->i < sc->n && sc->s[sc->i] >= '0' &&
		       sc->s[sc->i] <= '9')
			sc->i++;
		if (sc->i == digits)
			return false;
	}
	return sc->i > start;
}

static bool scan_value(struct scan *sc, int depth);

static bool scan_literal(struct scan *sc, const char *lit)
{
	size_t l = strlen(lit);

	if (sc->n - sc->i < l || memcmp(sc->s + sc->i, lit, l) != 0)
		return false;
	sc->i += (uint32_t)l;
	return true;
}

/* After '[' or '{': the members or elements up to the closing bracket. */
static bool scan_container(struct scan *sc, int depth, bool object)
{
	const char close = object ? '}' : ']';
	bool first = true;

	skip_ws(sc);
	if (sc->i < sc->n && sc->s[sc->i] == close) {
		sc->i++;
		return true;
	}
	for (;;) {
		struct json_str name;

		if (!first) {
			skip_ws(sc);
			if (sc->i >= sc->n)
				return false;
			if (sc->s[sc->i] == close) {
				sc->i++;
				return true;
			}
			if (sc->s[sc->i++] != ',')
				return false;
		}
		first = false;
		skip_ws(sc);
		if (object) {
			if (!scan_string(sc, &name))
				return false;
			skip_ws(sc);
			if (sc->i >= sc->n || sc->s[sc->i++] != ':')
				return false;
		}
		if (!scan_value(sc, depth + 1))
			return false;
	}
}

static bool scan_value(struct scan *sc, int depth)
{
	struct json_str s;

	if (depth > JSON_DEPTH)
		return false;
	skip_ws(sc);
	if (sc->i >= sc->n)
		return false;
	switch (sc->s[sc->i]) {
	case '"':
		return scan_string(sc, &s);
	case '{':
		sc->i++;
		return scan_container(sc, depth, true);
	case '[':
		sc->i++;
		return scan_container(sc, depth, false);
	case 't':
		return scan_literal(sc, "true");
	case 'f':
		return scan_literal(sc, "false");
	case 'n':
		return scan_literal(sc, "null");
	default:
		return scan_number(sc);
	}
}

/* A top-level member: its name (raw) and the span of its value. */
struct member {
	struct json_str name;
	const char *v;
	uint32_t vlen;
};

#define MAX_MEMBERS 64

/* Validate @s as one JSON object and list its members. @return how many,
 * or -1 (invalid, or more than MAX_MEMBERS). */
static int scan_object(const char *s, uint32_t n, struct member *m)
{
	struct scan sc = {s, n, 0};
	int k = 0;

	skip_ws(&sc);
	if (sc.i >= n || s[sc.i++] != '{')
		return -1;
	skip_ws(&sc);
	if (sc.i < n && s[sc.i] == '}') {
		sc.i++;
		goto end;
	}
	for (;;) {
		uint32_t v0;

		if (k == MAX_MEMBERS)
			return -1;
		skip_ws(&sc);
		if (!scan_string(&sc, &m[k].name))
			return -1;
		skip_ws(&sc);
		if (sc.i >= n || s[sc.i++] != ':')
			return -1;
		skip_ws(&sc);
		v0 = sc.i;
		if (!scan_value(&sc, 1))
			return -1;
		m[k].v = s + v0;
		m[k].vlen = sc.i - v0;
		k++;
		skip_ws(&sc);
		if (sc.i >= n)
			return -1;
		if (s[sc.i] == '}') {
			sc.i++;
			break;
		}
		if (s[sc.i++] != ',')
			return -1;
	}
end:
	skip_ws(&sc);
	return sc.i == n ? k : -1;
}

/* The member called @name (raw compare: JWT names are plain ASCII), or
 * NULL; a name given twice makes the whole object refused (*dup). */
static const struct member *find(const struct member *m, int k,
				 const char *name, bool *dup)
{
	const struct member *hit = NULL;
	size_t l = strlen(name);
	int i;

	for (i = 0; i < k; i++) {
		if (m[i].name.len == l && memcmp(m[i].name.p, name, l) == 0) {
			if (hit != NULL)
				*dup = true;
			hit = &m[i];
		}
	}
	return hit;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static uint32_t put_utf8(uint8_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | cp >> 18);
	o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the JSON string value at @v (quotes included) into @out.
 * @return its length, or -1 (not a string, or too long). */
static int string_value(const char *v, uint32_t vlen, char *out, uint32_t cap)
{
	uint32_t i, o = 0;

	if (vlen < 2 || v[0] != '"')
		return -1;
	for (i = 1; i + 1 < vlen; i++) {
		uint8_t tmp[4];
		uint32_t k = 1;

		if (v[i] != '\\') {
			tmp[0] = (uint8_t)v[i];
		} else {
			char e = v[++i];
			static const char from[] = "\"\\/bfnrt";
			static const char to[] = "\"\\/\b\f\n\r\t";

			if (e == 'u') {
				uint32_t cp = (uint32_t)hex4(v + i + 1);

				i += 4;
				if (cp >= 0xd800 && cp < 0xdc00 &&
				    i + 6 < vlen && v[i + 1] == '\\' &&
				    v[i + 2] == 'u') {
					uint32_t lo = (uint32_t)hex4(v + i + 3);

					if (lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 +
						     ((cp - 0xd800) << 10) +
						     (lo - 0xdc00);
						i += 6;
					}
				}
				k = put_utf8(tmp, cp);
			} else {
				tmp[0] = (uint8_t)to[strchr(from, e) - from];
			}
		}
		if (o + k >= cap)
			return -1;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	return (int)o;
}

/* A NumericDate (RFC 7519 2): seconds, maybe with a fraction. @return
 * false when the value is not a number or out of range. */
static bool numeric_date(const char *v, uint32_t vlen, int64_t *out)
{
	int64_t x = 0;
	uint32_t i = 0;
	bool neg = false;

	if (vlen > 0 && v[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i >= vlen || v[i] < '0' || v[i] > '9')
		return false;
	for (; i < vlen && v[i] >= '0' && v[i] <= '9'; i++) {
		x = x * 10 + (v[i] - '0');
		if (x > 100000000000ll) /* year 5138 */
			return false;
	}
	if (i < vlen && (v[i] == 'e' || v[i] == 'E'))
		return false; /* exponents are legal JSON, not used for dates */
	*out = neg ? -x : x;
	return true;
}

/* ---- Signatures ---- */

static const EVP_MD *alg_md(const struct ww_auth_worker *aw, enum ww_jwt_alg a)
{
	switch (a) {
	case WW_JWT_HS256:
	case WW_JWT_RS256:
	case WW_JWT_PS256:
	case WW_JWT_ES256:
		return aw->sha[0];
	case WW_JWT_HS384:
	case WW_JWT_RS384:
	case WW_JWT_ES384:
		return aw->sha[1];
	case WW_JWT_HS512:
	case WW_JWT_RS512:
		return aw->sha[2];
	default:
		return NULL; /* EdDSA hashes inside */
	}
}

/* One DER INTEGER of the big-endian unsigned @n bytes at @p. */
static uint32_t der_int(uint8_t *o, const uint8_t *p, uint32_t n)
{
	uint32_t k = 0;

	while (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	o[k++] = 0x02;
	o[k++] = (uint8_t)(n + (p[0] & 0x80 ? 1 : 0));
	if (p[0] & 0x80)
		o[k++] = 0;
	memcpy(o + k, p, n);
	return k + n;
}

/* JWS ECDSA signatures are r || s (RFC 7518 3.4); OpenSSL wants DER. */
static uint32_t ecdsa_der(const uint8_t *rs, uint32_t len, uint8_t *der)
{
	uint8_t body[2 * (2 + 1 + 66)];
	uint32_t half = len / 2, k;

	k = der_int(body, rs, half);
	k += der_int(body + k, rs + half, half);
	der[0] = 0x30;
	der[1] = (uint8_t)k; /* < 128 for P-256 and P-384 */
	memcpy(der + 2, body, k);
	return k + 2;
}

static bool verify(struct ww_auth_worker *aw, const struct ww_auth_key *key,
		   enum ww_jwt_alg alg, const uint8_t *data, size_t dlen,
		   const uint8_t *sig, uint32_t slen)
{
	const EVP_MD *md = alg_md(aw, alg);
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t der[2 + 2 * (2 + 1 + 66)];
	bool ok = false;

	if (alg <= WW_JWT_HS512) {
		uint8_t mac[EVP_MAX_MD_SIZE];
		size_t mlen = 0;
		OSSL_PARAM p[] = {
			OSSL_PARAM_construct_utf8_string(
				OSSL_MAC_PARAM_DIGEST,
				(char *)EVP_MD_get0_name(md), 0),
			OSSL_PARAM_construct_end(),
		};

		if (key->secret == NULL ||
		    EVP_MAC_init(aw->hmac, key->secret, key->secret_len, p) !=
			    1 ||
		    EVP_MAC_update(aw->hmac, data, dlen) != 1 ||
		    EVP_MAC_final(aw->hmac, mac, &mlen, sizeof(mac)) != 1)
			return false;
		return mlen == slen && CRYPTO_memcmp(mac, sig, slen) == 0;
	}
	if (key->pkey == NULL)
		return false;
	if (alg == WW_JWT_ES256 || alg == WW_JWT_ES384) {
		if (slen != (alg == WW_JWT_ES256 ? 64u : 96u))
			return false;
		slen = ecdsa_der(sig, slen, der);
		sig = der;
	}
	if (EVP_DigestVerifyInit(aw->md, &pctx, md, NULL, key->pkey) != 1)
		goto out;
	if (alg == WW_JWT_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
		     1))
		goto out;
	ok = EVP_DigestVerify(aw->md, sig, slen, data, dlen) == 1;
out:
	EVP_MD_CTX_reset(aw->md);
	return ok;
}

/* ---- The check ---- */

static bool revoked(const struct ww_auth_revset *set, const uint8_t *h)
{
	uint32_t lo = 0, hi;

	if (set == NULL)
		return false;
	hi = set->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = memcmp(set->h[mid], h, 32);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static const uint8_t no_jti[32];

static bool is_revoked(const struct ww_auth_revset *set, const uint8_t *token_h,
		       const uint8_t *jti_h)
{
	return revoked(set, token_h) ||
	       (memcmp(jti_h, no_jti, 32) != 0 && revoked(set, jti_h));
}

int ww_auth_route_for(const struct ww_auth *a, const char *path, uint32_t len)
{
	unsigned int i;

	if (a == NULL)
		return -1;
	for (i = 0; i < a->n_routes; i++) {
		size_t l = strlen(a->routes[i].prefix);

		if (len >= l && memcmp(path, a->routes[i].prefix, l) == 0)
			return (int)i;
	}
	return -1;
}

static enum ww_jwt_alg alg_of(const char *s)
{
	unsigned int i;

	for (i = 0; i < WW_JWT_ALG_MAX; i++)
		if (strcmp(s, alg_names[i]) == 0)
			return (enum ww_jwt_alg)i;
	return WW_JWT_ALG_MAX; /* "none" and anything else */
}

/* The signature check: header parsed, key found by kid or tried. */
static enum ww_auth_result check_signature(struct ww_auth_worker *aw,
					   const struct ww_auth *a,
					   const char *tok, uint32_t signed_len,
					   const uint8_t *hdr, int hlen,
					   const uint8_t *sig, int slen)
{
	struct member m[MAX_MEMBERS];
	char alg_s[32], kid[128] = "";
	const struct member *alg_m, *kid_m;
	enum ww_jwt_alg alg;
	bool dup = false, any_key = false, tried = false;
	uint32_t i;
	int k = scan_object((const char *)hdr, (uint32_t)hlen, m);

	if (k < 0)
		return WW_AUTH_MALFORMED;
	alg_m = find(m, k, "alg", &dup);
	kid_m = find(m, k, "kid", &dup);
	/* "crit" names extensions a receiver must understand: we know
	 * none (RFC 7515 4.1.11). */
	if (dup || alg_m == NULL || find(m, k, "crit", &dup) != NULL ||
	    string_value(alg_m->v, alg_m->vlen, alg_s, sizeof(alg_s)) < 0 ||
	    (kid_m != NULL &&
	     string_value(kid_m->v, kid_m->vlen, kid, sizeof(kid)) < 0))
		return WW_AUTH_MALFORMED;
	alg = alg_of(alg_s);
	if (alg == WW_JWT_ALG_MAX)
		return WW_AUTH_BAD_ALG;
	/* With a kid, only that key; without, every key (as a JWKS
	 * consumer does). A key never verifies an alg it is not bound
	 * to. */
	for (i = 0; i < a->n_keys; i++) {
		const struct ww_auth_key *key = &a->keys[i];

		if (kid_m != NULL && strcmp(key->kid, kid) != 0)
			continue;
		any_key = true;
		if (!(key->algs & (1u << alg)))
			continue;
		tried = true;
		if (verify(aw, key, alg, (const uint8_t *)tok, signed_len, sig,
			   (uint32_t)slen))
			return WW_AUTH_OK;
	}
	if (!any_key)
		return WW_AUTH_UNKNOWN_KEY;
	return tried ? WW_AUTH_BAD_SIGNATURE : WW_AUTH_BAD_ALG;
}

/* The claims, after the signature verified. */
static enum ww_auth_result check_claims(const struct ww_auth *a, int route,
					const uint8_t *cl, int clen,
					uint64_t now_ns, uint64_t *exp_ns,
					uint8_t *jti_h, const EVP_MD *sha256)
{
	const struct ww_conf_auth_route *r = &a->routes[route];
	struct member m[MAX_MEMBERS];
	const struct member *exp_m, *nbf_m, *iss_m, *aud_m, *jti_m;
	char s[MAX_STRING];
	bool dup = false, aud_ok = false;
	int64_t exp = 0, nbf = 0;
	const int64_t now_s = (int64_t)(now_ns / NS_PER_SEC);
	const int64_t skew = (int64_t)(a->skew_ns / NS_PER_SEC);
	unsigned int j;
	int k = scan_object((const char *)cl, (uint32_t)clen, m);

	if (k < 0)
		return WW_AUTH_MALFORMED;
	exp_m = find(m, k, "exp", &dup);
	nbf_m = find(m, k, "nbf", &dup);
	iss_m = find(m, k, "iss", &dup);
	aud_m = find(m, k, "aud", &dup);
	jti_m = find(m, k, "jti", &dup);
	if (dup || (exp_m && !numeric_date(exp_m->v, exp_m->vlen, &exp)) ||
	    (nbf_m && !numeric_date(nbf_m->v, nbf_m->vlen, &nbf)))
		return WW_AUTH_MALFORMED;
	if (exp_m && now_s > exp + skew)
		return WW_AUTH_EXPIRED;
	if (nbf_m && now_s + skew < nbf)
		return WW_AUTH_NOT_YET_VALID;
	if (iss_m == NULL ||
	    string_value(iss_m->v, iss_m->vlen, s, sizeof(s)) < 0 ||
	    strcmp(s, r->issuer) != 0)
		return WW_AUTH_BAD_ISSUER;
	if (aud_m == NULL)
		return WW_AUTH_BAD_AUDIENCE;
	if (aud_m->v[0] == '[') {
		/* An array of strings: any one of them will do. */
		struct scan sc = {aud_m->v, aud_m->vlen, 1};
		unsigned int n = 0;

		for (;;) {
			struct json_str e;

			skip_ws(&sc);
			if (sc.i < sc.n && sc.s[sc.i] == ']')
				break;
			if (!scan_string(&sc, &e) || ++n > MAX_AUD * 4)
				return WW_AUTH_MALFORMED;
			if (string_value(e.p - 1, e.len + 2, s, sizeof(s)) >= 0)
				for (j = 0; j < r->n_audiences; j++)
					aud_ok |=
						strcmp(s, r->audiences[j]) == 0;
			skip_ws(&sc);
			if (sc.i < sc.n && sc.s[sc.i] == ',')
				sc.i++;
		}
	} else {
		if (string_value(aud_m->v, aud_m->vlen, s, sizeof(s)) < 0)
			return WW_AUTH_MALFORMED;
		for (j = 0; j < r->n_audiences; j++)
			aud_ok |= strcmp(s, r->audiences[j]) == 0;
	}
	if (!aud_ok)
		return WW_AUTH_BAD_AUDIENCE;
	memset(jti_h, 0, 32);
	if (jti_m != NULL) {
		int l = string_value(jti_m->v, jti_m->vlen, s, sizeof(s));

		if (l < 0)
			return WW_AUTH_MALFORMED;
		EVP_Digest(s, (size_t)l, jti_h, NULL, sha256, NULL);
	}
	*exp_ns = exp_m ? (uint64_t)(exp + skew) * NS_PER_SEC
			: now_ns + NO_EXP_KEEP;
	return WW_AUTH_OK;
}

static struct ww_auth_cached *cache_slot(struct ww_auth_worker *aw,
					 const uint8_t *h)
{
	uint32_t i;

	if (aw->cache == NULL)
		return NULL;
	memcpy(&i, h, sizeof(i));
	return &aw->cache[i & aw->mask];
}

static enum ww_auth_result refuse(struct ww_auth_worker *aw,
				  enum ww_auth_result r)
{
	aw->stats.refused[r]++;
	return r;
}

enum ww_auth_result ww_auth_check(struct ww_auth_worker *aw,
				  const struct ww_auth *a,
				  const struct ww_auth_revset *revset,
				  int route, const char *authz, uint32_t len,
				  uint64_t now_ns)
{
	uint8_t th[32], jh[32], hdr[MAX_HEADER], sig[MAX_SIG];
	static __thread uint8_t claims[MAX_CLAIMS];
	const char *tok, *dot1, *dot2;
	struct ww_auth_cached *c;
	uint32_t tlen;
	int hlen, clen, slen;
	uint64_t exp_ns = 0;
	enum ww_auth_result r;

	if (authz == NULL)
		return refuse(aw, WW_AUTH_MISSING);
	/* RFC 6750 2.1: "Bearer" (any case), one or more spaces, token. */
	if (len < 7 || strncasecmp(authz, "bearer ", 7) != 0)
		return refuse(aw, WW_AUTH_MISSING);
	tok = authz + 7;
	tlen = len - 7;
	while (tlen > 0 && *tok == ' ') {
		tok++;
		tlen--;
	}
	if (tlen == 0)
		return refuse(aw, WW_AUTH_MISSING);

	EVP_Digest(tok, tlen, th, NULL, aw->sha[0], NULL);
	c = cache_slot(aw, th);
	if (c != NULL && c->exp_ns > now_ns && c->route == route &&
	    memcmp(c->token, th, 32) == 0) {
		if (is_revoked(revset, th, c->jti))
			return refuse(aw, WW_AUTH_REVOKED);
		aw->stats.cache_hits++;
		return WW_AUTH_OK;
	}

	dot1 = memchr(tok, '.', tlen);
	dot2 = dot1 ? memchr(dot1 + 1, '.', tlen - (uint32_t)(dot1 + 1 - tok))
		    : NULL;
	if (dot2 == NULL ||
	    memchr(dot2 + 1, '.', tlen - (uint32_t)(dot2 + 1 - tok)) != NULL)
		return refuse(aw, WW_AUTH_MALFORMED);
	hlen = ww_b64url_decode(tok, (uint32_t)(dot1 - tok), hdr, sizeof(hdr));
	clen = ww_b64url_decode(dot1 + 1, (uint32_t)(dot2 - dot1 - 1), claims,
				sizeof(claims));
	slen = ww_b64url_decode(dot2 + 1, tlen - (uint32_t)(dot2 + 1 - tok),
				sig, sizeof(sig));
	if (hlen <= 0 || clen <= 0 || slen < 0)
		return refuse(aw, WW_AUTH_MALFORMED);
	r = check_signature(aw, a, tok, (uint32_t)(dot2 - tok), hdr, hlen, sig,
			    slen);
	if (r != WW_AUTH_OK)
		return refuse(aw, r);
	r = check_claims(a, route, claims, clen, now_ns, &exp_ns, jh,
			 aw->sha[0]);
	if (r != WW_AUTH_OK)
		return refuse(aw, r);
	if (is_revoked(revset, th, jh))
		return refuse(aw, WW_AUTH_REVOKED);
	aw->stats.verified++;
	if (c != NULL) {
		memcpy(c->token, th, 32);
		memcpy(c->jti, jh, 32);
		c->exp_ns = exp_ns;
		c->route = (uint16_t)route;
	}
	return WW_AUTH_OK;
}
