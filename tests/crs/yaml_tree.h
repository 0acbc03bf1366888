/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_YAML_TREE_H
#define WW_YAML_TREE_H

/*
 * A YAML document as a small tree (libyaml's event parser underneath):
 * enough for the FTW test files, whose values are mappings, sequences
 * and scalars. Anchors and aliases are not used by them and are refused.
 */

#include <stddef.h>

enum ynode_kind { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_kind kind;
	char *value;	     /* scalar (NUL-terminated; may hold NULs) */
	size_t len;	     /* scalar length */
	struct ynode **kids; /* map: key, value, key, value...; seq: items */
	size_t n;
};

/* Parse @path. @return the root or NULL with a reason in @err. */
struct ynode *ytree_load(const char *path, char *err, size_t err_len);
void ytree_free(struct ynode *n);

/* The value of @key in map @m, or NULL. */
const struct ynode *ymap_get(const struct ynode *m, const char *key);

#endif
