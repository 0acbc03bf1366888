/* SPDX-License-Identifier: BSD-3-Clause */
/* Block lists, fast path: bulk longest-prefix match. See ww_block.h. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>

#include "ww_block.h"

/* Packets looked up per FIB call: both addresses of each. */
#define CHUNK 32

static void lookup_chunk(struct ww_block_set *set,
			 const struct ww_pkt *const *pkts, uint16_t n,
			 uint8_t *src, uint8_t *dst)
{
	uint32_t ip4[2 * CHUNK];
	uint8_t ip6[2 * CHUNK][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh[2 * CHUNK];
	uint16_t at4[CHUNK], at6[CHUNK];
	uint16_t n4 = 0, n6 = 0, i;

	for (i = 0; i < n; i++) {
		const struct ww_pkt *p = pkts[i];

		src[i] = dst[i] = WW_BLOCK_NONE;
		if (p == NULL)
			continue;
		if (p->l3 == WW_PKT_L3_IPV4 && set->v4 != NULL) {
			uint32_t s, d;

			memcpy(&s, p->src, 4);
			memcpy(&d, p->dst, 4);
			ip4[2 * n4] = rte_be_to_cpu_32(s);
			ip4[2 * n4 + 1] = rte_be_to_cpu_32(d);
			at4[n4++] = i;
		} else if (p->l3 == WW_PKT_L3_IPV6 && set->v6 != NULL) {
			memcpy(ip6[2 * n6], p->src, 16);
			memcpy(ip6[2 * n6 + 1], p->dst, 16);
			at6[n6++] = i;
		}
	}
	if (n4 > 0) {
		rte_fib_lookup_bulk(set->v4, ip4, nh, 2 * n4);
		for (i = 0; i < n4; i++) {
			src[at4[i]] = (uint8_t)nh[2 * i];
			dst[at4[i]] = (uint8_t)nh[2 * i + 1];
		}
	}
	if (n6 > 0) {
		rte_fib6_lookup_bulk(set->v6, ip6, nh, 2 * n6);
		for (i = 0; i < n6; i++) {
			src[at6[i]] = (uint8_t)nh[2 * i];
			dst[at6[i]] = (uint8_t)nh[2 * i + 1];
		}
	}
}

void ww_block_lookup_burst(struct ww_block_set *set,
			   const struct ww_pkt *const *pkts, uint16_t n,
			   uint8_t *src, uint8_t *dst)
{
	uint16_t off;

	if (set == NULL) {
		memset(src, WW_BLOCK_NONE, n);
		memset(dst, WW_BLOCK_NONE, n);
		return;
	}
	for (off = 0; off < n; off += CHUNK) {
		uint16_t k = n - off < CHUNK ? n - off : CHUNK;

		lookup_chunk(set, pkts + off, k, src + off, dst + off);
	}
}
