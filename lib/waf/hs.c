/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hyperscan for the rule engine. Rules are grouped by transformation
 * chain; each chain's @rx patterns are compiled into one database in
 * prefilter mode, so one scan of a transformed value answers every @rx
 * rule of that chain at once: a miss is final, a hit is confirmed with
 * the rule's PCRE2 code (prefiltering may over-approximate lookarounds
 * and back-references). A pattern Hyperscan refuses even as a prefilter
 * stays PCRE2-only, counted. @pm phrase lists get a literal database
 * each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "waf_int.h"
#include "ww_conf.h"

/* The chain of transformations @tfn[0..n), registered with each of its
 * prefixes: a value transformed by "urlDecodeUni,lowercase" reuses what
 * "urlDecodeUni" already made of it in this request. */
static int chain_for(struct ww_waf *w, const uint8_t *tfn, unsigned int n)
{
	unsigned int i;
	int parent = -1;

	for (i = 0; i < w->n_chains; i++)
		if (w->chains[i].n_tfn == n &&
		    memcmp(w->chains[i].tfn, tfn, n) == 0)
			return (int)i;
	if (n > 0) {
		parent = chain_for(w, tfn, n - 1);
		if (parent < 0)
			return -1;
	}
	if (w->n_chains == WAF_MAX_CHAINS)
		return -1;
	i = w->n_chains++;
	memcpy(w->chains[i].tfn, tfn, n);
	w->chains[i].n_tfn = n;
	w->chains[i].parent = parent;
	return (int)i;
}

static int chain_of(struct ww_waf *w, const struct waf_rule *r)
{
	return chain_for(w, r->tfn, r->n_tfn);
}

/* "(?i)abc" -> "abc" with HS_FLAG_CASELESS: Hyperscan takes flags, not
 * a leading inline option. */
static const char *strip_caseless(const char *p, unsigned int *flags)
{
	if (strncmp(p, "(?i)", 4) == 0) {
		*flags |= HS_FLAG_CASELESS;
		return p + 4;
	}
	return p;
}

/* Are all of @r's targets fixed for the request (the values
 * waf_rule_may_match() scans)? */
static bool static_targets(const struct waf_rule *r)
{
	unsigned int i;

	for (i = 0; i < r->n_targets; i++) {
		const struct waf_target *t = &r->targets[i];

		if (t->exclude)
			continue;
		if (t->count)
			return false;
		switch (t->var) {
		case V_ARGS:
		case V_ARGS_GET:
		case V_ARGS_POST:
		case V_ARGS_NAMES:
		case V_ARGS_GET_NAMES:
		case V_ARGS_POST_NAMES:
		case V_REQUEST_HEADERS:
		case V_REQUEST_HEADERS_NAMES:
		case V_REQUEST_COOKIES:
		case V_REQUEST_COOKIES_NAMES:
		case V_REQUEST_URI:
		case V_REQUEST_URI_RAW:
		case V_REQUEST_FILENAME:
		case V_REQUEST_BASENAME:
		case V_REQUEST_LINE:
		case V_REQUEST_METHOD:
		case V_REQUEST_PROTOCOL:
		case V_QUERY_STRING:
		case V_REQUEST_BODY:
		case V_FILES:
		case V_FILES_NAMES:
		case V_MULTIPART_PART_HEADERS:
		case V_XML:
			break;
		default:
			return false;
		}
	}
	return true;
}

static int build_chain(struct ww_waf *w, unsigned int ci, char *err,
		       size_t err_len)
{
	struct waf_rule **rules = NULL;
	const char **expr = NULL;
	unsigned int *flags = NULL, *ids = NULL, n = 0, i, k;
	hs_compile_error_t *ce = NULL;
	int rc = 0;

	for (i = 0; i < w->n_all; i++) {
		struct waf_rule *r = &w->all[i];

		if (r->marker || r->chain != (int)ci || r->op != OP_RX ||
		    r->re == NULL)
			continue;
		rules = realloc(rules, sizeof(*rules) * (n + 1));
		rules[n++] = r;
	}
	if (n == 0)
		goto out;
	expr = calloc(n, sizeof(*expr));
	flags = calloc(n, sizeof(*flags));
	ids = calloc(n, sizeof(*ids));
	for (;;) {
		k = 0;
		for (i = 0; i < n; i++) {
			if (rules[i]->hs_id == -2)
				continue; /* refused before */
			flags[k] = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH |
				   HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY;
			expr[k] = strip_caseless(rules[i]->op_arg, &flags[k]);
			ids[k] = i;
			k++;
		}
		if (k == 0)
			break;
		if (hs_compile_multi(expr, flags, ids, k, HS_MODE_BLOCK, NULL,
				     &w->chains[ci].db, &ce) == HS_SUCCESS)
			break;
		if (ce->expression < 0) {
			ww_errf(err, err_len, "Hyperscan: %s", ce->message);
			hs_free_compile_error(ce);
			rc = -EINVAL;
			goto out;
		}
		/* That pattern stays PCRE2-only; the rest are tried again. */
		rules[ids[ce->expression]]->hs_id = -2;
		w->n_pcre_only++;
		hs_free_compile_error(ce);
		ce = NULL;
	}
	for (i = 0; i < n; i++) {
		if (rules[i]->hs_id == -2) {
			rules[i]->hs_id = -1;
			continue;
		}
		rules[i]->hs_id = (int)i;
		rules[i]->skippable =
			static_targets(rules[i]) && !rules[i]->op_negated;
		if (rules[i]->skippable)
			for (k = 0; k < rules[i]->n_targets; k++)
				if (!rules[i]->targets[k].exclude)
					w->chains[ci].vars |=
						1ull
						<< rules[i]->targets[k].var;
		w->n_hs_patterns++;
	}
	w->chains[ci].n_patterns = n;
	if (w->chains[ci].db != NULL) {
		size_t sz = 0;

		hs_database_size(w->chains[ci].db, &sz);
		w->hs_bytes += sz;
	}
out:
	free(rules);
	free(expr);
	free(flags);
	free(ids);
	return rc;
}

static int build_pm(struct ww_waf *w, struct waf_rule *r, char *err,
		    size_t err_len)
{
	unsigned int *flags = calloc(r->n_phrases, sizeof(*flags));
	unsigned int *ids = calloc(r->n_phrases, sizeof(*ids));
	size_t *lens = calloc(r->n_phrases, sizeof(*lens));
	hs_compile_error_t *ce = NULL;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < r->n_phrases; i++) {
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
		ids[i] = i;
		lens[i] = strlen(r->phrases[i]);
	}
	if (hs_compile_lit_multi((const char *const *)r->phrases, flags, ids,
				 lens, r->n_phrases, HS_MODE_BLOCK, NULL,
				 &r->pm_db, &ce) != HS_SUCCESS) {
		ww_errf(err, err_len, "%s:%u: @pm: %s", r->file, r->line,
			ce ? ce->message : "Hyperscan");
		hs_free_compile_error(ce);
		rc = -EINVAL;
	} else {
		size_t sz = 0;

		hs_database_size(r->pm_db, &sz);
		w->hs_bytes += sz;
	}
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

int waf_hs_build(struct ww_waf *w, char *err, size_t err_len)
{
	struct timespec t0, t1;
	unsigned int i;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < w->n_all; i++) {
		struct waf_rule *r = &w->all[i];

		r->hs_id = -1;
		r->chain = r->marker ? -1 : chain_of(w, r);
		if (!r->marker && r->chain < 0) {
			ww_errf(err, err_len,
				"%s:%u: more than %d transformation chains",
				r->file, r->line, WAF_MAX_CHAINS);
			return -EINVAL;
		}
		if (r->op == OP_PM && r->n_phrases > 0 && rc == 0)
			rc = build_pm(w, r, err, err_len);
	}
	for (i = 0; i < w->n_chains && rc == 0; i++)
		rc = build_chain(w, i, err, err_len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	w->compile_s = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

void waf_hs_free(struct ww_waf *w)
{
	unsigned int i;

	for (i = 0; i < w->n_chains; i++)
		hs_free_database(w->chains[i].db);
	for (i = 0; i < w->n_all; i++)
		hs_free_database(w->all[i].pm_db);
}

/* ---- Per request ---- */

static struct waf_cache_entry *lookup(struct ww_waf_ctx *c, const char *v,
				      uint32_t n, uint16_t chain)
{
	uint64_t h = ((uintptr_t)v * 0x9e3779b97f4a7c15ull) ^ n ^
		     ((uint64_t)chain << 40);
	uint32_t i = (uint32_t)(h >> 32) & c->cache_mask, probes;

	for (probes = 0; probes <= c->cache_mask;
	     probes++, i = (i + 1) & c->cache_mask) {
		struct waf_cache_entry *e = &c->cache[i];

		if (e->gen != c->gen) {
			memset(e, 0, sizeof(*e));
			e->gen = c->gen;
			e->src = v;
			e->src_len = n;
			e->chain = chain;
			return e;
		}
		if (e->src == v && e->src_len == n && e->chain == chain)
			return e;
	}
	return NULL; /* full: the caller computes without caching */
}

/* @v through chain @ci: its parent's (cached) result, then the last
 * transformation. */
static uint32_t transform_chain(struct ww_waf_ctx *c, int ci, const char *v,
				uint32_t n, const char **out,
				struct waf_cache_entry **entry)
{
	const struct waf_chain *ch = &c->w->chains[ci];
	struct waf_cache_entry *e = lookup(c, v, n, (uint16_t)ci), *pe;
	const char *pv = v;
	uint32_t pn = n;

	*entry = e;
	if (e != NULL && e->out != NULL) {
		*out = e->out;
		return e->out_len;
	}
	if (ch->n_tfn > 0) {
		if (ch->parent >= 0)
			pn = transform_chain(c, ch->parent, v, n, &pv, &pe);
		pn = waf_tfn_apply(c, (enum waf_tfn)ch->tfn[ch->n_tfn - 1], pv,
				   pn, &pv);
		c->n_tfn++;
	}
	if (e != NULL) {
		e->out = pv;
		e->out_len = pn;
	}
	*out = pv;
	return pn;
}

uint32_t waf_transform(struct ww_waf_ctx *c, const struct waf_rule *r,
		       const char *v, uint32_t n, const char **out,
		       struct waf_cache_entry **entry)
{
	unsigned int i;

	if (r->chain >= 0)
		return transform_chain(c, r->chain, v, n, out, entry);
	*entry = NULL;
	for (i = 0; i < r->n_tfn; i++)
		n = waf_tfn_apply(c, (enum waf_tfn)r->tfn[i], v, n, &v);
	*out = v;
	return n;
}

static int on_hit(unsigned int id, unsigned long long from,
		  unsigned long long to, unsigned int flags, void *ctx)
{
	uint64_t *bits = ctx;

	(void)from;
	(void)to;
	(void)flags;
	bits[id / 64] |= 1ull << (id % 64);
	return 0;
}

bool waf_hs_may_match(struct ww_waf_ctx *c, const struct waf_rule *r,
		      struct waf_cache_entry *e, const char *v, uint32_t n)
{
	const struct waf_chain *ch = &c->w->chains[r->chain];
	const size_t words = (ch->n_patterns + 63) / 64;

	if (r->hs_id < 0 || ch->db == NULL)
		return true; /* PCRE2 decides */
	if (e == NULL || !e->scanned) {
		uint64_t *bits = (uint64_t *)waf_alloc(c, words * 8);

		if (bits == NULL)
			return true;
		memset(bits, 0, words * 8);
		c->n_scans++;
		if (hs_scan(ch->db, v, n, 0, c->scratch, on_hit, bits) !=
		    HS_SUCCESS)
			return true;
		if (e == NULL)
			return (bits[r->hs_id / 64] >> (r->hs_id % 64)) & 1;
		e->hits = bits;
		e->scanned = 1;
	}
	return (e->hits[r->hs_id / 64] >> (r->hs_id % 64)) & 1;
}

static void union_value(struct ww_waf_ctx *c, const struct waf_rule *r,
			const char *v, uint32_t n, uint64_t *acc, size_t words)
{
	struct waf_cache_entry *e;
	const char *t;
	uint32_t tn = waf_transform(c, r, v, n, &t, &e);
	size_t k;

	if (e == NULL || !e->scanned)
		waf_hs_may_match(c, r, e, t, tn); /* scans, fills e->hits */
	if (e != NULL && e->scanned) {
		for (k = 0; k < words; k++)
			acc[k] |= e->hits[k];
	} else {
		for (k = 0; k < words; k++)
			acc[k] = ~0ull; /* no cache room: assume anything */
	}
}

/* Values and/or names of @col into the union, as the chain's rules read
 * them (a header's name is scanned only if some rule reads names). */
static void union_coll(struct ww_waf_ctx *c, const struct waf_rule *r,
		       const struct waf_coll *col, bool values, bool names,
		       uint64_t *acc, size_t words)
{
	unsigned int i;

	for (i = 0; i < col->n; i++) {
		if (values)
			union_value(c, r, col->kv[i].value, col->kv[i].vlen,
				    acc, words);
		if (names)
			union_value(c, r, col->kv[i].name, col->kv[i].nlen, acc,
				    words);
	}
}

#define V(x) (1ull << V_##x)

bool waf_rule_may_match(struct ww_waf_ctx *c, const struct waf_rule *r)
{
	static const uint8_t scalars[] = {
		V_REQUEST_URI,	    V_REQUEST_URI_RAW,
		V_REQUEST_FILENAME, V_REQUEST_BASENAME,
		V_REQUEST_LINE,	    V_REQUEST_METHOD,
		V_REQUEST_PROTOCOL, V_QUERY_STRING,
		V_REQUEST_BODY,	    V_XML,
	};
	const struct waf_chain *ch;
	uint64_t *acc;
	size_t words;
	unsigned int i;

	if (!r->skippable || r->chain < 0 || c->w->chains[r->chain].db == NULL)
		return true;
	ch = &c->w->chains[r->chain];
	words = (ch->n_patterns + 63) / 64;
	acc = c->chain_union[r->chain];
	if (c->chain_union_gen[r->chain] != c->gen || acc == NULL) {
		/* First rule of this chain in this request: every request
		 * value, transformed by the chain, scanned once. */
		acc = (uint64_t *)waf_alloc(c, words * 8);
		if (acc == NULL)
			return true;
		memset(acc, 0, words * 8);
		/* Only what the chain's skippable rules read. */
		{
			const uint64_t v = ch->vars;

			union_coll(c, r, &c->args_get,
				   v & (V(ARGS) | V(ARGS_GET)),
				   v & (V(ARGS_NAMES) | V(ARGS_GET_NAMES)), acc,
				   words);
			union_coll(c, r, &c->args_post,
				   v & (V(ARGS) | V(ARGS_POST)),
				   v & (V(ARGS_NAMES) | V(ARGS_POST_NAMES)),
				   acc, words);
			union_coll(c, r, &c->headers, v & V(REQUEST_HEADERS),
				   v & V(REQUEST_HEADERS_NAMES), acc, words);
			union_coll(c, r, &c->cookies, v & V(REQUEST_COOKIES),
				   v & V(REQUEST_COOKIES_NAMES), acc, words);
			union_coll(c, r, &c->files, v & V(FILES),
				   v & V(FILES_NAMES), acc, words);
			union_coll(c, r, &c->part_headers,
				   v & V(MULTIPART_PART_HEADERS), false, acc,
				   words);
			union_coll(c, r, &c->xml_attrs, v & V(XML), false, acc,
				   words);
		}
		for (i = 0; i < sizeof(scalars); i++)
			if ((ch->vars & (1ull << scalars[i])) &&
			    c->scalar_set[scalars[i]])
				union_value(c, r, c->scalar[scalars[i]],
					    c->scalar_len[scalars[i]], acc,
					    words);
		c->chain_union[r->chain] = acc;
		c->chain_union_gen[r->chain] = c->gen;
	}
	return (acc[r->hs_id / 64] >> (r->hs_id % 64)) & 1;
}

static int on_any(unsigned int id, unsigned long long from,
		  unsigned long long to, unsigned int flags, void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	*(bool *)ctx = true;
	return 1; /* stop: one phrase is enough */
}

bool waf_pm_match(struct ww_waf_ctx *c, const struct waf_rule *r, const char *v,
		  uint32_t n)
{
	bool hit = false;

	if (r->pm_db == NULL)
		return false;
	hs_scan(r->pm_db, v, n, 0, c->scratch, on_any, &hit);
	return hit;
}
