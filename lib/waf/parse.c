/* SPDX-License-Identifier: BSD-3-Clause */
/* SecLang: files into rules. See ww_waf.h for what is accepted. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "waf_int.h"
#include "ww_conf.h"

/* Parsing state: where we are, for messages. */
struct where {
	const char *file;
	unsigned int line;
	char *err;
	size_t err_len;
};

#define FAIL(wh, ...)                                                      \
	do {                                                               \
		char m_[1600];                                             \
		snprintf(m_, sizeof(m_), __VA_ARGS__);                     \
		ww_errf((wh)->err, (wh)->err_len, "%s:%u: %s", (wh)->file, \
			(wh)->line, m_);                                   \
		return -EINVAL;                                            \
	} while (0)

/* Every string the set keeps is registered here and freed with it. */
static char *keep(struct ww_waf *w, char *s)
{
	if (s == NULL)
		return NULL;
	if (w->n_strings == w->cap_strings) {
		unsigned int cap = w->cap_strings ? 2 * w->cap_strings : 1024;
		char **n = realloc(w->strings, sizeof(*n) * cap);

		if (n == NULL) {
			free(s);
			return NULL;
		}
		w->strings = n;
		w->cap_strings = cap;
	}
	w->strings[w->n_strings++] = s;
	return s;
}

static char *dup_n(struct ww_waf *w, const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return keep(w, d);
}

static char *dup_lower(struct ww_waf *w, const char *s)
{
	char *d = dup_n(w, s, strlen(s));
	char *p;

	for (p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static void *keep_mem(struct ww_waf *w, size_t n)
{
	return keep(w, calloc(1, n ? n : 1));
}

/* ---- Variables ---- */

static const struct {
	const char *name;
	uint8_t var;
} var_names[] = {
	{"ARGS", V_ARGS},
	{"ARGS_GET", V_ARGS_GET},
	{"ARGS_POST", V_ARGS_POST},
	{"ARGS_NAMES", V_ARGS_NAMES},
	{"ARGS_GET_NAMES", V_ARGS_GET_NAMES},
	{"ARGS_POST_NAMES", V_ARGS_POST_NAMES},
	{"ARGS_COMBINED_SIZE", V_ARGS_COMBINED_SIZE},
	{"REQUEST_HEADERS", V_REQUEST_HEADERS},
	{"REQUEST_HEADERS_NAMES", V_REQUEST_HEADERS_NAMES},
	{"REQUEST_COOKIES", V_REQUEST_COOKIES},
	{"REQUEST_COOKIES_NAMES", V_REQUEST_COOKIES_NAMES},
	{"REQUEST_URI", V_REQUEST_URI},
	{"REQUEST_URI_RAW", V_REQUEST_URI_RAW},
	{"REQUEST_FILENAME", V_REQUEST_FILENAME},
	{"REQUEST_BASENAME", V_REQUEST_BASENAME},
	{"REQUEST_LINE", V_REQUEST_LINE},
	{"REQUEST_METHOD", V_REQUEST_METHOD},
	{"REQUEST_PROTOCOL", V_REQUEST_PROTOCOL},
	{"QUERY_STRING", V_QUERY_STRING},
	{"REQUEST_BODY", V_REQUEST_BODY},
	{"REQUEST_BODY_LENGTH", V_REQUEST_BODY_LENGTH},
	{"FILES", V_FILES},
	{"FILES_NAMES", V_FILES_NAMES},
	{"FILES_SIZES", V_FILES_SIZES},
	{"FILES_COMBINED_SIZE", V_FILES_COMBINED_SIZE},
	{"MULTIPART_PART_HEADERS", V_MULTIPART_PART_HEADERS},
	{"MULTIPART_STRICT_ERROR", V_MULTIPART_STRICT_ERROR},
	{"MULTIPART_UNMATCHED_BOUNDARY", V_MULTIPART_UNMATCHED_BOUNDARY},
	{"REQBODY_ERROR", V_REQBODY_ERROR},
	{"REQBODY_PROCESSOR", V_REQBODY_PROCESSOR},
	{"XML", V_XML},
	{"TX", V_TX},
	{"IP", V_IP},
	{"GLOBAL", V_GLOBAL},
	{"SESSION", V_SESSION},
	{"GEO", V_GEO},
	{"USER", V_USER},
	{"RESOURCE", V_RESOURCE},
	{"UNIQUE_ID", V_UNIQUE_ID},
	{"REMOTE_ADDR", V_REMOTE_ADDR},
	{"DURATION", V_DURATION},
	{"MATCHED_VAR", V_MATCHED_VAR},
	{"MATCHED_VARS", V_MATCHED_VARS},
	{"MATCHED_VAR_NAME", V_MATCHED_VAR_NAME},
	{"MATCHED_VARS_NAMES", V_MATCHED_VARS_NAMES},
};

static int var_by_name(const char *s, size_t n)
{
	unsigned int i;

	for (i = 0; i < sizeof(var_names) / sizeof(var_names[0]); i++)
		if (strlen(var_names[i].name) == n &&
		    strncasecmp(var_names[i].name, s, n) == 0)
			return var_names[i].var;
	return -1;
}

static pcre2_code *compile_re(const char *pat, size_t len, uint32_t flags,
			      char *why, size_t why_len)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re =
		pcre2_compile((PCRE2_SPTR)pat, len, flags, &code, &off, NULL);

	if (re == NULL) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(why, why_len, "regex at offset %zu: %s", (size_t)off,
			 (const char *)msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/* Parse one target at *@s (advanced past it). */
static int parse_target(struct ww_waf *w, struct where *wh, const char **s,
			struct waf_target *t)
{
	const char *p = *s, *name;
	size_t n;
	int v;

	memset(t, 0, sizeof(*t));
	while (*p == '!' || *p == '&') {
		if (*p == '!')
			t->exclude = true;
		else
			t->count = true;
		p++;
	}
	name = p;
	while (*p && *p != ':' && *p != '|' && !isspace((unsigned char)*p))
		p++;
	n = (size_t)(p - name);
	v = var_by_name(name, n);
	if (v < 0)
		FAIL(wh, "unknown variable '%.*s'", (int)n, name);
	t->var = (uint8_t)v;
	if (*p == ':') {
		p++;
		if (*p == '/' && t->var != V_XML) { /* XML takes an XPath */
			const char *start = ++p;
			char why[256];
			char *pat;

			while (*p && !(*p == '/' && p[-1] != '\\'))
				p++;
			if (*p != '/')
				FAIL(wh, "unterminated /regex/ selector");
			pat = dup_n(w, start, (size_t)(p - start));
			t->key_re = compile_re(pat, strlen(pat), PCRE2_CASELESS,
					       why, sizeof(why));
			if (t->key_re == NULL)
				FAIL(wh, "selector: %s", why);
			p++;
		} else {
			const char *start = p;
			char *k;

			if (*p == '\'') { /* 'quoted' keys */
				start = ++p;
				while (*p && *p != '\'')
					p++;
				k = dup_n(w, start, (size_t)(p - start));
				if (*p == '\'')
					p++;
			} else {
				while (*p && *p != '|' &&
				       !isspace((unsigned char)*p))
					p++;
				k = dup_n(w, start, (size_t)(p - start));
			}
			t->key = dup_lower(w, k);
			t->key_len = (uint32_t)strlen(t->key);
			t->key_hash = waf_tx_hash(t->key, t->key_len);
		}
	}
	*s = p;
	return 0;
}

static int parse_targets(struct ww_waf *w, struct where *wh, const char *s,
			 struct waf_target **out, unsigned int *n)
{
	unsigned int cap = 8;
	struct waf_target *t = keep_mem(w, sizeof(*t) * cap);

	/* *out is valid for *n entries even after an error, so that
	 * freeing the set can walk it. */
	*n = 0;
	*out = t;
	while (*s) {
		if (*n == cap) {
			struct waf_target *nt =
				keep_mem(w, sizeof(*t) * cap * 2);

			memcpy(nt, t, sizeof(*t) * cap);
			*out = t = nt;
			cap *= 2;
		}
		if (parse_target(w, wh, &s, &t[*n]) < 0)
			return -EINVAL;
		(*n)++;
		while (*s == '|' || isspace((unsigned char)*s))
			s++;
	}
	*out = t;
	return 0;
}

/* ---- Operators ---- */

static const struct {
	const char *name;
	uint8_t op;
} op_names[] = {
	{"rx", OP_RX},
	{"pm", OP_PM},
	{"pmf", OP_PM},
	{"pmFromFile", OP_PM},
	{"beginsWith", OP_BEGINS_WITH},
	{"endsWith", OP_ENDS_WITH},
	{"contains", OP_CONTAINS},
	{"containsWord", OP_CONTAINS_WORD},
	{"streq", OP_STREQ},
	{"within", OP_WITHIN},
	{"eq", OP_EQ},
	{"ge", OP_GE},
	{"gt", OP_GT},
	{"le", OP_LE},
	{"lt", OP_LT},
	{"validateByteRange", OP_VALIDATE_BYTE_RANGE},
	{"validateUrlEncoding", OP_VALIDATE_URL_ENCODING},
	{"validateUtf8Encoding", OP_VALIDATE_UTF8},
	{"ipMatch", OP_IP_MATCH},
	{"ipMatchF", OP_IP_MATCH},
	{"unconditionalMatch", OP_UNCONDITIONAL},
	{"detectSQLi", OP_DETECT_SQLI},
	{"detectXSS", OP_DETECT_XSS},
	{"rbl", OP_UNSUPPORTED},
	{"geoLookup", OP_UNSUPPORTED},
	{"ipMatchFromFile", OP_UNSUPPORTED},
};

/* The phrases of @pm (space separated) or of a @pmFromFile file (one per
 * line, '#' comments), relative to the rule file's directory. */
static int add_phrase(struct ww_waf *w, struct waf_rule *r, const char *p,
		      size_t n, unsigned int *cap)
{
	if (n == 0)
		return 0;
	if (r->n_phrases == *cap) {
		char **np;

		*cap = *cap ? 2 * *cap : 32;
		np = keep_mem(w, sizeof(*np) * *cap);
		if (np == NULL)
			return -ENOMEM;
		if (r->n_phrases)
			memcpy(np, r->phrases, sizeof(*np) * r->n_phrases);
		r->phrases = np;
	}
	r->phrases[r->n_phrases] = dup_n(w, p, n);
	for (char *q = r->phrases[r->n_phrases]; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	r->n_phrases++;
	return 0;
}

static int load_phrases(struct ww_waf *w, struct where *wh, struct waf_rule *r,
			bool from_file)
{
	unsigned int cap = 0;
	const char *p = r->op_arg;

	if (!from_file) {
		while (*p) {
			const char *s;

			while (*p == ' ')
				p++;
			s = p;
			while (*p && *p != ' ')
				p++;
			add_phrase(w, r, s, (size_t)(p - s), &cap);
		}
		return 0;
	}
	while (*p) {
		char path[1024], line[4096];
		const char *s, *slash = strrchr(wh->file, '/');
		FILE *f;

		while (*p == ' ')
			p++;
		s = p;
		while (*p && *p != ' ')
			p++;
		if (p == s)
			break;
		if (s[0] == '/')
			snprintf(path, sizeof(path), "%.*s", (int)(p - s), s);
		else
			snprintf(path, sizeof(path), "%.*s/%.*s",
				 slash ? (int)(slash - wh->file) : 1,
				 slash ? wh->file : ".", (int)(p - s), s);
		f = fopen(path, "r");
		if (f == NULL)
			FAIL(wh, "@pmFromFile %s: %s", path, strerror(errno));
		while (fgets(line, sizeof(line), f) != NULL) {
			size_t n = strcspn(line, "\r\n");

			if (line[0] == '#')
				continue;
			add_phrase(w, r, line, n, &cap);
		}
		fclose(f);
	}
	return 0;
}

static int parse_ranges(struct where *wh, struct waf_rule *r)
{
	const char *p = r->op_arg;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			FAIL(wh, "@validateByteRange: bad range '%s'", p);
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		if (lo < 0 || hi > 255 || lo > hi)
			FAIL(wh, "@validateByteRange: %ld-%ld", lo, hi);
		for (long b = lo; b <= hi; b++)
			r->ranges[b / 8] |= (uint8_t)(1u << (b % 8));
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

static int parse_nets(struct ww_waf *w, struct where *wh, struct waf_rule *r)
{
	char buf[4096], *save = NULL, *tok;
	unsigned int n = 0;

	snprintf(buf, sizeof(buf), "%s", r->op_arg);
	r->nets = keep_mem(w, sizeof(*r->nets) * 64);
	for (tok = strtok_r(buf, ", ", &save); tok && n < 64;
	     tok = strtok_r(NULL, ", ", &save)) {
		struct ww_cidr c;
		char why[160];

		if (ww_conf_parse_cidr(tok, &c, why, sizeof(why)) < 0)
			FAIL(wh, "@ipMatch: %s", why);
		r->nets[n].family = c.family == AF_INET ? 4 : 6;
		r->nets[n].len = c.prefix_len;
		memcpy(r->nets[n].addr, c.addr, 16);
		n++;
	}
	r->n_nets = n;
	return 0;
}

static int parse_operator(struct ww_waf *w, struct where *wh,
			  struct waf_rule *r, const char *s)
{
	const char *name = "rx", *arg;
	size_t n;
	unsigned int i;
	char why[256];

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '!') {
		r->op_negated = true;
		s++;
	}
	if (*s != '@') {
		r->op = OP_RX; /* no operator: @rx */
		arg = s;
	} else {
		name = ++s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		n = (size_t)(s - name);
		for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
			if (strlen(op_names[i].name) == n &&
			    strncmp(op_names[i].name, name, n) == 0)
				break;
		if (i == sizeof(op_names) / sizeof(op_names[0]))
			FAIL(wh, "unknown operator '@%.*s'", (int)n, name);
		r->op = op_names[i].op;
		if (r->op == OP_UNSUPPORTED) {
			r->unsupported = dup_n(w, name - 1, n + 1);
			w->n_unsupported++;
		}
		while (isspace((unsigned char)*s))
			s++;
		arg = s;
	}
	r->op_arg = dup_n(w, arg, strlen(arg));
	r->op_arg_len = (uint32_t)strlen(arg);
	r->op_arg_has_macro = strstr(arg, "%{") != NULL;
	switch (r->op) {
	case OP_RX:
		if (r->op_arg_has_macro)
			break; /* compiled at run time, once expanded */
		r->re = compile_re(arg, strlen(arg),
				   PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, why,
				   sizeof(why));
		if (r->re == NULL)
			FAIL(wh, "@rx: %s", why);
		break;
	case OP_PM:
		return load_phrases(w, wh, r,
				    strncmp(name, "pmf", 3) == 0 ||
					    strncmp(name, "pmFromFile", 10) ==
						    0);
	case OP_EQ:
	case OP_GE:
	case OP_GT:
	case OP_LE:
	case OP_LT:
		r->num = strtoll(arg, NULL, 10);
		break;
	case OP_VALIDATE_BYTE_RANGE:
		return parse_ranges(wh, r);
	case OP_IP_MATCH:
		return parse_nets(w, wh, r);
	default:
		break;
	}
	return 0;
}

/* ---- Actions ---- */

static int parse_id_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char *end;

	*lo = (uint32_t)strtoul(s, &end, 10);
	*hi = *lo;
	if (end == s)
		return -1;
	if (*end == '-')
		*hi = (uint32_t)strtoul(end + 1, &end, 10);
	return 0;
}

static int parse_ctl(struct ww_waf *w, struct where *wh, struct waf_rule *r,
		     const char *v)
{
	struct waf_ctl c;
	const char *eq = strchr(v, '=');
	size_t n = eq ? (size_t)(eq - v) : strlen(v);
	const char *arg = eq ? eq + 1 : "";

	memset(&c, 0, sizeof(c));
	if (!strncmp(v, "ruleRemoveById", n) && n == 14) {
		c.kind = CTL_RULE_REMOVE_BY_ID;
		if (parse_id_range(arg, &c.id_lo, &c.id_hi) < 0)
			FAIL(wh, "ctl:ruleRemoveById: '%s'", arg);
	} else if (!strncmp(v, "ruleRemoveByTag", n) && n == 15) {
		c.kind = CTL_RULE_REMOVE_BY_TAG;
		c.tag = dup_n(w, arg, strlen(arg));
	} else if ((!strncmp(v, "ruleRemoveTargetById", n) && n == 20) ||
		   (!strncmp(v, "ruleRemoveTargetByTag", n) && n == 21)) {
		const char *semi = strchr(arg, ';');
		const char *t;

		if (semi == NULL)
			FAIL(wh, "ctl:%.*s needs ID;TARGET", (int)n, v);
		if (n == 20) {
			c.kind = CTL_RULE_REMOVE_TARGET_BY_ID;
			if (parse_id_range(arg, &c.id_lo, &c.id_hi) < 0)
				FAIL(wh, "ctl:ruleRemoveTargetById: '%s'", arg);
		} else {
			c.kind = CTL_RULE_REMOVE_TARGET_BY_TAG;
			c.tag = dup_n(w, arg, (size_t)(semi - arg));
		}
		t = semi + 1;
		if (parse_target(w, wh, &t, &c.target) < 0)
			return -EINVAL;
	} else if (!strncmp(v, "ruleEngine", n) && n == 10) {
		c.kind = strcasecmp(arg, "off") == 0 ? CTL_RULE_ENGINE_OFF
						     : CTL_IGNORED;
	} else if (!strncmp(v, "requestBodyProcessor", n) && n == 20) {
		c.kind = CTL_BODY_PROCESSOR;
		c.value = dup_n(w, arg, strlen(arg));
	} else if ((!strncmp(v, "auditLogParts", n) && n == 13) ||
		   (!strncmp(v, "auditEngine", n) && n == 11) ||
		   (!strncmp(v, "forceRequestBodyVariable", n) && n == 24) ||
		   (!strncmp(v, "requestBodyAccess", n) && n == 17) ||
		   (!strncmp(v, "requestBodyLimit", n) && n == 16)) {
		c.kind = CTL_IGNORED;
	} else {
		FAIL(wh, "unknown ctl '%.*s'", (int)n, v);
	}
	if (r->n_ctls % 8 == 0) {
		struct waf_ctl *nc = keep_mem(w, sizeof(*nc) * (r->n_ctls + 8));

		if (r->n_ctls)
			memcpy(nc, r->ctls, sizeof(*nc) * r->n_ctls);
		r->ctls = nc;
	}
	r->ctls[r->n_ctls++] = c;
	return 0;
}

static int add_setvar(struct ww_waf *w, struct where *wh, struct waf_rule *r,
		      const char *v)
{
	struct waf_setvar sv = {0};
	const char *eq = strchr(v, '=');

	if (v[0] == '!') {
		sv.op = SV_DEL;
		sv.name = dup_lower(w, v + 1);
	} else if (eq == NULL) {
		sv.op = SV_SET;
		sv.name = dup_lower(w, v);
		sv.value = dup_n(w, "1", 1);
	} else {
		char *name = dup_n(w, v, (size_t)(eq - v));

		sv.op = SV_SET;
		if (eq[1] == '+' || eq[1] == '-') {
			sv.op = eq[1] == '+' ? SV_ADD : SV_SUB;
			eq++;
		}
		sv.name = dup_lower(w, name);
		sv.value = dup_n(w, eq + 1, strlen(eq + 1));
	}
	if (strncmp(sv.name, "tx.", 3) != 0 && strncmp(sv.name, "ip.", 3) &&
	    strncmp(sv.name, "global.", 7) && strncmp(sv.name, "session.", 8))
		FAIL(wh, "setvar:%s: only tx, ip, global, session", sv.name);
	sv.name_len = (uint32_t)strlen(sv.name);
	sv.name_macro = strstr(sv.name, "%{") != NULL;
	if (sv.name_len > 3)
		sv.name_hash = waf_tx_hash(sv.name + 3, sv.name_len - 3);
	if (sv.value != NULL) {
		sv.value_len = (uint32_t)strlen(sv.value);
		sv.value_macro = strstr(sv.value, "%{") != NULL;
	}
	if (r->n_setvars % 8 == 0) {
		struct waf_setvar *n =
			keep_mem(w, sizeof(*n) * (r->n_setvars + 8));

		if (r->n_setvars)
			memcpy(n, r->setvars, sizeof(*n) * r->n_setvars);
		r->setvars = n;
	}
	r->setvars[r->n_setvars++] = sv;
	return 0;
}

static int severity_of(const char *v)
{
	static const char *const names[] = {"EMERGENCY", "ALERT",   "CRITICAL",
					    "ERROR",	 "WARNING", "NOTICE",
					    "INFO",	 "DEBUG"};
	unsigned int i;

	if (isdigit((unsigned char)v[0]))
		return atoi(v);
	for (i = 0; i < 8; i++)
		if (strcasecmp(v, names[i]) == 0)
			return (int)i;
	return -1;
}

static int one_action(struct ww_waf *w, struct where *wh, struct waf_rule *r,
		      const char *name, const char *v)
{
	int tf;

	if (!strcmp(name, "id")) {
		r->id = (uint32_t)strtoul(v, NULL, 10);
	} else if (!strcmp(name, "phase")) {
		r->phase = !strcmp(v, "request")    ? 2
			   : !strcmp(v, "response") ? 4
			   : !strcmp(v, "logging")  ? 5
						    : (uint8_t)atoi(v);
	} else if (!strcmp(name, "msg")) {
		r->msg = dup_n(w, v, strlen(v));
	} else if (!strcmp(name, "logdata")) {
		r->logdata = dup_n(w, v, strlen(v));
	} else if (!strcmp(name, "severity")) {
		int s = severity_of(v);

		if (s < 0)
			FAIL(wh, "severity '%s'", v);
		r->severity = (uint8_t)s;
	} else if (!strcmp(name, "tag")) {
		char **nt = keep_mem(w, sizeof(*nt) * (r->n_tags + 1));

		if (r->n_tags)
			memcpy(nt, r->tags, sizeof(*nt) * r->n_tags);
		nt[r->n_tags++] = dup_n(w, v, strlen(v));
		r->tags = nt;
	} else if (!strcmp(name, "t")) {
		if (!strcasecmp(v, "none")) {
			r->n_tfn = 0;
			return 0;
		}
		tf = waf_tfn_by_name(v);
		if (tf < 0)
			FAIL(wh, "unknown transformation 't:%s'", v);
		if (r->n_tfn == WAF_MAX_TFN)
			FAIL(wh, "more than %d transformations", WAF_MAX_TFN);
		r->tfn[r->n_tfn++] = (uint8_t)tf;
	} else if (!strcmp(name, "setvar")) {
		return add_setvar(w, wh, r, v);
	} else if (!strcmp(name, "ctl")) {
		return parse_ctl(w, wh, r, v);
	} else if (!strcmp(name, "skipAfter")) {
		r->skip_after = dup_n(w, v, strlen(v));
	} else if (!strcmp(name, "chain")) {
		r->has_chain = true;
	} else if (!strcmp(name, "capture")) {
		r->capture = true;
	} else if (!strcmp(name, "multiMatch")) {
		r->multi_match = true;
	} else if (!strcmp(name, "pass")) {
		r->disruptive = D_PASS;
	} else if (!strcmp(name, "block")) {
		r->disruptive = D_BLOCK;
	} else if (!strcmp(name, "deny")) {
		r->disruptive = D_DENY;
	} else if (!strcmp(name, "drop")) {
		r->disruptive = D_DROP;
	} else if (!strcmp(name, "allow")) {
		r->disruptive = D_ALLOW;
	} else if (!strcmp(name, "status")) {
		r->status = (uint16_t)atoi(v);
	} else if (!strcmp(name, "log") || !strcmp(name, "auditlog")) {
		if (!strcmp(name, "log"))
			r->log = true;
	} else if (!strcmp(name, "nolog")) {
		r->log = false;
	} else if (!strcmp(name, "noauditlog") || !strcmp(name, "ver") ||
		   !strcmp(name, "rev") || !strcmp(name, "maturity") ||
		   !strcmp(name, "accuracy") || !strcmp(name, "expirevar") ||
		   !strcmp(name, "initcol") || !strcmp(name, "setuid") ||
		   !strcmp(name, "setsid") || !strcmp(name, "sanitiseArg") ||
		   !strcmp(name, "sanitiseMatched")) {
		/* Metadata, persistence and logging details: no effect on
		 * a verdict here. */
	} else {
		FAIL(wh, "unknown action '%s'", name);
	}
	return 0;
}

/* "a,b:c,msg:'x, y',t:none" -> one_action() per item. */
static int parse_actions(struct ww_waf *w, struct where *wh, struct waf_rule *r,
			 const char *s)
{
	while (*s) {
		char name[64], *value;
		size_t n = 0, cap = strlen(s) + 1;
		int rc;

		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		while (*s && *s != ':' && *s != ',' && n + 1 < sizeof(name))
			name[n++] = *s++;
		while (n > 0 && isspace((unsigned char)name[n - 1]))
			n--;
		name[n] = '\0';
		value = malloc(cap);
		if (value == NULL)
			return -ENOMEM;
		n = 0;
		if (*s == ':') {
			s++;
			while (isspace((unsigned char)*s))
				s++;
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'') {
					if (*s == '\\' && s[1] == '\'')
						s++;
					value[n++] = *s++;
				}
				if (*s == '\'')
					s++;
			} else {
				while (*s && *s != ',')
					value[n++] = *s++;
				while (n > 0 &&
				       isspace((unsigned char)value[n - 1]))
					n--;
			}
		}
		value[n] = '\0';
		rc = one_action(w, wh, r, name, value);
		free(value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- Directives ---- */

static struct waf_rule *new_rule(struct ww_waf *w, struct where *wh)
{
	struct waf_rule *r;

	if (w->n_all == w->cap_all) {
		/* Rules are referenced by pointer from chains and the ordered
		 * list: grow in blocks that never move. */
		return NULL;
	}
	r = &w->all[w->n_all++];
	memset(r, 0, sizeof(*r));
	r->file = dup_n(w, wh->file, strlen(wh->file));
	r->line = wh->line;
	r->log = true;
	r->skip_to = -1;
	r->phase = 2; /* ModSecurity's default */
	return r;
}

/* Split a directive line into up to @max arguments: "quoted" (only \"
 * is an escape: regexes keep their backslashes) or bare words. */
static int split_args(char *s, char **argv, int max)
{
	int n = 0;

	while (*s && n < max) {
		char *o;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (*s == '"') {
			argv[n++] = o = ++s;
			while (*s && *s != '"') {
				if (*s == '\\' && (s[1] == '"'))
					s++;
				*o++ = *s++;
			}
			if (*s == '"')
				s++;
			*o = '\0';
			if (*s && !isspace((unsigned char)*s))
				return -1;
			if (*s)
				s++;
		} else {
			argv[n++] = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			if (*s)
				*s++ = '\0';
		}
	}
	return n;
}

static int directive(struct ww_waf *w, struct where *wh, char *line)
{
	char *argv[8];
	int argc = split_args(line, argv, 8);
	struct waf_rule *r;

	if (argc < 0)
		FAIL(wh, "text after a closing quote");
	if (argc == 0)
		return 0;
	if (!strcasecmp(argv[0], "SecRule") ||
	    !strcasecmp(argv[0], "SecAction")) {
		const bool is_action = !strcasecmp(argv[0], "SecAction");

		if ((is_action && argc != 2) ||
		    (!is_action && (argc < 3 || argc > 4)))
			FAIL(wh, "%s takes %s", argv[0],
			     is_action ? "ACTIONS"
				       : "VARIABLES OPERATOR [ACTIONS]");
		r = new_rule(w, wh);
		if (r == NULL)
			FAIL(wh, "too many rules");
		if (is_action) {
			r->op = OP_UNCONDITIONAL;
			if (parse_actions(w, wh, r, argv[1]) < 0)
				return -EINVAL;
		} else {
			if (parse_targets(w, wh, argv[1], &r->targets,
					  &r->n_targets) < 0 ||
			    parse_operator(w, wh, r, argv[2]) < 0 ||
			    (argc == 4 && parse_actions(w, wh, r, argv[3]) < 0))
				return -EINVAL;
		}
		if (w->chain_parent != NULL) {
			r->is_chained = true;
			r->phase = w->chain_parent->phase;
			w->chain_parent->next = r;
		} else if (r->id == 0) {
			FAIL(wh, "a rule without id");
		}
		w->chain_parent = r->has_chain ? r : NULL;
		return 0;
	}
	if (w->chain_parent != NULL)
		FAIL(wh, "a chain ends without its next SecRule");
	if (!strcasecmp(argv[0], "SecMarker")) {
		if (argc != 2)
			FAIL(wh, "SecMarker takes a name");
		r = new_rule(w, wh);
		if (r == NULL)
			FAIL(wh, "too many rules");
		r->marker = true;
		r->name = dup_n(w, argv[1], strlen(argv[1]));
		return 0;
	}
	if (!strcasecmp(argv[0], "SecDefaultAction")) {
		struct waf_rule d;

		memset(&d, 0, sizeof(d));
		if (argc != 2 || parse_actions(w, wh, &d, argv[1]) < 0)
			return -EINVAL;
		if (d.phase >= 1 && d.phase <= 2)
			w->default_disruptive[d.phase] = d.disruptive;
		return 0;
	}
	if (!strcasecmp(argv[0], "SecRuleRemoveById")) {
		int i;

		for (i = 1; i < argc; i++) {
			uint32_t lo, hi, k;

			if (parse_id_range(argv[i], &lo, &hi) < 0)
				FAIL(wh, "SecRuleRemoveById: '%s'", argv[i]);
			for (k = 0; k < w->n_all; k++)
				if (w->all[k].id >= lo && w->all[k].id <= hi &&
				    !w->all[k].is_chained)
					w->all[k].marker = true,
					w->all[k].name = (char *)"";
		}
		return 0;
	}
	if (!strcasecmp(argv[0], "SecRuleUpdateTargetById")) {
		uint32_t lo, hi, k;
		struct waf_target *t;
		unsigned int n;

		if (argc != 3 || parse_id_range(argv[1], &lo, &hi) < 0)
			FAIL(wh, "SecRuleUpdateTargetById takes ID TARGETS");
		if (parse_targets(w, wh, argv[2], &t, &n) < 0)
			return -EINVAL;
		for (k = 0; k < w->n_all; k++) {
			struct waf_rule *x = &w->all[k];
			struct waf_target *nt;

			if (x->id < lo || x->id > hi || x->is_chained)
				continue;
			nt = keep_mem(w, sizeof(*nt) * (x->n_targets + n));
			memcpy(nt, x->targets, sizeof(*nt) * x->n_targets);
			memcpy(nt + x->n_targets, t, sizeof(*nt) * n);
			x->targets = nt;
			x->n_targets += n;
		}
		return 0;
	}
	/* Engine configuration the CRS files carry: accepted, no effect on
	 * how requests are judged here. */
	if (!strcasecmp(argv[0], "SecComponentSignature") ||
	    !strcasecmp(argv[0], "SecCollectionTimeout") ||
	    !strcasecmp(argv[0], "SecRuleEngine") ||
	    !strcasecmp(argv[0], "SecRequestBodyAccess") ||
	    !strcasecmp(argv[0], "SecRequestBodyLimit") ||
	    !strcasecmp(argv[0], "SecRequestBodyNoFilesLimit") ||
	    !strcasecmp(argv[0], "SecRequestBodyLimitAction") ||
	    !strcasecmp(argv[0], "SecPcreMatchLimit") ||
	    !strcasecmp(argv[0], "SecPcreMatchLimitRecursion"))
		return 0;
	FAIL(wh, "unknown directive '%s'", argv[0]);
}

int waf_parse_directive(struct ww_waf *w, const char *file, unsigned int line,
			char *text, char *err, size_t err_len)
{
	struct where wh = {file, line, err, err_len};
	int rc;

	w->chain_parent = NULL;
	rc = directive(w, &wh, text);
	if (rc == 0 && w->chain_parent != NULL) {
		w->chain_parent = NULL;
		FAIL(&wh, "a chain is not allowed here");
	}
	return rc;
}

int waf_parse_file(struct ww_waf *w, const char *path, char *err,
		   size_t err_len)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		ww_errf(err, err_len, "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	rc = waf_parse_stream(w, f, path, err, err_len);
	fclose(f);
	return rc;
}

int waf_parse_stream(struct ww_waf *w, FILE *f, const char *path, char *err,
		     size_t err_len)
{
	struct where wh = {path, 0, err, err_len};
	char *buf = NULL, *line = NULL;
	size_t cap = 0, len = 0, lcap = 0;
	ssize_t k;
	unsigned int start = 0;
	int rc = 0;

	w->chain_parent = NULL;
	while ((k = getline(&line, &lcap, f)) >= 0) {
		char *s = line;
		size_t n;

		wh.line++;
		while (k > 0 && (s[k - 1] == '\n' || s[k - 1] == '\r'))
			s[--k] = '\0';
		if (len == 0) {
			while (isspace((unsigned char)*s))
				s++;
			if (*s == '#' || *s == '\0')
				continue;
			start = wh.line;
		}
		n = strlen(s);
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL) {
				rc = -ENOMEM;
				break;
			}
		}
		memcpy(buf + len, s, n);
		len += n;
		buf[len] = '\0';
		/* A backslash at the end continues the directive. */
		if (len > 0 && buf[len - 1] == '\\') {
			buf[--len] = '\0';
			continue;
		}
		{
			unsigned int here = wh.line;

			wh.line = start;
			rc = directive(w, &wh, buf);
			wh.line = here;
		}
		len = 0;
		if (rc < 0)
			break;
	}
	if (rc == 0 && w->chain_parent != NULL) {
		wh.line = start;
		ww_errf(err, err_len, "%s: the file ends inside a chain", path);
		rc = -EINVAL;
	}
	free(line);
	free(buf);
	return rc;
}

/* After loading: the ordered list of rules (chain links excluded, removed
 * rules dropped) and skipAfter targets resolved to marker positions. */
/* w->phase_rules from w->rules (skip_to resolved). */
static int phase_lists(struct ww_waf *w)
{
	unsigned int p, i, k, *pos = calloc(w->n_rules + 1, sizeof(*pos));

	if (pos == NULL)
		return -ENOMEM;
	for (p = 1; p <= 2; p++) {
		struct waf_phase_rule *pr;

		free(w->phase_rules[p]);
		pr = calloc(w->n_rules + 1, sizeof(*pr));
		w->phase_rules[p] = pr;
		if (pr == NULL) {
			free(pos);
			return -ENOMEM;
		}
		/* pos[i]: the list position of the first rule of this phase
		 * at or after w->rules[i]. */
		k = 0;
		for (i = 0; i < w->n_rules; i++) {
			pos[i] = k;
			if (!w->rules[i]->marker && w->rules[i]->phase == p)
				pr[k++].r = w->rules[i];
		}
		pos[w->n_rules] = k;
		w->n_phase_rules[p] = k;
		for (i = 0, k = 0; i < w->n_rules; i++) {
			const struct waf_rule *r = w->rules[i];

			if (r->marker || r->phase != p)
				continue;
			pr[k].next =
				r->skip_to >= 0 ? pos[r->skip_to + 1] : k + 1;
			k++;
		}
	}
	free(pos);
	return 0;
}

int waf_resolve(struct ww_waf *w, char *err, size_t err_len)
{
	unsigned int i, j;

	free(w->rules);
	w->rules = calloc(w->n_all + 1, sizeof(*w->rules));
	if (w->rules == NULL)
		return -ENOMEM;
	w->n_rules = 0;
	for (i = 0; i < w->n_all; i++) {
		struct waf_rule *r = &w->all[i];

		r->has_excludes = false;
		for (j = 0; j < r->n_targets; j++)
			r->has_excludes |= r->targets[j].exclude;

		if (r->is_chained || (r->marker && r->name[0] == '\0'))
			continue;
		if (!r->marker && (r->phase < 1 || r->phase > 2))
			continue; /* response and logging phases: not ours */
		w->rules[w->n_rules++] = r;
	}
	for (i = 0; i < w->n_rules; i++) {
		struct waf_rule *r = w->rules[i];

		if (r->skip_after == NULL)
			continue;
		for (j = i + 1; j < w->n_rules; j++)
			if (w->rules[j]->marker &&
			    !strcmp(w->rules[j]->name, r->skip_after))
				break;
		if (j == w->n_rules) {
			ww_errf(err, err_len,
				"%s:%u: skipAfter:%s has no SecMarker after it",
				r->file, r->line, r->skip_after);
			return -EINVAL;
		}
		r->skip_to = (int)j;
	}
	return phase_lists(w);
}
