/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model loader (control path). The file is untrusted input: every count is
 * checked against the file size before anything is read, every index
 * against its table, and the trees must be trees (each node reached once,
 * children after their parent, so no cycle), before a single array is
 * built. See models/FORMAT.md.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forest_priv.h"

#define HEADER_SIZE   64
#define TREE_REC_SIZE 8
#define NODE_REC_SIZE 24
#define MAX_NODES     (1u << 28)
#define MAX_FEATURES  65536

/* Threshold rule of the file: how the trainer compared. */
#define RULE_LE 0 /* scikit-learn: left when (double)x <= threshold */
#define RULE_LT 1 /* XGBoost: left when x < (float)threshold */

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* CRC-32 (IEEE 802.3, as zlib.crc32), so the exporter needs nothing but
 * Python's standard library to stamp a file. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	uint32_t c = 0xffffffffu;
	size_t i;

	if (table[1] == 0) {
		for (i = 0; i < 256; i++) {
			uint32_t v = (uint32_t)i;
			int k;

			for (k = 0; k < 8; k++)
				v = (v & 1) ? 0xedb88320u ^ (v >> 1) : v >> 1;
			table[i] = v;
		}
	}
	for (i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static double rdf64(const uint8_t *p)
{
	uint64_t v = rd64(p);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

/*
 * The float32 threshold t such that, for every float32 x,
 * x > t  <=>  the trainer would have gone right.
 * scikit-learn goes left when (double)x <= thr: t is the largest float32
 * not above thr. XGBoost goes left when x < (float)thr: t is the float32
 * just below it.
 */
static float exact_threshold(double thr, int rule)
{
	float t = (float)thr;

	if (rule == RULE_LT)
		return nextafterf(t, -INFINITY);
	if ((double)t > thr)
		t = nextafterf(t, -INFINITY);
	return t;
}

const char *ww_forest_kind_name(enum ww_forest_kind k)
{
	switch (k) {
	case WW_FOREST_RF_CLASSIFIER:
		return "random-forest-classifier";
	case WW_FOREST_RF_REGRESSOR:
		return "random-forest-regressor";
	case WW_FOREST_ISOLATION:
		return "isolation-forest";
	case WW_FOREST_GBT:
		return "gradient-boosted-trees";
	}
	return "unknown";
}

void ww_forest_free(struct ww_forest *f)
{
	if (f == NULL)
		return;
	free(f->classes);
	free(f->tree_root);
	free(f->tree_depth);
	free(f->tree_group);
	free(f->feature);
	free(f->threshold);
	free(f->left);
	free(f->value_idx);
	free(f->values);
	free(f->p_threshold);
	free(f->p_feature);
	free(f->p_value);
	free(f->fvalues);
	free(f->p_fleaf);
	free(f->p_dleaf);
	free(f->rest_max);
	free(f->rest_min);
	free(f->walked_max);
	free(f);
}

/* Fill the complete-tree position @pos (at @level) from general node @g;
 * a leaf position gets the value offset of the leaf reached. */
static void fill_perfect(const struct ww_forest *f, float *thr, int32_t *feat,
			 uint32_t *leaf, uint32_t depth, uint32_t pos,
			 uint32_t level, uint32_t g)
{
	const uint32_t n_split = (1u << depth) - 1;
	bool is_leaf = f->left[g] == (int32_t)g;

	if (level == depth) {
		leaf[pos - n_split] = f->value_idx[g];
		return;
	}
	if (is_leaf) {
		/* Pad: always left (nothing is > +inf), same leaf below;
		 * the right side is never reached but gets the same leaf. */
		thr[pos] = INFINITY;
		feat[pos] = 0;
		fill_perfect(f, thr, feat, leaf, depth, 2 * pos + 1, level + 1,
			     g);
		fill_perfect(f, thr, feat, leaf, depth, 2 * pos + 2, level + 1,
			     g);
		return;
	}
	thr[pos] = f->threshold[g];
	feat[pos] = f->feature[g];
	fill_perfect(f, thr, feat, leaf, depth, 2 * pos + 1, level + 1,
		     (uint32_t)f->left[g]);
	fill_perfect(f, thr, feat, leaf, depth, 2 * pos + 2, level + 1,
		     (uint32_t)f->left[g] + 1);
}

/* Build the complete-tree layout when the forest is shallow enough. */
static int build_perfect(struct ww_forest *f, size_t *mem)
{
	const uint32_t d = f->max_depth;
	uint32_t stride, t;

	if (d == 0 || d > WW_FOREST_PERFECT_MAX_DEPTH)
		return 0;
	stride = ww_forest_perfect_stride(d);
	f->p_threshold = calloc((size_t)f->n_trees * stride, sizeof(float));
	f->p_feature = calloc((size_t)f->n_trees * stride, sizeof(int32_t));
	f->p_value = calloc((size_t)f->n_trees << d, sizeof(uint32_t));
	if (!f->p_threshold || !f->p_feature || !f->p_value)
		return -ENOMEM;
	*mem += (size_t)f->n_trees * stride * 8 + ((size_t)f->n_trees << d) * 4;
	for (t = 0; t < f->n_trees; t++)
		fill_perfect(f, f->p_threshold + (size_t)t * stride,
			     f->p_feature + (size_t)t * stride,
			     f->p_value + ((size_t)t << d), d, 0, 0,
			     f->tree_root[t]);
	if (f->kind == WW_FOREST_GBT) {
		/* XGBoost adds leaves as float32: so do the kernels. */
		uint32_t n_values = 0;

		for (t = 0; t < f->n_nodes; t++)
			if (f->left[t] == (int32_t)t &&
			    f->value_idx[t] + 1 > n_values)
				n_values = f->value_idx[t] + 1;
		f->fvalues = calloc(n_values ? n_values : 1, sizeof(float));
		if (f->fvalues == NULL)
			return -ENOMEM;
		for (t = 0; t < n_values; t++)
			f->fvalues[t] = (float)f->values[t];
		*mem += (size_t)n_values * sizeof(float);
		if (f->n_groups == 1) {
			f->p_fleaf =
				calloc((size_t)f->n_trees << d, sizeof(float));
			if (f->p_fleaf == NULL)
				return -ENOMEM;
			for (t = 0; t < (f->n_trees << d); t++)
				f->p_fleaf[t] = f->fvalues[f->p_value[t]];
			*mem += ((size_t)f->n_trees << d) * sizeof(float);
		}
	} else if (f->n_outputs == 1) {
		f->p_dleaf = calloc((size_t)f->n_trees << d, sizeof(double));
		if (f->p_dleaf == NULL)
			return -ENOMEM;
		for (t = 0; t < (f->n_trees << d); t++)
			f->p_dleaf[t] = f->values[f->p_value[t]];
		*mem += ((size_t)f->n_trees << d) * sizeof(double);
	}
	f->perfect_depth = d;
	return 0;
}

/* The bounds early exit needs (ww_forest_stop): per tree, the largest
 * value of each class over its leaves (classifier) or the shortest path
 * (isolation forest), summed from the last tree back; for an isolation
 * forest also the longest path, summed from the first tree on. */
static int build_rest(struct ww_forest *f, size_t *mem)
{
	uint32_t n_out = f->n_outputs;
	double *rest, *walked = NULL;
	uint32_t t, i, c;

	if (f->kind != WW_FOREST_RF_CLASSIFIER &&
	    f->kind != WW_FOREST_ISOLATION)
		return 0;
	if (f->kind == WW_FOREST_ISOLATION) {
		n_out = 1;
		walked = calloc(f->n_trees + 1, sizeof(double));
		if (walked == NULL)
			return -ENOMEM;
		*mem += (size_t)(f->n_trees + 1) * sizeof(double);
		f->walked_max = walked;
	}
	rest = calloc((size_t)(f->n_trees + 1) * n_out, sizeof(double));
	if (rest == NULL)
		return -ENOMEM;
	*mem += (size_t)(f->n_trees + 1) * n_out * sizeof(double);
	for (t = f->n_trees; t-- > 0;) {
		double *r = rest + (size_t)t * n_out;
		const uint32_t root = f->tree_root[t];
		/* A tree's nodes are numbered from its root to the next
		 * tree's root (or the end). */
		const uint32_t end =
			t + 1 < f->n_trees ? f->tree_root[t + 1] : f->n_nodes;
		double longest = 0.0;
		bool first = true;

		for (i = root; i < end; i++) {
			const double *v;

			if (f->left[i] != (int32_t)i)
				continue; /* a split */
			v = &f->values[f->value_idx[i]];
			for (c = 0; c < n_out; c++)
				if (first || (f->kind == WW_FOREST_ISOLATION
						      ? v[c] < r[c]
						      : v[c] > r[c]))
					r[c] = v[c];
			if (first || v[0] > longest)
				longest = v[0];
			first = false;
		}
		for (c = 0; c < n_out; c++)
			r[c] += r[n_out + c];
		if (walked != NULL)
			walked[t + 1] = longest; /* summed below */
	}
	if (walked != NULL)
		for (t = 1; t <= f->n_trees; t++)
			walked[t] += walked[t - 1];
	if (f->kind == WW_FOREST_ISOLATION)
		f->rest_min = rest;
	else
		f->rest_max = rest;
	return 0;
}

struct file_node {
	int32_t feature;
	int32_t left, right;
	uint32_t value_index;
	double threshold;
};

static void read_node(const uint8_t *p, struct file_node *n)
{
	n->feature = (int32_t)rd32(p);
	n->left = (int32_t)rd32(p + 4);
	n->right = (int32_t)rd32(p + 8);
	n->value_index = rd32(p + 12);
	n->threshold = rdf64(p + 16);
}

/*
 * Check one tree of @nn nodes at @nodes and renumber it breadth first into
 * @f from node index @base. @return 0, or -EINVAL with a reason.
 */
static int build_tree(struct ww_forest *f, uint32_t t, const uint8_t *nodes,
		      uint32_t nn, uint32_t base, uint32_t n_values, int rule,
		      uint32_t *order, uint32_t *newidx, uint8_t *depth,
		      char *err, size_t err_len)
{
	uint32_t head = 0, tail = 1, i, next = 1, max_depth = 0;
	struct file_node n;

	/* Every node but the root must be some node's child exactly once,
	 * and children come after their parent (so the walk ends). */
	for (i = 0; i < nn; i++)
		newidx[i] = UINT32_MAX;
	order[0] = 0;
	newidx[0] = 0;
	depth[0] = 0;
	while (head < tail) {
		uint32_t at = order[head++];

		read_node(nodes + (size_t)at * NODE_REC_SIZE, &n);
		if (n.feature == -1) {
			if ((uint64_t)n.value_index + f->values_per_leaf >
			    n_values) {
				set_err(err, err_len,
					"tree %u node %u: leaf value index %u out of range (%u values)",
					t, at, n.value_index, n_values);
				return -EINVAL;
			}
			continue;
		}
		if (n.feature < 0 || (uint32_t)n.feature >= f->n_features) {
			set_err(err, err_len,
				"tree %u node %u: feature %d out of range (model has %u features)",
				t, at, n.feature, f->n_features);
			return -EINVAL;
		}
		if (!isfinite(n.threshold)) {
			set_err(err, err_len,
				"tree %u node %u: threshold is not a finite number",
				t, at);
			return -EINVAL;
		}
		if (n.left < 0 || (uint32_t)n.left >= nn || n.right < 0 ||
		    (uint32_t)n.right >= nn) {
			set_err(err, err_len,
				"tree %u node %u: child index out of range (%d, %d; tree has %u nodes)",
				t, at, n.left, n.right, nn);
			return -EINVAL;
		}
		if ((uint32_t)n.left <= at || (uint32_t)n.right <= at) {
			set_err(err, err_len,
				"tree %u node %u: child %d does not come after its parent (cycle)",
				t, at,
				(uint32_t)n.left <= at ? n.left : n.right);
			return -EINVAL;
		}
		if (newidx[n.left] != UINT32_MAX ||
		    newidx[n.right] != UINT32_MAX || n.left == n.right) {
			set_err(err, err_len,
				"tree %u node %u: a child is reached twice (not a tree)",
				t, at);
			return -EINVAL;
		}
		if (depth[at] + 1 > WW_FOREST_MAX_DEPTH) {
			set_err(err, err_len, "tree %u: deeper than %d levels",
				t, WW_FOREST_MAX_DEPTH);
			return -EINVAL;
		}
		/* Siblings get adjacent numbers. */
		newidx[n.left] = next++;
		newidx[n.right] = next++;
		depth[n.left] = depth[n.right] = (uint8_t)(depth[at] + 1);
		if (depth[at] + 1u > max_depth)
			max_depth = depth[at] + 1u;
		order[tail++] = (uint32_t)n.left;
		order[tail++] = (uint32_t)n.right;
	}
	if (tail != nn) {
		set_err(err, err_len,
			"tree %u: %u of its %u nodes are not reachable from the root",
			t, nn - tail, nn);
		return -EINVAL;
	}

	for (i = 0; i < nn; i++) {
		uint32_t g = base + newidx[i];

		read_node(nodes + (size_t)i * NODE_REC_SIZE, &n);
		if (n.feature == -1) {
			f->feature[g] = 0;
			f->threshold[g] = INFINITY;
			f->left[g] = (int32_t)g;
			f->value_idx[g] = n.value_index;
			f->n_leaves++;
		} else {
			f->feature[g] = n.feature;
			f->threshold[g] = exact_threshold(n.threshold, rule);
			f->left[g] = (int32_t)(base + newidx[n.left]);
			f->value_idx[g] = 0;
		}
	}
	f->tree_root[t] = base;
	f->tree_depth[t] = max_depth;
	if (max_depth > f->max_depth)
		f->max_depth = max_depth;
	return 0;
}

static void *xcalloc(size_t n, size_t size, size_t *total)
{
	*total += n * size;
	return calloc(n ? n : 1, size);
}

struct ww_forest *ww_forest_load_mem(const void *buf, size_t len,
				     uint32_t want_features, uint32_t want_spec,
				     char *err, size_t err_len)
{
	const uint8_t *p = buf;
	struct ww_forest *f;
	uint32_t version, kind, flags, n_values, t, i, base = 0, rule;
	uint64_t need;
	const uint8_t *trees, *nodes, *values;
	uint32_t *order = NULL, *newidx = NULL;
	uint8_t *depth = NULL;
	size_t mem = sizeof(*f);

	if (len < HEADER_SIZE + 4) {
		set_err(err, err_len,
			"truncated: %zu bytes, the header alone needs %d", len,
			HEADER_SIZE + 4);
		return NULL;
	}
	if (memcmp(p, WW_FOREST_MAGIC, 8) != 0) {
		set_err(err, err_len,
			"not a wirewall model (bad magic number)");
		return NULL;
	}
	version = rd16(p + 8);
	if (version != WW_FOREST_VERSION) {
		set_err(err, err_len,
			"format version %u not supported (this build reads %d)",
			version, WW_FOREST_VERSION);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		set_err(err, err_len, "out of memory");
		return NULL;
	}
	kind = rd16(p + 10);
	f->n_features = rd32(p + 12);
	f->n_outputs = rd32(p + 16);
	f->n_trees = rd32(p + 20);
	f->n_nodes = rd32(p + 24);
	n_values = rd32(p + 28);
	f->spec_id = rd32(p + 32);
	flags = rd32(p + 36);
	f->base_score = rdf64(p + 40);
	f->if_denominator = rdf64(p + 48);
	f->if_offset = rdf64(p + 56);
	rule = flags & 0xff;
	f->objective = (enum ww_forest_objective)((flags >> 8) & 0xff);

	if (kind < WW_FOREST_RF_CLASSIFIER || kind > WW_FOREST_GBT) {
		set_err(err, err_len, "unknown model kind %u", kind);
		goto out_free;
	}
	f->kind = (enum ww_forest_kind)kind;
	if (rule > RULE_LT || (flags >> 16) != 0) {
		set_err(err, err_len, "unknown flags 0x%x", flags);
		goto out_free;
	}
	if (f->n_features == 0 || f->n_features > MAX_FEATURES ||
	    f->n_trees == 0 || f->n_nodes < f->n_trees ||
	    f->n_nodes > MAX_NODES || n_values > MAX_NODES ||
	    f->n_outputs == 0 || f->n_outputs > WW_FOREST_MAX_OUTPUTS) {
		set_err(err, err_len,
			"header counts out of range (features %u, outputs %u, trees %u, nodes %u, values %u)",
			f->n_features, f->n_outputs, f->n_trees, f->n_nodes,
			n_values);
		goto out_free;
	}
	switch (f->kind) {
	case WW_FOREST_RF_CLASSIFIER:
		if (f->n_outputs < 2) {
			set_err(err, err_len,
				"a classifier needs 2 classes or more");
			goto out_free;
		}
		f->values_per_leaf = f->n_outputs;
		break;
	case WW_FOREST_GBT:
		if (f->objective > WW_FOREST_OBJ_SOFTMAX ||
		    (f->objective == WW_FOREST_OBJ_SOFTMAX) !=
			    (f->n_outputs > 1) ||
		    !isfinite(f->base_score)) {
			set_err(err, err_len,
				"objective %u does not fit %u output groups",
				f->objective, f->n_outputs);
			goto out_free;
		}
		f->values_per_leaf = 1;
		break;
	case WW_FOREST_ISOLATION:
		if (!(f->if_denominator > 0) || !isfinite(f->if_offset)) {
			set_err(err, err_len,
				"isolation forest normalization must be positive");
			goto out_free;
		}
		/* fall through */
	case WW_FOREST_RF_REGRESSOR:
		if (f->n_outputs != 1) {
			set_err(err, err_len, "%s has one output, not %u",
				ww_forest_kind_name(f->kind), f->n_outputs);
			goto out_free;
		}
		f->values_per_leaf = 1;
		break;
	}
	f->n_groups = f->kind == WW_FOREST_GBT ? f->n_outputs : 1;

	need = HEADER_SIZE +
	       (f->kind == WW_FOREST_RF_CLASSIFIER ? 8ull * f->n_outputs : 0) +
	       (uint64_t)TREE_REC_SIZE * f->n_trees +
	       (uint64_t)NODE_REC_SIZE * f->n_nodes + 8ull * n_values + 4;
	if (len < need) {
		set_err(err, err_len,
			"truncated: %zu bytes, the header announces %llu", len,
			(unsigned long long)need);
		goto out_free;
	}
	if (len > need) {
		set_err(err, err_len,
			"%zu bytes after the end of the model (corrupt or not one file)",
			len - (size_t)need);
		goto out_free;
	}
	if (crc32_ieee(p, len - 4) != rd32(p + len - 4)) {
		set_err(err, err_len, "checksum mismatch: the file is corrupt");
		goto out_free;
	}
	f->checksum = rd32(p + len - 4);
	if (want_features != 0 && want_features != f->n_features) {
		set_err(err, err_len,
			"model takes %u features, the caller supplies %u",
			f->n_features, want_features);
		goto out_free;
	}
	if (want_spec != 0 && want_spec != f->spec_id) {
		set_err(err, err_len,
			"model was trained on feature specification %u, this build extracts %u",
			f->spec_id, want_spec);
		goto out_free;
	}

	p += HEADER_SIZE;
	if (f->kind == WW_FOREST_RF_CLASSIFIER) {
		f->classes = xcalloc(f->n_outputs, sizeof(int64_t), &mem);
		if (f->classes == NULL)
			goto out_nomem;
		for (i = 0; i < f->n_outputs; i++)
			f->classes[i] = (int64_t)rd64(p + 8 * i);
		p += 8ull * f->n_outputs;
	}
	trees = p;
	nodes = trees + (size_t)TREE_REC_SIZE * f->n_trees;
	values = nodes + (size_t)NODE_REC_SIZE * f->n_nodes;

	f->tree_root = xcalloc(f->n_trees, sizeof(uint32_t), &mem);
	f->tree_depth = xcalloc(f->n_trees, sizeof(uint32_t), &mem);
	f->tree_group = xcalloc(f->n_trees, sizeof(uint32_t), &mem);
	f->feature = xcalloc(f->n_nodes, sizeof(int32_t), &mem);
	f->threshold = xcalloc(f->n_nodes, sizeof(float), &mem);
	f->left = xcalloc(f->n_nodes, sizeof(int32_t), &mem);
	f->value_idx = xcalloc(f->n_nodes, sizeof(uint32_t), &mem);
	f->values = xcalloc(n_values, sizeof(double), &mem);
	order = calloc(f->n_nodes, sizeof(uint32_t));
	newidx = calloc(f->n_nodes, sizeof(uint32_t));
	depth = calloc(f->n_nodes, 1);
	if (!f->tree_root || !f->tree_depth || !f->tree_group || !f->feature ||
	    !f->threshold || !f->left || !f->value_idx || !f->values ||
	    !order || !newidx || !depth)
		goto out_nomem;

	for (i = 0; i < n_values; i++) {
		f->values[i] = rdf64(values + 8ull * i);
		if (!isfinite(f->values[i])) {
			set_err(err, err_len,
				"leaf value %u is not a finite number", i);
			goto out_free;
		}
	}
	for (t = 0; t < f->n_trees; t++) {
		uint32_t nn = rd32(trees + 8ull * t);

		f->tree_group[t] = rd32(trees + 8ull * t + 4);
		if (f->tree_group[t] >= f->n_groups) {
			set_err(err, err_len,
				"tree %u: output group %u out of range (%u groups)",
				t, f->tree_group[t], f->n_groups);
			goto out_free;
		}
		if (nn == 0 || (uint64_t)base + nn > f->n_nodes) {
			set_err(err, err_len,
				"tree %u: %u nodes, more than the %u left in the file",
				t, nn, f->n_nodes - base);
			goto out_free;
		}
		if (build_tree(f, t, nodes + (size_t)base * NODE_REC_SIZE, nn,
			       base, n_values, (int)rule, order, newidx, depth,
			       err, err_len) < 0)
			goto out_free;
		base += nn;
	}
	if (base != f->n_nodes) {
		set_err(err, err_len,
			"trees hold %u nodes, the header announces %u", base,
			f->n_nodes);
		goto out_free;
	}
	if (build_perfect(f, &mem) < 0 || build_rest(f, &mem) < 0)
		goto out_nomem;
	f->memory = mem;
	free(order);
	free(newidx);
	free(depth);
	return f;

out_nomem:
	set_err(err, err_len, "out of memory");
out_free:
	free(order);
	free(newidx);
	free(depth);
	ww_forest_free(f);
	return NULL;
}

struct ww_forest *ww_forest_load_file(const char *path, uint32_t n_features,
				      uint32_t spec_id, char *err,
				      size_t err_len)
{
	FILE *fp = fopen(path, "rb");
	struct ww_forest *f = NULL;
	uint8_t *buf = NULL;
	long size;
	char why[WW_FOREST_ERR_MAX];

	if (fp == NULL) {
		set_err(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		set_err(err, err_len, "%s: cannot read", path);
		goto out;
	}
	if (size > (long)1 << 32) {
		set_err(err, err_len, "%s: %ld bytes is too large for a model",
			path, size);
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		set_err(err, err_len, "%s: cannot read", path);
		goto out;
	}
	f = ww_forest_load_mem(buf, (size_t)size, n_features, spec_id, why,
			       sizeof(why));
	if (f == NULL)
		set_err(err, err_len, "%s: %s", path, why);
out:
	free(buf);
	fclose(fp);
	return f;
}

void ww_forest_get_info(const struct ww_forest *f, struct ww_forest_info *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = f->kind;
	in->n_features = f->n_features;
	in->n_outputs = f->n_outputs;
	in->n_trees = f->n_trees;
	in->n_nodes = f->n_nodes;
	in->n_leaves = f->n_leaves;
	in->max_depth = f->max_depth;
	in->feature_spec_id = f->spec_id;
	in->checksum = f->checksum;
	in->objective = f->objective;
	in->memory = f->memory;
}

int64_t ww_forest_class_label(const struct ww_forest *f, uint32_t i)
{
	return f->classes != NULL && i < f->n_outputs ? f->classes[i]
						      : (int64_t)i;
}

uint32_t ww_forest_n_outputs(const struct ww_forest *f)
{
	return f->n_outputs;
}

double ww_forest_decision(const struct ww_forest *f, double score_samples)
{
	return score_samples - f->if_offset;
}

uint32_t ww_forest_argmax(const double *p, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (p[i] > p[best])
			best = i;
	return best;
}
