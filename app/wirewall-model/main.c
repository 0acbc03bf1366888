/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wirewall-model: inspect, validate and run model files (models/FORMAT.md).
 *
 *   wirewall-model info FILE
 *   wirewall-model check FILE [--features N] [--spec-id N]
 *   wirewall-model predict FILE [--kernel auto|scalar|avx2|avx512]
 *                          [--batch N] [--bars P,P,...]
 *                          [--decision-below D] [CSV]
 *
 * predict reads rows of comma-separated feature values (CSV, or standard
 * input) and prints one line per row:
 *   classifier      label,p(class 0),p(class 1),...
 *   regressor       prediction
 *   isolation       score_samples,decision_function
 *   GBT logistic    label,p(positive)
 *   GBT softmax     label,p(class 0),...
 *   GBT identity    margin
 * Numbers are printed with 17 significant digits (exact doubles).
 * --batch: rows per forest call (1-64, default 64).
 * --bars (classifier: a probability per class) or --decision-below
 * (isolation forest) score with early exit, as the pipeline does
 * (ww_forest_predict_bounded): rows that cannot reach a bar may print
 * bounds instead of the model's numbers; "settled N" on standard error
 * says how many rows stopped early.
 */
#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ww_forest.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: wirewall-model info FILE\n"
		"       wirewall-model check FILE [--features N] [--spec-id N]\n"
		"       wirewall-model predict FILE [--kernel auto|scalar|avx2|avx512]\n"
		"                              [--batch N] [--bars P,P,...] [--decision-below D] [CSV]\n");
	return 2;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	/* Decimal, or hex with 0x (spec ids are written in hex). */
	v = strtoul(s, &end,
		    s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static const char *objective_name(enum ww_forest_objective o)
{
	switch (o) {
	case WW_FOREST_OBJ_LOGISTIC:
		return "logistic";
	case WW_FOREST_OBJ_SOFTMAX:
		return "softmax";
	default:
		return "identity";
	}
}

static int cmd_info(const char *path)
{
	char err[WW_FOREST_ERR_MAX];
	struct ww_forest *f = ww_forest_load_file(path, 0, 0, err, sizeof(err));
	struct ww_forest_info in;
	uint32_t i;

	if (f == NULL) {
		fprintf(stderr, "wirewall-model: %s\n", err);
		return 1;
	}
	ww_forest_get_info(f, &in);
	printf("kind: %s\n", ww_forest_kind_name(in.kind));
	if (in.kind == WW_FOREST_GBT)
		printf("objective: %s\n", objective_name(in.objective));
	printf("trees: %u\nnodes: %u\nleaves: %u\nmax depth: %u\n", in.n_trees,
	       in.n_nodes, in.n_leaves, in.max_depth);
	printf("features: %u\nfeature spec id: %u\noutputs: %u\n",
	       in.n_features, in.feature_spec_id, in.n_outputs);
	if (in.kind == WW_FOREST_RF_CLASSIFIER) {
		printf("classes:");
		for (i = 0; i < in.n_outputs; i++)
			printf(" %lld", (long long)ww_forest_class_label(f, i));
		printf("\n");
	}
	printf("size in memory: %zu bytes\n", in.memory);
	printf("kernels:");
	for (i = WW_FOREST_KERNEL_SCALAR; i <= WW_FOREST_KERNEL_AVX512; i++)
		if (ww_forest_kernel_supported(i))
			printf(" %s", ww_forest_kernel_name(i));
	printf(" (auto = %s)\n",
	       ww_forest_kernel_name(ww_forest_kernel_best()));
	ww_forest_free(f);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	char err[WW_FOREST_ERR_MAX];
	uint32_t nf = 0, spec = 0;
	struct ww_forest *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--features") == 0 && i + 1 < argc) {
			if (parse_u32(argv[++i], &nf) < 0)
				return usage();
		} else if (strcmp(argv[i], "--spec-id") == 0 && i + 1 < argc) {
			if (parse_u32(argv[++i], &spec) < 0)
				return usage();
		} else {
			return usage();
		}
	}
	f = ww_forest_load_file(argv[0], nf, spec, err, sizeof(err));
	if (f == NULL) {
		fprintf(stderr, "wirewall-model: refused: %s\n", err);
		return 1;
	}
	printf("%s: OK\n", argv[0]);
	ww_forest_free(f);
	return 0;
}

static void print_row(const struct ww_forest *f, const double *o)
{
	struct ww_forest_info in;
	uint32_t k, n = ww_forest_n_outputs(f);

	ww_forest_get_info(f, &in);
	switch (in.kind) {
	case WW_FOREST_RF_CLASSIFIER:
		printf("%lld", (long long)ww_forest_class_label(
				       f, ww_forest_argmax(o, n)));
		for (k = 0; k < n; k++)
			printf(",%.17g", o[k]);
		break;
	case WW_FOREST_ISOLATION:
		printf("%.17g,%.17g", o[0], ww_forest_decision(f, o[0]));
		break;
	case WW_FOREST_GBT:
		if (in.objective == WW_FOREST_OBJ_LOGISTIC) {
			printf("%d,%.17g", o[0] > 0.5, o[0]);
		} else if (in.objective == WW_FOREST_OBJ_SOFTMAX) {
			printf("%u", ww_forest_argmax(o, n));
			for (k = 0; k < n; k++)
				printf(",%.17g", o[k]);
		} else {
			printf("%.17g", o[0]);
		}
		break;
	default:
		printf("%.17g", o[0]);
		break;
	}
	putchar('\n');
}

/* One CSV line into @row; @return 0, or -1 with a message. */
static int parse_row(char *line, unsigned long lineno, float *row, uint32_t nf)
{
	char *p = line, *end;
	uint32_t i;

	for (i = 0; i < nf; i++) {
		errno = 0;
		row[i] = strtof(p, &end);
		if (end == p || !isfinite(row[i])) {
			fprintf(stderr,
				"wirewall-model: line %lu: feature %u is not a finite number\n",
				lineno, i);
			return -1;
		}
		while (*end == ' ' || *end == '\t')
			end++;
		if (i + 1 < nf) {
			if (*end != ',') {
				fprintf(stderr,
					"wirewall-model: line %lu: %u values, the model takes %u\n",
					lineno, i + 1, nf);
				return -1;
			}
			p = end + 1;
		} else if (*end != '\0' && *end != '\n' && *end != '\r') {
			fprintf(stderr,
				"wirewall-model: line %lu: more than %u values\n",
				lineno, nf);
			return -1;
		}
	}
	return 0;
}

static int cmd_predict(int argc, char **argv)
{
	enum ww_forest_kernel k = WW_FOREST_KERNEL_AUTO;
	const char *csv = NULL;
	char err[WW_FOREST_ERR_MAX], *line = NULL;
	size_t cap = 0;
	struct ww_forest *f;
	struct ww_forest_info in;
	float *rows;
	double *out;
	FILE *fp = stdin;
	unsigned long lineno = 0;
	size_t n = 0, i, batch = WW_FOREST_BATCH_MAX, settled = 0, s;
	double bar_p[WW_FOREST_MAX_OUTPUTS];
	struct ww_forest_bars bars = {.decision_below = NAN};
	bool bounded = false;
	int rc = 0, a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--kernel") == 0 && a + 1 < argc) {
			const char *name = argv[++a];

			if (strcmp(name, "auto") == 0)
				k = WW_FOREST_KERNEL_AUTO;
			else if (strcmp(name, "scalar") == 0)
				k = WW_FOREST_KERNEL_SCALAR;
			else if (strcmp(name, "avx2") == 0)
				k = WW_FOREST_KERNEL_AVX2;
			else if (strcmp(name, "avx512") == 0)
				k = WW_FOREST_KERNEL_AVX512;
			else
				return usage();
		} else if (strcmp(argv[a], "--batch") == 0 && a + 1 < argc) {
			char *end;

			batch = strtoul(argv[++a], &end, 10);
			if (*end != '\0' || batch < 1 ||
			    batch > WW_FOREST_BATCH_MAX)
				return usage();
		} else if (strcmp(argv[a], "--bars") == 0 && a + 1 < argc) {
			char *p = argv[++a], *end;
			unsigned int c = 0;

			for (;;) {
				if (c == WW_FOREST_MAX_OUTPUTS)
					return usage();
				bar_p[c++] = strtod(p, &end);
				if (end == p || (*end != ',' && *end != '\0'))
					return usage();
				if (*end == '\0')
					break;
				p = end + 1;
			}
			while (c < WW_FOREST_MAX_OUTPUTS)
				bar_p[c++] = INFINITY;
			bars.min_probability = bar_p;
			bounded = true;
		} else if (strcmp(argv[a], "--decision-below") == 0 &&
			   a + 1 < argc) {
			char *end;

			bars.decision_below = strtod(argv[++a], &end);
			if (*end != '\0')
				return usage();
			bounded = true;
		} else if (csv == NULL && argv[a][0] != '-') {
			csv = argv[a];
		} else {
			return usage();
		}
	}
	if (!ww_forest_kernel_supported(k)) {
		fprintf(stderr,
			"wirewall-model: this CPU cannot run the %s kernel\n",
			ww_forest_kernel_name(k));
		return 1;
	}
	f = ww_forest_load_file(argv[0], 0, 0, err, sizeof(err));
	if (f == NULL) {
		fprintf(stderr, "wirewall-model: %s\n", err);
		return 1;
	}
	if (csv != NULL && (fp = fopen(csv, "r")) == NULL) {
		fprintf(stderr, "wirewall-model: %s: %s\n", csv,
			strerror(errno));
		ww_forest_free(f);
		return 1;
	}
	ww_forest_get_info(f, &in);
	rows = malloc(sizeof(float) * in.n_features * WW_FOREST_BATCH_MAX);
	out = malloc(sizeof(double) * in.n_outputs * WW_FOREST_BATCH_MAX);
	if (rows == NULL || out == NULL) {
		fprintf(stderr, "wirewall-model: out of memory\n");
		rc = 1;
		goto out;
	}
	for (;;) {
		ssize_t got = getline(&line, &cap, fp);

		if (got >= 0) {
			lineno++;
			if (line[0] == '#' || line[0] == '\n')
				continue;
			if (parse_row(line, lineno, rows + n * in.n_features,
				      in.n_features) < 0) {
				rc = 1;
				goto out;
			}
			n++;
		}
		if (n == batch || (got < 0 && n > 0)) {
			if (bounded) {
				ww_forest_predict_bounded(f, k, rows, n, &bars,
							  out, &s);
				settled += s;
			} else {
				ww_forest_predict(f, k, rows, n, out);
			}
			for (i = 0; i < n; i++)
				print_row(f, out + i * in.n_outputs);
			n = 0;
		}
		if (got < 0)
			break;
	}
	if (bounded)
		fprintf(stderr, "settled %zu\n", settled);
out:
	free(line);
	free(rows);
	free(out);
	if (fp != stdin)
		fclose(fp);
	ww_forest_free(f);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "info") == 0 && argc == 3)
		return cmd_info(argv[2]);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(argv[1], "predict") == 0)
		return cmd_predict(argc - 2, argv + 2);
	return usage();
}
