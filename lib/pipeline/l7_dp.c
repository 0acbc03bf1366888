/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP reassembly and HTTP parsing of inspected connections. See l7.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_ip.h>
#include <rte_malloc.h>

#include "l7.h"
#include "ww_pipeline.h"

/* Alert signature ids: HTTP framing violations take 2221000 + their
 * number (the range Suricata uses for HTTP events), the overlap evasion
 * its stream-event id. */
#define SID_HTTP_VIOLATION 2221000u
#define SID_TCP_OVERLAP	   2210050u

/* ww_flow.l7 of a connection that is not inspected. */
#define L7_NOT_INSPECTED UINT32_MAX

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
	pool->n = c->http_contexts;
	/* Request head and work buffers of max_header_bytes each, the
	 * body, then the response head buffer. */
	pool->buf_stride = 3 * c->http_max_header_bytes + c->http_body_depth;
	pool->ctx = rte_zmalloc("ww_l7_ctx", sizeof(*pool->ctx) * pool->n,
				RTE_CACHE_LINE_SIZE);
	pool->buffers =
		rte_malloc("ww_l7_buf", (size_t)pool->buf_stride * pool->n, 0);
	rc = ww_tcp_pool_init(&pool->tcp, (uint64_t)c->tcp_memory_mb << 20);
	if (pool->ctx == NULL || pool->buffers == NULL || rc < 0) {
		w->l7 = pool;
		ww_l7_pool_destroy(w);
		return -ENOMEM;
	}
	for (i = 0; i < pool->n; i++)
		pool->ctx[i].next_free = i + 1 < pool->n ? i + 1 : UINT32_MAX;
	pool->free_head = 0;
	w->l7 = pool;
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
	rte_free(pool);
	w->l7 = NULL;
}

static struct ww_l7 *take(struct ww_worker *w, struct ww_flow *f)
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
	uint32_t i = pool->free_head;
	struct ww_l7 *x;
	char *buf;

	if (i == UINT32_MAX) {
		w->stats.l7_no_context++;
		return NULL;
	}
	x = &pool->ctx[i];
	pool->free_head = x->next_free;
	buf = pool->buffers + (size_t)i * pool->buf_stride;
	memset(x, 0, offsetof(struct ww_l7, http));
	ww_http_parser_init(
		&x->http, &lim, buf, c->http_max_header_bytes,
		buf + c->http_max_header_bytes, c->http_max_header_bytes,
		buf + 2 * c->http_max_header_bytes, c->http_body_depth);
	ww_http_parser_init_response(&x->resp, &lim,
				     buf + 2 * c->http_max_header_bytes +
					     c->http_body_depth,
				     c->http_max_header_bytes);
	x->violated = x->blocked = x->bypass = x->evasion_alerted = 0;
	x->in_use = 1;
	f->l7 = i + 1;
	w->stats.l7_inspected++;
	return x;
}

/* Log the oldest waiting request, with what is known of its response. */
static void log_oldest(struct ww_worker *w, struct ww_l7 *x)
{
	struct ww_l7_pending *q = &x->pending[x->first_pending];

	if (q->ev.http.status == 0)
		w->stats.http_unanswered++;
	if (w->ctx->conf->http_events)
		ww_worker_log(w, &q->ev);
	x->first_pending = (x->first_pending + 1) % WW_L7_MAX_PENDING;
	x->n_pending--;
}

/* The connection ends or its responses can no longer be followed: log
 * every waiting request; the oldest may have its response head and part
 * of a body (one delimited by the connection's end, say). */
static void flush_pending(struct ww_worker *w, struct ww_l7 *x)
{
	if (x->n_pending > 0 && x->pending[x->first_pending].ev.http.status)
		x->pending[x->first_pending].ev.http.length =
			x->resp.req.body_bytes;
	while (x->n_pending > 0)
		log_oldest(w, x);
}

void ww_l7_release(struct ww_worker *w, struct ww_flow *f)
{
	struct ww_l7_pool *pool = w->l7;
	struct ww_l7 *x;

	if (pool == NULL || f->l7 == 0 || f->l7 > pool->n) {
		f->l7 = 0;
		return;
	}
	x = &pool->ctx[f->l7 - 1];
	flush_pending(w, x);
	ww_tcp_stream_release(&pool->tcp, &x->cli);
	ww_tcp_stream_release(&pool->tcp, &x->srv);
	x->in_use = 0;
	x->next_free = pool->free_head;
	pool->free_head = f->l7 - 1;
	f->l7 = 0;
}

/* An event about flow @f, with the client as source. */
static void flow_event(struct ww_event *ev, const struct ww_worker *w,
		       const struct ww_flow *f, uint16_t type)
{
	const unsigned int c = f->client_lo ? 0 : 1, s = 1 - c;

	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = w->now_ns;
	ev->flow_id = f->id;
	ev->type = type;
	ev->in_port = UINT16_MAX;
	ev->family = f->key.family;
	ev->proto = f->key.proto;
	memcpy(ev->src_ip, f->key.addr[c], 16);
	memcpy(ev->dest_ip, f->key.addr[s], 16);
	ev->src_port = f->key.port[c];
	ev->dest_port = f->key.port[s];
}

static void copy_str(char *dst, size_t cap, struct ww_http_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (n > 0)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static void alert(struct ww_worker *w, const struct ww_flow *f, uint32_t sid,
		  const char *category, const char *signature, bool blocked)
{
	struct ww_event ev;

	if (w->events == NULL)
		return;
	flow_event(&ev, w, f, WW_EVENT_ALERT);
	ww_alert_fill(&ev, sid, category, signature, blocked);
	ww_event_push(w->events, &ev, &w->stats.events_dropped);
}

struct delivery {
	struct ww_worker *w;
	struct ww_flow *f;
	struct ww_l7 *x;
};

/* A request is complete: it waits for its response, or is logged now
 * when responses are not followed. */
static void queue_request(struct ww_worker *w, const struct ww_flow *f,
			  struct ww_l7 *x)
{
	const struct ww_http_request *r = &x->http.req;
	struct ww_l7_pending *q;

	if (x->n_pending == WW_L7_MAX_PENDING)
		log_oldest(w, x);
	q = &x->pending[(x->first_pending + x->n_pending) % WW_L7_MAX_PENDING];
	x->n_pending++;
	q->end_ns = w->now_ns;
	q->no_body = r->method.len == 4 && memcmp(r->method.p, "HEAD", 4) == 0;
	q->connect =
		r->method.len == 7 && memcmp(r->method.p, "CONNECT", 7) == 0;
	flow_event(&q->ev, w, f, WW_EVENT_HTTP);
	copy_str(q->ev.http.hostname, sizeof(q->ev.http.hostname), r->host);
	copy_str(q->ev.http.url, sizeof(q->ev.http.url), r->uri_raw);
	copy_str(q->ev.http.http_method, sizeof(q->ev.http.http_method),
		 r->method);
	copy_str(q->ev.http.protocol, sizeof(q->ev.http.protocol), r->version);
	copy_str(q->ev.http.http_user_agent, sizeof(q->ev.http.http_user_agent),
		 r->user_agent);
	q->ev.http.request_length = r->body_bytes;
	if (x->resp_off)
		flush_pending(w, x);
}

/* The responses of this connection can no longer be followed. */
static void responses_lost(struct ww_worker *w, struct ww_l7 *x)
{
	w->stats.http_response_lost++;
	x->resp_off = 1;
	flush_pending(w, x);
}

/* The response head for the oldest waiting request arrived. */
static void response_head(struct ww_worker *w, struct ww_l7 *x)
{
	struct ww_l7_pending *q = &x->pending[x->first_pending];

	if (x->n_pending == 0)
		return;
	q->ev.http.status = x->resp.req.status;
	q->ev.http.latency_ns =
		x->resp_first_ns > q->end_ns ? x->resp_first_ns - q->end_ns : 0;
	q->ev.ts_ns = w->now_ns;
}

/* A complete response. @return false when the connection leaves HTTP
 * (101 Switching Protocols, a successful CONNECT). */
static bool response_done(struct ww_worker *w, struct ww_l7 *x)
{
	const uint16_t status = x->resp.req.status;
	bool tunnel = status == 101;

	w->stats.http_responses++;
	x->resp_started = 0;
	/* Interim (100 Continue, 103 Early Hints): the final response
	 * follows, and the latency runs to its first byte, since a 100
	 * comes before the request body and says nothing of the service. */
	if (status < 200 && status != 101)
		return true;
	if (x->n_pending > 0) {
		struct ww_l7_pending *q = &x->pending[x->first_pending];

		tunnel |= q->connect && status < 300;
		response_head(w, x);
		q->ev.http.length = x->resp.req.body_bytes;
		log_oldest(w, x);
	}
	return !tunnel;
}

/* In-order server bytes into the response parser. */
static void deliver_response(void *arg, const uint8_t *data, uint32_t len)
{
	struct delivery *d = arg;
	struct ww_worker *w = d->w;
	struct ww_l7 *x = d->x;
	uint32_t off = 0;

	while (off < len && !x->resp_off) {
		size_t used;
		enum ww_http_event ev;

		if (!x->resp_started) {
			x->resp_started = 1;
			x->resp_first_ns = w->now_ns;
		}
		ww_http_expect_no_body(
			&x->resp, x->n_pending > 0 &&
					  x->pending[x->first_pending].no_body);
		ev = ww_http_feed(&x->resp, (const char *)data + off, len - off,
				  &used);
		off += (uint32_t)used;
		if (ev == WW_HTTP_HEAD) {
			response_head(w, x);
		} else if (ev == WW_HTTP_REQUEST) {
			if (!response_done(w, x)) {
				/* Not HTTP any more: neither direction is
				 * parsed from here on. */
				x->resp_off = 1;
				x->bypass = 1;
				flush_pending(w, x);
			}
		} else if (ev == WW_HTTP_VIOLATION) {
			responses_lost(w, x);
		} else {
			break;
		}
	}
}

/* A server -> client packet: its ACK frees client bytes, its payload
 * feeds the response parser. Never changes the packet's fate. */
static void server_packet(struct ww_worker *w, struct rte_mbuf *m,
			  const struct ww_pkt *p, struct ww_flow *f,
			  struct ww_l7 *x)
{
	struct ww_l7_pool *pool = w->l7;
	struct delivery d = {w, f, x};
	unsigned int flags;

	if (p->tcp_flags & WW_TCP_ACK)
		ww_tcp_ack(&pool->tcp, &x->cli, p->tcp_ack);
	if (x->resp_off)
		return;
	if (p->tcp_flags & WW_TCP_SYN) {
		ww_tcp_stream_start(&x->srv, p->tcp_seq + 1);
		return;
	}
	if (p->payload_len == 0)
		return;
	if (!x->srv.started) /* picked up mid-connection */
		ww_tcp_stream_start(&x->srv, p->tcp_seq);
	flags = ww_tcp_segment(
		&pool->tcp, &x->srv, p->tcp_seq,
		rte_pktmbuf_mtod_offset(m, uint8_t *, p->payload_off),
		p->payload_len, false, w->ctx->conf->tcp_stream_max_kb << 10,
		deliver_response, &d);
	/* Responses are not normalized, so delivered bytes need not be
	 * kept for comparison with retransmissions: only out-of-order
	 * data stays, and a download costs no reassembly memory. */
	ww_tcp_ack(&pool->tcp, &x->srv, x->srv.next_seq);
	if ((flags & WW_TCP_CAP) && !x->resp_off)
		responses_lost(w, x);
}

/* A JWT on the routes that need one. @return false when it is missing
 * or refused: x->answer is then 401 (or 403: another audience). */
static bool auth_allowed(struct ww_worker *w, const struct ww_flow *f,
			 struct ww_l7 *x)
{
	const struct ww_auth *a = w->ctx->auth;
	const struct ww_http_request *r = &x->http.req;
	const char *authz = NULL;
	uint32_t len = 0, i;
	enum ww_auth_result res;
	int route;

	route = ww_auth_route_for(a, r->path.p, r->path.len);
	if (route < 0)
		return true;
	for (i = 0; i < r->n_headers; i++) {
		const struct ww_http_str *n = &r->headers[i].name;

		if (n->len == 13 &&
		    strncasecmp(n->p, "authorization", 13) == 0) {
			if (authz != NULL) { /* two: ambiguous, refused */
				authz = "";
				len = 0;
				break;
			}
			authz = r->headers[i].value.p;
			len = r->headers[i].value.len;
		}
	}
	res = ww_auth_check(&w->auth, a, route, authz, len, w->now_ns);
	if (res == WW_AUTH_OK)
		return true;
	x->answer = ww_auth_status(res);
	x->auth_result = (uint8_t)res;
	if (ww_worker_alert_due(w, WW_MEMO_AUTH,
				f->key.addr[f->client_lo ? 0 : 1],
				f->key.family == 4 ? 4 : 16)) {
		char sig[80];

		snprintf(sig, sizeof(sig), "JWT refused: %s",
			 ww_auth_result_name(res));
		alert(w, f, WW_SID_AUTH + res, "authentication", sig, true);
	}
	return false;
}

/* Limits that apply to the request whose head x->http.req holds: per
 * client, per client and route, per service. @return false when one is
 * over; x->answer and x->retry_after then say how to answer. */
static bool request_allowed(struct ww_worker *w, const struct ww_flow *f,
			    struct ww_l7 *x)
{
	const struct ww_conf *c = w->ctx->conf;
	const struct ww_http_request *r = &x->http.req;
	const unsigned int ci = f->client_lo ? 0 : 1;
	const bool v4 = f->key.family == 4;
	struct ww_limit_rule rule;
	struct ww_limit_key key;
	uint32_t retry = 0, i;
	int over = 0; /* enum ww_limit_kind of a limit that said no */

	if (w->limits.e == NULL)
		return auth_allowed(w, f, x);
	if (c->limit_rate) {
		rule = (struct ww_limit_rule){c->limit_rate,
					      c->limit_burst ? c->limit_burst
							     : c->limit_rate};
		ww_limit_client_key(&key, f->key.addr[ci], v4,
				    c->limit_client_net24, WW_LIMIT_CLIENT, 0);
		if (!ww_limit_take(&w->limits, &key, &rule, w->now_ns, &retry))
			over = WW_LIMIT_CLIENT;
	}
	for (i = 0; i < c->n_limit_routes; i++) {
		const struct ww_conf_route *rt = &c->limit_routes[i];
		const size_t plen = strlen(rt->prefix);
		uint32_t rr = 0;

		if ((strcmp(rt->method, "*") != 0 &&
		     (r->method.len != strlen(rt->method) ||
		      memcmp(r->method.p, rt->method, r->method.len) != 0)) ||
		    r->path.len < plen || memcmp(r->path.p, rt->prefix, plen))
			continue;
		rule = (struct ww_limit_rule){rt->rate,
					      rt->burst ? rt->burst : rt->rate};
		ww_limit_client_key(&key, f->key.addr[ci], v4,
				    c->limit_client_net24, WW_LIMIT_ROUTE,
				    (uint8_t)i);
		if (!ww_limit_take(&w->limits, &key, &rule, w->now_ns, &rr)) {
			over = WW_LIMIT_ROUTE;
			retry = rr > retry ? rr : retry;
		}
		break; /* the first route that matches counts */
	}
	if (c->limit_service_rate) {
		uint32_t rr = 0;

		rule = (struct ww_limit_rule){c->limit_service_rate,
					      c->limit_service_burst
						      ? c->limit_service_burst
						      : c->limit_service_rate};
		memset(&key, 0, sizeof(key));
		memcpy(key.addr, f->key.addr[1 - ci], 16);
		key.port = f->key.port[1 - ci];
		key.kind = WW_LIMIT_SERVICE;
		if (!ww_limit_take(&w->limits, &key, &rule, w->now_ns, &rr)) {
			over = WW_LIMIT_SERVICE;
			retry = rr > retry ? rr : retry;
		}
	}
	if (!over)
		return auth_allowed(w, f, x);
	x->answer = 429;
	x->retry_after = retry ? retry : 1;
	if (ww_worker_alert_due(w, WW_MEMO_LIMIT, f->key.addr[ci],
				v4 ? 4 : 16)) {
		static const char *const what[] = {
			[WW_LIMIT_CLIENT] = "client",
			[WW_LIMIT_ROUTE] = "client on a route",
			[WW_LIMIT_SERVICE] = "service",
		};
		char sig[80];

		snprintf(sig, sizeof(sig), "Rate limit exceeded (%s)",
			 what[over]);
		alert(w, f, WW_SID_RATE_LIMIT + (uint32_t)over, "rate-limit",
		      sig, true);
	}
	return false;
}

/* The CRS over a complete request. @return false when its anomaly score
 * reached the threshold: x->answer is then 403, and an alert names the
 * rules that matched. */
static bool waf_allows(struct ww_worker *w, const struct ww_flow *f,
		       struct ww_l7 *x)
{
	const unsigned int ci = f->client_lo ? 0 : 1;
	struct ww_waf_peer peer = {f->key.family, {0}};
	struct ww_waf_result res;
	char sig[160];
	size_t n;
	unsigned int i;

	if (w->waf == NULL)
		return true;
	memcpy(peer.addr, f->key.addr[ci], 16);
	w->stats.waf_checked++;
	ww_waf_eval(w->waf, &x->http.req, &peer, &res);
	if (!res.blocked && !res.alert)
		return true;
	if (res.blocked) {
		w->stats.waf_blocked++;
		x->answer = 403;
		x->answer_why = WW_DROP_WAF;
	}
	/* The signature: the first detection's message and every rule id
	 * that logged (the anomaly evaluation rule last). */
	n = (size_t)snprintf(sig, sizeof(sig), "CRS: %s [",
			     res.n_ids && res.msgs[0] ? res.msgs[0]
						      : "blocked");
	for (i = 0; i < res.n_ids && n + 12 < sizeof(sig); i++)
		n += (size_t)snprintf(sig + n, sizeof(sig) - n, "%s%u",
				      i ? " " : "", res.ids[i]);
	snprintf(sig + n, sizeof(sig) - n, "] score %d", res.anomaly_score);
	alert(w, f, res.n_ids ? res.ids[0] : res.blocked_by,
	      "web-application-attack", sig, res.blocked);
	return !res.blocked;
}

/* The appliance answers this request itself (x->answer): it is logged
 * with that status now; requests still waiting before it are logged
 * without one, since the server side is about to be reset. */
static void answer_request(struct ww_worker *w, const struct ww_flow *f,
			   struct ww_l7 *x)
{
	struct ww_l7_pending *q;

	w->stats.http_requests++;
	queue_request(w, f, x);
	q = &x->pending[(x->first_pending + x->n_pending - 1) %
			WW_L7_MAX_PENDING];
	q->ev.http.status = x->answer;
	x->resp_off = 1;
	flush_pending(w, x);
}

/* In-order client bytes, straight from reassembly, into the parser. */
static void deliver_http(void *arg, const uint8_t *data, uint32_t len)
{
	struct delivery *d = arg;
	struct ww_worker *w = d->w;
	struct ww_l7 *x = d->x;
	const struct ww_conf *c = w->ctx->conf;
	uint32_t off = 0;

	while (off < len && !x->violated && !x->answer) {
		size_t used;
		enum ww_http_event ev = ww_http_feed(
			&x->http, (const char *)data + off, len - off, &used);

		off += (uint32_t)used;
		/* Policy is decided on the head, before the segment that
		 * completes it goes on (bodyless requests come straight as
		 * REQUEST). */
		if ((ev == WW_HTTP_HEAD ||
		     (ev == WW_HTTP_REQUEST && !x->head_checked)) &&
		    !request_allowed(w, d->f, x)) {
			answer_request(w, d->f, x);
			break;
		}
		x->head_checked = ev == WW_HTTP_HEAD;
		/* The rule engine judges the whole request, body included,
		 * before the segment that completes it goes on. */
		if (ev == WW_HTTP_REQUEST && !waf_allows(w, d->f, x)) {
			answer_request(w, d->f, x);
			break;
		}
		if (ev == WW_HTTP_REQUEST) {
			w->stats.http_requests++;
			queue_request(w, d->f, x);
		} else if (ev == WW_HTTP_VIOLATION) {
			char sig[80];

			x->violated = 1;
			w->stats.http_violations++;
			snprintf(sig, sizeof(sig),
				 "HTTP protocol violation: %s",
				 ww_http_violation_name(x->http.violation));
			alert(w, d->f, SID_HTTP_VIOLATION + x->http.violation,
			      "protocol-violation", sig,
			      c->http_violation_action !=
				      WW_CONF_VIOLATION_PASS);
		} else if (ev == WW_HTTP_NEED_MORE) {
			break;
		}
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

static bool is_http_port(const struct ww_conf *c, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < c->n_http_ports; i++)
		if (c->http_ports[i] == port)
			return true;
	return false;
}

enum ww_l7_verdict ww_l7_packet(struct ww_worker *w, struct rte_mbuf *m,
				const struct ww_pkt *p, struct ww_flow *f,
				uint8_t dir, enum ww_drop *why)
{
	const struct ww_conf *c = w->ctx->conf;
	struct ww_l7_pool *pool = w->l7;
	struct ww_l7 *x;
	struct delivery d;
	unsigned int flags;

	if (pool == NULL)
		return WW_L7_FORWARD;
	if (f->l7 == L7_NOT_INSPECTED)
		return WW_L7_FORWARD;
	if (f->l7 == 0) {
		/* Decided once per connection, not per packet: a connection
		 * to another port, or one that found no free context, is
		 * forwarded uninspected for its whole life. */
		uint16_t server_port =
			dir == WW_FLOW_TOSERVER ? p->dport : p->sport;

		if (!is_http_port(c, server_port) || take(w, f) == NULL) {
			f->l7 = L7_NOT_INSPECTED;
			return WW_L7_FORWARD;
		}
	}
	x = &pool->ctx[f->l7 - 1];
	if (dir != WW_FLOW_TOSERVER) {
		server_packet(w, m, p, f, x);
		return WW_L7_FORWARD;
	}
	if (x->blocked)
		return WW_L7_DROP;
	if (x->bypass)
		return WW_L7_FORWARD;
	if (p->tcp_flags & WW_TCP_SYN) {
		ww_tcp_stream_start(&x->cli, p->tcp_seq + 1);
		return WW_L7_FORWARD;
	}
	if (p->payload_len == 0)
		return WW_L7_FORWARD;
	if (!x->cli.started) /* picked up mid-connection */
		ww_tcp_stream_start(&x->cli, p->tcp_seq);

	d = (struct delivery){w, f, x};
	flags = ww_tcp_segment(
		&pool->tcp, &x->cli, p->tcp_seq,
		rte_pktmbuf_mtod_offset(m, uint8_t *, p->payload_off),
		p->payload_len, c->tcp_overlap_rewrite,
		c->tcp_stream_max_kb << 10, deliver_http, &d);
	if (flags & WW_TCP_EVASION) {
		w->stats.tcp_overlap_evasions++;
		if (!x->evasion_alerted) {
			x->evasion_alerted = 1;
			alert(w, f, SID_TCP_OVERLAP, "protocol-violation",
			      c->tcp_overlap_rewrite
				      ? "TCP overlap with different data (rewritten)"
				      : "TCP overlap with different data (dropped)",
			      true);
		}
		if (!(flags & WW_TCP_REWRITTEN))
			return WW_L7_DROP;
		fix_tcp_checksum(m, p);
	}
	if (flags & WW_TCP_CAP) {
		/* The connection can no longer be judged: the exception
		 * policy decides (pass: uninspected from here on). */
		w->stats.tcp_cap_hits++;
		if (c->tcp_cap_policy == WW_CONF_VIOLATION_PASS) {
			x->bypass = 1;
			return WW_L7_FORWARD;
		}
		x->blocked = 1;
		return c->tcp_cap_policy == WW_CONF_VIOLATION_RESET
			       ? WW_L7_RESET
			       : WW_L7_DROP;
	}
	/* A request the appliance answers itself does not go on, nor does
	 * anything the client sends after it. */
	if (x->answer) {
		x->blocked = 1;
		if (x->answer_why == WW_DROP_WAF) {
			*why = WW_DROP_WAF;
			return c->waf_answer_403 ? WW_L7_ANSWER : WW_L7_RESET;
		}
		if (x->answer != 429) {
			*why = WW_DROP_AUTH;
			return WW_L7_ANSWER;
		}
		*why = WW_DROP_RATE_LIMIT;
		switch (c->limit_action) {
		case WW_CONF_LIMIT_RESET:
			return WW_L7_RESET;
		case WW_CONF_LIMIT_DROP:
			return WW_L7_DROP;
		default:
			return WW_L7_ANSWER;
		}
	}
	/* The segment that completed a bad request does not go on, nor
	 * does anything the client sends after it. */
	if (x->violated && c->http_violation_action != WW_CONF_VIOLATION_PASS) {
		x->blocked = 1;
		return c->http_violation_action == WW_CONF_VIOLATION_RESET
			       ? WW_L7_RESET
			       : WW_L7_DROP;
	}
	return WW_L7_FORWARD;
}

/*
 * A TCP segment of the connection of client packet @p (received as
 * @orig), as one of the two ends would send it: towards the server with
 * the sequence number @p carried (the one the server expects next), or
 * back to the client with the one the client acknowledges, acknowledging
 * everything @p carried (RFC 9293 3.5.3: both stacks accept it). @flags
 * are TCP flags, @payload (may be NULL) @len bytes of data.
 */
static struct rte_mbuf *make_segment(struct ww_worker *w,
				     const struct rte_mbuf *orig,
				     const struct ww_pkt *p, bool to_server,
				     uint8_t flags, const char *payload,
				     uint16_t len)
{
	const bool v4 = p->l3 == WW_PKT_L3_IPV4;
	const uint16_t ip_len = v4 ? 20 : 40;
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->inject_pool);
	struct rte_tcp_hdr *tcp;
	uint8_t *d, *ip;
	const uint8_t *src = to_server ? p->src : p->dst;
	const uint8_t *dst = to_server ? p->dst : p->src;

	if (m == NULL) {
		w->stats.inject_failed++;
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, p->l3_off + ip_len + 20 + len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		w->stats.inject_failed++;
		return NULL;
	}
	/* Ethernet and VLAN tags as received; back to the client, the
	 * addresses swap. */
	memcpy(d, rte_pktmbuf_mtod(orig, const uint8_t *), p->l3_off);
	if (!to_server) {
		memcpy(d, rte_pktmbuf_mtod(orig, const uint8_t *) + 6, 6);
		memcpy(d + 6, rte_pktmbuf_mtod(orig, const uint8_t *), 6);
	}
	ip = d + p->l3_off;
	memset(ip, 0, ip_len + 20);
	tcp = (struct rte_tcp_hdr *)(ip + ip_len);
	if (len > 0)
		memcpy((uint8_t *)tcp + 20, payload, len);
	if (v4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(ip_len + 20 + len);
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = 64;
		h->next_proto_id = 6;
		memcpy(&h->src_addr, src, 4);
		memcpy(&h->dst_addr, dst, 4);
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->vtc_flow = rte_cpu_to_be_32(0x60000000);
		h->payload_len = rte_cpu_to_be_16(20 + len);
		h->proto = 6;
		h->hop_limits = 64;
		memcpy(h->src_addr, src, 16);
		memcpy(h->dst_addr, dst, 16);
	}
	if (to_server) {
		tcp->src_port = rte_cpu_to_be_16(p->sport);
		tcp->dst_port = rte_cpu_to_be_16(p->dport);
		tcp->sent_seq = rte_cpu_to_be_32(p->tcp_seq);
		tcp->recv_ack = rte_cpu_to_be_32(p->tcp_ack);
	} else {
		tcp->src_port = rte_cpu_to_be_16(p->dport);
		tcp->dst_port = rte_cpu_to_be_16(p->sport);
		tcp->sent_seq = rte_cpu_to_be_32(p->tcp_ack);
		tcp->recv_ack = rte_cpu_to_be_32(p->tcp_seq + p->payload_len);
	}
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(len ? 65535 : 0);
	tcp->cksum = v4 ? rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)ip, tcp)
			: rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)ip, tcp);
	ww_mbuf_priv(m)->ts_ns = w->now_ns;
	return m;
}

struct rte_mbuf *ww_l7_make_reset(struct ww_worker *w,
				  const struct rte_mbuf *orig,
				  const struct ww_pkt *p, bool to_server)
{
	struct rte_mbuf *m =
		make_segment(w, orig, p, to_server,
			     RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, NULL, 0);

	if (m != NULL)
		w->stats.resets_sent++;
	return m;
}

static const char *reason_phrase(uint16_t status)
{
	switch (status) {
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 429:
		return "Too Many Requests";
	default:
		return "Error";
	}
}

struct rte_mbuf *ww_l7_make_answer(struct ww_worker *w,
				   const struct rte_mbuf *orig,
				   const struct ww_pkt *p,
				   const struct ww_flow *f)
{
	const struct ww_l7 *x;
	char text[512], extra[160] = "";
	const char *why;
	struct rte_mbuf *m;
	int n;

	if (w->l7 == NULL || f->l7 == 0 || f->l7 > w->l7->n)
		return NULL;
	x = &w->l7->ctx[f->l7 - 1];
	why = reason_phrase(x->answer);
	if (x->answer == 429)
		snprintf(extra, sizeof(extra), "Retry-After: %u\r\n",
			 x->retry_after);
	else if (x->auth_result == WW_AUTH_MISSING)
		/* RFC 6750 3.1: no error code when no credentials came. */
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Bearer realm=\"wirewall\"\r\n");
	else if (x->auth_result == WW_AUTH_OK)
		extra[0] = '\0'; /* the rule engine's 403 */
	else if (x->answer == 403)
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Bearer realm=\"wirewall\", "
			 "error=\"insufficient_scope\"\r\n");
	else
		snprintf(
			extra, sizeof(extra),
			"WWW-Authenticate: Bearer realm=\"wirewall\", "
			"error=\"invalid_token\", error_description=\"%s\"\r\n",
			ww_auth_result_name(
				(enum ww_auth_result)x->auth_result));
	n = snprintf(text, sizeof(text),
		     "HTTP/1.1 %u %s\r\n%sContent-Type: text/plain\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
		     x->answer, why, extra, strlen(why) + 1, why);
	m = make_segment(w, orig, p, false,
			 RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG,
			 text, (uint16_t)n);
	if (m != NULL)
		w->stats.responses_sent++;
	return m;
}
