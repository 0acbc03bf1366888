/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_AUTH_H
#define WW_AUTH_H

/*
 * JWT bearer authentication (RFC 7519, RFC 7515, RFC 6750) for the
 * routes the config lists, the way Envoy's jwt_authn does it: the token
 * from "Authorization: Bearer", its signature checked with a configured
 * key (OpenSSL EVP), then exp/nbf (with a clock skew), iss and aud, then
 * the revocation list.
 *
 * Keys are bound to algorithms at load (see conf/wirewall.ini): a token
 * whose "alg" its key does not allow is refused before any cryptography,
 * so "none" and HS/RS confusion (an RSA public key used as an HMAC
 * secret) can never verify.
 *
 * Fast path: each worker remembers verified tokens (by SHA-256 of the
 * token and the route) until they expire, so a client's repeated token
 * costs a hash and a lookup; the revocation list is checked on every
 * use. The JSON of header and claims is read by a small strict scanner
 * (no allocation); OpenSSL contexts are per worker and reused.
 *
 * Revocation: the control thread adds token ids (jti) or whole tokens,
 * each with an expiry; the set of their SHA-256 hashes is immutable,
 * published by pointer and freed after an RCU grace period.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ww_conf.h"

/* Signature algorithms (RFC 7518 3.1, RFC 8037). */
enum ww_jwt_alg {
	WW_JWT_HS256 = 0,
	WW_JWT_HS384,
	WW_JWT_HS512,
	WW_JWT_RS256,
	WW_JWT_RS384,
	WW_JWT_RS512,
	WW_JWT_PS256,
	WW_JWT_ES256,
	WW_JWT_ES384,
	WW_JWT_EDDSA,
	WW_JWT_ALG_MAX
};

/* What a check found. Append only: the names appear in alerts. */
enum ww_auth_result {
	WW_AUTH_OK = 0,
	WW_AUTH_MISSING,       /* no Authorization: Bearer */
	WW_AUTH_MALFORMED,     /* not three base64url parts of JSON */
	WW_AUTH_BAD_ALG,       /* none, unknown, or not the key's */
	WW_AUTH_UNKNOWN_KEY,   /* no key with that kid */
	WW_AUTH_BAD_SIGNATURE, /* the signature does not verify */
	WW_AUTH_EXPIRED,       /* exp + skew is past */
	WW_AUTH_NOT_YET_VALID, /* nbf - skew is ahead */
	WW_AUTH_BAD_ISSUER,    /* iss is not the route's */
	WW_AUTH_BAD_AUDIENCE,  /* no aud is one of the route's: 403 */
	WW_AUTH_REVOKED,       /* its jti or the token itself is revoked */
	WW_AUTH_RESULT_MAX
};

/* Stable name, e.g. "expired". */
const char *ww_auth_result_name(enum ww_auth_result r);

/* HTTP status for a result: 200 (OK), 403 (audience) or 401. */
uint16_t ww_auth_status(enum ww_auth_result r);

/* Name of an algorithm as in a JOSE header, e.g. "RS256". */
const char *ww_jwt_alg_name(enum ww_jwt_alg a);

struct evp_pkey_st;
struct evp_md_ctx_st;
struct evp_md_st;
struct evp_mac_ctx_st;
struct rte_rcu_qsbr;

struct ww_auth_key {
	char kid[128]; /* "" = none: tried for tokens without kid */
	uint32_t algs; /* bit (1 << enum ww_jwt_alg) per allowed alg */
	struct evp_pkey_st *pkey; /* RSA, EC or Ed25519 public key */
	uint8_t *secret;	  /* HMAC */
	size_t secret_len;
};

/* The revoked set in force: sorted SHA-256 hashes. */
struct ww_auth_revset {
	uint32_t n;
	uint8_t h[][32];
};

struct ww_auth_revset;
/* See ww_auth_set_publisher(). */
typedef int (*ww_auth_publish_fn)(void *arg, const struct ww_auth_revset *set);

struct ww_auth {
	/* Immutable once created. */
	struct ww_auth_key *keys;
	uint32_t n_keys;
	struct ww_conf_auth_route routes[WW_CONF_MAX_ROUTES];
	unsigned int n_routes;
	uint64_t skew_ns;
	/* Revocations. */
	struct ww_auth_revset *revoked; /* dataplane: ro, ctlplane: rw */
	struct rte_rcu_qsbr *qsbr;
	struct ww_auth_revocation *rev; /* ctlplane only */
	ww_auth_publish_fn publish_fn;
	void *publish_arg;
	char revoked_file[512]; /* "" = none */
	uint32_t n_rev, rev_cap;
};

/*
 * Load the [auth] keys of @conf. @qsbr: the workers' RCU variable (NULL:
 * no concurrent reader). Control thread, no EAL needed.
 * @return 0 with *@out (NULL when no route needs a token), or -errno
 * with the reason (naming the key spec or file) in @err.
 */
int ww_auth_create(const struct ww_conf *conf, struct rte_rcu_qsbr *qsbr,
		   struct ww_auth **out, char *err, size_t err_len);
void ww_auth_destroy(struct ww_auth *a);

/*
 * Revoke a token id (@what "jti") or a whole token (@what "token", the
 * compact JWT) until @expires_ns (UNIX ns; 0 = for as long as the
 * appliance runs). In force on return. Control thread.
 * @return 0 or -EINVAL / -ENOMEM with the reason in @err.
 */
int ww_auth_revoke(struct ww_auth *a, const char *what, const char *value,
		   uint64_t expires_ns, char *err, size_t err_len);

/*
 * Read [auth] revoked_file again: its revocations replace those in force
 * (wirewallctl auth revoke appends to it, so it holds them all). On any
 * error nothing changes. Control thread. @return 0 or -errno with
 * "file:line: reason" in @err.
 */
int ww_auth_reload_revoked(struct ww_auth *a, char *err, size_t err_len);

/* Drop revocations expired at @now_ns. Control thread. @return how many. */
uint32_t ww_auth_expire(struct ww_auth *a, uint64_t now_ns);

/* Per-worker state: the cache of verified tokens and OpenSSL contexts. */
struct ww_auth_cached {
	uint8_t token[32]; /* SHA-256 of the token */
	uint8_t jti[32];   /* SHA-256 of its jti ("" when none) */
	uint64_t exp_ns;   /* 0 = free */
	uint16_t route;
};

struct ww_auth_stats {
	uint64_t verified, cache_hits, refused[WW_AUTH_RESULT_MAX];
};

struct ww_auth_worker {
	struct ww_auth_cached *cache;
	uint32_t mask; /* entries - 1; cache NULL when 0 entries */
	/* OpenSSL objects fetched once: an implicit fetch per call would
	 * take the provider store's lock on the fast path. */
	struct evp_md_ctx_st *md;
	struct evp_md_st *sha[3]; /* SHA-256, -384, -512 */
	struct evp_mac_ctx_st *hmac;
	struct ww_auth_stats stats;
};

/* Control thread, before the worker runs. @return 0 or -ENOMEM. */
int ww_auth_worker_init(struct ww_auth_worker *aw, uint32_t cache_entries);
void ww_auth_worker_free(struct ww_auth_worker *aw);

/* The route whose prefix @path starts with, or -1: no token needed.
 * dp-safe. */
int ww_auth_route_for(const struct ww_auth *a, const char *path, uint32_t len);

/*
 * Check the Authorization header value @authz (@len bytes; NULL when the
 * request has none) for route @route at @now_ns. dp-safe, the owning
 * worker only.
 */
enum ww_auth_result ww_auth_check(struct ww_auth_worker *aw,
				  const struct ww_auth *a,
				  const struct ww_auth_revset *revoked,
				  int route, const char *authz, uint32_t len,
				  uint64_t now_ns);

/* The revocations in force (what ww_auth_check takes; the workers get it
 * through the policy snapshot). */
static inline const struct ww_auth_revset *
ww_auth_revoked(const struct ww_auth *a)
{
	return a == NULL ? NULL
			 : __atomic_load_n(&a->revoked, __ATOMIC_ACQUIRE);
}

/*
 * Hand every new revocation set to @fn instead of publishing it alone:
 * @fn puts it in force (in a policy snapshot) and returns 0 once no
 * worker can see the one it replaces, which is then freed; or -errno,
 * and the revocation is refused. Control thread.
 */
void ww_auth_set_publisher(struct ww_auth *a, ww_auth_publish_fn fn, void *arg);

/* Base64url without padding (RFC 7515 2): @return the decoded length,
 * or -1 when @in is not strict base64url or the result exceeds @cap. */
int ww_b64url_decode(const char *in, uint32_t len, uint8_t *out, uint32_t cap);

#endif /* WW_AUTH_H */
