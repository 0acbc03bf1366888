/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage l7, HTTP: reassembled client bytes into the request parser (each
 * head is checked by auth and rate limits, each complete request by the
 * WAF, before the segment that completes it goes on), server bytes into
 * the response parser, and the http events, each written when its
 * response completes.
 */
#include <stdio.h>
#include <string.h>

#include "l7.h"

/* Alert signature id of HTTP framing violations: 2221000 + their number
 * (the range Suricata uses for HTTP events). */
#define SID_HTTP_VIOLATION 2221000u

void ww_l7_flow_event(struct ww_event *ev, const struct ww_worker *w,
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

void ww_l7_alert(struct ww_worker *w, struct ww_flow *f, uint32_t sid,
		 enum ww_alert_cat category, const char *signature,
		 bool blocked)
{
	struct ww_event ev;

	f->judged |= WW_FLOW_ALERTED;
	ww_l7_flow_event(&ev, w, f, WW_EVENT_ALERT);
	ww_alert_fill(w, &ev, sid, category, signature, blocked);
	ev.alert.source_verified = (f->tcp_hs & WW_FLOW_HS_ACKED) != 0;
	ww_worker_log(w, &ev);
}

static void copy_str(char *dst, size_t cap, struct ww_http_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (n > 0)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* Records one http event may take: its own and the rest of a URL of up
 * to about 30 KiB (a longer one is cut there). */
#define MAX_URL_RECORDS 64

/* Log http event @q whose whole URL is in the context's store: the
 * record, then the rest of the URL in records of its own, queued at once
 * (all or none). */
static void log_http(struct ww_worker *w, struct ww_l7 *x,
		     struct ww_l7_pending *q)
{
	struct ww_event recs[MAX_URL_RECORDS];
	uint32_t len = q->url_len, off = WW_EVENT_URL_HEAD;
	unsigned int n = 1;

	if (len <= WW_EVENT_URL_HEAD) {
		ww_worker_log(w, &q->ev);
		return;
	}
	if (len >
	    WW_EVENT_URL_HEAD + (MAX_URL_RECORDS - 1) * WW_EVENT_URL_CHUNK)
		len = WW_EVENT_URL_HEAD +
		      (MAX_URL_RECORDS - 1) * WW_EVENT_URL_CHUNK;
	recs[0] = q->ev;
	while (off < len) {
		uint32_t k = len - off < WW_EVENT_URL_CHUNK
				     ? len - off
				     : (uint32_t)WW_EVENT_URL_CHUNK;
		struct ww_event *r = &recs[n++];

		r->type = WW_EVENT_URL_MORE;
		r->len = (uint16_t)k;
		memcpy(r->url_more, x->url_store + q->url_off + off, k);
		off += k;
	}
	recs[0].http.url_more = (uint16_t)(n - 1);
	recs[0].http.url_len = len;
	ww_worker_log_n(w, recs, n);
}

/* Log the oldest waiting request, with what is known of its response. */
static void log_oldest(struct ww_worker *w, struct ww_l7 *x)
{
	struct ww_l7_pending *q = &x->pending[x->first_pending];

	if (q->ev.http.status == 0)
		w->stats.http_unanswered++;
	ww_http_svc_count(w, q->ev.family, q->ev.dest_ip, q->ev.dest_port,
			  q->ev.http.status, q->ev.http.latency_ns, !q->by_us);
	if (w->pol->conf->http_events)
		log_http(w, x, q);
	x->first_pending = (x->first_pending + 1) % WW_L7_MAX_PENDING;
	if (--x->n_pending == 0)
		x->url_used = 0; /* the store is free again */
}

/* The connection ends or its responses can no longer be followed: log
 * every waiting request; the oldest may have its response head and part
 * of a body (one delimited by the connection's end, say). */
void ww_l7_flush_pending(struct ww_worker *w, struct ww_l7 *x)
{
	if (x->n_pending > 0 && x->pending[x->first_pending].ev.http.status)
		x->pending[x->first_pending].ev.http.length =
			x->resp.req.body_bytes;
	while (x->n_pending > 0)
		log_oldest(w, x);
}

/* A request is complete: it waits for its response, or is logged now
 * when responses are not followed. */
static void queue_request(struct ww_worker *w, const struct ww_flow *f,
			  struct ww_l7 *x)
{
	const struct ww_http_request *r = &x->http.req;
	struct ww_l7_pending *q;

	ww_detect_request(w, (struct ww_flow *)(uintptr_t)f, r);
	if (x->n_pending == WW_L7_MAX_PENDING)
		log_oldest(w, x);
	q = &x->pending[(x->first_pending + x->n_pending) % WW_L7_MAX_PENDING];
	x->n_pending++;
	q->end_ns = w->now_ns;
	q->no_body = r->method.len == 4 && memcmp(r->method.p, "HEAD", 4) == 0;
	q->connect =
		r->method.len == 7 && memcmp(r->method.p, "CONNECT", 7) == 0;
	q->by_us = 0;
	ww_l7_flow_event(&q->ev, w, f, WW_EVENT_HTTP);
	copy_str(q->ev.http.hostname, sizeof(q->ev.http.hostname), r->host);
	copy_str(q->ev.http.url, sizeof(q->ev.http.url), r->uri_raw);
	/* The whole URL, as far as the store has room (it holds a whole
	 * request line; pipelined requests share it). */
	q->url_off = x->url_used;
	q->url_len =
		r->uri_raw.len < w->ctx->conf->http_max_request_line -
					 x->url_used
			? r->uri_raw.len
			: w->ctx->conf->http_max_request_line - x->url_used;
	memcpy(x->url_store + q->url_off, r->uri_raw.p, q->url_len);
	x->url_used += q->url_len;
	copy_str(q->ev.http.http_method, sizeof(q->ev.http.http_method),
		 r->method);
	copy_str(q->ev.http.protocol, sizeof(q->ev.http.protocol), r->version);
	copy_str(q->ev.http.http_user_agent, sizeof(q->ev.http.http_user_agent),
		 r->user_agent);
	q->ev.http.request_length = r->body_bytes;
	if (x->resp_off)
		ww_l7_flush_pending(w, x);
}

/* The responses of this connection can no longer be followed. */
static void responses_lost(struct ww_worker *w, struct ww_l7 *x)
{
	w->stats.http_response_lost++;
	x->resp_off = 1;
	ww_l7_flush_pending(w, x);
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
		ww_detect_response(w, x->flow, status, q->ev.http.latency_ns);
		q->ev.http.length = x->resp.req.body_bytes;
		log_oldest(w, x);
	}
	return !tunnel;
}

void ww_l7_deliver_response(void *arg, const uint8_t *data, uint32_t len)
{
	struct ww_l7_delivery *d = arg;
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
				 * parsed from here on (a tunnel the server
				 * accepted after a request we let through). */
				x->resp_off = 1;
				x->bypass = 1;
				ww_l7_flush_pending(w, x);
			}
		} else if (ev == WW_HTTP_VIOLATION) {
			responses_lost(w, x);
		} else {
			break;
		}
	}
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
	q->by_us = 1;
	x->resp_off = 1;
	ww_l7_flush_pending(w, x);
}

/* A request whose body went past [http] body_depth: the rule engine
 * would see part of it. @return false when the policy refuses it. */
static bool body_depth_ok(struct ww_l7_delivery *d)
{
	struct ww_l7 *x = d->x;
	enum ww_verdict v;

	if (!x->http.req.body_truncated)
		return true;
	d->w->stats.stage.body_over_depth++;
	v = ww_exception(d->w, WW_CONF_EXC_BODY_OVER_DEPTH, x->protected, d->p,
			 d->in_port, d->f->id);
	if (v == WW_V_FORWARD)
		return true; /* judged on its first body_depth bytes */
	x->exc_verdict = (uint8_t)v;
	return false;
}

void ww_l7_deliver_request(void *arg, const uint8_t *data, uint32_t len)
{
	struct ww_l7_delivery *d = arg;
	struct ww_worker *w = d->w;
	struct ww_l7 *x = d->x;
	const struct ww_conf *c = w->pol->conf;
	uint32_t off = 0;

	if (x->req_start_ns == 0 && len > 0) {
		x->req_start_ns = w->now_ns; /* a request (head) begins */
		ww_detect_head_begin(w, d->f);
	}
	while (off < len && !x->violated && !x->answer && !x->exc_verdict) {
		size_t used;
		enum ww_http_event ev = ww_http_feed(
			&x->http, (const char *)data + off, len - off, &used);

		off += (uint32_t)used;
		/* Policy is decided on the head, before the segment that
		 * completes it goes on (bodyless requests come straight as
		 * REQUEST). */
		if ((ev == WW_HTTP_HEAD ||
		     (ev == WW_HTTP_REQUEST && !x->head_checked)) &&
		    !ww_l7_head_allowed(d)) {
			answer_request(w, d->f, x);
			break;
		}
		x->head_checked = ev == WW_HTTP_HEAD;
		if (ev == WW_HTTP_HEAD || ev == WW_HTTP_REQUEST)
			ww_detect_head_done(w, d->f);
		if (ev == WW_HTTP_HEAD)
			x->body_start_ns = w->now_ns;
		if (ev == WW_HTTP_REQUEST) {
			/* Waiting for the next one from now; it begins with
			 * its first byte (if already here, at once). */
			x->wait_since_ns = w->now_ns;
			x->req_start_ns = off < len ? w->now_ns : 0;
			if (off < len)
				ww_detect_head_begin(w, d->f);
			x->body_start_ns = 0;
			x->served = 1;
		}
		if (ev == WW_HTTP_REQUEST && !body_depth_ok(d))
			break;
		/* The rule engine judges the whole request, body included,
		 * before the segment that completes it goes on. */
		if (ev == WW_HTTP_REQUEST && !ww_l7_request_allowed(d)) {
			if (x->answer)
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
			ww_l7_alert(w, d->f,
				    SID_HTTP_VIOLATION + x->http.violation,
				    WW_ACAT_PROTOCOL_VIOLATION, sig,
				    c->http_violation_action !=
					    WW_CONF_VIOLATION_PASS);
		} else if (ev == WW_HTTP_NEED_MORE) {
			break;
		}
	}
}
