/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the pipeline makes: TCP resets for both ends of a connection,
 * and the HTTP answer (429, 401, 403) it gives in the server's place.
 * One segment builder for all of them.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "stage.h"

/*
 * A TCP segment of the connection of client packet @p (received as
 * @orig), as one of the two ends would send it: towards the server with
 * the sequence number @p carried (the one the server expects next), or
 * back to the client with the one the client acknowledges, acknowledging
 * everything @p carried (RFC 9293 3.5.3: both stacks accept it). @flags
 * are TCP flags, @payload (may be NULL) @len bytes of data.
 */
static struct rte_mbuf *make_segment(struct ww_worker *w,
				     const struct rte_mbuf *orig,
				     const struct ww_pkt *p, bool to_server,
				     uint8_t flags, const char *payload,
				     uint16_t len)
{
	const bool v4 = p->l3 == WW_PKT_L3_IPV4;
	const uint16_t ip_len = v4 ? 20 : 40;
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->inject_pool);
	struct rte_tcp_hdr *tcp;
	uint8_t *d, *ip;
	const uint8_t *src = to_server ? p->src : p->dst;
	const uint8_t *dst = to_server ? p->dst : p->src;

	if (m == NULL) {
		w->stats.inject_failed++;
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, p->l3_off + ip_len + 20 + len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		w->stats.inject_failed++;
		return NULL;
	}
	/* Ethernet and VLAN tags as received; back to the client, the
	 * addresses swap. */
	memcpy(d, rte_pktmbuf_mtod(orig, const uint8_t *), p->l3_off);
	if (!to_server) {
		memcpy(d, rte_pktmbuf_mtod(orig, const uint8_t *) + 6, 6);
		memcpy(d + 6, rte_pktmbuf_mtod(orig, const uint8_t *), 6);
	}
	ip = d + p->l3_off;
	memset(ip, 0, ip_len + 20);
	tcp = (struct rte_tcp_hdr *)(ip + ip_len);
	if (len > 0)
		memcpy((uint8_t *)tcp + 20, payload, len);
	if (v4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(ip_len + 20 + len);
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = 64;
		h->next_proto_id = 6;
		memcpy(&h->src_addr, src, 4);
		memcpy(&h->dst_addr, dst, 4);
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->vtc_flow = rte_cpu_to_be_32(0x60000000);
		h->payload_len = rte_cpu_to_be_16(20 + len);
		h->proto = 6;
		h->hop_limits = 64;
		memcpy(h->src_addr, src, 16);
		memcpy(h->dst_addr, dst, 16);
	}
	if (to_server) {
		tcp->src_port = rte_cpu_to_be_16(p->sport);
		tcp->dst_port = rte_cpu_to_be_16(p->dport);
		tcp->sent_seq = rte_cpu_to_be_32(p->tcp_seq);
		tcp->recv_ack = rte_cpu_to_be_32(p->tcp_ack);
	} else {
		tcp->src_port = rte_cpu_to_be_16(p->dport);
		tcp->dst_port = rte_cpu_to_be_16(p->sport);
		tcp->sent_seq = rte_cpu_to_be_32(p->tcp_ack);
		tcp->recv_ack = rte_cpu_to_be_32(p->tcp_seq + p->payload_len);
	}
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(len ? 65535 : 0);
	tcp->cksum = v4 ? rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)ip, tcp)
			: rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)ip, tcp);
	ww_mbuf_priv(m)->ts_ns = w->now_ns;
	return m;
}

struct rte_mbuf *ww_make_reset(struct ww_worker *w, const struct rte_mbuf *orig,
			       const struct ww_pkt *p, bool to_server)
{
	struct rte_mbuf *m =
		make_segment(w, orig, p, to_server,
			     RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, NULL, 0);

	if (m != NULL)
		w->stats.resets_sent++;
	return m;
}

static const char *reason_phrase(uint16_t status)
{
	switch (status) {
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 429:
		return "Too Many Requests";
	default:
		return "Error";
	}
}

struct rte_mbuf *ww_make_answer(struct ww_worker *w,
				const struct rte_mbuf *orig,
				const struct ww_pkt *p, uint16_t status,
				uint32_t retry_after, uint8_t auth_result)
{
	char text[512], extra[160] = "";
	const char *why = reason_phrase(status);
	struct rte_mbuf *m;
	int n;

	if (status == 429)
		snprintf(extra, sizeof(extra), "Retry-After: %u\r\n",
			 retry_after);
	else if (auth_result == WW_AUTH_MISSING)
		/* RFC 6750 3.1: no error code when no credentials came. */
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Bearer realm=\"wirewall\"\r\n");
	else if (auth_result == WW_AUTH_OK)
		extra[0] = '\0'; /* the rule engine's 403 */
	else if (status == 403)
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Bearer realm=\"wirewall\", "
			 "error=\"insufficient_scope\"\r\n");
	else
		snprintf(
			extra, sizeof(extra),
			"WWW-Authenticate: Bearer realm=\"wirewall\", "
			"error=\"invalid_token\", error_description=\"%s\"\r\n",
			ww_auth_result_name((enum ww_auth_result)auth_result));
	n = snprintf(text, sizeof(text),
		     "HTTP/1.1 %u %s\r\n%sContent-Type: text/plain\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
		     status, why, extra, strlen(why) + 1, why);
	m = make_segment(w, orig, p, false,
			 RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG,
			 text, (uint16_t)n);
	if (m != NULL)
		w->stats.responses_sent++;
	return m;
}
