/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_PIPELINE_L7_H
#define WW_PIPELINE_L7_H

/*
 * Application-layer inspection of TCP connections to the configured HTTP
 * ports: reassembly of the client's bytes (lib/tcp) feeding the HTTP/1.1
 * parser (lib/http). A bounded per-worker pool of contexts, one per
 * inspected connection, taken when the connection is first seen and given
 * back when its flow ends; a connection that finds the pool empty is
 * forwarded uninspected and counted.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ww_http.h"
#include "ww_tcp.h"

struct ww_l7 {
	struct ww_tcp_stream cli; /* client -> server bytes */
	struct ww_http_parser http;
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
/* Inspect one decoded TCP packet of flow @f going @dir.
 * @return true when the packet must not be forwarded. dp-safe. */
bool ww_l7_packet(struct ww_worker *w, struct rte_mbuf *m,
		  const struct ww_pkt *p, struct ww_flow *f, uint8_t dir);

#endif /* WW_PIPELINE_L7_H */
