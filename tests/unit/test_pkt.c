/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pkt: every drop reason, every truncation length of each header, and
 * the fields of clean frames. Frames are built here with a checksum
 * routine of the test's own (RFC 1071, byte by byte), not the decoder's.
 * Each frame is decoded from a heap copy of exactly its length, so ASan
 * catches any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ww_pkt.h"

struct frame {
	uint8_t b[2048];
	uint32_t len;
	uint32_t l3, l4; /* offsets, for the tests to damage */
};

static const struct ww_pkt_opts opts = {
	.verify_checksums = true,
	.max_ipv6_ext_headers = 8,
};

static const uint8_t C4[4] = {10, 77, 0, 1}, S4[4] = {10, 77, 0, 2};
static const uint8_t C6[16] = {0xfd, 0, 0, 0x77, [15] = 1};
static const uint8_t S6[16] = {0xfd, 0, 0, 0x77, [15] = 2};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t sum_bytes(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static enum ww_pkt_err decode(const struct frame *f, uint32_t len,
			      struct ww_pkt *p)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum ww_pkt_err e;

	memcpy(copy, f->b, len);
	e = ww_pkt_decode(copy, len, 0, &opts, p);
	free(copy);
	return e;
}

/* --- frame builders ------------------------------------------------- */

static void eth(struct frame *f, uint16_t type, int n_vlan)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	f->len = 12;
	if (n_vlan == 2) {
		put16(f->b + f->len, 0x88a8);
		put16(f->b + f->len + 2, 200);
		f->len += 4;
	}
	if (n_vlan >= 1) {
		put16(f->b + f->len, 0x8100);
		put16(f->b + f->len + 2, 100);
		f->len += 4;
	}
	put16(f->b + f->len, type);
	f->len += 2;
	f->l3 = f->len;
}

/* IPv4 header with @optlen bytes of options (NOPs then EOL). */
static void ipv4(struct frame *f, uint8_t proto, uint32_t optlen)
{
	uint8_t *ip = f->b + f->len;
	uint32_t ihl = 20 + optlen;

	ip[0] = (uint8_t)(0x40 | ihl / 4);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, C4, 4);
	memcpy(ip + 16, S4, 4);
	memset(ip + 20, 1, optlen);
	if (optlen)
		ip[ihl - 1] = 0;
	f->len += ihl;
	f->l4 = f->len;
}

static void ipv6(struct frame *f, uint8_t nh)
{
	uint8_t *ip = f->b + f->len;

	ip[0] = 0x60;
	ip[6] = nh;
	ip[7] = 64;
	memcpy(ip + 8, C6, 16);
	memcpy(ip + 24, S6, 16);
	f->len += 40;
	f->l4 = f->len;
}

/* An 8-byte IPv6 extension header (destination options style). */
static void ext6(struct frame *f, uint8_t nh)
{
	f->b[f->len] = nh;
	f->b[f->len + 1] = 0;
	f->b[f->len + 2] = 1; /* PadN */
	f->b[f->len + 3] = 4;
	f->len += 8;
	f->l4 = f->len;
}

static void append(struct frame *f, const void *p, uint32_t n)
{
	if (n != 0)
		memcpy(f->b + f->len, p, n);
	f->len += n;
}

/* Fill lengths and checksums once the frame is complete. */
static void finish(struct frame *f)
{
	uint8_t *ip = f->b + f->l3, *l4 = f->b + f->l4;
	uint32_t l4len = f->len - f->l4, s;
	int v6 = (ip[0] >> 4) == 6;
	uint8_t proto;
	int csum_off = -1;

	if (v6) {
		uint32_t off = 40;
		uint8_t nh = ip[6];

		put16(ip + 4, (uint16_t)(f->len - f->l3 - 40));
		while ((nh == 0 || nh == 60 || nh == 43) &&
		       f->l3 + off + 8 <= f->len) {
			nh = ip[off];
			off += 8;
		}
		proto = nh;
	} else {
		uint32_t ihl = (ip[0] & 0xf) * 4u;

		put16(ip + 2, (uint16_t)(f->len - f->l3));
		ip[10] = ip[11] = 0;
		put16(ip + 10, fold(sum_bytes(ip, ihl, 0)));
		proto = ip[9];
	}
	if (proto == 6)
		csum_off = 16;
	else if (proto == 17) {
		csum_off = 6;
		put16(l4 + 4, (uint16_t)l4len);
	} else if (proto == 1 || proto == 58)
		csum_off = 2;
	if (csum_off < 0 || l4len < (uint32_t)csum_off + 2)
		return;
	l4[csum_off] = l4[csum_off + 1] = 0;
	s = 0;
	if (proto != 1) {
		s = v6 ? sum_bytes(ip + 8, 32, 0) : sum_bytes(ip + 12, 8, 0);
		s += proto + l4len;
	}
	s = sum_bytes(l4, l4len, s);
	put16(l4 + csum_off, fold(s));
}

static void tcp_hdr(struct frame *f, uint8_t flags, const uint8_t *opt,
		    uint32_t optlen)
{
	uint8_t h[20] = {0};

	put16(h, 40000);
	put16(h + 2, 80);
	h[4] = 0x12, h[7] = 0x34; /* seq */
	h[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	h[13] = flags;
	put16(h + 14, 65535);
	append(f, h, 20);
	append(f, opt, optlen);
}

static const uint8_t syn_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				     0, 1, 0,	 0,    0, 0, 1, 3,  3, 7};

static void tcp4(struct frame *f, int n_vlan)
{
	eth(f, 0x0800, n_vlan);
	ipv4(f, 6, 0);
	tcp_hdr(f, WW_TCP_SYN, syn_opts, sizeof(syn_opts));
	append(f, "GET / HTTP/1.1\r\n", 16);
	finish(f);
}

static void udp4(struct frame *f)
{
	uint8_t h[8] = {0, 53, 0, 53};

	eth(f, 0x0800, 0);
	ipv4(f, 17, 8);
	append(f, h, 8);
	append(f, "query", 5);
	finish(f);
}

static void icmp4(struct frame *f)
{
	uint8_t h[8] = {8, 0, 0, 0, 0, 7, 0, 1};

	eth(f, 0x0800, 0);
	ipv4(f, 1, 0);
	append(f, h, 8);
	append(f, "pingpingping", 12);
	finish(f);
}

static void tcp6(struct frame *f)
{
	eth(f, 0x86dd, 1);
	ipv6(f, 0);  /* hop-by-hop */
	ext6(f, 60); /* -> destination options */
	ext6(f, 6);  /* -> TCP */
	tcp_hdr(f, WW_TCP_ACK | WW_TCP_PSH, NULL, 0);
	append(f, "data", 4);
	finish(f);
}

static void udp6(struct frame *f)
{
	uint8_t h[8] = {0x13, 0x88, 0x17, 0x70};

	eth(f, 0x86dd, 0);
	ipv6(f, 17);
	append(f, h, 8);
	append(f, "v6", 2);
	finish(f);
}

static void icmp6(struct frame *f)
{
	uint8_t h[8] = {128, 0, 0, 0, 0, 1, 0, 1};

	eth(f, 0x86dd, 2);
	ipv6(f, 58);
	append(f, h, 8);
	append(f, "ping6", 5);
	finish(f);
}

static void arp(struct frame *f)
{
	uint8_t a[28] = {0, 1, 8, 0, 6, 4, 0, 1};

	eth(f, 0x0806, 0);
	append(f, a, 28);
}

/* --- clean frames --------------------------------------------------- */

static void test_clean_tcp4_fields(void **state)
{
	struct frame f;
	struct ww_pkt p;

	(void)state;
	tcp4(&f, 0);
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	assert_int_equal(p.l3, WW_PKT_L3_IPV4);
	assert_int_equal(p.l4proto, 6);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.tcp_seq, 0x12000034);
	assert_int_equal(p.tcp_flags, WW_TCP_SYN);
	assert_int_equal(p.tcp_mss, 1460);
	assert_int_equal(p.tcp_wscale, 7);
	assert_true(p.tcp_opts & WW_TCP_OPT_SACK_PERM);
	assert_true(p.tcp_opts & WW_TCP_OPT_TIMESTAMP);
	assert_int_equal(p.tcp_tsval, 1);
	assert_int_equal(p.payload_len, 16);
	assert_memory_equal(f.b + p.payload_off, "GET / HTTP/1.1\r\n", 16);
	assert_memory_equal(p.src, C4, 4);
	assert_memory_equal(p.dst, S4, 4);
}

static void test_clean_frames_all_kinds(void **state)
{
	void (*builders[])(struct frame *) = {udp4, icmp4, tcp6,
					      udp6, icmp6, arp};
	struct frame f;
	struct ww_pkt p;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(builders) / sizeof(builders[0]); i++) {
		builders[i](&f);
		if (decode(&f, f.len, &p) != WW_PKT_OK)
			fail_msg("builder %u: %s", i,
				 ww_pkt_err_name(decode(&f, f.len, &p)));
	}
	tcp6(&f);
	decode(&f, f.len, &p);
	assert_int_equal(p.l3, WW_PKT_L3_IPV6);
	assert_int_equal(p.n_vlan, 1);
	assert_int_equal(p.vlan[0], 100);
	assert_int_equal(p.l4proto, 6);
	assert_int_equal(p.payload_len, 4);
	icmp6(&f);
	decode(&f, f.len, &p);
	assert_int_equal(p.n_vlan, 2);
	assert_int_equal(p.vlan[0], 200);
	assert_int_equal(p.sport, 128); /* ICMP type */
}

static void test_padding_is_not_payload(void **state)
{
	struct frame f;
	struct ww_pkt p;

	(void)state;
	udp4(&f);
	memset(f.b + f.len, 0, 20); /* Ethernet padding after the datagram */
	assert_int_equal(decode(&f, f.len + 20, &p), WW_PKT_OK);
	assert_int_equal(p.payload_len, 5);
}

static void test_unknown_ethertype_passes(void **state)
{
	struct frame f;
	struct ww_pkt p;

	(void)state;
	eth(&f, 0x88cc, 0);
	append(&f, "\x02\x07\x04", 3);
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	assert_int_equal(p.l3, WW_PKT_L3_NONE);
}

static void test_checksums_from_offload_flags(void **state)
{
	struct frame f;
	struct ww_pkt p;

	(void)state;
	tcp4(&f, 0);
	f.b[f.len - 1] ^= 1; /* break the TCP checksum */
	assert_int_equal(ww_pkt_decode(f.b, f.len, 0, &opts, &p),
			 WW_PKT_TCP_BAD_CHECKSUM);
	/* The NIC says L4 is good: trust it rather than recompute. */
	assert_int_equal(
		ww_pkt_decode(f.b, f.len, WW_PKT_HW_L4_GOOD, &opts, &p),
		WW_PKT_OK);
	tcp4(&f, 0);
	assert_int_equal(ww_pkt_decode(f.b, f.len, WW_PKT_HW_IP_BAD, &opts, &p),
			 WW_PKT_IPV4_BAD_CHECKSUM);
	assert_int_equal(ww_pkt_decode(f.b, f.len, WW_PKT_HW_L4_BAD, &opts, &p),
			 WW_PKT_TCP_BAD_CHECKSUM);
}

static void test_checksum_check_can_be_off(void **state)
{
	struct ww_pkt_opts no = opts;
	struct frame f;
	struct ww_pkt p;

	(void)state;
	no.verify_checksums = false;
	udp4(&f);
	f.b[f.len - 1] ^= 1;
	assert_int_equal(ww_pkt_decode(f.b, f.len, 0, &no, &p), WW_PKT_OK);
}

static void test_udp_zero_checksum(void **state)
{
	struct frame f;
	struct ww_pkt p;

	(void)state;
	udp4(&f);
	f.b[f.l4 + 6] = f.b[f.l4 + 7] = 0; /* "no checksum" is legal on v4 */
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	udp6(&f);
	f.b[f.l4 + 6] = f.b[f.l4 + 7] = 0; /* ... and forbidden on v6 */
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_UDP_BAD_CHECKSUM);
}

static void test_fragments(void **state)
{
	struct frame f;
	struct ww_pkt p;
	uint8_t frag6[8] = {17, 0, 0, 0, 0, 0, 0, 9};

	(void)state;
	/* First fragment: ports known, checksum not checkable. */
	udp4(&f);
	f.b[f.l3 + 6] = 0x20; /* MF */
	finish(&f);
	/* The UDP length and checksum cover the whole datagram, which this
	 * fragment does not hold: neither can be checked here. */
	put16(f.b + f.l4 + 4, 3000);
	f.b[f.l4 + 7] ^= 0xff;
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	assert_true(p.flags & WW_PKT_F_FRAGMENT);
	assert_true(p.flags & WW_PKT_F_FIRST_FRAG);
	assert_true(p.flags & WW_PKT_F_L4);
	assert_int_equal(p.dport, 53);

	/* A later fragment has no L4 header at all. */
	eth(&f, 0x0800, 0);
	ipv4(&f, 17, 0);
	append(&f, "middle of the datagram", 22);
	f.b[f.l3 + 6] = 0x20;
	f.b[f.l3 + 7] = 0x10; /* offset 16 * 8 */
	finish(&f);
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	assert_true(p.flags & WW_PKT_F_FRAGMENT);
	assert_false(p.flags & WW_PKT_F_FIRST_FRAG);
	assert_false(p.flags & WW_PKT_F_L4);

	/* IPv6 non-first fragment. */
	eth(&f, 0x86dd, 0);
	ipv6(&f, 44);
	put16(frag6 + 2, 0x00a8); /* offset 21 * 8 */
	append(&f, frag6, 8);
	append(&f, "tail", 4);
	finish(&f);
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	assert_true(p.flags & WW_PKT_F_FRAGMENT);
	assert_false(p.flags & WW_PKT_F_FIRST_FRAG);
	assert_int_equal(p.l4proto, 17);
	assert_int_equal(p.frag_offset, 168);
	assert_int_equal(p.frag_data_len, 4);

	/* A non-first fragment whose Fragment header names an extension
	 * header next (Destination Options): what follows is fragment data,
	 * not a header to walk (it used to be refused as a truncated
	 * extension header, so such a datagram never completed). */
	eth(&f, 0x86dd, 0);
	ipv6(&f, 44);
	frag6[0] = 60;
	append(&f, frag6, 8);
	append(&f, "\xff\xff\xff", 3);
	finish(&f);
	assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	assert_int_equal(p.frag_nh, 60);
	assert_int_equal(p.frag_data_len, 3);
}

/* --- every drop reason ---------------------------------------------- */

static void expect(const struct frame *f, enum ww_pkt_err want)
{
	struct ww_pkt p;
	enum ww_pkt_err got = decode(f, f->len, &p);

	if (got != want)
		fail_msg("want %s, got %s", ww_pkt_err_name(want),
			 ww_pkt_err_name(got));
}

static void test_every_reason(void **state)
{
	struct frame f;
	uint8_t bad_opt[4] = {2, 9, 0, 0}; /* MSS option claiming 9 bytes */
	unsigned int i;

	(void)state;
	tcp4(&f, 0);
	f.len = 13;
	expect(&f, WW_PKT_ETH_TRUNCATED);

	eth(&f, 0x8100, 0);
	f.len += 2;
	expect(&f, WW_PKT_VLAN_TRUNCATED);

	eth(&f, 0x8100, 2);
	f.len -= 2;
	put16(f.b + f.len, 0x8100);
	put16(f.b + f.len + 2, 7);
	put16(f.b + f.len + 4, 0x0800);
	f.len += 6;
	expect(&f, WW_PKT_VLAN_TOO_DEEP);

	arp(&f);
	f.len -= 1;
	expect(&f, WW_PKT_ARP_TRUNCATED);

	tcp4(&f, 0);
	f.b[f.l3] = 0x55;
	expect(&f, WW_PKT_IPV4_BAD_VERSION);
	tcp4(&f, 0);
	f.b[f.l3] = 0x44;
	expect(&f, WW_PKT_IPV4_BAD_IHL);
	tcp4(&f, 0);
	put16(f.b + f.l3 + 2, 19);
	expect(&f, WW_PKT_IPV4_BAD_TOTAL_LEN);
	eth(&f, 0x0800, 0);
	ipv4(&f, 17, 8);
	f.b[f.l3 + 20] = 7;  /* record route ... */
	f.b[f.l3 + 21] = 40; /* ... longer than the options */
	append(&f, "\0\1\0\2\0\x08\0\0", 8);
	finish(&f);
	expect(&f, WW_PKT_IPV4_BAD_OPTIONS);
	tcp4(&f, 0);
	f.b[f.l3 + 12] ^= 1; /* source address changed, checksum stale */
	expect(&f, WW_PKT_IPV4_BAD_CHECKSUM);

	udp6(&f);
	f.b[f.l3] = 0x40;
	expect(&f, WW_PKT_IPV6_BAD_VERSION);
	udp6(&f);
	put16(f.b + f.l3 + 4, 400);
	expect(&f, WW_PKT_IPV6_BAD_PAYLOAD_LEN);

	eth(&f, 0x86dd, 0);
	ipv6(&f, 60);
	ext6(&f, 17);
	append(&f, "\0\1\0\2\0\x08\0\0", 8);
	finish(&f);
	f.b[f.l3 + 41] = 3; /* destination options claim 32 bytes */
	expect(&f, WW_PKT_IPV6_EXTHDR_TRUNCATED);

	eth(&f, 0x86dd, 0);
	ipv6(&f, 60);
	for (i = 0; i < 9; i++)
		ext6(&f, i == 8 ? 59 : 60);
	finish(&f);
	expect(&f, WW_PKT_IPV6_EXTHDR_TOO_MANY);

	eth(&f, 0x86dd, 0);
	ipv6(&f, 60);
	ext6(&f, 0); /* hop-by-hop after destination options */
	ext6(&f, 59);
	finish(&f);
	expect(&f, WW_PKT_IPV6_BAD_HOPBYHOP);

	eth(&f, 0x0800, 0);
	ipv4(&f, 6, 0);
	append(&f, "0123456789", 10);
	finish(&f);
	expect(&f, WW_PKT_TCP_TRUNCATED);

	tcp4(&f, 0);
	f.b[f.l4 + 12] = 0x40;
	expect(&f, WW_PKT_TCP_BAD_OFFSET);
	tcp4(&f, 0);
	f.b[f.l4 + 12] = 0xf0; /* 60 bytes of header, fewer in the frame */
	f.len = f.l4 + 40;
	finish(&f);
	expect(&f, WW_PKT_TCP_BAD_OFFSET);

	eth(&f, 0x0800, 0);
	ipv4(&f, 6, 0);
	tcp_hdr(&f, WW_TCP_SYN, bad_opt, 4);
	finish(&f);
	expect(&f, WW_PKT_TCP_BAD_OPTIONS);

	eth(&f, 0x0800, 0);
	ipv4(&f, 6, 0);
	tcp_hdr(&f, WW_TCP_SYN | WW_TCP_FIN, NULL, 0);
	finish(&f);
	expect(&f, WW_PKT_TCP_BAD_FLAGS);
	eth(&f, 0x0800, 0);
	ipv4(&f, 6, 0);
	tcp_hdr(&f, 0, NULL, 0);
	finish(&f);
	expect(&f, WW_PKT_TCP_BAD_FLAGS);
	eth(&f, 0x0800, 0);
	ipv4(&f, 6, 0);
	tcp_hdr(&f, WW_TCP_SYN | WW_TCP_RST, NULL, 0);
	finish(&f);
	expect(&f, WW_PKT_TCP_BAD_FLAGS);

	tcp4(&f, 0);
	f.b[f.len - 1] ^= 0x20;
	expect(&f, WW_PKT_TCP_BAD_CHECKSUM);

	eth(&f, 0x0800, 0);
	ipv4(&f, 17, 0);
	append(&f, "0123456", 7);
	finish(&f);
	expect(&f, WW_PKT_UDP_TRUNCATED);
	udp4(&f);
	put16(f.b + f.l4 + 4, 7);
	expect(&f, WW_PKT_UDP_BAD_LENGTH);
	udp4(&f);
	put16(f.b + f.l4 + 4, 100);
	expect(&f, WW_PKT_UDP_BAD_LENGTH);
	udp4(&f);
	f.b[f.len - 1] ^= 1;
	expect(&f, WW_PKT_UDP_BAD_CHECKSUM);

	eth(&f, 0x0800, 0);
	ipv4(&f, 1, 0);
	append(&f, "\x08\0\0\0\0\0\0", 7);
	finish(&f);
	expect(&f, WW_PKT_ICMP_TRUNCATED);
	icmp4(&f);
	f.b[f.len - 1] ^= 1;
	expect(&f, WW_PKT_ICMP_BAD_CHECKSUM);

	eth(&f, 0x86dd, 0);
	ipv6(&f, 58);
	append(&f, "\x80\0\0", 3);
	finish(&f);
	expect(&f, WW_PKT_ICMPV6_TRUNCATED);
	icmp6(&f);
	f.b[f.len - 1] ^= 1;
	expect(&f, WW_PKT_ICMPV6_BAD_CHECKSUM);
}

/* Every reason must have a distinct, stable name. */
static void test_reason_names(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 1; i < WW_PKT_ERR_MAX; i++) {
		assert_string_not_equal(ww_pkt_err_name(i), "unknown");
		for (j = 1; j < i; j++)
			assert_string_not_equal(ww_pkt_err_name(i),
						ww_pkt_err_name(j));
	}
	assert_string_equal(ww_pkt_err_name(WW_PKT_ERR_MAX), "unknown");
}

/* --- every truncation length ------------------------------------------
 * A frame cut at length L must be refused with the reason of the header
 * L falls in: Ethernet, VLAN, the IP header, or (past the IP header) the
 * IP length that now exceeds the frame. */

static enum ww_pkt_err region_reason(const struct frame *f, uint32_t cut)
{
	int v6 = f->b[f->l3] >> 4 == 6;
	uint32_t ip_hdr = v6 ? 40 : (f->b[f->l3] & 0xfu) * 4;

	if (cut < 14)
		return WW_PKT_ETH_TRUNCATED;
	if (cut < f->l3)
		return WW_PKT_VLAN_TRUNCATED;
	if (v6)
		return cut < f->l3 + 40 ? WW_PKT_IPV6_TRUNCATED
					: WW_PKT_IPV6_BAD_PAYLOAD_LEN;
	if (cut < f->l3 + 20)
		return WW_PKT_IPV4_TRUNCATED;
	if (cut < f->l3 + ip_hdr)
		return WW_PKT_IPV4_TRUNCATED;
	return WW_PKT_IPV4_BAD_TOTAL_LEN;
}

static void test_every_truncation(void **state)
{
	void (*builders[])(struct frame *) = {udp4, icmp4, tcp6, udp6, icmp6};
	const char *names[] = {"udp4", "icmp4", "tcp6", "udp6", "icmp6"};
	struct frame f;
	struct ww_pkt p;
	unsigned int b, checked = 0;
	uint32_t cut;

	(void)state;
	for (b = 0; b < 7; b++) {
		if (b < 5)
			builders[b](&f);
		else
			tcp4(&f, b == 5 ? 1 : 2); /* VLAN and QinQ */
		for (cut = 0; cut < f.len; cut++) {
			enum ww_pkt_err got = decode(&f, cut, &p);
			enum ww_pkt_err want = region_reason(&f, cut);

			if (got != want)
				fail_msg("%s cut at %u of %u: want %s, got %s",
					 b < 5 ? names[b] : "tcp4+vlan", cut,
					 f.len, ww_pkt_err_name(want),
					 ww_pkt_err_name(got));
			checked++;
		}
		assert_int_equal(decode(&f, f.len, &p), WW_PKT_OK);
	}
	/* And each L4 header cut short inside a consistent IP packet. */
	for (cut = 0; cut < 20; cut++) {
		eth(&f, 0x0800, 0);
		ipv4(&f, 6, 0);
		tcp_hdr(&f, WW_TCP_SYN, NULL, 0);
		f.len = f.l4 + cut;
		finish(&f);
		expect(&f, WW_PKT_TCP_TRUNCATED);
	}
	for (cut = 0; cut < 8; cut++) {
		udp4(&f);
		f.len = f.l4 + cut;
		finish(&f);
		expect(&f, WW_PKT_UDP_TRUNCATED);
		icmp4(&f);
		f.len = f.l4 + cut;
		finish(&f);
		expect(&f, WW_PKT_ICMP_TRUNCATED);
	}
	for (cut = 0; cut < 4; cut++) {
		icmp6(&f);
		f.len = f.l4 + cut;
		finish(&f);
		expect(&f, WW_PKT_ICMPV6_TRUNCATED);
	}
	for (cut = 0; cut < 8; cut++) {
		tcp6(&f);
		f.len = f.l4 - 8 + cut; /* inside the 2nd extension header */
		finish(&f);
		expect(&f, WW_PKT_IPV6_EXTHDR_TRUNCATED);
	}
	assert_true(checked > 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_tcp4_fields),
		cmocka_unit_test(test_clean_frames_all_kinds),
		cmocka_unit_test(test_padding_is_not_payload),
		cmocka_unit_test(test_unknown_ethertype_passes),
		cmocka_unit_test(test_checksums_from_offload_flags),
		cmocka_unit_test(test_checksum_check_can_be_off),
		cmocka_unit_test(test_udp_zero_checksum),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_every_reason),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
