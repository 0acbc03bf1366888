/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_CRS_ENGINE_H
#define WW_CRS_ENGINE_H

/* The engine a regression run uses: wirewall's (lib/http + lib/waf) or
 * libmodsecurity3's, both loading the same CRS at the same paranoia
 * level. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct crs_engine;

/* @name "ww" or "modsec". NULL with the reason in @err. */
struct crs_engine *crs_engine_new(const char *name, const char *crs_setup,
				  const char *rules_dir, unsigned int pl,
				  char *err, size_t err_len);
void crs_engine_free(struct crs_engine *e);

/* Judge one raw request: refused as malformed, the status a client gets
 * (200 when let through), the ids of the rules that logged. */
void crs_engine_run(struct crs_engine *e, const char *req, size_t len,
		    bool *refused, uint16_t *status, uint32_t *ids,
		    unsigned int *n_ids, unsigned int max_ids);

struct ynode;
/* The request bytes of an FTW stage input (malloc'd). */
void crs_build_request(const struct ynode *in, char **out, size_t *len);

#endif
