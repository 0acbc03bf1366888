/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading the rule set. See ww_waf.h. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "waf_int.h"
#include "ww_conf.h"

#define MAX_RULES 8192

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The REQUEST-*.conf files of @dir, in name order (the CRS's order). */
static int load_dir(struct ww_waf *w, const char *dir, char *err,
		    size_t err_len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[256];
	unsigned int n = 0, i;
	int rc = 0;

	if (d == NULL) {
		ww_errf(err, err_len, "%s: %s", dir, strerror(errno));
		return -ENOENT;
	}
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(e->d_name);

		if (strncmp(e->d_name, "REQUEST-", 8) == 0 && l > 5 &&
		    strcmp(e->d_name + l - 5, ".conf") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (rc == 0)
			rc = waf_parse_file(w, path, err, err_len);
		free(names[i]);
	}
	return rc;
}

/* Parse SecLang @text under @label. */
static int parse_text(struct ww_waf *w, const char *text, size_t n,
		      const char *label, char *err, size_t err_len)
{
	FILE *f;
	int rc;

	if (n == 0)
		return 0;
	f = fmemopen((void *)text, n, "r");
	if (f == NULL)
		return -ENOMEM;
	rc = waf_parse_stream(w, f, label, err, err_len);
	fclose(f);
	return rc;
}

/* A list of words "a b c" as the CRS writes its TX lists: each word
 * between @pre and @post ("|a| |b|" for content types, "a/ b/" for
 * extensions, "/a/ /b/" for headers, "a b" for methods). */
static size_t crs_list(char *out, size_t cap, const char *words,
		       const char *pre, const char *post)
{
	size_t n = 0;
	const char *p = words;

	while (*p != '\0' && n < cap) {
		size_t k;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		k = strcspn(p, " ,\t");
		if (k == 0)
			break;
		n += (size_t)snprintf(out + n, cap - n, "%s%s%.*s%s",
				      n ? " " : "", pre, (int)k, p, post);
		p += k;
	}
	return n < cap ? n : cap - 1;
}

/* Settings given by wirewall's config go in as the first rules, before
 * crs-setup.conf, as an operator's own SecAction 900000 would; the CRS's
 * initialization (REQUEST-901) then keeps them. */
static int overrides(struct ww_waf *w, const struct ww_waf_opts *o, char *err,
		     size_t err_len)
{
	static const struct {
		size_t off;
		const char *var, *pre, *post;
		unsigned int id;
	} lists[] = {
		{offsetof(struct ww_waf_opts, allowed_methods),
		 "allowed_methods", "", "", 3},
		{offsetof(struct ww_waf_opts, allowed_content_types),
		 "allowed_request_content_type", "|", "|", 4},
		{offsetof(struct ww_waf_opts, restricted_extensions),
		 "restricted_extensions", "", "/", 5},
		{offsetof(struct ww_waf_opts, restricted_headers),
		 "restricted_headers", "/", "/", 6},
	};
	char text[8192], list[2048];
	size_t n = 0;
	unsigned int i;

	if (o->paranoia_level)
		n += (size_t)snprintf(
			text + n, sizeof(text) - n,
			"SecAction \"id:1,phase:1,pass,nolog,setvar:tx.paranoia_level=%u\"\n",
			o->paranoia_level);
	if (o->anomaly_threshold)
		n += (size_t)snprintf(
			text + n, sizeof(text) - n,
			"SecAction \"id:2,phase:1,pass,nolog,setvar:tx.inbound_anomaly_score_threshold=%u\"\n",
			o->anomaly_threshold);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && n < sizeof(text);
	     i++) {
		const char *words =
			*(const char *const *)((const char *)o + lists[i].off);

		if (words == NULL || words[0] == '\0')
			continue;
		if (strpbrk(words, "'\"\\%") != NULL) {
			ww_errf(err, err_len,
				"[waf] %s: quotes, backslashes and %% are not allowed",
				lists[i].var);
			return -EINVAL;
		}
		crs_list(list, sizeof(list), words, lists[i].pre,
			 lists[i].post);
		n += (size_t)snprintf(
			text + n, sizeof(text) - n,
			"SecAction \"id:%u,phase:1,pass,nolog,setvar:'tx.%s=%s'\"\n",
			lists[i].id, lists[i].var, list);
	}
	if (n >= sizeof(text)) {
		ww_errf(err, err_len, "[waf] tuning lists too long");
		return -EINVAL;
	}
	return parse_text(w, text, n, "[waf] settings", err, err_len);
}

/* Exclusions from the config, after every rule is loaded. */
static int exclusions(struct ww_waf *w, const struct ww_waf_opts *o, char *err,
		      size_t err_len)
{
	char text[8192];
	size_t n = 0;

	if (o->rule_exclusions != NULL && o->rule_exclusions[0] != '\0')
		n += (size_t)snprintf(text, sizeof(text),
				      "SecRuleRemoveById %s\n",
				      o->rule_exclusions);
	if (o->target_exclusions != NULL && o->target_exclusions[0] != '\0') {
		char copy[4096], *save = NULL, *item;

		snprintf(copy, sizeof(copy), "%s", o->target_exclusions);
		for (item = strtok_r(copy, "|", &save); item != NULL;
		     item = strtok_r(NULL, "|", &save)) {
			char id[32], target[1024];

			if (sscanf(item, " %31s %1023s", id, target) != 2 ||
			    strchr(target, '"') != NULL) {
				ww_errf(err, err_len,
					"[waf] target_exclusions: '%s': expected RULE-ID TARGET",
					item);
				return -EINVAL;
			}
			n += (size_t)snprintf(
				text + n, sizeof(text) - n,
				"SecRuleUpdateTargetById %s \"!%s\"\n", id,
				target);
			if (n >= sizeof(text))
				break;
		}
	}
	if (n >= sizeof(text)) {
		ww_errf(err, err_len, "[waf] exclusions too long");
		return -EINVAL;
	}
	return parse_text(w, text, n, "[waf] exclusions", err, err_len);
}

/*
 * The native site-rule format, one rule per line:
 *
 *   ID  FIELD  "PATTERN"  ACTION  MESSAGE...
 *
 * FIELD is a SecLang target list (ARGS, REQUEST_HEADERS:User-Agent,
 * ARGS|REQUEST_COOKIES, ...), PATTERN a regular expression in double
 * quotes (\" for a quote), ACTION deny (stop the request at once), block
 * (add a critical score to the CRS anomaly total) or log (alert only),
 * MESSAGE the rest of the line. Matching is case-insensitive after URL
 * decoding. Each line becomes a SecRule, so it is compiled with the CRS
 * and its errors name file and line.
 */
static int load_native(struct ww_waf *w, const char *path, char *err,
		       size_t err_len)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	unsigned int lineno = 0;
	int rc = 0;

	if (f == NULL) {
		ww_errf(err, err_len, "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char field[1024], action[16], pattern[4096], seclang[16384];
		char *p = line, *msg;
		unsigned long id;
		size_t k = 0;
		int used = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		if (sscanf(p, "%lu %1023s %n", &id, field, &used) != 2 ||
		    p[used] != '"') {
			ww_errf(err, err_len,
				"%s:%u: want ID FIELD \"PATTERN\" ACTION MESSAGE",
				path, lineno);
			rc = -EINVAL;
			break;
		}
		for (p += used + 1; *p && *p != '"' && k + 1 < sizeof(pattern);
		     p++) {
			if (*p == '\\' && p[1] == '"')
				p++;
			pattern[k++] = *p;
		}
		pattern[k] = '\0';
		if (*p != '"' || sscanf(p + 1, "%15s %n", action, &used) != 1 ||
		    (strcmp(action, "deny") && strcmp(action, "block") &&
		     strcmp(action, "log"))) {
			ww_errf(err, err_len,
				"%s:%u: want ID FIELD \"PATTERN\" deny|block|log MESSAGE",
				path, lineno);
			rc = -EINVAL;
			break;
		}
		msg = p + 1 + used;
		for (char *q = msg; *q; q++)
			if (*q == '\'')
				*q = '`'; /* keep the action list's quoting */
		snprintf(
			seclang, sizeof(seclang),
			"SecRule %s \"@rx (?i)%s\" \"id:%lu,phase:2,%s,t:none,"
			"t:urlDecodeUni,msg:'%s',severity:'CRITICAL'%s%s\"",
			field, pattern, id,
			strcmp(action, "deny") == 0 ? "deny,status:403"
						    : "pass",
			msg,
			strcmp(action, "block") == 0
				? ",setvar:'tx.anomaly_score_pl1=+%{tx.critical_anomaly_score}'"
				: "",
			strcmp(action, "log") == 0 ? ",tag:'wirewall/alert'"
						   : "");
		rc = waf_parse_directive(w, path, lineno, seclang, err,
					 err_len);
	}
	fclose(f);
	return rc;
}

static bool is_seclang(const char *path)
{
	size_t l = strlen(path);

	return l > 5 && strcmp(path + l - 5, ".conf") == 0;
}

int ww_waf_load(const struct ww_waf_opts *o, struct ww_waf **out, char *err,
		size_t err_len)
{
	struct ww_waf *w = calloc(1, sizeof(*w));
	unsigned int i;
	int rc;

	*out = NULL;
	if (w == NULL)
		return -ENOMEM;
	waf_tfn_init(); /* before any context can exist, not per value */
	w->all = calloc(MAX_RULES, sizeof(*w->all));
	w->cap_all = MAX_RULES;
	w->default_disruptive[1] = w->default_disruptive[2] = D_PASS;
	w->paranoia_level = o->paranoia_level;
	w->anomaly_threshold = o->anomaly_threshold;
	w->regex_match_limit = o->regex_match_limit;
	rc = w->all ? overrides(w, o, err, err_len) : -ENOMEM;
	if (rc == 0 && o->crs_setup != NULL)
		rc = waf_parse_file(w, o->crs_setup, err, err_len);
	if (rc == 0 && o->rules_dir != NULL)
		rc = load_dir(w, o->rules_dir, err, err_len);
	for (i = 0; rc == 0 && i < o->n_files; i++)
		rc = is_seclang(o->files[i])
			     ? waf_parse_file(w, o->files[i], err, err_len)
			     : load_native(w, o->files[i], err, err_len);
	if (rc == 0)
		rc = exclusions(w, o, err, err_len);
	if (rc == 0)
		rc = waf_resolve(w, err, err_len);
	if (rc == 0) {
		waf_hs_cache_open(w, o->cache_dir, o->cache_only);
		rc = waf_hs_build(w, err, err_len);
		if (rc == -EAGAIN && w->cache.why[0] != '\0')
			ww_errf(err, err_len,
				"the compiled rule set is not in the compile cache (off: %s)",
				w->cache.why);
		else if (rc == -EAGAIN)
			ww_errf(err, err_len,
				"the compiled rule set is not in the compile cache%s%s",
				o->cache_dir && o->cache_dir[0] ? " "
								: " (none)",
				o->cache_dir ? o->cache_dir : "");
		else
			waf_hs_cache_prune(w);
	}
	if (rc < 0) {
		ww_waf_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void ww_waf_free(struct ww_waf *w)
{
	unsigned int i, k;

	if (w == NULL)
		return;
	waf_hs_free(w);
	for (i = 0; i < w->n_all; i++) {
		struct waf_rule *r = &w->all[i];

		pcre2_code_free(r->re);
		for (k = 0; k < r->n_targets; k++)
			pcre2_code_free(r->targets[k].key_re);
		for (k = 0; k < r->n_ctls; k++)
			pcre2_code_free(r->ctls[k].target.key_re);
	}
	for (i = 0; i < w->n_strings; i++)
		free(w->strings[i]);
	free(w->strings);
	free(w->rules);
	free(w->phase_rules[1]);
	free(w->phase_rules[2]);
	free(w->all);
	free(w);
}

void ww_waf_counts(const struct ww_waf *w, unsigned int *rules,
		   unsigned int *unsupported)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->n_rules; i++)
		n += !w->rules[i]->marker;
	*rules = n;
	*unsupported = w->n_unsupported;
}

void ww_waf_compiled(const struct ww_waf *w, unsigned int *hs_patterns,
		     unsigned int *pcre_only, size_t *db_bytes,
		     double *compile_s)
{
	*hs_patterns = w->n_hs_patterns;
	*pcre_only = w->n_pcre_only;
	*db_bytes = w->hs_bytes;
	*compile_s = w->compile_s;
}

const char *ww_waf_cache_state(const struct ww_waf *w, char *buf, size_t len)
{
	const struct waf_hs_cache *hc = &w->cache;

	if (!hc->enabled)
		snprintf(buf, len, "off%s%s", hc->why[0] ? ": " : "", hc->why);
	else
		snprintf(buf, len, "%s: %u databases read, %u compiled%s%s%s",
			 hc->dir, hc->hits, hc->compiled,
			 hc->write_failed ? " (could not store: " : "",
			 hc->write_failed ? hc->why : "",
			 hc->write_failed ? ")" : "");
	return buf;
}

void ww_waf_report(const struct ww_waf *w, FILE *out)
{
	static const char *const ops[] = {"@detectSQLi", "@detectXSS", "@rbl",
					  "@geoLookup", "@ipMatchFromFile"};
	unsigned int o, i;

	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		bool any = false;

		for (i = 0; i < w->n_all; i++) {
			const struct waf_rule *r = &w->all[i];

			if (r->unsupported == NULL ||
			    strcmp(r->unsupported, ops[o]))
				continue;
			if (!any)
				fprintf(out,
					"unsupported %s (never matches): rules",
					ops[o]);
			fprintf(out, " %u", r->id);
			any = true;
		}
		if (any)
			fprintf(out, "\n");
	}
}
