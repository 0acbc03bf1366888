/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exceptions: every case where the appliance cannot judge traffic goes
 * through here, so each is decided by [exceptions], counted per case and
 * outcome, and logged (an anomaly event, at most one per source address
 * per [block] alert_interval). Nothing is passed silently.
 */
#include <stdio.h>
#include <string.h>

#include "stage.h"

/* Suricata's anomaly types: where the case arises. */
static const char *const exc_layer[WW_CONF_EXC_MAX] = {
	[WW_CONF_EXC_NO_CONTEXT] = "stream",
	[WW_CONF_EXC_REASSEMBLY_CAP] = "stream",
	[WW_CONF_EXC_BODY_OVER_DEPTH] = "applayer",
	[WW_CONF_EXC_FRAGMENT_FAILURE] = "decode",
	[WW_CONF_EXC_WAF_ARENA] = "applayer",
	[WW_CONF_EXC_REGEX_LIMIT] = "applayer",
	[WW_CONF_EXC_MIDSTREAM] = "stream",
	[WW_CONF_EXC_FLOW_LOST] = "stream",
	[WW_CONF_EXC_SLOW_REQUEST] = "applayer",
	[WW_CONF_EXC_WAF_NOT_READY] = "applayer",
};

static const enum ww_verdict outcome_verdict[WW_EXC_OUTCOMES] = {
	[WW_EXC_PASSED] = WW_V_FORWARD,
	[WW_EXC_DROPPED] = WW_V_DROP,
	[WW_EXC_RESET] = WW_V_RESET,
};

const char *ww_exc_outcome_name(enum ww_exc_outcome o)
{
	static const char *const names[WW_EXC_OUTCOMES] = {"pass", "drop",
							   "reset"};

	return (unsigned int)o < WW_EXC_OUTCOMES ? names[o] : "unknown";
}

enum ww_verdict ww_exception(struct ww_worker *w, enum ww_conf_exc e,
			     bool protected, const struct ww_pkt *p,
			     uint16_t in_port, uint64_t flow_id)
{
	const enum ww_exc_outcome o =
		(enum ww_exc_outcome)w->pol->exc[e][protected ? 1 : 0];
	struct ww_event ev;

	w->stats.exc[e][o]++;
	if (!ww_worker_alert_due(w, (enum ww_alert_memo_kind)(WW_MEMO_EXC + e),
				 p->src, addr_len(p)))
		return outcome_verdict[o];
	ww_packet_event(&ev, w, in_port, p, WW_EVENT_ANOMALY);
	ev.flow_id = flow_id;
	snprintf(ev.anomaly.type, sizeof(ev.anomaly.type), "%s", exc_layer[e]);
	snprintf(ev.anomaly.event, sizeof(ev.anomaly.event), "%s",
		 ww_conf_exc_name(e));
	snprintf(ev.anomaly.app_proto, sizeof(ev.anomaly.app_proto), "%s",
		 strcmp(exc_layer[e], "applayer") == 0 ? "http" : "");
	snprintf(ev.anomaly.action, sizeof(ev.anomaly.action), "%s",
		 ww_exc_outcome_name(o));
	ww_worker_log(w, &ev);
	return outcome_verdict[o];
}
