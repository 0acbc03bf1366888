/* SPDX-License-Identifier: BSD-3-Clause */
/* Feature updates on the fast path: per packet, per request, per client. */
#include <ctype.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_jhash.h>

#include "ww_feat.h"

#ifndef NS_PER_S
#define NS_PER_S 1000000000ull
#endif

static inline void welford(float *mean, float *m2, uint32_t n, float x)
{
	/* @n: values so far, this one included. */
	const float d = x - *mean;

	*mean += d / (float)n;
	*m2 += d * (x - *mean);
}

static inline uint16_t sat16(uint32_t v)
{
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

enum ww_feat_dp ww_feat_flow_packet(struct ww_feat_flow *ff,
				    const struct ww_flow *f,
				    const struct ww_pkt *p, uint32_t len,
				    uint8_t dir, uint64_t now_ns)
{
	const uint64_t rel = now_ns > f->start_ns ? now_ns - f->start_ns : 0;
	/* Microseconds since the start, modulo 2^32 (71 minutes): a gap is
	 * the difference modulo 2^32, right for any gap under 35 minutes;
	 * a "gap" past that is a frame that came late: 0. */
	const uint32_t us = (uint32_t)(rel / 1000);
	uint32_t n;

	if (ff->pkts[0] == 0 && ff->pkts[1] == 0 &&
	    (p->l4proto == 1 || p->l4proto == 58)) {
		ff->icmp_type = (uint8_t)p->sport;
		ff->icmp_code = (uint8_t)p->dport;
	}
	/* Saturating: a flow past 2^32 packets or bytes reads as that. */
	if (ff->pkts[dir] == UINT32_MAX || ff->pkts[1 - dir] == UINT32_MAX)
		return WW_DP_NONE;
	ff->pkts[dir]++;
	if (ff->pkts[dir] >= 2) {
		const uint32_t gap = us - ff->last_us[dir];
		const float iat = gap > INT32_MAX ? 0.0f : (float)gap / 1e6f;

		welford(&ff->iat_mean[dir], &ff->iat_m2[dir], ff->pkts[dir] - 1,
			iat);
	}
	ff->last_us[dir] = us;
	ff->bytes[dir] = ww_feat_sat_add32(ff->bytes[dir], len);
	ff->payload[dir] = ww_feat_sat_add32(ff->payload[dir], p->payload_len);
	n = ff->pkts[0] + ff->pkts[1];
	if (n < ff->pkts[dir])
		n = UINT32_MAX; /* both ways together past 2^32 */
	if (n == 1 || len < ff->size_min)
		ff->size_min = sat16(len);
	if (len > ff->size_max)
		ff->size_max = sat16(len);
	welford(&ff->size_mean, &ff->size_m2, n, (float)len);
	if (n <= WW_FEAT_FIRST_N)
		ff->first[n - 1] =
			(int16_t)(dir == WW_FLOW_TOSERVER
					  ? (int32_t)RTE_MIN(len, 32767u)
					  : -(int32_t)RTE_MIN(len, 32767u));
	if (p->l4proto == 6 && (p->flags & WW_PKT_F_L4)) {
		const uint8_t fl = p->tcp_flags;

		ff->syn += (fl & WW_TCP_SYN) && ff->syn < UINT16_MAX;
		ff->fin += (fl & WW_TCP_FIN) && ff->fin < UINT16_MAX;
		ff->rst += (fl & WW_TCP_RST) && ff->rst < UINT16_MAX;
		ff->psh += (fl & WW_TCP_PSH) && ff->psh < UINT16_MAX;
		ff->urg += (fl & WW_TCP_URG) && ff->urg < UINT16_MAX;
		if (ff->pkts[dir] == 1)
			ff->init_win[dir] = p->tcp_window;
		/* The client's ACK after the server's SYN-ACK. */
		if (dir == WW_FLOW_TOSERVER && !ff->handshake &&
		    (f->tcp_hs & (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK)) ==
			    (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK) &&
		    (fl & (WW_TCP_ACK | WW_TCP_SYN | WW_TCP_RST)) == WW_TCP_ACK)
			ff->handshake = 1;
	}
	switch (n) {
	case 2:
		return WW_DP_PKT2;
	case 4:
		return WW_DP_PKT4;
	case 8:
		return WW_DP_PKT8;
	case 16:
		return WW_DP_PKT16;
	default:
		return WW_DP_NONE;
	}
}

void ww_feat_flow_response(struct ww_feat_flow *ff, uint16_t status,
			   uint64_t latency_ns)
{
	if (status < 200 || status > 599)
		return;
	if (ff->http_status[status / 100 - 2] < UINT16_MAX)
		ff->http_status[status / 100 - 2]++;
	ff->latency_sum_ms += (float)((double)latency_ns / 1e6);
}

/* ---- requests ---- */

static bool str_is(struct ww_http_str s, const char *lit)
{
	const size_t n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static uint8_t method_code(struct ww_http_str m)
{
	static const char *const names[] = {"GET",   "HEAD",	"POST",
					    "PUT",   "DELETE",	"OPTIONS",
					    "PATCH", "CONNECT", "TRACE"};
	unsigned int i;

	if (m.len == 0)
		return 0;
	for (i = 0; i < RTE_DIM(names); i++)
		if (str_is(m, names[i]))
			return (uint8_t)(i + 1);
	return 10;
}

/* Substrings that name a user agent's class, checked in this order (a
 * scanner that claims to be Mozilla-compatible is still a scanner). */
static const struct {
	const char *needle;
	enum ww_feat_ua cls;
} ua_table[] = {
	{"sqlmap", WW_UA_SCANNER},
	{"nikto", WW_UA_SCANNER},
	{"nmap", WW_UA_SCANNER},
	{"masscan", WW_UA_SCANNER},
	{"wfuzz", WW_UA_SCANNER},
	{"gobuster", WW_UA_SCANNER},
	{"dirb", WW_UA_SCANNER},
	{"ffuf", WW_UA_SCANNER},
	{"hydra", WW_UA_SCANNER},
	{"wpscan", WW_UA_SCANNER},
	{"nuclei", WW_UA_SCANNER},
	{"zgrab", WW_UA_SCANNER},
	{"wapiti", WW_UA_SCANNER},
	{"acunetix", WW_UA_SCANNER},
	{"w3af", WW_UA_SCANNER},
	{"dirbuster", WW_UA_SCANNER},
	{"kube-probe", WW_UA_MONITOR},
	{"healthcheck", WW_UA_MONITOR},
	{"health-check", WW_UA_MONITOR},
	{"elb-healthchecker", WW_UA_MONITOR},
	{"prometheus", WW_UA_MONITOR},
	{"blackbox", WW_UA_MONITOR},
	{"pingdom", WW_UA_MONITOR},
	{"uptime", WW_UA_MONITOR},
	{"nagios", WW_UA_MONITOR},
	{"consul", WW_UA_MONITOR},
	{"apachebench", WW_UA_LOADTEST},
	{"siege", WW_UA_LOADTEST},
	{"jmeter", WW_UA_LOADTEST},
	{"locust", WW_UA_LOADTEST},
	{"k6/", WW_UA_LOADTEST},
	{"hey/", WW_UA_LOADTEST},
	{"vegeta", WW_UA_LOADTEST},
	{"wrk", WW_UA_LOADTEST},
	{"bot", WW_UA_CRAWLER},
	{"crawler", WW_UA_CRAWLER},
	{"spider", WW_UA_CRAWLER},
	{"slurp", WW_UA_CRAWLER},
	{"curl/", WW_UA_CLI},
	{"wget/", WW_UA_CLI},
	{"httpie", WW_UA_CLI},
	{"lwp-", WW_UA_CLI},
	{"python", WW_UA_LIBRARY},
	{"go-http-client", WW_UA_LIBRARY},
	{"java/", WW_UA_LIBRARY},
	{"okhttp", WW_UA_LIBRARY},
	{"axios", WW_UA_LIBRARY},
	{"node-fetch", WW_UA_LIBRARY},
	{"apache-httpclient", WW_UA_LIBRARY},
	{"libwww", WW_UA_LIBRARY},
	{"ruby", WW_UA_LIBRARY},
	{"mozilla/", WW_UA_BROWSER},
	{"opera/", WW_UA_BROWSER},
};

/*
 * The class of the user agents a worker saw last, by their bytes: a
 * client sends the same one on every request, and the table's fifty
 * substring searches cost more than the rest of a request's features.
 * Direct-mapped, one per thread (each worker its own); the bytes are
 * compared whole, so a hit is exact.
 */
#define UA_CACHE 64
#define UA_MAX	 128 /* bytes that decide the class */
struct ua_cached {
	uint32_t len;
	uint8_t cls;
	char ua[UA_MAX];
};
static _Thread_local struct ua_cached ua_cache[UA_CACHE];

static enum ww_feat_ua ua_classify(const char *ua, uint32_t len);

/* The slot of an agent: FNV-1a over its length and its first and last 16
 * bytes, read byte by byte (they lie anywhere in a packet). */
static unsigned int ua_slot(const char *ua, uint32_t len)
{
	uint32_t h = 2166136261u ^ len, i;

	for (i = 0; i < len && i < 16; i++)
		h = (h ^ (uint8_t)ua[i]) * 16777619u;
	for (i = len > 32 ? len - 16 : (len > 16 ? 16 : len); i < len; i++)
		h = (h ^ (uint8_t)ua[i]) * 16777619u;
	return h % UA_CACHE;
}

enum ww_feat_ua ww_feat_ua_class(const char *ua, uint32_t len)
{
	struct ua_cached *c;

	if (len == 0)
		return WW_UA_NONE;
	if (len > UA_MAX)
		len = UA_MAX;
	c = &ua_cache[ua_slot(ua, len)];
	if (c->len == len && memcmp(c->ua, ua, len) == 0)
		return (enum ww_feat_ua)c->cls;
	c->len = len;
	memcpy(c->ua, ua, len);
	c->cls = (uint8_t)ua_classify(ua, len);
	return (enum ww_feat_ua)c->cls;
}

static enum ww_feat_ua ua_classify(const char *ua, uint32_t len)
{
	char low[UA_MAX + 1];
	unsigned int i;

	if (len > sizeof(low) - 1)
		len = sizeof(low) - 1;
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)ua[i]);
	low[len] = '\0';
	for (i = 0; i < RTE_DIM(ua_table); i++)
		if (strstr(low, ua_table[i].needle) != NULL)
			return ua_table[i].cls;
	return WW_UA_OTHER;
}

void ww_feat_request(struct ww_feat_req *out, const struct ww_http_request *r)
{
	uint32_t i, other = 0;

	memset(out, 0, sizeof(*out));
	out->method = method_code(r->method);
	out->path_len = (uint32_t)r->path.len;
	out->query_len = (uint32_t)r->query.len;
	out->n_args = r->n_args;
	out->n_headers = sat16(r->n_headers);
	out->ua_class = (uint8_t)ww_feat_ua_class(r->user_agent.p,
						  (uint32_t)r->user_agent.len);
	out->body_len = r->body_bytes;
	/* Over the target as sent: encoding is what attack tools change. */
	for (i = 0; i < r->uri_raw.len; i++)
		other += !isalnum((unsigned char)r->uri_raw.p[i]);
	out->nonalnum =
		r->uri_raw.len ? (float)other / (float)r->uri_raw.len : 0.0f;
}

/* ---- clients ---- */

static void mask_addr(uint8_t *out, uint8_t family, const uint8_t *addr,
		      uint8_t v6_prefix)
{
	memset(out, 0, 16);
	if (family == 4) {
		memcpy(out, addr, 4);
		return;
	}
	memcpy(out, addr, v6_prefix / 8);
	if (v6_prefix % 8)
		out[v6_prefix / 8] = addr[v6_prefix / 8] &
				     (uint8_t)(0xff00 >> (v6_prefix % 8));
}

/* How dear an entry is to keep (lower goes first). */
static inline unsigned int keep_rank(const struct ww_feat_client *c,
				     uint64_t now_ns)
{
	if (c->family == 0)
		return 0;
	if (c->blocked_until_ns > now_ns || c->throttled_until_ns > now_ns)
		return 3;
	return c->open_flows > 0 ? 2 : 1;
}

uint32_t ww_feat_client_get(struct ww_feat_clients *t, uint8_t family,
			    const uint8_t *addr, uint64_t now_ns)
{
	uint8_t key[16] __attribute__((aligned(8))); /* hashed in words */
	uint32_t set, i, victim = 0;
	unsigned int best = UINT32_MAX, rank;
	struct ww_feat_client *e;

	mask_addr(key, family, addr, t->v6_prefix);
	set = rte_jhash(key, 16, t->seed ^ family) & t->mask;
	e = &t->e[set * WW_FEAT_WAYS];
	for (i = 0; i < WW_FEAT_WAYS; i++) {
		if (e[i].family == family && memcmp(e[i].addr, key, 16) == 0) {
			e[i].last_ns = now_ns;
			return set * WW_FEAT_WAYS + i;
		}
		rank = keep_rank(&e[i], now_ns);
		if (rank < best ||
		    (rank == best && e[i].last_ns < e[victim].last_ns)) {
			best = rank;
			victim = i;
		}
	}
	e = &e[victim];
	if (e->family != 0)
		t->stats.evicted++;
	t->stats.inserted++;
	{
		const uint32_t gen = e->gen + 1;

		memset(e, 0, sizeof(*e));
		e->gen = gen;
	}
	memcpy(e->addr, key, 16);
	e->family = family;
	e->last_ns = now_ns;
	e->sec = now_ns / NS_PER_S;
	return set * WW_FEAT_WAYS + victim;
}

void ww_feat_client_roll(struct ww_feat_client *c, uint64_t now_ns)
{
	const uint64_t sec = now_ns / NS_PER_S;

	if (sec <= c->sec)
		return;
	if (sec == c->sec + 1)
		c->w1_prev = c->w1;
	else
		memset(&c->w1_prev, 0, sizeof(c->w1_prev));
	memset(&c->w1, 0, sizeof(c->w1));
	if (sec / 10 != c->sec / 10) {
		if (sec / 10 == c->sec / 10 + 1)
			c->w10_prev = c->w10;
		else
			memset(&c->w10_prev, 0, sizeof(c->w10_prev));
		memset(&c->w10, 0, sizeof(c->w10));
		c->req_n = 0;
		c->req_iv_mean = c->req_iv_m2 = 0;
	}
	c->triggered = 0;
	c->in_list = 0;
	c->sec = sec;
}

void ww_feat_client_touch(struct ww_feat_clients *t, uint32_t idx,
			  uint64_t now_ns)
{
	struct ww_feat_client *c = &t->e[idx];
	const uint64_t sec = now_ns / NS_PER_S;

	if (c->sec == sec && c->in_list)
		return;
	ww_feat_client_roll(c, now_ns);
	if (c->sec != sec)
		return; /* time went back: count in the second it holds */
	if (t->n_active == 0)
		t->active_sec = sec;
	if (t->active_sec != sec)
		return; /* the caller did not end the last second first */
	if (t->n_active == t->capacity) {
		t->stats.ticks_lost++;
		return;
	}
	t->active[t->n_active++] = idx;
	c->in_list = 1;
}
