/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage l7, enforcement: on each request head, the rate limits ([limit])
 * and the JWT check ([auth]); on each complete request, the rule engine
 * ([waf]). A refusal sets the connection's answer (429, 401/403, 403);
 * the verdict stage sends it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "l7.h"

static inline unsigned int client_side(const struct ww_flow *f)
{
	return f->client_lo ? 0 : 1;
}

/* A JWT on the routes that need one. @return false when it is missing
 * or refused: x->answer is then 401 (or 403: another audience). */
static bool auth_allowed(struct ww_l7_delivery *d)
{
	struct ww_worker *w = d->w;
	struct ww_flow *f = d->f;
	struct ww_l7 *x = d->x;
	const struct ww_auth *a = w->ctx->auth;
	const struct ww_http_request *r = &x->http.req;
	const char *authz = NULL;
	uint32_t len = 0, i;
	enum ww_auth_result res;
	int route;

	if (a == NULL)
		return true;
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
	res = ww_auth_check(&w->auth, a, w->pol->revoked, route, authz, len,
			    w->now_ns);
	if (res == WW_AUTH_OK)
		return true;
	x->answer = ww_auth_status(res);
	x->auth_result = (uint8_t)res;
	x->answer_why = WW_DROP_AUTH;
	if (ww_worker_alert_due(w, WW_MEMO_AUTH, f->key.addr[client_side(f)],
				f->key.family == 4 ? 4 : 16)) {
		char sig[80];

		snprintf(sig, sizeof(sig), "JWT refused: %s",
			 ww_auth_result_name(res));
		ww_l7_alert(w, f, WW_SID_AUTH + res, WW_ACAT_AUTHENTICATION,
			    sig, true);
	}
	return false;
}

bool ww_l7_head_allowed(struct ww_l7_delivery *d)
{
	struct ww_worker *w = d->w;
	struct ww_flow *f = d->f;
	struct ww_l7 *x = d->x;
	const struct ww_conf *c = w->pol->conf;
	const struct ww_http_request *r = &x->http.req;
	const unsigned int ci = client_side(f);
	const bool v4 = f->key.family == 4;
	struct ww_limit_rule rule;
	struct ww_limit_key key;
	uint32_t retry = 0, i;
	int over = 0; /* enum ww_limit_kind of a limit that said no */

	if (w->limits.e == NULL)
		return auth_allowed(d);
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
		return auth_allowed(d);
	x->answer = 429;
	x->answer_why = WW_DROP_RATE_LIMIT;
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
		ww_l7_alert(w, f, WW_SID_RATE_LIMIT + (uint32_t)over,
			    WW_ACAT_RATE_LIMIT, sig, true);
	}
	return false;
}

/* The engine could not finish the request (its memory ran out, or a
 * regex hit its match limit): the exception policy decides. @return
 * false when it refuses the request (x->exc_verdict is set). */
static bool incomplete_ok(struct ww_l7_delivery *d, unsigned int incomplete)
{
	enum ww_verdict v = WW_V_FORWARD;

	d->w->stats.stage.waf_incomplete++;
	if (incomplete & WW_WAF_INCOMPLETE_ARENA)
		v = ww_exception(d->w, WW_CONF_EXC_WAF_ARENA, d->x->protected,
				 d->p, d->in_port, d->f->id);
	if (v == WW_V_FORWARD && (incomplete & WW_WAF_INCOMPLETE_MATCH_LIMIT))
		v = ww_exception(d->w, WW_CONF_EXC_REGEX_LIMIT, d->x->protected,
				 d->p, d->in_port, d->f->id);
	if (v == WW_V_FORWARD)
		return true;
	d->x->exc_verdict = (uint8_t)v;
	return false;
}

/* [waf] is on but its rule set is not in force yet: the exception
 * policy decides. @return false when it refuses the request. */
static bool not_ready_ok(struct ww_l7_delivery *d)
{
	const enum ww_verdict v =
		ww_exception(d->w, WW_CONF_EXC_WAF_NOT_READY, d->x->protected,
			     d->p, d->in_port, d->f->id);

	if (v == WW_V_FORWARD)
		return true;
	d->x->exc_verdict = (uint8_t)v;
	return false;
}

bool ww_l7_request_allowed(struct ww_l7_delivery *d)
{
	struct ww_worker *w = d->w;
	struct ww_flow *f = d->f;
	struct ww_l7 *x = d->x;
	const struct ww_policy *pol = w->pol;
	struct ww_waf_peer peer = {f->key.family, {0}};
	struct ww_waf_result res;
	char sig[160];
	size_t n;
	unsigned int i;

	if (pol->waf == NULL || w->id >= pol->n_waf_ctx)
		return !pol->waf_pending || not_ready_ok(d);
	memcpy(peer.addr, f->key.addr[client_side(f)], 16);
	w->stats.waf_checked++;
	ww_waf_eval(pol->waf_ctx[w->id], &x->http.req, &peer, &res);
	if (res.blocked) {
		w->stats.waf_blocked++;
		x->answer = 403;
		x->answer_why = WW_DROP_WAF;
	} else if (res.incomplete && !incomplete_ok(d, res.incomplete)) {
		return false;
	}
	if (!res.blocked && !res.alert)
		return true;
	/* The signature: the first detection's message and every rule id
	 * that logged (the anomaly evaluation rule last). */
	n = (size_t)snprintf(sig, sizeof(sig), "CRS: %s [",
			     res.n_ids && res.msgs[0] ? res.msgs[0]
						      : "blocked");
	for (i = 0; i < res.n_ids && n + 12 < sizeof(sig); i++)
		n += (size_t)snprintf(sig + n, sizeof(sig) - n, "%s%u",
				      i ? " " : "", res.ids[i]);
	snprintf(sig + n, sizeof(sig) - n, "] score %d", res.anomaly_score);
	ww_l7_alert(w, f, res.n_ids ? res.ids[0] : res.blocked_by,
		    WW_ACAT_WEB_APPLICATION_ATTACK, sig, res.blocked);
	return !res.blocked;
}
