/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters as a `stats` event and as the summary printed at exit. */
#include <inttypes.h>

#include <rte_cycles.h>

#include "ww_control.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *flow_json(const struct ww_flow_stats *f)
{
	json_t *o = json_object(), *ended = json_object(), *ev = json_object();
	unsigned int i;

	json_object_set_new(o, "active", u64(f->active));
	json_object_set_new(o, "created", u64(f->created));
	for (i = 1; i < WW_FLOW_END_MAX; i++)
		json_object_set_new(ended, ww_flow_end_name(i),
				    u64(f->ended[i]));
	json_object_set_new(o, "ended", ended);
	for (i = 0; i < WW_FLOW_STATE_MAX; i++)
		json_object_set_new(ev, ww_flow_state_name(i),
				    u64(f->evicted_by_state[i]));
	json_object_set_new(o, "evicted_by_state", ev);
	json_object_set_new(o, "table_full", u64(f->table_full));
	json_object_set_new(o, "rst_out_of_window", u64(f->rst_out_of_window));
	return o;
}

static json_t *detect_json(const struct ww_detect_stats *d)
{
	json_t *o = json_object(), *rows = json_object(), *v = json_object(),
	       *a = json_object(), *cl = json_object();
	unsigned int i;

	for (i = 1; i < WW_DP_MAX; i++)
		json_object_set_new(rows, ww_feat_dp_name(i), u64(d->rows[i]));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "scored", u64(d->scored));
	json_object_set_new(o, "batches", u64(d->batches));
	/* Rows whose walk stopped once no bar could be reached (early
	 * exit), per model. */
	json_object_set_new(o, "settled_classifier", u64(d->settled_cls));
	json_object_set_new(o, "settled_anomaly", u64(d->settled_anom));
	/* Time inside the forest calls, per scored row (both models). */
	json_object_set_new(
		o, "infer_ns_per_row",
		json_real(d->scored ? (double)d->infer_cycles * 1e9 /
					      (double)rte_get_tsc_hz() /
					      (double)d->scored
				    : 0.0));
	for (i = 1; i < WW_CLASS_MAX; i++)
		json_object_set_new(v, ww_feat_class_name(i),
				    u64(d->verdicts[i]));
	json_object_set_new(o, "verdicts", v);
	json_object_set_new(o, "anomalies", u64(d->anomalies));
	for (i = 1; i < WW_CONF_MODEL_ACTIONS; i++)
		json_object_set_new(a, ww_conf_model_action_name(i),
				    u64(d->actions[i]));
	json_object_set_new(o, "actions", a);
	json_object_set_new(o, "allow_listed", u64(d->allow_listed));
	json_object_set_new(o, "throttled_flows", u64(d->throttled_flows));
	json_object_set_new(o, "throttled_requests",
			    u64(d->throttled_requests));
	json_object_set_new(o, "throttled_requests",
			    u64(d->throttled_requests));
	json_object_set_new(o, "export_dropped", u64(d->export_dropped));
	json_object_set_new(o, "responses_dropped", u64(d->responses_dropped));
	json_object_set_new(cl, "inserted", u64(d->clients.inserted));
	json_object_set_new(cl, "evicted", u64(d->clients.evicted));
	json_object_set_new(cl, "ticks_lost", u64(d->clients.ticks_lost));
	json_object_set_new(o, "clients", cl);
	return o;
}

json_t *ww_stats_json(const struct ww_worker_stats *t,
		      const struct ww_stats_view *view, uint64_t uptime_s)
{
	json_t *o = json_object(), *ports = json_object();
	json_t *dec = json_object(), *mal = json_object();
	json_t *drop = json_object();
	uint64_t rx = 0, rx_bytes = 0, dropped = 0;
	unsigned int i;

	json_object_set_new(o, "uptime", u64(uptime_s));
	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		json_t *p;

		if (view->port_name[i] == NULL)
			continue;
		p = json_object();
		json_object_set_new(p, "rx_packets", u64(t->rx_pkts[i]));
		json_object_set_new(p, "rx_bytes", u64(t->rx_bytes[i]));
		json_object_set_new(p, "tx_packets", u64(t->tx_pkts[i]));
		json_object_set_new(p, "tx_bytes", u64(t->tx_bytes[i]));
		if (view->nic[i] != NULL) {
			json_object_set_new(p, "nic_rx_missed",
					    u64(view->nic[i]->imissed));
			json_object_set_new(p, "nic_rx_nombuf",
					    u64(view->nic[i]->rx_nombuf));
			json_object_set_new(p, "nic_tx_errors",
					    u64(view->nic[i]->oerrors));
		}
		json_object_set_new(ports, view->port_name[i], p);
		rx += t->rx_pkts[i];
		rx_bytes += t->rx_bytes[i];
	}
	json_object_set_new(o, "ports", ports);

	json_object_set_new(dec, "pkts", u64(rx));
	json_object_set_new(dec, "bytes", u64(rx_bytes));
	json_object_set_new(dec, "ipv4", u64(t->l3[WW_PKT_L3_IPV4]));
	json_object_set_new(dec, "ipv6", u64(t->l3[WW_PKT_L3_IPV6]));
	json_object_set_new(dec, "arp", u64(t->l3[WW_PKT_L3_ARP]));
	json_object_set_new(dec, "other", u64(t->l3[WW_PKT_L3_NONE]));
	json_object_set_new(dec, "vlan", u64(t->vlan));
	json_object_set_new(dec, "fragments", u64(t->fragments));
	json_object_set_new(dec, "tcp", u64(t->l4[WW_L4_TCP]));
	json_object_set_new(dec, "udp", u64(t->l4[WW_L4_UDP]));
	json_object_set_new(dec, "icmp", u64(t->l4[WW_L4_ICMP]));
	for (i = 1; i < WW_PKT_ERR_MAX; i++)
		json_object_set_new(mal, ww_pkt_err_name(i),
				    u64(t->malformed[i]));
	json_object_set_new(dec, "malformed", mal);
	json_object_set_new(o, "decoder", dec);

	for (i = 0; i < WW_DROP_MAX; i++) {
		json_object_set_new(drop, ww_drop_name(i), u64(t->drop[i]));
		dropped += t->drop[i];
	}
	json_object_set_new(drop, "total", u64(dropped));
	json_object_set_new(o, "drop", drop);
	json_object_set_new(o, "flow", flow_json(&t->flow));
	json_object_set_new(
		o, "http",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "requests",
			  (json_int_t)t->http_requests, "violations",
			  (json_int_t)t->http_violations, "inspected",
			  (json_int_t)t->l7_inspected, "no_context",
			  (json_int_t)t->l7_no_context, "responses",
			  (json_int_t)t->http_responses, "response_lost",
			  (json_int_t)t->http_response_lost, "unanswered",
			  (json_int_t)t->http_unanswered));
	json_object_set_new(json_object_get(o, "http"), "body_over_depth",
			    u64(t->stage.body_over_depth));
	json_object_set_new(json_object_get(o, "http"), "slow",
			    u64(t->stage.slow_requests));
	{
		json_t *refused = json_object();
		unsigned int r;

		for (r = 1; r < WW_AUTH_RESULT_MAX; r++)
			json_object_set_new(refused, ww_auth_result_name(r),
					    u64(t->auth.refused[r]));
		json_object_set_new(o, "auth",
				    json_pack("{s:I, s:I, s:o}", "verified",
					      (json_int_t)t->auth.verified,
					      "cache_hits",
					      (json_int_t)t->auth.cache_hits,
					      "refused", refused));
	}
	json_object_set_new(o, "waf",
			    json_pack("{s:I, s:I, s:I}", "checked",
				      (json_int_t)t->waf_checked, "blocked",
				      (json_int_t)t->waf_blocked, "incomplete",
				      (json_int_t)t->stage.waf_incomplete));
	json_object_set_new(o, "limit",
			    json_pack("{s:I, s:I, s:I, s:I}", "allowed",
				      (json_int_t)t->limit.allowed, "limited",
				      (json_int_t)t->limit.limited, "evicted",
				      (json_int_t)t->limit.evicted,
				      "answers_sent",
				      (json_int_t)t->responses_sent));
	json_object_set_new(
		o, "tcp",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			  "overlap_evasions",
			  (json_int_t)t->tcp_overlap_evasions, "cap_hits",
			  (json_int_t)t->tcp_cap_hits, "out_of_window",
			  (json_int_t)t->stage.tcp_out_of_window, "beyond_span",
			  (json_int_t)t->stage.tcp_beyond_span, "ooo_refused",
			  (json_int_t)t->stage.tcp_ooo_refused, "midstream",
			  (json_int_t)t->stage.tcp_midstream, "resets_sent",
			  (json_int_t)t->resets_sent, "inject_failed",
			  (json_int_t)t->inject_failed));
	{
		const struct ww_defrag_stats *d = &t->stage.defrag;

		json_object_set_new(
			o, "defrag",
			json_pack(
				"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
				"s:I}",
				"fragments", (json_int_t)d->fragments,
				"reassembled", (json_int_t)d->reassembled,
				"overlaps", (json_int_t)d->overlaps,
				"duplicates", (json_int_t)d->duplicates,
				"dead_drops", (json_int_t)d->dead_drops,
				"timeouts", (json_int_t)d->timeouts, "too_many",
				(json_int_t)d->too_many, "table_full",
				(json_int_t)d->table_full, "held_full",
				(json_int_t)d->held_full, "held",
				(json_int_t)t->held_fragments));
	}
	{
		json_t *exc = json_object();
		unsigned int e, k;

		for (e = 0; e < WW_CONF_EXC_MAX; e++) {
			json_t *one = json_object();

			for (k = 0; k < WW_EXC_OUTCOMES; k++)
				json_object_set_new(one, ww_exc_outcome_name(k),
						    u64(t->exc[e][k]));
			json_object_set_new(exc, ww_conf_exc_name(e), one);
		}
		json_object_set_new(o, "exceptions", exc);
	}
	json_object_set_new(o, "detect", detect_json(&t->detect));
	json_object_set_new(
		o, "event",
		json_pack("{s:I}", "dropped", (json_int_t)t->events_dropped));
	json_object_set_new(o, "alert_pcap",
			    json_pack("{s:I, s:I, s:I}", "frames",
				      (json_int_t)t->apcap_frames, "capped",
				      (json_int_t)t->apcap_capped, "lost",
				      (json_int_t)t->apcap_lost));
	return o;
}

void ww_stats_summary(FILE *out, const char *mode,
		      const struct ww_worker_stats *t,
		      const struct ww_stats_view *view)
{
	uint64_t rx = 0, tx = 0, dropped = 0, injected;
	unsigned int i, e, k;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		if (view->port_name[i] == NULL)
			continue;
		rx += t->rx_pkts[i];
		tx += t->tx_pkts[i];
	}
	for (i = 0; i < WW_DROP_MAX; i++)
		dropped += t->drop[i];

	/* Every frame that came in was forwarded, dropped for a reason, or
	 * is still held (a fragment waiting for its datagram); frames the
	 * appliance made (resets, answers) are counted apart. */
	injected = t->resets_sent + t->responses_sent;
	fprintf(out,
		"wirewall %s: packets in %" PRIu64 ", out %" PRIu64
		", dropped %" PRIu64 "\n",
		mode, rx, tx, dropped);
	fprintf(out,
		"  in %" PRIu64 " = forwarded %" PRIu64 " + dropped %" PRIu64
		" + held %" PRIu64 "; injected %" PRIu64 " (resets %" PRIu64
		", answers %" PRIu64 ")\n",
		rx, tx - injected, dropped, t->held_fragments, injected,
		t->resets_sent, t->responses_sent);
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		if (view->port_name[i] != NULL)
			fprintf(out,
				"  port %-12s rx %" PRIu64 " tx %" PRIu64 "\n",
				view->port_name[i], t->rx_pkts[i],
				t->tx_pkts[i]);
	for (i = 0; i < WW_DROP_MAX; i++)
		if (t->drop[i] != 0)
			fprintf(out, "  drop %-20s %" PRIu64 "\n",
				ww_drop_name(i), t->drop[i]);
	for (i = 1; i < WW_PKT_ERR_MAX; i++)
		if (t->malformed[i] != 0)
			fprintf(out, "  malformed %-22s %" PRIu64 "\n",
				ww_pkt_err_name(i), t->malformed[i]);
	fprintf(out,
		"  flows created %" PRIu64 ", evicted %" PRIu64
		", table full %" PRIu64 "\n",
		t->flow.created, t->flow.ended[WW_FLOW_END_EVICTED],
		t->flow.table_full);
	for (e = 0; e < WW_CONF_EXC_MAX; e++)
		for (k = 0; k < WW_EXC_OUTCOMES; k++)
			if (t->exc[e][k] != 0)
				fprintf(out, "  exception %s %s %" PRIu64 "\n",
					ww_conf_exc_name(e),
					ww_exc_outcome_name(k), t->exc[e][k]);
	if (t->events_dropped != 0)
		fprintf(out, "  events dropped (ring full) %" PRIu64 "\n",
			t->events_dropped);
	if (t->detect.scored != 0 || t->detect.rows[WW_DP_END] != 0)
		fprintf(out,
			"  detect rows %" PRIu64 ", scored %" PRIu64
			", %.0f ns per row in the models (stopped early: "
			"classifier %" PRIu64 ", anomaly %" PRIu64 ")\n",
			t->detect.rows[1] + t->detect.rows[2] +
				t->detect.rows[3] + t->detect.rows[4] +
				t->detect.rows[5] + t->detect.rows[6] +
				t->detect.rows[7] + t->detect.rows[8],
			t->detect.scored,
			t->detect.scored
				? (double)t->detect.infer_cycles * 1e9 /
					  (double)rte_get_tsc_hz() /
					  (double)t->detect.scored
				: 0.0,
			t->detect.settled_cls, t->detect.settled_anom);
	for (i = 1; i < WW_CONF_MODEL_ACTIONS; i++)
		if (t->detect.actions[i] != 0)
			fprintf(out, "  detect action %s %" PRIu64 "\n",
				ww_conf_model_action_name(i),
				t->detect.actions[i]);
}
