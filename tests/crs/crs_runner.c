/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OWASP CRS regression suite (FTW YAML) through wirewall's HTTP parser
 * and rule engine, or through libmodsecurity3 with the same rules (the
 * peer), at a given paranoia level, with the suite's own settings after
 * crs-setup.conf (crs_engine.h).
 *
 *   crs_runner [--engine ww|modsec] [--pl N] [--modsec-conf FILE]
 *              [--verbose] [--only TITLE] CRS_SETUP RULES_DIR TESTS_DIR
 *
 * Files and tests marked "enabled: false" are skipped, as FTW skips them
 * (and counted). Each stage's request is built as FTW builds it
 * (ftw_request.c), then checked against the stage's output as FTW checks
 * it, every check having to hold: log_contains / no_log_contains (FTW
 * searches the server's error log with them as regular expressions; here
 * 'id "N"' or a bare rule id N is a rule N that logged, a pattern naming
 * no rule that way, such as "id:N", cannot match a ModSecurity log line
 * and is never found), status (one or a list), expect_error (no HTTP
 * answer; here, the request refused as malformed).
 *
 * Two sets are reported:
 *   all          every enabled test;
 *   request-side the tests judged from the rules' log alone: not those
 *                with a status or expect_error in a stage (they judge the
 *                answer of the web server the suite ran behind: its 400,
 *                404, 405 or dropped connection for a malformed request),
 *                nor those listed in server_side[] below.
 * Prints pass and fail per rule file, "test TITLE pass|fail SET" per
 * test, and
 *   RESULT crs-3.3.4 <pass rate> % <engine> <passed>/<total> ...
 *   RESULT crs-3.3.4-request-side <pass rate> % <engine> <passed>/<total>
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crs_engine.h"
#include "yaml_tree.h"

struct outcome {
	bool refused;	 /* the request was refused as malformed */
	uint16_t status; /* 200 when let through */
	uint32_t ids[256];
	unsigned int n_ids;
};

static bool verbose;
static const char *only;

static const char *scalar(const struct ynode *n, const char *dflt)
{
	return n != NULL && n->kind == Y_SCALAR ? n->value : dflt;
}

/* ---- Checking ---- */

/* The rule id in 'id "942100"' or a bare '942100'; 0 when the pattern
 * is something else. */
static uint32_t id_of(const char *s)
{
	const char *p = strstr(s, "id \"");

	if (p != NULL)
		return (uint32_t)strtoul(p + 4, NULL, 10);
	if (strlen(s) == 6 && strspn(s, "0123456789") == 6)
		return (uint32_t)strtoul(s, NULL, 10);
	return 0;
}

static bool has_id(const struct outcome *o, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < o->n_ids; i++)
		if (o->ids[i] == id)
			return true;
	return false;
}

static bool check(const struct ynode *out, const struct outcome *o, char *why,
		  size_t why_len)
{
	const struct ynode *lc = ymap_get(out, "log_contains");
	const struct ynode *nlc = ymap_get(out, "no_log_contains");
	const struct ynode *st = ymap_get(out, "status");
	const struct ynode *ee = ymap_get(out, "expect_error");

	if (ee != NULL && strcmp(scalar(ee, ""), "true") == 0 && !o->refused) {
		snprintf(why, why_len, "expected an error");
		return false;
	}
	if (lc != NULL) {
		uint32_t id = id_of(scalar(lc, ""));

		if (id == 0 || !has_id(o, id)) {
			snprintf(why, why_len, "rule %u did not log%s", id,
				 o->refused ? " (request refused as malformed)"
					    : "");
			return false;
		}
	}
	if (nlc != NULL) {
		uint32_t id = id_of(scalar(nlc, ""));

		if (id != 0 && has_id(o, id)) {
			snprintf(why, why_len, "rule %u logged", id);
			return false;
		}
	}
	if (st != NULL) {
		bool ok = false;
		size_t i;

		if (st->kind == Y_SCALAR)
			ok = (uint16_t)atoi(st->value) == o->status;
		for (i = 0; st->kind == Y_SEQ && i < st->n; i++)
			ok |= (uint16_t)atoi(st->kids[i]->value) == o->status;
		if (!ok) {
			snprintf(why, why_len, "status %u", o->status);
			return false;
		}
	}
	return true;
}

/* A benign test: no stage expects a rule to log, an error or a refusal
 * status; it only says which rules must stay quiet. */
static bool is_benign(const struct ynode *stages)
{
	size_t j;

	for (j = 0; stages != NULL && j < stages->n; j++) {
		const struct ynode *out =
			ymap_get(ymap_get(stages->kids[j], "stage"), "output");
		const struct ynode *st = ymap_get(out, "status");

		if (ymap_get(out, "log_contains") != NULL ||
		    ymap_get(out, "expect_error") != NULL)
			return false;
		if (st != NULL && st->kind == Y_SCALAR &&
		    atoi(st->value) >= 400)
			return false;
		if (st != NULL && st->kind == Y_SEQ)
			return false;
	}
	return stages != NULL;
}

/* Tests without a status or expect_error whose outcome is still the
 * web server's doing rather than the rules' (see their comments in the
 * YAML): which request reaches the engine, or what its headers are, is
 * up to the server the suite ran behind. */
static const char *const server_side[] = {
	/* Content-Length and Transfer-Encoding: chunked together: Apache
	 * drops the Content-Length header, nginx refuses the request; either
	 * way rule 920181 never sees both (the test's own comment). */
	"920181-1",
	NULL,
};

/* Judged from the rules' log alone (the request-side set). */
static bool is_request_side(const char *title, const struct ynode *stages)
{
	size_t j;

	for (j = 0; server_side[j] != NULL; j++)
		if (strcmp(title, server_side[j]) == 0)
			return false;
	for (j = 0; stages != NULL && j < stages->n; j++) {
		const struct ynode *out =
			ymap_get(ymap_get(stages->kids[j], "stage"), "output");

		if (ymap_get(out, "status") != NULL ||
		    ymap_get(out, "expect_error") != NULL)
			return false;
	}
	return true;
}

static bool enabled(const struct ynode *n)
{
	return strcmp(scalar(ymap_get(n, "enabled"), "true"), "false") != 0;
}

/* ---- Files ---- */

struct tally {
	unsigned int pass, fail;
	unsigned int req_pass, req_fail; /* the request-side set */
	unsigned int skipped;		 /* enabled: false */
};

static void run_file(struct crs_engine *e, const char *path,
		     struct tally *total)
{
	char err[256];
	struct ynode *root = ytree_load(path, err, sizeof(err));
	const struct ynode *tests = ymap_get(root, "tests");
	struct tally t = {0};
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i, j;

	if (root == NULL || tests == NULL || tests->kind != Y_SEQ) {
		fprintf(stderr, "%s: %s\n", path, root ? "no tests" : err);
		ytree_free(root);
		return;
	}
	if (!enabled(ymap_get(root, "meta"))) {
		/* FTW loads no test of a disabled file. */
		total->skipped += (unsigned int)tests->n;
		printf("%-32s skipped (enabled: false), %zu tests\n", name,
		       tests->n);
		ytree_free(root);
		return;
	}
	for (i = 0; i < tests->n; i++) {
		const char *title =
			scalar(ymap_get(tests->kids[i], "test_title"), "?");
		const struct ynode *stages = ymap_get(tests->kids[i], "stages");
		bool ok = true;
		char why[256] = "";

		if (only != NULL && strstr(title, only) == NULL)
			continue;
		if (!enabled(tests->kids[i])) {
			t.skipped++;
			continue;
		}
		for (j = 0; stages != NULL && j < stages->n && ok; j++) {
			const struct ynode *stage =
				ymap_get(stages->kids[j], "stage");
			struct {
				char *p;
				size_t n;
			} req;
			struct outcome o;

			crs_build_request(ymap_get(stage, "input"), &req.p,
					  &req.n);
			memset(&o, 0, sizeof(o));
			crs_engine_run(e, req.p ? req.p : "", req.n, &o.refused,
				       &o.status, o.ids, &o.n_ids, 256);
			ok = check(ymap_get(stage, "output"), &o, why,
				   sizeof(why));
			if (verbose && (!ok || only != NULL)) {
				unsigned int k;

				printf("  %s %s: %s; logged:",
				       ok ? "pass" : "FAIL", title,
				       ok ? "ok" : why);
				for (k = 0; k < o.n_ids; k++)
					printf(" %u", o.ids[k]);
				printf("\n");
				if (only != NULL)
					printf("%.*s\n", (int)req.n, req.p);
			}
			free(req.p);
		}
		if (ok)
			t.pass++;
		else
			t.fail++;
		{
			bool rs = is_request_side(title, stages);

			if (rs && ok)
				t.req_pass++;
			else if (rs)
				t.req_fail++;
			printf("test %s %s %s\n", title, ok ? "pass" : "fail",
			       rs ? "request-side" : "server-side");
		}
		/* For run.sh: benign tests one engine passes and the other
		 * does not. */
		if (is_benign(stages))
			printf("benign %s %s\n", title, ok ? "pass" : "fail");
	}
	if (t.pass + t.fail > 0)
		printf("%-32s pass %4u fail %4u\n", name, t.pass, t.fail);
	total->pass += t.pass;
	total->fail += t.fail;
	total->req_pass += t.req_pass;
	total->req_fail += t.req_fail;
	total->skipped += t.skipped;
	ytree_free(root);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.yaml below @dir, in name order. */
static void collect(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			collect(path, out, n);
		} else if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0) {
			*out = realloc(*out, sizeof(**out) * (*n + 1));
			(*out)[(*n)++] = strdup(path);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *engine = "ww";
	struct crs_engine_conf conf = {
		.pl = 4,
		.test_setup = true,
		.response_phase = true,
	};
	struct crs_engine *e;
	struct tally total = {0};
	char **files = NULL, err[1024];
	size_t n = 0, i;
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--engine") && a + 1 < argc)
			engine = argv[++a];
		else if (!strcmp(argv[a], "--pl") && a + 1 < argc)
			conf.pl = (unsigned int)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--modsec-conf") && a + 1 < argc)
			conf.modsec_conf = argv[++a];
		else if (!strcmp(argv[a], "--verbose"))
			verbose = true;
		else if (!strcmp(argv[a], "--only") && a + 1 < argc)
			only = argv[++a], verbose = true;
		else
			break;
	}
	if (argc - a != 3) {
		fprintf(stderr,
			"usage: crs_runner [--engine ww|modsec] [--pl N] [--modsec-conf FILE] [--verbose] [--only TITLE] CRS_SETUP RULES_DIR TESTS_DIR\n");
		return 2;
	}
	conf.crs_setup = argv[a];
	conf.rules_dir = argv[a + 1];
	e = crs_engine_new(engine, &conf, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "crs_runner: %s\n", err);
		return 1;
	}
	collect(argv[a + 2], &files, &n);
	qsort(files, n, sizeof(files[0]), by_name);
	for (i = 0; i < n; i++) {
		run_file(e, files[i], &total);
		free(files[i]);
	}
	free(files);
	crs_engine_free(e);
	printf("RESULT crs-3.3.4 %.2f %% %s %u/%u (paranoia level %u; %u tests of disabled files or tests skipped)\n",
	       total.pass + total.fail
		       ? 100.0 * total.pass / (total.pass + total.fail)
		       : 0.0,
	       engine, total.pass, total.pass + total.fail, conf.pl,
	       total.skipped);
	printf("RESULT crs-3.3.4-request-side %.2f %% %s %u/%u (paranoia level %u)\n",
	       total.req_pass + total.req_fail
		       ? 100.0 * total.req_pass /
				 (total.req_pass + total.req_fail)
		       : 0.0,
	       engine, total.req_pass, total.req_pass + total.req_fail,
	       conf.pl);
	return 0;
}
