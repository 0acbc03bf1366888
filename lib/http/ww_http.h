/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_HTTP_H
#define WW_HTTP_H

/*
 * Incremental HTTP/1.1 request parser for the bytes of one direction of a
 * connection, in order, as TCP reassembly hands them over, split
 * anywhere. The request head (request line and headers) is collected in
 * a caller-provided buffer until it is complete and then parsed in one
 * pass, so where the segments were cut can never change the result; the
 * body is then framed incrementally (Content-Length or chunked, with
 * trailers), and its first bytes, up to the inspection depth, are kept.
 * Pipelined requests on a keep-alive connection are parsed one after the
 * other.
 *
 * RFC 9112 is enforced: every ambiguity that lets two parsers disagree on
 * where a request ends (request smuggling) is a named violation, after
 * which the parser stops (the connection cannot be judged any further).
 *
 * No allocation: all memory is the struct and the buffers the caller
 * gives. dp-safe; one parser per connection direction.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Named violations (RFC 9112 sections in comments). Append only. */
enum ww_http_violation {
	WW_HTTP_OK = 0,
	WW_HTTP_BAD_REQUEST_LINE,      /* 3: not method SP target SP version */
	WW_HTTP_BAD_METHOD,	       /* 3.1: method is not a token */
	WW_HTTP_BAD_VERSION,	       /* 2.3 */
	WW_HTTP_BAD_HEADER_NAME,       /* 5: field name is not a token */
	WW_HTTP_SPACE_BEFORE_COLON,    /* 5.1: whitespace before ':' */
	WW_HTTP_OBS_FOLD,	       /* 5.2: continuation line */
	WW_HTTP_BARE_CR,	       /* 2.2: CR not followed by LF */
	WW_HTTP_BAD_HEADER_VALUE,      /* 5.5: NUL or other CTL in a value */
	WW_HTTP_CL_AND_TE,	       /* 6.1: both framing headers */
	WW_HTTP_CL_INVALID,	       /* 6.3: not a decimal number */
	WW_HTTP_CL_CONFLICT,	       /* 6.3: two different values */
	WW_HTTP_TE_NOT_CHUNKED_LAST,   /* 6.3: last coding is not chunked */
	WW_HTTP_TE_UNKNOWN,	       /* 7: a coding we do not know */
	WW_HTTP_CHUNK_SIZE_INVALID,    /* 7.1 */
	WW_HTTP_CHUNK_SIZE_OVERFLOW,   /* 7.1 */
	WW_HTTP_CHUNK_EXT_TOO_LONG,    /* 7.1.1 */
	WW_HTTP_CHUNK_DATA_BAD_END,    /* 7.1: data not followed by CRLF */
	WW_HTTP_HOST_MISSING,	       /* 3.2: HTTP/1.1 without Host */
	WW_HTTP_HOST_DUPLICATE,	       /* 3.2: more than one Host */
	WW_HTTP_REQUEST_LINE_TOO_LONG, /* limits from the configuration */
	WW_HTTP_HEADERS_TOO_LARGE,
	WW_HTTP_TOO_MANY_HEADERS,
	WW_HTTP_BAD_STATUS_LINE, /* response: not "HTTP/1.x NNN reason" */
	WW_HTTP_VIOLATION_MAX
};

/* Limits, from the configuration. */
struct ww_http_limits {
	uint32_t max_request_line; /* bytes */
	uint32_t max_headers;	   /* header fields per request */
	uint32_t max_header_bytes; /* the whole head; <= head buffer size */
	uint32_t body_depth;	   /* body bytes kept for inspection */
	uint32_t max_chunk_ext;	   /* bytes of chunk extensions per chunk */
};

#define WW_HTTP_MAX_HEADERS 128
#define WW_HTTP_MAX_ARGS    64
#define WW_HTTP_MAX_COOKIES 32

/* A string inside the parser's buffers: valid until the next call to
 * ww_http_feed() after the request was delivered. */
struct ww_http_str {
	const char *p;
	uint32_t len;
};

struct ww_http_field {
	struct ww_http_str name, value;
};

/* One request, as the parser hands it over; in response mode the same
 * structure carries a response (status, version, headers, framing). */
struct ww_http_request {
	struct ww_http_str method, uri_raw, version;
	uint16_t status;	 /* response mode: the status code */
	struct ww_http_str path; /* normalized, without the query */
	struct ww_http_str uri;	 /* normalized path + '?' + raw query */
	struct ww_http_str query;
	struct ww_http_str host, user_agent, content_type;
	struct ww_http_field headers[WW_HTTP_MAX_HEADERS];
	uint32_t n_headers;
	struct ww_http_field args[WW_HTTP_MAX_ARGS]; /* query, decoded */
	uint32_t n_args;
	struct ww_http_field cookies[WW_HTTP_MAX_COOKIES];
	uint32_t n_cookies;
	uint64_t content_length; /* declared, or body bytes when chunked */
	bool chunked;
	bool head_done; /* head parsed; body fields follow with ..._done */
	bool body_done;
	uint64_t body_bytes;	 /* total body bytes seen */
	struct ww_http_str body; /* first body_depth bytes (decoded chunks) */
	bool body_truncated;	 /* longer than body_depth */
};

/* Parser state for one direction of one connection. */
struct ww_http_parser {
	struct ww_http_limits lim;
	char *head;	   /* caller's buffer for the request head */
	uint32_t head_cap; /* its size */
	uint32_t head_len;
	char *work; /* caller's buffer for decoded strings */
	uint32_t work_cap;
	char *body_buf; /* caller's buffer for the inspected body */
	uint32_t body_cap;

	uint8_t state;
	uint8_t crlf_state;	 /* a CR before the request line awaits LF */
	uint8_t first_line_done; /* the request line is complete */
	uint8_t chunk_state;
	uint8_t response; /* parses responses (ww_http_parser_init_response) */
	uint8_t no_body;  /* response mode: the next response has no body */
	enum ww_http_violation violation;
	uint64_t remaining; /* body or chunk bytes still to come */
	uint32_t line_len;  /* chunk-size line bytes seen */
	uint32_t ext_len;
	uint64_t chunk_size;
	uint32_t requests; /* requests completed on this connection */
	struct ww_http_request req;
};

/*
 * Set up @p with @lim and the caller's buffers: @head (at least
 * lim->max_header_bytes), @work (at least as big as @head: decoded URI,
 * arguments and cookies), @body (at least lim->body_depth).
 */
void ww_http_parser_init(struct ww_http_parser *p,
			 const struct ww_http_limits *lim, char *head,
			 uint32_t head_cap, char *work, uint32_t work_cap,
			 char *body, uint32_t body_cap);

/*
 * Response mode: the same parser for the server's bytes. Status line
 * instead of request line, no Host rule, and the framing of RFC 9112 6.3:
 * no body after HEAD (see ww_http_expect_no_body()), 1xx, 204 and 304;
 * Transfer-Encoding chunked; otherwise Content-Length; otherwise (or when
 * the last coding is not chunked) the body runs until the connection
 * closes. Bodies are counted, not kept (@head only, no work or body
 * buffer). Events are the same: WW_HTTP_REQUEST means the response is
 * complete, with req.status, req.headers and req.body_bytes.
 */
void ww_http_parser_init_response(struct ww_http_parser *p,
				  const struct ww_http_limits *lim, char *head,
				  uint32_t head_cap);

/* Response mode: the next response answers a HEAD request (or a CONNECT
 * that succeeds), so it carries no body whatever its headers say. Set
 * before its first byte is fed. */
static inline void ww_http_expect_no_body(struct ww_http_parser *p, bool yes)
{
	p->no_body = yes;
}

/* What ww_http_feed() stopped for. */
enum ww_http_event {
	WW_HTTP_NEED_MORE = 0, /* all input consumed */
	WW_HTTP_HEAD,	       /* p->req holds a parsed head, a body follows */
	WW_HTTP_REQUEST,       /* p->req is complete (head and body); a
				* request without a body comes straight here */
	WW_HTTP_VIOLATION,     /* p->violation says which; parser stopped */
};

/*
 * Feed @len bytes at @data. @return the event that stopped it, and in
 * *@used how many bytes were consumed; call again with the rest. After
 * WW_HTTP_REQUEST the next call starts the next (pipelined) request.
 */
enum ww_http_event ww_http_feed(struct ww_http_parser *p, const char *data,
				size_t len, size_t *used);

/* Stable name of a violation, e.g. "cl_and_te". */
const char *ww_http_violation_name(enum ww_http_violation v);

/*
 * Normalize a request path: percent-decode, resolve "." and ".."
 * segments (RFC 3986 5.2.4, never above the root) and collapse "//".
 * Writes at most @cap bytes to @out. @return the length.
 */
uint32_t ww_http_normalize_path(const char *in, uint32_t len, char *out,
				uint32_t cap);

#endif /* WW_HTTP_H */
