/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OWASP CRS regression suite (FTW YAML) through wirewall's HTTP parser
 * and rule engine, or through libmodsecurity3 with the same rules (the
 * peer), at a given paranoia level.
 *
 *   crs_runner [--engine ww|modsec] [--pl N] [--verbose] [--only ID]
 *              CRS_SETUP RULES_DIR TESTS_DIR
 *
 * Each stage's request is built as FTW builds it (method, uri, version,
 * headers in order, data; Content-Length added when data is given and the
 * test does not set it, unless stop_magic), then checked against the
 * stage's output: log_contains / no_log_contains of a rule id, status
 * (one or a list), expect_error (the request is refused as malformed).
 * Prints pass and fail per rule file and overall, ending with
 *   RESULT crs-3.3.4 <pass rate> % <engine> <passed>/<total>
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

/* The rule id in 'id "942100"'; 0 when the pattern is something else. */
static uint32_t id_of(const char *s)
{
	const char *p = strstr(s, "id \"");

	return p ? (uint32_t)strtoul(p + 4, NULL, 10) : 0;
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

/* ---- Files ---- */

struct tally {
	unsigned int pass, fail;
};

static void run_file(struct crs_engine *e, const char *path,
		     struct tally *total)
{
	char err[256];
	struct ynode *root = ytree_load(path, err, sizeof(err));
	const struct ynode *tests = ymap_get(root, "tests");
	struct tally t = {0, 0};
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i, j;

	if (root == NULL || tests == NULL || tests->kind != Y_SEQ) {
		fprintf(stderr, "%s: %s\n", path, root ? "no tests" : err);
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
		/* For run.sh: benign tests one engine passes and the other
		 * does not. */
		if (is_benign(stages))
			printf("benign %s %s\n", title, ok ? "pass" : "fail");
	}
	if (t.pass + t.fail > 0)
		printf("%-32s pass %4u fail %4u\n", name, t.pass, t.fail);
	total->pass += t.pass;
	total->fail += t.fail;
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
	unsigned int pl = 4;
	struct crs_engine *e;
	struct tally total = {0, 0};
	char **files = NULL, err[1024];
	size_t n = 0, i;
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--engine") && a + 1 < argc)
			engine = argv[++a];
		else if (!strcmp(argv[a], "--pl") && a + 1 < argc)
			pl = (unsigned int)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--verbose"))
			verbose = true;
		else if (!strcmp(argv[a], "--only") && a + 1 < argc)
			only = argv[++a], verbose = true;
		else
			break;
	}
	if (argc - a != 3) {
		fprintf(stderr,
			"usage: crs_runner [--engine ww|modsec] [--pl N] [--verbose] [--only TITLE] CRS_SETUP RULES_DIR TESTS_DIR\n");
		return 2;
	}
	e = crs_engine_new(engine, argv[a], argv[a + 1], pl, err, sizeof(err));
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
	printf("RESULT crs-3.3.4 %.2f %% %s %u/%u (paranoia level %u)\n",
	       total.pass + total.fail
		       ? 100.0 * total.pass / (total.pass + total.fail)
		       : 0.0,
	       engine, total.pass, total.pass + total.fail, pl);
	return 0;
}
