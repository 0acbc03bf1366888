/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_PKT_H
#define WW_PKT_H

/*
 * Frame decoder: Ethernet, 802.1Q/802.1ad (up to two tags), ARP, IPv4
 * (options, fragments), IPv6 (extension-header chain, fragments), TCP
 * (options), UDP, ICMP, ICMPv6.
 *
 * The decoder works on a flat byte buffer rather than an mbuf, so it is
 * the same code in the worker, in offline mode and in the unit tests.
 * It never writes to the frame and never reads past @len. A frame it
 * refuses gets exactly one named reason; callers count it and apply the
 * configured malformed-frame policy.
 */

#include <stdbool.h>
#include <stdint.h>

/* Why a frame was refused. Append only: names are exported in counters
 * and events. */
enum ww_pkt_err {
	WW_PKT_OK = 0,
	WW_PKT_ETH_TRUNCATED,
	WW_PKT_VLAN_TRUNCATED,
	WW_PKT_VLAN_TOO_DEEP,
	WW_PKT_ARP_TRUNCATED,
	WW_PKT_IPV4_TRUNCATED,
	WW_PKT_IPV4_BAD_VERSION,
	WW_PKT_IPV4_BAD_IHL,
	WW_PKT_IPV4_BAD_TOTAL_LEN,
	WW_PKT_IPV4_BAD_OPTIONS,
	WW_PKT_IPV4_BAD_CHECKSUM,
	WW_PKT_IPV6_TRUNCATED,
	WW_PKT_IPV6_BAD_VERSION,
	WW_PKT_IPV6_BAD_PAYLOAD_LEN,
	WW_PKT_IPV6_EXTHDR_TRUNCATED,
	WW_PKT_IPV6_EXTHDR_TOO_MANY,
	WW_PKT_IPV6_BAD_HOPBYHOP,
	WW_PKT_TCP_TRUNCATED,
	WW_PKT_TCP_BAD_OFFSET,
	WW_PKT_TCP_BAD_OPTIONS,
	WW_PKT_TCP_BAD_FLAGS,
	WW_PKT_TCP_BAD_CHECKSUM,
	WW_PKT_UDP_TRUNCATED,
	WW_PKT_UDP_BAD_LENGTH,
	WW_PKT_UDP_BAD_CHECKSUM,
	WW_PKT_ICMP_TRUNCATED,
	WW_PKT_ICMP_BAD_CHECKSUM,
	WW_PKT_ICMPV6_TRUNCATED,
	WW_PKT_ICMPV6_BAD_CHECKSUM,
	WW_PKT_ERR_MAX
};

enum ww_pkt_l3 {
	WW_PKT_L3_NONE = 0, /* an EtherType we do not decode: passed through */
	WW_PKT_L3_ARP,
	WW_PKT_L3_IPV4,
	WW_PKT_L3_IPV6,
};

/* ww_pkt.flags */
#define WW_PKT_F_FRAGMENT     0x01 /* part of a fragmented datagram */
#define WW_PKT_F_FIRST_FRAG   0x02 /* ... and the one with offset 0 */
#define WW_PKT_F_L4	      0x04 /* L4 header decoded (ports/type valid) */
#define WW_PKT_F_IPV4_OPTIONS 0x08
#define WW_PKT_F_MORE_FRAGS   0x10 /* a fragment that is not the last */

/* ww_pkt.tcp_opts: which TCP options were present */
#define WW_TCP_OPT_MSS	     0x01
#define WW_TCP_OPT_WSCALE    0x02
#define WW_TCP_OPT_SACK_PERM 0x04
#define WW_TCP_OPT_SACK	     0x08
#define WW_TCP_OPT_TIMESTAMP 0x10

/* TCP header flag bits */
#define WW_TCP_FIN 0x01
#define WW_TCP_SYN 0x02
#define WW_TCP_RST 0x04
#define WW_TCP_PSH 0x08
#define WW_TCP_ACK 0x10
#define WW_TCP_URG 0x20

/* What the decoder learned about one frame. Offsets are from the start of
 * the frame; multi-byte fields are in host byte order except addresses. */
struct ww_pkt {
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t payload_off; /* L4 payload (TCP/UDP data) */
	uint16_t payload_len;
	uint16_t ethertype; /* innermost */
	uint16_t vlan[2];   /* TCI, outermost first */
	uint8_t n_vlan;
	uint8_t l3;	 /* enum ww_pkt_l3 */
	uint8_t l4proto; /* IP protocol / IPv6 upper-layer next header */
	uint8_t flags;	 /* WW_PKT_F_* */
	uint8_t ttl;	 /* or hop limit */
	uint8_t tcp_flags;
	uint8_t tcp_opts;
	uint8_t tcp_wscale;
	uint16_t tcp_mss;
	uint16_t tcp_window;
	uint16_t sport, dport; /* ICMP: sport = type, dport = code */
	uint32_t tcp_seq, tcp_ack;
	uint32_t tcp_tsval, tcp_tsecr;
	uint8_t src[16], dst[16]; /* network order; IPv4 in the first 4 */
	/* Fragments (WW_PKT_F_FRAGMENT): where this one's data goes in its
	 * datagram, and where it lies in the frame. IPv6: frag_nh_off is the
	 * frame offset of the Next Header byte that names the Fragment header
	 * (rewritten when the datagram is rebuilt without it), frag_nh the
	 * protocol after it. */
	uint32_t frag_id;
	uint16_t frag_offset;	/* bytes into the datagram's data */
	uint16_t frag_data_off; /* frame offset of this fragment's data */
	uint16_t frag_data_len;
	uint16_t frag_nh_off;
	uint8_t frag_nh;
};

/* How the decoder is asked to behave; taken from [decode] of the config. */
struct ww_pkt_opts {
	bool verify_checksums;
	uint8_t max_ipv6_ext_headers;
};

/* RX offload results the NIC may already have, as DPDK reports them
 * (RTE_MBUF_F_RX_*_CKSUM_*), so the decoder can skip software checks. */
#define WW_PKT_HW_IP_GOOD 0x1
#define WW_PKT_HW_IP_BAD  0x2
#define WW_PKT_HW_L4_GOOD 0x4
#define WW_PKT_HW_L4_BAD  0x8

/*
 * Decode one frame.
 *
 * @frame, @len: the bytes as received (Ethernet padding allowed).
 * @hw: WW_PKT_HW_* bits from the NIC, 0 when unknown.
 * @return WW_PKT_OK, or the reason the frame is malformed. @p is filled as
 *   far as decoding got either way (addresses are valid once L3 is).
 * dp-safe: no allocation, no side effects.
 */
enum ww_pkt_err ww_pkt_decode(const uint8_t *frame, uint32_t len,
			      unsigned int hw, const struct ww_pkt_opts *opts,
			      struct ww_pkt *p);

/* Stable lower-case name of a reason, e.g. "ipv4_bad_checksum". */
const char *ww_pkt_err_name(enum ww_pkt_err err);

/* IP protocol name as EVE writes it ("TCP", "UDP", "ICMP",
 * "IPv6-ICMP"), or NULL for others. */
const char *ww_pkt_proto_name(uint8_t proto);

#endif /* WW_PKT_H */
