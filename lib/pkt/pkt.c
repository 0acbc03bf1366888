/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of decoder results, for counters, summaries and events. */
#include <stddef.h>

#include "ww_pkt.h"

static const char *const err_names[WW_PKT_ERR_MAX] = {
	[WW_PKT_OK] = "ok",
	[WW_PKT_ETH_TRUNCATED] = "eth_truncated",
	[WW_PKT_VLAN_TRUNCATED] = "vlan_truncated",
	[WW_PKT_VLAN_TOO_DEEP] = "vlan_too_deep",
	[WW_PKT_ARP_TRUNCATED] = "arp_truncated",
	[WW_PKT_IPV4_TRUNCATED] = "ipv4_truncated",
	[WW_PKT_IPV4_BAD_VERSION] = "ipv4_bad_version",
	[WW_PKT_IPV4_BAD_IHL] = "ipv4_bad_ihl",
	[WW_PKT_IPV4_BAD_TOTAL_LEN] = "ipv4_bad_total_len",
	[WW_PKT_IPV4_BAD_OPTIONS] = "ipv4_bad_options",
	[WW_PKT_IPV4_BAD_CHECKSUM] = "ipv4_bad_checksum",
	[WW_PKT_IPV6_TRUNCATED] = "ipv6_truncated",
	[WW_PKT_IPV6_BAD_VERSION] = "ipv6_bad_version",
	[WW_PKT_IPV6_BAD_PAYLOAD_LEN] = "ipv6_bad_payload_len",
	[WW_PKT_IPV6_EXTHDR_TRUNCATED] = "ipv6_exthdr_truncated",
	[WW_PKT_IPV6_EXTHDR_TOO_MANY] = "ipv6_exthdr_too_many",
	[WW_PKT_IPV6_BAD_HOPBYHOP] = "ipv6_bad_hopbyhop",
	[WW_PKT_TCP_TRUNCATED] = "tcp_truncated",
	[WW_PKT_TCP_BAD_OFFSET] = "tcp_bad_offset",
	[WW_PKT_TCP_BAD_OPTIONS] = "tcp_bad_options",
	[WW_PKT_TCP_BAD_FLAGS] = "tcp_bad_flags",
	[WW_PKT_TCP_BAD_CHECKSUM] = "tcp_bad_checksum",
	[WW_PKT_UDP_TRUNCATED] = "udp_truncated",
	[WW_PKT_UDP_BAD_LENGTH] = "udp_bad_length",
	[WW_PKT_UDP_BAD_CHECKSUM] = "udp_bad_checksum",
	[WW_PKT_ICMP_TRUNCATED] = "icmp_truncated",
	[WW_PKT_ICMP_BAD_CHECKSUM] = "icmp_bad_checksum",
	[WW_PKT_ICMPV6_TRUNCATED] = "icmpv6_truncated",
	[WW_PKT_ICMPV6_BAD_CHECKSUM] = "icmpv6_bad_checksum",
};

const char *ww_pkt_err_name(enum ww_pkt_err err)
{
	if ((unsigned int)err >= WW_PKT_ERR_MAX || err_names[err] == NULL)
		return "unknown";
	return err_names[err];
}

const char *ww_pkt_proto_name(uint8_t proto)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "IPv6-ICMP";
	default:
		return NULL;
	}
}
