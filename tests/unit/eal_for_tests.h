/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_EAL_FOR_TESTS_H
#define WW_EAL_FOR_TESTS_H

/*
 * EAL for the unit tests that need DPDK memory: @mb MiB without
 * hugepages, no PCI, no shared config, one lcore, a file prefix of @name
 * and the pid so tests may run in parallel. @return 0, or -1 with the
 * reason on stderr.
 */
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

static inline int eal_for_tests(const char *argv0, const char *name,
				unsigned int mb)
{
	char prefix[64], mem[16];
	char *eal[] = {(char *)argv0,
		       "--no-huge",
		       "-m",
		       mem,
		       "--no-pci",
		       "--no-shconf",
		       "--no-telemetry",
		       "-l",
		       "0",
		       "--log-level=lib.eal:error",
		       prefix};

	snprintf(mem, sizeof(mem), "%u", mb);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d", name,
		 (int)getpid());
	if (rte_eal_init(sizeof(eal) / sizeof(eal[0]), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

#endif
