/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_LIMIT_H
#define WW_LIMIT_H

/*
 * Rate limits: token buckets, one table per worker, no locks.
 *
 * A bucket is keyed by what is limited: a client (its IPv4 address or /24,
 * its IPv6 /64), a client on one configured route (method and path
 * prefix), a destination service (server address and port), or a client's
 * new TCP connections (SYN flood guard). Tokens are kept in units of
 * 1e-9 token so refills are exact integer arithmetic on nanosecond clocks;
 * a bucket starts full.
 *
 * Sharing a global rate between workers. A configured rate R (and burst
 * B) is what a client may do in total, but each worker decides alone on
 * the packets RSS gives it. Each bucket therefore carries a share s
 * (1/65536 units) and refills at s x R with room for s x B. A new bucket
 * starts with the whole rate (s = 1): a client whose connections all land
 * on one worker -- the common case, since RSS hashes per connection and
 * most clients keep few -- gets exactly R there. The control thread
 * rebalances (ww_limit_rebalance) a few times a second: it reads every
 * worker's table, and for each key busy on more than one worker it sets
 * each worker's share to that worker's part of the key's recent demand
 * (never below 1/16 of an even split, so a worker whose part grows
 * is not starved before the next pass), so the shares again sum to one
 * and the client's total stays R. Between two passes a client that
 * spreads suddenly over n workers may briefly get up to n x R; one that
 * concentrates gets its full rate back at the next pass.
 *
 * Tables are bounded (a power of two of entries, 64 bytes each); a new
 * key probes a few slots and takes a free one or evicts the least
 * recently used of them, counted.
 */

#include <stdbool.h>
#include <stdint.h>

/* What a bucket limits. */
enum ww_limit_kind {
	WW_LIMIT_CLIENT = 1,  /* requests of a client */
	WW_LIMIT_ROUTE = 2,   /* requests of a client on one route */
	WW_LIMIT_SERVICE = 3, /* requests to one server address and port */
	WW_LIMIT_SYN = 4,     /* new TCP connections of a source */
};

struct ww_limit_key {
	uint8_t addr[16]; /* masked address (client) or server address */
	uint16_t port;	  /* service: server port */
	uint8_t kind;	  /* enum ww_limit_kind */
	uint8_t route;	  /* route index for WW_LIMIT_ROUTE */
} __attribute__((packed));

#define WW_LIMIT_SHARE_ONE 65536u
#define WW_LIMIT_PROBE	   8 /* slots probed per key */

/* One bucket: a cache line. */
struct ww_limit_entry {
	struct ww_limit_key key; /* 20 bytes */
	uint32_t share;		 /* dataplane: ro, ctlplane: rw */
	uint64_t tokens;	 /* 1e-9 tokens */
	uint64_t last_ns;	 /* last refill; 0 = free slot */
	uint64_t hits;		 /* requests seen (dataplane: rw) */
	uint64_t hits_seen;	 /* ctlplane only: hits at the last pass */
	uint8_t pad[8];
} __attribute__((aligned(64)));

struct ww_limit_stats {
	uint64_t allowed, limited; /* per bucket check */
	uint64_t evicted;	   /* a live bucket made room for another */
};

/* One worker's table. */
struct ww_limit_table {
	struct ww_limit_entry *e;
	uint32_t mask; /* entries - 1 */
	struct ww_limit_stats stats;
};

/* A limit: rate per second and burst, both in requests (or SYNs). */
struct ww_limit_rule {
	uint32_t rate, burst;
};

/*
 * Allocate a table of at least @entries buckets (rounded up to a power
 * of two) on @socket. Control thread. @return 0 or -ENOMEM.
 */
int ww_limit_table_init(struct ww_limit_table *t, uint32_t entries, int socket);
void ww_limit_table_free(struct ww_limit_table *t);

/*
 * Take one token from the bucket of @key under @rule at @now_ns (the
 * bucket is created full if new). @return true when allowed; when not,
 * *@retry_s (may be NULL) is the whole seconds until a token is back
 * (at least 1). dp-safe, the owning worker only.
 */
bool ww_limit_take(struct ww_limit_table *t, const struct ww_limit_key *key,
		   const struct ww_limit_rule *rule, uint64_t now_ns,
		   uint32_t *retry_s);

/*
 * Fill @key for client address @addr (@v4: 4 bytes, else 16) of @kind:
 * IPv4 keeps 32 bits (or 24 when @v4_net24), IPv6 keeps the /64.
 */
void ww_limit_client_key(struct ww_limit_key *key, const uint8_t *addr, bool v4,
			 bool v4_net24, uint8_t kind, uint8_t route);

/*
 * Rebalance the shares of keys busy on several of the @n tables (one per
 * worker), as described above. Control thread, while the workers run:
 * it reads their entries without locks (a torn read only skews one
 * pass) and writes only `share` and `hits_seen`. @return the keys whose
 * shares were split.
 */
uint32_t ww_limit_rebalance(struct ww_limit_table *const *tables,
			    unsigned int n);

#endif /* WW_LIMIT_H */
