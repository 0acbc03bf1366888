/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ns/row of wirewall's forest kernels, and of XGBoost's C API
 * (XGBoosterPredictFromDense, one thread) on the same rows.
 *
 *   bench_forest ROWS.f32 N_FEATURES MODEL.wwf [XGBOOST_MODEL.json]
 *
 * Prints, for each batch size (1, 8, 64) and kernel:
 *   ww <kernel> <batch> <ns/row>
 *   xgb <batch> <ns/row>            (with an XGBoost model)
 * Each figure is the median of 5 timed passes over all rows, passes of
 * the two engines alternating, so the VM's drift hits both alike.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xgboost/c_api.h>

#include "ww_forest.h"

#define PASSES 5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static float *read_rows(const char *path, size_t nf, size_t *n_rows)
{
	FILE *fp = fopen(path, "rb");
	float *rows;
	long size;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (size = ftell(fp)) <= 0)
		return NULL;
	rewind(fp);
	rows = malloc((size_t)size);
	if (rows == NULL || fread(rows, 1, (size_t)size, fp) != (size_t)size)
		return NULL;
	fclose(fp);
	*n_rows = (size_t)size / sizeof(float) / nf;
	return rows;
}

static double time_ww(const struct ww_forest *f, enum ww_forest_kernel k,
		      const float *rows, size_t n, size_t nf, size_t batch,
		      double *out)
{
	double t0 = now_s();
	size_t r;

	for (r = 0; r + batch <= n; r += batch)
		ww_forest_predict(f, k, rows + r * nf, batch, out);
	return (now_s() - t0) / (double)(r ? r : 1) * 1e9;
}

static double time_xgb(BoosterHandle h, const float *rows, size_t n, size_t nf,
		       size_t batch)
{
	const char *config = "{\"type\": 0, \"training\": false, "
			     "\"iteration_begin\": 0, \"iteration_end\": 0, "
			     "\"strict_shape\": false, \"cache_id\": 0, "
			     "\"missing\": NaN}";
	double t0 = now_s();
	size_t r;
	char arr[256];

	for (r = 0; r + batch <= n; r += batch) {
		const bst_ulong *shape;
		bst_ulong dim;
		const float *res;

		/* The array interface XGBoost's in-place predict takes. */
		snprintf(arr, sizeof(arr),
			 "{\"data\": [%lu, true], \"shape\": [%zu, %zu], "
			 "\"typestr\": \"<f4\", \"version\": 3}",
			 (unsigned long)(uintptr_t)(rows + r * nf), batch, nf);
		if (XGBoosterPredictFromDense(h, arr, config, NULL, &shape,
					      &dim, &res) != 0) {
			fprintf(stderr, "xgboost: %s\n", XGBGetLastError());
			exit(1);
		}
	}
	return (now_s() - t0) / (double)(r ? r : 1) * 1e9;
}

int main(int argc, char **argv)
{
	static const size_t batches[] = {1, 8, 64};
	char err[WW_FOREST_ERR_MAX];
	struct ww_forest *f;
	BoosterHandle h = NULL;
	size_t nf, n, b;
	float *rows;
	double *out;
	int k, p;

	if (argc < 4) {
		fprintf(stderr,
			"usage: bench_forest ROWS.f32 N_FEATURES MODEL.wwf [XGB.json]\n");
		return 2;
	}
	nf = strtoul(argv[2], NULL, 10);
	rows = read_rows(argv[1], nf, &n);
	f = ww_forest_load_file(argv[3], (uint32_t)nf, 0, err, sizeof(err));
	if (rows == NULL || f == NULL) {
		fprintf(stderr, "bench_forest: %s\n",
			rows ? err : "cannot read rows");
		return 1;
	}
	out = malloc(sizeof(double) * 64 * ww_forest_n_outputs(f));
	if (argc > 4) {
		if (XGBoosterCreate(NULL, 0, &h) != 0 ||
		    XGBoosterLoadModel(h, argv[4]) != 0 ||
		    XGBoosterSetParam(h, "nthread", "1") != 0) {
			fprintf(stderr, "xgboost: %s\n", XGBGetLastError());
			return 1;
		}
	}
	for (b = 0; b < 3; b++) {
		double ww[4][PASSES], xg[PASSES];

		for (p = 0; p < PASSES; p++) {
			for (k = WW_FOREST_KERNEL_SCALAR;
			     k <= WW_FOREST_KERNEL_AVX512; k++)
				if (ww_forest_kernel_supported(k))
					ww[k][p] = time_ww(f, k, rows, n, nf,
							   batches[b], out);
			if (h != NULL)
				xg[p] = time_xgb(h, rows, n, nf, batches[b]);
		}
		for (k = WW_FOREST_KERNEL_SCALAR; k <= WW_FOREST_KERNEL_AVX512;
		     k++)
			if (ww_forest_kernel_supported(k))
				printf("ww %s %zu %.1f\n",
				       ww_forest_kernel_name(k), batches[b],
				       median(ww[k], PASSES));
		if (h != NULL)
			printf("xgb %zu %.1f\n", batches[b],
			       median(xg, PASSES));
	}
	if (h != NULL)
		XGBoosterFree(h);
	ww_forest_free(f);
	free(rows);
	free(out);
	return 0;
}
