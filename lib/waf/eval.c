/* SPDX-License-Identifier: BSD-3-Clause */
/* Evaluation of phases 1 and 2 over one request. See ww_waf.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "waf_int.h"

#define ARENA_BYTES	(8u << 20)
#define JIT_STACK_BYTES (8u << 20)

static uint32_t format_int(char *b, long long v);

char *waf_alloc(struct ww_waf_ctx *c, size_t n)
{
	char *p;

	n = (n + 7) & ~(size_t)7;
	if (c->arena_used + n > c->arena_cap) {
		/* Said, never silent: the verdict rests on less. */
		if (c->res != NULL)
			c->res->incomplete |= WW_WAF_INCOMPLETE_ARENA;
		return NULL;
	}
	p = c->arena + c->arena_used;
	c->arena_used += n;
	return p;
}

/* What copy() gives when the arena is full: an empty string that
 * coll_add() recognises, so no element is kept with a length its text
 * does not have (the request is marked incomplete by waf_alloc). */
static const char arena_full[1];

static const char *copy(struct ww_waf_ctx *c, const char *s, uint32_t n)
{
	char *p = waf_alloc(c, (size_t)n + 1);

	if (p == NULL)
		return arena_full;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void coll_add(struct ww_waf_ctx *c, struct waf_coll *col,
		     const char *name, uint32_t nlen, const char *value,
		     uint32_t vlen)
{
	if (name == arena_full || value == arena_full)
		return; /* the arena ran out: said in res->incomplete */
	if (col->n == col->cap) {
		unsigned int cap = col->cap ? col->cap * 2 : 64;
		struct waf_kv *kv =
			(struct waf_kv *)waf_alloc(c, sizeof(*kv) * cap);

		if (kv == NULL)
			return;
		if (col->n)
			memcpy(kv, col->kv, sizeof(*kv) * col->n);
		col->kv = kv;
		col->cap = cap;
	}
	col->kv[col->n++] = (struct waf_kv){name, value, nlen, vlen};
}

struct ww_waf_ctx *ww_waf_ctx_new(const struct ww_waf *w)
{
	struct ww_waf_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->w = w;
	c->arena = malloc(ARENA_BYTES);
	c->arena_cap = ARENA_BYTES;
	c->md = pcre2_match_data_create(32, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	/* The JIT code keeps a frame per open iteration: PCRE2's 32 KiB
	 * default gives out after some thousand bytes of a value. */
	c->jit_stack = pcre2_jit_stack_create(32 << 10, JIT_STACK_BYTES, NULL);
	if (c->mctx != NULL && c->jit_stack != NULL)
		pcre2_jit_stack_assign(c->mctx, NULL, c->jit_stack);
	if (c->mctx != NULL && w->regex_match_limit != 0) {
		pcre2_set_match_limit(c->mctx, w->regex_match_limit);
		pcre2_set_depth_limit(c->mctx, w->regex_match_limit);
	}
	c->cache_cap = WAF_CACHE_ENTRIES;
	c->cache = calloc(c->cache_cap, sizeof(*c->cache));
	c->cache_index = calloc(WAF_CACHE_INDEX, sizeof(*c->cache_index));
	for (unsigned int i = 0; i < w->n_dbs && c->md; i++)
		if (hs_alloc_scratch(w->dbs[i]->hs, &c->scratch) != HS_SUCCESS)
			c->md = NULL;
	for (unsigned int i = 0; i < w->n_all && c->md; i++)
		if (w->all[i].pm_db != NULL &&
		    hs_alloc_scratch(w->all[i].pm_db, &c->scratch) !=
			    HS_SUCCESS)
			c->md = NULL;
	if (c->arena == NULL || c->md == NULL || c->mctx == NULL ||
	    c->jit_stack == NULL || c->cache == NULL ||
	    c->cache_index == NULL) {
		ww_waf_ctx_free(c);
		return NULL;
	}
	return c;
}

void ww_waf_ctx_free(struct ww_waf_ctx *c)
{
	if (c == NULL)
		return;
	free(c->arena);
	free(c->cache);
	free(c->cache_index);
	hs_free_scratch(c->scratch);
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jit_stack);
	for (unsigned int i = 0; i < 16; i++) {
		free(c->rx_cache[i].text);
		pcre2_code_free(c->rx_cache[i].re);
	}
	free(c);
}

/* ---- TX ---- */

/* TX lookups go through a small hash index of the collection (the CRS
 * reads and sets some hundred TX variables per request; a linear search
 * of them was the engine's largest fixed cost). */
uint32_t waf_tx_hash(const char *name, uint32_t nlen)
{
	/* Eight bytes at a time, each with bit 5 set: names equal but for
	 * ASCII case hash alike (a few other pairs do too; the lookup
	 * compares the names). Some two hundred lookups per request. */
	const uint64_t fold = 0x2020202020202020ull;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ nlen, w = 0;
	const char *p = name;
	uint32_t n = nlen, a, b;

	for (; n > 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ (w | fold)) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	/* The last 1..8 bytes by fixed-size (overlapping) loads: no byte
	 * loop, no partial store read back whole. */
	if (nlen >= 8) {
		memcpy(&w, name + nlen - 8, 8);
	} else if (n >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		w = a | (uint64_t)b << 32;
	} else if (n > 0) {
		w = (uint8_t)p[0] | (uint64_t)(uint8_t)p[n / 2] << 8 |
		    (uint64_t)(uint8_t)p[n - 1] << 16;
	}
	h = (h ^ (w | fold)) * 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ (h >> 32));
}

static void tx_index_add(struct ww_waf_ctx *c, unsigned int idx)
{
	uint32_t h = waf_tx_hash(c->tx.kv[idx].name, c->tx.kv[idx].nlen);
	unsigned int k;

	for (k = 0; k < WAF_TX_INDEX; k++) {
		uint16_t *slot = &c->tx_index[(h + k) & (WAF_TX_INDEX - 1)];

		if (*slot == 0) {
			*slot = (uint16_t)(idx + 1);
			return;
		}
	}
}

/* TX variable @name, whose waf_tx_hash() is @h. */
static struct waf_kv *tx_find_h(struct ww_waf_ctx *c, const char *name,
				uint32_t nlen, uint32_t h)
{
	unsigned int k;

	for (k = 0; k < WAF_TX_INDEX; k++) {
		uint16_t slot = c->tx_index[(h + k) & (WAF_TX_INDEX - 1)];
		struct waf_kv *kv;

		if (slot == 0)
			return NULL;
		kv = &c->tx.kv[slot - 1];
		if (kv->nlen == nlen && strncasecmp(kv->name, name, nlen) == 0)
			return kv;
	}
	return NULL;
}

static struct waf_kv *tx_find(struct ww_waf_ctx *c, const char *name,
			      uint32_t nlen)
{
	return tx_find_h(c, name, nlen, waf_tx_hash(name, nlen));
}

static void tx_set(struct ww_waf_ctx *c, const char *name, uint32_t nlen,
		   struct waf_kv *kv, const char *value, uint32_t len)
{
	if (kv != NULL) {
		kv->value = value;
		kv->vlen = len;
		return;
	}
	if (c->tx.n >= WAF_TX_INDEX / 2)
		return; /* over the CRS's own needs many times: ignored */
	{
		const unsigned int n = c->tx.n;
		const char *nm = waf_alloc(c, (size_t)nlen + 1);

		if (nm == NULL)
			return; /* arena full: said in res->incomplete */
		memcpy((char *)nm, name, nlen);
		((char *)nm)[nlen] = '\0';
		coll_add(c, &c->tx, nm, nlen, value, len);
		if (c->tx.n == n)
			return; /* the collection could not grow: likewise */
	}
	tx_index_add(c, c->tx.n - 1);
}

void waf_tx_set(struct ww_waf_ctx *c, const char *name, const char *value,
		uint32_t len)
{
	uint32_t nlen = (uint32_t)strlen(name);

	tx_set(c, name, nlen, tx_find(c, name, nlen), value, len);
}

static void tx_del(struct ww_waf_ctx *c, const char *name)
{
	struct waf_kv *kv = tx_find(c, name, (uint32_t)strlen(name));
	unsigned int i;

	if (kv == NULL)
		return;
	*kv = c->tx.kv[--c->tx.n];
	/* Rare (setvar:!tx.x): rebuild the index. */
	memset(c->tx_index, 0, sizeof(c->tx_index));
	for (i = 0; i < c->tx.n; i++)
		tx_index_add(c, i);
}

/* ---- Macros: %{tx.x}, %{MATCHED_VAR}, %{REQUEST_HEADERS.host} ---- */

static void set_scalar(struct ww_waf_ctx *c, int v, const char *s, uint32_t n)
{
	c->scalar[v] = s;
	c->scalar_len[v] = n;
	c->scalar_set[v] = true;
}

static uint32_t macro_value(struct ww_waf_ctx *c, const char *name,
			    uint32_t nlen, const char **out)
{
	const char *dot = memchr(name, '.', nlen);
	uint32_t i;

	*out = "";
	if (dot != NULL) {
		uint32_t cl = (uint32_t)(dot - name);
		const char *key = dot + 1;
		uint32_t kl = nlen - cl - 1;

		if (cl == 2 && strncasecmp(name, "tx", 2) == 0) {
			struct waf_kv *kv = tx_find(c, key, kl);

			if (kv != NULL) {
				*out = kv->value;
				return kv->vlen;
			}
			return 0;
		}
		if (cl == 15 && strncasecmp(name, "request_headers", 15) == 0) {
			for (i = 0; i < c->headers.n; i++)
				if (c->headers.kv[i].nlen == kl &&
				    strncasecmp(c->headers.kv[i].name, key,
						kl) == 0) {
					*out = c->headers.kv[i].value;
					return c->headers.kv[i].vlen;
				}
			return 0;
		}
		if (cl == 4 && strncasecmp(name, "rule", 4) == 0 &&
		    c->cur_rule != NULL) {
			char *b = waf_alloc(c, 16);

			if (kl == 2 && strncasecmp(key, "id", 2) == 0 && b) {
				*out = b;
				return format_int(b, c->cur_rule->id);
			}
			if (kl == 3 && strncasecmp(key, "msg", 3) == 0 &&
			    c->cur_rule->msg) {
				*out = c->cur_rule->msg;
				return (uint32_t)strlen(c->cur_rule->msg);
			}
			return 0;
		}
		return 0; /* ip., global., session.: no persistence here */
	}
	if (nlen == 11 && strncasecmp(name, "MATCHED_VAR", 11) == 0 &&
	    c->matched->n > 0) {
		*out = c->matched->kv[c->matched->n - 1].value;
		return c->matched->kv[c->matched->n - 1].vlen;
	}
	if (nlen == 16 && strncasecmp(name, "MATCHED_VAR_NAME", 16) == 0 &&
	    c->matched->n > 0) {
		*out = c->matched->kv[c->matched->n - 1].name;
		return c->matched->kv[c->matched->n - 1].nlen;
	}
	for (i = 0; i < V_MAX; i++) {
		static const char *const names[V_MAX] = {
			[V_REQUEST_METHOD] = "REQUEST_METHOD",
			[V_REQUEST_PROTOCOL] = "REQUEST_PROTOCOL",
			[V_REQUEST_URI] = "REQUEST_URI",
			[V_REQUEST_FILENAME] = "REQUEST_FILENAME",
			[V_REQUEST_LINE] = "REQUEST_LINE",
			[V_REMOTE_ADDR] = "REMOTE_ADDR",
			[V_QUERY_STRING] = "QUERY_STRING",
			[V_REQBODY_PROCESSOR] = "REQBODY_PROCESSOR",
			[V_UNIQUE_ID] = "UNIQUE_ID",
		};

		if (names[i] && strlen(names[i]) == nlen &&
		    strncasecmp(names[i], name, nlen) == 0 &&
		    c->scalar_set[i]) {
			*out = c->scalar[i];
			return c->scalar_len[i];
		}
	}
	return 0;
}

/* Expand the macros of @s into the arena. */
static uint32_t expand(struct ww_waf_ctx *c, const char *s, const char **out)
{
	size_t cap = 256, n = 0;
	char *o;
	const char *p = s;

	if (strstr(s, "%{") == NULL || (o = waf_alloc(c, cap)) == NULL) {
		*out = s;
		return (uint32_t)strlen(s);
	}
	while (*p) {
		const char *v = p;
		uint32_t vl = 1;

		if (p[0] == '%' && p[1] == '{') {
			const char *end = strchr(p, '}');

			if (end != NULL) {
				vl = macro_value(c, p + 2,
						 (uint32_t)(end - p - 2), &v);
				p = end + 1;
			} else {
				p++;
			}
		} else {
			p++;
		}
		if (n + vl + 1 > cap) {
			char *no = waf_alloc(c, (n + vl + 1) * 2);

			if (no == NULL)
				break;
			memcpy(no, o, n);
			o = no;
			cap = (n + vl + 1) * 2;
		}
		memcpy(o + n, v, vl);
		n += vl;
	}
	o[n] = '\0';
	*out = o;
	return (uint32_t)n;
}

/* ---- The request's variables ---- */

static void add_urlencoded(struct ww_waf_ctx *c, struct waf_coll *col,
			   const char *s, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		uint32_t end = i, eq;
		const char *name, *value;
		uint32_t nl, vl;

		while (end < n && s[end] != '&')
			end++;
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		if (end > i) {
			nl = waf_tfn_apply(c, T_URL_DECODE, s + i, eq - i,
					   &name);
			vl = eq < end ? waf_tfn_apply(c, T_URL_DECODE,
						      s + eq + 1, end - eq - 1,
						      &value)
				      : 0;
			if (eq >= end)
				value = "";
			coll_add(c, col, name, nl, value, vl);
		}
		i = end + 1;
	}
}

/* JSON bodies become ARGS_POST named "json.a.b" (as libmodsecurity3
 * names them): a small walker over strings, numbers and literals. */
static const char *json_value(struct ww_waf_ctx *c, const char *p,
			      const char *end, char *path, uint32_t plen,
			      int depth);

static const char *json_string(struct ww_waf_ctx *c, const char *p,
			       const char *end, const char **out, uint32_t *len)
{
	const char *q = p + 1;
	char *o;
	uint32_t k = 0;

	/* The string's extent first, walked as below: its decoded form is
	 * never longer. */
	while (q < end && *q != '"') {
		if (*q == '\\' && q + 1 < end) {
			q++;
			if (*q == 'u' && q + 4 < end)
				q += 4;
		}
		q++;
	}
	o = waf_alloc(c, (size_t)(q - p) + 1);
	if (o == NULL) {
		*out = "";
		*len = 0;
		return q < end ? q + 1 : end;
	}
	p++; /* the quote */
	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end) {
			p++;
			switch (*p) {
			case 'n':
				o[k++] = '\n';
				break;
			case 't':
				o[k++] = '\t';
				break;
			case 'r':
				o[k++] = '\r';
				break;
			case 'b':
				o[k++] = '\b';
				break;
			case 'f':
				o[k++] = '\f';
				break;
			case 'u':
				if (p + 4 < end) {
					o[k++] = (char)strtol(
						(char[]){p[3], p[4], 0}, NULL,
						16);
					p += 4;
				}
				break;
			default:
				o[k++] = *p;
			}
			p++;
			continue;
		}
		if (o)
			o[k++] = *p;
		p++;
	}
	if (o)
		o[k] = '\0';
	*out = o ? o : "";
	*len = o ? k : 0;
	return p < end ? p + 1 : end;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *json_value(struct ww_waf_ctx *c, const char *p,
			      const char *end, char *path, uint32_t plen,
			      int depth)
{
	p = skip_ws(p, end);
	if (p >= end || depth > 32)
		return end;
	if (*p == '{' || *p == '[') {
		const bool obj = *p == '{';
		unsigned int idx = 0;

		p++;
		for (;;) {
			uint32_t nl = plen;

			p = skip_ws(p, end);
			if (p >= end)
				return end;
			if (*p == (obj ? '}' : ']'))
				return p + 1;
			if (*p == ',') {
				p++;
				continue;
			}
			if (obj) {
				const char *key;
				uint32_t kl;

				if (*p != '"')
					return end;
				p = json_string(c, p, end, &key, &kl);
				p = skip_ws(p, end);
				if (p < end && *p == ':')
					p++;
				if (plen + kl + 2 < 1024) {
					path[plen] = '.';
					memcpy(path + plen + 1, key, kl);
					nl = plen + 1 + kl;
				}
			} else if (plen + 12 < 1024) {
				nl = plen + (uint32_t)sprintf(path + plen,
							      ".array_%u",
							      idx++);
			}
			p = json_value(c, p, end, path, nl, depth + 1);
		}
	}
	{
		const char *v, *s = p;
		uint32_t vl;

		if (*p == '"') {
			p = json_string(c, p, end, &v, &vl);
		} else {
			while (p < end && *p != ',' && *p != '}' && *p != ']' &&
			       !isspace((unsigned char)*p))
				p++;
			v = copy(c, s, (uint32_t)(p - s));
			vl = (uint32_t)(p - s);
		}
		coll_add(c, &c->args_post, copy(c, path, plen), plen, v, vl);
	}
	return p;
}

/* multipart/form-data: parts into ARGS_POST, FILES, FILES_NAMES and
 * MULTIPART_PART_HEADERS. */
static void add_multipart(struct ww_waf_ctx *c, const char *body, uint32_t n,
			  const char *boundary, uint32_t bl)
{
	const char *p = body, *end = body + n;
	char delim[256];
	uint32_t dl;

	if (bl == 0 || bl > 200)
		return;
	dl = (uint32_t)snprintf(delim, sizeof(delim), "--%.*s", (int)bl,
				boundary);
	p = memmem(p, (size_t)(end - p), delim, dl);
	while (p != NULL && p + dl <= end) {
		const char *h = p + dl, *next, *data;
		const char *name = "", *fname = NULL;
		uint32_t name_l = 0, fname_l = 0;

		if (h + 2 <= end && h[0] == '-' && h[1] == '-')
			break; /* the closing delimiter */
		while (h < end && (*h == '\r' || *h == '\n'))
			h++;
		data = memmem(h, (size_t)(end - h), "\r\n\r\n", 4);
		if (data == NULL)
			data = memmem(h, (size_t)(end - h), "\n\n", 2);
		if (data == NULL)
			break;
		/* Part headers, one per line. */
		for (const char *l = h; l < data;) {
			const char *le = memchr(l, '\n', (size_t)(data - l));
			uint32_t ll;

			if (le == NULL)
				le = data;
			ll = (uint32_t)(le - l);
			if (ll > 0 && l[ll - 1] == '\r')
				ll--;
			if (ll > 0)
				coll_add(c, &c->part_headers, "", 0,
					 copy(c, l, ll), ll);
			if (ll > 20 &&
			    strncasecmp(l, "content-disposition:", 20) == 0) {
				const char *q;

				q = strstr(copy(c, l, ll), " name=\"");
				if (q == NULL)
					q = strstr(copy(c, l, ll), ";name=\"");
				if (q != NULL) {
					q += 7;
					name_l = (uint32_t)strcspn(q, "\"");
					name = q;
				}
				q = strstr(copy(c, l, ll), "filename=\"");
				if (q != NULL) {
					q += 10;
					fname_l = (uint32_t)strcspn(q, "\"");
					fname = q;
				}
			}
			l = le + 1;
		}
		data += data[0] == '\r' ? 4 : 2;
		next = memmem(data, (size_t)(end - data), delim, dl);
		if (next == NULL)
			next = end;
		{
			uint32_t len = (uint32_t)(next - data);

			if (len >= 2 && data[len - 2] == '\r' &&
			    data[len - 1] == '\n')
				len -= 2;
			else if (len >= 1 && data[len - 1] == '\n')
				len--;
			if (fname != NULL) {
				char *sz = waf_alloc(c, 16);

				coll_add(c, &c->files, copy(c, name, name_l),
					 name_l, copy(c, fname, fname_l),
					 fname_l);
				if (sz)
					coll_add(c, &c->files_sizes,
						 copy(c, name, name_l), name_l,
						 sz,
						 (uint32_t)sprintf(sz, "%u",
								   len));
			} else {
				coll_add(c, &c->args_post,
					 copy(c, name, name_l), name_l, data,
					 len);
			}
		}
		p = next < end ? next : NULL;
	}
}

/* An XML body as ModSecurity's XPath targets see it: the key "/ *" (the
 * root) is the text of the document (character data and CDATA; tags and
 * comments left out), the key "//@ *" each attribute value (spaces added
 * here only to keep this comment a comment). A small scanner, not a
 * validating parser: malformed XML still gives its text. */
static void add_xml(struct ww_waf_ctx *c, const char *s, uint32_t n)
{
	char *text = waf_alloc(c, (size_t)n + 1);
	uint32_t i = 0, k = 0;

	if (text == NULL)
		return;
	while (i < n) {
		if (s[i] != '<') {
			text[k++] = s[i++];
			continue;
		}
		if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
			const char *e = memmem(s + i + 9, n - i - 9, "]]>", 3);
			uint32_t end = e ? (uint32_t)(e - s) : n;

			memcpy(text + k, s + i + 9, end - i - 9);
			k += end - i - 9;
			i = e ? end + 3 : n;
			continue;
		}
		/* A tag, comment or declaration: its attribute values. */
		while (i < n && s[i] != '>') {
			if (s[i] == '=' && i + 1 < n &&
			    (s[i + 1] == '"' || s[i + 1] == '\'')) {
				const char q = s[i + 1];
				uint32_t a = i + 2, b = a;

				while (b < n && s[b] != q)
					b++;
				coll_add(c, &c->xml_attrs, "", 0, s + a, b - a);
				i = b;
			}
			i++;
		}
		i++;
	}
	text[k] = '\0';
	set_scalar(c, V_XML, text, k);
}

static bool header_is(const struct ww_http_field *f, const char *name)
{
	return f->name.len == strlen(name) &&
	       strncasecmp(f->name.p, name, f->name.len) == 0;
}

static void setup_request(struct ww_waf_ctx *c, const struct ww_http_request *r,
			  const struct ww_waf_peer *peer)
{
	struct ww_http_str ct = {NULL, 0};
	uint32_t i, combined = 0;
	char *buf;
	const char *filename = r->uri_raw.p;
	uint32_t flen = r->uri_raw.len;

	for (i = 0; i < r->n_args; i++)
		coll_add(c, &c->args_get, r->args[i].name.p,
			 r->args[i].name.len, r->args[i].value.p,
			 r->args[i].value.len);
	for (i = 0; i < r->n_headers; i++) {
		coll_add(c, &c->headers, r->headers[i].name.p,
			 r->headers[i].name.len, r->headers[i].value.p,
			 r->headers[i].value.len);
		if (header_is(&r->headers[i], "content-type"))
			ct = r->headers[i].value;
	}
	for (i = 0; i < r->n_cookies; i++)
		coll_add(c, &c->cookies, r->cookies[i].name.p,
			 r->cookies[i].name.len, r->cookies[i].value.p,
			 r->cookies[i].value.len);

	set_scalar(c, V_REQBODY_PROCESSOR, "", 0);
	/* A body without a Content-Type is read as a form, the way most
	 * application frameworks would take it: its arguments are
	 * inspected rather than only the raw bytes. */
	if (r->body.len > 0 && ct.len == 0) {
		add_urlencoded(c, &c->args_post, r->body.p, r->body.len);
	} else if (r->body.len > 0) {
		if (ct.len >= 33 &&
		    strncasecmp(ct.p, "application/x-www-form-urlencoded",
				33) == 0) {
			add_urlencoded(c, &c->args_post, r->body.p,
				       r->body.len);
			set_scalar(c, V_REQBODY_PROCESSOR, "URLENCODED", 10);
		} else if (ct.len >= 19 &&
			   strncasecmp(ct.p, "multipart/form-data", 19) == 0) {
			const char *b =
				strcasestr(copy(c, ct.p, ct.len), "boundary=");

			if (b != NULL) {
				uint32_t bl;

				b += 9;
				if (*b == '"')
					b++;
				bl = (uint32_t)strcspn(b, "\";, ");
				add_multipart(c, r->body.p, r->body.len, b, bl);
			}
			set_scalar(c, V_REQBODY_PROCESSOR, "MULTIPART", 9);
		} else if (strcasestr(copy(c, ct.p, ct.len), "json") != NULL) {
			char path[1024] = "json";

			json_value(c, r->body.p, r->body.p + r->body.len, path,
				   4, 0);
			set_scalar(c, V_REQBODY_PROCESSOR, "JSON", 4);
		} else if (strcasestr(copy(c, ct.p, ct.len), "xml") != NULL) {
			set_scalar(c, V_REQBODY_PROCESSOR, "XML", 3);
			add_xml(c, r->body.p, r->body.len);
		}
	}
	for (i = 0; i < c->args_get.n; i++)
		combined += c->args_get.kv[i].nlen + c->args_get.kv[i].vlen;
	for (i = 0; i < c->args_post.n; i++)
		combined += c->args_post.kv[i].nlen + c->args_post.kv[i].vlen;

	set_scalar(c, V_REQUEST_METHOD, r->method.p, r->method.len);
	set_scalar(c, V_REQUEST_PROTOCOL, r->version.p, r->version.len);
	set_scalar(c, V_REQUEST_URI, r->uri_raw.p, r->uri_raw.len);
	set_scalar(c, V_REQUEST_URI_RAW, r->uri_raw.p, r->uri_raw.len);
	for (i = 0; i < flen && filename[i] != '?'; i++)
		;
	flen = i;
	/* An absolute URI's path starts after the authority. */
	if (flen > 7 && strncasecmp(filename, "http", 4) == 0) {
		const char *sl = memchr(filename + 8, '/', flen - 8);

		if (sl != NULL) {
			flen -= (uint32_t)(sl - filename);
			filename = sl;
		}
	}
	flen = waf_tfn_apply(c, T_URL_DECODE, filename, flen, &filename);
	set_scalar(c, V_REQUEST_FILENAME, filename, flen);
	for (i = flen; i > 0 && filename[i - 1] != '/'; i--)
		;
	set_scalar(c, V_REQUEST_BASENAME, filename + i, flen - i);
	set_scalar(c, V_QUERY_STRING, r->query.p ? r->query.p : "",
		   r->query.len);
	/* As in ModSecurity, REQUEST_BODY holds the raw body only when it
	 * was read as a form (JSON, XML and multipart bodies are seen
	 * through their own variables). */
	if (c->scalar_len[V_REQBODY_PROCESSOR] == 0 ||
	    (c->scalar_len[V_REQBODY_PROCESSOR] == 10 &&
	     memcmp(c->scalar[V_REQBODY_PROCESSOR], "URLENCODED", 10) == 0))
		set_scalar(c, V_REQUEST_BODY, r->body.p, r->body.len);

	buf = waf_alloc(c, (size_t)r->method.len + r->uri_raw.len +
				   r->version.len + 3);
	if (buf != NULL) {
		uint32_t l = 0;

		memcpy(buf, r->method.p, r->method.len);
		l += r->method.len;
		buf[l++] = ' ';
		memcpy(buf + l, r->uri_raw.p, r->uri_raw.len);
		l += r->uri_raw.len;
		buf[l++] = ' ';
		memcpy(buf + l, r->version.p, r->version.len);
		l += r->version.len;
		buf[l] = '\0';
		set_scalar(c, V_REQUEST_LINE, buf, l);
	}
	buf = waf_alloc(c, 48);
	if (buf != NULL) {
		uint32_t l = format_int(buf, combined);

		set_scalar(c, V_ARGS_COMBINED_SIZE, buf, l);
		buf = waf_alloc(c, 24);
		if (buf) {
			l = format_int(buf, (long long)r->body_bytes);
			set_scalar(c, V_REQUEST_BODY_LENGTH, buf, l);
		}
	}
	buf = waf_alloc(c, 64);
	if (buf != NULL && peer != NULL) {
		inet_ntop(peer->family == 4 ? AF_INET : AF_INET6, peer->addr,
			  buf, 64);
		set_scalar(c, V_REMOTE_ADDR, buf, (uint32_t)strlen(buf));
	}
	set_scalar(c, V_UNIQUE_ID, "wirewall", 8);
	set_scalar(c, V_DURATION, "0", 1);
	set_scalar(c, V_REQBODY_ERROR, "0", 1);
	set_scalar(c, V_MULTIPART_STRICT_ERROR, "0", 1);
	set_scalar(c, V_MULTIPART_UNMATCHED_BOUNDARY, "0", 1);
	{
		uint32_t total = 0;

		for (i = 0; i < c->files_sizes.n; i++)
			total += (uint32_t)atoi(c->files_sizes.kv[i].value);
		buf = waf_alloc(c, 16);
		if (buf)
			set_scalar(c, V_FILES_COMBINED_SIZE, buf,
				   format_int(buf, total));
	}
}

/* ---- Targets ---- */

struct item {
	const char *name, *value;
	uint32_t nlen, vlen;
	uint8_t var;
	uint8_t src; /* enum waf_src: which databases scan it */
};

/* The variable name a match reports: "ARGS:foo", "REQUEST_URI". */
static const char *const var_label[V_MAX] = {
	[V_ARGS] = "ARGS",
	[V_ARGS_GET] = "ARGS_GET",
	[V_ARGS_POST] = "ARGS_POST",
	[V_ARGS_NAMES] = "ARGS_NAMES",
	[V_ARGS_GET_NAMES] = "ARGS_GET_NAMES",
	[V_ARGS_POST_NAMES] = "ARGS_POST_NAMES",
	[V_REQUEST_HEADERS] = "REQUEST_HEADERS",
	[V_REQUEST_HEADERS_NAMES] = "REQUEST_HEADERS_NAMES",
	[V_REQUEST_COOKIES] = "REQUEST_COOKIES",
	[V_REQUEST_COOKIES_NAMES] = "REQUEST_COOKIES_NAMES",
	[V_FILES] = "FILES",
	[V_FILES_NAMES] = "FILES_NAMES",
	[V_TX] = "TX",
	[V_MULTIPART_PART_HEADERS] = "MULTIPART_PART_HEADERS",
};

static bool key_matches(struct ww_waf_ctx *c, const struct waf_target *t,
			const char *name, uint32_t nlen)
{
	if (t->key_re != NULL)
		return pcre2_match(t->key_re, (PCRE2_SPTR)name, nlen, 0, 0,
				   c->md, c->mctx) >= 0;
	if (t->key == NULL)
		return true;
	return t->key_len == nlen && strncasecmp(t->key, name, nlen) == 0;
}

/* Is collection element (@var, @name) excluded for rule @r? By its own
 * !targets, or by a ctl:ruleRemoveTarget... of this request. */
static bool excluded(struct ww_waf_ctx *c, const struct waf_rule *r,
		     uint8_t var, const char *name, uint32_t nlen)
{
	unsigned int i;

	for (i = 0; r->has_excludes && i < r->n_targets; i++) {
		const struct waf_target *t = &r->targets[i];

		if (t->exclude && t->var == var &&
		    key_matches(c, t, name, nlen))
			return true;
	}
	for (i = 0; i < c->n_removed_targets; i++) {
		const struct waf_target *t = c->removed_targets[i].t;
		bool rule_hit = false;

		if (t == NULL)
			continue; /* a whole rule removed by tag: not a target
				   */
		if (c->removed_targets[i].tag != NULL) {
			unsigned int k;

			for (k = 0; k < r->n_tags; k++)
				rule_hit |=
					strcmp(r->tags[k],
					       c->removed_targets[i].tag) == 0;
		} else {
			rule_hit = r->id >= c->removed_targets[i].id_lo &&
				   r->id <= c->removed_targets[i].id_hi;
		}
		if (rule_hit && t->var == var && key_matches(c, t, name, nlen))
			return true;
	}
	return false;
}

typedef void (*item_fn)(struct ww_waf_ctx *c, const struct item *it, void *arg);

/* Element @kv, which target @t selects: counted unless excluded, and
 * (for all but &) its value or name given to @fn. */
static void one_in(struct ww_waf_ctx *c, const struct waf_rule *r,
		   const struct waf_target *t, uint8_t var,
		   const struct waf_kv *kv, bool names, uint8_t src, item_fn fn,
		   void *arg, unsigned int *count)
{
	struct item it;

	if (excluded(c, r, var, kv->name, kv->nlen))
		return;
	(*count)++;
	if (t->count)
		return;
	it.var = var;
	it.name = kv->name;
	it.nlen = kv->nlen;
	it.value = names ? kv->name : kv->value;
	it.vlen = names ? kv->nlen : kv->vlen;
	it.src = src;
	fn(c, &it, arg);
}

static void each_in(struct ww_waf_ctx *c, const struct waf_rule *r,
		    const struct waf_target *t, uint8_t var,
		    const struct waf_coll *col, bool names, uint8_t src,
		    item_fn fn, void *arg, unsigned int *count)
{
	unsigned int i;

	for (i = 0; i < col->n; i++)
		if (key_matches(c, t, col->kv[i].name, col->kv[i].nlen))
			one_in(c, r, t, var, &col->kv[i], names, src, fn, arg,
			       count);
}

/* Call @fn for every value @t selects (or, for &, once with the count). */
static void for_target(struct ww_waf_ctx *c, const struct waf_rule *r,
		       const struct waf_target *t, item_fn fn, void *arg)
{
	unsigned int count = 0;
	const uint8_t v = t->var;

	switch (v) {
	case V_ARGS:
	case V_ARGS_NAMES:
		each_in(c, r, t, v, &c->args_get, v == V_ARGS_NAMES,
			v == V_ARGS_NAMES ? SRC_ARGS_GET_NAMES : SRC_ARGS_GET,
			fn, arg, &count);
		each_in(c, r, t, v, &c->args_post, v == V_ARGS_NAMES,
			v == V_ARGS_NAMES ? SRC_ARGS_POST_NAMES : SRC_ARGS_POST,
			fn, arg, &count);
		break;
	case V_ARGS_GET:
	case V_ARGS_GET_NAMES:
		each_in(c, r, t, v, &c->args_get, v == V_ARGS_GET_NAMES,
			v == V_ARGS_GET_NAMES ? SRC_ARGS_GET_NAMES
					      : SRC_ARGS_GET,
			fn, arg, &count);
		break;
	case V_ARGS_POST:
	case V_ARGS_POST_NAMES:
		each_in(c, r, t, v, &c->args_post, v == V_ARGS_POST_NAMES,
			v == V_ARGS_POST_NAMES ? SRC_ARGS_POST_NAMES
					       : SRC_ARGS_POST,
			fn, arg, &count);
		break;
	case V_REQUEST_HEADERS:
	case V_REQUEST_HEADERS_NAMES:
		each_in(c, r, t, v, &c->headers, v == V_REQUEST_HEADERS_NAMES,
			v == V_REQUEST_HEADERS_NAMES ? SRC_HEADERS_NAMES
						     : SRC_HEADERS,
			fn, arg, &count);
		break;
	case V_REQUEST_COOKIES:
	case V_REQUEST_COOKIES_NAMES:
		each_in(c, r, t, v, &c->cookies, v == V_REQUEST_COOKIES_NAMES,
			v == V_REQUEST_COOKIES_NAMES ? SRC_COOKIES_NAMES
						     : SRC_COOKIES,
			fn, arg, &count);
		break;
	case V_FILES:
	case V_FILES_NAMES:
		each_in(c, r, t, v, &c->files, v == V_FILES_NAMES,
			v == V_FILES_NAMES ? SRC_FILES_NAMES : SRC_FILES, fn,
			arg, &count);
		break;
	case V_FILES_SIZES:
		each_in(c, r, t, v, &c->files_sizes, false, SRC_DYNAMIC, fn,
			arg, &count);
		break;
	case V_MULTIPART_PART_HEADERS:
		each_in(c, r, t, v, &c->part_headers, false, SRC_PART_HEADERS,
			fn, arg, &count);
		break;
	case V_TX:
		if (t->key != NULL && t->key_re == NULL) {
			/* One variable by name: the TX index finds it (the
			 * CRS reads dozens of TX variables per request). */
			const struct waf_kv *kv =
				tx_find_h(c, t->key, t->key_len, t->key_hash);

			if (kv != NULL)
				one_in(c, r, t, v, kv, false, SRC_DYNAMIC, fn,
				       arg, &count);
			break;
		}
		each_in(c, r, t, v, &c->tx, false, SRC_DYNAMIC, fn, arg,
			&count);
		break;
	case V_XML:
		if (t->key != NULL && strncmp(t->key, "//@", 3) == 0) {
			struct waf_target any = *t;

			any.key = NULL; /* every attribute */
			each_in(c, r, &any, v, &c->xml_attrs, false,
				SRC_XML_ATTRS, fn, arg, &count);
		} else if (c->scalar_set[V_XML]) {
			struct item it = {"", c->scalar[V_XML],
					  0,  c->scalar_len[V_XML],
					  v,  SRC_SCALAR + V_XML};

			count = 1;
			if (!t->count)
				fn(c, &it, arg);
		}
		break;
	case V_MATCHED_VARS:
	case V_MATCHED_VARS_NAMES:
		each_in(c, r, t, v, c->prev_matched, v == V_MATCHED_VARS_NAMES,
			SRC_DYNAMIC, fn, arg, &count);
		break;
	case V_MATCHED_VAR:
	case V_MATCHED_VAR_NAME:
		if (c->prev_matched->n > 0) {
			const struct waf_kv *kv =
				&c->prev_matched->kv[c->prev_matched->n - 1];
			struct item it = {
				kv->name,
				v == V_MATCHED_VAR ? kv->value : kv->name,
				kv->nlen,
				v == V_MATCHED_VAR ? kv->vlen : kv->nlen,
				v,
				SRC_DYNAMIC};

			count = 1;
			if (!t->count)
				fn(c, &it, arg);
		}
		break;
	default:
		if (waf_var_persistent(v))
			break; /* none here */
		if (c->scalar_set[v] && !excluded(c, r, v, "", 0)) {
			struct item it = {"", c->scalar[v],
					  0,  c->scalar_len[v],
					  v,  (uint8_t)(SRC_SCALAR + v)};

			count = 1;
			if (!t->count)
				fn(c, &it, arg);
		}
	}
	if (t->count) {
		char *b = waf_alloc(c, 16);
		struct item it = {"", b ? b : "0", 0, 0, v, SRC_DYNAMIC};

		if (b)
			it.vlen = format_int(b, count);
		else
			it.vlen = 1;
		fn(c, &it, arg);
	}
}

/* ---- Rules ---- */

struct run {
	const struct waf_rule *r;
	const char *arg;
	uint32_t arg_len;
	bool matched;
};

static void match_item(struct ww_waf_ctx *c, const struct item *it, void *arg)
{
	struct run *run = arg;
	const struct waf_rule *r = run->r;
	struct waf_cache_entry *e;
	const char *v;
	uint32_t n;
	bool m;

	if (run->matched && !r->multi_match && r->op == OP_UNCONDITIONAL)
		return;
	c->n_items++;
	/* Transformed once per value and chain; the chain's Hyperscan
	 * scan answers every @rx rule of the chain, PCRE2 confirms hits. */
	n = waf_transform(c, r, it->value, it->vlen, &v, &e);
	switch (r->hs_id >= 0 ? waf_hs_check(c, r, e, v, n, it->src, it->name,
					     it->nlen)
			      : WAF_HS_UNKNOWN) {
	case WAF_HS_MISS:
		m = false;
		break;
	case WAF_HS_HIT:
		m = r->op == OP_PM ||
		    waf_op_match(c, r, v, n, run->arg, run->arg_len);
		break;
	default:
		m = waf_op_match(c, r, v, n, run->arg, run->arg_len);
	}
	if (m == r->op_negated)
		return;
	run->matched = true;
	{
		const char *label = var_label[it->var];
		char *name = NULL;
		uint32_t nl = 0;

		if (label != NULL && it->nlen > 0) {
			const size_t ll = strlen(label);

			name = waf_alloc(c, ll + it->nlen + 2);
			if (name) { /* "ARGS:foo" */
				memcpy(name, label, ll);
				name[ll] = ':';
				memcpy(name + ll + 1, it->name, it->nlen);
				name[ll + 1 + it->nlen] = '\0';
				nl = (uint32_t)(ll + 1 + it->nlen);
			}
		} else {
			static const char *const scalar_names[V_MAX] = {
				[V_REQUEST_URI] = "REQUEST_URI",
				[V_REQUEST_FILENAME] = "REQUEST_FILENAME",
				[V_REQUEST_BASENAME] = "REQUEST_BASENAME",
				[V_REQUEST_LINE] = "REQUEST_LINE",
				[V_REQUEST_METHOD] = "REQUEST_METHOD",
				[V_REQUEST_PROTOCOL] = "REQUEST_PROTOCOL",
				[V_QUERY_STRING] = "QUERY_STRING",
				[V_REQUEST_BODY] = "REQUEST_BODY",
				[V_XML] = "XML",
			};
			const char *sn = scalar_names[it->var]
						 ? scalar_names[it->var]
						 : "";

			name = (char *)sn;
			nl = (uint32_t)strlen(sn);
		}
		coll_add(c, c->matched, name ? name : "", nl, copy(c, v, n), n);
	}
}

/* Does rule @r (one link) match? Fills c->matched. */
static bool rule_matches(struct ww_waf_ctx *c, const struct waf_rule *r)
{
	struct run run = {r, r->op_arg, 0, false};
	unsigned int i;

	if (r->op == OP_UNSUPPORTED)
		return false;
	if (r->op_arg_has_macro)
		run.arg_len = expand(c, r->op_arg, &run.arg);
	else
		run.arg_len = r->op_arg_len;
	/* What the previous chain link matched stays readable as
	 * MATCHED_VARS while this one runs. */
	{
		struct waf_coll *t = c->prev_matched;

		c->prev_matched = c->matched;
		c->matched = t;
		c->matched->n = 0;
	}
	if (r->op == OP_UNCONDITIONAL && r->n_targets == 0)
		return true;
	for (i = 0; i < r->n_targets; i++)
		if (!r->targets[i].exclude)
			for_target(c, r, &r->targets[i], match_item, &run);
	return run.matched;
}

/* Decimal text of @v into @b (at least 21 bytes): no printf on this
 * path, which runs for every score a rule adds. */
static uint32_t format_int(char *b, long long v)
{
	char tmp[24];
	unsigned long long u =
		v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	uint32_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		b[k++] = '-';
	while (n)
		b[k++] = tmp[--n];
	b[k] = '\0';
	return k;
}

static void do_setvar(struct ww_waf_ctx *c, const struct waf_setvar *sv)
{
	const char *name = sv->name, *value = "";
	uint32_t nl = sv->name_len, vl = 0;
	struct waf_kv *kv;

	if (sv->name_macro)
		nl = expand(c, sv->name, &name);
	if (nl < 3 || strncmp(name, "tx.", 3) != 0)
		return; /* ip., global., session.: nothing persists here */
	name += 3;
	nl -= 3;
	if (sv->op == SV_DEL) {
		tx_del(c, name);
		return;
	}
	if (sv->value != NULL && sv->value_macro) {
		vl = expand(c, sv->value, &value);
		value = copy(c, value, vl);
		if (value == arena_full)
			vl = 0;
	} else if (sv->value != NULL) {
		value = sv->value; /* owned by the rule set */
		vl = sv->value_len;
	}
	kv = sv->name_macro ? tx_find(c, name, nl)
			    : tx_find_h(c, name, nl, sv->name_hash);
	if (sv->op == SV_SET) {
		tx_set(c, name, nl, kv, value, vl);
		return;
	}
	{
		long long cur = kv ? strtoll(kv->value, NULL, 10) : 0;
		long long d = strtoll(value, NULL, 10);
		char *b = waf_alloc(c, 24);

		if (b == NULL)
			return;
		cur = sv->op == SV_ADD ? cur + d : cur - d;
		tx_set(c, name, nl, kv, b, format_int(b, cur));
	}
}

static void do_ctl(struct ww_waf_ctx *c, const struct waf_ctl *ctl)
{
	switch (ctl->kind) {
	case CTL_RULE_REMOVE_BY_ID:
		if (c->n_removed < 256) {
			c->removed[c->n_removed][0] = ctl->id_lo;
			c->removed[c->n_removed++][1] = ctl->id_hi;
		}
		break;
	case CTL_RULE_REMOVE_BY_TAG:
		if (c->n_removed_targets < 256) {
			/* A tag with no target: the whole rule (see
			 * rule_removed()). */
			c->removed_targets[c->n_removed_targets].id_lo = 1;
			c->removed_targets[c->n_removed_targets].id_hi = 0;
			c->removed_targets[c->n_removed_targets].tag = ctl->tag;
			c->removed_targets[c->n_removed_targets++].t = NULL;
		}
		break;
	case CTL_RULE_REMOVE_TARGET_BY_ID:
	case CTL_RULE_REMOVE_TARGET_BY_TAG:
		if (c->n_removed_targets < 256) {
			c->removed_targets[c->n_removed_targets].id_lo =
				ctl->id_lo;
			c->removed_targets[c->n_removed_targets].id_hi =
				ctl->id_hi;
			c->removed_targets[c->n_removed_targets].tag =
				ctl->kind == CTL_RULE_REMOVE_TARGET_BY_TAG
					? ctl->tag
					: NULL;
			c->removed_targets[c->n_removed_targets++].t =
				&ctl->target;
		}
		break;
	case CTL_RULE_ENGINE_OFF:
		c->engine_off = true;
		break;
	default:
		break;
	}
}

static bool rule_removed(struct ww_waf_ctx *c, const struct waf_rule *r)
{
	unsigned int i, k;

	for (i = 0; i < c->n_removed; i++)
		if (r->id >= c->removed[i][0] && r->id <= c->removed[i][1])
			return true;
	for (i = 0; i < c->n_removed_targets; i++) {
		if (c->removed_targets[i].t != NULL ||
		    c->removed_targets[i].tag == NULL)
			continue;
		for (k = 0; k < r->n_tags; k++)
			if (strcmp(r->tags[k], c->removed_targets[i].tag) == 0)
				return true;
	}
	return false;
}

/* A whole chain matched: log the head. */
static void chain_actions(struct ww_waf_ctx *c, const struct waf_rule *head,
			  struct ww_waf_result *res)
{
	unsigned int i;

	(void)c;
	for (i = 0; i < head->n_tags; i++)
		if (strcmp(head->tags[i], "wirewall/alert") == 0)
			res->alert = true;
	if (head->log && head->id != 0) {
		for (i = 0; i < res->n_ids && res->ids[i] != head->id; i++)
			;
		if (i == res->n_ids && res->n_ids < WW_WAF_MAX_MATCHES) {
			res->msgs[res->n_ids] = head->msg;
			res->ids[res->n_ids++] = head->id;
		}
	}
}

static bool chain_matches(struct ww_waf_ctx *c, const struct waf_rule *r)
{
	unsigned int i;

	c->matched->n = 0;
	for (; r != NULL; r = r->has_chain ? r->next : NULL) {
		c->cur_rule = r;
		if (!rule_matches(c, r))
			return false;
		/* Each link's variables are set as soon as it matches, as
		 * ModSecurity does: the CRS sets a TX variable in a chain's
		 * head that its next link then reads (920420's
		 * tx.content_type). Anomaly scores sit in the last link, so
		 * they count only when the whole chain matches. */
		for (i = 0; i < r->n_setvars; i++)
			do_setvar(c, &r->setvars[i]);
		for (i = 0; i < r->n_ctls; i++)
			do_ctl(c, &r->ctls[i]);
	}
	return true;
}

void ww_waf_eval(struct ww_waf_ctx *c, const struct ww_http_request *req,
		 const struct ww_waf_peer *peer, struct ww_waf_result *res)
{
	const struct ww_waf *w = c->w;
	unsigned int phase, i;

	memset(res, 0, sizeof(*res));
	memset(c->tx_index, 0, sizeof(c->tx_index));
	c->n_eval++;
	c->arena_used = 0;
	if (++c->gen == 0) { /* wrapped: old unions could look current */
		memset(c->chain_union_gen, 0, sizeof(c->chain_union_gen));
		c->gen = 1;
	}
	c->cache_used = 0;
	memset(c->cache_index, 0, WAF_CACHE_INDEX * sizeof(*c->cache_index));
	/* The nine collections of a request, declared one after the
	 * other in struct ww_waf_ctx (args_get .. xml_attrs). */
	memset(&c->args_get, 0, sizeof(struct waf_coll) * 9);
	memset(c->matched_store, 0, sizeof(c->matched_store));
	c->matched = &c->matched_store[0];
	c->prev_matched = &c->matched_store[1];
	memset(c->scalar_set, 0, sizeof(c->scalar_set));
	c->n_removed = c->n_removed_targets = 0;
	c->engine_off = false;
	c->req = req;
	c->res = res;
	setup_request(c, req, peer);

	for (phase = 1; phase <= 2; phase++) {
		const struct waf_phase_rule *pr = w->phase_rules[phase];
		unsigned int next;

		for (i = 0; i < w->n_phase_rules[phase] && !c->engine_off;
		     i = next) {
			const struct waf_rule *r = pr[i].r;
			uint8_t d;

			next = i + 1;
			if ((c->n_removed != 0 || c->n_removed_targets != 0) &&
			    rule_removed(c, r))
				continue;
			c->n_rules_run++;
			if (!waf_rule_may_match(c, r)) {
				c->n_rules_skipped++;
				continue;
			}
			if (!chain_matches(c, r))
				continue;
			chain_actions(c, r, res);
			d = r->disruptive == D_BLOCK
				    ? w->default_disruptive[phase]
				    : r->disruptive;
			if (d == D_DENY || d == D_DROP) {
				res->blocked = true;
				res->status = r->status ? r->status : 403;
				res->blocked_by = r->id;
				goto done;
			}
			if (d == D_ALLOW)
				goto done;
			next = pr[i].next;
		}
	}
done : {
	struct waf_kv *kv = tx_find(c, "anomaly_score", 13);

	res->anomaly_score = kv ? atoi(kv->value) : 0;
}
	c->cur_rule = NULL;
}

void ww_waf_ctx_print_work(const struct ww_waf_ctx *c, FILE *out)
{
	const double n = c->n_eval ? (double)c->n_eval : 1;

	fprintf(out,
		"per request: %.1f rules looked at, %.1f skipped by the Hyperscan union, %.1f values tested, %.1f transformations, %.1f scans (%.1f more not needed: values too short)\n",
		c->n_rules_run / n, c->n_rules_skipped / n, c->n_items / n,
		c->n_tfn / n, c->n_scans / n, c->n_short / n);
}
