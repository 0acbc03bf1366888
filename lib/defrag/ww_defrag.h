/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_DEFRAG_H
#define WW_DEFRAG_H

/*
 * IPv4 and IPv6 fragment reassembly for an inline appliance (RFC 791
 * 3.2, RFC 8200 4.5), before the flow stage, so that a fragmented request
 * reaches the same inspection as a whole one.
 *
 * The table holds the fragments themselves (opaque handles: the caller's
 * mbufs) until their datagram is complete; then the caller rebuilds the
 * datagram (ww_defrag_build) for inspection and, when it is let through,
 * forwards the original fragments unchanged, so the receiver gets exactly
 * the bytes that were inspected. Fragments that overlap with different
 * bytes are an evasion (receivers disagree on which copy wins): the
 * datagram is killed and every later fragment of it dropped until its
 * timeout, as Suricata and Snort do. A fragment whose bytes repeat what
 * is held exactly is a harmless duplicate and is dropped alone.
 *
 * Bounded everywhere: datagrams in the table, fragments per datagram,
 * fragments held in all; a datagram that does not complete within the
 * timeout (counted from its first fragment) is given back to the caller
 * to dispose of by its exception policy. Expiry costs what expires: the
 * datagrams wait in arrival order, which is also their timeout order.
 *
 * dp-safe; one table per worker.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ww_pkt.h"

#define WW_DEFRAG_MAX_FRAGS 64 /* fragments of one datagram, at most */

struct ww_defrag;

/* One fragment as held. */
struct ww_defrag_frag {
	void *handle;	      /* the caller's (an mbuf) */
	const uint8_t *frame; /* its bytes, valid while held */
	uint16_t offset;      /* into the datagram's data */
	uint16_t len;
	uint16_t data_off; /* in @frame */
	uint16_t pad;
};

/* A datagram handed back to the caller: complete, or given up. */
struct ww_defrag_dgram {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;	/* upper-layer protocol */
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t total; /* data bytes (when complete) */
	uint64_t first_ns;
	uint16_t n;	/* fragments, in arrival order */
	uint16_t first; /* index of the offset-0 fragment (when complete) */
	/* From the offset-0 fragment: where its IP header starts and ends
	 * (IPv6: where the Fragment header starts), and the Next Header
	 * byte to rewrite (IPv6). */
	uint16_t l3_off, hdr_end, nh_off;
	uint8_t nh;
	struct ww_defrag_frag frags[WW_DEFRAG_MAX_FRAGS];
};

struct ww_defrag_stats {
	uint64_t fragments;   /* fragments seen */
	uint64_t reassembled; /* datagrams completed */
	uint64_t overlaps;    /* datagrams killed for differing overlaps */
	uint64_t duplicates;  /* exact repeats, dropped alone */
	uint64_t dead_drops;  /* fragments of a killed datagram */
	uint64_t timeouts;    /* datagrams that never completed */
	uint64_t too_many;    /* over max_fragments, or too long */
	uint64_t table_full;  /* a datagram evicted to make room */
	uint64_t held_full;   /* a fragment refused: max_held reached */
	uint64_t held;	      /* gauge: fragments held now */
};

enum ww_defrag_result {
	WW_DEFRAG_HELD = 0,  /* kept: the caller must not free or send it */
	WW_DEFRAG_COMPLETE,  /* kept, and its datagram is complete: @out */
	WW_DEFRAG_OVERLAP,   /* differing overlap: the datagram is dead, its
			      * other fragments are in @out to drop */
	WW_DEFRAG_DUPLICATE, /* exact repeat: drop this one */
	WW_DEFRAG_DEAD,	     /* its datagram was killed: drop it */
	WW_DEFRAG_REFUSED,   /* no room, too many fragments, too long, or
			      * inconsistent lengths; the datagram's other
			      * fragments (if any) are in @out: all follow
			      * the fragment-failure policy */
};

/* Create a table. @timeout_ns counts from a datagram's first fragment.
 * NULL on failure (rte_errno). Control thread. */
struct ww_defrag *ww_defrag_create(const char *name, uint32_t max_datagrams,
				   uint32_t max_fragments, uint32_t max_held,
				   uint64_t timeout_ns, int socket);
void ww_defrag_destroy(struct ww_defrag *d);

/* Counters (the owner reads them). */
const struct ww_defrag_stats *ww_defrag_stats(const struct ww_defrag *d);

/*
 * Add decoded fragment @p (frame @frame, the caller's @handle) at @now_ns.
 * When the result hands fragments back (COMPLETE, OVERLAP, REFUSED),
 * they are copied into @out (@handle among them for COMPLETE; for
 * OVERLAP and REFUSED @handle is not in @out) and the table no longer
 * holds them. When the table or the held-fragment cap was full, the
 * oldest datagram made room and is handed back in @evicted (n > 0), to
 * be disposed of as a failure.
 * dp-safe.
 */
enum ww_defrag_result ww_defrag_add(struct ww_defrag *d, const struct ww_pkt *p,
				    const uint8_t *frame, void *handle,
				    uint64_t now_ns,
				    struct ww_defrag_dgram *out,
				    struct ww_defrag_dgram *evicted);

/*
 * Give back the oldest datagram that timed out by @now_ns, if any, into
 * @out (call until it returns false). dp-safe.
 */
bool ww_defrag_expire(struct ww_defrag *d, uint64_t now_ns,
		      struct ww_defrag_dgram *out);

/* Give back any datagram still held (shutdown); false when empty. */
bool ww_defrag_flush(struct ww_defrag *d, struct ww_defrag_dgram *out);

/*
 * Rebuild complete datagram @g as one frame into @buf (@cap bytes): the
 * first fragment's link and IP headers (IPv4: offset and MF cleared,
 * total length and checksum set; IPv6: the Fragment header removed,
 * payload length set), then the data in offset order.
 * @return the frame's length, or 0 when it does not fit in @cap.
 */
uint32_t ww_defrag_build(const struct ww_defrag_dgram *g, uint8_t *buf,
			 uint32_t cap);

#endif /* WW_DEFRAG_H */
