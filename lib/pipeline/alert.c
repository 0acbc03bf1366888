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

static const char *const cat_names[WW_ACAT_MAX] = {
	[WW_ACAT_BLOCKLIST] = "blocklist",
	[WW_ACAT_RATE_LIMIT] = "rate-limit",
	[WW_ACAT_AUTHENTICATION] = "authentication",
	[WW_ACAT_WEB_APPLICATION_ATTACK] = "web-application-attack",
	[WW_ACAT_PROTOCOL_VIOLATION] = "protocol-violation",
	[WW_ACAT_ATTEMPTED_DOS] = "attempted-dos",
	[WW_ACAT_NETWORK_SCAN] = "network-scan",
	[WW_ACAT_ATTEMPTED_USER] = "attempted-user",
	[WW_ACAT_ATTEMPTED_RECON] = "attempted-recon",
	[WW_ACAT_UNKNOWN] = "unknown",
};

const char *ww_alert_cat_name(enum ww_alert_cat c)
{
	return (unsigned int)c < WW_ACAT_MAX ? cat_names[c] : "unknown";
}

void ww_alert_fill(struct ww_worker *w, struct ww_event *ev, uint32_t sid,
		   enum ww_alert_cat category, const char *signature,
		   bool blocked)
{
	ww_alert_count(w, sid, category);
	ev->type = WW_EVENT_ALERT;
	ev->alert.signature_id = sid;
	ev->alert.blocked = blocked;
	ev->alert.severity = 2;
	ev->alert.source_verified = 0;
	snprintf(ev->alert.signature, sizeof(ev->alert.signature), "%s",
		 signature);
	snprintf(ev->alert.category, sizeof(ev->alert.category), "%s",
		 ww_alert_cat_name(category));
}

void ww_packet_alert(struct ww_worker *w, uint16_t in_port,
		     const struct ww_pkt *p, uint32_t sid,
		     enum ww_alert_cat category, const char *signature,
		     bool blocked)
{
	struct ww_event ev;

	ww_packet_event(&ev, w, in_port, p, WW_EVENT_ALERT);
	ww_alert_fill(w, &ev, sid, category, signature, blocked);
	ww_worker_log(w, &ev);
}
