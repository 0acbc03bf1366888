/* SPDX-License-Identifier: BSD-3-Clause */
/* The two engines of the regression runner. See crs_engine.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crs_engine.h"
#include "ww_http.h"
#include "ww_waf.h"

#ifdef HAVE_MODSECURITY
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#endif

#define HEAD_BYTES (256u << 10)
#define BODY_BYTES (1u << 20)

struct crs_engine {
	bool modsec;
	/* wirewall */
	struct ww_waf *waf;
	struct ww_waf_ctx *ctx;
	char *head, *work, *body;
#ifdef HAVE_MODSECURITY
	ModSecurity *ms;
	RulesSet *rules;
#endif
};

/* The settings a CRS deployment has around the CRS itself (ModSecurity's
 * recommended configuration): body access and the XML and JSON body
 * processors chosen by Content-Type. */
static const char modsec_base[] =
	"SecRuleEngine On\n"
	"SecRequestBodyAccess On\n"
	"SecRequestBodyLimit 13107200\n"
	"SecRequestBodyNoFilesLimit 131072\n"
	"SecRule REQUEST_HEADERS:Content-Type \"^(?:application(?:/soap\\+|/)|text/)xml\" "
	"\"id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n"
	"SecRule REQUEST_HEADERS:Content-Type \"^application/json\" "
	"\"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n";

#ifdef HAVE_MODSECURITY
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct ms_log {
	uint32_t *ids;
	unsigned int *n, max;
};

static void ms_log_cb(void *data, const void *msg)
{
	struct ms_log *l = data;
	const char *p = msg ? strstr((const char *)msg, "[id \"") : NULL;

	if (l == NULL || p == NULL || *l->n >= l->max)
		return;
	l->ids[(*l->n)++] = (uint32_t)strtoul(p + 5, NULL, 10);
}

static int modsec_new(struct crs_engine *e, const char *setup, const char *dir,
		      unsigned int pl, char *err, size_t err_len)
{
	const char *error = NULL;
	char text[256], *names[256];
	unsigned int n = 0, i;
	DIR *d;
	struct dirent *de;

	e->ms = msc_init();
	msc_set_connector_info(e->ms, "wirewall crs_runner");
	msc_set_log_cb(e->ms, ms_log_cb);
	e->rules = msc_create_rules_set();
	snprintf(
		text, sizeof(text),
		"SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.paranoia_level=%u\"\n",
		pl);
	if (msc_rules_add(e->rules, modsec_base, &error) < 0 ||
	    msc_rules_add(e->rules, text, &error) < 0 ||
	    msc_rules_add_file(e->rules, setup, &error) < 0)
		goto fail;
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL && n < 256)
		if (strncmp(de->d_name, "REQUEST-", 8) == 0 &&
		    strstr(de->d_name, ".conf") != NULL)
			names[n++] = strdup(de->d_name);
	if (d != NULL)
		closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		if (error == NULL &&
		    msc_rules_add_file(e->rules, path, &error) < 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, err_len, "libmodsecurity: %s", error ? error : "?");
	return -1;
}

/* Feed the raw request to libmodsecurity as a server would: request
 * line, headers, body. */
static void modsec_run(struct crs_engine *e, const char *req, size_t len,
		       bool *refused, uint16_t *status, uint32_t *ids,
		       unsigned int *n_ids, unsigned int max_ids)
{
	struct ms_log log = {ids, n_ids, max_ids};
	Transaction *t = msc_new_transaction(e->ms, e->rules, &log);
	ModSecurityIntervention it = {200, 0, NULL, NULL, 0};
	const char *end = req + len, *p = req, *eol, *sp1, *sp2;
	const char *body = strstr(req, "\r\n\r\n");
	char method[64] = "GET", version[32] = "1.1", *uri;

	*refused = false;
	eol = memchr(p, '\n', len);
	if (eol == NULL)
		eol = end;
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (sp1 == NULL) {
		*refused = true;
		*status = 400;
		msc_transaction_cleanup(t);
		return;
	}
	snprintf(method, sizeof(method), "%.*s", (int)(sp1 - p), p);
	if (sp2 == NULL)
		sp2 = eol[-1] == '\r' ? eol - 1 : eol;
	uri = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (sp2 + 6 < eol && strncmp(sp2 + 1, "HTTP/", 5) == 0)
		snprintf(version, sizeof(version), "%.*s",
			 (int)(eol - sp2 - 6 - (eol[-1] == '\r')), sp2 + 6);
	msc_process_connection(t, "127.0.0.1", 40000, "127.0.0.1", 80);
	msc_process_uri(t, uri, method, version);
	free(uri);
	for (p = eol + 1; p < end && (body == NULL || p < body + 2);) {
		const char *le = memchr(p, '\n', (size_t)(end - p)), *colon;
		size_t ll;

		if (le == NULL)
			le = end;
		ll = (size_t)(le - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll == 0)
			break;
		colon = memchr(p, ':', ll);
		if (colon != NULL) {
			const char *v = colon + 1;

			while (v < p + ll && *v == ' ')
				v++;
			msc_add_n_request_header(t, (const unsigned char *)p,
						 (size_t)(colon - p),
						 (const unsigned char *)v,
						 (size_t)(p + ll - v));
		}
		p = le + 1;
	}
	msc_process_request_headers(t);
	if (msc_intervention(t, &it) == 0 && body != NULL && body + 4 < end) {
		msc_append_request_body(t, (const unsigned char *)body + 4,
					(size_t)(end - body - 4));
	}
	if (!it.disruptive) {
		msc_process_request_body(t);
		msc_intervention(t, &it);
	}
	*status = it.disruptive ? (uint16_t)it.status : 200;
	free(it.url);
	free(it.log);
	msc_process_logging(t);
	msc_transaction_cleanup(t);
}
#endif

struct crs_engine *crs_engine_new(const char *name, const char *crs_setup,
				  const char *rules_dir, unsigned int pl,
				  char *err, size_t err_len)
{
	struct crs_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	if (strcmp(name, "modsec") == 0) {
#ifdef HAVE_MODSECURITY
		e->modsec = true;
		if (modsec_new(e, crs_setup, rules_dir, pl, err, err_len) < 0) {
			free(e);
			return NULL;
		}
		return e;
#else
		snprintf(err, err_len, "built without libmodsecurity");
		free(e);
		return NULL;
#endif
	}
	{
		struct ww_waf_opts o = {
			.crs_setup = crs_setup,
			.rules_dir = rules_dir,
			.paranoia_level = pl,
			/* Compiled databases kept between runs, if the
			 * caller names a place (scripts/test.sh does). */
			.cache_dir = getenv("WW_WAF_CACHE"),
		};

		if (ww_waf_load(&o, &e->waf, err, err_len) < 0) {
			free(e);
			return NULL;
		}
	}
	e->ctx = ww_waf_ctx_new(e->waf);
	e->head = malloc(HEAD_BYTES);
	e->work = malloc(HEAD_BYTES);
	e->body = malloc(BODY_BYTES);
	{
		unsigned int r, u, hs, pcre_only;
		size_t bytes;
		double secs;

		ww_waf_counts(e->waf, &r, &u);
		ww_waf_compiled(e->waf, &hs, &pcre_only, &bytes, &secs);
		printf("wirewall engine: %u rules, %u with an unsupported operator; "
		       "Hyperscan: %u @rx patterns in databases, %u PCRE2 only, "
		       "%zu bytes, built in %.3f s\n",
		       r, u, hs, pcre_only, bytes, secs);

		ww_waf_report(e->waf, stdout);
		{
			char cs[1024];

			printf("compile cache %s\n",
			       ww_waf_cache_state(e->waf, cs, sizeof(cs)));
		}
	}
	return e;
}

void crs_engine_free(struct crs_engine *e)
{
	if (e == NULL)
		return;
	if (e->ctx != NULL && getenv("WAF_WORK") != NULL)
		ww_waf_ctx_print_work(e->ctx, stdout);
#ifdef HAVE_MODSECURITY
	if (e->modsec) {
		msc_rules_cleanup(e->rules);
		msc_cleanup(e->ms);
	}
#endif
	ww_waf_ctx_free(e->ctx);
	ww_waf_free(e->waf);
	free(e->head);
	free(e->work);
	free(e->body);
	free(e);
}

void crs_engine_run(struct crs_engine *e, const char *req, size_t len,
		    bool *refused, uint16_t *status, uint32_t *ids,
		    unsigned int *n_ids, unsigned int max_ids)
{
	static const struct ww_http_limits lim = {
		.max_request_line = 65536,
		.max_headers = 128,
		.max_header_bytes = HEAD_BYTES,
		.body_depth = BODY_BYTES,
		.max_chunk_ext = 4096,
	};
	const struct ww_waf_peer peer = {4, {127, 0, 0, 1}};
	struct ww_http_parser p;
	struct ww_waf_result res;
	size_t off = 0;
	bool done = false;
	unsigned int i;

#ifdef HAVE_MODSECURITY
	if (e->modsec) {
		modsec_run(e, req, len, refused, status, ids, n_ids, max_ids);
		return;
	}
#endif
	*refused = false;
	*status = 200;
	ww_http_parser_init(&p, &lim, e->head, HEAD_BYTES, e->work, HEAD_BYTES,
			    e->body, BODY_BYTES);
	while (off < len && !done) {
		size_t used;
		enum ww_http_event ev =
			ww_http_feed(&p, req + off, len - off, &used);

		off += used;
		if (ev == WW_HTTP_REQUEST)
			done = true;
		else if (ev == WW_HTTP_VIOLATION) {
			*refused = true;
			*status = 400;
			return;
		} else if (ev == WW_HTTP_NEED_MORE)
			break;
	}
	if (!p.req.head_done) {
		*refused = true;
		*status = 400;
		return;
	}
	ww_waf_eval(e->ctx, &p.req, &peer, &res);
	for (i = 0; i < res.n_ids && *n_ids < max_ids; i++)
		ids[(*n_ids)++] = res.ids[i];
	if (res.blocked)
		*status = res.status;
}
