/* SPDX-License-Identifier: BSD-3-Clause */
/* IP fragment reassembly. See ww_defrag.h. */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "ww_defrag.h"

#define NIL UINT32_MAX
/* Largest datagram data (IPv4 total length is 16 bits). */
#define MAX_DATA 65535u

struct entry {
	struct ww_defrag_dgram g;
	uint32_t hnext;	     /* hash chain, or free list */
	uint32_t prev, next; /* age list (oldest first) */
	uint32_t have;	     /* data bytes held */
	uint32_t hash;
	uint8_t in_use;
	uint8_t dead;	   /* killed: its fragments are dropped */
	uint8_t has_total; /* the last fragment was seen */
};

struct ww_defrag {
	struct entry *e;
	uint32_t *bucket;
	uint32_t n, mask, free_head;
	uint32_t old_head, old_tail;
	uint32_t max_frags, max_held;
	uint64_t timeout_ns;
	struct ww_defrag_stats st;
};

struct ww_defrag *ww_defrag_create(const char *name, uint32_t max_datagrams,
				   uint32_t max_fragments, uint32_t max_held,
				   uint64_t timeout_ns, int socket)
{
	struct ww_defrag *d;
	uint32_t i, nb = 1;

	if (max_datagrams == 0 || max_fragments < 2 ||
	    max_fragments > WW_DEFRAG_MAX_FRAGS) {
		rte_errno = EINVAL;
		return NULL;
	}
	while (nb < 2 * max_datagrams)
		nb <<= 1;
	d = rte_zmalloc_socket(name, sizeof(*d), 0, socket);
	if (d == NULL)
		goto nomem;
	d->e = rte_zmalloc_socket(name, sizeof(*d->e) * max_datagrams, 0,
				  socket);
	d->bucket = rte_malloc_socket(name, sizeof(*d->bucket) * nb, 0, socket);
	if (d->e == NULL || d->bucket == NULL)
		goto nomem;
	for (i = 0; i < nb; i++)
		d->bucket[i] = NIL;
	for (i = 0; i < max_datagrams; i++)
		d->e[i].hnext = i + 1 < max_datagrams ? i + 1 : NIL;
	d->n = max_datagrams;
	d->mask = nb - 1;
	d->free_head = 0;
	d->old_head = d->old_tail = NIL;
	d->max_frags = max_fragments;
	d->max_held = max_held;
	d->timeout_ns = timeout_ns;
	return d;
nomem:
	ww_defrag_destroy(d);
	rte_errno = ENOMEM;
	return NULL;
}

void ww_defrag_destroy(struct ww_defrag *d)
{
	if (d == NULL)
		return;
	rte_free(d->e);
	rte_free(d->bucket);
	rte_free(d);
}

const struct ww_defrag_stats *ww_defrag_stats(const struct ww_defrag *d)
{
	return &d->st;
}

/* RFC 791: (src, dst, protocol, id) name an IPv4 datagram; RFC 8200:
 * (src, dst, id) an IPv6 one. */
static bool key_eq(const struct ww_defrag_dgram *g, const struct ww_pkt *p,
		   uint8_t family)
{
	const size_t alen = family == 4 ? 4 : 16;

	return g->family == family && g->id == p->frag_id &&
	       (family == 6 || g->proto == p->frag_nh) &&
	       memcmp(g->src, p->src, alen) == 0 &&
	       memcmp(g->dst, p->dst, alen) == 0;
}

static uint32_t key_hash(const struct ww_pkt *p, uint8_t family)
{
	const uint32_t alen = family == 4 ? 4 : 16;
	uint32_t h = rte_hash_crc_4byte(p->frag_id, family);

	h = rte_hash_crc(p->src, alen, h);
	return rte_hash_crc(p->dst, alen, h);
}

static void age_unlink(struct ww_defrag *d, uint32_t i)
{
	struct entry *x = &d->e[i];

	if (x->prev == NIL)
		d->old_head = x->next;
	else
		d->e[x->prev].next = x->next;
	if (x->next == NIL)
		d->old_tail = x->prev;
	else
		d->e[x->next].prev = x->prev;
}

/* Take entry @i out of the table and free it. */
static void entry_free(struct ww_defrag *d, uint32_t i)
{
	struct entry *x = &d->e[i];
	uint32_t *link = &d->bucket[x->hash & d->mask];

	while (*link != i)
		link = &d->e[*link].hnext;
	*link = x->hnext;
	age_unlink(d, i);
	x->in_use = 0;
	x->hnext = d->free_head;
	d->free_head = i;
}

/* Hand entry @i's fragments to @out; the entry stays (dead or not). */
static void give_back(struct ww_defrag *d, struct entry *x,
		      struct ww_defrag_dgram *out)
{
	if (out != NULL)
		*out = x->g;
	d->st.held -= x->g.n;
	x->g.n = 0;
	x->have = 0;
}

/* Kill entry @x: its fragments go to @out, later ones are dropped. */
static void kill(struct ww_defrag *d, struct entry *x,
		 struct ww_defrag_dgram *out)
{
	give_back(d, x, out);
	x->dead = 1;
}

static uint32_t entry_new(struct ww_defrag *d, const struct ww_pkt *p,
			  uint8_t family, uint32_t hash, uint64_t now_ns,
			  struct ww_defrag_dgram *evicted)
{
	uint32_t i = d->free_head;
	struct entry *x;

	if (i == NIL) {
		/* Full: the oldest datagram makes room (it would time out
		 * first anyway); its fragments follow the failure policy. */
		i = d->old_head;
		d->st.table_full++;
		if (!d->e[i].dead && d->e[i].g.n > 0)
			give_back(d, &d->e[i], evicted);
		entry_free(d, i);
		i = d->free_head;
	}
	x = &d->e[i];
	d->free_head = x->hnext;
	memset(&x->g, 0, offsetof(struct ww_defrag_dgram, frags));
	x->have = 0;
	x->dead = 0;
	x->has_total = 0;
	x->g.family = family;
	x->g.proto = p->frag_nh;
	memcpy(x->g.src, p->src, family == 4 ? 4 : 16);
	memcpy(x->g.dst, p->dst, family == 4 ? 4 : 16);
	x->g.id = p->frag_id;
	x->g.first_ns = now_ns;
	x->hash = hash;
	x->in_use = 1;
	x->hnext = d->bucket[hash & d->mask];
	d->bucket[hash & d->mask] = i;
	x->prev = d->old_tail;
	x->next = NIL;
	if (d->old_tail == NIL)
		d->old_head = i;
	else
		d->e[d->old_tail].next = i;
	d->old_tail = i;
	return i;
}

/* Overlap of the new fragment with what @x holds: 0 none, 1 an exact
 * repeat of held bytes, 2 anything else (evasion or inconsistency). */
static int overlap(const struct entry *x, const uint8_t *data, uint32_t off,
		   uint32_t len)
{
	uint32_t covered = 0;
	bool differ = false;
	unsigned int k;

	for (k = 0; k < x->g.n; k++) {
		const struct ww_defrag_frag *f = &x->g.frags[k];
		uint32_t a = off > f->offset ? off : f->offset;
		uint32_t b = off + len < (uint32_t)f->offset + f->len
				     ? off + len
				     : (uint32_t)f->offset + f->len;

		if (a >= b)
			continue;
		covered += b - a;
		differ |= memcmp(data + (a - off),
				 f->frame + f->data_off + (a - f->offset),
				 b - a) != 0;
	}
	if (covered == 0)
		return 0;
	return !differ && covered == len ? 1 : 2;
}

enum ww_defrag_result ww_defrag_add(struct ww_defrag *d, const struct ww_pkt *p,
				    const uint8_t *frame, void *handle,
				    uint64_t now_ns,
				    struct ww_defrag_dgram *out,
				    struct ww_defrag_dgram *evicted)
{
	const uint8_t family = p->l3 == WW_PKT_L3_IPV4 ? 4 : 6;
	const uint32_t off = p->frag_offset, len = p->frag_data_len;
	const bool more = (p->flags & WW_PKT_F_MORE_FRAGS) != 0;
	uint32_t hash = key_hash(p, family), i;
	struct entry *x = NULL;
	struct ww_defrag_frag *f;

	out->n = 0;
	evicted->n = 0;
	d->st.fragments++;
	for (i = d->bucket[hash & d->mask]; i != NIL; i = d->e[i].hnext)
		if (d->e[i].hash == hash && key_eq(&d->e[i].g, p, family)) {
			x = &d->e[i];
			break;
		}
	if (x != NULL && x->dead) {
		d->st.dead_drops++;
		return WW_DEFRAG_DEAD;
	}
	if (d->st.held >= d->max_held) {
		/* Fragments held at the cap: the oldest datagram gives way
		 * (it is the one a flood of incomplete datagrams left
		 * longest), so fragments that keep coming cannot shut out
		 * the datagrams that complete in a moment; it goes back to
		 * the caller as a failure. Refused only when that is this
		 * fragment's own datagram. */
		uint32_t old = d->old_head;

		d->st.held_full++;
		while (old != NIL && (d->e[old].dead || d->e[old].g.n == 0))
			old = d->e[old].next;
		if (old == NIL || &d->e[old] == x)
			return WW_DEFRAG_REFUSED;
		give_back(d, &d->e[old], evicted);
		entry_free(d, old);
	}
	if (x == NULL)
		x = &d->e[entry_new(d, p, family, hash, now_ns,
				    evicted->n == 0 ? evicted : NULL)];
	/* RFC 8200 4.5 / RFC 791: every fragment but the last carries a
	 * multiple of 8 bytes; no datagram is longer than 64 KiB; the last
	 * fragment fixes the length, and nothing lies past it. */
	if ((more && (len == 0 || (len & 7) != 0)) || off + len > MAX_DATA ||
	    x->g.n >= d->max_frags ||
	    (x->has_total && off + len > x->g.total) ||
	    (!more && x->has_total && off + len != x->g.total)) {
		d->st.too_many++;
		kill(d, x, out);
		return WW_DEFRAG_REFUSED;
	}
	if (!more) {
		unsigned int k;

		for (k = 0; k < x->g.n; k++)
			if ((uint32_t)x->g.frags[k].offset + x->g.frags[k].len >
			    off + len) {
				d->st.too_many++;
				kill(d, x, out);
				return WW_DEFRAG_REFUSED;
			}
	}
	switch (overlap(x, frame + p->frag_data_off, off, len)) {
	case 1:
		d->st.duplicates++;
		return WW_DEFRAG_DUPLICATE;
	case 2:
		d->st.overlaps++;
		kill(d, x, out);
		return WW_DEFRAG_OVERLAP;
	default:
		break;
	}
	if (!more) {
		x->has_total = 1;
		x->g.total = off + len;
	}
	if (off == 0) {
		x->g.first = x->g.n;
		x->g.l3_off = p->l3_off;
		x->g.nh_off = p->frag_nh_off;
		x->g.nh = p->frag_nh;
		x->g.hdr_end = family == 4 ? p->frag_data_off
					   : (uint16_t)(p->frag_data_off - 8);
	}
	f = &x->g.frags[x->g.n++];
	f->handle = handle;
	f->frame = frame;
	f->offset = (uint16_t)off;
	f->len = (uint16_t)len;
	f->data_off = p->frag_data_off;
	x->have += len;
	d->st.held++;
	if (!x->has_total || x->have != x->g.total)
		return WW_DEFRAG_HELD;
	d->st.reassembled++;
	give_back(d, x, out);
	entry_free(d, (uint32_t)(x - d->e));
	return WW_DEFRAG_COMPLETE;
}

bool ww_defrag_expire(struct ww_defrag *d, uint64_t now_ns,
		      struct ww_defrag_dgram *out)
{
	while (d->old_head != NIL) {
		uint32_t i = d->old_head;
		struct entry *x = &d->e[i];

		if (now_ns < x->g.first_ns ||
		    now_ns - x->g.first_ns < d->timeout_ns)
			return false;
		if (x->dead || x->g.n == 0) {
			entry_free(d, i);
			continue;
		}
		d->st.timeouts++;
		give_back(d, x, out);
		entry_free(d, i);
		return true;
	}
	return false;
}

bool ww_defrag_flush(struct ww_defrag *d, struct ww_defrag_dgram *out)
{
	while (d->old_head != NIL) {
		uint32_t i = d->old_head;
		struct entry *x = &d->e[i];

		if (x->dead || x->g.n == 0) {
			entry_free(d, i);
			continue;
		}
		give_back(d, x, out);
		entry_free(d, i);
		return true;
	}
	return false;
}

static uint16_t ipv4_cksum(const uint8_t *h, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t ww_defrag_build(const struct ww_defrag_dgram *g, uint8_t *buf,
			 uint32_t cap)
{
	const struct ww_defrag_frag *first = &g->frags[g->first];
	const uint32_t hdr = g->hdr_end, len = hdr + g->total;
	uint8_t *ip = buf + g->l3_off;
	unsigned int k;

	if (len > cap || g->n == 0)
		return 0;
	memcpy(buf, first->frame, hdr);
	if (g->family == 4) {
		uint32_t ihl = hdr - g->l3_off, total = ihl + g->total;
		uint16_t c;

		if (total > MAX_DATA)
			return 0;
		ip[2] = (uint8_t)(total >> 8);
		ip[3] = (uint8_t)total;
		ip[6] &= 0x40; /* keep DF, clear MF and the offset */
		ip[7] = 0;
		ip[10] = ip[11] = 0;
		c = ipv4_cksum(ip, ihl);
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	} else {
		uint32_t plen = hdr - g->l3_off - 40 + g->total;

		if (plen > MAX_DATA)
			return 0;
		buf[g->nh_off] = g->nh;
		ip[4] = (uint8_t)(plen >> 8);
		ip[5] = (uint8_t)plen;
	}
	for (k = 0; k < g->n; k++)
		memcpy(buf + hdr + g->frags[k].offset,
		       g->frags[k].frame + g->frags[k].data_off,
		       g->frags[k].len);
	return len;
}
