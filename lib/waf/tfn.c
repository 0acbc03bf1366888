/* SPDX-License-Identifier: BSD-3-Clause */
/* Transformations, as ModSecurity defines them. Each writes its result in
 * the context's arena; none grows its input by more than 6x
 * (utf8toUnicode), and the output buffer is sized for that. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "waf_int.h"

static const struct {
	const char *name;
	uint8_t t;
} tfn_names[] = {
	{"lowercase", T_LOWERCASE},
	{"uppercase", T_UPPERCASE},
	{"urlDecode", T_URL_DECODE},
	{"urlDecodeUni", T_URL_DECODE_UNI},
	{"htmlEntityDecode", T_HTML_ENTITY_DECODE},
	{"jsDecode", T_JS_DECODE},
	{"cssDecode", T_CSS_DECODE},
	{"removeNulls", T_REMOVE_NULLS},
	{"removeWhitespace", T_REMOVE_WHITESPACE},
	{"compressWhitespace", T_COMPRESS_WHITESPACE},
	{"cmdLine", T_CMD_LINE},
	{"normalizePath", T_NORMALIZE_PATH},
	{"normalisePath", T_NORMALIZE_PATH},
	{"normalizePathWin", T_NORMALIZE_PATH_WIN},
	{"normalisePathWin", T_NORMALIZE_PATH_WIN},
	{"replaceComments", T_REPLACE_COMMENTS},
	{"removeComments", T_REMOVE_COMMENTS},
	{"utf8toUnicode", T_UTF8_TO_UNICODE},
	{"base64Decode", T_BASE64_DECODE},
	{"base64decode", T_BASE64_DECODE},
	{"base64DecodeExt", T_BASE64_DECODE_EXT},
	{"escapeSeqDecode", T_ESCAPE_SEQ_DECODE},
	{"hexDecode", T_HEX_DECODE},
	{"hexEncode", T_HEX_ENCODE},
	{"length", T_LENGTH},
	{"sha1", T_SHA1},
	{"trim", T_TRIM},
	{"trimLeft", T_TRIM_LEFT},
	{"trimRight", T_TRIM_RIGHT},
};

int waf_tfn_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(tfn_names) / sizeof(tfn_names[0]); i++)
		if (strcmp(tfn_names[i].name, name) == 0)
			return tfn_names[i].t;
	return -1;
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Four hex digits at @p as a number, or -1. */
static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int d = hexv((unsigned char)p[i]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v' || c == 0xa0;
}

/* A %uHHHH or \uHHHH code point as one byte: full-width ASCII forms
 * (U+FF01..U+FF5E) become their ASCII letters, as IIS reads them;
 * anything else keeps its low byte. */
static uint8_t uni_byte(unsigned int cp)
{
	if (cp >= 0xff01 && cp <= 0xff5e)
		return (uint8_t)(cp - 0xfee0);
	return (uint8_t)cp;
}

static uint32_t url_decode(const char *in, uint32_t n, char *o, bool uni)
{
	uint32_t i = 0, k = 0;
	int cp4;

	while (i < n) {
		unsigned char c = (unsigned char)in[i];

		if (c == '%' && uni && i + 5 < n && (in[i + 1] | 0x20) == 'u' &&
		    (cp4 = hex4(in + i + 2)) >= 0) {
			unsigned int cp = (unsigned int)cp4;

			o[k++] = (char)uni_byte(cp);
			i += 6;
		} else if (c == '%' && i + 2 < n &&
			   hexv((unsigned char)in[i + 1]) >= 0 &&
			   hexv((unsigned char)in[i + 2]) >= 0) {
			o[k++] = (char)(hexv((unsigned char)in[i + 1]) << 4 |
					hexv((unsigned char)in[i + 2]));
			i += 3;
		} else {
			o[k++] = c == '+' ? ' ' : (char)c;
			i++;
		}
	}
	return k;
}

static const struct {
	const char *name;
	uint8_t c;
} entities[] = {
	{"quot", '"'}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"nbsp", ' '},
};

static uint32_t html_decode(const char *in, uint32_t n, char *o)
{
	uint32_t i = 0, k = 0;

	while (i < n) {
		if (in[i] == '&' && i + 1 < n) {
			uint32_t j = i + 1;

			if (in[j] == '#') {
				bool hex =
					j + 1 < n && (in[j + 1] | 0x20) == 'x';
				unsigned int v = 0, digits = 0;

				j += hex ? 2 : 1;
				while (j < n && digits < 8 &&
				       (hex ? hexv((unsigned char)in[j]) >= 0
					    : isdigit((unsigned char)in[j]))) {
					v = v * (hex ? 16 : 10) +
					    (unsigned int)(hex ? hexv((unsigned char)
									      in[j])
							       : in[j] - '0');
					j++;
					digits++;
				}
				if (digits > 0) {
					o[k++] = (char)(uint8_t)v;
					if (j < n && in[j] == ';')
						j++;
					i = j;
					continue;
				}
			} else {
				unsigned int e;

				for (e = 0;
				     e < sizeof(entities) / sizeof(entities[0]);
				     e++) {
					size_t l = strlen(entities[e].name);

					if (j + l <= n &&
					    strncasecmp(in + j,
							entities[e].name,
							l) == 0) {
						o[k++] = (char)entities[e].c;
						j += (uint32_t)l;
						if (j < n && in[j] == ';')
							j++;
						i = j;
						break;
					}
				}
				if (e < sizeof(entities) / sizeof(entities[0]))
					continue;
			}
		}
		o[k++] = in[i++];
	}
	return k;
}

static uint32_t js_decode(const char *in, uint32_t n, char *o)
{
	uint32_t i = 0, k = 0;
	int cp4;

	while (i < n) {
		if (in[i] != '\\' || i + 1 >= n) {
			o[k++] = in[i++];
			continue;
		}
		if ((in[i + 1] | 0x20) == 'u' && i + 5 < n &&
		    (cp4 = hex4(in + i + 2)) >= 0) {
			unsigned int cp = (unsigned int)cp4;

			o[k++] = (char)uni_byte(cp);
			i += 6;
		} else if ((in[i + 1] | 0x20) == 'x' && i + 3 < n &&
			   hexv((unsigned char)in[i + 2]) >= 0 &&
			   hexv((unsigned char)in[i + 3]) >= 0) {
			o[k++] = (char)(hexv((unsigned char)in[i + 2]) << 4 |
					hexv((unsigned char)in[i + 3]));
			i += 4;
		} else if (in[i + 1] >= '0' && in[i + 1] <= '7') {
			unsigned int v = 0, d = 0;

			i++;
			while (i < n && d < 3 && in[i] >= '0' && in[i] <= '7') {
				v = v * 8 + (unsigned int)(in[i] - '0');
				i++;
				d++;
			}
			o[k++] = (char)(uint8_t)v;
		} else {
			static const char from[] = "abfnrtv";
			static const char to[] = "\a\b\f\n\r\t\v";
			const char *p = strchr(from, in[i + 1]);

			o[k++] = p && in[i + 1] ? to[p - from] : in[i + 1];
			i += 2;
		}
	}
	return k;
}

static uint32_t css_decode(const char *in, uint32_t n, char *o)
{
	uint32_t i = 0, k = 0;

	while (i < n) {
		if (in[i] != '\\') {
			o[k++] = in[i++];
			continue;
		}
		i++;
		if (i >= n)
			break; /* a lone trailing backslash is dropped */
		if (hexv((unsigned char)in[i]) >= 0) {
			unsigned int v = 0, d = 0;

			while (i < n && d < 6 &&
			       hexv((unsigned char)in[i]) >= 0) {
				v = v * 16 +
				    (unsigned int)hexv((unsigned char)in[i]);
				i++;
				d++;
			}
			o[k++] = (char)uni_byte(v > 0xffff ? v & 0xff : v);
			if (i < n && is_ws((unsigned char)in[i]))
				i++;
		} else if (in[i] == '\n') {
			i++; /* line continuation */
		} else {
			o[k++] = in[i++];
		}
	}
	return k;
}

static uint32_t cmd_line(const char *in, uint32_t n, char *o)
{
	uint32_t i, k = 0;
	bool space = false;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\\' || c == '"' || c == '\'' || c == '^')
			continue;
		if (c == ',' || c == ';' || is_ws(c)) {
			space = true;
			continue;
		}
		if ((c == '/' || c == '(') && space) {
			space = false; /* no space before / or ( */
		}
		if (space) {
			o[k++] = ' ';
			space = false;
		}
		o[k++] = (char)tolower(c);
	}
	if (space)
		o[k++] = ' ';
	return k;
}

static uint32_t normalize_path(char *o, uint32_t n, bool win)
{
	uint32_t i, k = 0;

	if (win)
		for (i = 0; i < n; i++)
			if (o[i] == '\\')
				o[i] = '/';
	for (i = 0; i < n;) {
		if (o[i] == '/' && k > 0 && o[k - 1] == '/') {
			i++; /* "//" */
		} else if (o[i] == '.' && (k == 0 || o[k - 1] == '/') &&
			   (i + 1 == n || o[i + 1] == '/')) {
			i += i + 1 < n ? 2 : 1; /* "./" */
		} else if (o[i] == '.' && i + 1 < n && o[i + 1] == '.' &&
			   (k == 0 || o[k - 1] == '/') &&
			   (i + 2 == n || o[i + 2] == '/')) {
			/* "../": back over the last segment */
			if (k > 1) {
				k--;
				while (k > 0 && o[k - 1] != '/')
					k--;
			}
			i += i + 2 < n ? 3 : 2;
		} else {
			o[k++] = o[i++];
		}
	}
	return k;
}

static uint32_t replace_comments(const char *in, uint32_t n, char *o,
				 bool remove)
{
	uint32_t i = 0, k = 0;

	while (i < n) {
		if (in[i] == '/' && i + 1 < n && in[i + 1] == '*') {
			const char *end = NULL;
			uint32_t j;

			for (j = i + 2; j + 1 < n; j++)
				if (in[j] == '*' && in[j + 1] == '/') {
					end = in + j;
					break;
				}
			if (!remove)
				o[k++] = ' ';
			i = end ? (uint32_t)(end - in) + 2 : n;
		} else if (remove &&
			   ((in[i] == '-' && i + 1 < n && in[i + 1] == '-') ||
			    in[i] == '#')) {
			while (i < n && in[i] != '\n')
				i++;
		} else {
			o[k++] = in[i++];
		}
	}
	return k;
}

static uint32_t utf8_to_unicode(const char *in, uint32_t n, char *o)
{
	uint32_t i = 0, k = 0;

	while (i < n) {
		unsigned char c = (unsigned char)in[i];
		unsigned int cp, len;

		if (c < 0x80) {
			o[k++] = (char)c;
			i++;
			continue;
		}
		len = (c & 0xe0) == 0xc0   ? 2
		      : (c & 0xf0) == 0xe0 ? 3
		      : (c & 0xf8) == 0xf0 ? 4
					   : 0;
		if (len == 0 || i + len > n) {
			o[k++] = (char)c;
			i++;
			continue;
		}
		cp = c & (0xff >> (len + 1));
		for (unsigned int j = 1; j < len; j++) {
			if (((unsigned char)in[i + j] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = cp << 6 | ((unsigned char)in[i + j] & 0x3f);
		}
		if (len == 0) {
			o[k++] = (char)c;
			i++;
			continue;
		}
		k += (uint32_t)sprintf(o + k, "%%u%04x", cp & 0xffff);
		i += len;
	}
	return k;
}

static uint32_t b64_decode(const char *in, uint32_t n, char *o, bool ext)
{
	uint32_t i, k = 0, acc = 0, bits = 0;

	/* Input that is not base64 at all stays as it is (libmodsecurity's
	 * decoder refuses it and the rule sees the value unchanged). */
	if (!ext) {
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)in[i];

			if (!isalnum(c) && c != '+' && c != '/' && c != '=')
				break;
		}
		if (i < n) {
			memcpy(o, in, n);
			return n;
		}
	}

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=' || ext)
			continue;
		else
			break;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (char)(acc >> bits);
		}
	}
	return k;
}

static uint32_t escape_seq_decode(const char *in, uint32_t n, char *o)
{
	uint32_t i = 0, k = 0;

	while (i < n) {
		if (in[i] == '\\' && i + 1 < n) {
			static const char from[] = "abfnrtv\\?'\"";
			static const char to[] = "\a\b\f\n\r\t\v\\?'\"";
			const char *p = strchr(from, in[i + 1]);

			if (p && in[i + 1]) {
				o[k++] = to[p - from];
				i += 2;
				continue;
			}
			if ((in[i + 1] | 0x20) == 'x' && i + 3 < n &&
			    hexv((unsigned char)in[i + 2]) >= 0 &&
			    hexv((unsigned char)in[i + 3]) >= 0) {
				o[k++] = (char)(hexv((unsigned char)in[i + 2])
							<< 4 |
						hexv((unsigned char)in[i + 3]));
				i += 4;
				continue;
			}
			if (in[i + 1] >= '0' && in[i + 1] <= '7') {
				unsigned int v = 0, d = 0;

				i++;
				while (i < n && d < 3 && in[i] >= '0' &&
				       in[i] <= '7') {
					v = v * 8 + (unsigned int)(in[i] - '0');
					i++;
					d++;
				}
				o[k++] = (char)(uint8_t)v;
				continue;
			}
		}
		o[k++] = in[i++];
	}
	return k;
}

/* Byte classes: one pass over a value tells which transformations can
 * change it at all; a value that has none of a transformation's
 * trigger bytes goes through it in O(1), and a chain of them keeps the
 * summary as long as the value stays the same. */
enum {
	B_UPPER = 1u << 0,
	B_LOWER = 1u << 1,
	B_URL = 1u << 2, /* % + */
	B_AMP = 1u << 3, /* & */
	B_BACKSLASH = 1u << 4,
	B_NUL = 1u << 5,
	B_SPACE = 1u << 6,    /* ' ' */
	B_WS_OTHER = 1u << 7, /* \t \n \r \f \v 0xa0 */
	B_SLASH = 1u << 8,
	B_DOT = 1u << 9,
	B_HIGH = 1u << 10, /* >= 0x80 */
	B_CMD = 1u << 11,  /* " ' ^ , ; */
};

static uint16_t byte_classes[256];
static pthread_once_t byte_classes_once = PTHREAD_ONCE_INIT;

static void byte_classes_init(void)
{
	unsigned int b;

	for (b = 0; b < 256; b++) {
		uint16_t m = 0;

		if (b >= 'A' && b <= 'Z')
			m |= B_UPPER;
		if (b >= 'a' && b <= 'z')
			m |= B_LOWER;
		if (b == '%' || b == '+')
			m |= B_URL;
		if (b == '&')
			m |= B_AMP;
		if (b == '\\')
			m |= B_BACKSLASH;
		if (b == 0)
			m |= B_NUL;
		if (b == ' ')
			m |= B_SPACE;
		else if (is_ws((unsigned char)b))
			m |= B_WS_OTHER;
		if (b == '/')
			m |= B_SLASH;
		if (b == '.')
			m |= B_DOT;
		if (b >= 0x80)
			m |= B_HIGH;
		if (b == '"' || b == '\'' || b == '^' || b == ',' || b == ';')
			m |= B_CMD;
		byte_classes[b] = m;
	}
}

void waf_tfn_init(void)
{
	pthread_once(&byte_classes_once, byte_classes_init);
}

uint32_t waf_byte_classes(const char *s, uint32_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t m0 = 0, m1 = 0, i = 0;

	for (; i + 2 <= n; i += 2) {
		m0 |= byte_classes[p[i]];
		m1 |= byte_classes[p[i + 1]];
	}
	if (i < n)
		m0 |= byte_classes[p[i]];
	return m0 | m1;
}

uint32_t waf_tfn_triggers(enum waf_tfn t)
{
	const uint32_t ws = B_SPACE | B_WS_OTHER;

	switch (t) {
	case T_LOWERCASE:
		return B_UPPER;
	case T_UPPERCASE:
		return B_LOWER;
	case T_URL_DECODE:
	case T_URL_DECODE_UNI:
		return B_URL;
	case T_HTML_ENTITY_DECODE:
		return B_AMP;
	case T_JS_DECODE:
	case T_CSS_DECODE:
	case T_ESCAPE_SEQ_DECODE:
		return B_BACKSLASH;
	case T_REMOVE_NULLS:
		return B_NUL;
	case T_REMOVE_WHITESPACE:
	case T_COMPRESS_WHITESPACE:
	case T_TRIM:
	case T_TRIM_LEFT:
	case T_TRIM_RIGHT:
		return ws;
	case T_CMD_LINE:
		return B_UPPER | B_BACKSLASH | B_CMD | ws;
	case T_NORMALIZE_PATH:
		return B_SLASH | B_DOT;
	case T_NORMALIZE_PATH_WIN:
		return B_SLASH | B_DOT | B_BACKSLASH;
	case T_REPLACE_COMMENTS:
		return B_SLASH;
	case T_UTF8_TO_UNICODE:
		return B_HIGH;
	default:
		return ~0u; /* always computed */
	}
}

uint32_t waf_tfn_apply_classes(struct ww_waf_ctx *c, enum waf_tfn t,
			       const char *in, uint32_t n, uint32_t in_classes,
			       const char **out, uint32_t *out_classes)
{
	uint32_t k;

	if ((in_classes & waf_tfn_triggers(t)) == 0) {
		*out = in;
		*out_classes = in_classes;
		return n;
	}
	k = waf_tfn_apply(c, t, in, n, out);
	*out_classes =
		*out == in && k == n ? in_classes : waf_byte_classes(*out, k);
	return k;
}

/* Bytes whose presence means transformation @t may change a value; a
 * value without any of them comes out as it went in, with no copy (most
 * benign values pass most chains this way). */
static bool may_change(enum waf_tfn t, const char *in, uint32_t n)
{
	uint32_t i;

	switch (t) {
	case T_LOWERCASE:
		for (i = 0; i < n; i++)
			if (in[i] >= 'A' && in[i] <= 'Z')
				return true;
		return false;
	case T_UPPERCASE:
		for (i = 0; i < n; i++)
			if (in[i] >= 'a' && in[i] <= 'z')
				return true;
		return false;
	case T_URL_DECODE:
	case T_URL_DECODE_UNI:
		return memchr(in, '%', n) != NULL || memchr(in, '+', n) != NULL;
	case T_HTML_ENTITY_DECODE:
		return memchr(in, '&', n) != NULL;
	case T_JS_DECODE:
	case T_CSS_DECODE:
	case T_ESCAPE_SEQ_DECODE:
		return memchr(in, '\\', n) != NULL;
	case T_REMOVE_NULLS:
		return memchr(in, '\0', n) != NULL;
	case T_REMOVE_WHITESPACE:
		for (i = 0; i < n; i++)
			if (is_ws((unsigned char)in[i]))
				return true;
		return false;
	case T_COMPRESS_WHITESPACE:
		for (i = 0; i < n; i++)
			if (is_ws((unsigned char)in[i]) &&
			    (in[i] != ' ' ||
			     (i + 1 < n && is_ws((unsigned char)in[i + 1]))))
				return true;
		return false;
	case T_REPLACE_COMMENTS:
		return memmem(in, n, "/*", 2) != NULL;
	case T_UTF8_TO_UNICODE:
		for (i = 0; i < n; i++)
			if ((unsigned char)in[i] >= 0x80)
				return true;
		return false;
	case T_TRIM:
	case T_TRIM_LEFT:
	case T_TRIM_RIGHT:
		return n > 0 && (is_ws((unsigned char)in[0]) ||
				 is_ws((unsigned char)in[n - 1]));
	default:
		return true;
	}
}

uint32_t waf_tfn_apply(struct ww_waf_ctx *c, enum waf_tfn t, const char *in,
		       uint32_t n, const char **out)
{
	char *o;
	uint32_t i, k = 0;

	if (!may_change(t, in, n)) {
		*out = in;
		return n;
	}
	o = waf_alloc(c, (size_t)n * 6 + 64);

	if (o == NULL) {
		*out = in; /* arena full: the value stays as it is */
		return n;
	}
	switch (t) {
	case T_LOWERCASE:
	case T_UPPERCASE:
		for (i = 0; i < n; i++)
			o[i] = (char)(t == T_LOWERCASE
					      ? tolower((unsigned char)in[i])
					      : toupper((unsigned char)in[i]));
		k = n;
		break;
	case T_URL_DECODE:
	case T_URL_DECODE_UNI:
		k = url_decode(in, n, o, t == T_URL_DECODE_UNI);
		break;
	case T_HTML_ENTITY_DECODE:
		k = html_decode(in, n, o);
		break;
	case T_JS_DECODE:
		k = js_decode(in, n, o);
		break;
	case T_CSS_DECODE:
		k = css_decode(in, n, o);
		break;
	case T_REMOVE_NULLS:
		for (i = 0; i < n; i++)
			if (in[i] != '\0')
				o[k++] = in[i];
		break;
	case T_REMOVE_WHITESPACE:
		for (i = 0; i < n; i++)
			if (!is_ws((unsigned char)in[i]))
				o[k++] = in[i];
		break;
	case T_COMPRESS_WHITESPACE:
		for (i = 0; i < n; i++) {
			if (is_ws((unsigned char)in[i])) {
				if (k == 0 || o[k - 1] != ' ')
					o[k++] = ' ';
			} else {
				o[k++] = in[i];
			}
		}
		break;
	case T_CMD_LINE:
		k = cmd_line(in, n, o);
		break;
	case T_NORMALIZE_PATH:
	case T_NORMALIZE_PATH_WIN:
		memcpy(o, in, n);
		k = normalize_path(o, n, t == T_NORMALIZE_PATH_WIN);
		break;
	case T_REPLACE_COMMENTS:
	case T_REMOVE_COMMENTS:
		k = replace_comments(in, n, o, t == T_REMOVE_COMMENTS);
		break;
	case T_UTF8_TO_UNICODE:
		k = utf8_to_unicode(in, n, o);
		break;
	case T_BASE64_DECODE:
	case T_BASE64_DECODE_EXT:
		k = b64_decode(in, n, o, t == T_BASE64_DECODE_EXT);
		break;
	case T_ESCAPE_SEQ_DECODE:
		k = escape_seq_decode(in, n, o);
		break;
	case T_HEX_DECODE:
		for (i = 0; i + 1 < n; i += 2) {
			int a = hexv((unsigned char)in[i]),
			    b = hexv((unsigned char)in[i + 1]);

			if (a < 0 || b < 0)
				break;
			o[k++] = (char)(a << 4 | b);
		}
		break;
	case T_HEX_ENCODE:
		if ((size_t)n * 2 > (size_t)n * 6 + 64)
			break;
		for (i = 0; i < n; i++) {
			o[k++] = "0123456789abcdef"[(unsigned char)in[i] >> 4];
			o[k++] = "0123456789abcdef"[in[i] & 15];
		}
		break;
	case T_LENGTH:
		k = (uint32_t)sprintf(o, "%u", n);
		break;
	case T_SHA1:
		SHA1((const unsigned char *)in, n, (unsigned char *)o);
		k = 20;
		break;
	case T_TRIM:
	case T_TRIM_LEFT:
	case T_TRIM_RIGHT: {
		uint32_t a = 0, b = n;

		if (t != T_TRIM_RIGHT)
			while (a < b && is_ws((unsigned char)in[a]))
				a++;
		if (t != T_TRIM_LEFT)
			while (b > a && is_ws((unsigned char)in[b - 1]))
				b--;
		memcpy(o, in + a, b - a);
		k = b - a;
		break;
	}
	default:
		memcpy(o, in, n);
		k = n;
	}
	o[k] = '\0';
	*out = o;
	return k;
}
