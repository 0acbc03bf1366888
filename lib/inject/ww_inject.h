/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_INJECT_H
#define WW_INJECT_H

/*
 * Injection detection of our own, for the rule engine's @detectSQLi and
 * @detectXSS operators (what libinjection does for ModSecurity, written
 * from its published description and the SQL and HTML grammars, not from
 * its code or its fingerprint list).
 *
 * SQL (sqli.c): a value is tokenized as SQL as it would be read when
 * injected into each quoting context (none, after a single quote, after a
 * double quote) and run through a small grammar of token classes, read
 * until SQL could not go on (so a harmless SQL prefix cannot push an
 * injection out of view); the classes of the last tokens, up to the one
 * that decided, are the fingerprint (e.g. "s&sos": string, logic
 * operator, string, operator, string).
 *
 * HTML/JavaScript (xss.c): a value is tokenized as HTML, in each context
 * it could be injected into (text, inside an attribute value, unquoted or
 * quoted), looking for script-bearing tags, event-handler attributes,
 * javascript:/vbscript:/data: URLs and the like.
 *
 * Both: no allocation, bounded work per input byte, any bytes accepted.
 * dp-safe, reentrant.
 */

#include <stdbool.h>
#include <stddef.h>

#define WW_SQLI_FINGERPRINT_MAX 8 /* token classes, NUL included */

/* True when @s (@len bytes) reads as an SQL injection; @fingerprint (may
 * be NULL) receives the fingerprint that decided it (NUL-terminated). */
bool ww_detect_sqli(const char *s, size_t len,
		    char fingerprint[WW_SQLI_FINGERPRINT_MAX]);

/* True when @s (@len bytes) carries script into an HTML page. */
bool ww_detect_xss(const char *s, size_t len);

#endif /* WW_INJECT_H */
