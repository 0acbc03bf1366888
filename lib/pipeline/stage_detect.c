/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage detect: features (lib/feat) and the models that score them
 * (lib/forest), inside the data path.
 *
 * Per frame, before its L7 inspection (stage_l7 calls ww_detect_frame
 * frame by frame, so a row taken at a request sees exactly the packets
 * before it, whatever the burst boundaries): the flow's and the client's
 * features are updated, a decision point takes a row, and a client or a
 * flow a model already judged is enforced (blocked, throttled, dropped).
 * Requests, responses and request heads report from l7_http.c; a flow's
 * end from the flow table's callback; a second's end (client ticks) is
 * noticed at the first frame or housekeeping after it.
 *
 * Rows wait in a per-worker batch of up to WW_FOREST_BATCH_MAX and are
 * scored together, by the classifier and by the anomaly model, at the
 * end of the burst (or when the batch is full); a verdict then acts on
 * the frame that took the row (the same burst), its flow and its client.
 */
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "stage.h"

#define NS_PER_MS 1000000ull

/* Who and where a row was taken, as it was then: by the time the batch
 * is scored its flow may have ended (an end row always has) and its
 * client's entry may hold another client. */
struct row_meta {
	struct ww_flow *flow; /* to act on, if still f->id == flow_id */
	uint64_t flow_id;     /* 0: no flow (a tick row) */
	uint64_t ts_ns;
	uint32_t client_idx, client_gen; /* gen 0: no client entry */
	/* The client's own address (4-byte aligned: it is hashed in words). */
	uint8_t client[16] __attribute__((aligned(8)));
	uint8_t server[16];
	int16_t frame; /* in the current burst, -1: none */
	uint8_t dp, kind;
	uint8_t family, proto; /* 4/6; the flow's IP protocol, 0: none */
	uint16_t client_port, server_port;
};

#define MAX_OUTPUTS 16 /* classes a classifier may have here */

struct ww_detect {
	struct ww_feat_clients clients;
	struct ww_burst *b; /* the burst being inspected (NULL between) */
	int16_t frame;	    /* the frame being inspected, -1: none */
	uint32_t n;	    /* rows waiting */
	/* A packet decision point waits until its packet is through L7: if
	 * the same packet completes the flow's first request, the request
	 * row (which says more) is the one row taken for it. */
	struct ww_flow *pend_flow; /* NULL: none */
	struct row_meta pend_meta;
	float pend_row[WW_FEAT_N];
	struct row_meta meta[WW_FOREST_BATCH_MAX];
	float rows[WW_FOREST_BATCH_MAX][WW_FEAT_N];
	double out[WW_FOREST_BATCH_MAX * MAX_OUTPUTS];
	double anom[WW_FOREST_BATCH_MAX];
};

int ww_detect_create(struct ww_worker *w, int socket)
{
	const struct ww_conf *c = w->ctx->conf;
	struct ww_detect *d;

	if (!c->detect_enabled)
		return 0;
	if (ww_flow_table_ext(w->flows, WW_FEAT_FLOW_BYTES, socket) < 0)
		return -ENOMEM;
	d = rte_zmalloc_socket("ww_detect", sizeof(*d), RTE_CACHE_LINE_SIZE,
			       socket);
	if (d == NULL)
		return -ENOMEM;
	/* Offline runs repeat exactly; live, the set hash's key is secret. */
	if (ww_feat_clients_init(&d->clients, c->detect_max_clients,
				 (uint8_t)c->detect_v6_prefix,
				 w->ctx->offline ? 0x57460001u
						 : (uint32_t)rte_rand(),
				 socket) < 0) {
		rte_free(d);
		return -ENOMEM;
	}
	d->frame = -1;
	w->det = d;
	return 0;
}

void ww_detect_destroy(struct ww_worker *w)
{
	if (w->det == NULL)
		return;
	ww_feat_clients_free(&w->det->clients);
	rte_free(w->det);
	w->det = NULL;
}

uint64_t ww_detect_memory(const struct ww_worker *w)
{
	return w->det == NULL
		       ? 0
		       : sizeof(*w->det) +
				 ww_feat_clients_memory(&w->det->clients);
}

static inline struct ww_feat_flow *flow_feat(const struct ww_worker *w,
					     const struct ww_flow *f)
{
	return ww_flow_ext(w->flows, f);
}

static inline unsigned int client_side(const struct ww_flow *f)
{
	return f->client_lo ? 0 : 1;
}

/* ---- rows: exported, and batched for the models ---- */

static bool rows_wanted(const struct ww_worker *w)
{
	return w->feat_csv != NULL || w->feat_ring != NULL ||
	       ww_forest_slot_get(&w->ctx->classifier) != NULL ||
	       ww_forest_slot_get(&w->ctx->anomaly) != NULL;
}

static void export_row(struct ww_worker *w, const struct row_meta *m,
		       const float *row)
{
	struct ww_feat_record r;

	memset(&r, 0, offsetof(struct ww_feat_record, row));
	r.ts_ns = m->ts_ns;
	r.row_kind = m->kind;
	r.dp = m->dp;
	r.family = m->family;
	memcpy(r.client, m->client, 16);
	if (m->kind == WW_ROW_FLOW) {
		r.flow_id = m->flow_id;
		r.proto = m->proto;
		memcpy(r.server, m->server, 16);
		r.client_port = m->client_port;
		r.server_port = m->server_port;
	} else {
		/* A client row names its client (an IPv6 client: its
		 * prefix), not a flow. */
		const struct ww_feat_client *c =
			&w->det->clients.e[m->client_idx];

		memcpy(r.client, c->addr, 16);
		r.family = c->family;
	}
	memcpy(r.row, row, sizeof(r.row));
	if (w->feat_csv != NULL)
		ww_feat_record_csv(w->feat_csv, &r);
	else if (rte_ring_sp_enqueue_elem(w->feat_ring, &r, sizeof(r)) != 0)
		w->stats.detect.export_dropped++;
}

static void flush(struct ww_worker *w);

static void meta_flow(struct row_meta *m, struct ww_flow *f)
{
	const unsigned int cs = client_side(f);

	m->flow = f;
	m->flow_id = f->id;
	m->family = f->key.family;
	m->proto = f->key.proto;
	memcpy(m->client, f->key.addr[cs], 16);
	memcpy(m->server, f->key.addr[1 - cs], 16);
	m->client_port = f->key.port[cs];
	m->server_port = f->key.port[1 - cs];
}

/* Take a row slot in the batch (scoring the batch first when full). */
static float *row_slot(struct ww_worker *w, struct row_meta **meta)
{
	struct ww_detect *d = w->det;

	if (d->n == WW_FOREST_BATCH_MAX)
		flush(w);
	*meta = &d->meta[d->n];
	return d->rows[d->n];
}

static void row_done(struct ww_worker *w, struct row_meta *m)
{
	struct ww_detect *d = w->det;

	w->stats.detect.rows[m->dp]++;
	if (w->feat_csv != NULL || w->feat_ring != NULL)
		export_row(w, m, d->rows[d->n]);
	d->n++;
}

/* Fill @row and @m: a flow row of @f at @dp, now. */
static void make_flow_row(struct ww_worker *w, float *row, struct row_meta *m,
			  struct ww_flow *f, const struct ww_feat_flow *ff,
			  enum ww_feat_dp dp, const struct ww_feat_req *req,
			  int16_t frame)
{
	struct ww_detect *d = w->det;
	const struct ww_feat_client *c = NULL;

	if (ff->client_idx != 0 &&
	    d->clients.e[ff->client_idx - 1].gen == ff->client_gen)
		c = &d->clients.e[ff->client_idx - 1];
	ww_feat_row_flow(row, dp, ff, f, req, c, w->now_ns);
	m->ts_ns = w->now_ns;
	m->client_idx = c != NULL ? ff->client_idx - 1 : 0;
	m->client_gen = c != NULL ? ff->client_gen : 0;
	m->frame = frame;
	m->dp = (uint8_t)dp;
	m->kind = WW_ROW_FLOW;
	meta_flow(m, f);
}

static void flow_row(struct ww_worker *w, struct ww_flow *f,
		     const struct ww_feat_flow *ff, enum ww_feat_dp dp,
		     const struct ww_feat_req *req, int16_t frame)
{
	struct row_meta *m;
	float *row;

	if (!rows_wanted(w))
		return;
	row = row_slot(w, &m);
	make_flow_row(w, row, m, f, ff, dp, req, frame);
	row_done(w, m);
}

static void client_row(struct ww_worker *w, uint32_t idx, enum ww_feat_dp dp,
		       uint64_t at_ns, struct ww_flow *f, int16_t frame)
{
	const struct ww_feat_client *c = &w->det->clients.e[idx];
	struct row_meta *m;
	float *row;

	if (!rows_wanted(w))
		return;
	row = row_slot(w, &m);
	ww_feat_row_client(row, dp, c, at_ns);
	m->ts_ns = at_ns;
	m->client_idx = idx;
	m->client_gen = c->gen;
	m->frame = frame;
	m->dp = (uint8_t)dp;
	m->kind = WW_ROW_CLIENT;
	if (f != NULL) {
		meta_flow(m, f);
	} else {
		m->flow = NULL;
		m->flow_id = 0;
		m->family = c->family;
		m->proto = 0;
		m->client_port = m->server_port = 0;
		memcpy(m->client, c->addr, 16);
		memset(m->server, 0, 16);
	}
	row_done(w, m);
}

/* ---- clients ---- */

/* Client @idx's tick for the second that ended: a row as of the end of
 * that second, then its windows move on. */
static void take_tick(struct ww_worker *w, uint32_t idx)
{
	struct ww_feat_clients *t = &w->det->clients;
	struct ww_feat_client *c = &t->e[idx];
	const uint64_t end_ns = (t->ending_sec + 1) * NS_PER_S;

	if (c->family == 0 || !ww_feat_client_tick_due(t, c))
		return; /* taken already, or the entry has another client */
	client_row(w, idx, WW_DP_TICK, end_ns, NULL, -1);
	ww_feat_client_roll(c, end_ns);
}

/* Up to @max of the ticks still to take (UINT32_MAX: all). */
static void take_ticks(struct ww_worker *w, uint32_t max)
{
	struct ww_feat_clients *t = &w->det->clients;

	while (max-- > 0 && t->ending_next < t->n_ending) {
		const uint32_t idx = t->ending[t->ending_next];

		/* Taken before its turn: the tick is due until the cursor
		 * passes its entry, so look before moving on. */
		take_tick(w, idx);
		t->ending_next++;
	}
}

/* A second ended (the first frame or housekeeping after it): what is left
 * of the one before is taken now, and this one's ticks begin. */
static inline void tick_check(struct ww_worker *w, uint64_t now_ns)
{
	if (ww_feat_clients_second_over(&w->det->clients, now_ns)) {
		take_ticks(w, UINT32_MAX);
		ww_feat_clients_second_done(&w->det->clients);
	}
}

/* Ticks taken per burst and per housekeeping pass. */
#define TICKS_PER_CALL 64

/* UNIX ms of the start of @ff's incomplete request head. */
static uint64_t head_start_ms(const struct ww_flow *f,
			      const struct ww_feat_flow *ff)
{
	return f->start_ns / NS_PER_MS + ff->head_start_ms;
}

/* The client entry of flow @f, attached (counted as one of its open
 * flows) when the flow is new or its client's entry was taken by
 * another client since. Its windows are at @now_ns's second. */
static struct ww_feat_client *client_of(struct ww_worker *w, struct ww_flow *f,
					struct ww_feat_flow *ff,
					uint64_t now_ns)
{
	struct ww_feat_clients *t = &w->det->clients;
	struct ww_feat_client *c;
	uint32_t idx;

	if (ff->client_idx != 0 &&
	    t->e[ff->client_idx - 1].gen == ff->client_gen) {
		idx = ff->client_idx - 1;
		c = &t->e[idx];
		c->last_ns = now_ns;
		/* Its tick for the second that ended comes before anything
		 * new. */
		if (ww_feat_client_tick_due(t, c))
			take_tick(w, idx);
	} else {
		idx = ww_feat_client_get(t, f->key.family,
					 f->key.addr[client_side(f)], now_ns);
		c = &t->e[idx];
		if (ww_feat_client_tick_due(t, c))
			take_tick(w, idx);
		ff->client_idx = idx + 1;
		ff->client_gen = c->gen;
		c->open_flows++;
		c->half_open_now += ff->half_open;
		if (ff->head_open) {
			c->incomplete_heads++;
			c->incomplete_start_ms += head_start_ms(f, ff);
		}
	}
	ww_feat_client_touch(t, idx, now_ns);
	return c;
}

#define COUNT(c, field)                          \
	do {                                     \
		if ((c)->w1.field < UINT16_MAX)  \
			(c)->w1.field++;         \
		if ((c)->w10.field < UINT16_MAX) \
			(c)->w10.field++;        \
	} while (0)
#define MARK(c, bm, bit)              \
	do {                          \
		(c)->w1.bm |= (bit);  \
		(c)->w10.bm |= (bit); \
	} while (0)

/* Trigger @bit of client @c fires (once per second) when @reached. */
static void trigger(struct ww_worker *w, struct ww_feat_client *c,
		    unsigned int bit, uint32_t limit, float value,
		    struct ww_flow *f, int16_t frame)
{
	if (limit == 0 || value < (float)limit || (c->triggered & bit))
		return;
	c->triggered |= (uint8_t)bit;
	client_row(w, (uint32_t)(c - w->det->clients.e), WW_DP_TRIGGER,
		   w->now_ns, f, frame);
}

static bool is_icmp_error(const struct ww_pkt *p)
{
	if (!(p->flags & WW_PKT_F_L4))
		return false;
	if (p->l4proto == 1)
		return p->sport == 3 || p->sport == 11 || p->sport == 12;
	return p->l4proto == 58 && p->sport >= 1 && p->sport <= 4;
}

/* The client's half-open flow is no longer half-open (it completed, or
 * it ended: @ended). */
static void half_open_done(struct ww_feat_client *c, struct ww_feat_flow *ff,
			   bool ended)
{
	if (!ff->half_open)
		return;
	ff->half_open = 0;
	if (c == NULL)
		return;
	if (c->half_open_now > 0)
		c->half_open_now--;
	if (ended)
		COUNT(c, half_open_ended);
}

/* The flow's client, if its entry still holds it. */
static struct ww_feat_client *client_if(const struct ww_worker *w,
					const struct ww_feat_flow *ff)
{
	struct ww_feat_client *c;

	if (ff->client_idx == 0)
		return NULL;
	c = &w->det->clients.e[ff->client_idx - 1];
	return c->gen == ff->client_gen ? c : NULL;
}

static void head_close(const struct ww_flow *f, struct ww_feat_client *c,
		       struct ww_feat_flow *ff)
{
	if (!ff->head_open)
		return;
	ff->head_open = 0;
	if (c != NULL && c->incomplete_heads > 0) {
		c->incomplete_heads--;
		c->incomplete_start_ms -= head_start_ms(f, ff);
	}
}

/* ---- per frame ---- */

static bool allow_listed(const struct ww_conf *conf, uint8_t family,
			 const uint8_t *addr)
{
	return ww_cidr_list_contains(conf->detect_allow, conf->n_detect_allow,
				     family == 4 ? AF_INET : AF_INET6, addr);
}

/* A throttled client's new flow (@what 0) or request (1): a token of its
 * bucket, or false (over [detect] throttle_rate). true when the client
 * is not throttled. */
static bool throttle_take(struct ww_worker *w, const struct ww_feat_client *c,
			  uint8_t what, uint64_t now)
{
	const struct ww_limit_rule rule = {w->pol->conf->detect_throttle_rate,
					   w->pol->conf->detect_throttle_rate};
	struct ww_limit_key key;

	if (c->throttled_until_ns <= now)
		return true;
	memset(&key, 0, sizeof(key));
	memcpy(key.addr, c->addr, 16);
	key.kind = WW_LIMIT_THROTTLE;
	key.route = what;
	return ww_limit_take(&w->limits, &key, &rule, now, NULL);
}

/* Make frame @i's verdict @v unless it has a stronger one. */
static void strengthen(struct ww_burst *b, uint16_t i, enum ww_verdict v)
{
	if (b->verdict[i] == WW_V_HELD || b->verdict[i] >= v)
		return;
	stop(b, i, v, WW_DROP_MODEL);
}

/* The packet decision point's row, taken when its packet was counted,
 * goes to the batch once that packet is through L7 (unless the packet's
 * request row took its place). */
static void take_pending(struct ww_worker *w)
{
	struct ww_detect *d = w->det;
	struct row_meta *m;
	float *row;

	if (d->pend_flow == NULL)
		return;
	d->pend_flow = NULL;
	row = row_slot(w, &m);
	memcpy(row, d->pend_row, sizeof(d->pend_row));
	*m = d->pend_meta;
	row_done(w, m);
}

void ww_detect_frame(struct ww_worker *w, struct ww_burst *b, uint16_t i)
{
	struct ww_detect *d = w->det;
	struct ww_flow *f = b->flow[i];
	const struct ww_pkt *p = &b->pk[i];
	struct ww_feat_flow *ff;
	struct ww_feat_client *c;
	const uint64_t now = b->ts[i];
	const uint8_t dir = b->dir[i];
	enum ww_feat_dp dp;
	uint32_t len;
	uint8_t hs;

	if (d == NULL)
		return;
	take_pending(w);
	if (f == NULL)
		return;
	d->b = b;
	d->frame = (int16_t)i;
	w->now_ns = now;
	tick_check(w, now);
	ff = flow_feat(w, f);
	c = client_of(w, f, ff, now);
	if (ff->pkts[0] == 0 && ff->pkts[1] == 0) {
		const struct ww_conf *conf = w->pol->conf;

		/* Checked once, with the client's own address (an IPv6 client
		 * entry holds its prefix only). */
		ff->allowed = conf->n_detect_allow != 0 &&
			      allow_listed(conf, f->key.family,
					   f->key.addr[client_side(f)]);
	}
	if (ff->pkts[0] == 0 && ff->pkts[1] == 0 && dir == WW_FLOW_TOSERVER) {
		/* A new flow this client started (not one a server's packet
		 * opened, such as the ICMP error a probe drew). */
		const unsigned int ss = 1 - client_side(f);

		COUNT(c, new_flows);
		MARK(c, bm_ports, ww_feat_bit(f->key.port[ss]));
		MARK(c, bm_addrs,
		     ww_feat_bit(rte_hash_crc(f->key.addr[ss], 16, 0)));
		if (p->l4proto == 6 && dir == WW_FLOW_TOSERVER &&
		    (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) == WW_TCP_SYN) {
			COUNT(c, syns);
			ff->half_open = 1;
			c->half_open_now++;
		}
		/* A throttled client's new flows take a token each. */
		if (!ff->allowed && !throttle_take(w, c, 0, now)) {
			ff->verdict = 1;
			w->stats.detect.throttled_flows++;
		}
	}
	len = (uint32_t)(p->payload_off + p->payload_len - p->l3_off);
	hs = ff->handshake;
	dp = ww_feat_flow_packet(ff, f, p, len, dir, now);
	/* A packet "from the server" that came in on the outside port is
	 * not the server's (anyone can send it): it does not count as what
	 * the client received. */
	if (dir == WW_FLOW_TOSERVER ||
	    w->ctx->side[b->m[i]->port] != WW_SIDE_OUTSIDE) {
		if (c->w1.pkts[dir] < UINT32_MAX) {
			c->w1.pkts[dir]++;
			c->w10.pkts[dir]++;
		}
		c->w1.bytes[dir] = ww_feat_sat_add32(c->w1.bytes[dir], len);
		c->w10.bytes[dir] = ww_feat_sat_add32(c->w10.bytes[dir], len);
		if (dir == WW_FLOW_TOCLIENT) {
			if (p->l4proto == 6 && (p->tcp_flags & WW_TCP_RST))
				COUNT(c, rst_recv);
			else if (is_icmp_error(p))
				COUNT(c, icmp_err_recv);
		}
	}
	if (ff->handshake) {
		if (!hs && c->handshakes < UINT32_MAX)
			c->handshakes++; /* a return path: not spoofed */
		half_open_done(c, ff, false);
	}

	/* What a verdict already decided. */
	if (!ff->allowed && c->flows_verdict != 0 && ff->verdict == 0 &&
	    f->start_ns <= c->flows_verdict_ns) {
		ff->verdict = 1;
		strengthen(b, i,
			   c->flows_verdict == 2 && p->l4proto == 6
				   ? WW_V_RESET
				   : WW_V_DROP);
	}
	if ((c->blocked_until_ns > now && !ff->allowed) || ff->verdict != 0)
		strengthen(b, i, WW_V_DROP);

	if (dp != WW_DP_NONE && !(ff->dp_done & (1u << dp))) {
		ff->dp_done |= (uint8_t)(1u << dp);
		if (rows_wanted(w)) {
			make_flow_row(w, d->pend_row, &d->pend_meta, f, ff, dp,
				      NULL, (int16_t)i);
			d->pend_flow = f;
		}
	}
	{
		const struct ww_conf *conf = w->pol->conf;

		trigger(w, c, 1, conf->detect_trigger_flows, c->w1.new_flows, f,
			(int16_t)i);
		if (!(c->triggered & 2) && conf->detect_trigger_ports != 0)
			trigger(w, c, 2, conf->detect_trigger_ports,
				ww_feat_distinct(c->w1.bm_ports), f,
				(int16_t)i);
		trigger(w, c, 4, conf->detect_trigger_half_open,
			(float)c->half_open_now, f, (int16_t)i);
	}
}

/* ---- reports from the L7 stage and the flow table ---- */

/* FNV-1a over bytes of any alignment (a path inside a request head). */
static uint32_t bytes_hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

void ww_detect_request(struct ww_worker *w, struct ww_flow *f,
		       const struct ww_http_request *r)
{
	struct ww_feat_flow *ff;
	struct ww_feat_client *c;
	struct ww_feat_req req;
	uint64_t now = w->now_ns;

	if (w->det == NULL)
		return;
	ff = flow_feat(w, f);
	c = client_of(w, f, ff, now);
	head_close(f, c, ff);
	/* A throttled client's requests take a token each too (a flood on
	 * keep-alive connections opens no new flow): over the rate, the
	 * connection is dropped from this request on. */
	if (!ff->allowed && !throttle_take(w, c, 1, now)) {
		struct ww_detect *d = w->det;

		ff->verdict = 1;
		w->stats.detect.throttled_requests++;
		if (d->b != NULL && d->frame >= 0 && d->frame < d->b->n &&
		    d->b->flow[d->frame] == f)
			strengthen(d->b, (uint16_t)d->frame, WW_V_DROP);
	}
	if (ff->http_requests < UINT16_MAX)
		ff->http_requests++;
	COUNT(c, requests);
	MARK(c, bm_paths, ww_feat_bit(bytes_hash(r->path.p, r->path.len)));
	if (c->req_n > 0 && c->last_req_ns != 0 && now >= c->last_req_ns) {
		const float iv = (float)((double)(now - c->last_req_ns) / 1e9);
		const float dlt = iv - c->req_iv_mean;

		c->req_iv_mean += dlt / (float)c->req_n;
		c->req_iv_m2 += dlt * (iv - c->req_iv_mean);
	}
	c->req_n++;
	c->last_req_ns = now;
	if (!(ff->dp_done & (1u << WW_DP_REQUEST))) {
		ff->dp_done |= 1u << WW_DP_REQUEST;
		/* Its packet's own decision point: this row stands for it. */
		if (w->det->pend_flow == f &&
		    w->det->pend_meta.frame == w->det->frame)
			w->det->pend_flow = NULL;
		ww_feat_request(&req, r);
		flow_row(w, f, ff, WW_DP_REQUEST, &req, w->det->frame);
	}
	trigger(w, c, 8, w->pol->conf->detect_trigger_requests, c->w1.requests,
		f, w->det->frame);
}

void ww_detect_response(struct ww_worker *w, struct ww_flow *f, uint16_t status,
			uint64_t latency_ns)
{
	struct ww_feat_flow *ff;
	struct ww_feat_client *c;

	if (w->det == NULL || status < 200)
		return;
	ff = flow_feat(w, f);
	ww_feat_flow_response(ff, status, latency_ns);
	c = client_of(w, f, ff, w->now_ns);
	if (status >= 400 && status < 500)
		COUNT(c, s4xx);
	if (status == 401)
		COUNT(c, s401);
	else if (status == 403)
		COUNT(c, s403);
	else if (status == 404)
		COUNT(c, s404);
}

void ww_detect_head_begin(struct ww_worker *w, struct ww_flow *f)
{
	struct ww_feat_flow *ff;
	struct ww_feat_client *c;

	if (w->det == NULL)
		return;
	ff = flow_feat(w, f);
	if (ff->head_open)
		return;
	c = client_of(w, f, ff, w->now_ns);
	ff->head_open = 1;
	ff->head_start_ms =
		w->now_ns > f->start_ns
			? (uint32_t)((w->now_ns - f->start_ns) / NS_PER_MS)
			: 0;
	c->incomplete_heads++;
	c->incomplete_start_ms += head_start_ms(f, ff);
}

void ww_detect_head_done(struct ww_worker *w, struct ww_flow *f)
{
	struct ww_feat_flow *ff;

	if (w->det == NULL)
		return;
	ff = flow_feat(w, f);
	head_close(f, client_if(w, ff), ff);
}

void ww_detect_flow_end(struct ww_worker *w, struct ww_flow *f, uint64_t now_ns)
{
	struct ww_feat_flow *ff;
	struct ww_feat_client *c;

	if (w->det == NULL)
		return;
	if (w->det->pend_flow == f)
		take_pending(w);
	ff = flow_feat(w, f);
	if (ff->pkts[0] == 0 && ff->pkts[1] == 0)
		return; /* never seen by this stage */
	c = client_if(w, ff);
	if (c != NULL) {
		tick_check(w, now_ns);
		if (ww_feat_client_tick_due(&w->det->clients, c))
			take_tick(w, ff->client_idx - 1);
		ww_feat_client_touch(&w->det->clients, ff->client_idx - 1,
				     now_ns);
		if (c->open_flows > 0)
			c->open_flows--;
	}
	half_open_done(c, ff, true);
	head_close(f, c, ff);
	{
		const uint64_t was = w->now_ns;

		w->now_ns = now_ns;
		flow_row(w, f, ff, WW_DP_END, NULL, -1);
		w->now_ns = was;
	}
	/* The flow entry is about to be reused: a row waiting for its
	 * verdict keeps the id, and finds no flow under it. */
}

/* ---- verdicts ---- */

static void request_block(struct ww_worker *w, const struct ww_feat_client *c,
			  unsigned int cls, uint32_t ttl)
{
	struct ww_detect_response r;

	if (w->responses == NULL)
		return;
	memset(&r, 0, sizeof(r));
	memcpy(r.addr, c->addr, 16);
	r.family = c->family;
	r.prefix_len =
		(uint8_t)(c->family == 4 ? 32 : w->det->clients.v6_prefix);
	r.cls = (uint8_t)cls;
	r.ttl_s = ttl;
	if (rte_ring_sp_enqueue_elem(w->responses, &r, sizeof(r)) != 0)
		w->stats.detect.responses_dropped++;
}

/* Does an allow entry fall inside (or cover) client prefix @addr/@len? */
static bool allow_overlaps(const struct ww_conf *conf, uint8_t family,
			   const uint8_t *addr, unsigned int len)
{
	struct ww_cidr client = {.family = family == 4 ? AF_INET : AF_INET6,
				 .prefix_len = (uint8_t)len};
	unsigned int i;

	memcpy(client.addr, addr, 16);
	for (i = 0; i < conf->n_detect_allow; i++) {
		const struct ww_cidr *a = &conf->detect_allow[i];

		/* Two prefixes overlap when the shorter holds the other. */
		if (a->prefix_len <= len
			    ? ww_cidr_contains(a, client.family, client.addr)
			    : ww_cidr_contains(&client, a->family, a->addr))
			return true;
	}
	return false;
}

/* How long a worker keeps a client blocked that never completed a TCP
 * handshake: its address may be spoofed, so the block lasts while the
 * flood does (each verdict renews it), stays in this worker and never
 * reaches the block lists. */
#define UNPROVEN_BLOCK_S 10u

/* Carry out verdict @a on row @m (its client entry @c, NULL when the
 * entry holds another client now). @return what was done: drop and reset
 * act on the row's flow and frame, a client row's on the client's open
 * flows (at their next packet); block and throttle need the client. */
static enum ww_conf_model_action
act(struct ww_worker *w, const struct row_meta *m, struct ww_feat_client *c,
    enum ww_conf_model_action a, struct ww_event_model *em, unsigned int cls)
{
	const struct ww_conf *conf = w->pol->conf;
	struct ww_detect *d = w->det;
	struct ww_flow *f = m->flow;
	const bool flow_ok = f != NULL && m->flow_id != 0 && f->in_use &&
			     f->id == m->flow_id;
	const bool frame_ok = flow_ok && m->frame >= 0 && d->b != NULL &&
			      m->frame < d->b->n && d->b->flow[m->frame] == f;
	const unsigned int plen =
		m->family == 4 ? 32u : (unsigned int)d->clients.v6_prefix;
	uint32_t ttl;

	switch (a) {
	case WW_CONF_MODEL_DROP:
	case WW_CONF_MODEL_RESET:
		if (m->kind == WW_ROW_CLIENT && c != NULL) {
			c->flows_verdict = a == WW_CONF_MODEL_RESET ? 2 : 1;
			c->flows_verdict_ns = m->ts_ns;
		} else if (!flow_ok) {
			return WW_CONF_MODEL_ALERT;
		}
		if (flow_ok)
			flow_feat(w, f)->verdict = 1;
		if (frame_ok)
			strengthen(d->b, (uint16_t)m->frame,
				   a == WW_CONF_MODEL_RESET &&
						   d->b->pk[m->frame].l4proto ==
							   6
					   ? WW_V_RESET
					   : WW_V_DROP);
		return a;
	case WW_CONF_MODEL_BLOCK:
		if (c == NULL)
			return WW_CONF_MODEL_ALERT;
		if (flow_ok)
			flow_feat(w, f)->verdict = 1;
		if (frame_ok)
			strengthen(d->b, (uint16_t)m->frame, WW_V_DROP);
		/* An allowed address inside the client's prefix (IPv6): the
		 * verdict stays on the flow. */
		if (allow_overlaps(conf, c->family, c->addr, plen))
			return flow_ok ? WW_CONF_MODEL_DROP
				       : WW_CONF_MODEL_ALERT;
		ttl = conf->detect_block_ttl;
		if (c->handshakes == 0 && ttl > UNPROVEN_BLOCK_S)
			ttl = UNPROVEN_BLOCK_S;
		/* The block lists hear of it once, when it begins. */
		if (c->blocked_until_ns <= m->ts_ns && c->handshakes != 0)
			request_block(w, c, cls, ttl);
		c->blocked_until_ns = m->ts_ns + (uint64_t)ttl * NS_PER_S;
		em->ttl_s = ttl;
		return a;
	case WW_CONF_MODEL_THROTTLE:
		if (c == NULL || allow_overlaps(conf, c->family, c->addr, plen))
			return WW_CONF_MODEL_ALERT;
		c->throttled_until_ns =
			m->ts_ns +
			(uint64_t)conf->detect_throttle_ttl * NS_PER_S;
		em->ttl_s = conf->detect_throttle_ttl;
		return a;
	default:
		return a;
	}
}

static enum ww_alert_cat class_category(unsigned int cls, bool anomaly)
{
	if (anomaly)
		return WW_ACAT_UNKNOWN;
	switch (cls) {
	case WW_CLASS_FLOOD:
	case WW_CLASS_SYN_FLOOD:
	case WW_CLASS_SLOW_DOS:
		return WW_ACAT_ATTEMPTED_DOS;
	case WW_CLASS_SCAN:
		return WW_ACAT_NETWORK_SCAN;
	case WW_CLASS_BRUTE_FORCE:
		return WW_ACAT_ATTEMPTED_USER;
	case WW_CLASS_CONTENT_DISCOVERY:
		return WW_ACAT_ATTEMPTED_RECON;
	case WW_CLASS_WEB_ATTACK:
		return WW_ACAT_WEB_APPLICATION_ATTACK;
	default:
		return WW_ACAT_UNKNOWN;
	}
}

/* Row @k scored by every tree of both models: the probability of the
 * class in @prob's place (the verdict's, else the likeliest) and the
 * anomaly decision. One row, for an alert: rare, memo-limited. */
static void rescore(struct ww_worker *w, uint32_t k,
		    const struct ww_forest *cls_model, uint32_t n_out,
		    const struct ww_forest *an_model, double *prob, double *dec)
{
	const float *row = w->det->rows[k];
	double out[MAX_OUTPUTS], score;

	if (cls_model != NULL &&
	    ww_forest_predict(cls_model, WW_FOREST_KERNEL_AUTO, row, 1, out) ==
		    0)
		*prob = out[ww_forest_argmax(out, n_out)];
	if (an_model != NULL &&
	    ww_forest_predict(an_model, WW_FOREST_KERNEL_AUTO, row, 1,
			      &score) == 0)
		*dec = ww_forest_decision(an_model, score);
}

static void judge(struct ww_worker *w, uint32_t k,
		  const struct ww_forest *cls_model, const double *probs,
		  uint32_t n_out, const struct ww_forest *an_model,
		  double score)
{
	const struct ww_conf *conf = w->pol->conf;
	struct ww_detect *d = w->det;
	const struct row_meta *m = &d->meta[k];
	struct ww_feat_client *c = &d->clients.e[m->client_idx];
	struct ww_forest_info info;
	struct ww_event ev;
	struct ww_event_model em;
	enum ww_conf_model_action a = WW_CONF_MODEL_NONE;
	unsigned int cls = WW_CLASS_BENIGN;
	double prob = NAN, dec = NAN;
	bool by_anomaly = false;
	char sig[160];

	if (m->client_gen == 0 || c->gen != m->client_gen || c->family == 0)
		c = NULL; /* its entry holds another client now */
	if (cls_model != NULL) {
		const uint32_t best = ww_forest_argmax(probs, n_out);
		const int64_t label = ww_forest_class_label(cls_model, best);

		prob = probs[best];
		if (label > 0 && label < WW_CLASS_MAX &&
		    prob >= conf->detect_min_prob[label] &&
		    conf->detect_action[label] != WW_CONF_MODEL_NONE) {
			cls = (unsigned int)label;
			w->stats.detect.verdicts[cls]++;
			a = conf->detect_may_act ? conf->detect_action[cls]
						 : WW_CONF_MODEL_ALERT;
		}
	}
	if (an_model != NULL) {
		dec = ww_forest_decision(an_model, score);
		if (dec < conf->detect_anomaly_alert) {
			w->stats.detect.anomalies++;
			if (a == WW_CONF_MODEL_NONE) {
				by_anomaly = true;
				a = dec < conf->detect_anomaly_act &&
						    conf->detect_anomaly_may_act
					    ? conf->detect_anomaly_action
					    : WW_CONF_MODEL_ALERT;
			}
		}
	}
	if (a == WW_CONF_MODEL_NONE)
		return;
	memset(&em, 0, sizeof(em));
	if (a > WW_CONF_MODEL_ALERT &&
	    allow_listed(conf, m->family, m->client)) {
		w->stats.detect.allow_listed++;
		a = WW_CONF_MODEL_ALERT;
		em.allowed = 1;
	}
	a = act(w, m, c, a, &em, cls);
	w->stats.detect.actions[a]++;
	/* The flow's record says a verdict named it (even when the memo
	 * keeps the alert itself quiet). */
	if (m->kind != WW_ROW_CLIENT && m->flow != NULL && m->flow_id != 0 &&
	    m->flow->in_use && m->flow->id == m->flow_id)
		m->flow->judged |= WW_FLOW_ALERTED;
	/* One alert per source per interval, and one more for the verdicts
	 * that act (so an alert-only verdict never hides a block): a
	 * flood's verdicts act on every row, and are counted, but say it
	 * once; the event is only built when it is said. */
	if (!ww_worker_alert_due(w,
				 a > WW_CONF_MODEL_ALERT ? WW_MEMO_MODEL_ACT
							 : WW_MEMO_MODEL,
				 m->client, m->family == 4 ? 4 : 16))
		return;
	/* The event says the models' exact outputs: the batch may have
	 * stopped this row's walk in the model that did not flag it. */
	rescore(w, k, cls_model, n_out, an_model, &prob, &dec);
	em.present = 1;
	em.cls = (uint8_t)cls;
	em.by_anomaly = by_anomaly;
	em.probability = (float)prob;
	em.anomaly = (float)dec;
	em.decision_point = m->dp;
	em.row_kind = m->kind;
	if (cls_model != NULL) {
		ww_forest_get_info(cls_model, &info);
		em.model_id = info.checksum;
	}
	if (an_model != NULL) {
		ww_forest_get_info(an_model, &info);
		em.anomaly_id = info.checksum;
	}
	snprintf(em.action, sizeof(em.action), "%s",
		 ww_conf_model_action_name(a));
	snprintf(em.cls_name, sizeof(em.cls_name), "%s",
		 ww_feat_class_name(cls));
	snprintf(em.dp_name, sizeof(em.dp_name), "%s",
		 ww_feat_dp_name((enum ww_feat_dp)m->dp));
	memset(&ev, 0, sizeof(ev));
	ev.alert.model = em;
	if (by_anomaly)
		snprintf(sig, sizeof(sig),
			 "wirewall model: anomalous %s (score %.3f, %s)",
			 m->kind ? "client" : "flow", dec,
			 ww_feat_dp_name((enum ww_feat_dp)m->dp));
	else
		snprintf(sig, sizeof(sig), "wirewall model: %s (p=%.2f, %s %s)",
			 ww_feat_class_name(cls), prob,
			 m->kind ? "client" : "flow",
			 ww_feat_dp_name((enum ww_feat_dp)m->dp));
	ev.ts_ns = m->ts_ns;
	ev.type = WW_EVENT_ALERT;
	ev.in_port = UINT16_MAX;
	ev.flow_id = m->flow_id;
	ev.family = m->family;
	ev.proto = m->proto;
	memcpy(ev.src_ip, m->client, 16);
	memcpy(ev.dest_ip, m->server, 16);
	ev.src_port = m->client_port;
	ev.dest_port = m->server_port;
	ww_alert_fill(w, &ev, by_anomaly ? WW_SID_ANOMALY : WW_SID_MODEL + cls,
		      class_category(cls, by_anomaly), sig,
		      a >= WW_CONF_MODEL_DROP && a != WW_CONF_MODEL_THROTTLE);
	/* A return path: the flow's handshake was acknowledged, or (a
	 * client row) the client completed handshakes. */
	if (m->kind != WW_ROW_CLIENT && m->flow != NULL && m->flow_id != 0 &&
	    m->flow->in_use && m->flow->id == m->flow_id)
		ev.alert.source_verified =
			(m->flow->tcp_hs & WW_FLOW_HS_ACKED) != 0;
	else
		ev.alert.source_verified = c != NULL && c->handshakes > 0;
	ww_worker_log(w, &ev);
}

/* The classifier's bars, per output: a class's min_probability when a
 * verdict of that class would do something, else never (above 1). */
static void class_bars(const struct ww_conf *conf, const struct ww_forest *cls,
		       uint32_t n_out, double *bars)
{
	uint32_t i;

	for (i = 0; i < n_out; i++) {
		const int64_t label = ww_forest_class_label(cls, i);

		bars[i] = label > 0 && label < WW_CLASS_MAX &&
					  conf->detect_action[label] !=
						  WW_CONF_MODEL_NONE
				  ? conf->detect_min_prob[label]
				  : INFINITY;
	}
}

/*
 * Score the batch. Both models only need to say which rows are past a
 * bar (a class's minimum probability, the anomaly band), so they stop
 * walking a row once it cannot get there (ww_forest_predict_bounded):
 * a benign row is settled after a fraction of the trees. The rows past
 * a bar get the models' exact outputs; an alert re-scores its row.
 */
static void flush(struct ww_worker *w)
{
	const struct ww_conf *conf = w->pol->conf;
	struct ww_detect *d = w->det;
	const struct ww_forest *cls = ww_forest_slot_get(&w->ctx->classifier);
	const struct ww_forest *an = ww_forest_slot_get(&w->ctx->anomaly);
	double bars[MAX_OUTPUTS];
	struct ww_forest_bars cb = {.min_probability = bars},
			      ab = {.decision_below =
					    conf->detect_anomaly_alert};
	uint32_t k, n_out = 0;
	size_t settled;
	uint64_t t0;

	if (d->n == 0)
		return;
	if (cls == NULL && an == NULL) {
		d->n = 0; /* exported only */
		return;
	}
	t0 = rte_rdtsc();
	if (cls != NULL) {
		n_out = ww_forest_n_outputs(cls);
		if (n_out > MAX_OUTPUTS)
			cls = NULL;
	}
	if (cls != NULL) {
		class_bars(conf, cls, n_out, bars);
		if (ww_forest_predict_bounded(cls, WW_FOREST_KERNEL_AUTO,
					      &d->rows[0][0], d->n, &cb, d->out,
					      &settled) != 0)
			cls = NULL;
		else
			w->stats.detect.settled_cls += settled;
	}
	if (an != NULL) {
		if (ww_forest_predict_bounded(an, WW_FOREST_KERNEL_AUTO,
					      &d->rows[0][0], d->n, &ab,
					      d->anom, &settled) != 0)
			an = NULL;
		else
			w->stats.detect.settled_anom += settled;
	}
	w->stats.detect.infer_cycles += rte_rdtsc() - t0;
	w->stats.detect.batches++;
	w->stats.detect.scored += d->n;
	for (k = 0; k < d->n; k++)
		judge(w, k, cls, cls != NULL ? &d->out[k * n_out] : NULL, n_out,
		      an, an != NULL ? d->anom[k] : 0);
	d->n = 0;
}

void stage_detect(struct ww_worker *w, struct ww_burst *b)
{
	if (w->det == NULL)
		return;
	w->det->b = b;
	take_pending(w);
	take_ticks(w, TICKS_PER_CALL);
	flush(w);
	w->det->b = NULL;
	w->det->frame = -1;
	w->stats.detect.clients = w->det->clients.stats;
}

void ww_detect_housekeeping(struct ww_worker *w)
{
	if (w->det == NULL)
		return;
	w->det->b = NULL;
	w->det->frame = -1;
	tick_check(w, w->now_ns);
	take_ticks(w, TICKS_PER_CALL);
}

void ww_detect_flush(struct ww_worker *w)
{
	if (w->det == NULL)
		return;
	take_pending(w);
	w->det->b = NULL;
	w->det->frame = -1;
	flush(w);
	w->stats.detect.clients = w->det->clients.stats;
}

void ww_detect_finish(struct ww_worker *w)
{
	struct ww_feat_clients *t;

	if (w->det == NULL)
		return;
	t = &w->det->clients;
	w->det->b = NULL;
	w->det->frame = -1;
	/* The last second is over too: every tick left. */
	take_ticks(w, UINT32_MAX);
	if (t->n_active > 0) {
		ww_feat_clients_second_done(t);
		take_ticks(w, UINT32_MAX);
	}
	flush(w);
}
