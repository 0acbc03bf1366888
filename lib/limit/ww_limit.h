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
 * the packets RSS gives it. Each bucket therefore has a share s (1/65536
 * units) and refills at s x R with room for s x B. A new bucket starts
 * with the whole rate (s = 1): a client whose connections all land on one
 * worker -- the common case, since RSS hashes per connection and most
 * clients keep few -- gets exactly R there. The control thread rebalances
 * (ww_limit_rebalance) a few times a second: for each key busy on more
 * than one worker it sets each worker's share to that worker's part of
 * the key's recent demand (never below 1/16 of an even split, so a
 * worker whose part grows is not starved before the next visit), so the
 * shares again sum to one and the client's total stays R; a key seen by
 * one worker only gets its whole rate back.
 *
 * Who writes what. The workers write their entries on every request, so
 * the control thread never writes a byte of them (nor of struct
 * ww_limit_table, whose stats the worker bumps): a store there would pull
 * the line away from the worker on its fast path, and race with it.
 * What the control thread writes lives in arrays it owns, allocated with
 * the table and indexed by slot:
 *
 *   share[]  gen << 32 | share, the share the control thread gives the
 *            bucket in that slot. The worker loads it (relaxed, read only)
 *            on each request; it is written only when a share changes, so
 *            the worker's copy of the line stays valid between changes.
 *   ctl      hits at the last visit, a window of candidates, the cursor:
 *            the worker never reads them.
 *
 * A slot is reused for another key when its bucket is evicted, so both
 * arrays say which key they are about by the entry's generation: the
 * worker adds 2 to `gen` each time the slot takes a new key (odd while it
 * rewrites the slot, a seqlock: the control thread reads gen, key, hits,
 * gen again and drops a read the worker tore). A share word of another
 * generation is stale and the worker uses the whole rate, as for any new
 * bucket; a slot whose generation changed since the last visit holds a
 * new bucket whose hits all count as demand (its hits restarted from 0:
 * subtracting the old key's count would wrap to a huge demand).
 *
 * Bounded passes. One call reads at most `budget` slots of each table
 * (WW_LIMIT_REBALANCE_SLOTS by default) and allocates nothing. It covers
 * a window of home slots (hash & mask, where a key's probing starts) and
 * the cursor moves the window on at each call. A key lies at most
 * WW_LIMIT_PROBE - 1 slots past its home in every table, so one call
 * reads every copy of the keys homed in its window in all tables, and
 * groups them by a sort of that window alone: a key is handled once per
 * sweep, with all its workers' demands over the same interval, and
 * without probing the other tables for each entry. A sweep takes
 * entries / (budget - WW_LIMIT_PROBE + 1) calls (17, about 4 s every
 * 250 ms, at 65536 entries): demand is counted over a sweep, and a client
 * that spreads suddenly over n workers may get up to n x R until its
 * window comes round; one that concentrates gets its full rate back then.
 *
 * Tables are bounded (a power of two of entries, 64 bytes each, plus 24
 * bytes in the control arrays); a new key probes a few slots and takes a
 * free one or evicts the least recently used of them, counted.
 */

#include <stdbool.h>
#include <stdint.h>

/* What a bucket limits. */
enum ww_limit_kind {
	WW_LIMIT_CLIENT = 1,   /* requests of a client */
	WW_LIMIT_ROUTE = 2,    /* requests of a client on one route */
	WW_LIMIT_SERVICE = 3,  /* requests to one server address and port */
	WW_LIMIT_SYN = 4,      /* new TCP connections of a source */
	WW_LIMIT_THROTTLE = 5, /* new flows of a client a model throttles */
};

struct ww_limit_key {
	uint8_t addr[16]; /* masked address (client) or server address */
	uint16_t port;	  /* service: server port */
	uint8_t kind;	  /* enum ww_limit_kind */
	uint8_t route;	  /* route index for WW_LIMIT_ROUTE */
} __attribute__((packed));

#define WW_LIMIT_SHARE_ONE	 65536u
#define WW_LIMIT_PROBE		 8     /* slots probed per key */
#define WW_LIMIT_REBALANCE_SLOTS 4096u /* slots read per table per call */

/* One bucket: a cache line, the owning worker's alone (dataplane: rw,
 * ctlplane: ro). */
struct ww_limit_entry {
	struct ww_limit_key key; /* 20 bytes */
	uint32_t gen;		 /* +2 per new key, odd while rewritten;
				  * 0 = never used */
	uint64_t tokens;	 /* 1e-9 tokens */
	uint64_t last_ns;	 /* last refill; 0 = free slot */
	uint64_t hits;		 /* requests seen since the key came */
	uint8_t pad[16];
} __attribute__((aligned(64)));

struct ww_limit_stats {
	uint64_t allowed, limited; /* per bucket check */
	uint64_t evicted;	   /* a live bucket made room for another */
};

/* What the rebalancer did to one table (ctlplane only). */
struct ww_limit_rebalance_stats {
	uint64_t calls;	       /* ww_limit_rebalance calls over the table */
	uint64_t visited;      /* slots read, all calls */
	uint64_t last_visited; /* slots read by the last call */
	uint64_t sweeps;       /* the cursor went round the hash space */
	uint64_t reused;       /* slots found holding a new key */
	uint64_t torn;	       /* slots skipped: rewritten while read */
};

struct ww_limit_seen;
struct ww_limit_cand;

/* The control thread's side of a table: the worker never touches it. */
struct ww_limit_ctl {
	struct ww_limit_seen *seen; /* per slot: hits at the last visit */
	struct ww_limit_cand *cand; /* this call's window, sorted */
	uint32_t n_cand, head;	    /* candidates, next one to merge */
	uint32_t cursor;	    /* first home slot of the next window */
	/* Slots read per call: WW_LIMIT_PROBE to WW_LIMIT_REBALANCE_SLOTS
	 * (the default); a call uses the smallest of its tables'. */
	uint32_t budget;
	struct ww_limit_rebalance_stats stats;
};

/* One worker's table. The pointers and mask are set at init and read
 * only afterwards; stats are the worker's. */
struct ww_limit_table {
	struct ww_limit_entry *e;
	uint64_t *share;	  /* per slot: gen << 32 | share (dataplane: ro,
				   * ctlplane: rw) */
	struct ww_limit_ctl *ctl; /* ctlplane only */
	uint32_t mask;		  /* entries - 1 */
	struct ww_limit_stats stats;
};

/* A limit: rate per second and burst, both in requests (or SYNs). */
struct ww_limit_rule {
	uint32_t rate, burst;
};

/*
 * Allocate a table of at least @entries buckets (rounded up to a power
 * of two) and its share[] on @socket (the worker's), its ctl on the
 * caller's. Control thread, before the worker uses it. @return 0 or
 * -ENOMEM (nothing left allocated).
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
 * The share the owning worker applies to @key in @t now
 * (WW_LIMIT_SHARE_ONE = the whole rate), or 0 when @t has no bucket for
 * @key. Any thread; from another than the owner's, a snapshot that may
 * be stale by the time it returns.
 */
uint32_t ww_limit_share(const struct ww_limit_table *t,
			const struct ww_limit_key *key);

/*
 * Rebalance the shares of keys busy on several of the @n tables (one per
 * worker), as described above: one window of the hash space, at most
 * ctl->budget slots read per table, no allocation. Control thread, while
 * the workers run: it reads their entries without locks (a torn read is
 * dropped and the slot waits for the next sweep) and writes only the
 * tables' share[] and ctl. The tables may differ in size; pass the same
 * ones in each call. @return the keys whose shares were split.
 */
uint32_t ww_limit_rebalance(struct ww_limit_table *const *tables,
			    unsigned int n);

#endif /* WW_LIMIT_H */
