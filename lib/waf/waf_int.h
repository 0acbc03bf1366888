/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_WAF_INT_H
#define WW_WAF_INT_H

/* lib/waf internals: the compiled rule set and the evaluation context. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "ww_waf.h"

/* Variables (collections and scalars) a rule may name. */
enum waf_var {
	V_ARGS = 0,
	V_ARGS_GET,
	V_ARGS_POST,
	V_ARGS_NAMES,
	V_ARGS_GET_NAMES,
	V_ARGS_POST_NAMES,
	V_ARGS_COMBINED_SIZE,
	V_REQUEST_HEADERS,
	V_REQUEST_HEADERS_NAMES,
	V_REQUEST_COOKIES,
	V_REQUEST_COOKIES_NAMES,
	V_REQUEST_URI,
	V_REQUEST_URI_RAW,
	V_REQUEST_FILENAME,
	V_REQUEST_BASENAME,
	V_REQUEST_LINE,
	V_REQUEST_METHOD,
	V_REQUEST_PROTOCOL,
	V_QUERY_STRING,
	V_REQUEST_BODY,
	V_REQUEST_BODY_LENGTH,
	V_FILES,
	V_FILES_NAMES,
	V_FILES_SIZES,
	V_FILES_COMBINED_SIZE,
	V_MULTIPART_PART_HEADERS,
	V_MULTIPART_STRICT_ERROR,
	V_MULTIPART_UNMATCHED_BOUNDARY,
	V_REQBODY_ERROR,
	V_REQBODY_PROCESSOR,
	V_XML,
	V_TX,
	V_IP,
	V_GLOBAL,
	V_SESSION,
	V_GEO,
	V_USER,
	V_RESOURCE,
	V_UNIQUE_ID,
	V_REMOTE_ADDR,
	V_DURATION,
	V_MATCHED_VAR,
	V_MATCHED_VARS,
	V_MATCHED_VAR_NAME,
	V_MATCHED_VARS_NAMES,
	V_MAX
};

/* Persistent collections (IP, GLOBAL, SESSION, USER, RESOURCE) and GEO:
 * accepted in rules, never hold a value here. */
static inline bool waf_var_persistent(unsigned int v)
{
	return v == V_IP || v == V_GLOBAL || v == V_SESSION || v == V_GEO ||
	       v == V_USER || v == V_RESOURCE;
}

/* One entry of a rule's target list: "ARGS", "!ARGS:foo", "&TX:x",
 * "REQUEST_HEADERS:/^x-/". */
struct waf_target {
	uint8_t var;  /* enum waf_var */
	bool count;   /* & */
	bool exclude; /* ! */
	char *key;    /* selector (lowercase), or NULL */
	uint32_t key_len;
	uint32_t key_hash;  /* waf_tx_hash(key): TX:key found by index */
	pcre2_code *key_re; /* selector /regex/ */
};

enum waf_op {
	OP_RX = 0,
	OP_PM,
	OP_BEGINS_WITH,
	OP_ENDS_WITH,
	OP_CONTAINS,
	OP_CONTAINS_WORD,
	OP_STREQ,
	OP_WITHIN,
	OP_EQ,
	OP_GE,
	OP_GT,
	OP_LE,
	OP_LT,
	OP_VALIDATE_BYTE_RANGE,
	OP_VALIDATE_URL_ENCODING,
	OP_VALIDATE_UTF8,
	OP_IP_MATCH,
	OP_UNCONDITIONAL,
	OP_DETECT_SQLI, /* lib/inject */
	OP_DETECT_XSS,
	OP_UNSUPPORTED, /* accepted, never matches (reported) */
};

enum waf_tfn {
	T_LOWERCASE = 0,
	T_URL_DECODE,
	T_URL_DECODE_UNI,
	T_HTML_ENTITY_DECODE,
	T_JS_DECODE,
	T_CSS_DECODE,
	T_REMOVE_NULLS,
	T_REMOVE_WHITESPACE,
	T_COMPRESS_WHITESPACE,
	T_CMD_LINE,
	T_NORMALIZE_PATH,
	T_NORMALIZE_PATH_WIN,
	T_REPLACE_COMMENTS,
	T_UTF8_TO_UNICODE,
	T_BASE64_DECODE,
	T_BASE64_DECODE_EXT,
	T_ESCAPE_SEQ_DECODE,
	T_HEX_DECODE,
	T_HEX_ENCODE,
	T_LENGTH,
	T_SHA1,
	T_TRIM,
	T_TRIM_LEFT,
	T_TRIM_RIGHT,
	T_REMOVE_COMMENTS,
	T_UPPERCASE,
	T_MAX
};

#define WAF_MAX_TFN 16

enum setvar_op { SV_SET = 0, SV_ADD, SV_SUB, SV_DEL };

struct waf_setvar {
	char *name;  /* "tx.anomaly_score" (may hold macros), lowercase */
	char *value; /* may hold macros */
	uint32_t name_len, value_len;
	uint32_t name_hash;	      /* waf_tx_hash of the name after "tx." */
	bool name_macro, value_macro; /* "%{" in them: expanded per use */
	uint8_t op;
};

enum ctl_kind {
	CTL_RULE_REMOVE_BY_ID = 0,
	CTL_RULE_REMOVE_BY_TAG,
	CTL_RULE_REMOVE_TARGET_BY_ID,
	CTL_RULE_REMOVE_TARGET_BY_TAG,
	CTL_RULE_ENGINE_OFF,
	CTL_BODY_PROCESSOR,
	CTL_IGNORED, /* audit logging, body limits: no effect here */
};

struct waf_ctl {
	uint8_t kind;
	uint32_t id_lo, id_hi; /* by id: a range */
	char *tag;	       /* by tag */
	struct waf_target target;
	char *value; /* body processor name */
};

enum waf_disruptive { D_NONE = 0, D_PASS, D_BLOCK, D_DENY, D_ALLOW, D_DROP };

struct waf_rule {
	uint32_t id;
	uint8_t phase;
	bool marker; /* SecMarker: only name */
	char *name;  /* marker name */
	const char *file;
	unsigned int line;

	struct waf_target *targets;
	unsigned int n_targets;

	uint8_t op;
	bool op_negated;
	char *op_arg; /* raw argument (macros expanded at run time) */
	uint32_t op_arg_len;
	bool op_arg_has_macro;
	pcre2_code *re;
	char **phrases; /* @pm: lowercase phrases */
	unsigned int n_phrases;
	int64_t num;		   /* numeric operators without macros */
	uint8_t ranges[32];	   /* @validateByteRange bitmap */
	struct ww_waf_ipnet *nets; /* @ipMatch */
	unsigned int n_nets;
	const char *unsupported; /* operator name when OP_UNSUPPORTED */

	uint8_t tfn[WAF_MAX_TFN];
	unsigned int n_tfn;
	/* Its transformation chain among the set's distinct ones (values
	 * are transformed once per chain and request), and, for @rx, its
	 * pattern in that chain's Hyperscan database (-1: PCRE2 only). */
	int chain;
	int hs_id;
	uint8_t band;	   /* paranoia level - 1 (WAF_BANDS) */
	bool has_excludes; /* a !target among its targets */
	/* Every target is a request variable (not TX or MATCHED_*, which
	 * change while rules run), the operator a plain @rx in a Hyperscan
	 * database: when no value of the request hits the pattern in its
	 * chain, the rule cannot match and is skipped whole. */
	bool skippable;
	hs_database_t *pm_db; /* @pm / @pmFromFile */

	char *msg, *logdata;
	char **tags;
	unsigned int n_tags;
	uint8_t severity;
	struct waf_setvar *setvars;
	unsigned int n_setvars;
	struct waf_ctl *ctls;
	unsigned int n_ctls;
	char *skip_after;
	int skip_to; /* index of the marker, resolved at load */
	uint8_t disruptive;
	uint16_t status;
	bool capture, log, multi_match;
	bool has_chain;	       /* a chained rule follows */
	struct waf_rule *next; /* the chained rule */
	bool is_chained;       /* this rule is a chain link, not a head */
};

struct ww_waf_ipnet {
	uint8_t family, len;
	uint8_t addr[16];
};

/* A distinct transformation chain, and the Hyperscan database of the @rx
 * patterns of the rules that use it (prefilter: a hit is confirmed with
 * PCRE2, a miss is final). */
/* Where a request value comes from. Each transformation chain has a
 * Hyperscan database per source (and per selected key: the User-Agent
 * header gets its own), holding only the patterns of the rules that
 * read that source, so a value is scanned for what can apply to it. */
enum waf_src {
	SRC_ARGS_GET = 0,
	SRC_ARGS_GET_NAMES,
	SRC_ARGS_POST,
	SRC_ARGS_POST_NAMES,
	SRC_HEADERS,
	SRC_HEADERS_NAMES,
	SRC_COOKIES,
	SRC_COOKIES_NAMES,
	SRC_FILES,
	SRC_FILES_NAMES,
	SRC_PART_HEADERS,
	SRC_XML_ATTRS,
	SRC_DYNAMIC, /* TX, MATCHED_*, counts: made while rules run */
	SRC_SCALAR,  /* + enum waf_var of a single-valued variable */
	SRC_MAX = SRC_SCALAR + V_MAX
};

/* A source's databases: one per key some rule selects by name (that
 * key's rules plus the whole-collection ones), and one for the other
 * elements (NULL: no rule of the chain reads them). */
struct waf_db {
	hs_database_t *hs;
	/* No value shorter than this can hit any of its patterns (a
	 * bound Hyperscan gives per pattern): such values skip the call. */
	uint32_t min_width;
};

struct waf_src_dbs {
	struct waf_db *other;
	struct waf_keyed_db {
		const char *key; /* lowercase, owned by a rule's target */
		uint32_t key_len;
		struct waf_db *db;
	} * keyed;
	unsigned int n_keyed;
};

/* Patterns are also split by the CRS paranoia level of their rule (tag
 * "paranoia-level/N"; untagged rules count as level 1): at level 1 the
 * rules of levels 2-4 are skipped by the CRS itself, and their patterns
 * would only slow every scan. A band's databases are scanned the first
 * time one of its rules runs in a request. */
#define WAF_BANDS 4

/* Transformed values kept per request (and the hash index to them, a
 * power of two, at most 65535 entries: the index holds uint16). */
#define WAF_CACHE_ENTRIES 2048
#define WAF_CACHE_INDEX	  4096

struct waf_chain {
	uint8_t tfn[WAF_MAX_TFN];
	unsigned int n_tfn;
	int parent;	   /* the chain one transformation shorter (-1: none) */
	uint32_t triggers; /* byte classes any of its transformations use */
	/* Its @rx patterns (ids 0..n_patterns), by source. */
	unsigned int n_patterns;
	/* Per band and source: band b, source s at [b * SRC_MAX + s]
	 * (NULL when the chain has no pattern). */
	struct waf_src_dbs *src;
	/* Per band, the sources (1 << enum waf_src) the chain's skippable
	 * rules read: what its per-request union scan covers. */
	uint64_t union_srcs[WAF_BANDS];
};

#define WAF_MAX_CHAINS 256

/* The on-disk cache of compiled databases (hs_cache.c). */
struct waf_hs_cache {
	bool enabled;
	bool only;   /* read, never compile (ww_waf_opts cache_only) */
	bool missed; /* ... and a database was not there */
	char dir[1024];
	unsigned int hits, compiled, write_failed;
	char why[512]; /* why it is off, or the first write that failed */
};

struct ww_waf {
	struct waf_chain chains[WAF_MAX_CHAINS];
	unsigned int n_chains;
	int root_chain; /* the chain of no transformation (-1: none) */
	unsigned int n_hs_patterns, n_pcre_only;
	unsigned int n_hs_pm; /* @pm rules whose phrases are in databases */
	/* Every distinct database (a pattern set is compiled once per
	 * chain, however many sources share it), for scratch and freeing. */
	struct waf_db **dbs;
	unsigned int n_dbs;
	size_t hs_bytes;
	double compile_s;
	struct waf_hs_cache cache;
	struct waf_rule **rules; /* in order, chain links excluded */
	/* What a request runs, per phase (1, 2): the rules of that phase in
	 * order, markers left out; @next: where to go on after a match
	 * (the rule after the skipAfter marker, or the next one). */
	struct waf_phase_rule {
		const struct waf_rule *r;
		unsigned int next;
	} * phase_rules[3];
	unsigned int n_phase_rules[3];
	unsigned int n_rules;
	struct waf_rule *all; /* every rule, links included */
	unsigned int n_all, cap_all;
	/* Defaults from SecDefaultAction, per phase. */
	uint8_t default_disruptive[3];
	unsigned int paranoia_level, anomaly_threshold;
	unsigned int regex_match_limit; /* 0: PCRE2's default */
	unsigned int n_unsupported;
	/* Strings owned by the set. */
	char **strings;
	unsigned int n_strings, cap_strings;
	/* While parsing: the rule being chained to, if the previous one
	 * asked for it (the set's own, so that two sets can load in two
	 * threads). */
	struct waf_rule *chain_parent;
};

/* Transaction collections: name/value pairs. */
struct waf_kv {
	const char *name, *value;
	uint32_t nlen, vlen;
};

struct waf_coll {
	struct waf_kv *kv;
	unsigned int n, cap;
};

#define WAF_TX_INDEX 1024 /* slots of the TX hash index (a power of 2) */

struct ww_waf_ctx {
	const struct ww_waf *w;
	/* Scratch memory, reset per request. */
	char *arena;
	size_t arena_cap, arena_used;
	pcre2_match_data *md;
	pcre2_match_context *mctx;  /* the match limits */
	pcre2_jit_stack *jit_stack; /* JIT code's backtrack frames */
	/* The request. */
	const struct ww_http_request *req;
	struct waf_coll args_get, args_post, headers, cookies, files,
		files_sizes, part_headers, tx, xml_attrs;
	const char *scalar[V_MAX];
	uint32_t scalar_len[V_MAX];
	bool scalar_set[V_MAX];
	/* Matched variables of the rule in progress, and of the chain link
	 * before it (what a chained rule's MATCHED_VARS target reads). */
	struct waf_coll matched_store[2];
	struct waf_coll *matched, *prev_matched; /* swapped per link */
	/* Rules and targets removed by ctl for this request. */
	uint32_t removed[256][2];
	unsigned int n_removed;
	struct {
		uint32_t id_lo, id_hi;
		const char *tag;
		const struct waf_target *t;
	} removed_targets[256];
	unsigned int n_removed_targets;
	bool engine_off;
	struct ww_waf_result *res;
	const struct waf_rule *cur_rule; /* for %{rule.id} */
	uint16_t tx_index[WAF_TX_INDEX]; /* TX name -> its entry + 1 */
	/* Work counters (for profiling; never reset). */
	uint64_t n_eval, n_rules_run, n_rules_skipped, n_items, n_tfn, n_scans;
	uint64_t n_short; /* scans not made: value shorter than any match */
	hs_scratch_t *scratch;
	/* Per request and chain: the patterns any request value hits. */
	uint64_t *chain_union[WAF_MAX_CHAINS][WAF_BANDS];
	uint32_t chain_union_gen[WAF_MAX_CHAINS][WAF_BANDS];
	/* Per request: transformed values and Hyperscan results, by value
	 * and chain. Entries are handed out in order from @cache and found
	 * through @cache_index (open addressing, entry + 1, cleared per
	 * request): the index stays in L1 and only used entries are
	 * touched. */
	struct waf_cache_entry {
		const char *src;
		uint32_t src_len;
		uint16_t chain;
		const char *out;
		uint32_t out_len;
		uint32_t out_classes; /* waf_byte_classes(out) */
		/* Patterns of the chain that hit the transformed value, as
		 * far as the databases @scanned of each band (NULL: none
		 * yet) know them. */
		const struct waf_db *scanned[WAF_BANDS];
		uint64_t *hits;
	} * cache;
	uint32_t cache_used, cache_cap;
	uint16_t *cache_index;
	uint32_t gen;
	/* @rx patterns built from macros, compiled once per text. */
	struct {
		char *text;
		pcre2_code *re;
	} rx_cache[16];
	unsigned int rx_next;
};

/* Parsing (parse.c). */
int waf_parse_file(struct ww_waf *w, const char *path, char *err,
		   size_t err_len);
int waf_parse_stream(struct ww_waf *w, FILE *f, const char *label, char *err,
		     size_t err_len);
int waf_resolve(struct ww_waf *w, char *err, size_t err_len);
/* One directive line (continuations already joined). */
int waf_parse_directive(struct ww_waf *w, const char *file, unsigned int line,
			char *text, char *err, size_t err_len);

/* TX variables: @name lowercase. */
void waf_tx_set(struct ww_waf_ctx *c, const char *name, const char *value,
		uint32_t len);

/* Transformations (tfn.c): apply @t to @in (@len) into arena memory.
 * @return the new length; *@out points at the result. */
uint32_t waf_tfn_apply(struct ww_waf_ctx *c, enum waf_tfn t, const char *in,
		       uint32_t len, const char **out);
int waf_tfn_by_name(const char *name);
/* Tables of tfn.c, built once before any rule set is used (by
 * ww_waf_load). */
void waf_tfn_init(void);
/* Which byte classes @s holds (see tfn.c), and @t applied to a value
 * of classes @in_classes: no work when none of them can change it. */
uint32_t waf_byte_classes(const char *s, uint32_t n);
/* The byte classes without which @t leaves a value as it is. */
uint32_t waf_tfn_triggers(enum waf_tfn t);
uint32_t waf_tfn_apply_classes(struct ww_waf_ctx *c, enum waf_tfn t,
			       const char *in, uint32_t n, uint32_t in_classes,
			       const char **out, uint32_t *out_classes);

/* Operators (ops.c). */
bool waf_op_match(struct ww_waf_ctx *c, const struct waf_rule *r, const char *v,
		  uint32_t len, const char *arg, uint32_t arg_len);

/* Hyperscan (hs.c): compile the chains' databases and the @pm ones. */
int waf_hs_build(struct ww_waf *w, char *err, size_t err_len);
void waf_hs_free(struct ww_waf *w);
/* Compile cache (hs_cache.c): open @dir (NULL or "": none), compile
 * through it (hs_compile_multi, or hs_compile_lit_multi when @lens),
 * and remove files no load has used for two weeks. With @only, nothing
 * is compiled: a database not in the cache fails its compile (-EAGAIN)
 * and sets cache.missed. */
void waf_hs_cache_open(struct ww_waf *w, const char *dir, bool only);
struct waf_hs_error {
	int expression; /* the pattern Hyperscan refused; -1: the set */
	char message[256];
};
/* @return 0 with *@db; -EINVAL with *@he (Hyperscan refused the set);
 * -EAGAIN when the cache is read only and lacks it. */
int waf_hs_compile(struct ww_waf *w, const char *const *expr,
		   const unsigned int *flags, const unsigned int *ids,
		   const size_t *lens, unsigned int n, hs_database_t **db,
		   struct waf_hs_error *he);
void waf_hs_cache_prune(struct ww_waf *w);
/* The transformed value of @v for @chain, computed once per request. */
uint32_t waf_transform(struct ww_waf_ctx *c, const struct waf_rule *r,
		       const char *v, uint32_t n, const char **out,
		       struct waf_cache_entry **entry);
/* What the databases say of @r (@rx or @pm) on @v, the transformed
 * value of entry @e, from source @src (enum waf_src), element @name:
 * MISS is final; HIT is final for @pm (literals) and for @rx must be
 * confirmed by PCRE2 (prefilter); UNKNOWN leaves it to the operator. */
enum waf_hs_answer { WAF_HS_MISS, WAF_HS_HIT, WAF_HS_UNKNOWN };
enum waf_hs_answer waf_hs_check(struct ww_waf_ctx *c, const struct waf_rule *r,
				struct waf_cache_entry *e, const char *v,
				uint32_t n, uint8_t src, const char *name,
				uint32_t nlen);
bool waf_pm_match(struct ww_waf_ctx *c, const struct waf_rule *r, const char *v,
		  uint32_t n);
/* Can skippable rule @r match anything in this request? */
bool waf_rule_may_match(struct ww_waf_ctx *c, const struct waf_rule *r);

/* The hash of a TX variable name (ASCII case folded). */
uint32_t waf_tx_hash(const char *name, uint32_t nlen);

/* Arena. */
char *waf_alloc(struct ww_waf_ctx *c, size_t n);

#endif /* WW_WAF_INT_H */
