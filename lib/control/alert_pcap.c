/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [eve] alert_pcap: the frames of alerted flows the workers copied
 * (ww_worker_setup_alert_pcap), written to a pcap file for Wireshark by
 * the control thread, up to alert_pcap_max_mb; past it, counted and
 * freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ww_control.h"

struct ww_alert_pcap {
	pcap_t *dead;
	pcap_dumper_t *out;
	uint64_t max_bytes, bytes;
	uint64_t written, over_size;
};

struct ww_alert_pcap *ww_alert_pcap_open(const struct ww_conf *conf, char *err,
					 size_t err_len)
{
	struct ww_alert_pcap *p;
	struct stat st;

	if (conf->eve_alert_pcap[0] == '\0')
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	p->max_bytes = (uint64_t)conf->eve_alert_pcap_max_mb << 20;
	p->dead = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	/* Appended to, as the EVE log is: a restart keeps what was there. */
	if (p->dead != NULL)
		p->out =
			stat(conf->eve_alert_pcap, &st) == 0 && st.st_size > 0
				? pcap_dump_open_append(p->dead,
							conf->eve_alert_pcap)
				: pcap_dump_open(p->dead, conf->eve_alert_pcap);
	if (p->out == NULL) {
		snprintf(err, err_len, "[eve] alert_pcap %s: %s",
			 conf->eve_alert_pcap,
			 p->dead != NULL ? pcap_geterr(p->dead)
					 : "cannot open");
		ww_alert_pcap_close(p);
		return NULL;
	}
	if (stat(conf->eve_alert_pcap, &st) == 0)
		p->bytes = (uint64_t)st.st_size;
	return p;
}

void ww_alert_pcap_close(struct ww_alert_pcap *p)
{
	if (p == NULL)
		return;
	if (p->out != NULL)
		pcap_dump_close(p->out);
	if (p->dead != NULL)
		pcap_close(p->dead);
	free(p);
}

unsigned int ww_alert_pcap_drain(struct ww_alert_pcap *p, struct rte_ring *ring,
				 unsigned int max)
{
	static uint8_t frame[65535];
	struct rte_mbuf *m[32];
	unsigned int n, i, total = 0;

	while (total < max) {
		n = rte_ring_sc_dequeue_burst(ring, (void **)m,
					      RTE_MIN(32u, max - total), NULL);
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			const uint32_t len = rte_pktmbuf_pkt_len(m[i]);
			const uint64_t ts = ww_mbuf_priv(m[i])->ts_ns;
			const void *data;
			struct pcap_pkthdr h;

			if (p == NULL || p->bytes + 16 + len > p->max_bytes) {
				if (p != NULL)
					p->over_size++;
				rte_pktmbuf_free(m[i]);
				continue;
			}
			data = rte_pktmbuf_read(m[i], 0, len, frame);
			h.ts.tv_sec = (time_t)(ts / 1000000000u);
			/* Nanoseconds: the dumper was opened with them. */
			h.ts.tv_usec = (suseconds_t)(ts % 1000000000u);
			h.caplen = h.len = len;
			if (data != NULL) {
				pcap_dump((u_char *)p->out, &h, data);
				p->bytes += 16 + len;
				p->written++;
			}
			rte_pktmbuf_free(m[i]);
		}
		total += n;
	}
	if (total != 0 && p != NULL)
		pcap_dump_flush(p->out);
	return total;
}

json_t *ww_alert_pcap_json(const struct ww_alert_pcap *p)
{
	if (p == NULL)
		return json_null();
	return json_pack("{s:I, s:I, s:I}", "written", (json_int_t)p->written,
			 "bytes", (json_int_t)p->bytes, "over_size",
			 (json_int_t)p->over_size);
}
