/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wirewall --version and --build-info: what an operator (or a bug
 * report) needs to know about the binary: its version, the libraries it
 * runs on with their versions, the forest kernels compiled in and which
 * this CPU runs, the feature specification its models must match.
 */
#include <stdio.h>

#include <hs.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <pcap/pcap.h>
#include <rte_version.h>

#include "wirewall.h"
#include "ww_feat.h"
#include "ww_forest.h"

#ifndef WW_VERSION
#define WW_VERSION "unknown"
#endif
#ifndef WW_BUILDTYPE
#define WW_BUILDTYPE "unknown"
#endif

void app_print_version(FILE *out)
{
	fprintf(out, "wirewall %s\n", WW_VERSION);
}

void app_print_build_info(FILE *out)
{
	static const enum ww_forest_kernel kernels[] = {
		WW_FOREST_KERNEL_SCALAR, WW_FOREST_KERNEL_AVX2,
		WW_FOREST_KERNEL_AVX512};
	unsigned int i;

	app_print_version(out);
	fprintf(out, "build: %s, %s, C11\n", WW_BUILDTYPE, __VERSION__);
	fprintf(out, "dpdk: %s\n", rte_version());
	fprintf(out, "hyperscan: %s\n", hs_version());
	fprintf(out, "openssl: %s\n", OpenSSL_version(OPENSSL_VERSION));
	fprintf(out, "libpcap: %s\n", pcap_lib_version());
	fprintf(out, "libmicrohttpd: %s\n", MHD_get_version());
	fprintf(out, "jansson: %s\n", JANSSON_VERSION);
	fprintf(out, "forest kernels:");
	for (i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		fprintf(out, " %s%s", ww_forest_kernel_name(kernels[i]),
			ww_forest_kernel_supported(kernels[i])
				? ""
				: " (not on this CPU)");
	fprintf(out, "; auto runs %s\n",
		ww_forest_kernel_name(ww_forest_kernel_best()));
	fprintf(out, "feature specification: 0x%08x, %u columns\n",
		WW_FEAT_SPEC_ID, (unsigned int)WW_FEAT_N);
}
