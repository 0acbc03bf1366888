/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/http: fields of a parsed request, every split point (and one byte
 * at a time) giving the same result, pipelining, chunked bodies with
 * trailers, every RFC 9112 violation, path normalization and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ww_http.h"

static const struct ww_http_limits limits = {
	.max_request_line = 512,
	.max_headers = 32,
	.max_header_bytes = 2048,
	.body_depth = 64,
	.max_chunk_ext = 16,
};

static char head_buf[2048], work_buf[2048], body_buf[64];

static void init(struct ww_http_parser *p)
{
	ww_http_parser_init(p, &limits, head_buf, sizeof(head_buf), work_buf,
			    sizeof(work_buf), body_buf, sizeof(body_buf));
}

static int str_is(struct ww_http_str s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

/* A summary of what the parser saw, to compare runs. */
struct seen {
	int requests, heads, violation;
	char uris[8][128];
	char bodies[8][80];
	uint64_t body_bytes[8];
	int n_headers[8];
};

static void record(struct ww_http_parser *p, struct seen *s,
		   enum ww_http_event ev)
{
	if (ev == WW_HTTP_HEAD) {
		s->heads++;
	} else if (ev == WW_HTTP_REQUEST && s->requests < 8) {
		int r = s->requests++;

		snprintf(s->uris[r], sizeof(s->uris[r]), "%.*s %.*s",
			 (int)p->req.method.len, p->req.method.p,
			 (int)p->req.uri.len, p->req.uri.p);
		snprintf(s->bodies[r], sizeof(s->bodies[r]), "%.*s",
			 (int)p->req.body.len, p->req.body.p);
		s->body_bytes[r] = p->req.body_bytes;
		s->n_headers[r] = (int)p->req.n_headers;
	} else if (ev == WW_HTTP_VIOLATION) {
		s->violation = p->violation;
	}
}

/* Feed @text cut at the offsets in @cuts (ascending, may be empty). */
static void run(const char *text, size_t len, const size_t *cuts, size_t n_cuts,
		struct seen *s)
{
	struct ww_http_parser p;
	size_t start = 0, c;

	memset(s, 0, sizeof(*s));
	init(&p);
	for (c = 0; c <= n_cuts; c++) {
		size_t end = c < n_cuts ? cuts[c] : len, off = start;

		while (off < end) {
			size_t used;
			enum ww_http_event ev =
				ww_http_feed(&p, text + off, end - off, &used);

			record(&p, s, ev);
			off += used;
			if (ev == WW_HTTP_VIOLATION)
				return;
			if (ev == WW_HTTP_NEED_MORE)
				break;
		}
		start = end;
	}
}

static const char pipelined[] =
	"GET /a/./b/../c//d?x=1&y=%41%20b+c HTTP/1.1\r\n"
	"Host: example.com\r\n"
	"User-Agent: curl/7.88\r\n"
	"Cookie: session=abc; theme = dark\r\n"
	"\r\n"
	"POST /form HTTP/1.1\r\n"
	"Host: example.com\r\n"
	"Content-Length: 11\r\n"
	"\r\n"
	"hello=world"
	"POST /up HTTP/1.1\r\n"
	"Host: example.com\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n"
	"5;ext=1\r\nhello\r\n"
	"6\r\n world\r\n"
	"0\r\n"
	"X-Trailer: yes\r\n"
	"\r\n"
	"GET /last HTTP/1.0\r\n\r\n";

static void check_pipelined(const struct seen *s)
{
	assert_int_equal(s->violation, 0);
	assert_int_equal(s->requests, 4);
	assert_int_equal(s->heads, 2); /* the two requests with a body */
	assert_string_equal(s->uris[0], "GET /a/c/d?x=1&y=%41%20b+c");
	assert_string_equal(s->uris[1], "POST /form");
	assert_string_equal(s->bodies[1], "hello=world");
	assert_string_equal(s->uris[2], "POST /up");
	assert_string_equal(s->bodies[2], "hello world");
	assert_int_equal(s->body_bytes[2], 11);
	assert_string_equal(s->uris[3], "GET /last");
	assert_int_equal(s->n_headers[0], 3);
}

static void test_fields(void **state)
{
	struct ww_http_parser p;
	size_t used;

	(void)state;
	init(&p);
	assert_int_equal(
		ww_http_feed(&p, pipelined, sizeof(pipelined) - 1, &used),
		WW_HTTP_REQUEST);
	assert_true(str_is(p.req.method, "GET"));
	assert_true(str_is(p.req.uri_raw, "/a/./b/../c//d?x=1&y=%41%20b+c"));
	assert_true(str_is(p.req.path, "/a/c/d"));
	assert_true(str_is(p.req.query, "x=1&y=%41%20b+c"));
	assert_true(str_is(p.req.host, "example.com"));
	assert_true(str_is(p.req.user_agent, "curl/7.88"));
	assert_int_equal(p.req.n_args, 2);
	assert_true(str_is(p.req.args[1].name, "y"));
	assert_true(str_is(p.req.args[1].value, "A b c"));
	assert_int_equal(p.req.n_cookies, 2);
	assert_true(str_is(p.req.cookies[0].name, "session"));
	assert_true(str_is(p.req.cookies[1].name, "theme"));
	assert_true(str_is(p.req.cookies[1].value, "dark"));
	assert_true(str_is(p.req.headers[2].name, "Cookie"));
}

static void test_pipelined_whole(void **state)
{
	struct seen s;

	(void)state;
	run(pipelined, sizeof(pipelined) - 1, NULL, 0, &s);
	check_pipelined(&s);
}

static void test_every_split_point(void **state)
{
	const size_t len = sizeof(pipelined) - 1;
	struct seen s;
	size_t k, j;

	(void)state;
	for (k = 1; k < len; k++) {
		run(pipelined, len, &k, 1, &s);
		check_pipelined(&s);
	}
	/* And every pair of cuts near the framing-critical bytes. */
	for (k = 1; k < len; k += 7)
		for (j = k + 1; j < len; j += 13) {
			size_t cuts[2] = {k, j};

			run(pipelined, len, cuts, 2, &s);
			check_pipelined(&s);
		}
}

static void test_one_byte_at_a_time(void **state)
{
	const size_t len = sizeof(pipelined) - 1;
	size_t cuts[sizeof(pipelined)], k;
	struct seen s;

	(void)state;
	for (k = 1; k < len; k++)
		cuts[k - 1] = k;
	run(pipelined, len, cuts, len - 1, &s);
	check_pipelined(&s);
}

static void test_bare_lf_and_leading_empty_lines(void **state)
{
	static const char t[] = "\r\n\nGET / HTTP/1.1\nHost: a\n\n";
	struct seen s;

	(void)state;
	run(t, sizeof(t) - 1, NULL, 0, &s);
	assert_int_equal(s.violation, 0);
	assert_int_equal(s.requests, 1);
}

static const struct {
	const char *text;
	enum ww_http_violation want;
} violations[] = {
	{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	 "Transfer-Encoding: chunked\r\n\r\n",
	 WW_HTTP_CL_AND_TE},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	 "Content-Length: 4\r\n\r\n",
	 WW_HTTP_CL_CONFLICT},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\n",
	 WW_HTTP_CL_INVALID},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
	 WW_HTTP_CL_INVALID},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	 WW_HTTP_TE_NOT_CHUNKED_LAST},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
	 WW_HTTP_TE_UNKNOWN},
	{"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n",
	 WW_HTTP_OBS_FOLD},
	{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n",
	 WW_HTTP_SPACE_BEFORE_COLON},
	{"GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", WW_HTTP_BARE_CR},
	{"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n",
	 WW_HTTP_BAD_HEADER_VALUE},
	{"GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
	 WW_HTTP_BAD_HEADER_VALUE},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	 "zz\r\n",
	 WW_HTTP_CHUNK_SIZE_INVALID},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	 "fffffffffffffffffff\r\n",
	 WW_HTTP_CHUNK_SIZE_OVERFLOW},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	 "1;aaaaaaaaaaaaaaaaaaaaaaaa\r\n",
	 WW_HTTP_CHUNK_EXT_TOO_LONG},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	 "1\r\nabc\r\n",
	 WW_HTTP_CHUNK_DATA_BAD_END},
	{"GET / HTTP/1.1\r\nX: 1\r\n\r\n", WW_HTTP_HOST_MISSING},
	{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	 WW_HTTP_HOST_DUPLICATE},
	{"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", WW_HTTP_BAD_METHOD},
	{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", WW_HTTP_BAD_REQUEST_LINE},
	{"GET /\r\nHost: a\r\n\r\n", WW_HTTP_BAD_REQUEST_LINE},
	{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", WW_HTTP_BAD_VERSION},
	{"GET / HTTP/1.1\r\nHost: a\r\nBad[Name]: 1\r\n\r\n",
	 WW_HTTP_BAD_HEADER_NAME},
};

static void test_every_violation(void **state)
{
	unsigned int i, seen_kinds = 0;
	uint32_t kinds = 0;

	(void)state;
	for (i = 0; i < sizeof(violations) / sizeof(violations[0]); i++) {
		const char *t = violations[i].text;
		/* NUL inside the text: use the full literal length. */
		size_t len = strlen(t);
		struct seen s;

		if (violations[i].want == WW_HTTP_BAD_HEADER_VALUE &&
		    strstr(t, "X: a") != NULL && t[strlen(t) - 1] != '\n')
			len = strlen(t) + 1 + strlen(t + strlen(t) + 1);
		run(t, len, NULL, 0, &s);
		if (s.violation != (int)violations[i].want)
			fail_msg("case %u: want %s, got %s", i,
				 ww_http_violation_name(violations[i].want),
				 ww_http_violation_name(s.violation));
		assert_int_equal(s.requests, 0);
		kinds |= 1u << violations[i].want;
	}
	for (i = 1; i < WW_HTTP_VIOLATION_MAX; i++)
		seen_kinds += (kinds >> i) & 1;
	/* The limits and the response-only status line have their own
	 * tests. */
	assert_int_equal(seen_kinds, WW_HTTP_VIOLATION_MAX - 1 - 4);
}

static void test_limits(void **state)
{
	char buf[4096];
	struct seen s;
	int i, n;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	run(buf, 600, NULL, 0, &s);
	assert_int_equal(s.violation, WW_HTTP_REQUEST_LINE_TOO_LONG);

	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < 40; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X%d: 1\r\n",
			      i);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n");
	run(buf, (size_t)n, NULL, 0, &s);
	assert_int_equal(s.violation, WW_HTTP_TOO_MANY_HEADERS);

	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(buf + n, 'b', 2500);
	run(buf, (size_t)n + 2500, NULL, 0, &s);
	assert_int_equal(s.violation, WW_HTTP_HEADERS_TOO_LARGE);
}

static void test_body_depth(void **state)
{
	char buf[512];
	struct ww_http_parser p;
	size_t used, off = 0;
	int n = snprintf(
		buf, sizeof(buf),
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n");
	enum ww_http_event ev;

	(void)state;
	memset(buf + n, 'z', 200);
	init(&p);
	do {
		ev = ww_http_feed(&p, buf + off, (size_t)n + 200 - off, &used);
		off += used;
	} while (ev == WW_HTTP_HEAD);
	assert_int_equal(ev, WW_HTTP_REQUEST);
	assert_int_equal(p.req.body.len, 64);
	assert_true(p.req.body_truncated);
	assert_int_equal(p.req.body_bytes, 200);
}

static void test_normalize(void **state)
{
	static const char *const cases[][2] = {
		{"/", "/"},
		{"", "/"},
		{"/a/b/c", "/a/b/c"},
		{"/a/./b", "/a/b"},
		{"/a/../b", "/b"},
		{"/../../etc/passwd", "/etc/passwd"},
		{"/a//b///c", "/a/b/c"},
		{"/a/%2e%2e/b", "/b"},
		{"/a%2f..%2fb", "/b"},
		{"/a/b/..", "/a/"},
		{"/a/b/.", "/a/b/"},
		{"/%41%42", "/AB"},
		{"/%zz", "/%zz"},
		{"/a/...", "/a/..."},
	};
	char out[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t n = ww_http_normalize_path(
			cases[i][0], (uint32_t)strlen(cases[i][0]), out,
			sizeof(out));

		out[n] = '\0';
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("'%s' -> '%s', want '%s'", cases[i][0], out,
				 cases[i][1]);
	}
}

/*
 * Responses: every framing rule of RFC 9112 6.3 in one keep-alive
 * stream. The fourth response answers a HEAD request: its Content-Length
 * announces a body that never comes. The last one has no length and runs
 * until the connection closes.
 */
static const char responses[] =
	"HTTP/1.1 100 Continue\r\n\r\n"
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
	"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
	"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
	"HTTP/1.1 304 Not Modified\r\n\r\n"
	"HTTP/1.1 404 \r\nTransfer-Encoding: chunked\r\n\r\n"
	"4\r\nnope\r\n0\r\nX-T: 1\r\n\r\n"
	"HTTP/1.1 302 Found\r\nContent-Length: 12\r\n"
	"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the end";

struct resp_seen {
	int n, violation, heads;
	uint16_t status[12];
	uint64_t body[12];
	uint64_t open_body; /* body bytes of the unfinished last response */
};

static void run_responses(const char *text, size_t len, size_t step, size_t cut,
			  struct resp_seen *s)
{
	struct ww_http_parser p;
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	ww_http_parser_init_response(&p, &limits, head_buf, sizeof(head_buf));
	while (off < len) {
		size_t end = off + step, used;
		enum ww_http_event ev;

		if (end > len)
			end = len;
		if (cut > off && cut < end)
			end = cut;
		/* Response 3 (counting from 0) answers a HEAD request. */
		ww_http_expect_no_body(&p, s->n == 3);
		ev = ww_http_feed(&p, text + off, end - off, &used);
		off += used;
		if (ev == WW_HTTP_HEAD)
			s->heads++;
		if (ev == WW_HTTP_REQUEST && s->n < 12) {
			s->status[s->n] = p.req.status;
			s->body[s->n++] = p.req.body_bytes;
		}
		if (ev == WW_HTTP_VIOLATION) {
			s->violation = p.violation;
			return;
		}
	}
	s->open_body = p.req.body_bytes;
	assert_true(p.req.head_done);
	assert_int_equal(p.req.status, 200);
}

static void check_responses(const struct resp_seen *s)
{
	static const uint16_t status[] = {100, 200, 204, 200, 304, 404, 302};
	static const uint64_t body[] = {0, 5, 0, 0, 0, 4, 3};
	int i;

	assert_int_equal(s->violation, 0);
	assert_int_equal(s->n, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(s->status[i], status[i]);
		assert_int_equal(s->body[i], body[i]);
	}
	assert_int_equal(s->open_body, strlen("until the end"));
}

static void test_responses(void **state)
{
	const size_t len = sizeof(responses) - 1;
	struct resp_seen s;
	size_t cut;

	(void)state;
	run_responses(responses, len, len, 0, &s);
	check_responses(&s);
	run_responses(responses, len, 1, 0, &s);
	check_responses(&s);
	for (cut = 1; cut < len; cut++) {
		run_responses(responses, len, len, cut, &s);
		check_responses(&s);
	}
}

static void test_bad_status_lines(void **state)
{
	static const char *const bad[] = {
		"HTTP/2.0 200 OK\r\n\r\n",     "HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",    "HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1 abc OK\r\n\r\n",     "GET / HTTP/1.1\r\n\r\n",
		"HTTP/1.1 200 O\x01K\r\n\r\n",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ww_http_parser p;
		size_t used;

		ww_http_parser_init_response(&p, &limits, head_buf,
					     sizeof(head_buf));
		if (ww_http_feed(&p, bad[i], strlen(bad[i]), &used) !=
		    WW_HTTP_VIOLATION)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(p.violation, WW_HTTP_BAD_STATUS_LINE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_pipelined_whole),
		cmocka_unit_test(test_every_split_point),
		cmocka_unit_test(test_one_byte_at_a_time),
		cmocka_unit_test(test_bare_lf_and_leading_empty_lines),
		cmocka_unit_test(test_every_violation),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_body_depth),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_bad_status_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
