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
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>

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

/*
 * Complete-tree kernels (ww_forest.perfect_depth != 0). Node i's children
 * are 2i+1 and 2i+2: a step is idx = 2 idx + 1 + (x > t), with no child
 * fetched. The top levels hold at most 8 (AVX2) or 16 (AVX-512) nodes, so
 * their thresholds and features come from one vector load and a permute
 * instead of two gathers; only the feature values of the rows are
 * gathered there.
 */
/* AVX2: the value at position @local (0..8n-1) of @n consecutive
 * registers' worth of 32-bit entries at @p: a permute in each register,
 * then the position's bits 3, 4 choose among them. */
__attribute__((target("avx2"))) static inline __m256
pick_avx2(const float *p, __m256i local, unsigned int n)
{
	__m256 a = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p), local);
	__m256 b, c, d, bit3;

	if (n == 1)
		return a;
	bit3 = _mm256_castsi256_ps(_mm256_slli_epi32(local, 28));
	b = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p + 8), local);
	a = _mm256_blendv_ps(a, b, bit3);
	if (n == 2)
		return a;
	c = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p + 16), local);
	d = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p + 24), local);
	c = _mm256_blendv_ps(c, d, bit3);
	return _mm256_blendv_ps(
		a, c, _mm256_castsi256_ps(_mm256_slli_epi32(local, 27)));
}

/* AVX2: threshold and feature of the node each lane is at, on level @l of
 * a complete tree (its level starts at node 2^l - 1). Levels of up to 32
 * nodes are read from registers; deeper ones are gathered. */
__attribute__((target("avx2"))) static inline void
node_avx2(const float *thr, const int32_t *feat, __m256i idx, uint32_t l,
	  __m256 *th, __m256i *fe)
{
	const int first = (1 << l) - 1;
	const __m256i local = _mm256_sub_epi32(idx, _mm256_set1_epi32(first));
	/* Features move as 32-bit patterns, not as numbers. */
	const float *ft = (const float *)feat;

	if (l <= 5) {
		unsigned int regs = l <= 3 ? 1 : l == 4 ? 2 : 4;

		*th = pick_avx2(thr + first, local, regs);
		*fe = _mm256_castps_si256(pick_avx2(ft + first, local, regs));
	} else {
		*th = _mm256_i32gather_ps(thr, idx, 4);
		*fe = _mm256_i32gather_epi32(feat, idx, 4);
	}
}

/* Vector accumulation (AVX2 complete-tree kernel): each lane is one
 * row, trees are added in order, so every row's sum is the scalar
 * kernel's, bit for bit. Used for the kinds that fit a few registers. */
#define VEC_ACC_MAX_CLASSES 4

struct vec_acc {
	__m256 m;			   /* GBT, one output group */
	__m256d d[VEC_ACC_MAX_CLASSES][2]; /* rows 0-3, 4-7 per output */
};

static inline bool vec_acc_usable(const struct ww_forest *f)
{
	if (f->kind == WW_FOREST_GBT)
		return f->n_groups == 1;
	return f->n_outputs <= VEC_ACC_MAX_CLASSES;
}

__attribute__((target("avx2"))) static inline void
vec_acc_init(const struct ww_forest *f, struct vec_acc *a)
{
	uint32_t c;

	a->m = _mm256_set1_ps((float)f->base_score);
	for (c = 0; c < VEC_ACC_MAX_CLASSES; c++)
		a->d[c][0] = a->d[c][1] = _mm256_setzero_pd();
}

/* Add tree @t's leaves at positions @pos (one per lane). */
__attribute__((target("avx2"))) static inline void
vec_acc_add(const struct ww_forest *f, uint32_t t, __m256i pos,
	    struct vec_acc *a)
{
	const size_t leaves = (size_t)t << f->perfect_depth;
	__m256i vi;
	uint32_t c;

	if (f->p_fleaf != NULL) {
		a->m = _mm256_add_ps(
			a->m, _mm256_i32gather_ps(f->p_fleaf + leaves, pos, 4));
		return;
	}
	if (f->p_dleaf != NULL) {
		a->d[0][0] = _mm256_add_pd(
			a->d[0][0],
			_mm256_i32gather_pd(f->p_dleaf + leaves,
					    _mm256_castsi256_si128(pos), 8));
		a->d[0][1] = _mm256_add_pd(
			a->d[0][1],
			_mm256_i32gather_pd(f->p_dleaf + leaves,
					    _mm256_extracti128_si256(pos, 1),
					    8));
		return;
	}
	vi = _mm256_i32gather_epi32((const int *)f->p_value + leaves, pos, 4);
	for (c = 0; c < f->n_outputs; c++) {
		a->d[c][0] = _mm256_add_pd(
			a->d[c][0],
			_mm256_i32gather_pd(f->values + c,
					    _mm256_castsi256_si128(vi), 8));
		a->d[c][1] = _mm256_add_pd(
			a->d[c][1],
			_mm256_i32gather_pd(f->values + c,
					    _mm256_extracti128_si256(vi, 1),
					    8));
	}
}

/* Hand the lanes' sums to the per-row accumulators. */
__attribute__((target("avx2"))) static inline void
vec_acc_store(const struct ww_forest *f, const struct vec_acc *a,
	      struct ww_forest_acc *acc)
{
	float m[8];
	double d[8];
	uint32_t c, i;

	if (f->kind == WW_FOREST_GBT) {
		_mm256_storeu_ps(m, a->m);
		for (i = 0; i < 8; i++)
			acc[i].m[0] = m[i];
		return;
	}
	for (c = 0; c < f->n_outputs; c++) {
		_mm256_storeu_pd(d, a->d[c][0]);
		_mm256_storeu_pd(d + 4, a->d[c][1]);
		for (i = 0; i < 8; i++)
			acc[i].d[c] = d[i];
	}
}

/* What one level step needs to know about the 8-row block. */
struct block {
	const float *base; /* the rows (or their feature-major copy) */
	const float *xt;   /* the feature-major copy, or NULL */
	__m256i lane_off;  /* gather offset of each lane's row */
	int fshift;	   /* feature index to offset: << fshift */
};

/*
 * One level @l of one complete tree for the 8 rows of block @b: from the
 * nodes @idx to their children. With the feature-major copy, the root
 * (every lane at node 0) and level 1 (node 1 or 2) need no gather at all.
 */
__attribute__((target("avx2"))) static inline __m256i
step_avx2(const struct block *b, const float *thr, const int32_t *feat,
	  __m256i idx, uint32_t l)
{
	const __m256i one = _mm256_set1_epi32(1);
	__m256 th, x;
	__m256i fe, gt;

	if (b->xt != NULL && l == 0) {
		th = _mm256_set1_ps(thr[0]);
		x = _mm256_loadu_ps(b->xt + feat[0] * 8);
	} else if (b->xt != NULL && l == 1) {
		__m256 right = _mm256_castsi256_ps(
			_mm256_cmpeq_epi32(idx, _mm256_set1_epi32(2)));

		th = _mm256_blendv_ps(_mm256_set1_ps(thr[1]),
				      _mm256_set1_ps(thr[2]), right);
		x = _mm256_blendv_ps(_mm256_loadu_ps(b->xt + feat[1] * 8),
				     _mm256_loadu_ps(b->xt + feat[2] * 8),
				     right);
	} else {
		node_avx2(thr, feat, idx, l, &th, &fe);
		x = _mm256_i32gather_ps(
			b->base,
			_mm256_add_epi32(b->lane_off,
					 _mm256_slli_epi32(fe, b->fshift)),
			4);
	}
	/* -1 where x > t: 2i + 1, plus 1 going right. */
	gt = _mm256_castps_si256(_mm256_cmp_ps(x, th, _CMP_GT_OQ));
	return _mm256_sub_epi32(
		_mm256_add_epi32(_mm256_slli_epi32(idx, 1), one), gt);
}

/* Rows per AVX2 block are copied feature-major (xt[f * 8 + lane]) when
 * they have at most this many features, so that the first two levels,
 * where every lane needs the same one or two features, load instead of
 * gathering. */
#define TRANSPOSE_MAX_FEATURES 512

/*
 * Add the leaves of trees t .. t+k-1 to @rows rows' accumulators, as
 * ww_forest_acc_add_perfect() does; a classifier's class values, which
 * sit side by side, four at a time (each class still adds its trees in
 * order, so the sums are the same bit for bit).
 */
#define VEC_CLASS_MAX 16

/* acc_add_perfect_avx2 for @NV vectors of four classes, inlined with NV
 * a constant so that the sums stay in registers. */
__attribute__((target("avx2"), always_inline)) static inline void
acc_add_classes_avx2(const struct ww_forest *f, const uint32_t NV, uint32_t t,
		     uint32_t k, uint32_t rows, const uint32_t *pos,
		     uint32_t pos_stride, struct ww_forest_acc *acc)
{
	const uint32_t d = f->perfect_depth;
	uint32_t i, j, q;

	for (i = 0; i < rows; i++) {
		__m256d sum[VEC_CLASS_MAX / 4];

		for (q = 0; q < NV; q++)
			sum[q] = _mm256_loadu_pd(acc[i].d + 4 * q);
		for (j = 0; j < k; j++) {
			const double *lv =
				f->values + f->p_value[((size_t)(t + j) << d) +
						       pos[j * pos_stride + i]];

			for (q = 0; q < NV; q++)
				sum[q] = _mm256_add_pd(
					sum[q], _mm256_loadu_pd(lv + 4 * q));
		}
		for (q = 0; q < NV; q++)
			_mm256_storeu_pd(acc[i].d + 4 * q, sum[q]);
	}
}

__attribute__((target("avx2"))) static inline void
acc_add_perfect_avx2(const struct ww_forest *f, uint32_t t, uint32_t k,
		     uint32_t rows, const uint32_t *pos, uint32_t pos_stride,
		     struct ww_forest_acc *acc)
{
	const uint32_t n_out = f->n_outputs;

	if (f->kind != WW_FOREST_RF_CLASSIFIER || n_out % 4 != 0 ||
	    n_out > VEC_CLASS_MAX) {
		ww_forest_acc_add_perfect(f, t, k, rows, pos, pos_stride, acc);
		return;
	}
	switch (n_out / 4) {
	case 1:
		acc_add_classes_avx2(f, 1, t, k, rows, pos, pos_stride, acc);
		break;
	case 2:
		acc_add_classes_avx2(f, 2, t, k, rows, pos, pos_stride, acc);
		break;
	case 3:
		acc_add_classes_avx2(f, 3, t, k, rows, pos, pos_stride, acc);
		break;
	default:
		acc_add_classes_avx2(f, VEC_CLASS_MAX / 4, t, k, rows, pos,
				     pos_stride, acc);
		break;
	}
}

/*
 * AVX2, complete trees, a few rows (up to ROW_GROUPS): the rows a block
 * hands off, or a batch's last rows. A lane per tree: each row walks its
 * own groups of eight trees (its feature, threshold and value gathered
 * at each level). Each level's gathers of one group wait on the last
 * level's, so up to ROW_GROUPS independent groups, of one row or of
 * several, are walked side by side to fill the wait. Per row it costs
 * more than a block of eight rows does, but nothing for rows that are not
 * there. Row i starts at tree @t0[i]; its leaves are added in tree order,
 * so the sums are the scalar kernel's, bit for bit. With @stop, a row is
 * looked at after each round once it could be settled (stop->first);
 * @settled[i] says whether it stopped early.
 */
#define ROW_GROUPS 4u /* groups of eight trees walked together */
/* A row that could be settled walks this many groups at most between two
 * looks, when other rows want the round's groups. */
#define ROW_GROUPS_LOOKING 1u

/* Walk @G groups of eight trees (group g: trees from feat[g]/thr[g],
 * lanes at base[g], the row rows[row[g]]) down @d levels: idx[g] is each
 * lane's position in the bottom level plus 2^d - 1. Inlined with G a
 * constant, so that every group's index stays in a register. */
__attribute__((target("avx2"), always_inline)) static inline void
walk_groups_avx2(uint32_t d, const uint32_t G, const __m256i *base,
		 const int32_t *const *feat, const float *const *thr,
		 const float *const *rows, const uint32_t *row, __m256i *idx)
{
	const __m256i one = _mm256_set1_epi32(1);
	uint32_t l, g;

	for (g = 0; g < G; g++)
		idx[g] = _mm256_setzero_si256();
	for (l = 0; l < d; l++)
		for (g = 0; g < G; g++) {
			const __m256i at = _mm256_add_epi32(base[g], idx[g]);
			const __m256i fe =
				_mm256_i32gather_epi32(feat[g], at, 4);
			const __m256 th = _mm256_i32gather_ps(thr[g], at, 4);
			const __m256 x =
				_mm256_i32gather_ps(rows[row[g]], fe, 4);
			const __m256i gt = _mm256_castps_si256(
				_mm256_cmp_ps(x, th, _CMP_GT_OQ));

			idx[g] = _mm256_sub_epi32(
				_mm256_add_epi32(_mm256_slli_epi32(idx[g], 1),
						 one),
				gt);
		}
}

__attribute__((target("avx2"))) static void
walk_rows_avx2(const struct ww_forest *f, const float *const *rows, uint32_t n,
	       const uint32_t *t0, struct ww_forest_acc *const *acc,
	       const struct ww_forest_stop *stop, bool *settled)
{
	const uint32_t d = f->perfect_depth;
	const uint32_t stride = ww_forest_perfect_stride(d);
	const __m256i n_split = _mm256_set1_epi32((1 << d) - 1);
	const __m256i lane_off =
		_mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
				   _mm256_set1_epi32((int)stride));
	uint32_t t[ROW_GROUPS], active[ROW_GROUPS], n_active = 0, i;

	for (i = 0; i < n && i < ROW_GROUPS; i++) {
		t[i] = t0[i];
		settled[i] = false;
		if (t[i] < f->n_trees)
			active[n_active++] = i;
	}
	while (n_active > 0) {
		/* This round's groups: row, first tree, trees. */
		uint32_t g_row[ROW_GROUPS], g_t[ROW_GROUPS], g_k[ROW_GROUPS];
		uint32_t pos[8 * ROW_GROUPS + 8], n_groups = 0, g, a, kept = 0;
		__m256i base[ROW_GROUPS], idx[ROW_GROUPS];
		const float *thr[ROW_GROUPS];
		const int32_t *feat[ROW_GROUPS];

		/* Each row's groups up to its next look (the trees it needs
		 * before it could be settled; after that, one group), dealt
		 * out in turn until the round is full. */
		uint32_t quota[ROW_GROUPS], tt[ROW_GROUPS], dealt = 1;
		bool ahead = false;

		for (a = 0; a < n_active; a++) {
			const uint32_t r = active[a];

			tt[a] = t[r];
			quota[a] = ROW_GROUPS;
			if (stop != NULL && t[r] >= stop->first)
				quota[a] = ROW_GROUPS_LOOKING;
			else if (stop != NULL)
				quota[a] =
					RTE_MIN(ROW_GROUPS,
						(stop->first - t[r] + 7) / 8);
		}
		/* A round costs about the same with fewer groups (each
		 * level waits on its gathers), so slots left over after
		 * every row's share go to walking on ahead. */
		while (dealt && n_groups < ROW_GROUPS) {
			dealt = 0;
			for (a = 0; a < n_active && n_groups < ROW_GROUPS;
			     a++) {
				if (tt[a] >= f->n_trees ||
				    (quota[a] == 0 && !ahead))
					continue;
				if (quota[a] > 0)
					quota[a]--;
				g_row[n_groups] = active[a];
				g_t[n_groups] = tt[a];
				g_k[n_groups] = RTE_MIN(f->n_trees - tt[a], 8u);
				tt[a] += g_k[n_groups];
				n_groups++;
				dealt = 1;
			}
			if (!dealt && !ahead) {
				ahead = true;
				dealt = 1;
			}
		}
		for (g = 0; g < n_groups; g++) {
			/* Lanes past the last tree walk the group's first
			 * tree again, unused. */
			const __m256i last = _mm256_set1_epi32((int)g_k[g]);
			const __m256i past = _mm256_cmpgt_epi32(
				_mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8),
				last);

			base[g] = _mm256_andnot_si256(past, lane_off);
			thr[g] = f->p_threshold + (size_t)g_t[g] * stride;
			feat[g] = f->p_feature + (size_t)g_t[g] * stride;
		}
		switch (n_groups) {
		case 1:
			walk_groups_avx2(d, 1, base, feat, thr, rows, g_row,
					 idx);
			break;
		case 2:
			walk_groups_avx2(d, 2, base, feat, thr, rows, g_row,
					 idx);
			break;
		case 3:
			walk_groups_avx2(d, 3, base, feat, thr, rows, g_row,
					 idx);
			break;
		default:
			walk_groups_avx2(d, ROW_GROUPS, base, feat, thr, rows,
					 g_row, idx);
			break;
		}
		/* Each row's groups are consecutive trees: their leaves go
		 * to its sums in one pass, in tree order. */
		for (a = 0; a < n_active; a++) {
			const uint32_t r = active[a];
			uint32_t from = UINT32_MAX, k = 0;

			for (g = 0; g < n_groups; g++) {
				if (g_row[g] != r)
					continue;
				if (from == UINT32_MAX)
					from = g_t[g];
				_mm256_storeu_si256(
					(__m256i *)&pos[k],
					_mm256_sub_epi32(idx[g], n_split));
				k += g_k[g];
			}
			if (k == 0)
				continue;
			acc_add_perfect_avx2(f, from, k, 1, pos, 1, acc[r]);
			t[r] = from + k;
		}
		for (a = 0; a < n_active; a++) {
			const uint32_t r = active[a];

			if (t[r] >= f->n_trees)
				continue;
			if (stop != NULL && t[r] >= stop->first &&
			    ww_forest_settled(f, stop, t[r], acc[r])) {
				ww_forest_settle(f, t[r], acc[r]);
				settled[r] = true;
				continue;
			}
			active[kept++] = r;
		}
		n_active = kept;
	}
}

/* A block whose rows are settled but this many or fewer hands them to
 * the one-row walk: eight lanes for three rows cost more than three
 * walks of one row. */
#define BLOCK_HANDOFF 3

/* AVX2, complete trees, a block of eight rows (a lane per row), four
 * trees at a time. Returns how many of its first @n_real rows stopped
 * early. */
__attribute__((target("avx2"))) static uint32_t
eval_perfect_block_avx2(const struct ww_forest *f, const float *rows,
			uint32_t n_real, double *out,
			const struct ww_forest_stop *stop)
{
	const int nf = (int)f->n_features;
	const uint32_t d = f->perfect_depth;
	const uint32_t stride = ww_forest_perfect_stride(d);
	const bool transpose = nf <= TRANSPOSE_MAX_FEATURES;
	const __m256i n_split = _mm256_set1_epi32((1 << d) - 1);
	const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const bool vacc = vec_acc_usable(f);
	float xt[8 * TRANSPOSE_MAX_FEATURES];
	struct ww_forest_acc acc[8];
	struct vec_acc va;
	struct block blk;
	bool done = false, settled[8] = {false};
	/* The first look, at a multiple of TREES_AT_ONCE; then every
	 * WW_FOREST_STOP_EVERY trees. */
	uint32_t look = stop != NULL ? RTE_ALIGN_CEIL(stop->first,
						      (uint32_t)TREES_AT_ONCE)
				     : UINT32_MAX;
	uint32_t t, i, n_settled = 0;
	int c;

	if (transpose) {
		for (i = 0; i < 8; i++)
			for (c = 0; c < nf; c++)
				xt[c * 8 + i] = rows[i * nf + c];
	}
	/* Gather index of (lane, feature): lane * lstep + feature * fstep. */
	blk.base = transpose ? xt : rows;
	blk.xt = transpose ? xt : NULL;
	blk.lane_off =
		transpose ? lane
			  : _mm256_mullo_epi32(lane, _mm256_set1_epi32(nf));
	blk.fshift = transpose ? 3 : 0;
	for (i = 0; i < 8; i++)
		ww_forest_acc_init(f, &acc[i]);
	vec_acc_init(f, &va);
	for (t = 0; t < f->n_trees; t += TREES_AT_ONCE) {
		const uint32_t k =
			RTE_MIN(f->n_trees - t, (uint32_t)TREES_AT_ONCE);
		const float *thr[TREES_AT_ONCE];
		const int32_t *feat[TREES_AT_ONCE];
		__m256i idx[TREES_AT_ONCE];
		uint32_t pos[TREES_AT_ONCE][8], l, j;

		if (t == look) {
			uint32_t n = 0;

			look += WW_FOREST_STOP_EVERY;
			if (vacc)
				vec_acc_store(f, &va, acc);
			for (i = 0; i < 8; i++) {
				settled[i] =
					ww_forest_settled(f, stop, t, &acc[i]);
				n += settled[i];
			}
			if (n >= 8 - BLOCK_HANDOFF) {
				/* The rest walked on together, from here. */
				const float *left[BLOCK_HANDOFF];
				struct ww_forest_acc *left_acc[BLOCK_HANDOFF];
				uint32_t left_t[BLOCK_HANDOFF],
					which[BLOCK_HANDOFF];
				bool left_settled[BLOCK_HANDOFF];
				uint32_t n_left = 0;

				for (i = 0; i < 8; i++) {
					if (settled[i]) {
						ww_forest_settle(f, t, &acc[i]);
					} else if (i < n_real) {
						left[n_left] = rows + i * nf;
						left_acc[n_left] = &acc[i];
						left_t[n_left] = t;
						which[n_left++] = i;
					}
				}
				walk_rows_avx2(f, left, n_left, left_t,
					       left_acc, stop, left_settled);
				for (i = 0; i < n_left; i++)
					settled[which[i]] = left_settled[i];
				done = true;
				break;
			}
		}
		for (j = 0; j < TREES_AT_ONCE; j++) {
			/* Past the last tree, walk it again, unused. */
			size_t tt = t + (j < k ? j : 0);

			thr[j] = f->p_threshold + tt * stride;
			feat[j] = f->p_feature + tt * stride;
			idx[j] = _mm256_setzero_si256();
		}
		for (l = 0; l < d; l++) {
			for (j = 0; j < TREES_AT_ONCE; j++)
				idx[j] = step_avx2(&blk, thr[j], feat[j],
						   idx[j], l);
		}
		if (vacc) {
			for (j = 0; j < k; j++)
				vec_acc_add(f, t + j,
					    _mm256_sub_epi32(idx[j], n_split),
					    &va);
			continue;
		}
		for (j = 0; j < k; j++)
			_mm256_storeu_si256((__m256i *)pos[j],
					    _mm256_sub_epi32(idx[j], n_split));
		acc_add_perfect_avx2(f, t, k, 8, &pos[0][0], 8, acc);
	}
	if (vacc && !done)
		vec_acc_store(f, &va, acc);
	for (i = 0; i < 8; i++) {
		ww_forest_acc_finish(f, &acc[i], out + i * f->n_outputs);
		n_settled += done && settled[i] && i < n_real;
	}
	return n_settled;
}

/* With early exit, the last rows of a batch go one at a time up to this
 * many (each stops on its own); more, in one padded block of eight. */
#define ROW_TAIL_MAX 4

__attribute__((target("avx2"))) static size_t
eval_perfect_avx2(const struct ww_forest *f, const float *rows, size_t n,
		  double *out, const struct ww_forest_stop *stop)
{
	const size_t nf = f->n_features;
	size_t r, settled = 0;

	for (r = 0; r + 8 <= n; r += 8)
		settled += eval_perfect_block_avx2(
			f, rows + r * nf, 8, out + r * f->n_outputs, stop);
	/* The last rows: a few, one at a time, trees in parallel; more,
	 * one more block of eight with the last row repeated (a block costs
	 * eight rows whatever the count). */
	if (n - r > (stop != NULL ? ROW_TAIL_MAX : 2) &&
	    nf <= TRANSPOSE_MAX_FEATURES &&
	    f->n_outputs <= WW_FOREST_MAX_OUTPUTS) {
		float pad[8 * TRANSPOSE_MAX_FEATURES];
		double o[8 * WW_FOREST_MAX_OUTPUTS];
		size_t i;

		for (i = 0; i < 8; i++)
			memcpy(pad + i * nf, rows + RTE_MIN(r + i, n - 1) * nf,
			       sizeof(float) * nf);
		settled += eval_perfect_block_avx2(f, pad, (uint32_t)(n - r), o,
						   stop);
		memcpy(out + r * f->n_outputs, o,
		       sizeof(double) * f->n_outputs * (n - r));
		return settled;
	}
	/* The last rows, together. */
	for (; r < n; r += ROW_GROUPS) {
		const float *left[ROW_GROUPS];
		struct ww_forest_acc acc[ROW_GROUPS], *left_acc[ROW_GROUPS];
		uint32_t left_t[ROW_GROUPS] = {0}, i;
		bool left_settled[ROW_GROUPS];
		const uint32_t m = (uint32_t)RTE_MIN(n - r, (size_t)ROW_GROUPS);

		for (i = 0; i < m; i++) {
			left[i] = rows + (r + i) * nf;
			ww_forest_acc_init(f, &acc[i]);
			left_acc[i] = &acc[i];
		}
		walk_rows_avx2(f, left, m, left_t, left_acc, stop,
			       left_settled);
		for (i = 0; i < m; i++) {
			ww_forest_acc_finish(f, &acc[i],
					     out + (r + i) * f->n_outputs);
			settled += left_settled[i];
		}
	}
	return settled;
}

__attribute__((target("avx512f"))) static size_t
eval_perfect_avx512(const struct ww_forest *f, const float *rows, size_t n,
		    double *out, const struct ww_forest_stop *stop)
{
	const int nf = (int)f->n_features;
	const uint32_t d = f->perfect_depth,
		       stride = ww_forest_perfect_stride(d);
	const uint32_t n_split = (1u << d) - 1;
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
			const float *thr[TREES_AT_ONCE];
			const int32_t *feat[TREES_AT_ONCE];
			__m512i idx[TREES_AT_ONCE];
			uint32_t pos[TREES_AT_ONCE][16], l, j;

			for (j = 0; j < TREES_AT_ONCE; j++) {
				uint32_t tt = t + (j < k ? j : 0);

				thr[j] = f->p_threshold + (size_t)tt * stride;
				feat[j] = f->p_feature + (size_t)tt * stride;
				idx[j] = _mm512_setzero_si512();
			}
			for (l = 0; l < d; l++) {
				const int first = (1 << l) - 1;

				for (j = 0; j < TREES_AT_ONCE; j++) {
					__m512 th;
					__m512i fe, up;
					__mmask16 gt;

					if (l <= 4) {
						__m512i local = _mm512_sub_epi32(
							idx[j],
							_mm512_set1_epi32(
								first));

						th = _mm512_permutexvar_ps(
							local,
							_mm512_loadu_ps(thr[j] +
									first));
						fe = _mm512_permutexvar_epi32(
							local,
							_mm512_loadu_si512(
								feat[j] +
								first));
					} else {
						th = _mm512_i32gather_ps(
							idx[j], thr[j], 4);
						fe = _mm512_i32gather_epi32(
							idx[j], feat[j], 4);
					}
					gt = _mm512_cmp_ps_mask(
						_mm512_i32gather_ps(
							_mm512_add_epi32(
								row_off, fe),
							base, 4),
						th, _CMP_GT_OQ);
					up = _mm512_add_epi32(
						_mm512_slli_epi32(idx[j], 1),
						one);
					idx[j] = _mm512_mask_add_epi32(up, gt,
								       up, one);
				}
			}
			for (j = 0; j < k; j++)
				_mm512_storeu_si512(
					pos[j],
					_mm512_sub_epi32(
						idx[j], _mm512_set1_epi32(
								(int)n_split)));
			ww_forest_acc_add_perfect(f, t, k, 16, &pos[0][0], 16,
						  acc);
		}
		for (i = 0; i < 16; i++)
			ww_forest_acc_finish(f, &acc[i],
					     out + (r + i) * f->n_outputs);
	}
	return r < n ? eval_perfect_avx2(f, rows + r * (size_t)nf, n - r,
					 out + r * f->n_outputs, stop)
		     : 0;
}

__attribute__((target("avx2"))) size_t
ww_forest_eval_avx2(const struct ww_forest *f, const float *rows, size_t n,
		    double *out, const struct ww_forest_stop *stop)
{
	const int nf = (int)f->n_features;
	const __m256i row_off =
		_mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
				   _mm256_set1_epi32(nf));
	struct ww_forest_acc acc[8];
	size_t r;

	if (f->perfect_depth != 0)
		return eval_perfect_avx2(f, rows, n, out, stop);
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
	/* Trees of any shape: the last rows go to the scalar kernel (the
	 * complete-tree paths above do not apply). */
	return r < n ? ww_forest_eval_scalar(f, rows + r * (size_t)nf, n - r,
					     out + r * f->n_outputs, stop)
		     : 0;
}

__attribute__((target("avx512f"))) size_t
ww_forest_eval_avx512(const struct ww_forest *f, const float *rows, size_t n,
		      double *out, const struct ww_forest_stop *stop)
{
	const int nf = (int)f->n_features;
	const __m512i row_off =
		_mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8,
						     9, 10, 11, 12, 13, 14, 15),
				   _mm512_set1_epi32(nf));
	const __m512i one = _mm512_set1_epi32(1);
	struct ww_forest_acc acc[16];
	size_t r;

	if (f->perfect_depth != 0)
		return eval_perfect_avx512(f, rows, n, out, stop);
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
	return r < n ? ww_forest_eval_avx2(f, rows + r * (size_t)nf, n - r,
					   out + r * f->n_outputs, stop)
		     : 0;
}
