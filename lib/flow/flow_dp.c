/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow table fast path: bulk lookup, accounting, expiry, eviction. */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "flow_priv.h"

/* Entries the clock hand looks at to find a victim when the table is
 * full: bounded, so a full table costs a fixed amount per new flow. */
#define EVICT_SCAN 32
/* A flow silent for this long counts as idle when choosing a victim. */
#define EVICT_IDLE_NS 1000000000ull
/* The expiry wheel's resolution. */
#define NS_PER_TICK 1000000000ull

/* (addr, port) of side a is lower than side b: compare addresses as
 * big-endian words, then ports. */
static inline bool side_le(const uint8_t *a, uint16_t pa, const uint8_t *b,
			   uint16_t pb, unsigned int alen)
{
	unsigned int i;

	for (i = 0; i < alen; i += 4) {
		uint32_t x, y;

		memcpy(&x, a + i, 4);
		memcpy(&y, b + i, 4);
		if (x != y)
			return rte_be_to_cpu_32(x) < rte_be_to_cpu_32(y);
	}
	return pa <= pb;
}

int ww_flow_key_from_pkt(const struct ww_pkt *p, struct ww_flow_key *key)
{
	const bool v4 = p->l3 == WW_PKT_L3_IPV4;
	const unsigned int alen = v4 ? 4 : 16;
	uint16_t sport = 0, dport = 0;
	int side;

	if ((p->flags & WW_PKT_F_L4) && (p->l4proto == 6 || p->l4proto == 17)) {
		sport = p->sport;
		dport = p->dport;
	}
	side = side_le(p->src, sport, p->dst, dport, alen) ? 0 : 1;
	memset(key, 0, sizeof(*key));
	memcpy(key->addr[side], p->src, alen);
	memcpy(key->addr[1 - side], p->dst, alen);
	key->port[side] = sport;
	key->port[1 - side] = dport;
	key->family = v4 ? 4 : 6;
	key->proto = p->l4proto;
	return side;
}

static inline bool ww_seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool key_eq(const struct ww_flow_key *a,
			  const struct ww_flow_key *b)
{
	uint64_t x[5], y[5];

	RTE_BUILD_BUG_ON(sizeof(*a) != sizeof(x));
	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		(x[4] ^ y[4])) == 0;
}

static void lru_del(struct ww_flow_table *t, struct ww_flow *f)
{
	struct flow_list *l;

	if (f->lru_list == LRU_NONE)
		return;
	l = &t->lru[f->lru_list];
	if (f->lru_prev == LRU_NIL)
		l->head = f->lru_next;
	else
		t->flows[f->lru_prev].lru_next = f->lru_next;
	if (f->lru_next == LRU_NIL)
		l->tail = f->lru_prev;
	else
		t->flows[f->lru_next].lru_prev = f->lru_prev;
	l->count--;
	f->lru_list = LRU_NONE;
}

static void lru_add(struct ww_flow_table *t, struct ww_flow *f,
		    enum flow_lru which)
{
	struct flow_list *l = &t->lru[which];
	uint32_t idx = (uint32_t)(f - t->flows);

	lru_del(t, f);
	f->lru_list = (uint8_t)which;
	f->lru_prev = l->tail;
	f->lru_next = LRU_NIL;
	if (l->tail == LRU_NIL)
		l->head = idx;
	else
		t->flows[l->tail].lru_next = idx;
	l->tail = idx;
	l->count++;
}

static void wheel_del(struct ww_flow_table *t, uint32_t idx)
{
	uint32_t prev = t->wheel_prev[idx], next = t->wheel_next[idx];

	if (prev == WHEEL_NONE)
		return;
	if (prev & WHEEL_HEAD)
		t->wheel_head[prev & ~WHEEL_HEAD] = next;
	else
		t->wheel_next[prev] = next;
	if (next != WHEEL_NONE)
		t->wheel_prev[next] = prev;
	t->wheel_prev[idx] = WHEEL_NONE;
}

/* Put flow @idx in the slot of its deadline (at least the next tick). */
static void wheel_add(struct ww_flow_table *t, uint32_t idx,
		      uint64_t deadline_ns)
{
	uint64_t tick = (deadline_ns + NS_PER_TICK - 1) / NS_PER_TICK;
	uint32_t slot, head;

	if (tick <= t->wheel_tick)
		tick = t->wheel_tick + 1;
	slot = (uint32_t)(tick & WHEEL_MASK);
	head = t->wheel_head[slot];
	t->wheel_next[idx] = head;
	t->wheel_prev[idx] = WHEEL_HEAD | slot;
	if (head != WHEEL_NONE)
		t->wheel_prev[head] = idx;
	t->wheel_head[slot] = idx;
}

static inline uint64_t deadline(const struct ww_flow_table *t,
				const struct ww_flow *f)
{
	return f->last_ns + t->timeouts.ns[f->state];
}

/* The flow's state changed: its deadline may now be earlier. */
static void wheel_reschedule(struct ww_flow_table *t, struct ww_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->flows);

	wheel_del(t, idx);
	wheel_add(t, idx, deadline(t, f));
}

static void end_flow(struct ww_flow_table *t, struct ww_flow *f,
		     enum ww_flow_end why, uint64_t now_ns)
{
	lru_del(t, f);
	if (f->end_reason == WW_FLOW_END_NONE || why == WW_FLOW_END_EVICTED ||
	    why == WW_FLOW_END_SHUTDOWN)
		f->end_reason = (uint8_t)why;
	t->stats->ended[f->end_reason]++;
	if (t->end_cb != NULL)
		t->end_cb(t->end_arg, f, now_ns);
	wheel_del(t, (uint32_t)(f - t->flows));
	rte_hash_del_key(t->hash, &f->key);
	f->in_use = 0;
	t->stats->active--;
}

/* Which key side is the client of a new flow (see ww_flow.h). The
 * protected networks decide first when they tell the two ends apart: a
 * packet's flags are the sender's to choose, and a SYN-ACK sent by a
 * client must not make the server the flow's client (the roles would
 * then hide the connection from the inspection of the server's port). */
static uint8_t pick_client_lo(const struct ww_flow_table *t,
			      const struct ww_pkt *p, int src_side)
{
	bool src_is_client = true;

	if (t->is_protected != NULL) {
		const uint8_t fam = p->l3 == WW_PKT_L3_IPV4 ? 4 : 6;
		const bool src_in =
			t->is_protected(t->protected_arg, fam, p->src);
		const bool dst_in =
			t->is_protected(t->protected_arg, fam, p->dst);

		if (src_in != dst_in)
			return (uint8_t)(!src_in ? src_side == 0
						 : src_side == 1);
	}
	if (p->l4proto == 6 && (p->flags & WW_PKT_F_L4) &&
	    (p->tcp_flags & WW_TCP_SYN))
		src_is_client = !(p->tcp_flags & WW_TCP_ACK);
	return (uint8_t)(src_is_client ? src_side == 0 : src_side == 1);
}

static void init_flow(struct ww_flow_table *t, struct ww_flow *f,
		      const struct ww_flow_key *key, const struct ww_pkt *p,
		      int src_side, uint64_t now_ns)
{
	memset(f, 0, sizeof(*f));
	if (t->ext != NULL)
		memset(t->ext + (size_t)(f - t->flows) * t->ext_size, 0,
		       t->ext_size);
	f->key = *key;
	f->id = t->next_id++;
	f->start_ns = f->last_ns = now_ns;
	f->in_use = 1;
	f->client_lo = pick_client_lo(t, p, src_side);
	f->lru_prev = f->lru_next = LRU_NIL;
	f->tcp_wscale[0] = f->tcp_wscale[1] = 0xff;
	switch (p->l4proto) {
	case 6:
		/* Picked up mid-stream: no handshake to wait for. */
		f->state = (p->tcp_flags & WW_TCP_SYN) ? WW_FLOW_SYN
						       : WW_FLOW_ESTABLISHED;
		if (f->state == WW_FLOW_SYN)
			lru_add(t, f, LRU_HALF_OPEN);
		break;
	case 17:
		f->state = WW_FLOW_UDP;
		break;
	case 1:
	case 58:
		f->state = WW_FLOW_ICMP;
		break;
	default:
		f->state = WW_FLOW_OTHER;
		break;
	}
	t->stats->created++;
	t->stats->active++;
	/* The wheel's tick starts at the first flow's time. */
	if (!t->wheel_on) {
		t->wheel_tick = now_ns / NS_PER_TICK;
		t->wheel_on = true;
	}
	wheel_add(t, (uint32_t)(f - t->flows), deadline(t, f));
}

/*
 * A RST ends the connection only when its sequence number lies in the
 * window the receiver advertised (RFC 9293 3.10.7.4; RFC 5961 3.2), here
 * around the end of what the sender was seen to send; otherwise a blind
 * attacker could tear the flow down in the appliance while the real
 * receiver ignores the RST. With nothing known yet, it is accepted.
 */
static bool rst_in_window(const struct ww_flow *f, const struct ww_pkt *p,
			  uint8_t dir)
{
	const uint8_t other = 1 - dir;
	uint64_t win;
	uint32_t d;

	if (!(f->tcp_seen & (1u << dir)) || !(f->tcp_seen & (1u << other)))
		return true;
	win = f->tcp_win[other];
	if (f->tcp_wscale[0] != 0xff && f->tcp_wscale[1] != 0xff)
		win <<= f->tcp_wscale[other];
	if (win < 1)
		win = 1;
	d = p->tcp_seq - f->tcp_end[dir];
	/* Within a window either side of the expected number: the appliance
	 * sees segments before the receiver does, and may miss some. */
	return (uint64_t)d <= win || (uint64_t)(0u - d) <= win;
}

/* Sequence and window tracking for rst_in_window(). */
static void tcp_track(struct ww_flow *f, const struct ww_pkt *p, uint8_t dir)
{
	uint32_t end = p->tcp_seq + p->payload_len +
		       !!(p->tcp_flags & WW_TCP_SYN) +
		       !!(p->tcp_flags & WW_TCP_FIN);

	if ((p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) == WW_TCP_SYN &&
	    dir == WW_FLOW_TOSERVER && !(f->tcp_hs & WW_FLOW_HS_SYN)) {
		f->tcp_hs |= WW_FLOW_HS_SYN;
		f->tcp_isn_next = p->tcp_seq + 1;
	} else if ((p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) ==
			   (WW_TCP_SYN | WW_TCP_ACK) &&
		   dir == WW_FLOW_TOCLIENT && (f->tcp_hs & WW_FLOW_HS_SYN) &&
		   p->tcp_ack == f->tcp_isn_next) {
		f->tcp_hs |= WW_FLOW_HS_SYNACK;
	} else if (dir == WW_FLOW_TOSERVER &&
		   (f->tcp_hs &
		    (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK | WW_FLOW_HS_ACKED)) ==
			   (WW_FLOW_HS_SYN | WW_FLOW_HS_SYNACK) &&
		   (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK | WW_TCP_RST)) ==
			   WW_TCP_ACK &&
		   p->tcp_ack == f->tcp_end[WW_FLOW_TOCLIENT]) {
		f->tcp_hs |= WW_FLOW_HS_ACKED;
	}
	if (p->tcp_flags & WW_TCP_SYN)
		f->tcp_wscale[dir] =
			(p->tcp_opts & WW_TCP_OPT_WSCALE)
				? (p->tcp_wscale < 14 ? p->tcp_wscale : 14)
				: 0xff;
	if (p->tcp_flags & WW_TCP_RST)
		return;
	if (!(f->tcp_seen & (1u << dir)) || ww_seq_after(end, f->tcp_end[dir]))
		f->tcp_end[dir] = end;
	f->tcp_win[dir] = p->tcp_window;
	f->tcp_seen |= (uint8_t)(1u << dir);
}

/* TCP lifecycle from the flags; a RST must be in window. */
static void tcp_update(struct ww_flow_table *t, struct ww_flow *f,
		       const struct ww_pkt *p, uint8_t dir)
{
	uint8_t fl = p->tcp_flags;
	const uint8_t was = f->state;

	if (was == WW_FLOW_CLOSED)
		return;
	if ((fl & WW_TCP_RST) && !rst_in_window(f, p, dir)) {
		t->stats->rst_out_of_window++;
		return;
	}
	tcp_track(f, p, dir);
	if (fl & WW_TCP_RST) {
		f->state = WW_FLOW_CLOSED;
		f->end_reason = WW_FLOW_END_RST;
	} else {
		if (fl & WW_TCP_FIN) {
			f->tcp_fin[dir] = 1;
			f->state = WW_FLOW_CLOSING;
		}
		if (f->tcp_fin[0] && f->tcp_fin[1] && (fl & WW_TCP_ACK)) {
			f->state = WW_FLOW_CLOSED;
			f->end_reason = WW_FLOW_END_FIN;
		} else if (f->state == WW_FLOW_SYN && f->pkts[0] &&
			   f->pkts[1]) {
			/* Half-open until both sides have spoken. */
			f->state = WW_FLOW_ESTABLISHED;
		}
	}
	if (f->state == was)
		return;
	wheel_reschedule(t, f);
	if (f->state == WW_FLOW_CLOSED)
		lru_add(t, f, LRU_CLOSED);
	else
		lru_del(t, f);
}

/* Rank of a flow as an eviction victim: lower goes first. */
static unsigned int victim_rank(const struct ww_flow *f, uint64_t now_ns)
{
	unsigned int r;

	switch (f->state) {
	case WW_FLOW_CLOSED:
		return 0;
	case WW_FLOW_SYN:
		r = 1;
		break;
	case WW_FLOW_ESTABLISHED:
		r = 4;
		break;
	default:
		r = 3;
		break;
	}
	if (now_ns - f->last_ns > EVICT_IDLE_NS && r > 2)
		r = 2;
	return r;
}

/* The idlest of the next EVICT_SCAN flows under the hand (sampling, as
 * an LRU kept per packet would cost writes to two other flows' cache
 * lines on every packet). */
static struct ww_flow *sample_victim(struct ww_flow_table *t, uint64_t now_ns)
{
	struct ww_flow *best = NULL;
	unsigned int best_rank = ~0u, i, seen = 0;

	for (i = 0; i < t->capacity && seen < EVICT_SCAN; i++) {
		struct ww_flow *f = &t->flows[t->hand];
		unsigned int r;

		t->hand = t->hand + 1 == t->capacity ? 0 : t->hand + 1;
		if (!f->in_use)
			continue;
		seen++;
		r = victim_rank(f, now_ns);
		if (r < best_rank ||
		    (r == best_rank && f->last_ns < best->last_ns)) {
			best = f;
			best_rank = r;
		}
	}
	return best;
}

/* Make room for one flow: the oldest closed flow, else the oldest
 * half-open one, else a sampled idle one. @return true on success. */
static bool evict_one(struct ww_flow_table *t, uint64_t now_ns)
{
	struct ww_flow *v;

	if (t->lru[LRU_CLOSED].count != 0)
		v = &t->flows[t->lru[LRU_CLOSED].head];
	else if (t->lru[LRU_HALF_OPEN].count != 0)
		v = &t->flows[t->lru[LRU_HALF_OPEN].head];
	else
		v = sample_victim(t, now_ns);
	if (v == NULL)
		return false;
	t->stats->evicted_by_state[v->state]++;
	end_flow(t, v,
		 v->state == WW_FLOW_CLOSED ? (enum ww_flow_end)v->end_reason
					    : WW_FLOW_END_EVICTED,
		 now_ns);
	return true;
}

static struct ww_flow *insert(struct ww_flow_table *t,
			      const struct ww_flow_key *key,
			      const struct ww_pkt *p, int src_side,
			      uint64_t now_ns)
{
	int32_t pos = rte_hash_add_key(t->hash, key);
	struct ww_flow *f;

	if (unlikely(pos == -ENOSPC)) {
		if (!evict_one(t, now_ns)) {
			t->stats->table_full++;
			return NULL;
		}
		pos = rte_hash_add_key(t->hash, key);
	}
	if (unlikely(pos < 0 || (uint32_t)pos >= t->capacity)) {
		t->stats->table_full++;
		return NULL;
	}
	f = &t->flows[pos];
	/* Two packets of one new flow in a burst: the second finds it. */
	if (!f->in_use)
		init_flow(t, f, key, p, src_side, now_ns);
	return f;
}

void ww_flow_lookup_burst(struct ww_flow_table *t,
			  const struct ww_pkt *const *pkts,
			  const uint32_t *lens, const uint64_t *ts,
			  unsigned int n, struct ww_flow **flows, uint8_t *dirs,
			  uint64_t *ids)
{
	struct ww_flow_key keys[RTE_HASH_LOOKUP_BULK_MAX];
	const void *key_ptrs[RTE_HASH_LOOKUP_BULK_MAX];
	int32_t positions[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t idx[RTE_HASH_LOOKUP_BULK_MAX], side[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int i, m = 0;

	for (i = 0; i < n && i < RTE_HASH_LOOKUP_BULK_MAX; i++) {
		flows[i] = NULL;
		if (pkts[i] == NULL)
			continue;
		side[m] = (uint8_t)ww_flow_key_from_pkt(pkts[i], &keys[m]);
		key_ptrs[m] = &keys[m];
		idx[m] = (uint8_t)i;
		m++;
	}
	if (m == 0)
		return;
	rte_hash_lookup_bulk(t->hash, key_ptrs, m, positions);

	for (i = 0; i < m; i++) {
		const struct ww_pkt *p = pkts[idx[i]];
		const uint64_t now_ns = ts[idx[i]];
		struct ww_flow *f;
		uint8_t dir;

		/* A position found before an eviction earlier in this burst
		 * may since hold another flow: the key must still match. */
		if (positions[i] >= 0 && (uint32_t)positions[i] < t->capacity &&
		    t->flows[positions[i]].in_use &&
		    key_eq(&t->flows[positions[i]].key, &keys[i])) {
			f = &t->flows[positions[i]];
			/* A new SYN on a closed flow is a new connection
			 * reusing the ports: end the old one first. */
			if (f->state == WW_FLOW_CLOSED && p->l4proto == 6 &&
			    (p->tcp_flags & (WW_TCP_SYN | WW_TCP_ACK)) ==
				    WW_TCP_SYN) {
				end_flow(t, f, (enum ww_flow_end)f->end_reason,
					 now_ns);
				f = insert(t, &keys[i], p, side[i], now_ns);
			}
		} else {
			f = insert(t, &keys[i], p, side[i], now_ns);
		}
		if (f == NULL)
			continue;
		/* side[i] is the key side of the source. */
		dir = (side[i] == 0) == (f->client_lo != 0) ? WW_FLOW_TOSERVER
							    : WW_FLOW_TOCLIENT;
		f->pkts[dir]++;
		f->bytes[dir] += lens[idx[i]];
		f->last_ns = now_ns;
		if (f->key.proto == 6 && (p->flags & WW_PKT_F_L4))
			tcp_update(t, f, p, dir);
		flows[idx[i]] = f;
		dirs[idx[i]] = dir;
		if (ids != NULL)
			ids[idx[i]] = f->id;
	}
}

/* Visit the flows waiting in @slot: those past their deadline end, the
 * others wait for it in the slot it falls in. */
static unsigned int visit_slot(struct ww_flow_table *t, uint32_t slot,
			       uint64_t now_ns)
{
	uint32_t idx = t->wheel_head[slot];
	unsigned int ended = 0;

	/* Detach the list first: a flow put back may land in this slot. */
	t->wheel_head[slot] = WHEEL_NONE;
	while (idx != WHEEL_NONE) {
		struct ww_flow *f = &t->flows[idx];
		uint32_t next = t->wheel_next[idx];

		t->wheel_prev[idx] = WHEEL_NONE;
		if (next != WHEEL_NONE)
			t->wheel_prev[next] = WHEEL_HEAD | slot;
		if (now_ns >= deadline(t, f)) {
			end_flow(t, f,
				 f->state == WW_FLOW_CLOSED
					 ? (enum ww_flow_end)f->end_reason
					 : WW_FLOW_END_TIMEOUT,
				 now_ns);
			ended++;
		} else {
			wheel_add(t, idx, deadline(t, f));
		}
		idx = next;
	}
	return ended;
}

unsigned int ww_flow_expire(struct ww_flow_table *t, uint64_t now_ns)
{
	const uint64_t now_tick = now_ns / NS_PER_TICK;
	unsigned int ended = 0, visited = 0;

	if (!t->wheel_on || now_tick <= t->wheel_tick)
		return 0;
	/* One round visits every slot: a longer gap (a sparse capture)
	 * needs no more. */
	while (t->wheel_tick < now_tick && visited++ < WHEEL_SLOTS) {
		t->wheel_tick++;
		ended += visit_slot(t, (uint32_t)(t->wheel_tick & WHEEL_MASK),
				    now_ns);
	}
	t->wheel_tick = now_tick;
	return ended;
}

void ww_flow_flush(struct ww_flow_table *t, uint64_t now_ns)
{
	uint32_t i;

	for (i = 0; i < t->capacity; i++) {
		struct ww_flow *f = &t->flows[i];
		enum ww_flow_end why = WW_FLOW_END_SHUTDOWN;

		if (!f->in_use)
			continue;
		/* Say what would have happened anyway, where it had. */
		if (f->state == WW_FLOW_CLOSED)
			why = (enum ww_flow_end)f->end_reason;
		else if (now_ns > f->last_ns &&
			 now_ns - f->last_ns > t->timeouts.ns[f->state])
			why = WW_FLOW_END_TIMEOUT;
		end_flow(t, f, why, now_ns);
	}
}

void *ww_flow_ext(const struct ww_flow_table *t, const struct ww_flow *f)
{
	return t->ext + (size_t)(f - t->flows) * t->ext_size;
}
