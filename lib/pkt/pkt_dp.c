/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fast-path frame decoder. Each layer checks that its header is inside the
 * frame before it reads it, and that the lengths it announces fit in what
 * the layer below carries; a frame that fails gets one named reason.
 */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "ww_pkt.h"

#define ETH_HLEN	   14
#define VLAN_HLEN	   4
#define ETHERTYPE_IPV4	   0x0800
#define ETHERTYPE_ARP	   0x0806
#define ETHERTYPE_VLAN	   0x8100
#define ETHERTYPE_QINQ	   0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_IPV6	   0x86dd

#define IPPROTO_HOPOPTS_  0
#define IPPROTO_ICMP_	  1
#define IPPROTO_TCP_	  6
#define IPPROTO_UDP_	  17
#define IPPROTO_ROUTING_  43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ESP_	  50
#define IPPROTO_AH_	  51
#define IPPROTO_ICMPV6_	  58
#define IPPROTO_NONE_	  59
#define IPPROTO_DSTOPTS_  60
#define IPPROTO_MOBILITY_ 135
#define IPPROTO_HIP_	  139
#define IPPROTO_SHIM6_	  140

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

/*
 * Ones'-complement sum (RFC 1071). Any word size works as long as the sum
 * is folded at the end (4.1), so 32-bit words go into 64-bit accumulators:
 * a frame (under 64 KiB, 2^14 words) cannot overflow them, so there is no
 * carry to propagate, and four accumulators let the adds run in parallel
 * instead of as one add-with-carry chain. Words are added in memory order,
 * so the pseudo-header terms below are added the same way
 * (rte_cpu_to_be_16) and the folded result compares with 0xffff directly.
 */
static inline uint64_t csum_add(const uint8_t *p, uint32_t len, uint64_t sum)
{
	uint64_t s1 = 0, s2 = 0, s3 = 0;
	uint32_t w[4];
	uint16_t v2;

	for (; len >= 16; p += 16, len -= 16) {
		memcpy(w, p, 16);
		sum += w[0];
		s1 += w[1];
		s2 += w[2];
		s3 += w[3];
	}
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(w, p, 4);
		sum += w[0];
	}
	if (len >= 2) {
		memcpy(&v2, p, 2);
		s1 += v2;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* A lone last byte is the first byte of a 16-bit word. */
		v2 = 0;
		memcpy(&v2, p, 1);
		s2 += v2;
	}
	return sum + s1 + s2 + s3;
}

static inline uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Sum of the pseudo header (RFC 9293 3.1, RFC 8200 8.1). The addresses
 * are read from the IP header itself, where they are contiguous. */
static inline uint64_t pseudo_sum(const struct ww_pkt *p, const uint8_t *l4,
				  uint32_t l4_len)
{
	const uint8_t *ip = l4 - (p->l4_off - p->l3_off);
	uint64_t sum = (uint64_t)rte_cpu_to_be_16((uint16_t)l4_len) +
		       rte_cpu_to_be_16(p->l4proto);

	if (p->l3 == WW_PKT_L3_IPV4)
		return sum + ld32(ip + 12) + ld32(ip + 16);
	return csum_add(ip + 8, 32, sum);
}

/* True when the L4 checksum over @l4 (@l4_len bytes) is right. */
static inline bool l4_cksum_ok(const struct ww_pkt *p, const uint8_t *l4,
			       uint32_t l4_len, bool pseudo)
{
	uint64_t sum = pseudo ? pseudo_sum(p, l4, l4_len) : 0;

	return csum_fold(csum_add(l4, l4_len, sum)) == 0xffff;
}

/* IPv4 header checksum; the common 20-byte header is summed in one go. */
static inline bool ipv4_cksum_ok(const uint8_t *ip, uint32_t ihl)
{
	uint64_t sum;

	if (likely(ihl == 20))
		sum = (uint64_t)ld32(ip) + ld32(ip + 4) + ld32(ip + 8) +
		      ld32(ip + 12) + ld32(ip + 16);
	else
		sum = csum_add(ip, ihl, 0);
	return csum_fold(sum) == 0xffff;
}

static enum ww_pkt_err decode_tcp(const uint8_t *l4, uint32_t l4_len,
				  unsigned int hw,
				  const struct ww_pkt_opts *opts, bool whole,
				  struct ww_pkt *p)
{
	uint32_t hlen, i;
	uint8_t fl;

	if (l4_len < 20)
		return WW_PKT_TCP_TRUNCATED;
	hlen = (uint32_t)(l4[12] >> 4) * 4;
	if (hlen < 20 || hlen > l4_len)
		return WW_PKT_TCP_BAD_OFFSET;
	p->sport = rd16(l4);
	p->dport = rd16(l4 + 2);
	p->tcp_seq = rd32(l4 + 4);
	p->tcp_ack = rd32(l4 + 8);
	fl = l4[13] & 0x3f;
	p->tcp_flags = fl;
	p->tcp_window = rd16(l4 + 14);
	p->flags |= WW_PKT_F_L4;

	/* Combinations no stack sends (RFC 9293 3.10.7): scanners and
	 * evasion tools do, and receivers disagree on how to treat them. */
	if (fl == 0 ||
	    (fl & (WW_TCP_SYN | WW_TCP_FIN)) == (WW_TCP_SYN | WW_TCP_FIN) ||
	    (fl & (WW_TCP_SYN | WW_TCP_RST)) == (WW_TCP_SYN | WW_TCP_RST))
		return WW_PKT_TCP_BAD_FLAGS;

	/* Options (RFC 9293 3.2): kinds 0 and 1 are single bytes, every other
	 * kind carries a length that covers itself and fits the header. */
	for (i = 20; i < hlen;) {
		uint8_t kind = l4[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return WW_PKT_TCP_BAD_OPTIONS;
		olen = l4[i + 1];
		if (olen < 2 || i + olen > hlen)
			return WW_PKT_TCP_BAD_OPTIONS;
		switch (kind) {
		case 2:
			if (olen != 4)
				return WW_PKT_TCP_BAD_OPTIONS;
			p->tcp_opts |= WW_TCP_OPT_MSS;
			p->tcp_mss = rd16(l4 + i + 2);
			break;
		case 3:
			if (olen != 3)
				return WW_PKT_TCP_BAD_OPTIONS;
			p->tcp_opts |= WW_TCP_OPT_WSCALE;
			p->tcp_wscale = l4[i + 2];
			break;
		case 4:
			if (olen != 2)
				return WW_PKT_TCP_BAD_OPTIONS;
			p->tcp_opts |= WW_TCP_OPT_SACK_PERM;
			break;
		case 5:
			if (olen < 10 || (olen - 2) % 8 != 0)
				return WW_PKT_TCP_BAD_OPTIONS;
			p->tcp_opts |= WW_TCP_OPT_SACK;
			break;
		case 8:
			if (olen != 10)
				return WW_PKT_TCP_BAD_OPTIONS;
			p->tcp_opts |= WW_TCP_OPT_TIMESTAMP;
			p->tcp_tsval = rd32(l4 + i + 2);
			p->tcp_tsecr = rd32(l4 + i + 6);
			break;
		default:
			break;
		}
		i += olen;
	}

	p->payload_off = (uint16_t)(p->l4_off + hlen);
	p->payload_len = (uint16_t)(l4_len - hlen);

	if (whole && opts->verify_checksums && !(hw & WW_PKT_HW_L4_GOOD) &&
	    ((hw & WW_PKT_HW_L4_BAD) || !l4_cksum_ok(p, l4, l4_len, true)))
		return WW_PKT_TCP_BAD_CHECKSUM;
	return WW_PKT_OK;
}

static enum ww_pkt_err decode_udp(const uint8_t *l4, uint32_t l4_len,
				  unsigned int hw,
				  const struct ww_pkt_opts *opts, bool whole,
				  struct ww_pkt *p)
{
	uint32_t ulen;
	uint16_t csum;

	if (l4_len < 8)
		return WW_PKT_UDP_TRUNCATED;
	p->sport = rd16(l4);
	p->dport = rd16(l4 + 2);
	ulen = rd16(l4 + 4);
	csum = rd16(l4 + 6);
	p->flags |= WW_PKT_F_L4;
	/* In a fragment the UDP length covers the whole datagram. */
	if (ulen < 8 || (whole && ulen > l4_len))
		return WW_PKT_UDP_BAD_LENGTH;
	p->payload_off = (uint16_t)(p->l4_off + 8);
	p->payload_len = (uint16_t)(RTE_MIN(ulen, l4_len) - 8);

	if (!whole || !opts->verify_checksums || (hw & WW_PKT_HW_L4_GOOD))
		return WW_PKT_OK;
	if (hw & WW_PKT_HW_L4_BAD)
		return WW_PKT_UDP_BAD_CHECKSUM;
	/* Zero means "no checksum" over IPv4 (RFC 768) and is forbidden
	 * over IPv6 (RFC 8200 8.1). */
	if (csum == 0)
		return p->l3 == WW_PKT_L3_IPV4 ? WW_PKT_OK
					       : WW_PKT_UDP_BAD_CHECKSUM;
	return l4_cksum_ok(p, l4, ulen, true) ? WW_PKT_OK
					      : WW_PKT_UDP_BAD_CHECKSUM;
}

static enum ww_pkt_err decode_icmp(const uint8_t *l4, uint32_t l4_len,
				   const struct ww_pkt_opts *opts, bool whole,
				   struct ww_pkt *p, bool v6)
{
	if (l4_len < (v6 ? 4u : 8u))
		return v6 ? WW_PKT_ICMPV6_TRUNCATED : WW_PKT_ICMP_TRUNCATED;
	p->sport = l4[0];
	p->dport = l4[1];
	p->flags |= WW_PKT_F_L4;
	p->payload_off = (uint16_t)(p->l4_off + (v6 ? 4 : 8));
	p->payload_len = (uint16_t)(l4_len - (v6 ? 4 : 8));
	if (!whole || !opts->verify_checksums)
		return WW_PKT_OK;
	/* ICMPv4 sums the message alone; ICMPv6 adds the pseudo header. */
	if (!l4_cksum_ok(p, l4, l4_len, v6))
		return v6 ? WW_PKT_ICMPV6_BAD_CHECKSUM
			  : WW_PKT_ICMP_BAD_CHECKSUM;
	return WW_PKT_OK;
}

static enum ww_pkt_err decode_l4(const uint8_t *frame, uint32_t l4_len,
				 unsigned int hw,
				 const struct ww_pkt_opts *opts,
				 struct ww_pkt *p)
{
	const uint8_t *l4 = frame + p->l4_off;
	/* A first fragment carries the L4 header but not the whole datagram,
	 * so its checksum cannot be checked; later fragments carry no L4
	 * header at all. */
	bool whole = !(p->flags & WW_PKT_F_FRAGMENT);

	if ((p->flags & WW_PKT_F_FRAGMENT) && !(p->flags & WW_PKT_F_FIRST_FRAG))
		return WW_PKT_OK;

	switch (p->l4proto) {
	case IPPROTO_TCP_:
		if (!whole && l4_len < 20)
			return WW_PKT_OK; /* tiny first fragment: no ports */
		return decode_tcp(l4, l4_len, hw, opts, whole, p);
	case IPPROTO_UDP_:
		if (!whole && l4_len < 8)
			return WW_PKT_OK;
		return decode_udp(l4, l4_len, hw, opts, whole, p);
	case IPPROTO_ICMP_:
		if (p->l3 != WW_PKT_L3_IPV4)
			return WW_PKT_OK;
		return decode_icmp(l4, l4_len, opts, whole, p, false);
	case IPPROTO_ICMPV6_:
		if (p->l3 != WW_PKT_L3_IPV6)
			return WW_PKT_OK;
		return decode_icmp(l4, l4_len, opts, whole, p, true);
	default:
		return WW_PKT_OK;
	}
}

static enum ww_pkt_err decode_ipv4(const uint8_t *frame, uint32_t len,
				   unsigned int hw,
				   const struct ww_pkt_opts *opts,
				   struct ww_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;
	uint32_t avail = len - p->l3_off, ihl, total, i;
	uint16_t frag;

	p->l3 = WW_PKT_L3_IPV4;
	if (avail < 20)
		return WW_PKT_IPV4_TRUNCATED;
	if ((ip[0] >> 4) != 4)
		return WW_PKT_IPV4_BAD_VERSION;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	if (ihl < 20)
		return WW_PKT_IPV4_BAD_IHL;
	if (ihl > avail)
		return WW_PKT_IPV4_TRUNCATED;
	total = rd16(ip + 2);
	/* Trailing bytes past total length are Ethernet padding. */
	if (total < ihl || total > avail)
		return WW_PKT_IPV4_BAD_TOTAL_LEN;
	memcpy(p->src, ip + 12, 4);
	memcpy(p->dst, ip + 16, 4);
	p->l4proto = ip[9];
	p->ttl = ip[8];

	/* Options (RFC 791): EOL and NOP are single bytes; every other
	 * option has a length of at least 2 that stays in the header. */
	if (ihl > 20) {
		p->flags |= WW_PKT_F_IPV4_OPTIONS;
		for (i = 20; i < ihl;) {
			uint8_t kind = ip[i];

			if (kind == 0)
				break;
			if (kind == 1) {
				i++;
				continue;
			}
			if (i + 1 >= ihl || ip[i + 1] < 2 ||
			    i + ip[i + 1] > ihl)
				return WW_PKT_IPV4_BAD_OPTIONS;
			i += ip[i + 1];
		}
	}
	if (opts->verify_checksums && !(hw & WW_PKT_HW_IP_GOOD) &&
	    ((hw & WW_PKT_HW_IP_BAD) || !ipv4_cksum_ok(ip, ihl)))
		return WW_PKT_IPV4_BAD_CHECKSUM;

	frag = rd16(ip + 6);
	if (frag & 0x3fff) { /* MF set or offset non-zero */
		p->flags |= WW_PKT_F_FRAGMENT;
		if ((frag & 0x1fff) == 0)
			p->flags |= WW_PKT_F_FIRST_FRAG;
		if (frag & 0x2000)
			p->flags |= WW_PKT_F_MORE_FRAGS;
		p->frag_id = rd16(ip + 4);
		p->frag_offset = (uint16_t)((frag & 0x1fff) << 3);
		p->frag_data_off = (uint16_t)(p->l3_off + ihl);
		p->frag_data_len = (uint16_t)(total - ihl);
		p->frag_nh = ip[9];
		p->frag_nh_off = 0;
	}
	p->l4_off = (uint16_t)(p->l3_off + ihl);
	return decode_l4(frame, total - ihl, hw, opts, p);
}

static enum ww_pkt_err decode_ipv6(const uint8_t *frame, uint32_t len,
				   unsigned int hw,
				   const struct ww_pkt_opts *opts,
				   struct ww_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;
	uint32_t avail = len - p->l3_off, plen, off, end;
	unsigned int n_ext = 0;
	uint32_t prev_nh_at = 6; /* where the Next Header in force was read */
	uint8_t nh;

	p->l3 = WW_PKT_L3_IPV6;
	if (avail < 40)
		return WW_PKT_IPV6_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return WW_PKT_IPV6_BAD_VERSION;
	plen = rd16(ip + 4);
	/* Trailing bytes past the payload are Ethernet padding. A zero
	 * length (jumbogram, RFC 2675) cannot occur on Ethernet and fails
	 * below as a truncated header. */
	if (40 + plen > avail)
		return WW_PKT_IPV6_BAD_PAYLOAD_LEN;
	memcpy(p->src, ip + 8, 16);
	memcpy(p->dst, ip + 24, 16);
	p->ttl = ip[7];
	nh = ip[6];
	off = 40;
	end = 40 + plen;

	/* Walk the extension-header chain (RFC 8200 4.1) to the upper
	 * layer, bounded so a hostile chain cannot cost unbounded time. */
	for (;;) {
		uint32_t hlen;

		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MOBILITY_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_:
		case IPPROTO_FRAGMENT_:
		case IPPROTO_AH_:
			break;
		default:
			goto upper;
		}
		if (nh == IPPROTO_HOPOPTS_ && n_ext != 0)
			return WW_PKT_IPV6_BAD_HOPBYHOP; /* must come first */
		if (++n_ext > opts->max_ipv6_ext_headers)
			return WW_PKT_IPV6_EXTHDR_TOO_MANY;
		if (off + 8 > end)
			return WW_PKT_IPV6_EXTHDR_TRUNCATED;
		if (nh == IPPROTO_FRAGMENT_) {
			uint16_t fo = rd16(ip + off + 2);

			hlen = 8;
			if (p->flags & WW_PKT_F_FRAGMENT)
				return WW_PKT_IPV6_EXTHDR_TOO_MANY; /* two */
			p->flags |= WW_PKT_F_FRAGMENT;
			if ((fo & 0xfff8) == 0)
				p->flags |= WW_PKT_F_FIRST_FRAG;
			if (fo & 1)
				p->flags |= WW_PKT_F_MORE_FRAGS;
			p->frag_id = (uint32_t)rd16(ip + off + 4) << 16 |
				     rd16(ip + off + 6);
			p->frag_offset = fo & 0xfff8;
			p->frag_data_off = (uint16_t)(p->l3_off + off + 8);
			p->frag_data_len = (uint16_t)(end - off - 8);
			p->frag_nh_off = (uint16_t)(p->l3_off + prev_nh_at);
			p->frag_nh = ip[off];
		} else if (nh == IPPROTO_AH_) {
			hlen = ((uint32_t)ip[off + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)ip[off + 1] + 1) * 8;
		}
		if (off + hlen > end)
			return WW_PKT_IPV6_EXTHDR_TRUNCATED;
		nh = ip[off];
		prev_nh_at = off;
		off += hlen;
		/* After the Fragment header of a fragment that is not the
		 * first, the bytes are fragment data, not headers (RFC 8200
		 * 4.5): the chain stops there. */
		if ((p->flags & WW_PKT_F_FRAGMENT) &&
		    !(p->flags & WW_PKT_F_FIRST_FRAG) &&
		    p->frag_data_off == p->l3_off + off) {
			p->l4proto = nh;
			p->l4_off = (uint16_t)(p->l3_off + off);
			return WW_PKT_OK;
		}
	}
upper:
	p->l4proto = nh;
	p->l4_off = (uint16_t)(p->l3_off + off);
	if (nh == IPPROTO_NONE_ || nh == IPPROTO_ESP_)
		return WW_PKT_OK;
	return decode_l4(frame, end - off, hw, opts, p);
}

enum ww_pkt_err ww_pkt_decode(const uint8_t *frame, uint32_t len,
			      unsigned int hw, const struct ww_pkt_opts *opts,
			      struct ww_pkt *p)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;

	memset(p, 0, offsetof(struct ww_pkt, src));
	if (len < ETH_HLEN)
		return WW_PKT_ETH_TRUNCATED;
	type = rd16(frame + 12);
	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	       type == ETHERTYPE_QINQ_OLD) {
		if (p->n_vlan == 2)
			return WW_PKT_VLAN_TOO_DEEP;
		if (off + VLAN_HLEN > len)
			return WW_PKT_VLAN_TRUNCATED;
		p->vlan[p->n_vlan++] = rd16(frame + off) & 0x0fff;
		type = rd16(frame + off + 2);
		off += VLAN_HLEN;
	}
	p->ethertype = type;
	p->l3_off = (uint16_t)off;

	switch (type) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(frame, len, hw, opts, p);
	case ETHERTYPE_IPV6:
		return decode_ipv6(frame, len, hw, opts, p);
	case ETHERTYPE_ARP:
		p->l3 = WW_PKT_L3_ARP;
		/* Ethernet/IPv4 ARP is 28 bytes; anything shorter is not a
		 * request or reply any host would accept. */
		return len - off < 28 ? WW_PKT_ARP_TRUNCATED : WW_PKT_OK;
	default:
		return WW_PKT_OK;
	}
}
