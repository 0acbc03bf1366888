/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 request parser (fast path). See ww_http.h. */
#include <string.h>

#include "ww_http.h"

enum {
	ST_HEAD = 0, /* collecting the request head */
	ST_BODY_CL,  /* Content-Length body */
	ST_CHUNK,    /* chunked body: see chunk_state */
	ST_BODY_EOF, /* response body delimited by the connection's end */
	ST_DONE,     /* request delivered; reset on the next feed */
	ST_DEAD,     /* violation: nothing more is parsed */
};

enum {
	CS_SIZE = 0, /* hex digits */
	CS_EXT,	     /* after the size: extensions up to the line end */
	CS_SIZE_LF,  /* CR seen at the end of the size line */
	CS_DATA,
	CS_DATA_CR, /* expecting CR (or LF) after the data */
	CS_DATA_LF,
	CS_TRAILER,    /* at the start of a trailer line */
	CS_TRAILER_LN, /* inside a trailer line */
	CS_TRAILER_CR, /* CR seen */
	CS_END_LF,     /* CR seen on the final empty line */
};

/* Largest chunk size accepted: far above anything real, far below
 * overflow of the 64-bit counters. */
#define MAX_CHUNK_SIZE	   (1ull << 40)
#define MAX_CONTENT_LENGTH (1ull << 50)

static const char *const violation_names[WW_HTTP_VIOLATION_MAX] = {
	[WW_HTTP_OK] = "ok",
	[WW_HTTP_BAD_REQUEST_LINE] = "bad_request_line",
	[WW_HTTP_BAD_METHOD] = "bad_method",
	[WW_HTTP_BAD_VERSION] = "bad_version",
	[WW_HTTP_BAD_HEADER_NAME] = "bad_header_name",
	[WW_HTTP_SPACE_BEFORE_COLON] = "space_before_colon",
	[WW_HTTP_OBS_FOLD] = "obs_fold",
	[WW_HTTP_BARE_CR] = "bare_cr",
	[WW_HTTP_BAD_HEADER_VALUE] = "bad_header_value",
	[WW_HTTP_CL_AND_TE] = "cl_and_te",
	[WW_HTTP_CL_INVALID] = "cl_invalid",
	[WW_HTTP_CL_CONFLICT] = "cl_conflict",
	[WW_HTTP_TE_NOT_CHUNKED_LAST] = "te_not_chunked_last",
	[WW_HTTP_TE_UNKNOWN] = "te_unknown",
	[WW_HTTP_CHUNK_SIZE_INVALID] = "chunk_size_invalid",
	[WW_HTTP_CHUNK_SIZE_OVERFLOW] = "chunk_size_overflow",
	[WW_HTTP_CHUNK_EXT_TOO_LONG] = "chunk_ext_too_long",
	[WW_HTTP_CHUNK_DATA_BAD_END] = "chunk_data_bad_end",
	[WW_HTTP_HOST_MISSING] = "host_missing",
	[WW_HTTP_HOST_DUPLICATE] = "host_duplicate",
	[WW_HTTP_REQUEST_LINE_TOO_LONG] = "request_line_too_long",
	[WW_HTTP_HEADERS_TOO_LARGE] = "headers_too_large",
	[WW_HTTP_TOO_MANY_HEADERS] = "too_many_headers",
	[WW_HTTP_BAD_STATUS_LINE] = "bad_status_line",
};

const char *ww_http_violation_name(enum ww_http_violation v)
{
	return (unsigned int)v < WW_HTTP_VIOLATION_MAX ? violation_names[v]
						       : "unknown";
}

/* tchar of RFC 9110 5.6.2 */
static bool is_tchar(unsigned char c)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr(extra, c) != NULL);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool str_ieq(struct ww_http_str s, const char *lit)
{
	size_t n = strlen(lit), i;

	if (s.len != n)
		return false;
	for (i = 0; i < n; i++) {
		char a = s.p[i], b = lit[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static struct ww_http_str trim_ows(const char *p, uint32_t len)
{
	struct ww_http_str s = {p, len};

	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

void ww_http_parser_init(struct ww_http_parser *p,
			 const struct ww_http_limits *lim, char *head,
			 uint32_t head_cap, char *work, uint32_t work_cap,
			 char *body, uint32_t body_cap)
{
	memset(p, 0, sizeof(*p));
	p->lim = *lim;
	if (p->lim.max_header_bytes > head_cap)
		p->lim.max_header_bytes = head_cap;
	if (p->lim.body_depth > body_cap)
		p->lim.body_depth = body_cap;
	p->head = head;
	p->head_cap = head_cap;
	p->work = work;
	p->work_cap = work_cap;
	p->body_buf = body;
	p->body_cap = body_cap;
	p->req.body.p = body;
}

void ww_http_parser_init_response(struct ww_http_parser *p,
				  const struct ww_http_limits *lim, char *head,
				  uint32_t head_cap)
{
	struct ww_http_limits l = *lim;

	l.body_depth = 0;
	ww_http_parser_init(p, &l, head, head_cap, NULL, 0, NULL, 0);
	p->response = 1;
}

/* Percent-decode @in into @out (at most @cap); '+' is a space in query
 * arguments (@plus). Malformed escapes are kept as they are. */
static uint32_t pct_decode(const char *in, uint32_t len, char *out,
			   uint32_t cap, bool plus)
{
	uint32_t i, o = 0;

	for (i = 0; i < len && o < cap; i++) {
		int h, l;

		if (in[i] == '%' && i + 2 < len &&
		    (h = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)in[i + 2])) >= 0) {
			out[o++] = (char)(h << 4 | l);
			i += 2;
		} else if (plus && in[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = in[i];
		}
	}
	return o;
}

uint32_t ww_http_normalize_path(const char *in, uint32_t len, char *out,
				uint32_t cap)
{
	uint32_t n, r = 0, o = 0;

	/* Decode first, so that %2e%2e and %2f resolve like ".." and "/":
	 * the server will decode them too. */
	n = pct_decode(in, len, out, cap, false);
	while (r < n) {
		uint32_t seg_end;

		/* Collapse runs of '/'. */
		if (out[r] == '/') {
			while (r < n && out[r] == '/')
				r++;
			if (o == 0 || out[o - 1] != '/')
				out[o++] = '/';
			continue;
		}
		seg_end = r;
		while (seg_end < n && out[seg_end] != '/')
			seg_end++;
		if (seg_end - r == 1 && out[r] == '.') {
			/* "." : drop */
		} else if (seg_end - r == 2 && out[r] == '.' &&
			   out[r + 1] == '.') {
			/* "..": back up one segment, never above the root */
			if (o > 1) {
				o--; /* the '/' before this segment */
				while (o > 0 && out[o - 1] != '/')
					o--;
			}
			if (o == 0)
				out[o++] = '/';
		} else {
			/* Writing left of (or at) the read position is safe. */
			memmove(out + o, out + r, seg_end - r);
			o += seg_end - r;
		}
		r = seg_end;
	}
	if (o == 0 && cap > 0)
		out[o++] = '/';
	return o;
}

static enum ww_http_violation set_violation(struct ww_http_parser *p,
					    enum ww_http_violation v)
{
	p->violation = v;
	p->state = ST_DEAD;
	return v;
}

/* Parse "a=1&b=2" into req->args, decoded, in the work buffer. */
static void parse_args(struct ww_http_request *req, struct ww_http_str q,
		       char *work, uint32_t cap, uint32_t *used)
{
	uint32_t i = 0;

	while (i < q.len && req->n_args < WW_HTTP_MAX_ARGS) {
		uint32_t end = i, eq;
		struct ww_http_field *a = &req->args[req->n_args];

		while (end < q.len && q.p[end] != '&')
			end++;
		eq = i;
		while (eq < end && q.p[eq] != '=')
			eq++;
		if (end > i) {
			a->name.p = work + *used;
			a->name.len = pct_decode(q.p + i, eq - i, work + *used,
						 cap - *used, true);
			*used += a->name.len;
			a->value.p = work + *used;
			a->value.len = eq < end ? pct_decode(q.p + eq + 1,
							     end - eq - 1,
							     work + *used,
							     cap - *used, true)
						: 0;
			*used += a->value.len;
			req->n_args++;
		}
		i = end + 1;
	}
}

static void parse_cookies(struct ww_http_request *req, struct ww_http_str v)
{
	uint32_t i = 0;

	while (i < v.len && req->n_cookies < WW_HTTP_MAX_COOKIES) {
		uint32_t end = i, eq;
		struct ww_http_field *c = &req->cookies[req->n_cookies];
		struct ww_http_str item;

		while (end < v.len && v.p[end] != ';')
			end++;
		item = trim_ows(v.p + i, end - i);
		eq = 0;
		while (eq < item.len && item.p[eq] != '=')
			eq++;
		if (item.len > 0) {
			c->name = trim_ows(item.p, eq);
			c->value =
				eq < item.len
					? trim_ows(item.p + eq + 1,
						   item.len - eq - 1)
					: (struct ww_http_str){item.p + eq, 0};
			req->n_cookies++;
		}
		i = end + 1;
	}
}

/* Transfer-Encoding: codings, in order, across all the TE fields. */
static enum ww_http_violation check_te(struct ww_http_str v, bool *last_chunked,
				       bool *any)
{
	uint32_t i = 0;

	while (i <= v.len) {
		uint32_t end = i;
		struct ww_http_str c;

		while (end < v.len && v.p[end] != ',')
			end++;
		c = trim_ows(v.p + i, end - i);
		if (c.len > 0) {
			*any = true;
			if (str_ieq(c, "chunked")) {
				*last_chunked = true;
			} else if (str_ieq(c, "gzip") ||
				   str_ieq(c, "deflate") ||
				   str_ieq(c, "compress") ||
				   str_ieq(c, "x-gzip") ||
				   str_ieq(c, "x-compress")) {
				*last_chunked = false;
			} else {
				return WW_HTTP_TE_UNKNOWN;
			}
		}
		i = end + 1;
	}
	return WW_HTTP_OK;
}

static enum ww_http_violation check_cl(struct ww_http_str v, bool *have,
				       uint64_t *cl)
{
	uint64_t n = 0;
	uint32_t i;

	if (v.len == 0)
		return WW_HTTP_CL_INVALID;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return WW_HTTP_CL_INVALID;
		n = n * 10 + (uint64_t)(v.p[i] - '0');
		if (n > MAX_CONTENT_LENGTH)
			return WW_HTTP_CL_INVALID;
	}
	if (*have && n != *cl)
		return WW_HTTP_CL_CONFLICT;
	*have = true;
	*cl = n;
	return WW_HTTP_OK;
}

/* "HTTP/1.1 200 OK" in @h[0, @len). The reason phrase may be empty. */
static enum ww_http_violation parse_status_line(struct ww_http_request *req,
						const char *h, uint32_t len)
{
	uint32_t i;

	if (len < 12 || memcmp(h, "HTTP/1.", 7) != 0 ||
	    (h[7] != '0' && h[7] != '1') || h[8] != ' ' ||
	    (len > 12 && h[12] != ' '))
		return WW_HTTP_BAD_STATUS_LINE;
	req->status = 0;
	for (i = 9; i < 12; i++) {
		if (h[i] < '0' || h[i] > '9')
			return WW_HTTP_BAD_STATUS_LINE;
		req->status = (uint16_t)(req->status * 10 + (h[i] - '0'));
	}
	if (req->status < 100)
		return WW_HTTP_BAD_STATUS_LINE;
	for (i = 13; i < len; i++) {
		unsigned char c = (unsigned char)h[i];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return WW_HTTP_BAD_STATUS_LINE;
	}
	req->version = (struct ww_http_str){h, 8};
	return WW_HTTP_OK;
}

/* The head is complete in p->head[0, head_len): parse it all. */
static enum ww_http_violation parse_head(struct ww_http_parser *p)
{
	struct ww_http_request *req = &p->req;
	const char *h = p->head;
	const uint32_t n = p->head_len;
	uint32_t pos = 0, line_end, used = 0, sp1, sp2, i, n_host = 0;
	bool have_cl = false, te_any = false, te_chunked = false;
	struct ww_http_str qs = {NULL, 0}, target;
	enum ww_http_violation v;

	/* Request or status line. */
	line_end = 0;
	while (line_end < n && h[line_end] != '\n')
		line_end++;
	i = line_end;
	if (i > 0 && h[i - 1] == '\r')
		i--;
	if (p->response) {
		v = parse_status_line(req, h, i);
		if (v != WW_HTTP_OK)
			return v;
		goto fields;
	}
	for (sp1 = 0; sp1 < i && h[sp1] != ' '; sp1++)
		;
	for (sp2 = sp1 + 1; sp2 < i && h[sp2] != ' '; sp2++)
		;
	if (sp1 == 0 || sp1 >= i || sp2 >= i || sp2 == sp1 + 1 ||
	    memchr(h + sp2 + 1, ' ', i - sp2 - 1) != NULL)
		return WW_HTTP_BAD_REQUEST_LINE;
	for (pos = 0; pos < sp1; pos++)
		if (!is_tchar((unsigned char)h[pos]))
			return WW_HTTP_BAD_METHOD;
	for (pos = sp1 + 1; pos < sp2; pos++)
		if ((unsigned char)h[pos] <= ' ' || h[pos] == 0x7f)
			return WW_HTTP_BAD_REQUEST_LINE;
	req->method = (struct ww_http_str){h, sp1};
	req->uri_raw = (struct ww_http_str){h + sp1 + 1, sp2 - sp1 - 1};
	req->version = (struct ww_http_str){h + sp2 + 1, i - sp2 - 1};
	if (req->version.len != 8 ||
	    memcmp(req->version.p, "HTTP/1.", 7) != 0 ||
	    (req->version.p[7] != '0' && req->version.p[7] != '1'))
		return WW_HTTP_BAD_VERSION;

fields:
	/* Header fields. */
	pos = line_end + 1;
	while (pos < n) {
		uint32_t end = pos, colon, name_end;
		struct ww_http_field *fld;
		struct ww_http_str value;

		while (end < n && h[end] != '\n')
			end++;
		i = end;
		if (i > pos && h[i - 1] == '\r')
			i--;
		if (i == pos)
			break; /* the empty line */
		if (h[pos] == ' ' || h[pos] == '\t')
			return WW_HTTP_OBS_FOLD;
		if (req->n_headers >= p->lim.max_headers ||
		    req->n_headers >= WW_HTTP_MAX_HEADERS)
			return WW_HTTP_TOO_MANY_HEADERS;
		for (colon = pos; colon < i && h[colon] != ':'; colon++)
			;
		for (name_end = pos;
		     name_end < colon && is_tchar((unsigned char)h[name_end]);
		     name_end++)
			;
		if (colon == i || name_end == pos)
			return WW_HTTP_BAD_HEADER_NAME;
		if (name_end != colon) {
			/* "Name :" is the classic smuggling vector. */
			for (; name_end < colon; name_end++)
				if (h[name_end] != ' ' && h[name_end] != '\t')
					return WW_HTTP_BAD_HEADER_NAME;
			return WW_HTTP_SPACE_BEFORE_COLON;
		}
		for (name_end = colon + 1; name_end < i; name_end++) {
			unsigned char c = (unsigned char)h[name_end];

			if ((c < ' ' && c != '\t') || c == 0x7f)
				return WW_HTTP_BAD_HEADER_VALUE;
		}
		value = trim_ows(h + colon + 1, i - colon - 1);
		fld = &req->headers[req->n_headers++];
		fld->name = (struct ww_http_str){h + pos, colon - pos};
		fld->value = value;

		if (str_ieq(fld->name, "content-length")) {
			v = check_cl(value, &have_cl, &req->content_length);
			if (v != WW_HTTP_OK)
				return v;
		} else if (str_ieq(fld->name, "transfer-encoding")) {
			v = check_te(value, &te_chunked, &te_any);
			if (v != WW_HTTP_OK)
				return v;
		} else if (p->response) {
			/* Only the framing matters in a response. */
		} else if (str_ieq(fld->name, "host")) {
			n_host++;
			req->host = value;
		} else if (str_ieq(fld->name, "user-agent")) {
			req->user_agent = value;
		} else if (str_ieq(fld->name, "content-type")) {
			req->content_type = value;
		} else if (str_ieq(fld->name, "cookie")) {
			parse_cookies(req, value);
		}
		pos = end + 1;
	}

	if (p->response) {
		/* RFC 9112 6.3: in a response, Transfer-Encoding overrides
		 * Content-Length, and a body whose last coding is not
		 * chunked runs until the connection closes. */
		req->chunked = te_any && te_chunked;
		if (te_any && !te_chunked)
			req->content_length = UINT64_MAX;
		else if (!te_any && !have_cl)
			req->content_length = UINT64_MAX;
		return WW_HTTP_OK;
	}
	/* Framing (RFC 9112 6.1, 6.3). */
	if (te_any && have_cl)
		return WW_HTTP_CL_AND_TE;
	if (te_any && !te_chunked)
		return WW_HTTP_TE_NOT_CHUNKED_LAST;
	req->chunked = te_any;
	if (req->version.p[7] == '1' && n_host == 0)
		return WW_HTTP_HOST_MISSING;
	if (n_host > 1)
		return WW_HTTP_HOST_DUPLICATE;

	/* Derived views: normalized path, URI, decoded arguments. */
	target = req->uri_raw;
	for (i = 0; i < target.len && target.p[i] != '?'; i++)
		;
	if (i < target.len)
		qs = (struct ww_http_str){target.p + i + 1, target.len - i - 1};
	req->query = qs;
	req->path.p = p->work;
	req->path.len =
		ww_http_normalize_path(target.p, i, p->work, p->work_cap);
	used = req->path.len;
	req->uri.p = p->work;
	req->uri.len = req->path.len;
	if (qs.p != NULL && used + 1 + qs.len <= p->work_cap) {
		p->work[used++] = '?';
		memcpy(p->work + used, qs.p, qs.len);
		used += qs.len;
		req->uri.len = used;
	}
	if (qs.len > 0)
		parse_args(req, qs, p->work, p->work_cap, &used);
	return WW_HTTP_OK;
}

static void keep_body(struct ww_http_parser *p, const char *d, size_t n)
{
	struct ww_http_request *req = &p->req;
	uint64_t room = p->lim.body_depth > req->body.len
				? p->lim.body_depth - req->body.len
				: 0;
	size_t k = n < room ? n : (size_t)room;

	if (k > 0) {
		memcpy(p->body_buf + req->body.len, d, k);
		req->body.len += (uint32_t)k;
	}
	if (k < n)
		req->body_truncated = true;
	req->body_bytes += n;
}

static void start_request(struct ww_http_parser *p)
{
	memset(&p->req, 0, sizeof(p->req));
	p->req.body.p = p->body_buf;
	p->head_len = 0;
	p->crlf_state = 0;
	p->line_len = 0;
	p->first_line_done = 0;
	p->state = ST_HEAD;
}

/* Collect head bytes. @return true when the head is complete (the empty
 * line seen), false when more is needed or on a violation. */
static bool collect_head(struct ww_http_parser *p, const char *d, size_t len,
			 size_t *i)
{
	while (*i < len) {
		char c = d[*i];

		/* Empty lines before a request line are ignored (RFC 9112
		 * 2.2); crlf_state 2 is a CR among them awaiting its LF. */
		if (p->head_len == 0) {
			if (p->crlf_state == 2) {
				if (c != '\n') {
					set_violation(p, WW_HTTP_BARE_CR);
					return false;
				}
				p->crlf_state = 0;
				(*i)++;
				continue;
			}
			if (c == '\n' || c == '\r') {
				p->crlf_state = c == '\r' ? 2 : 0;
				(*i)++;
				continue;
			}
		}
		/* A CR must be followed by LF; the LF may come in the next
		 * segment, so the check is made on the byte after the CR. */
		if (p->head_len > 0 && p->head[p->head_len - 1] == '\r' &&
		    c != '\n') {
			set_violation(p, WW_HTTP_BARE_CR);
			return false;
		}
		if (p->head_len >= p->lim.max_header_bytes) {
			set_violation(p, WW_HTTP_HEADERS_TOO_LARGE);
			return false;
		}
		p->head[p->head_len++] = c;
		(*i)++;
		if (c == '\n') {
			/* Length of the line without its CR LF. */
			uint32_t line = p->line_len;

			if (line > 0 && p->head[p->head_len - 2] == '\r')
				line--;
			p->line_len = 0;
			if (!p->first_line_done) {
				if (line > p->lim.max_request_line) {
					set_violation(
						p,
						WW_HTTP_REQUEST_LINE_TOO_LONG);
					return false;
				}
				p->first_line_done = 1;
			} else if (line == 0) {
				return true;
			}
		} else if (++p->line_len > p->lim.max_request_line + 1 &&
			   !p->first_line_done) {
			set_violation(p, WW_HTTP_REQUEST_LINE_TOO_LONG);
			return false;
		}
	}
	return false;
}

/* One step of the chunked body. @return false on a violation. */
static bool chunk_step(struct ww_http_parser *p, const char *d, size_t len,
		       size_t *i)
{
	char c = d[*i];
	int hv;

	switch (p->chunk_state) {
	case CS_SIZE:
		hv = hexval((unsigned char)c);
		if (hv >= 0) {
			if (p->chunk_size > MAX_CHUNK_SIZE >> 4) {
				set_violation(p, WW_HTTP_CHUNK_SIZE_OVERFLOW);
				return false;
			}
			p->chunk_size = p->chunk_size << 4 | (uint64_t)hv;
			p->line_len++;
			(*i)++;
			return true;
		}
		if (p->line_len == 0 || (c != ';' && c != '\r' && c != '\n' &&
					 c != ' ' && c != '\t')) {
			set_violation(p, WW_HTTP_CHUNK_SIZE_INVALID);
			return false;
		}
		p->chunk_state = CS_EXT;
		p->ext_len = 0;
		return true; /* re-read c in CS_EXT */
	case CS_EXT:
		(*i)++;
		if (c == '\r') {
			p->chunk_state = CS_SIZE_LF;
			return true;
		}
		if (c == '\n')
			goto size_line_done;
		if (++p->ext_len > p->lim.max_chunk_ext) {
			set_violation(p, WW_HTTP_CHUNK_EXT_TOO_LONG);
			return false;
		}
		if ((unsigned char)c < ' ' && c != '\t') {
			set_violation(p, WW_HTTP_CHUNK_SIZE_INVALID);
			return false;
		}
		return true;
	case CS_SIZE_LF:
		if (c != '\n') {
			set_violation(p, WW_HTTP_BARE_CR);
			return false;
		}
		(*i)++;
	size_line_done:
		if (p->chunk_size == 0) {
			p->chunk_state = CS_TRAILER;
			p->line_len = 0;
			return true;
		}
		p->remaining = p->chunk_size;
		p->chunk_state = CS_DATA;
		return true;
	case CS_DATA: {
		size_t k = len - *i < p->remaining ? len - *i
						   : (size_t)p->remaining;

		keep_body(p, d + *i, k);
		*i += k;
		p->remaining -= k;
		if (p->remaining == 0)
			p->chunk_state = CS_DATA_CR;
		return true;
	}
	case CS_DATA_CR:
		(*i)++;
		if (c == '\r') {
			p->chunk_state = CS_DATA_LF;
			return true;
		}
		if (c != '\n') {
			set_violation(p, WW_HTTP_CHUNK_DATA_BAD_END);
			return false;
		}
		goto next_chunk;
	case CS_DATA_LF:
		(*i)++;
		if (c != '\n') {
			set_violation(p, WW_HTTP_CHUNK_DATA_BAD_END);
			return false;
		}
	next_chunk:
		p->chunk_state = CS_SIZE;
		p->chunk_size = 0;
		p->line_len = 0;
		return true;
	case CS_TRAILER:
		(*i)++;
		if (c == '\n')
			goto body_done;
		if (c == '\r') {
			p->chunk_state = CS_END_LF;
			return true;
		}
		p->chunk_state = CS_TRAILER_LN;
		p->line_len = 1;
		return true;
	case CS_TRAILER_LN:
		(*i)++;
		if (++p->line_len > p->lim.max_header_bytes) {
			set_violation(p, WW_HTTP_HEADERS_TOO_LARGE);
			return false;
		}
		if (c == '\n')
			p->chunk_state = CS_TRAILER;
		else if (c == '\r')
			p->chunk_state = CS_TRAILER_CR;
		else if (c == 0)
			return set_violation(p, WW_HTTP_BAD_HEADER_VALUE),
			       false;
		return true;
	case CS_TRAILER_CR:
	case CS_END_LF:
		if (c != '\n') {
			set_violation(p, WW_HTTP_BARE_CR);
			return false;
		}
		(*i)++;
		if (p->chunk_state == CS_TRAILER_CR) {
			p->chunk_state = CS_TRAILER;
			return true;
		}
	body_done:
		p->req.content_length = p->req.body_bytes;
		p->req.body_done = true;
		p->state = ST_DONE;
		return true;
	}
	return true;
}

/* RFC 9112 6.3 rules 1 and 2, for the response just parsed. */
static bool response_has_no_body(const struct ww_http_parser *p)
{
	const uint16_t s = p->req.status;

	return p->no_body || s < 200 || s == 204 || s == 304;
}

enum ww_http_event ww_http_feed(struct ww_http_parser *p, const char *d,
				size_t len, size_t *used)
{
	size_t i = 0;

	*used = 0;
	if (p->state == ST_DEAD)
		return WW_HTTP_VIOLATION;
	if (p->state == ST_DONE)
		start_request(p);

	while (i < len) {
		switch (p->state) {
		case ST_HEAD: {
			enum ww_http_violation v;

			if (!collect_head(p, d, len, &i)) {
				*used = i;
				return p->state == ST_DEAD ? WW_HTTP_VIOLATION
							   : WW_HTTP_NEED_MORE;
			}
			v = parse_head(p);
			if (v != WW_HTTP_OK) {
				set_violation(p, v);
				*used = i;
				return WW_HTTP_VIOLATION;
			}
			p->req.head_done = true;
			p->req.body.p = p->body_buf;
			if (p->response && response_has_no_body(p)) {
				p->req.content_length = 0;
				p->req.chunked = false;
			}
			if (p->req.chunked) {
				p->state = ST_CHUNK;
				p->chunk_state = CS_SIZE;
				p->chunk_size = 0;
				p->line_len = 0;
			} else if (p->req.content_length == 0) {
				/* No body: the request is complete now. */
				p->req.body_done = true;
				p->state = ST_DONE;
				p->requests++;
				*used = i;
				return WW_HTTP_REQUEST;
			} else if (p->req.content_length == UINT64_MAX) {
				p->state = ST_BODY_EOF;
			} else {
				p->state = ST_BODY_CL;
				p->remaining = p->req.content_length;
			}
			*used = i;
			return WW_HTTP_HEAD;
		}
		case ST_BODY_CL: {
			size_t k = len - i < p->remaining
					   ? len - i
					   : (size_t)p->remaining;

			keep_body(p, d + i, k);
			i += k;
			p->remaining -= k;
			if (p->remaining == 0) {
				p->req.body_done = true;
				p->state = ST_DONE;
				p->requests++;
				*used = i;
				return WW_HTTP_REQUEST;
			}
			break;
		}
		case ST_BODY_EOF:
			keep_body(p, d + i, len - i);
			i = len;
			break;
		case ST_CHUNK:
			if (!chunk_step(p, d, len, &i)) {
				*used = i;
				return WW_HTTP_VIOLATION;
			}
			if (p->state == ST_DONE) {
				p->requests++;
				*used = i;
				return WW_HTTP_REQUEST;
			}
			break;
		default:
			*used = i;
			return WW_HTTP_VIOLATION;
		}
	}
	*used = i;
	return WW_HTTP_NEED_MORE;
}
