/* SPDX-License-Identifier: BSD-3-Clause */
/* The two engines of the regression runner. See crs_engine.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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
	bool response_phase;
	/* wirewall */
	struct ww_waf *waf;
	struct ww_waf_ctx *ctx;
	char *head, *work, *body;
#ifdef HAVE_MODSECURITY
	ModSecurity *ms;
	RulesSet *rules;
#endif
};

/* The CRS 3.x regression suite's settings (its tests/regression README:
 * "SecAction id:900005 ... in your setup.conf": paranoia level, utf-8
 * validation, argument and file limits, no IP-reputation block), less its
 * ctl:ruleEngine=DetectionOnly: libmodsecurity3 runs On, as deployed
 * (MODSEC_RULE_ENGINE=DetectionOnly to compare), and wirewall blocks. */
static const char test_setup_fmt[] =
	"SecAction \"id:900005,phase:1,nolog,pass,t:none,"
	"ctl:ruleRemoveById=910000,"
	"setvar:tx.paranoia_level=%u,"
	"setvar:tx.crs_validate_utf8_encoding=1,"
	"setvar:tx.arg_name_length=100,"
	"setvar:tx.arg_length=400,"
	"setvar:tx.max_file_size=64100,"
	"setvar:tx.combined_file_sizes=65535\"\n";

/* crs-setup.conf followed by the suite's settings, in a file of its own
 * (both engines read it as their crs-setup.conf). @path gets its name. */
static int write_test_setup(const char *crs_setup, unsigned int pl, char *path,
			    size_t path_len, char *err, size_t err_len)
{
	char buf[8192];
	size_t n;
	FILE *in = fopen(crs_setup, "r"), *out;
	int fd;

	snprintf(path, path_len, "/tmp/crs_setup_tests.XXXXXX.conf");
	fd = mkstemps(path, 5);
	if (in == NULL || fd < 0) {
		snprintf(err, err_len, "%s: %s", in ? path : crs_setup,
			 strerror(errno));
		if (in != NULL)
			fclose(in);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	out = fdopen(fd, "w");
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fprintf(out, "\n# The CRS regression suite's settings\n");
	fprintf(out, test_setup_fmt, pl);
	if (fclose(out) != 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

#ifdef HAVE_MODSECURITY
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct ms_log {
	uint32_t *ids;
	unsigned int *n, max;
};

/* The rule id of a libmodsecurity3 log line: '[line "N"] [id "M"]' (the
 * matched value, quoted before [file], and the [data], after [id], can
 * hold anything; the line and id pair is the rule's own). 0: none. */
static uint32_t log_id(const char *m)
{
	const char *p = m;

	while ((p = strstr(p, "[line \"")) != NULL) {
		const char *q = p + 7;

		p = q;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p && strncmp(q, "\"] [id \"", 8) == 0 && q[8] >= '0' &&
		    q[8] <= '9')
			return (uint32_t)strtoul(q + 8, NULL, 10);
	}
	return 0;
}

/* The server log callback: one call per rule that matched and logs
 * (what a connector writes to the server's error log, where FTW looks
 * for 'id "N"'). */
static void ms_log_cb(void *data, const void *msg)
{
	struct ms_log *l = data;
	uint32_t id = msg ? log_id(msg) : 0;

	if (msg != NULL && getenv("CRS_MODSEC_LOG") != NULL)
		printf("    modsec: %s\n", (const char *)msg);
	if (l == NULL || id == 0 || *l->n >= l->max)
		return;
	l->ids[(*l->n)++] = id;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The way Debian's libmodsecurity3 users run the CRS: the recommended
 * modsecurity.conf with the engine On, then what
 * /usr/share/modsecurity-crs/owasp-crs.load includes, in its order:
 * crs-setup.conf, REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf (beside
 * crs-setup.conf), every .conf file of rules/ in name order (REQUEST-* and
 * RESPONSE-*), RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf. */
static int modsec_new(struct crs_engine *e, const struct crs_engine_conf *c,
		      const char *setup, char *err, size_t err_len)
{
	const char *error = NULL, *engine = getenv("MODSEC_RULE_ENGINE");
	char text[512], *names[256], conf_dir[1024], path[1200];
	unsigned int n = 0, i;
	DIR *d;
	struct dirent *de;

	if (c->modsec_conf == NULL || !is_file(c->modsec_conf)) {
		snprintf(err, err_len,
			 "libmodsecurity: no base configuration (%s)",
			 c->modsec_conf ? c->modsec_conf : "none given");
		return -1;
	}
	e->ms = msc_init();
	msc_set_connector_info(e->ms, "wirewall crs_runner");
	msc_set_log_cb(e->ms, ms_log_cb);
	e->rules = msc_create_rules_set();
	/* The engine On, as a deployment edits modsecurity.conf's
	 * "SecRuleEngine DetectionOnly" (MODSEC_RULE_ENGINE=DetectionOnly:
	 * as the CRS's own CI ran the suite, for comparison), and no audit
	 * log. Before the file: when rule sets are merged, the engine and
	 * audit settings already made are kept, not replaced. */
	snprintf(text, sizeof(text), "SecRuleEngine %s\nSecAuditEngine Off\n",
		 engine && *engine ? engine : "On");
	if (msc_rules_add(e->rules, text, &error) < 0 ||
	    msc_rules_add_file(e->rules, c->modsec_conf, &error) < 0)
		goto fail;
	if (!c->test_setup) {
		snprintf(
			text, sizeof(text),
			"SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.paranoia_level=%u\"\n",
			c->pl);
		if (msc_rules_add(e->rules, text, &error) < 0)
			goto fail;
	}
	if (msc_rules_add_file(e->rules, setup, &error) < 0)
		goto fail;
	snprintf(conf_dir, sizeof(conf_dir), "%s", c->crs_setup);
	if (strrchr(conf_dir, '/') != NULL)
		*strrchr(conf_dir, '/') = '\0';
	else
		snprintf(conf_dir, sizeof(conf_dir), ".");
	snprintf(path, sizeof(path),
		 "%s/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf", conf_dir);
	if (is_file(path) && msc_rules_add_file(e->rules, path, &error) < 0)
		goto fail;
	d = opendir(c->rules_dir);
	while (d != NULL && (de = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0)
			names[n++] = strdup(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", c->rules_dir, names[i]);
		free(names[i]);
		if (error == NULL &&
		    msc_rules_add_file(e->rules, path, &error) < 0)
			error = error ? error : "?";
	}
	if (error != NULL)
		goto fail;
	snprintf(path, sizeof(path),
		 "%s/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf", conf_dir);
	if (is_file(path) && msc_rules_add_file(e->rules, path, &error) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, err_len, "libmodsecurity: %s", error ? error : "?");
	return -1;
}

/* A disruptive action so far: its status in *@status. The rule that
 * disrupted is not reported through the log callback: its log line
 * comes with the intervention (ModSecurity-nginx writes it to the error
 * log), and its id goes to @log like the others'. */
static bool ms_disrupted(Transaction *t, uint16_t *status, struct ms_log *log)
{
	ModSecurityIntervention it = {200, 0, NULL, NULL, 0};
	bool d = msc_intervention(t, &it) != 0 && it.disruptive;

	if (d)
		*status = (uint16_t)(it.status ? it.status : 403);
	if (it.log != NULL)
		ms_log_cb(log, it.log);
	free(it.url);
	free(it.log);
	return d;
}

/* The request as a server hands it to its connector (ModSecurity-nginx:
 * msc_process_connection, msc_process_uri, msc_add_n_request_header per
 * field, msc_process_request_headers, msc_append_request_body,
 * msc_process_request_body). The request line (method, URI as sent,
 * protocol version without "HTTP/"), the header fields (value without
 * the whitespace around it), the body the server read: de-chunked with
 * Transfer-Encoding: chunked, else Content-Length bytes, else none.
 * @return false when the server would refuse the request itself. */
struct ms_req {
	char method[64], version[32], *uri;
	const char *hdr[128], *val[128];
	size_t hdr_len[128], val_len[128];
	unsigned int n_hdr;
	char *body;
	size_t body_len;
};

/* The chunks' data; false when malformed or cut short. @p..@end need
 * not end in a NUL. */
static bool dechunk(const char *p, const char *end, struct ms_req *r)
{
	r->body = malloc((size_t)(end - p) + 1);
	r->body_len = 0;
	for (;;) {
		const char *le = memchr(p, '\n', (size_t)(end - p)), *x = p;
		size_t sz = 0;

		if (le == NULL)
			return false;
		for (; x < le && isxdigit((unsigned char)*x); x++) {
			if (sz > ((size_t)1 << 40))
				return false;
			sz = sz * 16 +
			     (size_t)(isdigit((unsigned char)*x)
					      ? *x - '0'
					      : (*x | 0x20) - 'a' + 10);
		}
		if (x == p)
			return false;
		p = le + 1;
		if (sz == 0)
			return true;
		if ((size_t)(end - p) < sz)
			return false;
		memcpy(r->body + r->body_len, p, sz);
		r->body_len += sz;
		p += sz;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
}

static bool ms_parse(const char *req, size_t len, struct ms_req *r)
{
	const char *end = req + len, *p = req, *eol, *sp1, *sp2, *v;
	const char *cl = NULL, *te = NULL;
	size_t cl_len = 0, te_len = 0;

	memset(r, 0, sizeof(*r));
	eol = memchr(p, '\n', len);
	if (eol == NULL)
		return false;
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (sp1 == NULL)
		return false;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp2 == NULL)
		sp2 = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
	snprintf(r->method, sizeof(r->method), "%.*s", (int)(sp1 - p), p);
	r->uri = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	snprintf(r->version, sizeof(r->version), "1.1");
	if (sp2 + 6 < eol && strncmp(sp2 + 1, "HTTP/", 5) == 0)
		snprintf(r->version, sizeof(r->version), "%.*s",
			 (int)(eol - sp2 - 6 - (eol[-1] == '\r')), sp2 + 6);
	for (p = eol + 1; p < end;) {
		const char *le = memchr(p, '\n', (size_t)(end - p)), *colon;
		size_t ll;

		if (le == NULL)
			return false; /* the head never ends */
		ll = (size_t)(le - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			p = le + 1;
			break;
		}
		colon = memchr(p, ':', ll);
		if (colon != NULL && r->n_hdr < 128) {
			const char *ve = p + ll;

			for (v = colon + 1;
			     v < ve && (*v == ' ' || *v == '\t');)
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			r->hdr[r->n_hdr] = p;
			r->hdr_len[r->n_hdr] = (size_t)(colon - p);
			r->val[r->n_hdr] = v;
			r->val_len[r->n_hdr] = (size_t)(ve - v);
			if (r->hdr_len[r->n_hdr] == 14 &&
			    strncasecmp(p, "Content-Length", 14) == 0)
				cl = v, cl_len = (size_t)(ve - v);
			if (r->hdr_len[r->n_hdr] == 17 &&
			    strncasecmp(p, "Transfer-Encoding", 17) == 0)
				te = v, te_len = (size_t)(ve - v);
			r->n_hdr++;
		}
		p = le + 1;
	}
	if (te != NULL) {
		/* nginx (Debian's libmodsecurity3 connector) answers 400 to
		 * a request with both, and to a Transfer-Encoding other
		 * than chunked 501, before its connector sees either. */
		if (cl != NULL || te_len != 7 ||
		    strncasecmp(te, "chunked", 7) != 0)
			return false;
		return dechunk(p, end, r);
	}
	if (cl != NULL && cl_len > 0) {
		unsigned long n = strtoul(cl, NULL, 10);

		if (n > (unsigned long)(end - p))
			n = (unsigned long)(end - p); /* what arrived */
		r->body = malloc(n + 1);
		memcpy(r->body, p, n);
		r->body_len = n;
	}
	return true;
}

static void modsec_run(struct crs_engine *e, const char *req, size_t len,
		       bool *refused, uint16_t *status, uint32_t *ids,
		       unsigned int *n_ids, unsigned int max_ids)
{
	static const char page[] =
		"<html><head><title>ok</title></head><body>ok</body></html>\n";
	struct ms_log log = {ids, n_ids, max_ids};
	struct ms_req r;
	Transaction *t;
	bool stop;
	unsigned int i;

	*refused = false;
	*status = 200;
	if (!ms_parse(req, len, &r)) {
		*refused = true;
		*status = 400;
		free(r.uri);
		free(r.body);
		return;
	}
	t = msc_new_transaction(e->ms, e->rules, &log);
	msc_process_connection(t, "127.0.0.1", 40000, "127.0.0.1", 80);
	msc_process_uri(t, r.uri, r.method, r.version);
	for (i = 0; i < r.n_hdr; i++)
		msc_add_n_request_header(
			t, (const unsigned char *)r.hdr[i], r.hdr_len[i],
			(const unsigned char *)r.val[i], r.val_len[i]);
	msc_process_request_headers(t);
	stop = ms_disrupted(t, status, &log);
	if (!stop) {
		if (r.body_len > 0)
			msc_append_request_body(
				t, (const unsigned char *)r.body, r.body_len);
		msc_process_request_body(t);
		stop = ms_disrupted(t, status, &log);
	}
	if (!stop && e->response_phase) {
		char clen[16];

		snprintf(clen, sizeof(clen), "%zu", sizeof(page) - 1);
		msc_add_n_response_header(
			t, (const unsigned char *)"Content-Type", 12,
			(const unsigned char *)"text/html", 9);
		msc_add_n_response_header(
			t, (const unsigned char *)"Content-Length", 14,
			(const unsigned char *)clen, strlen(clen));
		msc_process_response_headers(t, 200, "HTTP 1.1");
		stop = ms_disrupted(t, status, &log);
		if (!stop) {
			msc_append_response_body(t, (const unsigned char *)page,
						 sizeof(page) - 1);
			msc_process_response_body(t);
			ms_disrupted(t, status, &log);
		}
	}
	msc_process_logging(t);
	msc_transaction_cleanup(t);
	free(r.uri);
	free(r.body);
}
#endif

struct crs_engine *crs_engine_new(const char *name,
				  const struct crs_engine_conf *c, char *err,
				  size_t err_len)
{
	struct crs_engine *e = calloc(1, sizeof(*e));
	char tmp[64] = "";
	const char *setup = c->crs_setup;
	int rc;

	if (e == NULL)
		return NULL;
	e->response_phase = c->response_phase;
	if (c->test_setup) {
		if (write_test_setup(c->crs_setup, c->pl, tmp, sizeof(tmp), err,
				     err_len) < 0) {
			free(e);
			return NULL;
		}
		setup = tmp;
	}
	if (strcmp(name, "modsec") == 0) {
#ifdef HAVE_MODSECURITY
		e->modsec = true;
		rc = modsec_new(e, c, setup, err, err_len);
#else
		snprintf(err, err_len, "built without libmodsecurity");
		rc = -1;
#endif
	} else {
		struct ww_waf_opts o = {
			.crs_setup = setup,
			.rules_dir = c->rules_dir,
			.paranoia_level = c->pl,
			/* Compiled databases kept between runs, if the
			 * caller names a place (scripts/test.sh does). */
			.cache_dir = getenv("WW_WAF_CACHE"),
		};

		rc = ww_waf_load(&o, &e->waf, err, err_len);
	}
	if (tmp[0])
		unlink(tmp);
	if (rc < 0) {
#ifdef HAVE_MODSECURITY
		if (e->rules != NULL)
			msc_rules_cleanup(e->rules);
		if (e->ms != NULL)
			msc_cleanup(e->ms);
#endif
		free(e);
		return NULL;
	}
	if (e->modsec)
		return e;
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
