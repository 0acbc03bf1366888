/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/waf on small rule sets: a value is matched against the rules that
 * read its source (one Hyperscan database per chain, source and selected
 * key), transformations skipped by byte classes still give ModSecurity's
 * results, and the compile cache gives the same verdicts as a compile,
 * refuses damaged files and unsafe directories.
 */
#include <dirent.h>
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

static char dir[64], rules_path[96], cache_dir[96];

static int setup(void **state)
{
	FILE *f;

	(void)state;
	strcpy(dir, "/tmp/ww_test_waf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(rules_path, sizeof(rules_path), "%s/site.conf", dir);
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", dir);
	f = fopen(rules_path, "w");
	if (f == NULL)
		return -1;
	fputs(rules_text, f);
	fclose(f);
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

/* The ids of the rules @raw (one HTTP request) matches, as "1001,1005". */
static const char *verdict(struct ww_waf *w, const char *raw)
{
	static char out[256], head[8192], work[8192], body[8192];
	static const struct ww_http_limits lim = {
		.max_request_line = 8192,
		.max_headers = 64,
		.max_header_bytes = sizeof(head),
		.body_depth = sizeof(body),
		.max_chunk_ext = 256,
	};
	const struct ww_waf_peer peer = {4, {127, 0, 0, 1}};
	struct ww_waf_ctx *c = ww_waf_ctx_new(w);
	struct ww_http_parser p;
	struct ww_waf_result res;
	size_t used = 0, off = 0, len = strlen(raw);
	unsigned int i;
	int k = 0;

	assert_non_null(c);
	ww_http_parser_init(&p, &lim, head, sizeof(head), work, sizeof(work),
			    body, sizeof(body));
	while (off < len &&
	       ww_http_feed(&p, raw + off, len - off, &used) != WW_HTTP_REQUEST)
		off += used;
	assert_true(p.req.head_done);
	ww_waf_eval(c, &p.req, &peer, &res);
	out[0] = '\0';
	for (i = 0; i < res.n_ids; i++)
		k += snprintf(out + k, sizeof(out) - (size_t)k, "%s%u",
			      i ? "," : "", res.ids[i]);
	ww_waf_ctx_free(c);
	return out;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_see_only_their_sources),
		cmocka_unit_test(test_cache_round_trip_and_damage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
