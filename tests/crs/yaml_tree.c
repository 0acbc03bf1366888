/* SPDX-License-Identifier: BSD-3-Clause */
/* A YAML document as a tree. See yaml_tree.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml_tree.h"

static struct ynode *node(enum ynode_kind k)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (n != NULL)
		n->kind = k;
	return n;
}

static int add_kid(struct ynode *p, struct ynode *k)
{
	struct ynode **nk = realloc(p->kids, sizeof(*nk) * (p->n + 1));

	if (nk == NULL)
		return -1;
	p->kids = nk;
	p->kids[p->n++] = k;
	return 0;
}

/* Build the node that starts with @ev (already taken). */
static struct ynode *build(yaml_parser_t *ps, yaml_event_t *ev, char *err,
			   size_t err_len)
{
	struct ynode *n;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node(Y_SCALAR);
		if (n == NULL)
			return NULL;
		n->len = ev->data.scalar.length;
		n->value = malloc(n->len + 1);
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		const yaml_event_type_t end =
			ev->type == YAML_SEQUENCE_START_EVENT
				? YAML_SEQUENCE_END_EVENT
				: YAML_MAPPING_END_EVENT;

		n = node(ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP);
		for (;;) {
			yaml_event_t e;
			struct ynode *k;

			if (!yaml_parser_parse(ps, &e)) {
				snprintf(err, err_len, "line %zu: %s",
					 ps->problem_mark.line + 1,
					 ps->problem ? ps->problem : "syntax");
				ytree_free(n);
				return NULL;
			}
			if (e.type == end) {
				yaml_event_delete(&e);
				return n;
			}
			k = build(ps, &e, err, err_len);
			yaml_event_delete(&e);
			if (k == NULL || add_kid(n, k) < 0) {
				ytree_free(k);
				ytree_free(n);
				return NULL;
			}
		}
	}
	default:
		snprintf(err, err_len, "unsupported YAML construct (event %d)",
			 (int)ev->type);
		return NULL;
	}
}

struct ynode *ytree_load(const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t ps;
	yaml_event_t ev;
	struct ynode *root = NULL;

	if (f == NULL) {
		snprintf(err, err_len, "cannot open");
		return NULL;
	}
	yaml_parser_initialize(&ps);
	yaml_parser_set_input_file(&ps, f);
	for (;;) {
		if (!yaml_parser_parse(&ps, &ev)) {
			snprintf(err, err_len, "line %zu: %s",
				 ps.problem_mark.line + 1,
				 ps.problem ? ps.problem : "syntax");
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_SCALAR_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT) {
			root = build(&ps, &ev, err, err_len);
			yaml_event_delete(&ev);
			break; /* the first document */
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps);
	fclose(f);
	return root;
}

void ytree_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		ytree_free(n->kids[i]);
	free(n->kids);
	free(n->value);
	free(n);
}

const struct ynode *ymap_get(const struct ynode *m, const char *key)
{
	size_t i;

	if (m == NULL || m->kind != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->kind == Y_SCALAR &&
		    strcmp(m->kids[i]->value, key) == 0)
			return m->kids[i + 1];
	return NULL;
}
