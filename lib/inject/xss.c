/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @detectXSS: does a value carry script into an HTML page? See ww_inject.h.
 *
 * Written from the HTML tokenization rules (WHATWG HTML, "Tokenization":
 * data, tag open, end tag open, tag name, before / after attribute name,
 * attribute name, before attribute value, attribute value double-quoted /
 * single-quoted / unquoted, after attribute value (quoted), self-closing
 * start tag, markup declaration open, comment and bogus comment states)
 * and from libinjection's published description of its XSS detector (an
 * HTML5 tokenizer run in each injection context); not from its code.
 *
 * The value is tokenized once for each place it could land in a page:
 *
 *   - as text (the data state);
 *   - as text inside an element whose text is not markup (the page's
 *     <textarea>, <title>, <style>, <script>, <noscript>, <xmp>...): from
 *     each such element's first end tag in the value, as text again;
 *   - as the rest of an attribute value that a double quote, a single
 *     quote or white space (or '>') closes: the three attribute value
 *     states, so that `x" onmouseover="...` or `x onfocus=...` is read the
 *     way the browser reads it once the page's value is closed;
 *
 * and once on its own as a URL (a parameter later written into an href):
 * a value that starts with a javascript:, vbscript: or script-capable
 * data: URL.
 *
 * A pass flags:
 *   - start tags that run script: script (also behind an XML prefix,
 *     x:script), svg and math (foreign content, the mutation-XSS vectors);
 *   - start tags that load a document, a plug-in or an IE behaviour, or
 *     move the page's base URL, once they carry an attribute: iframe,
 *     frame, frameset, object, embed, applet, base, link, import, xml and
 *     VML frames; meta with http-equiv (refresh, set-cookie) or a UTF-7
 *     charset; form with an action; style whose text holds expression(,
 *     a script URL, @import, behavior: or -moz-binding;
 *   - event-handler attributes (on + an event name from the HTML, DOM,
 *     SVG and legacy IE/Gecko specs) given a value; inside a tag the value
 *     opened itself, also any on + 3 letters with a value, and old Gecko's
 *     `onload!#$=` form;
 *   - attribute values whose URL scheme is javascript:, vbscript: or a
 *     data: URL whose media type can hold script (none, text/html, XML,
 *     JavaScript, application/..., image/svg), after decoding character
 *     references and dropping the control characters (tab, newline, NUL)
 *     browsers drop inside a scheme: in a tag the value opened, any
 *     attribute; after the page's value is closed, the URL-bearing ones
 *     (src, href, action, formaction, xlink:href, data, background...);
 *   - style attributes whose CSS, with escapes decoded and comments
 *     removed, holds expression(, javascript:, vbscript:, behavior: or
 *     -moz-binding;
 *   - IE conditional comments (<!--[if, <![endif), the processing
 *     instructions IE acted on (<?import, <?xml-stylesheet,
 *     <?xml:namespace) and Netscape's &{...} attribute entities.
 * Comments end where the spec ends them (-->, --!>, <!-->), so markup
 * after a `-->` trick is read as markup; after an element whose text is
 * raw, `<!--` is no comment and hides nothing.
 *
 * Plain text with < and > (a < b, <3), prose that mentions onerror or
 * javascript, code (List<object>) and harmless markup (<b>, <a
 * href="https://...">, <img src="cat.png">) pass: a tag needs `<` and a
 * letter, an attribute in the page's tag needs `name=` with a known event
 * name, style with dangerous CSS or a URL attribute with a script URL.
 *
 * Cost: one scan of the value picks the passes that can matter (the data
 * passes need a `<` that opens markup, an attribute pass a `<` or `=`
 * after its quote or space; with neither only the URL check runs, and it
 * stops at the first letter that spells none of its schemes). Each pass
 * moves forward only, with a fixed state (names kept up to 40 bytes,
 * media types up to 16), skipping text, comments and unchecked values
 * with memchr; character references are decoded by looking ahead. At
 * most 14 passes (data, 10 raw-text elements, 3 attribute contexts) read
 * a byte, each at most twice. No allocation, no recursion, no static
 * mutable state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ww_inject.h"

#define NAME_LEN     40 /* longest event attribute: 34 */
#define MEDIA_LEN    16
#define ENT_NAME_LEN 16

/* Which bytes a value holds, to pick the passes that can matter. */
#define M_WS 0x01
#define M_LT 0x02
#define M_GT 0x04
#define M_EQ 0x08
#define M_DQ 0x10
#define M_SQ 0x20

static const uint8_t byte_mask[256] = {
	['\t'] = M_WS, ['\n'] = M_WS, ['\f'] = M_WS, ['\r'] = M_WS,
	[' '] = M_WS,  ['<'] = M_LT,  ['>'] = M_GT,  ['='] = M_EQ,
	['"'] = M_DQ,  ['\''] = M_SQ,
};

/* HTML white space (CR counts: the input stream turns it into LF). */
static inline bool is_ws(uint8_t c)
{
	return (byte_mask[c] & M_WS) != 0;
}

static inline bool is_alpha(uint32_t c)
{
	return (uint32_t)((c | 0x20) - 'a') < 26;
}

static inline bool is_digit(uint32_t c)
{
	return (uint32_t)(c - '0') < 10;
}

static inline int hex_val(uint32_t c)
{
	if (is_digit(c))
		return (int)(c - '0');
	if ((uint32_t)((c | 0x20) - 'a') < 6)
		return (int)((c | 0x20) - 'a' + 10);
	return -1;
}

static inline char lower(uint32_t c)
{
	if (c >= 0x80)
		return (char)0x80; /* one class for every non-ASCII character */
	return (char)((uint32_t)(c - 'A') < 26 ? c | 0x20 : c);
}

/* Case-sensitive comparison of @key (@n bytes) with the string @lit. */
static int key_cmp(const char *key, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lit[i] == '\0')
			return 1;
		if (key[i] != lit[i])
			return (unsigned char)key[i] - (unsigned char)lit[i];
	}
	return lit[n] == '\0' ? 0 : -1;
}

/* Index of @key in the sorted @list of @count strings, or -1. */
static int find(const char *const *list, size_t count, const char *key,
		size_t n)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(key, n, list[mid]);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Event names (the attribute without its "on"): HTML's GlobalEventHandlers,
 * WindowEventHandlers and document events, pointer, touch, animation and
 * transition events, SVG animation events, marquee and the IE and Gecko
 * proprietary ones that old browsers still honour. Sorted (strcmp). Laid
 * out by hand: the formatter would give every name a line of its own.
 */
/* clang-format off */
static const char *const events[] = {
	"abort", "activate", "afterprint", "afterscriptexecute", "afterupdate",
	"animationcancel", "animationend", "animationiteration",
	"animationstart", "auxclick", "beforeactivate", "beforecopy",
	"beforecut", "beforedeactivate", "beforeeditfocus", "beforeinput",
	"beforematch", "beforepaste", "beforeprint", "beforescriptexecute",
	"beforetoggle", "beforeunload", "beforeupdate", "begin", "blur",
	"bounce", "cancel", "canplay", "canplaythrough", "cellchange",
	"change", "click", "close", "command",
	"contentvisibilityautostatechange", "contextlost", "contextmenu",
	"contextrestored", "controlselect", "copy", "cuechange", "cut",
	"dataavailable", "datasetchanged", "datasetcomplete", "dblclick",
	"deactivate", "drag", "dragend", "dragenter", "dragexit", "dragleave",
	"dragover", "dragstart", "drop", "durationchange", "emptied",
	"encrypted", "end", "ended", "error", "errorupdate", "filterchange",
	"finish", "focus", "focusin", "focusout", "formdata", "freeze",
	"fullscreenchange", "fullscreenerror", "gotpointercapture",
	"hashchange", "help", "input", "invalid", "keydown", "keypress",
	"keyup", "languagechange", "layoutcomplete", "load", "loadeddata",
	"loadedmetadata", "loadend", "loadstart", "losecapture",
	"lostpointercapture", "message", "messageerror", "mousedown",
	"mouseenter", "mouseleave", "mousemove", "mouseout", "mouseover",
	"mouseup", "mousewheel", "move", "moveend", "movestart",
	"mozfullscreenchange", "offline", "online", "pagehide", "pagereveal",
	"pageshow", "pageswap", "paste", "pause", "play", "playing",
	"pointercancel", "pointerdown", "pointerenter", "pointerleave",
	"pointerlockchange", "pointerlockerror", "pointermove", "pointerout",
	"pointerover", "pointerrawupdate", "pointerup", "popstate", "progress",
	"propertychange", "ratechange", "readystatechange", "rejectionhandled",
	"repeat", "reset", "resize", "resizeend", "resizestart", "resume",
	"rowenter", "rowexit", "rowsdelete", "rowsinserted", "scroll",
	"scrollend", "scrollsnapchange", "scrollsnapchanging", "search",
	"securitypolicyviolation", "seeked", "seeking", "select",
	"selectionchange", "selectstart", "show", "slotchange", "stalled",
	"start", "stop", "storage", "submit", "suspend", "timeupdate",
	"toggle", "touchcancel", "touchend", "touchmove", "touchstart",
	"transitioncancel", "transitionend", "transitionrun",
	"transitionstart", "unhandledrejection", "unload", "visibilitychange",
	"volumechange", "waiting", "waitingforkey", "webkitanimationend",
	"webkitanimationiteration", "webkitanimationstart",
	"webkitfullscreenchange", "webkittransitionend", "wheel", "zoom",
};
/* clang-format on */

/*
 * Start tags flagged whatever follows: script runs its text; svg and math
 * switch to foreign content, where <script>, animation events and CDATA
 * re-parse what follows (the mutation-XSS vectors).
 */
static const char *const script_tags[] = {"math", "script", "svg"};

/*
 * Start tags flagged once they carry an attribute: they load a document,
 * a plug-in or an IE behaviour (iframe, frame, frameset, object, embed,
 * applet, import, VML frames, xml data islands), or change where the
 * page's scripts, styles and links come from (base, link). Bare, they do
 * nothing, and code like List<object> or Optional<Link> stays clean. Meta
 * is flagged with http-equiv only (see attr_name_done()).
 */
static const char *const loader_tags[] = {
	"applet", "base", "embed",  "frame",	"frameset", "iframe",
	"import", "link", "object", "vmlframe", "xml",
};

/* Elements whose text is not markup: inside them `<!--` is no comment. */
static const char *const raw_tags[] = {
	"iframe", "noembed", "noframes", "noscript", "plaintext",
	"script", "style",   "textarea", "title",    "xmp",
};

/* Attributes whose value is a URL the browser loads or navigates to. */
static const char *const url_attrs[] = {
	"action",  "archive",  "background", "by",	 "cite",
	"classid", "code",     "codebase",   "data",	 "datasrc",
	"dynsrc",  "folder",   "formaction", "from",	 "href",
	"icon",	   "longdesc", "lowsrc",     "manifest", "ping",
	"poster",  "profile",  "src",	     "srcset",	 "to",
	"usemap",  "values",   "xml:base",
};

/*
 * Named character references that stand for ASCII punctuation and white
 * space, the ones that can spell a scheme or CSS syntax (&colon;, &Tab;,
 * &lpar;...); letters have none. Browsers match names case-sensitively
 * (&Tab; but not &tab;); matching them in any case costs no false
 * positive and catches filters' and old parsers' variants. Lowercase,
 * sorted (strcmp).
 */
static const struct {
	const char *name;
	char c;
} named_refs[] = {
	{"amp", '&'},	       {"apos", '\''},
	{"ast", '*'},	       {"bsol", '\\'},
	{"colon", ':'},	       {"comma", ','},
	{"commat", '@'},       {"diacriticalgrave", '`'},
	{"dollar", '$'},       {"equals", '='},
	{"excl", '!'},	       {"grave", '`'},
	{"gt", '>'},	       {"hat", '^'},
	{"lbrace", '{'},       {"lbrack", '['},
	{"lcub", '{'},	       {"lowbar", '_'},
	{"lpar", '('},	       {"lsqb", '['},
	{"lt", '<'},	       {"midast", '*'},
	{"newline", '\n'},     {"num", '#'},
	{"percnt", '%'},       {"period", '.'},
	{"plus", '+'},	       {"quest", '?'},
	{"quot", '"'},	       {"rbrace", '}'},
	{"rbrack", ']'},       {"rcub", '}'},
	{"rpar", ')'},	       {"rsqb", ']'},
	{"semi", ';'},	       {"sol", '/'},
	{"tab", '\t'},	       {"underbar", '_'},
	{"verbar", '|'},       {"vert", '|'},
	{"verticalline", '|'},
};

/*
 * The character reference at s[i] (an '&'): its code point in *cp and the
 * number of bytes it takes; a plain '&' (1 byte) when there is none.
 * Numeric references need no ';' and may carry any number of leading
 * zeros (browsers decode "&#0000106" too); named ones need their ';'.
 */
static size_t char_ref(const uint8_t *s, size_t len, size_t i, uint32_t *cp)
{
	char name[ENT_NAME_LEN];
	size_t j = i + 1, start;
	uint32_t v = 0;

	*cp = '&';
	if (j < len && s[j] == '#') {
		bool hex = j + 1 < len && (s[j + 1] | 0x20) == 'x';

		j += hex ? 2 : 1;
		start = j;
		for (; j < len; j++) {
			int d = hex ? hex_val(s[j])
				    : (is_digit(s[j]) ? s[j] - '0' : -1);

			if (d < 0)
				break;
			if (v <= 0x10FFFF)
				v = v * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (j == start)
			return 1;
		if (j < len && s[j] == ';')
			j++;
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		*cp = v;
		return j - i;
	}
	start = j;
	while (j < len && j - start < ENT_NAME_LEN &&
	       (is_alpha(s[j]) || is_digit(s[j]))) {
		name[j - start] = lower(s[j]);
		j++;
	}
	if (j > start && j < len && s[j] == ';') {
		size_t lo = 0, hi = COUNT(named_refs);

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = key_cmp(name, j - start, named_refs[mid].name);

			if (c == 0) {
				*cp = (uint8_t)named_refs[mid].c;
				return j + 1 - i;
			}
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return 1;
}

/*
 * URL scheme check, fed the decoded characters of a value from its start.
 * Browsers strip leading spaces and control characters and remove tab and
 * newline anywhere; old IE also ignored NUL and other control characters,
 * so every control character is dropped inside the scheme.
 */
enum { SCH_OFF, SCH_LEAD, SCH_NAME, SCH_MEDIA_LEAD, SCH_MEDIA };

struct scheme {
	uint8_t st;
	uint8_t n;	     /* letters of want[] seen, or of buf[] */
	const char *want;    /* the scheme the letters so far spell */
	char buf[MEDIA_LEN]; /* a data: URL's media type */
};

static void scheme_init(struct scheme *sc)
{
	sc->st = SCH_LEAD;
	sc->n = 0;
}

/* Media types of a data: URL that a browser runs as a document or script
 * (an empty one is text/plain, which a <script src> still runs). */
static bool media_is_script(const struct scheme *sc, bool closed)
{
	static const char *const bad[] = {
		"application/",	    "image/svg",       "text/ecmascript",
		"text/html",	    "text/javascript", "text/vbscript",
		"text/x-scriptlet", "text/xml",
	};
	size_t k;

	if (sc->n == 0)
		return closed;
	for (k = 0; k < COUNT(bad); k++) {
		size_t l = strlen(bad[k]);

		if (sc->n >= l && memcmp(sc->buf, bad[k], l) == 0)
			return true;
	}
	return false;
}

static bool scheme_feed(struct scheme *sc, uint32_t c)
{
	switch (sc->st) {
	case SCH_LEAD:
		/* IE took a backtick as a quote: SRC=`javascript:...` */
		if (c <= 0x20 || c == '`')
			return false;
		sc->st = SCH_NAME;
		/* fall through */
	case SCH_NAME:
		if (c < 0x20 || c == 0x7f)
			return false;
		if (sc->n == 0) {
			/* the only schemes that matter; anything else ends
			 * the check at its first letter */
			switch (lower(c)) {
			case 'j':
				sc->want = "javascript";
				break;
			case 'v':
				sc->want = "vbscript";
				break;
			case 'd':
				sc->want = "data";
				break;
			default:
				sc->st = SCH_OFF;
				return false;
			}
			sc->n = 1;
			return false;
		}
		if (sc->want[sc->n] != '\0') {
			if (lower(c) != sc->want[sc->n]) {
				sc->st = SCH_OFF;
				return false;
			}
			sc->n++;
			return false;
		}
		sc->st = SCH_OFF;
		if (c != ':')
			return false;
		if (sc->want[0] != 'd')
			return true; /* javascript: or vbscript: */
		sc->st = SCH_MEDIA_LEAD;
		sc->n = 0;
		return false;
	case SCH_MEDIA_LEAD:
	case SCH_MEDIA:
		if (c <= 0x20 || c == 0x7f)
			return false;
		sc->st = SCH_MEDIA;
		if (c == ',' || c == ';') {
			sc->st = SCH_OFF;
			return media_is_script(sc, true);
		}
		sc->buf[sc->n++] = lower(c);
		if (sc->n == MEDIA_LEN) {
			sc->st = SCH_OFF;
			return media_is_script(sc, false);
		}
		return false;
	default:
		return false;
	}
}

/* The value ended: a data: URL cut before its ',' still counts. */
static bool scheme_end(const struct scheme *sc)
{
	return sc->st == SCH_MEDIA && media_is_script(sc, false);
}

/*
 * CSS check for style attributes and <style> text. CSS escapes are
 * decoded (\65 xpression, \j), comments removed outside strings (expr
 * / *x* / ession) and white space and control characters dropped; what
 * remains is matched, lowercased, against the constructs that run
 * script or load code: IE's expression() and behavior, Gecko's
 * -moz-binding, script URLs in url(), and @import.
 */
enum { CSS_TEXT, CSS_SLASH, CSS_COMMENT, CSS_COMMENT_STAR, CSS_ESC, CSS_HEX };

struct css {
	uint8_t mode;
	uint8_t quote; /* 0, '"' or '\'' */
	uint8_t nhex;
	uint8_t pos; /* next slot in win */
	uint32_t hex;
	char win[16]; /* the last 16 characters kept */
};

static const char *const css_words[] = {
	"expression(", "javascript:",  "vbscript:",
	"behavior:",   "-moz-binding", "@import",
};

static void css_init(struct css *k)
{
	memset(k, 0, sizeof(*k));
}

static bool css_emit(struct css *k, uint32_t c)
{
	size_t w;
	char ch;

	if (c <= 0x20 || c == 0x7f)
		return false;
	ch = lower(c);
	k->win[k->pos] = ch;
	k->pos = (k->pos + 1) & 15;
	for (w = 0; w < COUNT(css_words); w++) {
		const char *word = css_words[w];
		size_t l = strlen(word), j;

		if (word[l - 1] != ch)
			continue;
		for (j = 1; j < l; j++)
			if (k->win[(k->pos - 1 - j) & 15] != word[l - 1 - j])
				break;
		if (j == l)
			return true;
	}
	return false;
}

static bool css_feed(struct css *k, uint32_t c)
{
	switch (k->mode) {
	case CSS_COMMENT:
		if (c == '*')
			k->mode = CSS_COMMENT_STAR;
		return false;
	case CSS_COMMENT_STAR:
		if (c == '/')
			k->mode = CSS_TEXT;
		else if (c != '*')
			k->mode = CSS_COMMENT;
		return false;
	case CSS_ESC:
		if (hex_val(c) >= 0) {
			k->mode = CSS_HEX;
			k->hex = (uint32_t)hex_val(c);
			k->nhex = 1;
			return false;
		}
		k->mode = CSS_TEXT;
		if (c == '\n')
			return false;  /* line continuation */
		return css_emit(k, c); /* \j is j, and never a quote */
	case CSS_HEX:
		if (hex_val(c) >= 0 && k->nhex < 6) {
			k->hex = k->hex * 16 + (uint32_t)hex_val(c);
			k->nhex++;
			return false;
		}
		k->mode = CSS_TEXT;
		if (css_emit(k, k->hex))
			return true;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f')
			return false; /* the space that ends an escape */
		break;
	case CSS_SLASH:
		k->mode = CSS_TEXT;
		if (c == '*') {
			k->mode = CSS_COMMENT;
			return false;
		}
		if (css_emit(k, '/'))
			return true;
		break;
	default:
		break;
	}
	if (c == '\\') {
		k->mode = CSS_ESC;
		return false;
	}
	if (k->quote != 0) {
		if (c == k->quote || c == '\n')
			k->quote = 0;
	} else if (c == '"' || c == '\'') {
		k->quote = (uint8_t)c;
	} else if (c == '/') {
		k->mode = CSS_SLASH;
		return false;
	}
	return css_emit(k, c);
}

/* The CSS ended: an escape cut by the end still counts. */
static bool css_end(struct css *k)
{
	return k->mode == CSS_HEX && css_emit(k, k->hex);
}

enum state {
	ST_DATA,
	ST_TAG_NAME,
	ST_BEFORE_ATTR_NAME,
	ST_ATTR_NAME,
	ST_AFTER_ATTR_NAME,
	ST_BEFORE_VALUE,
	ST_VALUE_DQ,
	ST_VALUE_SQ,
	ST_VALUE_UNQ,
	ST_AFTER_VALUE_QUOTED,
	ST_SELF_CLOSING,
};

#define TAG_REAL   0x01 /* opened by a '<' of the value, not the page's */
#define TAG_END	   0x02
#define TAG_FORM   0x04
#define TAG_STYLE  0x08
#define TAG_LOADER 0x10
#define TAG_META   0x20

/* One pass of the tokenizer. */
struct pass {
	const uint8_t *s;
	size_t len;
	uint8_t tag;	     /* TAG_* of the tag being read */
	bool in_style;	     /* text after <style>: CSS */
	bool raw;	     /* after a raw-text element: no comments */
	bool scan_scheme;    /* the value being read gets the URL check */
	bool scan_css;	     /* ... the CSS check */
	bool scan_charset;   /* ... the UTF-7 check (meta charset, content) */
	size_t vstart;	     /* where the value being read starts */
	bool name_long;	     /* the name overflowed name[] */
	uint8_t n;	     /* bytes in name[] */
	char name[NAME_LEN]; /* tag or attribute name, lowercased */
	struct scheme sch;
	struct css css;
};

/* IE dropped NUL inside names (<scr\0ipt>); the spec would make it
 * U+FFFD, which spells no dangerous name either way. */
static inline void name_add(struct pass *p, uint8_t c)
{
	if (c == 0)
		return;
	if (p->n < NAME_LEN)
		p->name[p->n++] = lower(c);
	else
		p->name_long = true;
}

static inline void name_reset(struct pass *p)
{
	p->n = 0;
	p->name_long = false;
}

static bool name_is(const struct pass *p, const char *lit)
{
	return !p->name_long && key_cmp(p->name, p->n, lit) == 0;
}

static bool name_in(const char *name, size_t n, const char *const *list,
		    size_t count)
{
	return find(list, count, name, n) >= 0;
}

/* A start tag's name is complete: flag it or note what it changes. An
 * XML prefix does not hide the element (<x:script xmlns:x=...>). */
static bool tag_done(struct pass *p)
{
	const char *local = p->name;
	size_t k, ln = p->n;

	if ((p->tag & (TAG_REAL | TAG_END)) != TAG_REAL || p->name_long)
		return false;
	for (k = 0; k < p->n; k++) {
		if (p->name[k] == ':') {
			local = p->name + k + 1;
			ln = p->n - k - 1;
		}
	}
	if (name_in(local, ln, script_tags, COUNT(script_tags)))
		return true;
	if (name_in(local, ln, loader_tags, COUNT(loader_tags)))
		p->tag |= TAG_LOADER;
	if (name_in(p->name, p->n, raw_tags, COUNT(raw_tags)))
		p->raw = true;
	if (name_is(p, "style"))
		p->tag |= TAG_STYLE;
	else if (name_is(p, "form"))
		p->tag |= TAG_FORM;
	else if (name_is(p, "meta"))
		p->tag |= TAG_META;
	return false;
}

static void tag_end(struct pass *p)
{
	if ((p->tag & (TAG_STYLE | TAG_END)) == TAG_STYLE) {
		p->in_style = true;
		css_init(&p->css);
	}
	p->tag = 0;
}

enum { EV_NONE, EV_LETTERS, EV_KNOWN, EV_KNOWN_JUNK };

/*
 * What the attribute name in p->name says about events: EV_KNOWN for on +
 * a known event, EV_KNOWN_JUNK for that followed by other characters (old
 * Gecko read `onload!#$%=` as onload), EV_LETTERS for on + three or more
 * letters that name no known event.
 */
static int event_kind(const struct pass *p)
{
	size_t j = 2;
	bool known;

	if (p->n < 3 || p->name[0] != 'o' || p->name[1] != 'n')
		return EV_NONE;
	while (j < p->n && (uint32_t)(p->name[j] - 'a') < 26)
		j++;
	if (j == 2)
		return EV_NONE;
	if (j == p->n && p->name_long)
		return EV_LETTERS;
	known = find(events, COUNT(events), p->name + 2, j - 2) >= 0;
	if (j == p->n)
		return known ? EV_KNOWN : (j - 2 >= 3 ? EV_LETTERS : EV_NONE);
	return known ? EV_KNOWN_JUNK : EV_NONE;
}

/*
 * An attribute name is complete: a loader tag now has something to load,
 * a meta tag with http-equiv redirects, sets cookies or changes the
 * charset (UTF-7), and old Gecko ran `onload!#$%=`.
 */
static bool attr_name_done(const struct pass *p)
{
	if ((p->tag & (TAG_REAL | TAG_END)) != TAG_REAL)
		return false;
	return (p->tag & TAG_LOADER) ||
	       ((p->tag & TAG_META) && name_is(p, "http-equiv")) ||
	       event_kind(p) == EV_KNOWN_JUNK;
}

static bool is_url_attr(const struct pass *p)
{
	if (p->name_long)
		return false;
	if (find(url_attrs, COUNT(url_attrs), p->name, p->n) >= 0)
		return true;
	/* xlink:href and any other prefix */
	return p->n > 5 && memcmp(p->name + p->n - 5, ":href", 5) == 0;
}

/*
 * The attribute in p->name gets a value ('=' seen): flag an event handler
 * or a form's action, and choose the checks its value gets. In a tag the
 * value opened itself, every attribute's value gets the URL check; in the
 * page's tag (after a closing quote) only URL attributes'.
 */
static bool attr_gets_value(struct pass *p)
{
	bool real = (p->tag & (TAG_REAL | TAG_END)) == TAG_REAL;
	int ev;

	p->scan_scheme = false;
	p->scan_css = false;
	p->scan_charset = false;
	if (p->tag & TAG_END)
		return false; /* end tags' attributes are dropped */
	ev = event_kind(p);
	if (ev == EV_KNOWN || (real && ev != EV_NONE))
		return true;
	if ((p->tag & TAG_FORM) && name_is(p, "action"))
		return true;
	if (name_is(p, "style")) {
		p->scan_css = true;
		css_init(&p->css);
	}
	if (real || is_url_attr(p)) {
		p->scan_scheme = true;
		scheme_init(&p->sch);
	}
	p->scan_charset = (p->tag & TAG_META) &&
			  (name_is(p, "charset") || name_is(p, "content"));
	return false;
}

static inline bool scanning(const struct pass *p)
{
	return p->scan_scheme || p->scan_css || p->scan_charset;
}

/* A value starts at s[i]: Netscape ran &{...} in any attribute. */
static bool value_start(struct pass *p, size_t i)
{
	p->vstart = i;
	return (p->tag & (TAG_REAL | TAG_END)) == TAG_REAL && i + 1 < p->len &&
	       p->s[i] == '&' && p->s[i + 1] == '{';
}

static bool starts_with_ci(const uint8_t *s, size_t len, size_t i,
			   const char *lit)
{
	size_t l = strlen(lit), k;

	if (i > len || len - i < l)
		return false;
	for (k = 0; k < l; k++)
		if (lower(s[i + k]) != lit[k])
			return false;
	return true;
}

/*
 * The value being read ends at s[end]. A page whose charset a meta tag
 * makes UTF-7 reads +ADw-script+AD4- as <script> (IE).
 */
static bool value_end(struct pass *p, size_t end)
{
	bool r = false;
	size_t k;

	if (p->scan_scheme)
		r = scheme_end(&p->sch);
	if (p->scan_css && css_end(&p->css))
		r = true;
	if (p->scan_charset)
		for (k = p->vstart; k < end && !r; k++)
			r = starts_with_ci(p->s, end, k, "utf-7") ||
			    starts_with_ci(p->s, end, k, "utf7");
	p->scan_scheme = false;
	p->scan_css = false;
	p->scan_charset = false;
	return r;
}

/* One character of a value, decoding a character reference at s[*i]. */
static bool value_char(struct pass *p, size_t *i)
{
	uint32_t c = p->s[*i];

	if (c == '&')
		*i += char_ref(p->s, p->len, *i, &c);
	else
		*i += 1;
	if (p->scan_scheme) {
		if (scheme_feed(&p->sch, c))
			return true;
		if (p->sch.st == SCH_OFF)
			p->scan_scheme = false;
	}
	return p->scan_css && css_feed(&p->css, c);
}

/* IE conditional comments: <!--[if IE]>, <![endif]>, <![if !IE]>. */
static bool conditional(const uint8_t *s, size_t len, size_t i)
{
	if (starts_with_ci(s, len, i, "[endif"))
		return true;
	return starts_with_ci(s, len, i, "[if") &&
	       (i + 3 >= len || !is_alpha(s[i + 3]));
}

/* The processing instructions IE acted on (behaviours, time2 and XSL). */
static bool ie_pi(const uint8_t *s, size_t len, size_t i)
{
	return starts_with_ci(s, len, i, "import") ||
	       starts_with_ci(s, len, i, "xml-stylesheet") ||
	       starts_with_ci(s, len, i, "xml:namespace");
}

/* Bogus comment (and DOCTYPE) from s[i]: the index after its '>'. */
static size_t skip_to_gt(const uint8_t *s, size_t len, size_t i)
{
	const uint8_t *gt;

	if (i >= len)
		return len;
	gt = memchr(s + i, '>', len - i);
	return gt == NULL ? len : (size_t)(gt - s) + 1;
}

/*
 * Comment whose text starts at s[i] (after "<!--"): the index after its
 * end. "<!-->" and "<!--->" close at once; otherwise "--" followed by any
 * more dashes and then ">" or "!>" closes it.
 */
static size_t comment_end(const uint8_t *s, size_t len, size_t i)
{
	if (i < len && s[i] == '>')
		return i + 1;
	if (i + 1 < len && s[i] == '-' && s[i + 1] == '>')
		return i + 2;
	while (i < len) {
		const uint8_t *d = memchr(s + i, '-', len - i);
		size_t m;

		if (d == NULL)
			return len;
		i = (size_t)(d - s);
		if (i + 1 >= len)
			return len;
		if (s[i + 1] != '-') {
			i++;
			continue;
		}
		m = i + 2;
		while (m < len && s[m] == '-')
			m++;
		if (m < len && s[m] == '>')
			return m + 1;
		if (m + 1 < len && s[m] == '!' && s[m + 1] == '>')
			return m + 2;
		i = m;
	}
	return len;
}

/*
 * Markup at s[*i] == '<' in the data state: start or end tag, comment,
 * bogus comment, or text. Sets *i and *st for what follows; true when the
 * markup itself is flagged.
 */
static bool markup_open(struct pass *p, size_t *i, enum state *st)
{
	const uint8_t *s = p->s;
	size_t len = p->len, at = *i;
	uint8_t c;

	if (at + 1 >= len) {
		*i = len;
		return false;
	}
	c = s[at + 1];
	if (is_alpha(c)) {
		p->tag = TAG_REAL;
		name_reset(p);
		*i = at + 1;
		*st = ST_TAG_NAME;
		return false;
	}
	if (c == '/') {
		if (at + 2 < len && is_alpha(s[at + 2])) {
			p->tag = TAG_REAL | TAG_END;
			name_reset(p);
			*i = at + 2;
			*st = ST_TAG_NAME;
		} else if (at + 2 < len && s[at + 2] == '>') {
			*i = at + 3;
		} else {
			*i = p->raw ? at + 1 : skip_to_gt(s, len, at + 2);
		}
		return false;
	}
	if (p->raw || (c != '!' && c != '?')) {
		*i = at + 1; /* text */
		return false;
	}
	if (c == '?') {
		if (ie_pi(s, len, at + 2))
			return true;
		*i = skip_to_gt(s, len, at + 1);
		return false;
	}
	if (at + 3 < len && s[at + 2] == '-' && s[at + 3] == '-') {
		if (conditional(s, len, at + 4))
			return true;
		*i = comment_end(s, len, at + 4);
		return false;
	}
	if (conditional(s, len, at + 2))
		return true;
	*i = skip_to_gt(s, len, at + 2); /* DOCTYPE, CDATA, bogus comment */
	return false;
}

/*
 * Tokenize s[0..len) from state @st: ST_DATA for text, an attribute value
 * state for the rest of the page's attribute value (whose name is not
 * known: the value itself was checked as a URL by the caller).
 */
static bool run(const uint8_t *s, size_t len, enum state st)
{
	struct pass p;
	size_t i = 0;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.len = len;
	while (i < len) {
		uint8_t c = s[i];

		switch (st) {
		case ST_DATA:
			if (p.in_style) {
				if (c != '<') {
					if (css_feed(&p.css, c))
						return true;
					i++;
					break;
				}
				p.in_style = false;
				if (css_end(&p.css))
					return true;
			} else if (c != '<') {
				const uint8_t *lt = memchr(s + i, '<', len - i);

				if (lt == NULL)
					return false;
				i = (size_t)(lt - s);
			}
			if (markup_open(&p, &i, &st))
				return true;
			break;
		case ST_TAG_NAME:
			while (i < len && !is_ws(s[i]) && s[i] != '/' &&
			       s[i] != '>')
				name_add(&p, s[i++]);
			if (tag_done(&p))
				return true;
			if (i >= len)
				return false;
			c = s[i++];
			if (c == '>') {
				tag_end(&p);
				st = ST_DATA;
			} else {
				st = c == '/' ? ST_SELF_CLOSING
					      : ST_BEFORE_ATTR_NAME;
			}
			break;
		case ST_BEFORE_ATTR_NAME:
			if (is_ws(c)) {
				i++;
			} else if (c == '/') {
				i++;
				st = ST_SELF_CLOSING;
			} else if (c == '>') {
				i++;
				tag_end(&p);
				st = ST_DATA;
			} else {
				name_reset(&p);
				if (c == '=') {
					name_add(&p, c);
					i++;
				}
				st = ST_ATTR_NAME;
			}
			break;
		case ST_ATTR_NAME:
			while (i < len && !is_ws(s[i]) && s[i] != '/' &&
			       s[i] != '>' && s[i] != '=')
				name_add(&p, s[i++]);
			if (attr_name_done(&p))
				return true;
			if (i >= len)
				return false;
			c = s[i++];
			if (c == '=') {
				if (attr_gets_value(&p))
					return true;
				st = ST_BEFORE_VALUE;
			} else if (c == '>') {
				tag_end(&p);
				st = ST_DATA;
			} else {
				st = c == '/' ? ST_SELF_CLOSING
					      : ST_AFTER_ATTR_NAME;
			}
			break;
		case ST_AFTER_ATTR_NAME:
			if (is_ws(c)) {
				i++;
			} else if (c == '/') {
				i++;
				st = ST_SELF_CLOSING;
			} else if (c == '=') {
				i++;
				if (attr_gets_value(&p))
					return true;
				st = ST_BEFORE_VALUE;
			} else if (c == '>') {
				i++;
				tag_end(&p);
				st = ST_DATA;
			} else {
				name_reset(&p);
				st = ST_ATTR_NAME;
			}
			break;
		case ST_BEFORE_VALUE:
			if (is_ws(c)) {
				i++;
			} else if (c == '>') {
				i++;
				p.scan_scheme = p.scan_css = false;
				p.scan_charset = false;
				tag_end(&p);
				st = ST_DATA;
			} else if (c == '"' || c == '\'') {
				i++;
				if (value_start(&p, i))
					return true;
				st = c == '"' ? ST_VALUE_DQ : ST_VALUE_SQ;
			} else {
				if (value_start(&p, i))
					return true;
				st = ST_VALUE_UNQ;
			}
			break;
		case ST_VALUE_DQ:
		case ST_VALUE_SQ: {
			uint8_t q = st == ST_VALUE_DQ ? '"' : '\'';

			if (!scanning(&p)) {
				const uint8_t *e = memchr(s + i, q, len - i);

				if (e == NULL)
					return false;
				i = (size_t)(e - s) + 1;
				st = ST_AFTER_VALUE_QUOTED;
			} else if (c == q) {
				if (value_end(&p, i))
					return true;
				i++;
				st = ST_AFTER_VALUE_QUOTED;
			} else if (value_char(&p, &i)) {
				return true;
			}
			break;
		}
		case ST_VALUE_UNQ:
			if (is_ws(c) || c == '>') {
				if (value_end(&p, i))
					return true;
				i++;
				if (c == '>') {
					tag_end(&p);
					st = ST_DATA;
				} else {
					st = ST_BEFORE_ATTR_NAME;
				}
			} else if (!scanning(&p)) {
				while (i < len && !is_ws(s[i]) && s[i] != '>')
					i++;
			} else if (value_char(&p, &i)) {
				return true;
			}
			break;
		case ST_AFTER_VALUE_QUOTED:
			if (is_ws(c)) {
				i++;
				st = ST_BEFORE_ATTR_NAME;
			} else if (c == '/') {
				i++;
				st = ST_SELF_CLOSING;
			} else if (c == '>') {
				i++;
				tag_end(&p);
				st = ST_DATA;
			} else {
				st = ST_BEFORE_ATTR_NAME;
			}
			break;
		case ST_SELF_CLOSING:
			if (c == '>') {
				i++;
				tag_end(&p);
				st = ST_DATA;
			} else {
				st = ST_BEFORE_ATTR_NAME;
			}
			break;
		}
	}
	if (st == ST_VALUE_DQ || st == ST_VALUE_SQ || st == ST_VALUE_UNQ)
		return value_end(&p, len);
	return p.in_style && css_end(&p.css);
}

/* The value on its own as a URL (a parameter written into an href). */
static bool script_url(const uint8_t *s, size_t len)
{
	struct scheme sc;
	size_t i = 0;

	scheme_init(&sc);
	while (i < len && sc.st != SCH_OFF) {
		uint32_t c = s[i];

		if (c == '&')
			i += char_ref(s, len, i, &c);
		else
			i++;
		if (scheme_feed(&sc, c))
			return true;
	}
	return scheme_end(&sc);
}

/*
 * The value may land inside an element whose text is not markup (the
 * page's <textarea>, <title>, <style>, <script>...): nothing counts there
 * until the element's end tag, and from that tag on the value is read as
 * text again, where a "<!--" opened before it hides nothing
 * (`<!--</textarea><svg/onload=...>-->`). For each such element whose end
 * tag the value holds, the data pass runs again from the first one: at
 * most one more pass per raw-text element.
 */
static bool raw_text_contexts(const uint8_t *s, size_t len)
{
	unsigned int seen = 0;
	const uint8_t *lt;
	size_t i = 0;

	while (i < len && (lt = memchr(s + i, '<', len - i)) != NULL) {
		size_t at = (size_t)(lt - s), j = at + 2, n = 0;
		char name[NAME_LEN];
		int k;

		i = at + 1;
		if (j >= len || s[at + 1] != '/')
			continue;
		while (j < len && n < sizeof(name) && is_alpha(s[j]))
			name[n++] = lower(s[j++]);
		if (j < len && !is_ws(s[j]) && s[j] != '/' && s[j] != '>')
			continue;
		k = find(raw_tags, COUNT(raw_tags), name, n);
		if (k < 0 || (seen & (1u << k)))
			continue;
		seen |= 1u << k;
		if (run(s + at, len - at, ST_DATA))
			return true;
	}
	return false;
}

/* Does a byte of @mask (what closes the page's value) come before the
 * last '<' or '=' (at last_lt_eq - 1)? */
static bool breaks_out(const uint8_t *s, size_t last_lt_eq, uint8_t mask)
{
	size_t i;

	for (i = 0; i + 1 < last_lt_eq; i++)
		if (byte_mask[s[i]] & mask)
			return true;
	return false;
}

bool ww_detect_xss(const char *str, size_t len)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i, last = 0;
	unsigned int m = 0;
	bool markup = false;

	if (s == NULL || len == 0)
		return false;
	for (i = 0; i < len; i++) {
		uint8_t b = byte_mask[s[i]];

		m |= b;
		if (!(b & (M_LT | M_EQ)))
			continue;
		if (b & M_LT) {
			/* '<' is text unless a letter, '/', '!' or '?'
			 * follows */
			if (i + 1 == len ||
			    !(is_alpha(s[i + 1]) || s[i + 1] == '/' ||
			      s[i + 1] == '!' || s[i + 1] == '?'))
				continue;
			markup = true;
		}
		last = i + 1;
	}
	if (script_url(s, len))
		return true;
	if (markup && (run(s, len, ST_DATA) || raw_text_contexts(s, len)))
		return true;
	/*
	 * The attribute contexts can only flag a tag (which needs '<') or an
	 * attribute given a value (which needs '='), and only after the
	 * quote, the space or the '>' that closes the page's value.
	 */
	if ((m & M_DQ) && breaks_out(s, last, M_DQ) && run(s, len, ST_VALUE_DQ))
		return true;
	if ((m & M_SQ) && breaks_out(s, last, M_SQ) && run(s, len, ST_VALUE_SQ))
		return true;
	return (m & (M_WS | M_GT)) && breaks_out(s, last, M_WS | M_GT) &&
	       run(s, len, ST_VALUE_UNQ);
}
