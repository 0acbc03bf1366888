/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage l7: TCP connections to the [http] ports. Per connection, a
 * context once the handshake completes; per client segment, reassembly
 * (lib/tcp: only bytes inside the server's window, first copy wins) into
 * the HTTP parser (l7_http.c) and the checks on each request
 * (l7_enforce.c); per server segment, the window it advertises and the
 * response parser. Whatever cannot be judged follows [exceptions]:
 * no_context, midstream, reassembly_cap (here), body_over_depth,
 * waf_arena, regex_limit (l7_http.c, l7_enforce.c).
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "l7.h"

/* Alert signature id of the overlap evasion (Suricata's stream event). */
#define SID_TCP_OVERLAP 2210050u

int ww_l7_pool_create(struct ww_worker *w)
{
	const struct ww_conf *c = w->ctx->conf;
	struct ww_l7_pool *pool;
	uint32_t i;
	int rc;

	if (c->n_http_ports == 0)
		return 0;
	pool = rte_zmalloc("ww_l7_pool", sizeof(*pool), 0);
	if (pool == NULL)
		return -ENOMEM;
	w->l7 = pool;
	pool->n = c->http_contexts;
	/* Request head and work buffers of max_header_bytes each, the
	 * body, the response head buffer, then the URL store. */
	pool->buf_stride = 3 * c->http_max_header_bytes + c->http_body_depth +
			   c->http_max_request_line;
	pool->n_slots = ww_tcp_slots_for(c->tcp_stream_max_kb << 10);
	pool->ctx = rte_zmalloc("ww_l7_ctx", sizeof(*pool->ctx) * pool->n,
				RTE_CACHE_LINE_SIZE);
	pool->buffers =
		rte_malloc("ww_l7_buf", (size_t)pool->buf_stride * pool->n, 0);
	pool->slots =
		rte_malloc("ww_l7_slots",
			   sizeof(uint32_t) * 2 * pool->n_slots * pool->n, 0);
	rc = ww_tcp_pool_init(&pool->tcp, (uint64_t)c->tcp_memory_mb << 20);
	if (pool->ctx == NULL || pool->buffers == NULL || pool->slots == NULL ||
	    rc < 0) {
		ww_l7_pool_destroy(w);
		return -ENOMEM;
	}
	for (i = 0; i < pool->n; i++)
		pool->ctx[i].next_free = i + 1 < pool->n ? i + 1 : UINT32_MAX;
	pool->free_head = 0;
	return 0;
}

void ww_l7_pool_destroy(struct ww_worker *w)
{
	struct ww_l7_pool *pool = w->l7;

	if (pool == NULL)
		return;
	ww_tcp_pool_free(&pool->tcp);
	rte_free(pool->ctx);
	rte_free(pool->buffers);
	rte_free(pool->slots);
	rte_free(pool);
	w->l7 = NULL;
}

static bool is_http_port(const struct ww_conf *c, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < c->n_http_ports; i++)
		if (c->http_ports[i] == port)
			return true;
	return false;
}

bool ww_port_protected(const struct ww_worker *w, uint16_t port)
{
	return is_http_port(w->ctx->conf, port) &&
	       (w->pol->waf != NULL || w->pol->waf_pending ||
		w->ctx->conf->n_auth_routes != 0);
}

/* The window @p advertises, scaled when both ends agreed to scaling
 * (RFC 7323 2.2; never in a SYN). */
static uint32_t window_of(const struct ww_flow *f, const struct ww_pkt *p,
			  uint8_t dir)
{
	uint32_t win = p->tcp_window;

	if (!(p->tcp_flags & WW_TCP_SYN) && f->tcp_wscale[0] != 0xff &&
	    f->tcp_wscale[1] != 0xff)
		win <<= f->tcp_wscale[dir];
	return win;
}

/* The handshake of @f completed with client packet @p: a context. */
static struct ww_l7 *take(struct ww_worker *w, struct ww_flow *f,
			  const struct ww_pkt *p, uint16_t server_port)
{
	struct ww_l7_pool *pool = w->l7;
	const struct ww_conf *c = w->ctx->conf;
	const struct ww_http_limits lim = {
		.max_request_line = c->http_max_request_line,
		.max_headers = c->http_max_headers,
		.max_header_bytes = c->http_max_header_bytes,
		.body_depth = c->http_body_depth,
		.max_chunk_ext = c->http_max_chunk_ext,
	};
	uint32_t i = pool->free_head, *slots;
	struct ww_l7 *x;
	char *buf;

	if (i == UINT32_MAX) {
		w->stats.l7_no_context++;
		return NULL;
	}
	x = &pool->ctx[i];
	pool->free_head = x->next_free;
	buf = pool->buffers + (size_t)i * pool->buf_stride;
	slots = pool->slots + (size_t)i * 2 * pool->n_slots;
	memset(x, 0, offsetof(struct ww_l7, http));
	ww_http_parser_init(
		&x->http, &lim, buf, c->http_max_header_bytes,
		buf + c->http_max_header_bytes, c->http_max_header_bytes,
		buf + 2 * c->http_max_header_bytes, c->http_body_depth);
	ww_http_parser_init_response(&x->resp, &lim,
				     buf + 2 * c->http_max_header_bytes +
					     c->http_body_depth,
				     c->http_max_header_bytes);
	/* The client's bytes start after its SYN; the server's after its
	 * SYN-ACK, which this packet acknowledges. The client may send
	 * what the SYN-ACK's window allows until the server says more. */
	ww_tcp_stream_start(&x->cli, f->tcp_isn_next, slots, pool->n_slots);
	if (f->l7 & L7_HS_WIN) /* (a SYN's window is never scaled) */
		ww_tcp_window(&x->cli, f->tcp_isn_next, f->l7 & 0xffff);
	ww_tcp_stream_start(&x->srv, p->tcp_ack, slots + pool->n_slots,
			    pool->n_slots);
	x->url_store = buf + 3 * c->http_max_header_bytes + c->http_body_depth;
	x->url_used = 0;
	x->in_use = 1;
	x->protected = ww_port_protected(w, server_port);
	x->flow = f;
	x->wait_since_ns = w->now_ns;
	f->l7 = i + 1;
	w->stats.l7_inspected++;
	return x;
}

/* Give back the context of flow @f, and say what the flow is now. */
static void release(struct ww_worker *w, struct ww_flow *f, uint32_t now)
{
	struct ww_l7_pool *pool = w->l7;
	struct ww_l7 *x;

	if (pool == NULL || !L7_IS_CTX(f->l7) || f->l7 > pool->n) {
		f->l7 = now;
		return;
	}
	x = l7_ctx(w, f);
	ww_l7_flush_pending(w, x);
	ww_tcp_stream_release(&pool->tcp, &x->cli);
	ww_tcp_stream_release(&pool->tcp, &x->srv);
	x->in_use = 0;
	x->flow = NULL;
	x->next_free = pool->free_head;
	pool->free_head = f->l7 - 1;
	f->l7 = now;
}

void ww_l7_release(struct ww_worker *w, struct ww_flow *f)
{
	release(w, f, L7_UNDECIDED);
}

bool ww_l7_answer_of(const struct ww_worker *w, const struct ww_flow *f,
		     uint16_t *status, uint32_t *retry_after,
		     uint8_t *auth_result)
{
	const struct ww_l7 *x;

	if (f == NULL || w->l7 == NULL || !L7_IS_CTX(f->l7) || f->l7 > w->l7->n)
		return false;
	x = l7_ctx(w, f);
	if (x->answer == 0)
		return false;
	*status = x->answer;
	*retry_after = x->retry_after;
	*auth_result = x->auth_result;
	return true;
}

/* A server -> client packet: its ACK and window free and admit client
 * bytes, its payload feeds the response parser. Never changes the
 * packet's fate. */
static void server_packet(struct ww_l7_delivery *d, struct rte_mbuf *m)
{
	struct ww_worker *w = d->w;
	struct ww_l7 *x = d->x;
	const struct ww_pkt *p = d->p;
	struct ww_l7_pool *pool = w->l7;
	unsigned int flags;

	/* Only the real server's word moves what the client may send and
	 * what counts as received: a packet with the server's address that
	 * came in from the outside is someone else's (forged ACKs and
	 * windows would let bytes the server never took be replaced
	 * unseen). */
	if ((p->tcp_flags & WW_TCP_ACK) &&
	    w->ctx->side[d->in_port] != WW_SIDE_OUTSIDE) {
		ww_tcp_window(&x->cli, p->tcp_ack,
			      window_of(d->f, p, WW_FLOW_TOCLIENT));
		ww_tcp_ack(&pool->tcp, &x->cli, p->tcp_ack);
	}
	if (x->resp_off || (p->tcp_flags & WW_TCP_SYN) || p->payload_len == 0)
		return;
	/* No window check this way: responses are only watched, and a
	 * window update the appliance missed must not cost the server's
	 * bytes their parsing. */
	flags = ww_tcp_segment(
		&pool->tcp, &x->srv, p->tcp_seq,
		rte_pktmbuf_mtod_offset(m, uint8_t *, p->payload_off),
		p->payload_len, false, ww_l7_deliver_response, d);
	/* Responses are not normalized, so delivered bytes need not be
	 * kept for comparison with retransmissions: only out-of-order
	 * data stays, and a download costs no reassembly memory. */
	ww_tcp_ack(&pool->tcp, &x->srv, x->srv.next_seq);
	if ((flags & WW_TCP_CAP) && !x->resp_off) {
		w->stats.http_response_lost++;
		x->resp_off = 1;
		ww_l7_flush_pending(w, x);
	}
}

/* The payload was rewritten: recompute the TCP checksum. */
static void fix_tcp_checksum(struct rte_mbuf *m, const struct ww_pkt *p)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l3_off);
	struct rte_tcp_hdr *tcp =
		rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, p->l4_off);

	tcp->cksum = 0;
	if (p->l3 == WW_PKT_L3_IPV4)
		tcp->cksum = rte_ipv4_udptcp_cksum(
			(const struct rte_ipv4_hdr *)l3, tcp);
	else
		tcp->cksum = rte_ipv6_udptcp_cksum(
			(const struct rte_ipv6_hdr *)l3, tcp);
}

/* Connection @f cannot be inspected (case @e): pass leaves it
 * uninspected for good, drop and reset refuse its client's packets. */
static enum ww_verdict refuse_conn(struct ww_l7_delivery *d, enum ww_conf_exc e,
				   bool protected)
{
	enum ww_verdict v =
		ww_exception(d->w, e, protected, d->p, d->in_port, d->f->id);

	if (L7_IS_CTX(d->f->l7)) {
		if (v == WW_V_FORWARD)
			d->x->bypass = 1;
		else
			d->x->blocked = 1;
		return v;
	}
	d->f->l7 = v == WW_V_FORWARD ? L7_NOT_INSPECTED : L7_REFUSED;
	return v;
}

/* What the answer of a refused request turns into. */
static enum ww_verdict answer_verdict(const struct ww_conf *c,
				      const struct ww_l7 *x)
{
	if (x->answer_why == WW_DROP_WAF)
		return c->waf_answer_403 ? WW_V_ANSWER : WW_V_RESET;
	if (x->answer_why == WW_DROP_AUTH)
		return WW_V_ANSWER;
	switch (c->limit_action) {
	case WW_CONF_LIMIT_RESET:
		return WW_V_RESET;
	case WW_CONF_LIMIT_DROP:
		return WW_V_DROP;
	default:
		return WW_V_ANSWER;
	}
}

/* A client -> server segment with payload, of an inspected connection. */
static enum ww_verdict client_segment(struct ww_l7_delivery *d,
				      struct rte_mbuf *m, enum ww_drop *why)
{
	struct ww_worker *w = d->w;
	struct ww_l7 *x = d->x;
	const struct ww_pkt *p = d->p;
	const struct ww_conf *c = w->pol->conf;
	unsigned int flags;

	flags = ww_tcp_segment(
		&w->l7->tcp, &x->cli, p->tcp_seq,
		rte_pktmbuf_mtod_offset(m, uint8_t *, p->payload_off),
		p->payload_len, c->tcp_overlap_rewrite, ww_l7_deliver_request,
		d);
	if (flags & WW_TCP_REFUSED) {
		/* Not what the server would take now: its sender sends it
		 * again once the window or the gap before it moves. */
		w->stats.stage.tcp_out_of_window +=
			(flags & WW_TCP_OUT_OF_WINDOW) != 0;
		w->stats.stage.tcp_beyond_span += (flags & WW_TCP_BEYOND) != 0;
		w->stats.stage.tcp_ooo_refused += (flags & WW_TCP_NO_ROOM) != 0;
		*why = WW_DROP_TCP_REFUSED;
		return WW_V_DROP;
	}
	if (flags & WW_TCP_EVASION) {
		w->stats.tcp_overlap_evasions++;
		if (!x->evasion_alerted) {
			x->evasion_alerted = 1;
			ww_l7_alert(
				w, d->f, SID_TCP_OVERLAP,
				WW_ACAT_PROTOCOL_VIOLATION,
				c->tcp_overlap_rewrite
					? "TCP overlap with different data (rewritten)"
					: "TCP overlap with different data (dropped)",
				true);
		}
		if (!(flags & WW_TCP_REWRITTEN))
			return WW_V_DROP;
		/* A reassembled datagram is sent as its fragments, which
		 * cannot be rewritten: it goes no further. */
		if (p->flags & WW_PKT_F_FRAGMENT)
			return WW_V_DROP;
		fix_tcp_checksum(m, p);
	}
	if (flags & WW_TCP_CAP) {
		w->stats.tcp_cap_hits++;
		*why = WW_DROP_EXCEPTION;
		return refuse_conn(d, WW_CONF_EXC_REASSEMBLY_CAP, x->protected);
	}
	if (x->exc_verdict) {
		x->blocked = 1;
		*why = WW_DROP_EXCEPTION;
		return (enum ww_verdict)x->exc_verdict;
	}
	/* A request the appliance answers itself does not go on, nor does
	 * anything the client sends after it. */
	if (x->answer) {
		x->blocked = 1;
		*why = (enum ww_drop)x->answer_why;
		return answer_verdict(c, x);
	}
	/* The segment that completed a bad request does not go on, nor
	 * does anything the client sends after it. */
	if (x->violated && c->http_violation_action != WW_CONF_VIOLATION_PASS) {
		x->blocked = 1;
		return c->http_violation_action == WW_CONF_VIOLATION_RESET
			       ? WW_V_RESET
			       : WW_V_DROP;
	}
	return WW_V_FORWARD;
}

/* Before the handshake completed (or without one): @return the verdict,
 * and whether the connection now has a context (*@x). */
static enum ww_verdict undecided(struct ww_l7_delivery *d, bool to_server,
				 enum ww_drop *why)
{
	struct ww_worker *w = d->w;
	struct ww_flow *f = d->f;
	const struct ww_pkt *p = d->p;
	const uint16_t server_port = to_server ? p->dport : p->sport;
	const bool protected = ww_port_protected(w, server_port);

	if (!is_http_port(w->ctx->conf, server_port)) {
		/* Roles that read backwards: the "client" end is an [http]
		 * port and the handshake was not seen the right way round
		 * (the flow began with a SYN-ACK its client sent, say). The
		 * connection could be one to that port: it is judged as a
		 * connection without its handshake, not let go uninspected. */
		const uint16_t client_port = to_server ? p->sport : p->dport;

		if (is_http_port(w->ctx->conf, client_port) &&
		    (f->tcp_hs & (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK)) !=
			    (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK)) {
			if (p->payload_len == 0)
				return WW_V_FORWARD; /* decided on data */
			*why = WW_DROP_EXCEPTION;
			w->stats.stage.tcp_midstream++;
			return refuse_conn(d, WW_CONF_EXC_MIDSTREAM,
					   ww_port_protected(w, client_port));
		}
		f->l7 = L7_NOT_INSPECTED;
		return WW_V_FORWARD;
	}
	*why = WW_DROP_EXCEPTION;
	/* The flow stage has seen the whole burst: the window the SYN-ACK
	 * offered is kept here, as this packet gives it. */
	if (!to_server && (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) ==
				  (WW_TCP_SYN | WW_TCP_ACK)) {
		f->l7 = L7_HS_WIN | p->tcp_window;
		return WW_V_FORWARD;
	}
	if ((f->tcp_hs & (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK)) ==
		    (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK) &&
	    to_server && !(p->tcp_flags & WW_TCP_SYN) &&
	    (p->tcp_flags & WW_TCP_ACK)) {
		d->x = take(w, f, p, server_port);
		if (d->x == NULL)
			return refuse_conn(d, WW_CONF_EXC_NO_CONTEXT,
					   protected);
		return WW_V_FORWARD;
	}
	/* Data before the handshake completed, or on a connection first
	 * seen in the middle (a restart, or a crafted segment): there is no
	 * start to reassemble from. Control segments wait. */
	if (to_server && p->payload_len > 0) {
		w->stats.stage.tcp_midstream++;
		return refuse_conn(d, WW_CONF_EXC_MIDSTREAM, protected);
	}
	return WW_V_FORWARD;
}

static enum ww_verdict l7_packet(struct ww_worker *w, struct ww_burst *b,
				 uint16_t i, enum ww_drop *why)
{
	struct ww_flow *f = b->flow[i];
	struct ww_l7_delivery d = {w, f, NULL, &b->pk[i], b->m[i]->port};
	const bool to_server = b->dir[i] == WW_FLOW_TOSERVER;
	const struct ww_pkt *p = &b->pk[i];
	enum ww_verdict v;

	switch (f->l7) {
	case L7_NOT_INSPECTED:
		return WW_V_FORWARD;
	case L7_REFUSED:
		*why = WW_DROP_EXCEPTION;
		return to_server ? WW_V_DROP : WW_V_FORWARD;
	case L7_RESET_NEXT:
		/* Too slow: the reset it was due, now that a packet of its
		 * client gives the addresses and sequence numbers. */
		if (!to_server)
			return WW_V_FORWARD;
		f->l7 = L7_REFUSED;
		*why = WW_DROP_EXCEPTION;
		return WW_V_RESET;
	case L7_CLOSED:
		/* Closed (FIN both ways, or a RST the appliance took as in
		 * window): client data now could only reach a server that
		 * did not take the close, uninspected. */
		if (!to_server || p->payload_len == 0)
			return WW_V_FORWARD;
		*why = WW_DROP_EXCEPTION;
		return ww_exception(w, WW_CONF_EXC_MIDSTREAM,
				    ww_port_protected(w, p->dport), p,
				    d.in_port, f->id);
	default:
		if (L7_IS_UNDECIDED(f->l7)) {
			v = undecided(&d, to_server, why);
			if (d.x == NULL)
				return v;
		} else {
			d.x = l7_ctx(w, f);
		}
		break;
	}
	if (!to_server) {
		server_packet(&d, b->m[i]);
		return WW_V_FORWARD;
	}
	if (d.x->blocked) {
		*why = d.x->answer_why ? (enum ww_drop)d.x->answer_why
				       : WW_DROP_BLOCKED;
		return WW_V_DROP;
	}
	if (d.x->bypass || p->payload_len == 0)
		return WW_V_FORWARD;
	return client_segment(&d, b->m[i], why);
}

/* Whether a frame of frame @i's flow, up to @i, is to be answered or
 * reset by stage_verdict (which reads the context for it). */
static bool answered_in_burst(const struct ww_burst *b, uint16_t i)
{
	uint16_t j;

	for (j = 0; j <= i; j++)
		if (b->flow[j] == b->flow[i] && (b->verdict[j] == WW_V_ANSWER ||
						 b->verdict[j] == WW_V_RESET))
			return true;
	return false;
}

void stage_l7(struct ww_worker *w, struct ww_burst *b)
{
	bool last[WW_BURST_MAX];
	uint16_t i, j;

	/* Frame by frame, its features first (stage_detect.c): a row a
	 * request takes sees exactly the packets before it. */
	if (w->l7 == NULL) {
		for (i = 0; i < b->n; i++)
			ww_detect_frame(w, b, i);
		return;
	}
	/* The last frame of each flow in the burst: once it is through, a
	 * closed connection's context can go back at once (the flow stage
	 * saw the whole burst, so "closed" may be the state after a later
	 * frame of the same flow). */
	for (i = 0; i < b->n; i++) {
		last[i] = b->flow[i] != NULL;
		for (j = (uint16_t)(i + 1); j < b->n && last[i]; j++)
			last[i] = b->flow[j] != b->flow[i];
	}
	for (i = 0; i < b->n; i++) {
		struct ww_flow *f = b->flow[i];
		const struct ww_pkt *p = &b->pk[i];
		enum ww_drop why = WW_DROP_BLOCKED;
		enum ww_verdict v;

		ww_detect_frame(w, b, i);
		if (!live(b, i) || f == NULL || p->l4proto != 6 ||
		    !(p->flags & WW_PKT_F_L4))
			continue;
		w->now_ns = b->ts[i];
		v = l7_packet(w, b, i, &why);
		if (v != WW_V_FORWARD)
			stop(b, i, v, why);
		/* Closed: the context goes back now (an answer or a reset
		 * still to send reads it: those wait for stage_l7_closed). */
		if (last[i] && f->state == WW_FLOW_CLOSED && L7_IS_CTX(f->l7) &&
		    !answered_in_burst(b, i))
			release(w, f, L7_CLOSED);
	}
}

/* The packet of @f's client, as far as events need it. */
static void flow_pkt(const struct ww_flow *f, struct ww_pkt *p)
{
	const unsigned int c = f->client_lo ? 0 : 1;

	memset(p, 0, sizeof(*p));
	p->l3 = f->key.family == 4 ? WW_PKT_L3_IPV4 : WW_PKT_L3_IPV6;
	p->l4proto = 6;
	p->flags = WW_PKT_F_L4;
	memcpy(p->src, f->key.addr[c], 16);
	memcpy(p->dst, f->key.addr[1 - c], 16);
	p->sport = f->key.port[c];
	p->dport = f->key.port[1 - c];
}

/* Is the connection of context @x too slow at @now? */
static bool too_slow(const struct ww_conf *c, const struct ww_l7 *x,
		     uint64_t now)
{
	const uint64_t head_ns = (uint64_t)c->http_header_timeout * NS_PER_S;
	uint64_t elapsed;

	if (x->req_start_ns == 0) /* waiting for a request */
		return now - x->wait_since_ns >
		       (x->served
				? (uint64_t)c->http_keepalive_timeout * NS_PER_S
				: head_ns);
	if (!x->http.req.head_done)
		return now - x->req_start_ns > head_ns;
	if (x->body_start_ns == 0 || c->http_body_min_rate == 0)
		return false;
	elapsed = now - x->body_start_ns;
	return elapsed > head_ns &&
	       x->http.req.body_bytes * NS_PER_S <
		       (uint64_t)c->http_body_min_rate * elapsed;
}

void stage_l7_slow(struct ww_worker *w)
{
	struct ww_l7_pool *pool = w->l7;
	const struct ww_conf *c = w->pol->conf;
	uint32_t n, k;

	/* The whole pool about every second, a tenth at a time: the cost
	 * is the pool's size per second, whatever the traffic. */
	if (pool == NULL || w->now_ns - pool->last_scan_ns < NS_PER_S / 10)
		return;
	pool->last_scan_ns = w->now_ns;
	n = pool->n / 10 + 1;
	for (k = 0; k < n; k++) {
		struct ww_l7 *x = &pool->ctx[pool->scan_next];
		struct ww_flow *f = x->flow;
		enum ww_verdict v;
		struct ww_pkt p;

		pool->scan_next =
			pool->scan_next + 1 < pool->n ? pool->scan_next + 1 : 0;
		if (!x->in_use || f == NULL || x->blocked || x->bypass ||
		    x->violated || x->answer || x->resp_off ||
		    w->now_ns < x->wait_since_ns || !too_slow(c, x, w->now_ns))
			continue;
		w->stats.stage.slow_requests++;
		flow_pkt(f, &p);
		v = ww_exception(w, WW_CONF_EXC_SLOW_REQUEST, x->protected, &p,
				 UINT16_MAX, f->id);
		/* Its context goes back whatever the policy: a slow client
		 * must not hold one. */
		release(w, f,
			v == WW_V_FORWARD ? L7_NOT_INSPECTED
			: v == WW_V_RESET ? L7_RESET_NEXT
					  : L7_REFUSED);
	}
}

void stage_l7_closed(struct ww_worker *w, struct ww_burst *b)
{
	uint16_t i;

	/* Closed connections give their context back now, not when their
	 * flow leaves the table seconds later: after the whole burst (the
	 * flow stage saw all its frames first, so a flow may read closed
	 * before its last frames came through stage_l7) and after the
	 * verdicts (an answer reads the context). */
	if (w->l7 == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		struct ww_flow *f = b->flow[i];

		if (f != NULL && f->state == WW_FLOW_CLOSED && L7_IS_CTX(f->l7))
			release(w, f, L7_CLOSED);
	}
}
