/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/waf on small rule sets: a value is matched against the rules that
 * read its source (one Hyperscan database per chain, source and selected
 * key), transformations skipped by byte classes still give ModSecurity's
 * results, and the compile cache gives the same verdicts as a compile,
 * refuses damaged files and unsafe directories. A request the engine
 * cannot finish (a regex past its match limit, scratch memory run out)
 * is said in the result, never taken for a clean one.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ww_http.h"
#include "ww_waf.h"

static const char rules_text[] =
	"SecRule REQUEST_HEADERS:User-Agent \"@rx (?i)sqlmap\" "
	"\"id:1001,phase:1,deny,log,msg:'scanner'\"\n"
	"SecRule ARGS:q \"@rx evil\" \"id:1002,phase:2,pass,log\"\n"
	"SecRule ARGS_NAMES \"@rx ^debug$\" \"id:1003,phase:2,pass,log\"\n"
	"SecRule REQUEST_COOKIES \"@rx ^admin$\" \"id:1004,phase:1,pass,log\"\n"
	"SecRule ARGS \"@rx select\" "
	"\"id:1005,phase:2,pass,log,t:none,t:urlDecodeUni,t:lowercase\"\n"
	"SecRule REQUEST_HEADERS|ARGS \"@rx <script\" "
	"\"id:1006,phase:2,pass,log,t:none,t:htmlEntityDecode,t:lowercase\"\n"
	"SecRule REQUEST_FILENAME \"@rx \\.php$\" \"id:1007,phase:1,pass,log\"\n"
	"SecRule ARGS \"!@rx ^[a-z0-9=]*$\" "
	"\"id:1008,phase:2,pass,log,t:none,t:compressWhitespace\"\n";

/*
 * Patterns a crafted value makes PCRE2 work on far longer than its
 * length. Each value below ends in what Hyperscan's prefilter hits (the
 * databases are exact for these patterns: a value they miss never
 * reaches PCRE2), so only PCRE2 can give up on it.
 *
 * 2001: (a+)+b over a run of a's not followed by b tries every way of
 * splitting the run (2^n) at the first start position before it gets to
 * the "ab" at the end. The "b" PCRE2 requires is in the value, so its
 * quick refusal does not apply.
 * 2002: ^(?:a|b)+c is linear, but the JIT code keeps a backtrack frame
 * per iteration on its stack (32 KiB unless the caller gives it one):
 * a few thousand iterations exhaust it.
 */
static const char limit_rules_text[] =
	"SecRule ARGS:q \"@rx (a+)+b\" \"id:2001,phase:2,pass,log\"\n"
	"SecRule ARGS:s \"@rx ^(?:a|b)+c\" \"id:2002,phase:2,pass,log\"\n";

/*
 * Transformation chains of the kind the CRS runs over a body (each step
 * writes its result into the request's scratch arena, up to six times
 * the value's length, when the value holds what the step changes).
 * None of the patterns can match: only the memory is at stake.
 */
static const char arena_rules_text[] =
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3001,phase:2,pass,log,t:none,t:urlDecodeUni,t:lowercase\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3002,phase:2,pass,log,t:none,t:urlDecodeUni,"
	"t:htmlEntityDecode,t:lowercase\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3003,phase:2,pass,log,t:none,t:jsDecode,t:lowercase\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3004,phase:2,pass,log,t:none,t:cssDecode,t:lowercase\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3005,phase:2,pass,log,t:none,t:cmdLine\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3006,phase:2,pass,log,t:none,t:normalizePath\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3007,phase:2,pass,log,t:none,t:compressWhitespace,"
	"t:lowercase\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3008,phase:2,pass,log,t:none,t:removeWhitespace,"
	"t:lowercase\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3009,phase:2,pass,log,t:none,t:replaceComments\"\n"
	"SecRule REQUEST_BODY|ARGS_POST \"@rx zq{9}\" "
	"\"id:3010,phase:2,pass,log,t:none,t:hexEncode\"\n";

/* A TX variable set and read, as every CRS request does (its scores). */
static const char tx_rules_text[] =
	"SecAction \"id:4001,phase:2,pass,nolog,setvar:tx.seen=1\"\n"
	"SecRule TX:seen \"@eq 1\" \"id:4002,phase:2,pass,log\"\n";

static char dir[64], rules_path[96], cache_dir[96];
static char limit_rules_path[96], arena_rules_path[96], tx_rules_path[96];

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ww_test_waf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(rules_path, sizeof(rules_path), "%s/site.conf", dir);
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", dir);
	snprintf(limit_rules_path, sizeof(limit_rules_path), "%s/limit.conf",
		 dir);
	snprintf(arena_rules_path, sizeof(arena_rules_path), "%s/arena.conf",
		 dir);
	snprintf(tx_rules_path, sizeof(tx_rules_path), "%s/tx.conf", dir);
	if (write_file(rules_path, rules_text) < 0 ||
	    write_file(limit_rules_path, limit_rules_text) < 0 ||
	    write_file(arena_rules_path, arena_rules_text) < 0 ||
	    write_file(tx_rules_path, tx_rules_text) < 0)
		return -1;
	return 0;
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (e->d_type == DT_DIR)
			remove_tree(p);
		else
			unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(path);
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(dir);
	return 0;
}

static struct ww_waf *load(const char *cache)
{
	const char *files[] = {rules_path};
	struct ww_waf_opts o = {
		.files = files,
		.n_files = 1,
		.cache_dir = cache,
	};
	struct ww_waf *w = NULL;
	char err[512];

	if (ww_waf_load(&o, &w, err, sizeof(err)) < 0)
		fail_msg("load: %s", err);
	return w;
}

/* Rule file @path alone, PCRE2 limited to @match_limit (0: its own). */
static struct ww_waf *load_limited(const char *path, unsigned int match_limit)
{
	const char *files[] = {path};
	struct ww_waf_opts o = {
		.files = files,
		.n_files = 1,
		.regex_match_limit = match_limit,
	};
	struct ww_waf *w = NULL;
	char err[512];

	if (ww_waf_load(&o, &w, err, sizeof(err)) < 0)
		fail_msg("load %s: %s", path, err);
	return w;
}

/* [http] body_depth: its default, and the most it may be set to. */
#define BODY_DEPTH     65536
#define BODY_DEPTH_MAX 1048576

/* Parse @raw (@len bytes, one whole request) within wirewall's default
 * [http] limits but @body_depth, and evaluate it with context @c. */
static void eval_raw_depth(struct ww_waf_ctx *c, const char *raw, size_t len,
			   uint32_t body_depth, struct ww_waf_result *res)
{
	static char head[16384], work[16384], body[BODY_DEPTH_MAX];
	const struct ww_http_limits lim = {
		.max_request_line = 8192,
		.max_headers = 100,
		.max_header_bytes = sizeof(head),
		.body_depth = body_depth,
		.max_chunk_ext = 256,
	};
	const struct ww_waf_peer peer = {4, {127, 0, 0, 1}};
	struct ww_http_parser p;
	enum ww_http_event ev;
	size_t used = 0, off = 0;

	ww_http_parser_init(&p, &lim, head, sizeof(head), work, sizeof(work),
			    body, sizeof(body));
	do {
		ev = ww_http_feed(&p, raw + off, len - off, &used);
		off += used;
		if (ev == WW_HTTP_VIOLATION)
			fail_msg("the parser refused the request: %s",
				 ww_http_violation_name(p.violation));
	} while (ev != WW_HTTP_REQUEST && off < len);
	assert_int_equal(ev, WW_HTTP_REQUEST);
	assert_false(p.req.body_truncated);
	ww_waf_eval(c, &p.req, &peer, res);
}

static void eval_raw(struct ww_waf_ctx *c, const char *raw, size_t len,
		     struct ww_waf_result *res)
{
	eval_raw_depth(c, raw, len, BODY_DEPTH, res);
}

/* The ids of the rules that matched, as "1001,1005". */
static const char *ids_of(const struct ww_waf_result *res)
{
	static char out[256];
	unsigned int i;
	int k = 0;

	out[0] = '\0';
	for (i = 0; i < res->n_ids; i++)
		k += snprintf(out + k, sizeof(out) - (size_t)k, "%s%u",
			      i ? "," : "", res->ids[i]);
	return out;
}

/* The ids of the rules @raw (one HTTP request) matches, as "1001,1005". */
static const char *verdict(struct ww_waf *w, const char *raw)
{
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_waf_result res;

	assert_non_null(c);
	eval_raw(c, raw, strlen(raw), &res);
	assert_int_equal(res.incomplete, 0);
	ww_waf_ctx_free(c);
	return ids_of(&res);
}

/* Each case with what it must match: the sources and keys a rule reads,
 * no more and no less. */
static const struct {
	const char *req, *ids;
} cases[] = {
	{"GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: SQLMap/1.7\r\n\r\n",
	 "1001"},
	{"GET /a HTTP/1.1\r\nHost: x\r\nuser-agent: sqlmap\r\n\r\n", "1001"},
	/* the same text in another header: not the User-Agent rule's */
	{"GET /a HTTP/1.1\r\nHost: x\r\nX-Agent: sqlmap\r\n\r\n", ""},
	{"GET /a?q=evil HTTP/1.1\r\nHost: x\r\n\r\n", "1002"},
	{"GET /a?r=evil HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	{"GET /a?debug=1 HTTP/1.1\r\nHost: x\r\n\r\n", "1003"},
	{"GET /a?x=debug HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	{"GET /a HTTP/1.1\r\nHost: x\r\nCookie: role=admin\r\n\r\n", "1004"},
	{"GET /a?admin=1 HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	/* lowercase after URL decoding; %2565 is %65 once the parser
	 * decoded the query, "e" after urlDecodeUni */
	{"GET /a?a=SeLeCt HTTP/1.1\r\nHost: x\r\n\r\n", "1005,1008"},
	{"GET /a?a=sel%2565ct HTTP/1.1\r\nHost: x\r\n\r\n", "1005,1008"},
	{"GET /a?a=selec HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	{"GET /a?a=%26lt%3BSCRIPT HTTP/1.1\r\nHost: x\r\n\r\n", "1006,1008"},
	{"GET /a HTTP/1.1\r\nHost: x\r\nX-Foo: &lt;Script>\r\n\r\n", "1006"},
	{"GET /index.php HTTP/1.1\r\nHost: x\r\n\r\n", "1007"},
	{"GET /a?x=.php HTTP/1.1\r\nHost: x\r\n\r\n", "1008"},
	/* the negated rule: whitespace compressed, still not [a-z0-9=] */
	{"GET /a?s=a%20%20b HTTP/1.1\r\nHost: x\r\n\r\n", "1008"},
	{"GET /a?s=ab9 HTTP/1.1\r\nHost: x\r\n\r\n", ""},
};

static void check_cases(struct ww_waf *w)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = verdict(w, cases[i].req);

		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("case %u: got \"%s\", want \"%s\"", i, got,
				 cases[i].ids);
	}
}

static void test_rules_see_only_their_sources(void **state)
{
	struct ww_waf *w = load(NULL);
	char cs[1024];

	(void)state;
	assert_string_equal(ww_waf_cache_state(w, cs, sizeof(cs)), "off");
	check_cases(w);
	ww_waf_free(w);
}

static unsigned int count(const char *state, const char *what)
{
	const char *p = strstr(state, what);

	while (p != NULL && p > state && p[-1] == ' ')
		p--;
	while (p != NULL && p > state && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return p ? (unsigned int)atoi(p) : 9999;
}

static void test_cache_round_trip_and_damage(void **state)
{
	struct ww_waf *w;
	char cs[1024], path[512];
	unsigned int compiled;
	struct dirent *e;
	DIR *d;

	(void)state;
	w = load(cache_dir);
	ww_waf_cache_state(w, cs, sizeof(cs));
	compiled = count(cs, " compiled");
	assert_int_equal(count(cs, " databases read"), 0);
	assert_true(compiled > 0);
	check_cases(w);
	ww_waf_free(w);

	/* Again: everything read back, the same verdicts. */
	w = load(cache_dir);
	ww_waf_cache_state(w, cs, sizeof(cs));
	assert_int_equal(count(cs, " databases read"), compiled);
	assert_int_equal(count(cs, " compiled"), 0);
	check_cases(w);
	ww_waf_free(w);

	/* One byte of each stored database changed: refused, compiled
	 * again, still the same verdicts. */
	d = opendir(cache_dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		FILE *f;
		int ch;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", cache_dir, e->d_name);
		f = fopen(path, "r+b");
		assert_non_null(f);
		fseek(f, -1, SEEK_END);
		ch = fgetc(f);
		fseek(f, -1, SEEK_END);
		fputc(ch ^ 0x5a, f);
		fclose(f);
	}
	closedir(d);
	w = load(cache_dir);
	ww_waf_cache_state(w, cs, sizeof(cs));
	assert_int_equal(count(cs, " databases read"), 0);
	assert_int_equal(count(cs, " compiled"), compiled);
	check_cases(w);
	ww_waf_free(w);

	/* A directory others can write to is not trusted. */
	chmod(cache_dir, 0777);
	w = load(cache_dir);
	ww_waf_cache_state(w, cs, sizeof(cs));
	assert_non_null(strstr(cs, "writable by group or others"));
	check_cases(w);
	ww_waf_free(w);
	chmod(cache_dir, 0700);
}

/* Files in @path (not . and ..). */
static unsigned int files_in(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

/* cache_only: the quick look wirewall takes at start before it compiles
 * in the background. A cache without the set: -EAGAIN, nothing compiled
 * or written; once a load has filled it: the set, nothing compiled. */
static void test_cache_only(void **state)
{
	const char *files[] = {rules_path};
	char only_dir[128], err[512], cs[1024];
	struct ww_waf_opts o = {
		.files = files,
		.n_files = 1,
		.cache_only = true,
	};
	struct ww_waf *w = NULL;
	unsigned int compiled;

	(void)state;
	snprintf(only_dir, sizeof(only_dir), "%s/only", dir);
	o.cache_dir = only_dir;
	assert_int_equal(ww_waf_load(&o, &w, err, sizeof(err)), -EAGAIN);
	assert_null(w);
	assert_non_null(strstr(err, "not in the compile cache"));
	assert_int_equal(files_in(only_dir), 0);
	/* No cache directory at all: the same answer. */
	o.cache_dir = "";
	assert_int_equal(ww_waf_load(&o, &w, err, sizeof(err)), -EAGAIN);
	assert_null(w);

	w = load(only_dir);
	ww_waf_cache_state(w, cs, sizeof(cs));
	compiled = count(cs, " compiled");
	assert_true(compiled > 0);
	ww_waf_free(w);
	w = NULL;
	o.cache_dir = only_dir;
	assert_int_equal(ww_waf_load(&o, &w, err, sizeof(err)), 0);
	ww_waf_cache_state(w, cs, sizeof(cs));
	assert_int_equal(count(cs, " compiled"), 0);
	assert_true(count(cs, " databases read") > 0);
	check_cases(w);
	ww_waf_free(w);

	/* A rule file that does not parse is refused as before, not taken
	 * for a cache miss. */
	files[0] = "/nonexistent/site.conf";
	assert_int_equal(ww_waf_load(&o, &w, err, sizeof(err)), -ENOENT);
}

/* A set with a pattern Hyperscan refuses (an embedded end anchor; PCRE2
 * alone runs it) is compiled twice, the second time without it. The
 * refusal is cached too, so that a warm load, and cache_only, compile
 * nothing; the pattern still matches through PCRE2. */
static void test_cache_keeps_refusals(void **state)
{
	char path[128], cdir[128], err[512], cs[1024];
	const char *files[] = {path};
	struct ww_waf_opts o = {.files = files, .n_files = 1};
	struct ww_waf *w = NULL;
	struct dirent *e;
	unsigned int n_err = 0;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s/refused.conf", dir);
	snprintf(cdir, sizeof(cdir), "%s/refusals", dir);
	assert_int_equal(write_file(path, "SecRule ARGS:q \"@rx x$y|attack\" "
					  "\"id:5001,phase:2,pass,log\"\n"
					  "SecRule ARGS:q \"@rx evil\" "
					  "\"id:5002,phase:2,pass,log\"\n"),
			 0);
	o.cache_dir = cdir;
	assert_int_equal(ww_waf_load(&o, &w, err, sizeof(err)), 0);
	ww_waf_free(w);
	d = opendir(cdir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n_err += strstr(e->d_name, ".err") != NULL;
	closedir(d);
	assert_int_equal(n_err, 1);

	o.cache_only = true;
	w = NULL;
	if (ww_waf_load(&o, &w, err, sizeof(err)) < 0)
		fail_msg("cache_only: %s", err);
	ww_waf_cache_state(w, cs, sizeof(cs));
	assert_int_equal(count(cs, " compiled"), 0);
	assert_string_equal(verdict(w, "GET /a?q=attack HTTP/1.1\r\n"
				       "Host: x\r\n\r\n"),
			    "5001");
	assert_string_equal(verdict(w, "GET /a?q=evil HTTP/1.1\r\n"
				       "Host: x\r\n\r\n"),
			    "5002");
	ww_waf_free(w);
}

/* "GET /a?NAME=VALUE HTTP/1.1" where VALUE is @n copies of @unit, then
 * @tail. Freed by the caller. */
static char *get_arg(const char *name, const char *unit, unsigned int n,
		     const char *tail)
{
	size_t ul = strlen(unit),
	       cap = 64 + strlen(name) + ul * n + strlen(tail);
	char *r = malloc(cap), *p;
	unsigned int i;

	assert_non_null(r);
	p = r + sprintf(r, "GET /a?%s=", name);
	for (i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	sprintf(p, "%s HTTP/1.1\r\nHost: x\r\n\r\n", tail);
	return r;
}

/* A POST of @type whose body of @body_len bytes is @head, then @unit
 * over and over, then @tail (which is not cut). Freed by the caller. */
static char *post(const char *type, const char *head, const char *unit,
		  const char *tail, size_t body_len)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *r = malloc(256 + body_len), *p;

	assert_non_null(r);
	assert_true(hl + tl <= body_len);
	p = r + sprintf(r,
			"POST /f HTTP/1.1\r\nHost: x\r\n"
			"Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
			type, body_len, head);
	for (i = 0; i + hl + tl < body_len; i++)
		p[i] = unit[i % ul];
	strcpy(p + i, tail);
	return r;
}

/* A form POST whose body is "a=" and then @unit over and over, cut at
 * @body_len bytes. */
static char *form_post(const char *unit, size_t body_len)
{
	return post("application/x-www-form-urlencoded", "a=", unit, "",
		    body_len);
}

static void eval_str_depth(struct ww_waf_ctx *c, char *req, uint32_t body_depth,
			   struct ww_waf_result *res)
{
	eval_raw_depth(c, req, strlen(req), body_depth, res);
	free(req);
}

static void eval_str(struct ww_waf_ctx *c, char *req, struct ww_waf_result *res)
{
	eval_str_depth(c, req, BODY_DEPTH, res);
}

static void test_regex_match_limit(void **state)
{
	struct ww_waf *low = load_limited(limit_rules_path, 1000);
	struct ww_waf *dflt = load_limited(limit_rules_path, 100000);
	struct ww_waf *none = load_limited(limit_rules_path, 0);
	struct ww_waf_ctx *c = ww_waf_ctx_new(low);
	struct ww_waf_ctx *cd = ww_waf_ctx_new(dflt);
	struct ww_waf_ctx *cn = ww_waf_ctx_new(none);
	struct ww_waf_result res;

	(void)state;
	assert_non_null(c);
	assert_non_null(cd);
	assert_non_null(cn);

	/* 40 a's, then "!ab": some 2^40 steps unlimited. The limit stops
	 * the run (at once: a test that hung here would be the bug), the
	 * rule counts as not matched and the result says why. */
	eval_str(c, get_arg("q", "a", 40, "!ab"), &res);
	assert_int_equal(res.incomplete, WW_WAF_INCOMPLETE_MATCH_LIMIT);
	assert_string_equal(ids_of(&res), "");
	assert_false(res.blocked);
	/* wirewall's default limit stops it as well */
	eval_str(cd, get_arg("q", "a", 40, "!ab"), &res);
	assert_int_equal(res.incomplete, WW_WAF_INCOMPLETE_MATCH_LIMIT);
	assert_string_equal(ids_of(&res), "");

	/* The next request on the same context starts clean: a benign
	 * value, and one the rule matches without backtracking. */
	eval_str(c, get_arg("q", "hello", 1, ""), &res);
	assert_int_equal(res.incomplete, 0);
	assert_string_equal(ids_of(&res), "");
	eval_str(c, get_arg("q", "xaab", 1, ""), &res);
	assert_int_equal(res.incomplete, 0);
	assert_string_equal(ids_of(&res), "2001");

	/* 16 a's (some 2^16 steps): within PCRE2's own limit the rule
	 * matches (the value does hold "ab"), past 1000 it is the limit
	 * that stops it, nothing else. */
	eval_str(cn, get_arg("q", "a", 16, "!ab"), &res);
	assert_int_equal(res.incomplete, 0);
	assert_string_equal(ids_of(&res), "2001");
	eval_str(c, get_arg("q", "a", 16, "!ab"), &res);
	assert_int_equal(res.incomplete, WW_WAF_INCOMPLETE_MATCH_LIMIT);
	assert_string_equal(ids_of(&res), "");

	ww_waf_ctx_free(c);
	ww_waf_ctx_free(cd);
	ww_waf_ctx_free(cn);
	ww_waf_free(low);
	ww_waf_free(dflt);
	ww_waf_free(none);
}

/* A regex run PCRE2 abandons for any reason but "no match" is no
 * verdict: the rule either matches or the result says it could not
 * tell. A value of 2500 "ab" (within [http] max_request_line) makes
 * ^(?:a|b)+c run out of the JIT code's stack long before any match or
 * depth limit. */
static void test_regex_jit_stack(void **state)
{
	struct ww_waf *w = load_limited(limit_rules_path, 100000);
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_waf_result res;

	(void)state;
	assert_non_null(c);
	eval_str(c, get_arg("s", "ab", 100, "c"), &res);
	assert_int_equal(res.incomplete, 0);
	assert_string_equal(ids_of(&res), "2002");

	eval_str(c, get_arg("s", "ab", 2500, "c"), &res);
	if (strcmp(ids_of(&res), "2002") != 0 &&
	    !(res.incomplete & WW_WAF_INCOMPLETE_MATCH_LIMIT))
		fail_msg("rule 2002 did not match a value it matches, and the "
			 "result does not say why (incomplete %#x)",
			 res.incomplete);
	ww_waf_ctx_free(c);
	ww_waf_free(w);
}

/* Bytes each chain's steps change: capitals (lowercase), %-escapes
 * (urlDecodeUni), an entity once decoded (htmlEntityDecode), a
 * backslash (jsDecode, cssDecode), whitespace, a comment opener. */
static const char arena_unit[] = "A%41%26lt;\\x41 \t/*b";

static void test_arena_exhaustion(void **state)
{
	struct ww_waf *w = load_limited(arena_rules_path, 0);
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_waf_result res;

	(void)state;
	assert_non_null(c);
	/* 1 KiB of it: room to spare. */
	eval_str(c, form_post(arena_unit, 1024), &res);
	assert_int_equal(res.incomplete, 0);

	/* 64 KiB ([http] body_depth's default): the body and its one
	 * argument each go through the ten chains, every step writing up
	 * to six times 64 KiB into the 8 MiB arena. */
	eval_str(c, form_post(arena_unit, BODY_DEPTH), &res);
	assert_int_equal(res.incomplete, WW_WAF_INCOMPLETE_ARENA);
	assert_string_equal(ids_of(&res), "");

	/* The arena is the request's: the next one has all of it. */
	eval_str(c, form_post(arena_unit, 1024), &res);
	assert_int_equal(res.incomplete, 0);
	/* 64 KiB of plain letters: most steps leave them as they are. */
	eval_str(c, form_post("abcdefgh", BODY_DEPTH), &res);
	assert_int_equal(res.incomplete, 0);

	ww_waf_ctx_free(c);
	ww_waf_free(w);
}

/* JSON bodies become ARGS_POST: what an API client sends must fit, and
 * 64 KiB of short strings is an ordinary request. */
static void test_arena_json_body(void **state)
{
	static const char item[] = "{\"name\":\"blue shirt\",\"size\":\"m\"},";
	struct ww_waf *w = load_limited(arena_rules_path, 0);
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_waf_result res;

	(void)state;
	assert_non_null(c);
	eval_str(c, post("application/json", "[", item, "{}]", 1024), &res);
	assert_int_equal(res.incomplete, 0);
	eval_str(c, post("application/json", "[", item, "{}]", 16384), &res);
	assert_int_equal(res.incomplete, 0);
	eval_str(c, post("application/json", "[", item, "{}]", BODY_DEPTH),
		 &res);
	assert_int_equal(res.incomplete, 0);
	ww_waf_ctx_free(c);
	ww_waf_free(w);
}

/* Scratch memory that runs out in the middle of a JSON body: the rest of
 * it is left out and the result says so; nothing is written through a
 * failed allocation. The strings carry escapes (decoded into arena
 * memory); at [http] body_depth's most, numbers before them fill the
 * arena with their names whatever the strings cost. */
static void test_arena_full_json_escapes(void **state)
{
	struct ww_waf *w = load_limited(arena_rules_path, 0);
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_waf_result res;
	char *req, *p;

	(void)state;
	assert_non_null(c);
	eval_str(c, post("application/json", "[", "\"a\\n\",", "\"\"]", 1024),
		 &res);
	assert_int_equal(res.incomplete, 0);
	eval_str(c, post("application/json", "[", "\"a\\n\",", "\"\"]", 16384),
		 &res);
	assert_int_equal(res.incomplete & ~WW_WAF_INCOMPLETE_ARENA, 0);

	/* 12345678, ... then, over the last quarter, "\n", ... */
	req = post("application/json", "[", "12345678,", "\"\"]",
		   BODY_DEPTH_MAX);
	p = strstr(req, "\r\n\r\n") + 4;
	for (p += BODY_DEPTH_MAX * 3 / 4; p[5] != '\0' && p[6] != '\0'; p += 5)
		memcpy(p, "\"\\n\",", 5);
	eval_str_depth(c, req, BODY_DEPTH_MAX, &res);
	assert_int_equal(res.incomplete, WW_WAF_INCOMPLETE_ARENA);
	ww_waf_ctx_free(c);
	ww_waf_free(w);
}

/* Scratch memory already gone when a rule sets the first TX variable:
 * the variable is lost (and the result says so), nothing else. */
static void test_arena_full_before_setvar(void **state)
{
	struct ww_waf *w = load_limited(tx_rules_path, 0);
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_waf_result res;

	(void)state;
	assert_non_null(c);
	eval_str(c, form_post("x", 1024), &res);
	assert_int_equal(res.incomplete, 0);
	assert_string_equal(ids_of(&res), "4002");
	/* A form of arguments "%=%": each name and value is URL-decoded
	 * into its own arena block, which fills to its last bytes before
	 * any rule runs. */
	eval_str_depth(c, form_post("%=%&", BODY_DEPTH_MAX), BODY_DEPTH_MAX,
		       &res);
	assert_int_equal(res.incomplete, WW_WAF_INCOMPLETE_ARENA);
	/* and the context serves the next request as before */
	eval_str(c, form_post("x", 1024), &res);
	assert_int_equal(res.incomplete, 0);
	assert_string_equal(ids_of(&res), "4002");
	ww_waf_ctx_free(c);
	ww_waf_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_see_only_their_sources),
		cmocka_unit_test(test_cache_round_trip_and_damage),
		cmocka_unit_test(test_regex_match_limit),
		cmocka_unit_test(test_regex_jit_stack),
		cmocka_unit_test(test_arena_exhaustion),
		cmocka_unit_test(test_arena_json_body),
		cmocka_unit_test(test_arena_full_json_escapes),
		cmocka_unit_test(test_arena_full_before_setvar),
		cmocka_unit_test(test_cache_only),
		cmocka_unit_test(test_cache_keeps_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
