/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_PIPELINE_L7_H
#define WW_PIPELINE_L7_H

/*
 * Application-layer inspection of TCP connections to the configured HTTP
 * ports: reassembly of the client's bytes (lib/tcp) feeding the HTTP/1.1
 * parser (lib/http), and of the server's bytes feeding a response parser
 * that gives each request its status and latency. A bounded per-worker
 * pool of contexts, one per inspected connection, taken when the
 * connection is first seen and given back when its flow ends; a
 * connection that finds the pool empty is forwarded uninspected and
 * counted.
 *
 * Requests are enforced, responses only watched: the server's bytes are
 * reassembled in order but never normalized or held back, and once
 * delivered they are freed at once.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ww_event.h"
#include "ww_http.h"
#include "ww_tcp.h"

/* Requests of one connection still waiting for their response (HTTP/1.1
 * answers in order). A client that pipelines more than this has its
 * oldest request logged without a status. */
#define WW_L7_MAX_PENDING 8

/* A parsed request whose http event waits for the response. */
struct ww_l7_pending {
	struct ww_event ev; /* status, latency and length still to fill */
	uint64_t end_ns;    /* when the request's last byte was seen */
	uint8_t no_body;    /* HEAD: the response carries no body */
	uint8_t connect;    /* CONNECT: a 2xx turns the connection into a
			     * tunnel */
};

struct ww_l7 {
	struct ww_tcp_stream cli; /* client -> server bytes */
	struct ww_tcp_stream srv; /* server -> client bytes */
	uint64_t resp_first_ns;	  /* first byte of the current response */
	uint8_t resp_started;	  /* ... was seen */
	uint8_t resp_off;	  /* responses are no longer followed */
	uint8_t n_pending, first_pending;
	uint8_t head_checked; /* the current request's head passed checks */
	uint16_t answer;      /* HTTP status the appliance answers with */
	uint32_t retry_after; /* for a 429: seconds */
	uint8_t auth_result;  /* for a 401/403: enum ww_auth_result */
	uint8_t answer_why;   /* enum ww_drop of the answered request */
	struct ww_http_parser http; /* requests */
	struct ww_http_parser resp; /* responses */
	struct ww_l7_pending pending[WW_L7_MAX_PENDING];
	uint32_t next_free;
	uint8_t in_use;
	uint8_t violated; /* the parser stopped on a violation */
	uint8_t blocked;  /* the client's packets are no longer forwarded */
	uint8_t bypass;	  /* over a cap: forwarded uninspected */
	uint8_t evasion_alerted;
};

struct ww_l7_pool {
	struct ww_l7 *ctx;
	char *buffers; /* per context: head, work, body */
	uint32_t n, free_head, buf_stride;
	struct ww_tcp_pool tcp;
};

struct ww_worker;
struct ww_pkt;
struct ww_flow;
struct rte_mbuf;

int ww_l7_pool_create(struct ww_worker *w);
void ww_l7_pool_destroy(struct ww_worker *w);
/* The flow ends: give its context back. */
void ww_l7_release(struct ww_worker *w, struct ww_flow *f);
enum ww_l7_verdict {
	WW_L7_FORWARD = 0,
	WW_L7_DROP,   /* do not forward this packet */
	WW_L7_RESET,  /* do not forward it, and reset both ends */
	WW_L7_ANSWER, /* do not forward it: answer the client (see
		       * ww_l7_make_answer) and reset the server */
};

/* Inspect one decoded TCP packet of flow @f going @dir. When the verdict
 * is not WW_L7_FORWARD, *@why is the drop reason to count (left as the
 * caller set it, WW_DROP_BLOCKED, unless more precise). dp-safe. */
enum ww_drop;
enum ww_l7_verdict ww_l7_packet(struct ww_worker *w, struct rte_mbuf *m,
				const struct ww_pkt *p, struct ww_flow *f,
				uint8_t dir, enum ww_drop *why);

/*
 * Build a TCP reset for the connection of client packet @p (received as
 * @orig): towards the server with the sequence number @p carried (the one
 * the server expects next), or back to the client with the one the
 * client acknowledges, so both stacks accept it (RFC 9293 3.5.3).
 * @return the frame, or NULL (no mbuf: counted). dp-safe.
 */
struct rte_mbuf *ww_l7_make_reset(struct ww_worker *w,
				  const struct rte_mbuf *orig,
				  const struct ww_pkt *p, bool to_server);

/*
 * Build the HTTP answer the appliance gives in place of the server for
 * the connection of client packet @p (received as @orig), flow @f: the
 * status its context holds (429 with Retry-After, ...), Connection:
 * close, with FIN, in the client's sequence space so its stack takes it
 * as the server's. @return the frame or NULL (no mbuf: counted). dp-safe.
 */
struct rte_mbuf *ww_l7_make_answer(struct ww_worker *w,
				   const struct rte_mbuf *orig,
				   const struct ww_pkt *p,
				   const struct ww_flow *f);

#endif /* WW_PIPELINE_L7_H */
