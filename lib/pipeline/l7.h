/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_PIPELINE_L7_H
#define WW_PIPELINE_L7_H

/*
 * Application-layer inspection of TCP connections to the configured HTTP
 * ports (stage l7): reassembly of the client's bytes (lib/tcp) feeding the
 * HTTP/1.1 parser (lib/http, l7_http.c) and, on each request, auth, rate
 * limits and the WAF (l7_enforce.c); the server's bytes feed a response
 * parser that gives each request its status and latency.
 *
 * A context (bounded per-worker pool) is taken when the connection's
 * three-way handshake completes, so a flood of SYNs costs flow entries,
 * never inspection contexts; it is given back when the connection closes
 * (FIN both ways, or a RST), or when its flow ends. Requests are enforced,
 * responses only watched: the server's bytes are reassembled in order but
 * never normalized or held back, and once delivered they are freed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "stage.h"
#include "ww_event.h"
#include "ww_http.h"
#include "ww_tcp.h"

/*
 * ww_flow.l7 values besides a context (index + 1):
 * - L7_UNDECIDED: the handshake is not complete yet;
 * - L7_HS_WIN | w: ... and the server's SYN-ACK offered window w (low 16
 *   bits), the client's first limit;
 * - L7_NOT_INSPECTED: another port, or passed by an exception;
 * - L7_REFUSED: an exception refused it, client packets are dropped;
 * - L7_CLOSED: closed, its context is back, client data is refused;
 * - L7_RESET_NEXT: too slow, its context is back, its next client packet
 *   gets a reset both ways.
 */
#define L7_UNDECIDED	 0
#define L7_HS_WIN	 0x40000000u
#define L7_NOT_INSPECTED UINT32_MAX
#define L7_REFUSED	 (UINT32_MAX - 1)
#define L7_CLOSED	 (UINT32_MAX - 2)
#define L7_RESET_NEXT	 (UINT32_MAX - 3)
#define L7_IS_CTX(v)	 ((v) != L7_UNDECIDED && (v) < L7_HS_WIN)
#define L7_IS_UNDECIDED(v) \
	((v) == L7_UNDECIDED || ((v) >= L7_HS_WIN && (v) < L7_HS_WIN + 0x10000))

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
	uint8_t by_us;	    /* the appliance answered it (401, 403, 429) */
	uint32_t url_off, url_len; /* the whole URL in the context's store */
};

struct ww_l7 {
	struct ww_tcp_stream cli; /* client -> server bytes */
	struct ww_tcp_stream srv; /* server -> client bytes */
	uint64_t resp_first_ns;	  /* first byte of the current response */
	uint8_t resp_started;	  /* ... was seen */
	uint8_t resp_off;	  /* responses are no longer followed */
	uint8_t n_pending, first_pending;
	uint8_t head_checked; /* the current request's head passed checks */
	uint8_t answer_why;   /* enum ww_drop of the answered request */
	uint16_t answer;      /* HTTP status the appliance answers with */
	uint32_t retry_after; /* for a 429: seconds */
	uint8_t auth_result;  /* for a 401/403: enum ww_auth_result */
	uint8_t exc_verdict;  /* an exception stopped the connection: the
			       * enum ww_verdict for the current segment */
	uint8_t in_use;
	uint8_t violated; /* the parser stopped on a violation */
	uint8_t blocked;  /* the client's packets are no longer forwarded */
	uint8_t bypass;	  /* passed by policy: forwarded uninspected */
	uint8_t evasion_alerted;
	uint8_t protected; /* the WAF or auth covers this connection */
	uint32_t next_free;
	struct ww_flow *flow; /* the connection it inspects */
	/* Slow clients ([http] header_timeout, body_min_rate,
	 * keepalive_timeout): since when the connection waits for a request
	 * (its handshake, or the end of the last one), since when the
	 * current one's head has been coming (0: none begun), since when its
	 * body has. */
	uint64_t wait_since_ns, req_start_ns, body_start_ns;
	uint8_t served; /* a request was complete before: keep-alive wait */
	/* The URLs of the requests waiting for their answer, whole (the
	 * event records carry 255 bytes; the rest follows in records of its
	 * own when the event is logged): [http] max_request_line bytes,
	 * filled in order, emptied when no request waits. */
	char *url_store;
	uint32_t url_used;
	struct ww_http_parser http; /* requests */
	struct ww_http_parser resp; /* responses */
	struct ww_l7_pending pending[WW_L7_MAX_PENDING];
};

struct ww_l7_pool {
	uint64_t last_scan_ns; /* slow clients: last look at the pool */
	uint32_t scan_next;    /* ... and where it stopped */
	struct ww_l7 *ctx;
	char *buffers;	 /* per context: head, work, body, response head */
	uint32_t *slots; /* per context: reassembly slots, both ways */
	uint32_t n, free_head, buf_stride, n_slots;
	struct ww_tcp_pool tcp;
};

/* What a delivery callback works on. */
struct ww_l7_delivery {
	struct ww_worker *w;
	struct ww_flow *f;
	struct ww_l7 *x;
	const struct ww_pkt *p; /* the packet being reassembled */
	uint16_t in_port;
};

static inline struct ww_l7 *l7_ctx(const struct ww_worker *w,
				   const struct ww_flow *f)
{
	return &w->l7->ctx[f->l7 - 1];
}

/* l7_http.c: in-order bytes of each direction into its parser. */
void ww_l7_deliver_request(void *arg, const uint8_t *data, uint32_t len);
void ww_l7_deliver_response(void *arg, const uint8_t *data, uint32_t len);
/* Log every request still waiting (the connection ends). */
void ww_l7_flush_pending(struct ww_worker *w, struct ww_l7 *x);
/* An event about flow @f, with the client as source. */
void ww_l7_flow_event(struct ww_event *ev, const struct ww_worker *w,
		      const struct ww_flow *f, uint16_t type);
void ww_l7_alert(struct ww_worker *w, struct ww_flow *f, uint32_t sid,
		 enum ww_alert_cat category, const char *signature,
		 bool blocked);

/* l7_enforce.c: the checks on a request head (auth, limits) and on a
 * whole request (WAF). false when refused: x->answer says how. */
bool ww_l7_head_allowed(struct ww_l7_delivery *d);
bool ww_l7_request_allowed(struct ww_l7_delivery *d);

#endif /* WW_PIPELINE_L7_H */
