/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_FLOW_H
#define WW_FLOW_H

/*
 * Per-worker flow table. A flow is keyed on the 5-tuple in a canonical
 * order (lower address/port first), so both directions of a connection
 * find the same entry; which side is the client is stored in the entry.
 *
 * The table is an rte_hash (CRC32 hash, extendable buckets, so an insert
 * only fails when the table really holds max_flows entries) whose key
 * position indexes a flat array of struct ww_flow: no pointer per entry.
 * Idle flows are expired by a timer wheel (one-second slots): a flow waits
 * in the slot of its deadline and is looked at when that second comes (or
 * put back, if a packet moved its deadline on), so expiry costs what
 * expires, not the size of the table. When the table is full, the victim is the
 * oldest closed flow, else the oldest half-open one (both kept on lists that
 * change only when a flow changes state, never per packet), else the
 * idlest of the next few entries under the hand: closed and half-open
 * flows always go before established, active ones.
 *
 * Thread use: one table per worker; every function is dp-safe and must be
 * called by the owning worker only, except create/destroy (control
 * thread, before start / after stop).
 */

#include <stdbool.h>
#include <stdint.h>

#include "ww_pkt.h"

/* Lifecycle of a flow; TCP states are driven by the flags seen. */
enum ww_flow_state {
	WW_FLOW_SYN = 0,     /* TCP: SYN seen, no answer yet (half-open) */
	WW_FLOW_ESTABLISHED, /* TCP: both sides spoke */
	WW_FLOW_CLOSING,     /* TCP: a FIN seen */
	WW_FLOW_CLOSED,	     /* TCP: FIN both ways, or RST */
	WW_FLOW_UDP,
	WW_FLOW_ICMP,
	WW_FLOW_OTHER, /* other IP protocols */
	WW_FLOW_STATE_MAX
};

/* Why a flow ended (as the flow event says it). */
enum ww_flow_end {
	WW_FLOW_END_NONE = 0,
	WW_FLOW_END_FIN,
	WW_FLOW_END_RST,
	WW_FLOW_END_TIMEOUT,
	WW_FLOW_END_EVICTED,
	WW_FLOW_END_SHUTDOWN,
	WW_FLOW_END_MAX
};

/* Which way a packet goes within its flow. */
#define WW_FLOW_TOSERVER 0
#define WW_FLOW_TOCLIENT 1

struct ww_flow_key {
	uint8_t addr[2][16]; /* [0] is the lower (address, port) side */
	uint16_t port[2];
	uint8_t proto;
	uint8_t family; /* 4 or 6 */
	uint16_t pad;	/* always zero: the key is hashed as bytes */
};

/* State of one flow: two cache lines; later stages (TCP, HTTP) keep their
 * per-flow state in the reserved tail. */
struct ww_flow {
	struct ww_flow_key key;
	uint64_t id;
	uint64_t start_ns, last_ns;
	uint64_t bytes[2]; /* [WW_FLOW_TOSERVER], [WW_FLOW_TOCLIENT] */
	uint32_t pkts[2];
	uint8_t state;	    /* enum ww_flow_state */
	uint8_t client_lo;  /* 1: the client is key side 0 */
	uint8_t end_reason; /* set when the flow is closed */
	uint8_t in_use;
	uint8_t tcp_fin[2]; /* FIN seen from [direction] */
	uint8_t lru_list;   /* which eviction list holds it, 0 = none */
	uint8_t judged;	    /* WW_FLOW_ALERTED | WW_FLOW_DROPPED, for its
			     * flow event (Suricata's alerted, action) */
	uint32_t lru_prev, lru_next;
	uint32_t l7; /* the pipeline's: 0 = not decided yet, UINT32_MAX =
		      * not inspected, else inspection context + 1 (released
		      * when the flow ends) */
	/* TCP sequence tracking, per direction: the end of the highest
	 * segment sent, the last window advertised and the window scale the
	 * SYN announced, to judge whether a RST is in window. */
	uint32_t tcp_end[2];
	uint16_t tcp_win[2];
	uint8_t tcp_wscale[2]; /* 0xff: no SYN seen */
	uint8_t tcp_seen;      /* bit d: direction d has sent a segment */
	/* The handshake as seen: bit 0 the client's SYN, bit 1 the
	 * server's SYN-ACK; and the client's first sequence number after
	 * its SYN (ISN + 1), where its byte stream starts. */
	uint8_t tcp_hs;
	uint32_t tcp_isn_next;
} __attribute__((aligned(64)));

/* ww_flow.judged: an alert named the flow; a frame of it was stopped. */
#define WW_FLOW_ALERTED 0x01
#define WW_FLOW_DROPPED 0x02

#define WW_FLOW_HS_SYN	  0x01
#define WW_FLOW_HS_SYNACK 0x02
/* The client's ACK acknowledged the server's SYN-ACK: it received it, so
 * its address is its own (a return path), not one a blind spoofer chose. */
#define WW_FLOW_HS_ACKED 0x04

_Static_assert(sizeof(struct ww_flow) == 128, "flow state: two cache lines");

/* Idle timeouts in nanoseconds, per state. */
struct ww_flow_timeouts {
	uint64_t ns[WW_FLOW_STATE_MAX];
};

/* Counters, summed by the control thread. All uint64_t. */
struct ww_flow_stats {
	uint64_t created;
	uint64_t ended[WW_FLOW_END_MAX];
	uint64_t evicted_by_state[WW_FLOW_STATE_MAX];
	uint64_t table_full; /* no victim found: the packet has no flow */
	uint64_t rst_out_of_window; /* RSTs that did not end their flow */
	uint64_t active;	    /* gauge: flows in the table now */
};

struct ww_flow_table;

/* Called for every flow that leaves the table, just before its entry is
 * freed: to log a flow event and release what the owner attached. */
typedef void (*ww_flow_end_cb)(void *arg, struct ww_flow *f, uint64_t now_ns);

/*
 * Create a table for up to @max_flows flows on @socket.
 * @worker_id goes into the top bits of every flow id, so ids are unique
 * per run across workers. The table counts into @stats, which the owner
 * keeps (typically inside its per-worker counters).
 * @return NULL with rte_errno set on failure.
 */
struct ww_flow_table *ww_flow_table_create(const char *name, uint32_t max_flows,
					   unsigned int worker_id,
					   const struct ww_flow_timeouts *to,
					   struct ww_flow_stats *stats,
					   int socket);
void ww_flow_table_destroy(struct ww_flow_table *t);

/*
 * Give every flow @size bytes (a multiple of 8, at most WW_FLOW_EXT_MAX)
 * of the owner's state, in an array beside the flows (the flow keeps its
 * two cache lines), zeroed each time a flow is created. Control thread,
 * before the table is used. @return 0, -EINVAL or -ENOMEM.
 */
#define WW_FLOW_EXT_MAX 128
int ww_flow_table_ext(struct ww_flow_table *t, uint32_t size, int socket);
/* The state ww_flow_table_ext reserved for @f. dp-safe. */
void *ww_flow_ext(const struct ww_flow_table *t, const struct ww_flow *f);

/* Report ended flows through @cb (may be NULL). */
void ww_flow_set_end_cb(struct ww_flow_table *t, ww_flow_end_cb cb, void *arg);

/* Bytes of memory the table took (hash and flow array). */
uint64_t ww_flow_table_memory(const struct ww_flow_table *t);

/* Fill @key from a decoded packet; @return the packet's side in the key
 * (0 or 1) i.e. which key side is its source. */
int ww_flow_key_from_pkt(const struct ww_pkt *p, struct ww_flow_key *key);

/* How the client side of a new flow is decided, in order: when exactly
 * one end is a protected address, it is the server (a packet's flags are
 * its sender's to choose); else a SYN (without ACK) comes from the
 * client, a SYN-ACK from the server; else the first sender is the
 * client. @is_protected tells whether an address (family 4/6) is on the
 * protected side; it may be NULL. */
typedef bool (*ww_flow_protected_fn)(const void *arg, uint8_t family,
				     const uint8_t *addr);
void ww_flow_set_protected(struct ww_flow_table *t, ww_flow_protected_fn fn,
			   const void *arg);

/*
 * Find or create the flows of a burst of @n (at most 64) packets:
 * @pkts[i] is a decoded IP packet (NULL to skip it), @lens[i] its length
 * and @ts[i] its time. Sets @flows[i] (NULL when skipped, or when the
 * table is full and holds no victim) and @dirs[i] (WW_FLOW_TOSERVER or
 * WW_FLOW_TOCLIENT), and accounts each packet to its flow (counters, TCP
 * state, last-seen time).
 */
void ww_flow_lookup_burst(struct ww_flow_table *t,
			  const struct ww_pkt *const *pkts,
			  const uint32_t *lens, const uint64_t *ts,
			  unsigned int n, struct ww_flow **flows, uint8_t *dirs,
			  uint64_t *ids);
/* (@ids, may be NULL: the id of the flow each packet found. A flow that a
 * later packet of the same burst evicted no longer has that id: its
 * packet lost its flow.) */

/* End the flows whose idle timeout passed by @now_ns (the wheel's slots
 * up to this second). @return how many flows ended. */
unsigned int ww_flow_expire(struct ww_flow_table *t, uint64_t now_ns);

/* End every flow (reason shutdown), e.g. at exit. */
void ww_flow_flush(struct ww_flow_table *t, uint64_t now_ns);

const char *ww_flow_state_name(enum ww_flow_state s);
const char *ww_flow_end_name(enum ww_flow_end e);

#endif /* WW_FLOW_H */
