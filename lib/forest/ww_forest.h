/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_FOREST_H
#define WW_FOREST_H

/*
 * Tree-ensemble inference: random-forest classifiers and regressors,
 * isolation forests and gradient-boosted trees, read from the file format
 * of models/FORMAT.md and evaluated in batches by a scalar kernel (the
 * reference) or an AVX2 or AVX-512 kernel picked from the CPU's flags at
 * run time.
 *
 * A model is immutable once loaded: the control thread loads and
 * validates it, and workers only read it. ww_forest_slot hands a new model
 * to the workers with RCU (the old one is freed once every reader has
 * moved on), so a refused file never replaces the model in force.
 *
 * Every kernel returns the same numbers bit for bit: they differ in how
 * they walk the trees, not in how they add up the leaves.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WW_FOREST_MAGIC	      "WWFOREST"
#define WW_FOREST_VERSION     1
#define WW_FOREST_MAX_DEPTH   64
#define WW_FOREST_MAX_OUTPUTS 256
#define WW_FOREST_ERR_MAX     256

enum ww_forest_kind {
	WW_FOREST_RF_CLASSIFIER = 1,
	WW_FOREST_RF_REGRESSOR = 2,
	WW_FOREST_ISOLATION = 3,
	WW_FOREST_GBT = 4,
};

/* Gradient-boosted trees: what turns the margin into the output. */
enum ww_forest_objective {
	WW_FOREST_OBJ_IDENTITY = 0, /* regression: the margin itself */
	WW_FOREST_OBJ_LOGISTIC = 1, /* binary: sigmoid of the margin */
	WW_FOREST_OBJ_SOFTMAX = 2,  /* multi-class: softmax of the margins */
};

enum ww_forest_kernel {
	WW_FOREST_KERNEL_AUTO = 0, /* the best the CPU supports */
	WW_FOREST_KERNEL_SCALAR,
	WW_FOREST_KERNEL_AVX2,
	WW_FOREST_KERNEL_AVX512,
};

struct ww_forest;

/* What `wirewall-model info` prints. */
struct ww_forest_info {
	enum ww_forest_kind kind;
	uint32_t n_features;
	uint32_t n_outputs; /* classes, or 1 */
	uint32_t n_trees;
	uint32_t n_nodes;
	uint32_t n_leaves;
	uint32_t max_depth;
	uint32_t feature_spec_id;
	uint32_t checksum; /* the file's CRC-32, which names the model */
	enum ww_forest_objective objective;
	size_t memory; /* bytes of the in-memory model */
};

/*
 * Load a model from @len bytes at @buf (or from the file @path).
 * @n_features: the number of features the caller will supply, 0 = any.
 * @spec_id: the feature specification the caller extracts, 0 = any.
 * @return the model, or NULL with a one-line reason in @err naming what
 *   is wrong (truncated, checksum, index out of range, cycle, mismatch).
 * Control thread only.
 */
struct ww_forest *ww_forest_load_mem(const void *buf, size_t len,
				     uint32_t n_features, uint32_t spec_id,
				     char *err, size_t err_len);
struct ww_forest *ww_forest_load_file(const char *path, uint32_t n_features,
				      uint32_t spec_id, char *err,
				      size_t err_len);
void ww_forest_free(struct ww_forest *f);

void ww_forest_get_info(const struct ww_forest *f, struct ww_forest_info *info);
const char *ww_forest_kind_name(enum ww_forest_kind k);
/* Class label of output @i (classifiers), else @i. */
int64_t ww_forest_class_label(const struct ww_forest *f, uint32_t i);

/* Kernels this CPU can run, and their names ("scalar", "avx2",
 * "avx512"). */
bool ww_forest_kernel_supported(enum ww_forest_kernel k);
const char *ww_forest_kernel_name(enum ww_forest_kernel k);
/* The kernel AUTO resolves to on this CPU. */
enum ww_forest_kernel ww_forest_kernel_best(void);

/*
 * Evaluate @n rows (row-major, n_features float32 each, finite values).
 *
 * @out: n x ww_forest_n_outputs(f) doubles:
 *   - RF classifier: class probabilities as scikit-learn's predict_proba;
 *   - RF regressor: the prediction;
 *   - isolation forest: score_samples as scikit-learn computes it (use
 *     ww_forest_decision() for decision_function);
 *   - gradient-boosted trees: probabilities (logistic: one per row, the
 *     positive class; softmax: one per class) or the margin (identity),
 *     as XGBoost's predict.
 * @return 0, or -EINVAL (bad kernel for this CPU). dp-safe: no
 * allocation for batches of up to WW_FOREST_BATCH_MAX rows.
 */
#define WW_FOREST_BATCH_MAX 64
int ww_forest_predict(const struct ww_forest *f, enum ww_forest_kernel k,
		      const float *rows, size_t n, double *out);

/*
 * The same, for a caller that only acts on rows past a bar: a row's walk
 * may stop (early exit) once the trees walked so far and the most the
 * remaining trees could add settle that it stays on the quiet side of
 * every bar. Most rows a detector scores are benign, and a benign row of
 * a confident classifier is settled after a fraction of its trees.
 *
 * @bars: RF classifier: min_probability[n_outputs], the probability at
 *   or above which output c matters (above 1: never); isolation forest:
 *   decision_below, the decision_function value below which a row
 *   matters (NaN: every row is walked to the end). Other kinds ignore
 *   @bars.
 * A row that stops early gets outputs that are not the model's, but lie
 * on the same side of every bar as the model's: a classifier's
 * probabilities are lower bounds (all below their bars), an isolation
 * forest's score an upper bound (its decision at or above the bar). A
 * row on the other side of a bar always gets the model's exact outputs.
 * Call ww_forest_predict() for a row whose exact outputs are needed.
 * @settled: if not NULL, the number of rows that stopped early.
 * Kernels may walk every tree (the AVX-512 and deep-tree kernels do).
 */
struct ww_forest_bars {
	const double *min_probability;
	double decision_below;
};
int ww_forest_predict_bounded(const struct ww_forest *f,
			      enum ww_forest_kernel k, const float *rows,
			      size_t n, const struct ww_forest_bars *bars,
			      double *out, size_t *settled);

/* Outputs per row of ww_forest_predict(). */
uint32_t ww_forest_n_outputs(const struct ww_forest *f);

/* Isolation forest: decision_function from a score_samples value. */
double ww_forest_decision(const struct ww_forest *f, double score_samples);

/* Index of the largest probability (ties: the first), as argmax. */
uint32_t ww_forest_argmax(const double *p, uint32_t n);

/*
 * Hot reload. A slot holds the model in force; workers read it inside an
 * RCU read-side section (between quiescent-state reports), the control
 * thread replaces it with ww_forest_slot_publish(), which waits until no
 * worker can still see the old model and then frees it.
 */
struct rte_rcu_qsbr;
struct ww_forest_slot {
	struct ww_forest *model; /* dataplane: ro, ctlplane: rw */
	struct rte_rcu_qsbr *qsbr;
};

/* dp-safe: the model in force (may be NULL). */
static inline const struct ww_forest *
ww_forest_slot_get(const struct ww_forest_slot *s)
{
	return __atomic_load_n(&s->model, __ATOMIC_ACQUIRE);
}

/* Control thread: put @model in force, free the one it replaces once all
 * readers registered with s->qsbr have passed a quiescent state (when
 * s->qsbr is NULL, there are no concurrent readers). */
void ww_forest_slot_publish(struct ww_forest_slot *s, struct ww_forest *model);

#endif /* WW_FOREST_H */
