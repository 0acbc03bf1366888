/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_BLOCK_H
#define WW_BLOCK_H

/*
 * Block lists: IPv4 and IPv6 prefixes whose traffic is dropped, as source
 * or destination, found by longest-prefix match (DPDK's FIB: DIR-24-8 for
 * IPv4, a trie for IPv6) for a whole burst at once.
 *
 * Entries come from files (one prefix per line, '!' for an exception,
 * '#' comments) and from the control thread at run time (dynamic entries,
 * each with an expiry). The lookup tables are immutable: every change
 * builds a new set and publishes it by pointer; workers read whichever set
 * is in force and report quiescent states (RCU QSBR), and the old set is
 * freed once none can still see it. Updates never stop the fast path, and
 * a failed build (bad file, no memory) leaves the set in force untouched.
 *
 * Memory: a set holds a FIB per family in use: IPv4 16 MiB (32 MiB past
 * 126 prefixes longer than /24, 64 MiB past 32766), IPv6 32 MiB (64 MiB
 * past 32766 tbl8 groups), plus the rule trees; twice for the moment of a
 * swap.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ww_conf.h"
#include "ww_pkt.h"

/* What a lookup found: the action of the longest matching prefix. */
enum ww_block_match {
	WW_BLOCK_NONE = 0,     /* no prefix matches */
	WW_BLOCK_LISTED = 1,   /* a prefix from a block-list file */
	WW_BLOCK_DYNAMIC = 2,  /* a run-time entry */
	WW_BLOCK_EXCEPT = 3,   /* an exception ('!prefix'): not blocked */
	WW_BLOCK_THROTTLE = 4, /* a run-time throttle: the source's new
				* connections are rate limited, not blocked
				* ([response] throttle_rate) */
};

/* One rule. */
struct ww_block_rule {
	struct ww_cidr cidr;
	uint8_t match;	     /* WW_BLOCK_LISTED, _DYNAMIC or _EXCEPT */
	uint64_t expires_ns; /* dynamic entries: UNIX ns; 0 = never */
};

struct rte_fib;
struct rte_fib6;
struct rte_rcu_qsbr;

/* One immutable set of lookup tables. */
struct ww_block_set {
	struct rte_fib *v4;  /* NULL: no IPv4 rule */
	struct rte_fib6 *v6; /* NULL: no IPv6 rule */
	uint32_t n_v4, n_v6; /* rules in each */
	uint64_t generation; /* increases with every published set */
};

/* See ww_block_set_publisher(). */
typedef int (*ww_block_publish_fn)(void *arg, struct ww_block_set *set);

/* Control-side state of the block lists. */
struct ww_block {
	ww_block_publish_fn publish_fn;
	void *publish_arg;
	struct ww_block_set *set; /* dataplane: ro, ctlplane: rw */
	struct rte_rcu_qsbr *qsbr;
	int socket;
	struct ww_block_rule *listed; /* from the files, exceptions too */
	uint32_t n_listed;
	struct ww_block_rule *dynamic;
	uint32_t n_dynamic, dynamic_max;
	bool dirty; /* rules changed since the set in force was built */
	uint64_t generation;
	uint64_t dynamic_refused; /* adds refused: table full */
};

/*
 * Read block-list @path and append its rules to *@rules (realloc'd;
 * *@n rules so far). A line is an address or prefix, or '!' and one (an
 * exception); '#' to the end of a line is a comment; blank lines are
 * ignored. @return 0, or -EINVAL / -ENOENT / -ENOMEM with "path:line:
 * reason" in @err (the rules read so far stay in *@rules).
 */
int ww_block_parse_file(const char *path, struct ww_block_rule **rules,
			uint32_t *n, char *err, size_t err_len);

/*
 * Load the files named in @conf and publish the first set. @qsbr: the
 * workers' RCU variable, or NULL when no worker runs concurrently
 * (offline mode, tests). Control thread only.
 * @return the block lists, or NULL with the reason in @err.
 */
struct ww_block *ww_block_create(const struct ww_conf *conf,
				 struct rte_rcu_qsbr *qsbr, int socket,
				 char *err, size_t err_len);

void ww_block_destroy(struct ww_block *b);

/*
 * Re-read the files of @conf and publish a new set with them (dynamic
 * entries kept). On any error nothing changes. Control thread only.
 * @return 0 or -errno with the reason in @err.
 */
int ww_block_reload(struct ww_block *b, const struct ww_conf *conf, char *err,
		    size_t err_len);

/*
 * Add a dynamic entry, or extend the expiry of an equal one: @expires_ns
 * UNIX ns, 0 for never. Takes effect at the next ww_block_commit().
 * @return 0; -ENOSPC when dynamic_max entries exist; -EPERM when @cidr
 * lies inside an exception (the reason in @err).
 */
int ww_block_add(struct ww_block *b, const struct ww_cidr *cidr,
		 uint64_t expires_ns, char *err, size_t err_len);
/*
 * The same for a dynamic entry of kind @match (WW_BLOCK_DYNAMIC or
 * WW_BLOCK_THROTTLE); an equal entry takes the kind and the expiry. A
 * throttle is refused (-EEXIST) where a block-list file or a dynamic
 * block already blocks the prefix: the longest prefix would otherwise
 * turn a block into a throttle.
 */
int ww_block_add_kind(struct ww_block *b, const struct ww_cidr *cidr,
		      uint8_t match, uint64_t expires_ns, char *err,
		      size_t err_len);

/* Remove a dynamic entry. @return 0 or -ENOENT. */
int ww_block_remove(struct ww_block *b, const struct ww_cidr *cidr);

/* Remove the dynamic entries expired at @now_ns. @return how many. */
uint32_t ww_block_expire(struct ww_block *b, uint64_t now_ns);

/*
 * Publish a new set when the rules changed: build it, put it in force,
 * wait until no worker can still see the old one, free that. Control
 * thread only. @return 0 (also when nothing changed), or -ENOMEM with the
 * old set still in force.
 */
int ww_block_commit(struct ww_block *b, char *err, size_t err_len);

/*
 * Hand every new set to @fn instead of publishing it alone: @fn puts it
 * in force (in a policy snapshot) and returns 0 once no worker can see
 * the set it replaces, which is then freed; or -errno, and the new set is
 * dropped with the one in force kept. Control thread.
 */
void ww_block_set_publisher(struct ww_block *b, ww_block_publish_fn fn,
			    void *arg);

/* dp-safe: the set in force (NULL: nothing is blocked). Read once per
 * burst, between two quiescent-state reports. */
static inline struct ww_block_set *ww_block_get(const struct ww_block *b)
{
	return b == NULL ? NULL : __atomic_load_n(&b->set, __ATOMIC_ACQUIRE);
}

/*
 * Look up the source and destination of @n decoded packets (NULL entries,
 * and packets without an IP header, are skipped and get WW_BLOCK_NONE).
 * Writes enum ww_block_match values to @src[i] and @dst[i]. dp-safe.
 */
void ww_block_lookup_burst(struct ww_block_set *set,
			   const struct ww_pkt *const *pkts, uint16_t n,
			   uint8_t *src, uint8_t *dst);

#endif /* WW_BLOCK_H */
