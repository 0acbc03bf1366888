/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_FOREST_PRIV_H
#define WW_FOREST_PRIV_H

/* In-memory model, shared by the loader and the kernels. */

#include "ww_forest.h"

/*
 * Nodes of all trees in one set of arrays. Each tree is renumbered
 * breadth first so that the two children of a node are adjacent: the next
 * node is left[i] + (x[feature[i]] > threshold[i]). A leaf points to
 * itself with threshold +inf, so walking a tree is exactly depth[t] such
 * steps for every row, with no branch on the data.
 */
struct ww_forest {
	enum ww_forest_kind kind;
	enum ww_forest_objective objective;
	uint32_t n_features;
	uint32_t n_outputs; /* per row of ww_forest_predict */
	uint32_t n_groups;  /* GBT: margins per row (1, or classes) */
	uint32_t n_trees;
	uint32_t n_nodes;
	uint32_t n_leaves;
	uint32_t max_depth;
	uint32_t spec_id;
	uint32_t checksum; /* the file's CRC-32: names the model */
	uint32_t values_per_leaf;
	double base_score;     /* GBT: margin before the first tree */
	double if_denominator; /* IF: n_trees * c(max_samples) */
	double if_offset;      /* IF: decision_function = score - offset */
	int64_t *classes;      /* [n_outputs], classifiers */

	uint32_t *tree_root;  /* [n_trees] node index */
	uint32_t *tree_depth; /* [n_trees] steps to reach any leaf */
	uint32_t *tree_group; /* [n_trees] GBT output group */

	int32_t *feature;    /* [n_nodes] */
	float *threshold;    /* [n_nodes], go right when x > threshold */
	int32_t *left;	     /* [n_nodes] */
	uint32_t *value_idx; /* [n_nodes] leaves: first of their values */
	double *values;	     /* leaf values */
	size_t memory;

	/*
	 * The same trees as complete binary trees of depth perfect_depth
	 * (when every tree is at most WW_FOREST_PERFECT_MAX_DEPTH deep), for
	 * the SIMD kernels: node i's children are 2i+1 and 2i+2, so no child
	 * index is fetched, and the few nodes of the top levels fit in one
	 * vector register. A leaf above the bottom is padded with splits
	 * that always go left (threshold +inf) down to the bottom level.
	 * Per tree: 2^d - 1 split nodes (p_threshold, p_feature), and 2^d
	 * leaf positions (p_value: the offset of the values of the leaf
	 * reached).
	 */
	uint32_t perfect_depth; /* 0: not built (a tree is too deep) */
	float *p_threshold;	/* [n_trees][2^d - 1 + 8 of slack] */
	int32_t *p_feature;	/* [n_trees][2^d - 1 + 8 of slack] */
	uint32_t *p_value;	/* [n_trees][2^d] offset of the leaf's values */
	float *fvalues;		/* GBT: the leaf values as float32 */
	/* Single-output models: each complete-tree leaf's value itself,
	 * [n_trees][2^d], so the kernels fetch it in one gather. */
	float *p_fleaf;	 /* GBT with one output group */
	double *p_dleaf; /* isolation forest, regressor */

	/*
	 * Early exit (ww_forest_predict_bounded): what the trees t ..
	 * n_trees - 1 can still add to a row's sums, for t = 0 .. n_trees.
	 * Classifier: the most per class ([(n_trees + 1) * n_outputs]);
	 * isolation forest: the least path length ([n_trees + 1]). NULL for
	 * the other kinds, which never stop early.
	 */
	double *rest_max;
	double *rest_min;
	/* Isolation forest: the most path length trees 0 .. t-1 can add
	 * ([n_trees + 1]), to know how many trees any row needs at least. */
	double *walked_max;
};

#define WW_FOREST_PERFECT_MAX_DEPTH 12
/* Split nodes per tree in the complete layout, with room for the 32-wide
 * read of the last level that is read from registers. */
static inline uint32_t ww_forest_perfect_stride(uint32_t depth)
{
	return (1u << depth) - 1 + 32;
}

/* Walk tree @t for one row: the leaf node index. */
static inline uint32_t ww_forest_walk(const struct ww_forest *f, uint32_t t,
				      const float *row)
{
	uint32_t i = f->tree_root[t], d;

	for (d = 0; d < f->tree_depth[t]; d++)
		i = (uint32_t)f->left[i] +
		    (row[f->feature[i]] > f->threshold[i]);
	return i;
}

/* Row accumulators: doubles for RF and IF (scikit-learn adds in
 * float64), floats for GBT (XGBoost adds in float32). */
struct ww_forest_acc {
	double d[WW_FOREST_MAX_OUTPUTS];
	float m[WW_FOREST_MAX_OUTPUTS];
};

void ww_forest_acc_init(const struct ww_forest *f, struct ww_forest_acc *a);

/* Add the leaf @node of tree @t to @a. Every kernel calls this for each
 * row with t = 0, 1, 2, ... in order, so they all round alike. */
static inline void ww_forest_acc_add(const struct ww_forest *f, uint32_t t,
				     uint32_t node, struct ww_forest_acc *a)
{
	const double *v = &f->values[f->value_idx[node]];
	uint32_t k;

	switch (f->kind) {
	case WW_FOREST_RF_CLASSIFIER:
		for (k = 0; k < f->n_outputs; k++)
			a->d[k] += v[k];
		break;
	case WW_FOREST_GBT:
		a->m[f->tree_group[t]] += (float)v[0];
		break;
	default:
		a->d[0] += v[0];
		break;
	}
}

/*
 * Add the leaves of trees t .. t+k-1 reached by @rows rows (complete
 * layout: @pos[j][i] is row i's leaf position in tree t+j) to their
 * accumulators, in tree order per row. The kind is switched on once, not
 * per leaf.
 */
static inline void ww_forest_acc_add_perfect(const struct ww_forest *f,
					     uint32_t t, uint32_t k,
					     uint32_t rows, const uint32_t *pos,
					     uint32_t pos_stride,
					     struct ww_forest_acc *acc)
{
	const uint32_t d = f->perfect_depth;
	const double *v = f->values;
	uint32_t i, j, c;

	switch (f->kind) {
	case WW_FOREST_GBT:
		for (i = 0; i < rows; i++)
			for (j = 0; j < k; j++)
				acc[i].m[f->tree_group[t + j]] += (float)
					v[f->p_value[((size_t)(t + j) << d) +
						     pos[j * pos_stride + i]]];
		break;
	case WW_FOREST_RF_CLASSIFIER:
		for (i = 0; i < rows; i++)
			for (j = 0; j < k; j++) {
				const double *lv =
					v + f->p_value[((size_t)(t + j) << d) +
						       pos[j * pos_stride + i]];

				for (c = 0; c < f->n_outputs; c++)
					acc[i].d[c] += lv[c];
			}
		break;
	default:
		for (i = 0; i < rows; i++)
			for (j = 0; j < k; j++)
				acc[i].d[0] +=
					v[f->p_value[((size_t)(t + j) << d) +
						     pos[j * pos_stride + i]]];
		break;
	}
}

/*
 * Early exit in the kernels' terms. A classifier's row is settled once no
 * class can reach its bar: for every class c, its sum so far plus the most
 * the remaining trees can add stays below below[c]. An isolation forest's
 * row is settled once its path-length sum so far plus the least the
 * remaining trees add is above @above (it cannot be anomalous). The
 * kernels check every WW_FOREST_STOP_EVERY trees.
 */
#define WW_FOREST_STOP_EVERY 8

struct ww_forest_stop {
	double below[WW_FOREST_MAX_OUTPUTS];
	double above;
	/* No row can be settled before this many trees (whatever it met in
	 * them): the kernels walk that far before they look. */
	uint32_t first;
};

static inline bool ww_forest_settled(const struct ww_forest *f,
				     const struct ww_forest_stop *s, uint32_t t,
				     const struct ww_forest_acc *a)
{
	const double *rest;
	uint32_t c;

	if (f->kind == WW_FOREST_ISOLATION)
		return a->d[0] + f->rest_min[t] > s->above;
	rest = f->rest_max + (size_t)t * f->n_outputs;
	for (c = 0; c < f->n_outputs; c++)
		if (!(a->d[c] + rest[c] < s->below[c]))
			return false;
	return true;
}

/* A settled row's sums after @t trees, made into outputs that lie on the
 * same side of every bar as the model's would: a classifier's partial
 * sums (below the bars), an isolation forest's sum plus the least the
 * remaining trees add (above its bar). */
static inline void ww_forest_settle(const struct ww_forest *f, uint32_t t,
				    struct ww_forest_acc *a)
{
	if (f->kind == WW_FOREST_ISOLATION)
		a->d[0] += f->rest_min[t];
}

/* Turn a row's sums into its outputs (mean, score, sigmoid ...). */
void ww_forest_acc_finish(const struct ww_forest *f,
			  const struct ww_forest_acc *a, double *out);

/* Kernels: evaluate @n rows into @out (n_outputs per row). With @stop
 * (NULL: every tree for every row), a kernel may stop a row once it is
 * settled; they return how many rows they stopped early. */
size_t ww_forest_eval_scalar(const struct ww_forest *f, const float *rows,
			     size_t n, double *out,
			     const struct ww_forest_stop *stop);
size_t ww_forest_eval_avx2(const struct ww_forest *f, const float *rows,
			   size_t n, double *out,
			   const struct ww_forest_stop *stop);
size_t ww_forest_eval_avx512(const struct ww_forest *f, const float *rows,
			     size_t n, double *out,
			     const struct ww_forest_stop *stop);

#endif /* WW_FOREST_PRIV_H */
