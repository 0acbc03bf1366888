/* SPDX-License-Identifier: BSD-3-Clause */
/* An FTW test stage's input as the bytes of an HTTP request, the way FTW
 * sends it: method, uri, version, headers in order, data (a list of
 * lines is joined with CRLF), Content-Length added when data is given and
 * the test does not set it (unless stop_magic); raw_request and
 * encoded_request (base64) are sent as they are. */
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

static void build(const struct ynode *in, struct buf *b)
{
	const struct ynode *raw = ymap_get(in, "raw_request");
	const struct ynode *enc = ymap_get(in, "encoded_request");
	const struct ynode *hdrs = ymap_get(in, "headers");
	const struct ynode *data = ymap_get(in, "data");
	const char *magic = scalar(ymap_get(in, "stop_magic"), "false");
	const bool autocomplete = strcmp(magic, "true") != 0;
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
	{
		const char *v = scalar(ymap_get(in, "version"), "HTTP/1.1");

		if (*v) {
			puts_(b, " ");
			puts_(b, v);
		}
	}
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

		if (strcasecmp(k, "content-length") == 0)
			have_cl = true;
		puts_(b, k);
		puts_(b, ": ");
		put(b, hdrs->kids[i + 1]->value ? hdrs->kids[i + 1]->value : "",
		    hdrs->kids[i + 1]->len);
		puts_(b, "\r\n");
	}
	if (autocomplete && body.n > 0 && !have_cl) {
		char cl[64];

		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", body.n);
		puts_(b, cl);
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
