/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_WAF_H
#define WW_WAF_H

/*
 * Request validation with the OWASP Core Rule Set: a SecLang engine for
 * the subset of ModSecurity's language the CRS request rules use (phases
 * 1 and 2), with the CRS's anomaly scoring.
 *
 * Loading (control thread): the CRS as Debian installs it (crs-setup.conf,
 * then the REQUEST-*.conf files of its rules directory, in name order),
 * then the site's rules. Unknown directives, variables, operators,
 * transformations or actions refuse the whole set, naming file, line and
 * reason; a regular expression PCRE2 cannot compile is refused the same
 * way. @detectSQLi and @detectXSS are lib/inject's own detectors.
 * Operators the engine does not implement (DNS blocklists, GeoIP) are
 * accepted, never match, and are reported with the rule ids that use
 * them. The loaded
 * set is immutable: workers share it, a reload builds a new one.
 *
 * Evaluation (worker): ww_waf_eval() runs phases 1 and 2 over one parsed
 * request, with a per-worker context (ww_waf_ctx) holding the scratch
 * memory, so nothing is allocated per request.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ww_http.h"

struct ww_waf;
struct ww_waf_ctx;

struct ww_waf_opts {
	const char *crs_setup; /* crs-setup.conf; NULL: none */
	const char *rules_dir; /* its REQUEST-*.conf files; NULL: none */
	/* Further rule files (site rules): SecLang when the name ends in
	 * ".conf", else the native one-rule-per-line format (waf.c). */
	const char *const *files;
	unsigned int n_files;
	/* Overrides of crs-setup.conf (0: keep what it says). */
	unsigned int paranoia_level;
	unsigned int anomaly_threshold;
	/* Directory of compiled databases kept between loads (created
	 * 0700 if missing; NULL or "": compile every time). */
	const char *cache_dir;
	/* Only what the cache holds: nothing is compiled, and the load
	 * fails with -EAGAIN when a database is not there (a quick look
	 * before a compile that takes seconds). */
	bool cache_only;
	/* PCRE2 match (and depth) limit per regex run; 0: PCRE2's own. A
	 * run that hits it counts as no match and marks the result
	 * incomplete. */
	unsigned int regex_match_limit;
	/* Site tuning that crs-setup.conf would otherwise hold, as the
	 * CRS's own TX variables (NULL or "": as crs-setup.conf says), set
	 * before the CRS initializes them: */
	const char *allowed_methods;	   /* "GET HEAD POST" */
	const char *allowed_content_types; /* "application/json text/plain" */
	const char *restricted_extensions; /* ".bak .sql" */
	const char *restricted_headers;	   /* "proxy lock-token" */
	/* After every rule: rules removed by id ("911100 920420", as
	 * SecRuleRemoveById), and targets removed from rules ("942100
	 * ARGS:password|932100 REQUEST_COOKIES:session", as
	 * SecRuleUpdateTargetById ID !TARGET). */
	const char *rule_exclusions;
	const char *target_exclusions;
};

/* Load and compile. @return 0 with *@out, or -errno with "file:line:
 * reason" in @err (-EAGAIN: cache_only, and the cache lacks a database).
 * Any one thread; loads in two threads do not share state. */
int ww_waf_load(const struct ww_waf_opts *opts, struct ww_waf **out, char *err,
		size_t err_len);
void ww_waf_free(struct ww_waf *w);

/* Rules loaded, and those with an operator that never matches. */
void ww_waf_counts(const struct ww_waf *w, unsigned int *rules,
		   unsigned int *unsupported);
/* Hyperscan: @rx patterns in the chains' databases, those left to PCRE2
 * alone, the databases' bytes (@pm included) and their compile time. */
void ww_waf_compiled(const struct ww_waf *w, unsigned int *hs_patterns,
		     unsigned int *pcre_only, size_t *db_bytes,
		     double *compile_s);
/* The compile cache: "DIR: N databases read, M compiled", or "off: why". */
const char *ww_waf_cache_state(const struct ww_waf *w, char *buf, size_t len);
/* Work done by a context so far, per request evaluated (profiling). */
void ww_waf_ctx_print_work(const struct ww_waf_ctx *c, FILE *out);
/* One line per unsupported operator: its name and the rule ids. */
void ww_waf_report(const struct ww_waf *w, FILE *out);

/* Per-worker context. Control thread. NULL when out of memory. */
struct ww_waf_ctx *ww_waf_ctx_new(const struct ww_waf *w);
void ww_waf_ctx_free(struct ww_waf_ctx *c);

#define WW_WAF_MAX_MATCHES 64

/* The verdict on one request. */
struct ww_waf_result {
	uint32_t ids[WW_WAF_MAX_MATCHES]; /* rules that matched and log */
	unsigned int n_ids;
	const char *msgs[WW_WAF_MAX_MATCHES]; /* their msg (rule text) */
	int anomaly_score;		      /* tx.anomaly_score */
	bool blocked;			      /* a deny ran */
	bool alert;	     /* a rule asked for an alert (native "log") */
	uint16_t status;     /* its status (403) */
	uint32_t blocked_by; /* its rule id */
	/* WW_WAF_INCOMPLETE_* bits: the verdict rests on less than the
	 * whole request (the caller's exception policy decides). */
	unsigned int incomplete;
};

#define WW_WAF_INCOMPLETE_ARENA                                             \
	0x1				  /* scratch memory ran out: some   \
					   * values were not transformed or \
					   * collected */
#define WW_WAF_INCOMPLETE_MATCH_LIMIT 0x2 /* a regex hit its match limit */

/* The request's client address, for REMOTE_ADDR and @ipMatch. */
struct ww_waf_peer {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
};

/*
 * Run phases 1 and 2 over @req (a complete request: head and the body
 * the parser kept). dp-safe, one context per worker.
 */
void ww_waf_eval(struct ww_waf_ctx *c, const struct ww_http_request *req,
		 const struct ww_waf_peer *peer, struct ww_waf_result *res);

#endif /* WW_WAF_H */
