/* SPDX-License-Identifier: BSD-3-Clause */
/* An FTW test stage's input as the bytes of an HTTP request, the way the
 * FTW that ran the CRS 3.3.4 regression suite (Python ftw 1.3, the
 * Input class and HttpUA.build_request) sends it:
 *   - request line "METHOD URI VERSION" (FTW always puts the space after
 *     the URI, also when the version is empty), headers in order;
 *   - data (a list of lines is joined with CRLF); when there is data and
 *     stop_magic is not set, "Content-Type:
 *     application/x-www-form-urlencoded" is added if the test sets no
 *     Content-Type, the data of such a request is form-encoded when it
 *     holds no %XX escape yet (parse_qsl + urlencode: the pairs with a
 *     value, keys and values escaped as quote_plus does, the request
 *     left as it is when no pair has one), and Content-Length is added
 *     if the test sets none;
 *   - raw_request and encoded_request (base64) are sent as they are.
 * A server, and so the engines, sees the form-encoded body a browser
 * would send: without the added Content-Type no body argument exists
 * for a ModSecurity-style engine (ARGS, ARGS_NAMES come from a body only
 * through a body processor chosen by Content-Type). */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include "crs_engine.h"
#include "yaml_tree.h"

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static const char *scalar(const struct ynode *n, const char *dflt)
{
	return n != NULL && n->kind == Y_SCALAR ? n->value : dflt;
}

static int b64val(char c)
{
	const char *t =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(t, c);

	return c && p ? (int)(p - t) : -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Python's unquote(s) == s: no %XX escape in @s. */
static bool has_escape(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i++)
		if (s[i] == '%' && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0)
			return true;
	return false;
}

/* Python's quote_plus() of @s (no %XX in it, so unquote is the
 * identity): '+' was a space to parse_qsl. */
static void quote_plus(struct buf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+' || c == ' ') {
			put(o, "+", 1);
		} else if (isalnum(c) || c == '_' || c == '.' || c == '-' ||
			   c == '~') {
			put(o, &s[i], 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			put(o, e, 3);
		}
	}
}

/* FTW's urlencode(parse_qsl(data)) for form data without escapes: the
 * '&'-separated pairs that have a '=' and a non-empty value, re-encoded;
 * @data unchanged when there is none. */
static void form_encode(struct buf *data)
{
	struct buf o = {0};
	size_t i = 0, pairs = 0;

	while (i < data->n) {
		const char *f = data->p + i, *amp, *eq;
		size_t fl;

		amp = memchr(f, '&', data->n - i);
		fl = amp ? (size_t)(amp - f) : data->n - i;
		i += fl + 1;
		eq = memchr(f, '=', fl);
		if (eq == NULL || eq + 1 == f + fl)
			continue; /* no value: parse_qsl drops it */
		if (pairs++)
			put(&o, "&", 1);
		quote_plus(&o, f, (size_t)(eq - f));
		put(&o, "=", 1);
		quote_plus(&o, eq + 1, (size_t)(f + fl - eq - 1));
	}
	if (pairs == 0) {
		free(o.p);
		return;
	}
	free(data->p);
	*data = o;
}

static void build(const struct ynode *in, struct buf *b)
{
	const struct ynode *raw = ymap_get(in, "raw_request");
	const struct ynode *enc = ymap_get(in, "encoded_request");
	const struct ynode *hdrs = ymap_get(in, "headers");
	const struct ynode *data = ymap_get(in, "data");
	const char *magic = scalar(ymap_get(in, "stop_magic"), "false");
	const bool autocomplete = strcmp(magic, "true") != 0;
	const struct ynode *ct = NULL;
	struct buf body = {0};
	bool have_cl = false;
	size_t i;

	if (enc != NULL && enc->kind == Y_SCALAR) {
		unsigned int acc = 0, bits = 0;

		for (i = 0; i < enc->len; i++) {
			int v = b64val(enc->value[i]);

			if (v < 0)
				continue;
			acc = acc << 6 | (unsigned int)v;
			bits += 6;
			if (bits >= 8) {
				char c;

				bits -= 8;
				c = (char)(acc >> bits);
				put(b, &c, 1);
			}
		}
		return;
	}
	if (raw != NULL && raw->kind == Y_SCALAR) {
		put(b, raw->value, raw->len);
		return;
	}
	puts_(b, scalar(ymap_get(in, "method"), "GET"));
	puts_(b, " ");
	puts_(b, scalar(ymap_get(in, "uri"), "/"));
	puts_(b, " ");
	puts_(b, scalar(ymap_get(in, "version"), "HTTP/1.1"));
	puts_(b, "\r\n");
	if (data != NULL) {
		if (data->kind == Y_SCALAR) {
			put(&body, data->value, data->len);
		} else if (data->kind == Y_SEQ) {
			/* A list of lines, joined with CRLF. */
			for (i = 0; i < data->n; i++) {
				put(&body, data->kids[i]->value,
				    data->kids[i]->len);
				if (i + 1 < data->n)
					puts_(&body, "\r\n");
			}
		}
	}
	for (i = 0; hdrs != NULL && i + 1 < hdrs->n; i += 2) {
		const char *k = hdrs->kids[i]->value;

		/* FTW looks these two up by their exact spelling. */
		if (strcmp(k, "Content-Length") == 0)
			have_cl = true;
		if (strcmp(k, "Content-Type") == 0)
			ct = hdrs->kids[i + 1];
		puts_(b, k);
		puts_(b, ": ");
		put(b, hdrs->kids[i + 1]->value ? hdrs->kids[i + 1]->value : "",
		    hdrs->kids[i + 1]->len);
		puts_(b, "\r\n");
	}
	if (autocomplete && body.n > 0) {
		const char *form = "application/x-www-form-urlencoded";

		if (ct == NULL) {
			puts_(b, "Content-Type: ");
			puts_(b, form);
			puts_(b, "\r\n");
		}
		if ((ct == NULL || strcmp(scalar(ct, ""), form) == 0) &&
		    !has_escape(body.p, body.n))
			form_encode(&body);
		if (!have_cl) {
			char cl[64];

			snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n",
				 body.n);
			puts_(b, cl);
		}
	}
	puts_(b, "\r\n");
	if (body.n)
		put(b, body.p, body.n);
	free(body.p);
}

void crs_build_request(const struct ynode *in, char **out, size_t *len)
{
	struct buf b = {0};

	build(in, &b);
	*out = b.p;
	*len = b.n;
}
