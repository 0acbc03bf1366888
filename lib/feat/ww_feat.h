/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_FEAT_H
#define WW_FEAT_H

/*
 * Features for the models: what a flow, a client and a request look like,
 * as rows of float32 that lib/forest scores. models/FEATURES.md documents
 * every column (name, unit, how it is computed, at which decision points
 * it is defined); WW_FEAT_SPEC_ID names this specification in every
 * model file, and a model trained on another is refused.
 *
 * Three levels, each updated in O(1) per packet or per request, without
 * allocation:
 * - per flow: struct ww_feat_flow, kept beside the flow (lib/flow's
 *   per-flow extension, WW_FEAT_FLOW_BYTES bytes);
 * - per client: struct ww_feat_client, in a bounded per-worker table
 *   keyed by the client's address (IPv6 by its /64 unless configured
 *   otherwise), 8-way set-associative with LRU eviction in the set;
 *   counters over a 1 s and a 10 s window, each estimated as a sliding
 *   window from the current and the previous tumbling window;
 * - per request: struct ww_feat_req, from the parsed request head.
 *
 * One row layout serves every decision point: a flow row fills the flow
 * columns, the request columns (at the request decision point) and the
 * client columns (the client's state at that moment); a client row fills
 * the client columns only. Unset columns are 0.
 *
 * Thread use: a client table and the flow states are one worker's; every
 * function here is dp-safe except create/destroy (control thread).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ww_flow.h"
#include "ww_http.h"
#include "ww_pkt.h"

/* "WF" and the version of the specification. */
#define WW_FEAT_SPEC_ID 0x57460001u

/* Where a row is taken (column "decision_point"). */
enum ww_feat_dp {
	WW_DP_NONE = 0,
	WW_DP_PKT2 = 1,	   /* the flow's 2nd packet (both ways counted) */
	WW_DP_PKT4 = 2,	   /* ... 4th */
	WW_DP_PKT8 = 3,	   /* ... 8th */
	WW_DP_PKT16 = 4,   /* ... 16th */
	WW_DP_REQUEST = 5, /* the flow's first HTTP request is complete */
	WW_DP_END = 6,	   /* the flow ended */
	WW_DP_TICK = 7,	   /* client: a second ended with it active */
	WW_DP_TRIGGER = 8, /* client: a counter crossed its trigger */
	WW_DP_MAX
};

enum ww_feat_row_kind { WW_ROW_FLOW = 0, WW_ROW_CLIENT = 1 };

/* Attack classes a classifier's labels mean (models/FEATURES.md). */
enum ww_feat_class {
	WW_CLASS_BENIGN = 0,
	WW_CLASS_FLOOD = 1,	 /* UDP/ICMP floods, HTTP request floods */
	WW_CLASS_SYN_FLOOD = 2,	 /* SYN floods */
	WW_CLASS_SCAN = 3,	 /* port and address scans */
	WW_CLASS_WEB_ATTACK = 4, /* injection tools (sqlmap) */
	WW_CLASS_CONTENT_DISCOVERY = 5, /* dirb, gobuster, ffuf, wfuzz */
	WW_CLASS_BRUTE_FORCE = 6, /* password guessing, credential stuffing */
	WW_CLASS_SLOW_DOS = 7,	  /* slow headers, slow body, slow read */
	WW_CLASS_MAX
};

/* Columns. Keep in step with ww_feat_names[] and models/FEATURES.md. */
enum ww_feat_col {
	WW_F_ROW_KIND = 0,
	WW_F_DP,
	/* flow */
	WW_F_PROTO,
	WW_F_SERVER_PORT,
	WW_F_DURATION,
	WW_F_PKTS_FWD,
	WW_F_PKTS_BWD,
	WW_F_BYTES_FWD,
	WW_F_BYTES_BWD,
	WW_F_PAYLOAD_FWD,
	WW_F_PAYLOAD_BWD,
	WW_F_SIZE_MIN,
	WW_F_SIZE_MAX,
	WW_F_SIZE_MEAN,
	WW_F_SIZE_VAR,
	WW_F_IAT_FWD_MEAN,
	WW_F_IAT_FWD_VAR,
	WW_F_IAT_BWD_MEAN,
	WW_F_IAT_BWD_VAR,
	WW_F_SYN,
	WW_F_FIN,
	WW_F_RST,
	WW_F_PSH,
	WW_F_URG,
	WW_F_HANDSHAKE,
	WW_F_INIT_WIN_FWD,
	WW_F_INIT_WIN_BWD,
	WW_F_FIRST_SIZE, /* 8 columns: first_size_1 .. first_size_8 */
	WW_F_HTTP_REQUESTS = WW_F_FIRST_SIZE + 8,
	WW_F_HTTP_2XX,
	WW_F_HTTP_3XX,
	WW_F_HTTP_4XX,
	WW_F_HTTP_5XX,
	WW_F_HTTP_LATENCY,
	/* request */
	WW_F_REQ_METHOD,
	WW_F_REQ_PATH_LEN,
	WW_F_REQ_QUERY_LEN,
	WW_F_REQ_ARGS,
	WW_F_REQ_NONALNUM,
	WW_F_REQ_HEADERS,
	WW_F_REQ_UA_CLASS,
	WW_F_REQ_BODY_LEN,
	/* client: a 1 s block, then the same columns over 10 s */
	WW_F_CLIENT_1S,
	WW_F_CLIENT_10S = WW_F_CLIENT_1S + 17,
	WW_F_CL_OPEN_FLOWS = WW_F_CLIENT_10S + 17,
	WW_F_CL_HALF_OPEN_NOW,
	WW_F_CL_INCOMPLETE_HEADS,
	WW_F_CL_INCOMPLETE_AGE,
	WW_F_CL_REQ_INTERVAL_MEAN,
	WW_F_CL_REQ_INTERVAL_CV,
	WW_FEAT_N
};

/* Offsets within a client window block. */
enum ww_feat_win_col {
	WW_FW_NEW_FLOWS = 0,
	WW_FW_SYNS,
	WW_FW_DST_PORTS,
	WW_FW_DST_ADDRS,
	WW_FW_HALF_OPEN_ENDED,
	WW_FW_RST_RECV,
	WW_FW_ICMP_ERR_RECV,
	WW_FW_PKTS_FWD,
	WW_FW_PKTS_BWD,
	WW_FW_BYTES_FWD,
	WW_FW_BYTES_BWD,
	WW_FW_REQUESTS,
	WW_FW_RATIO_4XX,
	WW_FW_RATIO_401,
	WW_FW_RATIO_403,
	WW_FW_RATIO_404,
	WW_FW_PATHS,
	WW_FW_N
};
_Static_assert(WW_FW_N == 17, "client window block: 17 columns");

/* Column @i's name, e.g. "iat_fwd_mean". */
const char *ww_feat_name(unsigned int i);
const char *ww_feat_dp_name(enum ww_feat_dp dp);
const char *ww_feat_class_name(unsigned int c);

/* ---- per flow ---- */

#define WW_FEAT_FIRST_N 8

struct ww_feat_flow {
	uint32_t pkts[2];    /* [WW_FLOW_TOSERVER], [WW_FLOW_TOCLIENT] */
	uint32_t bytes[2];   /* IP bytes */
	uint32_t payload[2]; /* L4 payload bytes */
	uint32_t last_us[2]; /* last packet each way, us after the start */
	float iat_mean[2], iat_m2[2]; /* Welford, seconds */
	float size_mean, size_m2;     /* Welford over IP sizes, both ways */
	uint16_t size_min, size_max;
	uint16_t syn, fin, rst, psh, urg;
	uint16_t init_win[2];
	int16_t first[WW_FEAT_FIRST_N]; /* IP size (at most 32767), negative
					 * to the client */
	uint16_t http_requests;
	uint16_t http_status[4]; /* 2xx, 3xx, 4xx, 5xx */
	float latency_sum_ms;	 /* over the responses counted above */
	uint32_t client_idx;	 /* in the worker's client table, + 1 */
	uint32_t client_gen;	 /* ... while the entry holds this client */
	uint32_t head_start_ms;	 /* incomplete request head: since when
				  * (ms after the start) */
	uint8_t dp_done;	 /* bit per enum ww_feat_dp taken */
	uint8_t half_open;	 /* counted as half-open by its client */
	uint8_t head_open;	 /* counted as an incomplete head */
	uint8_t handshake;	 /* SYN, SYN-ACK, ACK seen */
	uint8_t verdict;	 /* a model's verdict on the flow: 0 none,
				  * 1 drop its packets */
	uint8_t icmp_type, icmp_code; /* ICMP: of the flow's first packet */
	uint8_t allowed; /* its client is on [detect] allow: never acted on */
};
#define WW_FEAT_FLOW_BYTES 128
_Static_assert(sizeof(struct ww_feat_flow) <= WW_FEAT_FLOW_BYTES,
	       "per-flow features: at most 128 bytes");

/*
 * Account packet @p (@len IP bytes, direction @dir, time @now_ns) to @ff
 * of flow @f. @return the decision point it reached (WW_DP_PKT2..16), or
 * WW_DP_NONE.
 */
enum ww_feat_dp ww_feat_flow_packet(struct ww_feat_flow *ff,
				    const struct ww_flow *f,
				    const struct ww_pkt *p, uint32_t len,
				    uint8_t dir, uint64_t now_ns);

/* A response with @status and @latency_ns to one of the flow's requests. */
void ww_feat_flow_response(struct ww_feat_flow *ff, uint16_t status,
			   uint64_t latency_ns);

/* ---- per request ---- */

struct ww_feat_req {
	uint8_t method;	  /* 1 GET .. 9 TRACE, 10 other */
	uint8_t ua_class; /* enum ww_feat_ua */
	uint16_t n_headers;
	uint32_t path_len, query_len, n_args;
	float nonalnum; /* share of path and query bytes not [A-Za-z0-9] */
	uint64_t body_len;
};

enum ww_feat_ua {
	WW_UA_NONE = 0,
	WW_UA_BROWSER,
	WW_UA_CLI, /* curl, wget, httpie */
	WW_UA_LIBRARY,
	WW_UA_SCANNER, /* sqlmap, nikto, nmap, gobuster, hydra, ... */
	WW_UA_CRAWLER,
	WW_UA_MONITOR, /* health checkers, probes */
	WW_UA_LOADTEST,
	WW_UA_OTHER,
};

void ww_feat_request(struct ww_feat_req *out, const struct ww_http_request *r);
enum ww_feat_ua ww_feat_ua_class(const char *ua, uint32_t len);

/* ---- per client ---- */

/* One tumbling window's counters. */
struct ww_feat_win {
	uint32_t pkts[2], bytes[2];
	uint16_t new_flows, syns, half_open_ended, rst_recv, icmp_err_recv;
	uint16_t requests, s4xx, s401, s403, s404;
	uint32_t pad;
	uint64_t bm_ports, bm_addrs, bm_paths; /* linear-counting bitmaps */
};

struct ww_feat_client {
	uint8_t addr[16];  /* masked */
	uint8_t family;	   /* 4, 6; 0 = free */
	uint8_t triggered; /* triggers fired in the current second */
	uint8_t in_list;   /* in the active list of its second */
	uint8_t pad;
	uint32_t gen;	  /* +1 each time the entry takes a new client */
	uint64_t last_ns; /* LRU */
	uint64_t sec;	  /* UNIX second of w1 */
	struct ww_feat_win w1, w1_prev, w10, w10_prev;
	uint32_t open_flows, half_open_now, incomplete_heads;
	uint32_t req_n; /* requests in the 10 s window, for the interval */
	uint64_t incomplete_start_ms; /* sum of their heads' start (UNIX ms) */
	uint64_t last_req_ns;
	float req_iv_mean, req_iv_m2; /* seconds, 10 s window */
	/* The responses decided for this client (by the worker). */
	uint64_t blocked_until_ns, throttled_until_ns;
	/* A verdict on the client's flows (a client row's drop or reset):
	 * its flows that began by flows_verdict_ns act on it at their next
	 * packet (1 drop, 2 reset). */
	uint64_t flows_verdict_ns;
	uint32_t handshakes; /* TCP handshakes it completed (a return path) */
	uint8_t flows_verdict;
} __attribute__((aligned(64)));

struct ww_feat_client_stats {
	uint64_t inserted;   /* clients that took an entry */
	uint64_t evicted;    /* ... by evicting another (its state lost) */
	uint64_t ticks_lost; /* clients not scored at a second's end: the
			      * list of active clients was full (eviction
			      * churn) */
};

struct ww_feat_clients {
	struct ww_feat_client *e;
	uint32_t mask; /* sets - 1 */
	uint8_t v6_prefix;
	struct ww_feat_client_stats stats;
	uint32_t capacity;
	uint32_t seed; /* of the set hash: an attacker must not know which
			* addresses share a set (ww_feat_client_get) */
	/* Clients active in second active_sec, to score and roll when it
	 * ends (ww_feat_clients_second_ended). */
	uint32_t *active;
	uint32_t n_active;
	uint64_t active_sec;
	/* The second before: its clients whose tick is still to take, a few
	 * per burst (ending_next on), so that the end of a second never
	 * stalls a worker for all its clients at once. A client of it that
	 * counts something first has its tick taken then. */
	uint32_t *ending;
	uint32_t n_ending, ending_next;
	uint64_t ending_sec;
};

#define WW_FEAT_WAYS 8

/* Control thread: a table of at least @max_clients entries (rounded up
 * to a power of two) on @socket, its set hash keyed with @seed (random
 * live; fixed offline, so runs repeat). @return 0 or -ENOMEM. */
int ww_feat_clients_init(struct ww_feat_clients *t, uint32_t max_clients,
			 uint8_t v6_prefix, uint32_t seed, int socket);
void ww_feat_clients_free(struct ww_feat_clients *t);
uint64_t ww_feat_clients_memory(const struct ww_feat_clients *t);

/* The entry of client @addr (family 4/6), taken when new: a free way of
 * its set, else the least recently seen of the ways whose client has no
 * flow open and no block or throttle in force, else of those with no
 * block or throttle, else of all (an attacker who floods a set with new
 * sources cannot wipe a blocked client, nor easily a busy one). The set
 * is chosen by a keyed hash (jhash, non-linear: with CRC, which addresses
 * share a set would not depend on the key). @return its index (never
 * fails). */
uint32_t ww_feat_client_get(struct ww_feat_clients *t, uint8_t family,
			    const uint8_t *addr, uint64_t now_ns);

/* Roll @c's windows to the second of @now_ns (nothing when it is there
 * already). */
void ww_feat_client_roll(struct ww_feat_client *c, uint64_t now_ns);

/* Client @idx is about to count something at @now_ns: its windows are
 * rolled to that second, and it joins the second's active list. The
 * caller first ends a second that is over (below). */
void ww_feat_client_touch(struct ww_feat_clients *t, uint32_t idx,
			  uint64_t now_ns);

/* Has the active list's second ended by @now_ns? Then the caller takes
 * a tick row of each active[i] whose entry still counts in active_sec
 * (c->sec == active_sec) at the end of that second, rolls it, and calls
 * ww_feat_clients_second_done. */
static inline bool ww_feat_clients_second_over(const struct ww_feat_clients *t,
					       uint64_t now_ns)
{
	/* Later only: a frame that comes late (a capture slightly out of
	 * order) counts in the second it finds. */
	return t->n_active > 0 && now_ns / 1000000000ull > t->active_sec;
}
/* The active list's second is over: it becomes the list of ticks to
 * take (the caller took every tick left of the one before). */
static inline void ww_feat_clients_second_done(struct ww_feat_clients *t)
{
	uint32_t *x = t->ending;

	t->ending = t->active;
	t->active = x;
	t->n_ending = t->n_active;
	t->ending_next = 0;
	t->ending_sec = t->active_sec;
	t->n_active = 0;
}

/* Is @c's tick for the second that ended still to take? */
static inline bool ww_feat_client_tick_due(const struct ww_feat_clients *t,
					   const struct ww_feat_client *c)
{
	return c->in_list && t->ending_next < t->n_ending &&
	       c->sec == t->ending_sec;
}

/* ---- rows ---- */

/* A flow row at decision point @dp: @ff of @f, the request @req (may be
 * NULL), client @c (may be NULL). */
void ww_feat_row_flow(float *row, enum ww_feat_dp dp,
		      const struct ww_feat_flow *ff, const struct ww_flow *f,
		      const struct ww_feat_req *req,
		      const struct ww_feat_client *c, uint64_t now_ns);
/* A client row at @dp (tick: @now_ns is the end of the second). */
void ww_feat_row_client(float *row, enum ww_feat_dp dp,
			const struct ww_feat_client *c, uint64_t now_ns);

/* A row of features as exported (wirewall --features): who, when, where
 * it was taken, and the row. */
struct ww_feat_record {
	uint64_t ts_ns;
	uint64_t flow_id; /* 0: a client row */
	uint8_t family, proto, row_kind, dp;
	uint16_t client_port, server_port;
	uint8_t client[16], server[16];
	float row[WW_FEAT_N];
};

/* The CSV export: a header line naming every column, and one line per
 * record (addresses as text, times in seconds with ns). */
void ww_feat_csv_header(FILE *out);
void ww_feat_record_csv(FILE *out, const struct ww_feat_record *r);

/* a + b, stopping at UINT32_MAX. */
static inline uint32_t ww_feat_sat_add32(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* Linear counting: distinct values behind a 64-bit bitmap. */
float ww_feat_distinct(uint64_t bm);
/* The bit of a value in a bitmap: a full-avalanche mix (MurmurHash3's
 * finalizer), so that values the attacker picks in sequence (ports of a
 * scan) fall like random ones, as linear counting assumes. */
static inline uint64_t ww_feat_bit(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return 1ull << (h >> 26);
}

#endif /* WW_FEAT_H */
