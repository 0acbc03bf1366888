/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AVX2 and AVX-512 kernels. The DPDK build flags pin -march=corei7, so
 * each kernel is compiled for its instruction set with a target attribute
 * and only called after a run-time CPU check (ww_forest_predict).
 *
 * A vector holds one tree's node index for 8 (AVX2) or 16 (AVX-512) rows.
 * Each step gathers the nodes' features, thresholds and left children and
 * the rows' feature values, and moves every lane to left + (x > t).
 * TREES_AT_ONCE trees are walked together so that the gathers of one tree
 * overlap the latency of the others. Leaf values are then added per row
 * in tree order, exactly as the scalar kernel does.
 */
#include <immintrin.h>
#include <stddef.h>

#include "forest_priv.h"

#define TREES_AT_ONCE 4

static inline uint32_t max_depth_of(const struct ww_forest *f, uint32_t t,
				    uint32_t k)
{
	uint32_t j, d = 0;

	for (j = 0; j < k; j++)
		if (f->tree_depth[t + j] > d)
			d = f->tree_depth[t + j];
	return d;
}

__attribute__((target("avx2"))) void
ww_forest_eval_avx2(const struct ww_forest *f, const float *rows, size_t n,
		    double *out)
{
	const int nf = (int)f->n_features;
	const __m256i row_off =
		_mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
				   _mm256_set1_epi32(nf));
	struct ww_forest_acc acc[8];
	size_t r;

	for (r = 0; r + 8 <= n; r += 8) {
		const float *base = rows + r * (size_t)nf;
		uint32_t t, i;

		for (i = 0; i < 8; i++)
			ww_forest_acc_init(f, &acc[i]);
		for (t = 0; t < f->n_trees; t += TREES_AT_ONCE) {
			uint32_t k = f->n_trees - t < TREES_AT_ONCE
					     ? f->n_trees - t
					     : TREES_AT_ONCE;
			uint32_t steps = max_depth_of(f, t, k), d, j;
			__m256i idx[TREES_AT_ONCE];
			uint32_t leaf[TREES_AT_ONCE][8];

			for (j = 0; j < TREES_AT_ONCE; j++)
				idx[j] = _mm256_set1_epi32(
					(int)f->tree_root[t + (j < k ? j : 0)]);
			for (d = 0; d < steps; d++) {
				for (j = 0; j < TREES_AT_ONCE; j++) {
					__m256i feat = _mm256_i32gather_epi32(
						f->feature, idx[j], 4);
					__m256 thr = _mm256_i32gather_ps(
						f->threshold, idx[j], 4);
					__m256i lft = _mm256_i32gather_epi32(
						f->left, idx[j], 4);
					__m256 x = _mm256_i32gather_ps(
						base,
						_mm256_add_epi32(row_off, feat),
						4);
					/* all ones (-1) where x > t */
					__m256i gt = _mm256_castps_si256(
						_mm256_cmp_ps(x, thr,
							      _CMP_GT_OQ));

					idx[j] = _mm256_sub_epi32(lft, gt);
				}
			}
			for (j = 0; j < k; j++)
				_mm256_storeu_si256((__m256i *)leaf[j], idx[j]);
			for (i = 0; i < 8; i++)
				for (j = 0; j < k; j++)
					ww_forest_acc_add(f, t + j, leaf[j][i],
							  &acc[i]);
		}
		for (i = 0; i < 8; i++)
			ww_forest_acc_finish(f, &acc[i],
					     out + (r + i) * f->n_outputs);
	}
	if (r < n)
		ww_forest_eval_scalar(f, rows + r * (size_t)nf, n - r,
				      out + r * f->n_outputs);
}

__attribute__((target("avx512f"))) void
ww_forest_eval_avx512(const struct ww_forest *f, const float *rows, size_t n,
		      double *out)
{
	const int nf = (int)f->n_features;
	const __m512i row_off =
		_mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8,
						     9, 10, 11, 12, 13, 14, 15),
				   _mm512_set1_epi32(nf));
	const __m512i one = _mm512_set1_epi32(1);
	struct ww_forest_acc acc[16];
	size_t r;

	for (r = 0; r + 16 <= n; r += 16) {
		const float *base = rows + r * (size_t)nf;
		uint32_t t, i;

		for (i = 0; i < 16; i++)
			ww_forest_acc_init(f, &acc[i]);
		for (t = 0; t < f->n_trees; t += TREES_AT_ONCE) {
			uint32_t k = f->n_trees - t < TREES_AT_ONCE
					     ? f->n_trees - t
					     : TREES_AT_ONCE;
			uint32_t steps = max_depth_of(f, t, k), d, j;
			__m512i idx[TREES_AT_ONCE];
			uint32_t leaf[TREES_AT_ONCE][16];

			for (j = 0; j < TREES_AT_ONCE; j++)
				idx[j] = _mm512_set1_epi32(
					(int)f->tree_root[t + (j < k ? j : 0)]);
			for (d = 0; d < steps; d++) {
				for (j = 0; j < TREES_AT_ONCE; j++) {
					__m512i feat = _mm512_i32gather_epi32(
						idx[j], f->feature, 4);
					__m512 thr = _mm512_i32gather_ps(
						idx[j], f->threshold, 4);
					__m512i lft = _mm512_i32gather_epi32(
						idx[j], f->left, 4);
					__m512 x = _mm512_i32gather_ps(
						_mm512_add_epi32(row_off, feat),
						base, 4);
					__mmask16 gt = _mm512_cmp_ps_mask(
						x, thr, _CMP_GT_OQ);

					idx[j] = _mm512_mask_add_epi32(
						lft, gt, lft, one);
				}
			}
			for (j = 0; j < k; j++)
				_mm512_storeu_si512(leaf[j], idx[j]);
			for (i = 0; i < 16; i++)
				for (j = 0; j < k; j++)
					ww_forest_acc_add(f, t + j, leaf[j][i],
							  &acc[i]);
		}
		for (i = 0; i < 16; i++)
			ww_forest_acc_finish(f, &acc[i],
					     out + (r + i) * f->n_outputs);
	}
	/* Fewer than 16 rows left: the AVX2 kernel takes 8 at a time. */
	if (r < n)
		ww_forest_eval_avx2(f, rows + r * (size_t)nf, n - r,
				    out + r * f->n_outputs);
}
