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

#define BIT(s) (1ull << (s))

/* The sources (enum waf_src) target @t reads; @keyed: it selects one
 * element of a collection by name. */
static uint64_t target_sources(const struct waf_target *t, bool *keyed)
{
	const bool by_name = t->key != NULL && t->key_re == NULL;

	*keyed = false;
	if (t->count)
		return BIT(SRC_DYNAMIC);
	switch (t->var) {
	case V_ARGS:
		*keyed = by_name;
		return BIT(SRC_ARGS_GET) | BIT(SRC_ARGS_POST);
	case V_ARGS_GET:
		*keyed = by_name;
		return BIT(SRC_ARGS_GET);
	case V_ARGS_POST:
		*keyed = by_name;
		return BIT(SRC_ARGS_POST);
	case V_ARGS_NAMES:
		*keyed = by_name;
		return BIT(SRC_ARGS_GET_NAMES) | BIT(SRC_ARGS_POST_NAMES);
	case V_ARGS_GET_NAMES:
		*keyed = by_name;
		return BIT(SRC_ARGS_GET_NAMES);
	case V_ARGS_POST_NAMES:
		*keyed = by_name;
		return BIT(SRC_ARGS_POST_NAMES);
	case V_REQUEST_HEADERS:
		*keyed = by_name;
		return BIT(SRC_HEADERS);
	case V_REQUEST_HEADERS_NAMES:
		*keyed = by_name;
		return BIT(SRC_HEADERS_NAMES);
	case V_REQUEST_COOKIES:
		*keyed = by_name;
		return BIT(SRC_COOKIES);
	case V_REQUEST_COOKIES_NAMES:
		*keyed = by_name;
		return BIT(SRC_COOKIES_NAMES);
	case V_FILES:
		return BIT(SRC_FILES);
	case V_FILES_NAMES:
		return BIT(SRC_FILES_NAMES);
	case V_MULTIPART_PART_HEADERS:
		return BIT(SRC_PART_HEADERS);
	case V_XML:
		return t->key != NULL && strncmp(t->key, "//@", 3) == 0
			       ? BIT(SRC_XML_ATTRS)
			       : BIT(SRC_SCALAR + V_XML);
	case V_TX:
	case V_MATCHED_VAR:
	case V_MATCHED_VARS:
	case V_MATCHED_VAR_NAME:
	case V_MATCHED_VARS_NAMES:
	case V_FILES_SIZES:
		return BIT(SRC_DYNAMIC);
	default:
		if (waf_var_persistent(t->var))
			return 0; /* never hold a value here */
		return BIT(SRC_SCALAR + t->var);
	}
}

/* What one chain's databases are built from: its @rx rules, the
 * pattern sets compiled so far (a set shared by several sources is
 * compiled once), and the patterns Hyperscan refused. */
struct chain_build {
	struct ww_waf *w;
	struct waf_rule **rules;
	unsigned int n, words;
	/* @pm rules' phrases as escaped literals (NULL for @rx rules), and
	 * the expressions of all rules together. */
	char ***phrases;
	unsigned int n_expr;
	bool *refused;
	uint64_t *sets; /* n_sets x words */
	struct waf_db **set_dbs;
	uint32_t *min_width; /* per rule */
	unsigned int n_sets;
};

/* Phrase @p as a regex that matches exactly it: every byte but letters
 * and digits as \xHH. */
static char *literal_regex(const char *p)
{
	static const char hex[] = "0123456789abcdef";
	char *o = malloc(strlen(p) * 4 + 1), *q = o;

	if (o == NULL)
		return NULL;
	for (; *p; p++) {
		const unsigned char ch = (unsigned char)*p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9')) {
			*q++ = (char)ch;
		} else {
			*q++ = '\\';
			*q++ = 'x';
			*q++ = hex[ch >> 4];
			*q++ = hex[ch & 15];
		}
	}
	*q = '\0';
	return o;
}

/* The shortest value @r's pattern can hit (0 when unknown). */
static uint32_t min_width(const struct waf_rule *r)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *ce = NULL;
	unsigned int flags = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH |
			     HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY;
	uint32_t w = UINT32_MAX, p;
	const char *expr;

	if (r->op == OP_PM) {
		for (p = 0; p < r->n_phrases; p++)
			if (strlen(r->phrases[p]) < w)
				w = (uint32_t)strlen(r->phrases[p]);
		return w == UINT32_MAX ? 0 : w;
	}
	expr = strip_caseless(r->op_arg, &flags);
	if (hs_expression_info(expr, flags, &info, &ce) != HS_SUCCESS) {
		hs_free_compile_error(ce);
		return 0;
	}
	w = info->min_width;
	free(info); /* allocated with Hyperscan's default (malloc) */
	return w;
}

static int compile_set(struct chain_build *b, const uint64_t *set,
		       struct waf_db **out, char *err, size_t err_len)
{
	hs_database_t *hsdb = NULL, **db = &hsdb;
	uint32_t min_width = UINT32_MAX;
	const char **expr = calloc(b->n_expr, sizeof(*expr));
	unsigned int *flags = calloc(b->n_expr, sizeof(*flags));
	unsigned int *ids = calloc(b->n_expr, sizeof(*ids));
	struct waf_hs_error he;
	unsigned int i, k;
	int rc = 0;

	*out = NULL;
	if (expr == NULL || flags == NULL || ids == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		k = 0;
		for (i = 0; i < b->n; i++) {
			const struct waf_rule *r = b->rules[i];
			unsigned int p;

			if (!((set[i / 64] >> (i % 64)) & 1) || b->refused[i])
				continue;
			if (r->op == OP_PM) {
				/* Exact: a hit is a match, no confirmation. */
				for (p = 0; p < r->n_phrases; p++) {
					flags[k] = HS_FLAG_CASELESS |
						   HS_FLAG_SINGLEMATCH;
					expr[k] = b->phrases[i][p];
					ids[k++] = i;
				}
				continue;
			}
			flags[k] = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH |
				   HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY;
			expr[k] = strip_caseless(r->op_arg, &flags[k]);
			ids[k] = i; /* the pattern's bit in the chain's hits */
			k++;
		}
		if (k == 0)
			break;
		rc = waf_hs_compile(b->w, expr, flags, ids, NULL, k, db, &he);
		if (rc == 0)
			break;
		if (rc == -EAGAIN) /* not in the cache (cache_only) */
			goto out;
		if (he.expression < 0 || (unsigned int)he.expression >= k) {
			ww_errf(err, err_len, "Hyperscan: %s", he.message);
			rc = -EINVAL;
			goto out;
		}
		/* That pattern stays PCRE2-only; the rest are tried again. */
		b->refused[ids[he.expression]] = true;
		b->w->n_pcre_only++;
		rc = 0;
	}
	if (*db != NULL) {
		size_t sz = 0;
		struct waf_db **dbs =
			realloc(b->w->dbs, sizeof(*dbs) * (b->w->n_dbs + 1));
		struct waf_db *d = malloc(sizeof(*d));

		if (dbs != NULL)
			b->w->dbs = dbs;
		if (dbs == NULL || d == NULL) {
			hs_free_database(*db);
			free(d);
			rc = -ENOMEM;
			goto out;
		}
		for (i = 0; i < b->n; i++)
			if (((set[i / 64] >> (i % 64)) & 1) && !b->refused[i] &&
			    b->min_width[i] < min_width)
				min_width = b->min_width[i];
		d->hs = *db;
		d->min_width = min_width;
		dbs[b->w->n_dbs++] = d;
		*out = d;
		hs_database_size(*db, &sz);
		b->w->hs_bytes += sz;
	}
out:
	free(expr);
	free(flags);
	free(ids);
	return rc;
}

/* The database of pattern set @set (NULL when empty), compiled once. */
static int db_of_set(struct chain_build *b, const uint64_t *set,
		     struct waf_db **db, char *err, size_t err_len)
{
	unsigned int i, k;
	bool empty = true;
	uint64_t *sets;
	struct waf_db **dbs;
	int rc;

	*db = NULL;
	for (k = 0; k < b->words; k++)
		empty &= set[k] == 0;
	if (empty)
		return 0;
	for (i = 0; i < b->n_sets; i++)
		if (memcmp(&b->sets[i * b->words], set, b->words * 8) == 0) {
			*db = b->set_dbs[i];
			return 0;
		}
	rc = compile_set(b, set, db, err, err_len);
	if (rc < 0)
		return rc;
	sets = realloc(b->sets, (b->n_sets + 1) * b->words * 8);
	if (sets == NULL)
		return -ENOMEM;
	b->sets = sets;
	dbs = realloc(b->set_dbs, sizeof(*dbs) * (b->n_sets + 1));
	if (dbs == NULL)
		return -ENOMEM;
	b->set_dbs = dbs;
	memcpy(&sets[b->n_sets * b->words], set, b->words * 8);
	dbs[b->n_sets++] = *db;
	return 0;
}

/* Per source: the patterns of rules reading it whole (@whole, words
 * each) and the keys some rule selects, with their rules' patterns. */
struct keyed_set {
	unsigned int slot; /* band * SRC_MAX + source */
	const char *key;
	uint32_t key_len;
	uint64_t *set;
};

static int build_chain(struct ww_waf *w, unsigned int ci, char *err,
		       size_t err_len)
{
	struct waf_chain *ch = &w->chains[ci];
	struct chain_build b = {.w = w};
	uint64_t *whole = NULL, *set = NULL;
	struct keyed_set *ks = NULL;
	unsigned int n_ks = 0, i, k, s;
	int rc = 0;

	for (i = 0; i < w->n_all; i++) {
		struct waf_rule *r = &w->all[i];

		if (r->marker || r->chain != (int)ci ||
		    !((r->op == OP_RX && r->re != NULL) ||
		      (r->op == OP_PM && r->pm_db != NULL)))
			continue;
		struct waf_rule **more =
			realloc(b.rules, sizeof(*b.rules) * (b.n + 1));

		if (more == NULL) {
			free(b.rules);
			return -ENOMEM;
		}
		b.rules = more;
		b.rules[b.n++] = r;
	}
	ch->n_patterns = b.n;
	if (b.n == 0)
		goto out;
	b.words = (b.n + 63) / 64;
	b.refused = calloc(b.n, sizeof(*b.refused));
	b.phrases = calloc(b.n, sizeof(*b.phrases));
	b.min_width = calloc(b.n, sizeof(*b.min_width));
	if (b.phrases == NULL || b.min_width == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < b.n; i++) {
		const struct waf_rule *r = b.rules[i];

		b.min_width[i] = min_width(r);
		if (r->op != OP_PM) {
			b.n_expr++;
			continue;
		}
		b.phrases[i] = calloc(r->n_phrases, sizeof(char *));
		if (b.phrases[i] == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (k = 0; k < r->n_phrases; k++)
			if ((b.phrases[i][k] = literal_regex(r->phrases[k])) ==
			    NULL) {
				rc = -ENOMEM;
				goto out;
			}
		b.n_expr += r->n_phrases;
	}
	whole = calloc((size_t)WAF_BANDS * SRC_MAX * b.words, 8);
	ch->src = calloc((size_t)WAF_BANDS * SRC_MAX, sizeof(*ch->src));
	set = calloc(b.words, 8);
	if (b.refused == NULL || whole == NULL || set == NULL ||
	    ch->src == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < b.n; i++) {
		const struct waf_rule *r = b.rules[i];

		for (k = 0; k < r->n_targets; k++) {
			const struct waf_target *t = &r->targets[k];
			bool keyed;
			uint64_t srcs;

			if (t->exclude)
				continue;
			srcs = target_sources(t, &keyed);
			for (s = 0; s < SRC_MAX; s++) {
				const unsigned int slot = r->band * SRC_MAX + s;
				unsigned int j;

				if (!((srcs >> s) & 1))
					continue;
				if (!keyed) {
					whole[slot * b.words + i / 64] |=
						1ull << (i % 64);
					continue;
				}
				for (j = 0; j < n_ks; j++)
					if (ks[j].slot == slot &&
					    ks[j].key_len == t->key_len &&
					    strncasecmp(ks[j].key, t->key,
							t->key_len) == 0)
						break;
				if (j == n_ks) {
					struct keyed_set *nk = realloc(
						ks, sizeof(*ks) * (n_ks + 1));

					if (nk == NULL) {
						rc = -ENOMEM;
						goto out;
					}
					ks = nk;
					ks[j].slot = slot;
					ks[j].key = t->key;
					ks[j].key_len = t->key_len;
					ks[j].set = calloc(b.words, 8);
					n_ks++;
					if (ks[j].set == NULL) {
						rc = -ENOMEM;
						goto out;
					}
				}
				ks[j].set[i / 64] |= 1ull << (i % 64);
			}
		}
	}
	for (s = 0; s < WAF_BANDS * SRC_MAX && rc == 0; s++)
		rc = db_of_set(&b, &whole[s * b.words], &ch->src[s].other, err,
			       err_len);
	for (i = 0; i < n_ks && rc == 0; i++) {
		struct waf_src_dbs *d = &ch->src[ks[i].slot];
		struct waf_keyed_db *kd =
			realloc(d->keyed, sizeof(*kd) * (d->n_keyed + 1));

		if (kd == NULL) {
			rc = -ENOMEM;
			break;
		}
		d->keyed = kd;
		kd = &kd[d->n_keyed++];
		kd->key = ks[i].key;
		kd->key_len = ks[i].key_len;
		for (k = 0; k < b.words; k++)
			set[k] = whole[ks[i].slot * b.words + k] | ks[i].set[k];
		rc = db_of_set(&b, set, &kd->db, err, err_len);
	}
	if (rc < 0)
		goto out;
	for (i = 0; i < b.n; i++) {
		struct waf_rule *r = b.rules[i];

		if (b.refused[i]) {
			r->hs_id = -1;
			continue;
		}
		r->hs_id = (int)i;
		if (r->op == OP_PM)
			w->n_hs_pm++;
		else
			w->n_hs_patterns++;
		r->skippable = static_targets(r) && !r->op_negated;
		if (r->skippable)
			for (k = 0; k < r->n_targets; k++) {
				bool keyed;

				if (!r->targets[k].exclude)
					ch->union_srcs[r->band] |=
						target_sources(&r->targets[k],
							       &keyed);
			}
	}
out:
	for (i = 0; i < n_ks; i++)
		free(ks[i].set);
	free(ks);
	free(whole);
	free(set);
	for (i = 0; b.phrases != NULL && i < b.n; i++) {
		for (k = 0; b.phrases[i] != NULL && k < b.rules[i]->n_phrases;
		     k++)
			free(b.phrases[i][k]);
		free(b.phrases[i]);
	}
	free(b.phrases);
	free(b.min_width);
	free(b.refused);
	free(b.rules);
	free(b.sets);
	free(b.set_dbs);
	return rc;
}

static int build_pm(struct ww_waf *w, struct waf_rule *r, char *err,
		    size_t err_len)
{
	unsigned int *flags = calloc(r->n_phrases, sizeof(*flags));
	unsigned int *ids = calloc(r->n_phrases, sizeof(*ids));
	size_t *lens = calloc(r->n_phrases, sizeof(*lens));
	struct waf_hs_error he;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < r->n_phrases; i++) {
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
		ids[i] = i;
		lens[i] = strlen(r->phrases[i]);
	}
	rc = waf_hs_compile(w, (const char *const *)r->phrases, flags, ids,
			    lens, r->n_phrases, &r->pm_db, &he);
	if (rc == -EINVAL) {
		ww_errf(err, err_len, "%s:%u: @pm: %s", r->file, r->line,
			he.message);
	} else if (rc == 0) {
		size_t sz = 0;

		hs_database_size(r->pm_db, &sz);
		w->hs_bytes += sz;
	}
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

/* The band of a chain head's paranoia tag, for all its links. */
static void set_band(struct waf_rule *head)
{
	struct waf_rule *r;
	unsigned int i, band = 0;

	for (i = 0; i < head->n_tags; i++)
		if (strncmp(head->tags[i], "paranoia-level/", 15) == 0 &&
		    head->tags[i][15] >= '1' &&
		    head->tags[i][15] < '1' + WAF_BANDS &&
		    head->tags[i][16] == '\0')
			band = (unsigned int)(head->tags[i][15] - '1');
	for (r = head; r != NULL; r = r->has_chain ? r->next : NULL)
		r->band = (uint8_t)band;
}

int waf_hs_build(struct ww_waf *w, char *err, size_t err_len)
{
	struct timespec t0, t1;
	unsigned int i;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < w->n_rules; i++)
		set_band(w->rules[i]);
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
	w->root_chain = -1;
	for (i = 0; i < w->n_chains; i++) {
		struct waf_chain *ch = &w->chains[i];
		unsigned int k;

		ch->triggers = 0;
		for (k = 0; k < ch->n_tfn; k++)
			ch->triggers |=
				waf_tfn_triggers((enum waf_tfn)ch->tfn[k]);
		if (ch->n_tfn == 0)
			w->root_chain = (int)i;
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
	unsigned int i, s;

	for (i = 0; i < w->n_dbs; i++) {
		hs_free_database(w->dbs[i]->hs);
		free(w->dbs[i]);
	}
	free(w->dbs);
	for (i = 0; i < w->n_chains; i++) {
		for (s = 0; s < WAF_BANDS * SRC_MAX && w->chains[i].src; s++)
			free(w->chains[i].src[s].keyed);
		free(w->chains[i].src);
	}
	for (i = 0; i < w->n_all; i++)
		hs_free_database(w->all[i].pm_db);
}

/* ---- Per request ---- */

static struct waf_cache_entry *lookup(struct ww_waf_ctx *c, const char *v,
				      uint32_t n, uint16_t chain)
{
	const uint64_t h =
		((uintptr_t)v ^ ((uint64_t)n << 32) ^ ((uint64_t)chain << 48)) *
		0x9e3779b97f4a7c15ull;
	uint32_t i = (uint32_t)(h >> 40) & (WAF_CACHE_INDEX - 1), probes;

	for (probes = 0; probes < 32;
	     probes++, i = (i + 1) & (WAF_CACHE_INDEX - 1)) {
		const uint16_t x = c->cache_index[i];
		struct waf_cache_entry *e;

		if (x == 0) {
			if (c->cache_used == c->cache_cap)
				return NULL; /* full: computed, not kept */
			e = &c->cache[c->cache_used++];
			memset(e, 0, sizeof(*e));
			e->src = v;
			e->src_len = n;
			e->chain = chain;
			c->cache_index[i] = (uint16_t)c->cache_used;
			return e;
		}
		e = &c->cache[x - 1];
		if (e->src == v && e->src_len == n && e->chain == chain)
			return e;
	}
	return NULL; /* a long run of collisions: computed, not kept */
}

#define CLASSES_UNKNOWN UINT32_MAX

/* @v through chain @ci: its parent's (cached) result, then the last
 * transformation; @classes: the byte classes of the result. @root: the
 * byte classes of @v itself when known (else CLASSES_UNKNOWN). */
static uint32_t transform_chain(struct ww_waf_ctx *c, int ci, const char *v,
				uint32_t n, uint32_t root, const char **out,
				uint32_t *classes,
				struct waf_cache_entry **entry)
{
	const struct waf_chain *ch = &c->w->chains[ci];
	struct waf_cache_entry *e = lookup(c, v, n, (uint16_t)ci), *pe;
	const char *pv = v;
	uint32_t pn = n, pc;

	*entry = e;
	if (e != NULL && e->out != NULL) {
		*out = e->out;
		*classes = e->out_classes;
		return e->out_len;
	}
	if (root == CLASSES_UNKNOWN && ch->n_tfn > 1 && c->w->root_chain >= 0)
		transform_chain(c, c->w->root_chain, v, n, CLASSES_UNKNOWN, &pv,
				&root, &pe);
	if (root != CLASSES_UNKNOWN && (root & ch->triggers) == 0) {
		/* A value none of the chain's transformations can change
		 * is its own result: no intermediate steps to look up. */
		pv = v;
		pc = root;
		goto done;
	}
	if (ch->n_tfn > 0 && ch->parent >= 0) {
		pn = transform_chain(c, ch->parent, v, n, root, &pv, &pc, &pe);
		pn = waf_tfn_apply_classes(c,
					   (enum waf_tfn)ch->tfn[ch->n_tfn - 1],
					   pv, pn, pc, &pv, &pc);
		c->n_tfn++;
	} else {
		/* the chain of no transformation */
		pc = waf_byte_classes(v, n);
	}
done:
	if (e != NULL) {
		e->out = pv;
		e->out_len = pn;
		e->out_classes = pc;
	}
	*out = pv;
	*classes = pc;
	return pn;
}

uint32_t waf_transform(struct ww_waf_ctx *c, const struct waf_rule *r,
		       const char *v, uint32_t n, const char **out,
		       struct waf_cache_entry **entry)
{
	unsigned int i;

	if (r->chain >= 0) {
		uint32_t classes;

		return transform_chain(c, r->chain, v, n, CLASSES_UNKNOWN, out,
				       &classes, entry);
	}
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

/* The database for a value of source @src, element @name. */
static const struct waf_db *db_for(const struct waf_chain *ch,
				   unsigned int band, uint8_t src,
				   const char *name, uint32_t nlen)
{
	const struct waf_src_dbs *d;
	unsigned int k;

	if (ch->src == NULL)
		return NULL;
	d = &ch->src[band * SRC_MAX + src];
	for (k = 0; k < d->n_keyed; k++)
		if (d->keyed[k].key_len == nlen &&
		    strncasecmp(d->keyed[k].key, name, nlen) == 0)
			return d->keyed[k].db;
	return d->other;
}

/* The chain's patterns that hit transformed value @v (of entry @e)
 * through database @db: scanned once per entry and database, hits
 * accumulate when one value is read from two sources. NULL: no answer
 * (treat as "anything"). */
static const uint64_t *scan(struct ww_waf_ctx *c, const struct waf_chain *ch,
			    struct waf_cache_entry *e, const struct waf_db *db,
			    unsigned int band, const char *v, uint32_t n)
{
	const size_t words = (ch->n_patterns + 63) / 64;
	uint64_t *bits;

	if (e != NULL && e->scanned[band] == db)
		return e->hits;
	bits = e != NULL ? e->hits : NULL;
	if (bits == NULL) {
		bits = (uint64_t *)waf_alloc(c, words * 8);
		if (bits == NULL)
			return NULL;
		memset(bits, 0, words * 8);
	}
	if (n < db->min_width) {
		c->n_short++; /* nothing in it can match so short a value */
	} else {
		c->n_scans++;
		if (hs_scan(db->hs, v, n, 0, c->scratch, on_hit, bits) !=
		    HS_SUCCESS)
			return NULL;
	}
	if (e != NULL) {
		e->hits = bits;
		e->scanned[band] = db;
	}
	return bits;
}

enum waf_hs_answer waf_hs_check(struct ww_waf_ctx *c, const struct waf_rule *r,
				struct waf_cache_entry *e, const char *v,
				uint32_t n, uint8_t src, const char *name,
				uint32_t nlen)
{
	const struct waf_chain *ch;
	const struct waf_db *db;
	const uint64_t *hits;

	if (r->hs_id < 0 || r->chain < 0)
		return WAF_HS_UNKNOWN; /* the operator decides */
	ch = &c->w->chains[r->chain];
	db = db_for(ch, r->band, src, name, nlen);
	if (db == NULL)
		return WAF_HS_UNKNOWN; /* not a source compiled for the rule */
	hits = scan(c, ch, e, db, r->band, v, n);
	if (hits == NULL)
		return WAF_HS_UNKNOWN;
	return (hits[r->hs_id / 64] >> (r->hs_id % 64)) & 1 ? WAF_HS_HIT
							    : WAF_HS_MISS;
}

/* Value @v of source @src, element @name, into the chain's union. */
static void union_value(struct ww_waf_ctx *c, const struct waf_rule *r,
			uint8_t src, const char *name, uint32_t nlen,
			const char *v, uint32_t n, uint64_t *acc)
{
	const struct waf_chain *ch = &c->w->chains[r->chain];
	const size_t words = (ch->n_patterns + 63) / 64;
	const struct waf_db *db = db_for(ch, r->band, src, name, nlen);
	struct waf_cache_entry *e;
	const uint64_t *hits;
	const char *t;
	uint32_t tn;
	size_t k;

	if (db == NULL)
		return; /* no rule of the chain reads it */
	tn = waf_transform(c, r, v, n, &t, &e);
	hits = scan(c, ch, e, db, r->band, t, tn);
	for (k = 0; k < words; k++)
		acc[k] |= hits != NULL ? hits[k] : ~0ull;
}

/* Values and/or names of @col into the union, as far as the chain's
 * skippable rules read them (sources @vsrc and @nsrc). */
static void union_coll(struct ww_waf_ctx *c, const struct waf_rule *r,
		       const struct waf_coll *col, unsigned int vsrc,
		       unsigned int nsrc, uint64_t *acc)
{
	const uint64_t want = c->w->chains[r->chain].union_srcs[r->band];
	unsigned int i;

	for (i = 0; i < col->n; i++) {
		const struct waf_kv *kv = &col->kv[i];

		if (vsrc < SRC_MAX && ((want >> vsrc) & 1))
			union_value(c, r, (uint8_t)vsrc, kv->name, kv->nlen,
				    kv->value, kv->vlen, acc);
		if (nsrc < SRC_MAX && ((want >> nsrc) & 1))
			union_value(c, r, (uint8_t)nsrc, kv->name, kv->nlen,
				    kv->name, kv->nlen, acc);
	}
}

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

	if (!r->skippable || r->chain < 0 || r->hs_id < 0)
		return true;
	ch = &c->w->chains[r->chain];
	words = (ch->n_patterns + 63) / 64;
	acc = c->chain_union[r->chain][r->band];
	if (c->chain_union_gen[r->chain][r->band] != c->gen || acc == NULL) {
		/* First rule of this chain in this request: every value its
		 * skippable rules read, transformed by the chain, scanned
		 * once against its source's database. */
		acc = (uint64_t *)waf_alloc(c, words * 8);
		if (acc == NULL)
			return true;
		memset(acc, 0, words * 8);
		union_coll(c, r, &c->args_get, SRC_ARGS_GET, SRC_ARGS_GET_NAMES,
			   acc);
		union_coll(c, r, &c->args_post, SRC_ARGS_POST,
			   SRC_ARGS_POST_NAMES, acc);
		union_coll(c, r, &c->headers, SRC_HEADERS, SRC_HEADERS_NAMES,
			   acc);
		union_coll(c, r, &c->cookies, SRC_COOKIES, SRC_COOKIES_NAMES,
			   acc);
		union_coll(c, r, &c->files, SRC_FILES, SRC_FILES_NAMES, acc);
		union_coll(c, r, &c->part_headers, SRC_PART_HEADERS, SRC_MAX,
			   acc);
		union_coll(c, r, &c->xml_attrs, SRC_XML_ATTRS, SRC_MAX, acc);
		for (i = 0; i < sizeof(scalars); i++) {
			const unsigned int s = SRC_SCALAR + scalars[i];

			if (((ch->union_srcs[r->band] >> s) & 1) &&
			    c->scalar_set[scalars[i]])
				union_value(c, r, (uint8_t)s, "", 0,
					    c->scalar[scalars[i]],
					    c->scalar_len[scalars[i]], acc);
		}
		c->chain_union[r->chain][r->band] = acc;
		c->chain_union_gen[r->chain][r->band] = c->gen;
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
