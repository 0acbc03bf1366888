/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libmodsecurity3's verdicts on the payload corpus (the peer of the
 * corpus test): the requests of requests.bin (each a 4-byte big-endian
 * length and the raw request), judged by libmodsecurity3 set up as its
 * users set it up (/usr/share/nginx/docs/modsecurity/modsecurity.conf,
 * crs-setup.conf, the CRS), one line per request: its index and "blocked" or
 * "passed".
 *
 *   corpus_modsec REQUESTS.BIN MODSEC_CONF CRS_SETUP RULES_DIR PL
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crs_engine.h"

int main(int argc, char **argv)
{
	struct crs_engine_conf conf = {0};
	struct crs_engine *e;
	char err[512], *req = NULL;
	unsigned int i = 0;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr,
			"usage: corpus_modsec REQUESTS.BIN MODSEC_CONF CRS_SETUP RULES_DIR PL\n");
		return 2;
	}
	conf.modsec_conf = argv[2];
	conf.crs_setup = argv[3];
	conf.rules_dir = argv[4];
	conf.pl = (unsigned int)atoi(argv[5]);
	e = crs_engine_new("modsec", &conf, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "corpus_modsec: %s\n", err);
		return 1;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		uint32_t len;
		uint32_t ids[64];
		unsigned int n_ids = 0;
		uint16_t status = 0;
		bool refused = false;

		if (fread(&len, 4, 1, f) != 1)
			break;
		len = ntohl(len);
		req = realloc(req, len ? len : 1);
		if (req == NULL || fread(req, 1, len, f) != len) {
			fprintf(stderr, "corpus_modsec: %s: truncated\n",
				argv[1]);
			return 1;
		}
		crs_engine_run(e, req, len, &refused, &status, ids, &n_ids, 64);
		printf("%u %s\n", i++,
		       refused || status != 200 ? "blocked" : "passed");
	}
	free(req);
	fclose(f);
	crs_engine_free(e);
	return 0;
}
