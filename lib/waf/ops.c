/* SPDX-License-Identifier: BSD-3-Clause */
/* Operators, as ModSecurity defines them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "waf_int.h"
#include "ww_inject.h"

static bool contains_word(const char *v, uint32_t n, const char *p, size_t pl)
{
	uint32_t i;

	if (pl == 0)
		return true;
	for (i = 0; i + pl <= n; i++) {
		if (memcmp(v + i, p, pl) != 0)
			continue;
		if ((i == 0 || !isalnum((unsigned char)v[i - 1])) &&
		    (i + pl == n || !isalnum((unsigned char)v[i + pl])))
			return true;
	}
	return false;
}

/* @within: is @v one of the items of @arg? ModSecurity does a substring
 * search of @v in @arg (the CRS writes lists as "|a| |b|" or "a b"). */
static bool within(const char *v, uint32_t n, const char *arg, uint32_t al)
{
	uint32_t i;

	if (n == 0)
		return false;
	for (i = 0; i + n <= al; i++)
		if (memcmp(arg + i, v, n) == 0)
			return true;
	return false;
}

static bool valid_url_encoding(const char *v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (v[i] != '%')
			continue;
		if (i + 2 >= n || !isxdigit((unsigned char)v[i + 1]) ||
		    !isxdigit((unsigned char)v[i + 2]))
			return false;
		i += 2;
	}
	return true;
}

static bool valid_utf8(const unsigned char *s, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned int len, cp, j;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool ip_match(const struct waf_rule *r, const char *v, uint32_t n)
{
	char buf[64];
	uint8_t a[16];
	uint8_t fam;
	unsigned int i;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		fam = 6;
	else
		return false;
	for (i = 0; i < r->n_nets; i++) {
		const struct ww_waf_ipnet *net = &r->nets[i];
		unsigned int full = net->len / 8, rest = net->len % 8;

		if (net->family != fam || memcmp(net->addr, a, full) != 0)
			continue;
		if (rest == 0 || ((net->addr[full] ^ a[full]) &
				  (uint8_t)(0xff << (8 - rest))) == 0)
			return true;
	}
	return false;
}

/* Integers as ModSecurity reads them: leading digits, else 0. */
static long long num(const char *s, uint32_t n)
{
	char buf[32];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* The code of a pattern made from macros (e.g. "^%{tx.allowed...}$"):
 * the expanded text is compiled once and kept in a small round-robin
 * cache of the context. */
static pcre2_code *dynamic_re(struct ww_waf_ctx *c, const char *pat,
			      uint32_t len)
{
	unsigned int i, k;
	int code;
	PCRE2_SIZE off;
	pcre2_code *re;

	for (i = 0; i < 16; i++)
		if (c->rx_cache[i].text != NULL &&
		    strlen(c->rx_cache[i].text) == len &&
		    memcmp(c->rx_cache[i].text, pat, len) == 0)
			return c->rx_cache[i].re;
	re = pcre2_compile((PCRE2_SPTR)pat, len,
			   PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, &code, &off,
			   NULL);
	if (re == NULL)
		return NULL;
	k = c->rx_next++ % 16;
	free(c->rx_cache[k].text);
	pcre2_code_free(c->rx_cache[k].re);
	c->rx_cache[k].text = strndup(pat, len);
	c->rx_cache[k].re = re;
	return re;
}

static bool rx(struct ww_waf_ctx *c, const struct waf_rule *r, const char *v,
	       uint32_t n, const char *arg, uint32_t al)
{
	pcre2_code *re = r->re ? r->re : dynamic_re(c, arg, al);
	int rc = re ? pcre2_match(re, (PCRE2_SPTR)v, n, 0, 0, c->md, c->mctx)
		    : -1;

	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && re != NULL) {
		/* Counted as no match, and said: PCRE2 gave up (match, depth
		 * or heap limit, JIT stack exhausted), so the value was not
		 * judged. A value crafted to make a pattern backtrack must
		 * not stall the worker, nor pass silently. */
		c->res->incomplete |= WW_WAF_INCOMPLETE_MATCH_LIMIT;
		return false;
	}
	if (rc < 0)
		return false;
	if (r->capture) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
		int i;

		for (i = 0; i < rc && i < 10; i++) {
			char name[4] = {'0' + (char)i, 0};
			size_t a = ov[2 * i], b = ov[2 * i + 1];
			char *val = waf_alloc(c, b - a + 1);

			if (val == NULL || a == PCRE2_UNSET)
				continue;
			memcpy(val, v + a, b - a);
			val[b - a] = '\0';
			waf_tx_set(c, name, val, (uint32_t)(b - a));
		}
	}
	return true;
}

bool waf_op_match(struct ww_waf_ctx *c, const struct waf_rule *r, const char *v,
		  uint32_t n, const char *arg, uint32_t al)
{
	unsigned int i;

	switch (r->op) {
	case OP_RX:
		return rx(c, r, v, n, arg, al);
	case OP_PM:
		return waf_pm_match(c, r, v, n);
	case OP_DETECT_SQLI: {
		char fp[WW_SQLI_FINGERPRINT_MAX];

		if (!ww_detect_sqli(v, n, fp))
			return false;
		/* As ModSecurity: TX:0 holds the fingerprint. */
		if (r->capture)
			waf_tx_set(c, "0", fp, (uint32_t)strlen(fp));
		return true;
	}
	case OP_DETECT_XSS:
		return ww_detect_xss(v, n);
	case OP_BEGINS_WITH:
		return n >= al && memcmp(v, arg, al) == 0;
	case OP_ENDS_WITH:
		return n >= al && memcmp(v + n - al, arg, al) == 0;
	case OP_CONTAINS:
		if (al == 0)
			return true;
		for (i = 0; i + al <= n; i++)
			if (memcmp(v + i, arg, al) == 0)
				return true;
		return false;
	case OP_CONTAINS_WORD:
		return contains_word(v, n, arg, al);
	case OP_STREQ:
		return n == al && memcmp(v, arg, n) == 0;
	case OP_WITHIN:
		return within(v, n, arg, al);
	case OP_EQ:
		return num(v, n) == num(arg, al);
	case OP_GE:
		return num(v, n) >= num(arg, al);
	case OP_GT:
		return num(v, n) > num(arg, al);
	case OP_LE:
		return num(v, n) <= num(arg, al);
	case OP_LT:
		return num(v, n) < num(arg, al);
	case OP_VALIDATE_BYTE_RANGE:
		/* Matches when a byte is outside the allowed ranges. */
		for (i = 0; i < n; i++) {
			unsigned char b = (unsigned char)v[i];

			if (!(r->ranges[b / 8] & (1u << (b % 8))))
				return true;
		}
		return false;
	case OP_VALIDATE_URL_ENCODING:
		return !valid_url_encoding(v, n);
	case OP_VALIDATE_UTF8:
		return !valid_utf8((const unsigned char *)v, n);
	case OP_IP_MATCH:
		return ip_match(r, v, n);
	case OP_UNCONDITIONAL:
		return true;
	default:
		return false;
	}
}
