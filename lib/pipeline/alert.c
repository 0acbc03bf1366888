/* SPDX-License-Identifier: BSD-3-Clause */
/* Events and alerts about a packet, for every stage. */
#include <stdio.h>
#include <string.h>

#include "stage.h"

void ww_packet_event(struct ww_event *ev, const struct ww_worker *w,
		     uint16_t in_port, const struct ww_pkt *p, uint16_t type)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = w->now_ns;
	ev->type = type;
	ev->in_port = in_port;
	if (!is_ip(p))
		return;
	ev->family = p->l3 == WW_PKT_L3_IPV4 ? 4 : 6;
	ev->proto = p->l4proto;
	memcpy(ev->src_ip, p->src, 16);
	memcpy(ev->dest_ip, p->dst, 16);
	if (p->flags & WW_PKT_F_L4) {
		ev->src_port = p->sport;
		ev->dest_port = p->dport;
	}
}

void ww_alert_fill(struct ww_event *ev, uint32_t sid, const char *category,
		   const char *signature, bool blocked)
{
	ev->type = WW_EVENT_ALERT;
	ev->alert.signature_id = sid;
	ev->alert.blocked = blocked;
	ev->alert.severity = 2;
	ev->alert.source_verified = 0;
	snprintf(ev->alert.signature, sizeof(ev->alert.signature), "%s",
		 signature);
	snprintf(ev->alert.category, sizeof(ev->alert.category), "%s",
		 category);
}

void ww_packet_alert(struct ww_worker *w, uint16_t in_port,
		     const struct ww_pkt *p, uint32_t sid, const char *category,
		     const char *signature, bool blocked)
{
	struct ww_event ev;

	ww_packet_event(&ev, w, in_port, p, WW_EVENT_ALERT);
	ww_alert_fill(&ev, sid, category, signature, blocked);
	ww_worker_log(w, &ev);
}
