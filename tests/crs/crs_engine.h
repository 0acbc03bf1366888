/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_CRS_ENGINE_H
#define WW_CRS_ENGINE_H

/* The engine a regression run uses: wirewall's (lib/http + lib/waf) or
 * libmodsecurity3's, both loading the same CRS with the same crs-setup
 * at the same paranoia level. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct crs_engine;

struct crs_engine_conf {
	const char *crs_setup; /* /etc/modsecurity/crs/crs-setup.conf */
	const char *rules_dir; /* /usr/share/modsecurity-crs/rules */
	unsigned int pl;       /* paranoia level */
	/* libmodsecurity3's base configuration, loaded before the CRS
	 * (/usr/share/nginx/docs/modsecurity/modsecurity.conf: Debian's, for
	 * its libmodsecurity3 users); the engine is then turned On. Required
	 * for "modsec". */
	const char *modsec_conf;
	/* The CRS regression suite's own settings after crs-setup.conf
	 * (as the CRS 3.x tests' README sets them: utf-8 validation,
	 * argument limits, no IP-reputation block), for both engines. */
	bool test_setup;
	/* libmodsecurity3: a 200 response goes through phases 3 and 4 as
	 * through a server's connector (the runner); off, only the request
	 * phases and logging run (perf/waf: the work both engines do). */
	bool response_phase;
};

/* @name "ww" or "modsec". NULL with the reason in @err. */
struct crs_engine *crs_engine_new(const char *name,
				  const struct crs_engine_conf *conf, char *err,
				  size_t err_len);
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
