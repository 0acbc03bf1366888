/* SPDX-License-Identifier: BSD-3-Clause */
/* Batch prediction: the scalar reference kernel and the dispatch. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "forest_priv.h"

void ww_forest_acc_init(const struct ww_forest *f, struct ww_forest_acc *a)
{
	uint32_t k;

	if (f->kind == WW_FOREST_GBT) {
		for (k = 0; k < f->n_groups; k++)
			a->m[k] = (float)f->base_score;
	} else {
		for (k = 0; k < f->n_outputs; k++)
			a->d[k] = 0.0;
	}
}

void ww_forest_acc_finish(const struct ww_forest *f,
			  const struct ww_forest_acc *a, double *out)
{
	uint32_t k;

	switch (f->kind) {
	case WW_FOREST_RF_CLASSIFIER:
		/* scikit-learn: sum of per-tree probabilities / n_trees. */
		for (k = 0; k < f->n_outputs; k++)
			out[k] = a->d[k] / f->n_trees;
		break;
	case WW_FOREST_RF_REGRESSOR:
		out[0] = a->d[0] / f->n_trees;
		break;
	case WW_FOREST_ISOLATION:
		/* score_samples = -2^(-E[h(x)] / c(max_samples)); the leaf
		 * values already hold depth + c(leaf samples). */
		out[0] = -pow(2.0, -(a->d[0] / f->if_denominator));
		break;
	case WW_FOREST_GBT:
		if (f->objective == WW_FOREST_OBJ_LOGISTIC) {
			/* XGBoost's sigmoid, in float. */
			out[0] = 1.0f / (1.0f + expf(-a->m[0]));
		} else if (f->objective == WW_FOREST_OBJ_SOFTMAX) {
			/* XGBoost's softmax: float terms, double sum. */
			float wmax = a->m[0], e[WW_FOREST_MAX_OUTPUTS];
			double wsum = 0.0;

			for (k = 1; k < f->n_groups; k++)
				wmax = fmaxf(a->m[k], wmax);
			for (k = 0; k < f->n_groups; k++) {
				e[k] = expf(a->m[k] - wmax);
				wsum += e[k];
			}
			for (k = 0; k < f->n_groups; k++)
				out[k] = e[k] / (float)wsum;
		} else {
			out[0] = a->m[0];
		}
		break;
	}
}

size_t ww_forest_eval_scalar(const struct ww_forest *f, const float *rows,
			     size_t n, double *out,
			     const struct ww_forest_stop *stop)
{
	struct ww_forest_acc a;
	size_t r, settled = 0;
	uint32_t t;

	for (r = 0; r < n; r++) {
		const float *row = rows + r * f->n_features;

		ww_forest_acc_init(f, &a);
		for (t = 0; t < f->n_trees; t++) {
			if (stop != NULL && t >= stop->first &&
			    (t - stop->first) % WW_FOREST_STOP_EVERY == 0 &&
			    ww_forest_settled(f, stop, t, &a)) {
				ww_forest_settle(f, t, &a);
				settled++;
				break;
			}
			ww_forest_acc_add(f, t, ww_forest_walk(f, t, row), &a);
		}
		ww_forest_acc_finish(f, &a, out + r * f->n_outputs);
	}
	return settled;
}

bool ww_forest_kernel_supported(enum ww_forest_kernel k)
{
	switch (k) {
	case WW_FOREST_KERNEL_AUTO:
	case WW_FOREST_KERNEL_SCALAR:
		return true;
	case WW_FOREST_KERNEL_AVX2:
		return __builtin_cpu_supports("avx2");
	case WW_FOREST_KERNEL_AVX512:
		return __builtin_cpu_supports("avx512f");
	}
	return false;
}

const char *ww_forest_kernel_name(enum ww_forest_kernel k)
{
	switch (k) {
	case WW_FOREST_KERNEL_AUTO:
		return "auto";
	case WW_FOREST_KERNEL_SCALAR:
		return "scalar";
	case WW_FOREST_KERNEL_AVX2:
		return "avx2";
	case WW_FOREST_KERNEL_AVX512:
		return "avx512";
	}
	return "unknown";
}

enum ww_forest_kernel ww_forest_kernel_best(void)
{
	/* perf/forest: the AVX2 kernel, which also vectorises the leaf sums
	 * and reads the top levels from a feature-major copy, beats the
	 * AVX-512 one on the AMD cores measured; AVX-512 stays available by
	 * name. The CPU is asked at run time (valgrind hides AVX-512). */
	if (ww_forest_kernel_supported(WW_FOREST_KERNEL_AVX2))
		return WW_FOREST_KERNEL_AVX2;
	return WW_FOREST_KERNEL_SCALAR;
}

static int predict(const struct ww_forest *f, enum ww_forest_kernel k,
		   const float *rows, size_t n, double *out,
		   const struct ww_forest_stop *stop, size_t *settled)
{
	size_t s;

	if (k == WW_FOREST_KERNEL_AUTO)
		k = ww_forest_kernel_best();
	if (!ww_forest_kernel_supported(k))
		return -EINVAL;
	switch (k) {
	case WW_FOREST_KERNEL_AVX2:
		s = ww_forest_eval_avx2(f, rows, n, out, stop);
		break;
	case WW_FOREST_KERNEL_AVX512:
		s = ww_forest_eval_avx512(f, rows, n, out, stop);
		break;
	default:
		s = ww_forest_eval_scalar(f, rows, n, out, stop);
		break;
	}
	if (settled != NULL)
		*settled = s;
	return 0;
}

int ww_forest_predict(const struct ww_forest *f, enum ww_forest_kernel k,
		      const float *rows, size_t n, double *out)
{
	return predict(f, k, rows, n, out, NULL, NULL);
}

/* A relative margin on the bars: sums added in another order round
 * differently, by far less than this. */
#define STOP_MARGIN 1e-9

/* Whether a row could be settled after @t trees, whatever leaves it met:
 * a classifier's sums are at least 0, an isolation forest's path sum at
 * most the longest paths of the trees walked (ww_forest_settled with
 * those sums). */
static bool could_settle(const struct ww_forest *f,
			 const struct ww_forest_stop *s, uint32_t t)
{
	const double *rest;
	uint32_t c;

	if (f->kind == WW_FOREST_ISOLATION)
		return f->walked_max[t] + f->rest_min[t] > s->above;
	rest = f->rest_max + (size_t)t * f->n_outputs;
	for (c = 0; c < f->n_outputs; c++)
		if (!(rest[c] < s->below[c]))
			return false;
	return true;
}

/* The fewest trees after which some row could be settled (both bounds
 * only grow with t, so a binary search finds it). */
static uint32_t first_settle(const struct ww_forest *f,
			     const struct ww_forest_stop *s)
{
	uint32_t lo = 1, hi = f->n_trees;

	while (lo < hi) {
		const uint32_t mid = lo + (hi - lo) / 2;

		if (could_settle(f, s, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int ww_forest_predict_bounded(const struct ww_forest *f,
			      enum ww_forest_kernel k, const float *rows,
			      size_t n, const struct ww_forest_bars *bars,
			      double *out, size_t *settled)
{
	struct ww_forest_stop stop;
	bool any = false;
	uint32_t c;

	if (settled != NULL)
		*settled = 0;
	if (bars == NULL)
		return predict(f, k, rows, n, out, NULL, NULL);
	if (f->kind == WW_FOREST_RF_CLASSIFIER && bars->min_probability) {
		for (c = 0; c < f->n_outputs; c++) {
			const double p = bars->min_probability[c];

			/* A bar above 1 is never reached: that class never
			 * keeps a row going. */
			stop.below[c] = p <= 1.0
						? p * f->n_trees -
							  fabs(p * f->n_trees) *
								  STOP_MARGIN -
							  STOP_MARGIN
						: INFINITY;
			any = true;
		}
	} else if (f->kind == WW_FOREST_ISOLATION &&
		   !isnan(bars->decision_below)) {
		/* decision = -2^(-H / den) - offset < bar  <=>  H < H*. */
		const double s = bars->decision_below + f->if_offset;

		if (s >= 0.0)
			stop.above = INFINITY; /* every row is below */
		else if (s <= -1.0)
			stop.above = -INFINITY; /* no row can be */
		else {
			stop.above = -f->if_denominator * log2(-s);
			stop.above +=
				fabs(stop.above) * STOP_MARGIN + STOP_MARGIN;
		}
		any = stop.above != INFINITY;
	}
	if (any)
		stop.first = first_settle(f, &stop);
	return predict(f, k, rows, n, out, any ? &stop : NULL, settled);
}

void ww_forest_slot_publish(struct ww_forest_slot *s, struct ww_forest *model)
{
	struct ww_forest *old =
		__atomic_exchange_n(&s->model, model, __ATOMIC_ACQ_REL);

	/* Readers that could see the old pointer report a quiescent state
	 * between bursts; once all have, nobody holds it. */
	if (s->qsbr != NULL)
		rte_rcu_qsbr_synchronize(s->qsbr, RTE_QSBR_THRID_INVALID);
	ww_forest_free(old);
}
