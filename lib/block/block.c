/* SPDX-License-Identifier: BSD-3-Clause */
/* Block lists, control side: files, dynamic entries, building and
 * publishing lookup sets. See ww_block.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ww_block.h"

/* Strip a comment and surrounding whitespace in place. */
static char *clean_line(char *s)
{
	char *hash = strchr(s, '#');
	char *end;

	if (hash != NULL)
		*hash = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int ww_block_parse_file(const char *path, struct ww_block_rule **rules,
			uint32_t *n, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, why[256];
	size_t cap = 0;
	unsigned int lineno = 0;
	int rc = 0;

	if (f == NULL) {
		ww_errf(err, err_len, "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	while (getline(&line, &cap, f) >= 0) {
		struct ww_block_rule r = {.match = WW_BLOCK_LISTED};
		char *s = clean_line(line);

		lineno++;
		if (*s == '\0')
			continue;
		if (*s == '!') {
			r.match = WW_BLOCK_EXCEPT;
			s = clean_line(s + 1);
		}
		if (strpbrk(s, " \t,") != NULL) {
			ww_errf(err, err_len,
				"%s:%u: one address or prefix per line", path,
				lineno);
			rc = -EINVAL;
			break;
		}
		if (ww_conf_parse_cidr(s, &r.cidr, why, sizeof(why)) < 0) {
			ww_errf(err, err_len, "%s:%u: %s", path, lineno, why);
			rc = -EINVAL;
			break;
		}
		if ((*n & (*n - 1)) == 0) { /* grow at powers of two */
			struct ww_block_rule *nr = realloc(
				*rules, sizeof(**rules) * (*n ? 2 * *n : 16));

			if (nr == NULL) {
				ww_errf(err, err_len, "%s: out of memory",
					path);
				rc = -ENOMEM;
				break;
			}
			*rules = nr;
		}
		(*rules)[(*n)++] = r;
	}
	free(line);
	fclose(f);
	return rc;
}

static int load_files(const struct ww_conf *conf, struct ww_block_rule **rules,
		      uint32_t *n, char *err, size_t err_len)
{
	unsigned int i;
	int rc;

	*rules = NULL;
	*n = 0;
	for (i = 0; i < conf->n_block_files; i++) {
		rc = ww_block_parse_file(conf->block_files[i], rules, n, err,
					 err_len);
		if (rc < 0) {
			free(*rules);
			*rules = NULL;
			*n = 0;
			return rc;
		}
	}
	return 0;
}

static void free_set(struct ww_block_set *s)
{
	if (s == NULL)
		return;
	rte_fib_free(s->v4);
	rte_fib6_free(s->v6);
	rte_free(s);
}

static uint32_t host_v4(const struct ww_cidr *c)
{
	return (uint32_t)c->addr[0] << 24 | (uint32_t)c->addr[1] << 16 |
	       (uint32_t)c->addr[2] << 8 | c->addr[3];
}

static int add_rule(struct ww_block_set *s, const struct ww_block_rule *r)
{
	if (r->cidr.family == AF_INET)
		return rte_fib_add(s->v4, host_v4(&r->cidr), r->cidr.prefix_len,
				   r->match);
	return rte_fib6_add(s->v6, r->cidr.addr, r->cidr.prefix_len, r->match);
}

/* The FIBs keep a tbl8 group's index in a next-hop entry, so the size of
 * their entries (and of their tables) grows with the groups needed:
 * @return log2 of the entry size in bytes, 0 (up to 127 groups), 1 (up
 * to 32767) or 2. */
static unsigned int nh_size_for(uint32_t tbl8)
{
	return tbl8 <= 127 ? 0 : tbl8 <= 32767 ? 1 : 2;
}

/* FIB sizes for @rules: routes per family, and the tbl8 groups the
 * prefixes longer than 24 bits can need (one per /24 for IPv4, one per
 * further byte for IPv6). */
static void count_rules(const struct ww_block_rule *rules, uint32_t n,
			uint32_t *v4, uint32_t *v6, uint32_t *tbl8_4,
			uint32_t *tbl8_6)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct ww_cidr *c = &rules[i].cidr;

		if (c->family == AF_INET) {
			(*v4)++;
			*tbl8_4 += c->prefix_len > 24;
		} else {
			(*v6)++;
			if (c->prefix_len > 24)
				*tbl8_6 +=
					(uint32_t)(c->prefix_len - 24 + 7) / 8;
		}
	}
}

/* Build a set from the file rules and the dynamic entries. Blocks go in
 * first, exceptions last, so that an exception equal to a block wins. */
static int build_set(struct ww_block *b, const struct ww_block_rule *listed,
		     uint32_t n_listed, struct ww_block_set **out, char *err,
		     size_t err_len)
{
	/* FIB names are global to the process: one sequence for all. */
	static uint64_t name_seq;
	uint32_t v4 = 0, v6 = 0, t4 = 0, t6 = 0, i, pass;
	struct ww_block_set *s;
	char name[32]; /* RTE_RIB_NAMESIZE */
	int rc = 0;

	*out = NULL;
	count_rules(listed, n_listed, &v4, &v6, &t4, &t6);
	count_rules(b->dynamic, b->n_dynamic, &v4, &v6, &t4, &t6);
	if (v4 == 0 && v6 == 0)
		return 0; /* nothing to block: no set at all */
	s = rte_zmalloc_socket("ww_block_set", sizeof(*s), 0, b->socket);
	if (s == NULL)
		goto nomem;
	s->generation = b->generation + 1;
	s->n_v4 = v4;
	s->n_v6 = v6;
	if (v4 > 0) {
		struct rte_fib_conf fc = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = WW_BLOCK_NONE,
			.max_routes = (int)v4,
			.dir24_8 = {.nh_sz = (enum rte_fib_dir24_8_nh_sz)
					    nh_size_for(t4 + 1),
				    .num_tbl8 = t4 + 1},
		};

		snprintf(name, sizeof(name), "wwblk4_%" PRIu64, ++name_seq);
		s->v4 = rte_fib_create(name, b->socket, &fc);
		if (s->v4 == NULL)
			goto nomem;
	}
	if (v6 > 0) {
		struct rte_fib6_conf fc = {
			.type = RTE_FIB6_TRIE,
			.default_nh = WW_BLOCK_NONE,
			.max_routes = (int)v6,
			.trie = {.nh_sz = nh_size_for(t6 + 1) <= 1
						  ? RTE_FIB6_TRIE_2B
						  : RTE_FIB6_TRIE_4B,
				 .num_tbl8 = t6 + 1},
		};

		snprintf(name, sizeof(name), "wwblk6_%" PRIu64, ++name_seq);
		s->v6 = rte_fib6_create(name, b->socket, &fc);
		if (s->v6 == NULL)
			goto nomem;
	}
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		for (i = 0; i < n_listed && rc == 0; i++)
			if ((listed[i].match == WW_BLOCK_EXCEPT) == (pass == 1))
				rc = add_rule(s, &listed[i]);
		for (i = 0; pass == 0 && i < b->n_dynamic && rc == 0; i++)
			rc = add_rule(s, &b->dynamic[i]);
	}
	if (rc < 0) {
		ww_errf(err, err_len, "cannot build the block set: %s",
			strerror(-rc));
		free_set(s);
		return rc;
	}
	*out = s;
	return 0;
nomem:
	ww_errf(err, err_len,
		"no memory for the block set (%u IPv4, %u IPv6 prefixes): give EAL more memory",
		v4, v6);
	free_set(s);
	return -ENOMEM;
}

/* Put @s in force; free the old set once no worker can see it. @return
 * 0, or -errno when the publisher could not (@s is then freed, the old
 * set stays). */
static int publish(struct ww_block *b, struct ww_block_set *s)
{
	struct ww_block_set *old = b->set;

	if (b->publish_fn != NULL) {
		int rc = b->publish_fn(b->publish_arg, s); /* waits */

		if (rc < 0) {
			free_set(s);
			return rc;
		}
		b->set = s;
	} else {
		__atomic_store_n(&b->set, s, __ATOMIC_RELEASE);
		if (b->qsbr != NULL)
			rte_rcu_qsbr_synchronize(b->qsbr,
						 RTE_QSBR_THRID_INVALID);
	}
	b->generation++;
	free_set(old);
	b->dirty = false;
	return 0;
}

struct ww_block *ww_block_create(const struct ww_conf *conf,
				 struct rte_rcu_qsbr *qsbr, int socket,
				 char *err, size_t err_len)
{
	struct ww_block *b = calloc(1, sizeof(*b));
	struct ww_block_set *s;

	if (b == NULL) {
		ww_errf(err, err_len, "out of memory");
		return NULL;
	}
	b->qsbr = qsbr;
	b->socket = socket;
	b->dynamic_max = conf->block_dynamic_max;
	if (b->dynamic_max > 0) {
		b->dynamic = calloc(b->dynamic_max, sizeof(*b->dynamic));
		if (b->dynamic == NULL) {
			ww_errf(err, err_len,
				"no memory for %u dynamic block entries",
				b->dynamic_max);
			free(b);
			return NULL;
		}
	}
	if (load_files(conf, &b->listed, &b->n_listed, err, err_len) < 0 ||
	    build_set(b, b->listed, b->n_listed, &s, err, err_len) < 0) {
		ww_block_destroy(b);
		return NULL;
	}
	publish(b, s);
	return b;
}

void ww_block_set_publisher(struct ww_block *b, ww_block_publish_fn fn,
			    void *arg)
{
	b->publish_fn = fn;
	b->publish_arg = arg;
}

void ww_block_destroy(struct ww_block *b)
{
	if (b == NULL)
		return;
	free_set(b->set);
	free(b->listed);
	free(b->dynamic);
	free(b);
}

int ww_block_reload(struct ww_block *b, const struct ww_conf *conf, char *err,
		    size_t err_len)
{
	struct ww_block_rule *rules;
	struct ww_block_set *s;
	uint32_t n;
	int rc;

	rc = load_files(conf, &rules, &n, err, err_len);
	if (rc < 0)
		return rc;
	rc = build_set(b, rules, n, &s, err, err_len);
	if (rc < 0) {
		free(rules);
		return rc;
	}
	free(b->listed);
	b->listed = rules;
	b->n_listed = n;
	rc = publish(b, s);
	if (rc < 0) {
		b->dirty = true; /* the next commit tries again */
		ww_errf(err, err_len,
			"no memory to put the new set in force: %s",
			strerror(-rc));
	}
	return rc;
}

static bool cidr_equal(const struct ww_cidr *a, const struct ww_cidr *b)
{
	return a->family == b->family && a->prefix_len == b->prefix_len &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

int ww_block_add_kind(struct ww_block *b, const struct ww_cidr *cidr,
		      uint8_t match, uint64_t expires_ns, char *err,
		      size_t err_len)
{
	uint32_t i;

	if (match != WW_BLOCK_DYNAMIC && match != WW_BLOCK_THROTTLE) {
		ww_errf(err, err_len, "not a dynamic entry kind: %u", match);
		return -EINVAL;
	}
	/* Exceptions protect what must never be blocked automatically
	 * (monitoring, the cluster's own nodes): a run-time block inside
	 * one is refused rather than silently shadowed. */
	for (i = 0; i < b->n_listed; i++) {
		const struct ww_cidr *e = &b->listed[i].cidr;

		if (b->listed[i].match == WW_BLOCK_EXCEPT &&
		    e->prefix_len <= cidr->prefix_len &&
		    ww_cidr_contains(e, cidr->family, cidr->addr)) {
			ww_errf(err, err_len,
				"inside exception entry %u of the block lists",
				i + 1);
			return -EPERM;
		}
		if (match == WW_BLOCK_THROTTLE &&
		    b->listed[i].match == WW_BLOCK_LISTED &&
		    e->prefix_len <= cidr->prefix_len &&
		    ww_cidr_contains(e, cidr->family, cidr->addr)) {
			ww_errf(err, err_len,
				"blocked already by entry %u of the block lists",
				i + 1);
			return -EEXIST;
		}
	}
	for (i = 0; i < b->n_dynamic; i++) {
		struct ww_block_rule *r = &b->dynamic[i];

		if (match == WW_BLOCK_THROTTLE &&
		    r->match == WW_BLOCK_DYNAMIC &&
		    r->cidr.prefix_len <= cidr->prefix_len &&
		    ww_cidr_contains(&r->cidr, cidr->family, cidr->addr)) {
			ww_errf(err, err_len,
				"blocked already (dynamic entry)");
			return -EEXIST;
		}
	}
	for (i = 0; i < b->n_dynamic; i++) {
		struct ww_block_rule *r = &b->dynamic[i];

		if (cidr_equal(&r->cidr, cidr)) {
			if (r->match != match)
				b->dirty = true;
			r->match = match;
			r->expires_ns = expires_ns;
			return 0;
		}
	}
	if (b->n_dynamic >= b->dynamic_max) {
		b->dynamic_refused++;
		ww_errf(err, err_len,
			"%u dynamic entries already ([block] dynamic_max)",
			b->dynamic_max);
		return -ENOSPC;
	}
	b->dynamic[b->n_dynamic++] = (struct ww_block_rule){
		.cidr = *cidr,
		.match = match,
		.expires_ns = expires_ns,
	};
	b->dirty = true;
	return 0;
}

int ww_block_add(struct ww_block *b, const struct ww_cidr *cidr,
		 uint64_t expires_ns, char *err, size_t err_len)
{
	return ww_block_add_kind(b, cidr, WW_BLOCK_DYNAMIC, expires_ns, err,
				 err_len);
}

int ww_block_remove(struct ww_block *b, const struct ww_cidr *cidr)
{
	uint32_t i;

	for (i = 0; i < b->n_dynamic; i++) {
		if (cidr_equal(&b->dynamic[i].cidr, cidr)) {
			b->dynamic[i] = b->dynamic[--b->n_dynamic];
			b->dirty = true;
			return 0;
		}
	}
	return -ENOENT;
}

uint32_t ww_block_expire(struct ww_block *b, uint64_t now_ns)
{
	uint32_t i = 0, gone = 0;

	while (i < b->n_dynamic) {
		uint64_t t = b->dynamic[i].expires_ns;

		if (t != 0 && t <= now_ns) {
			b->dynamic[i] = b->dynamic[--b->n_dynamic];
			gone++;
		} else {
			i++;
		}
	}
	if (gone > 0)
		b->dirty = true;
	return gone;
}

int ww_block_commit(struct ww_block *b, char *err, size_t err_len)
{
	struct ww_block_set *s;
	int rc;

	if (!b->dirty)
		return 0;
	rc = build_set(b, b->listed, b->n_listed, &s, err, err_len);
	if (rc < 0)
		return rc;
	rc = publish(b, s);
	if (rc < 0)
		ww_errf(err, err_len,
			"no memory to put the new set in force: %s",
			strerror(-rc));
	return rc;
}
