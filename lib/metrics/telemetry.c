/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands: /wirewall/stats, /wirewall/flows and
 * /wirewall/offenders. Their callbacks run on DPDK's telemetry thread,
 * which must not read what the control thread changes (block lists,
 * policy) nor the workers' keyed tables: they read a snapshot the control
 * thread copies each tick. The spinlock is held only for the copies in
 * and out, never while either thread does anything else. The snapshot is
 * static: telemetry cannot unregister a command, so a late call after
 * the control plane is gone must still find valid memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "metrics_priv.h"

struct snapshot {
	bool live;
	unsigned int n_workers;
	uint64_t dynamic_blocks;
	struct ww_worker_stats total;
	char port_name[RTE_MAX_ETHPORTS][RTE_ETH_NAME_MAX_LEN]; /* "": none */
	unsigned int n_offenders;
	struct ww_metrics_offender offenders[WW_METRICS_MAX_OFFENDERS];
};

static rte_spinlock_t snap_lock = RTE_SPINLOCK_INITIALIZER;
static struct snapshot snap;	     /* under snap_lock */
static struct ww_worker_stats fresh; /* control thread's scratch */

/* A copy of the snapshot (telemetry thread). */
static void take(struct snapshot *s)
{
	rte_spinlock_lock(&snap_lock);
	memcpy(s, &snap, sizeof(*s));
	rte_spinlock_unlock(&snap_lock);
}

static struct rte_tel_data *dict(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d != NULL)
		rte_tel_data_start_dict(d);
	return d;
}

static void add_child(struct rte_tel_data *d, const char *name,
		      struct rte_tel_data *child)
{
	if (child != NULL &&
	    rte_tel_data_add_dict_container(d, name, child, 0) != 0)
		rte_tel_data_free(child);
}

static int not_running(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", "stopped");
	return 0;
}

/* Each client of the telemetry socket has a thread of its own: every
 * call answers from a copy of its own. */
static struct snapshot *copy(void)
{
	struct snapshot *s = malloc(sizeof(*s));

	if (s != NULL)
		take(s);
	return s;
}

static void stats(const struct snapshot *s, struct rte_tel_data *d)
{
	struct rte_tel_data *ports, *drops, *alerts;
	uint64_t rx = 0, tx = 0, dropped = 0;
	unsigned int i;

	rte_tel_data_start_dict(d);
	ports = dict();
	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		struct rte_tel_data *p;

		if (s->port_name[i][0] == '\0')
			continue;
		rx += s->total.rx_pkts[i];
		tx += s->total.tx_pkts[i];
		p = dict();
		if (p == NULL)
			continue;
		rte_tel_data_add_dict_u64(p, "rx_packets", s->total.rx_pkts[i]);
		rte_tel_data_add_dict_u64(p, "rx_bytes", s->total.rx_bytes[i]);
		rte_tel_data_add_dict_u64(p, "tx_packets", s->total.tx_pkts[i]);
		rte_tel_data_add_dict_u64(p, "tx_bytes", s->total.tx_bytes[i]);
		if (ports != NULL)
			add_child(ports, s->port_name[i], p);
		else
			rte_tel_data_free(p);
	}
	drops = dict();
	for (i = 0; i < WW_DROP_MAX; i++) {
		dropped += s->total.drop[i];
		if (drops != NULL)
			rte_tel_data_add_dict_u64(drops, ww_drop_name(i),
						  s->total.drop[i]);
	}
	alerts = dict();
	for (i = 0; alerts != NULL && i < WW_ACAT_MAX; i++) {
		char name[32], *c;

		/* Telemetry names are letters, digits and '_'. */
		snprintf(name, sizeof(name), "%s", ww_alert_cat_name(i));
		for (c = name; *c != '\0'; c++)
			if (*c == '-')
				*c = '_';
		rte_tel_data_add_dict_u64(alerts, name, s->total.alerts[i]);
	}
	rte_tel_data_add_dict_u64(d, "workers", s->n_workers);
	rte_tel_data_add_dict_u64(d, "rx_packets", rx);
	rte_tel_data_add_dict_u64(d, "tx_packets", tx);
	rte_tel_data_add_dict_u64(d, "dropped", dropped);
	add_child(d, "ports", ports);
	add_child(d, "drop", drops);
	add_child(d, "alerts", alerts);
	rte_tel_data_add_dict_u64(d, "http_requests", s->total.http_requests);
	rte_tel_data_add_dict_u64(d, "waf_blocked", s->total.waf_blocked);
	rte_tel_data_add_dict_u64(d, "model_rows_scored",
				  s->total.detect.scored);
	rte_tel_data_add_dict_u64(d, "dynamic_blocks", s->dynamic_blocks);
	rte_tel_data_add_dict_u64(d, "events_dropped", s->total.events_dropped);
}

static void flows(const struct snapshot *s, struct rte_tel_data *d)
{
	const struct ww_flow_stats *f = &s->total.flow;
	struct rte_tel_data *ended, *evicted;
	unsigned int i;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "active", f->active);
	rte_tel_data_add_dict_u64(d, "created", f->created);
	rte_tel_data_add_dict_u64(d, "table_full", f->table_full);
	ended = dict();
	for (i = 1; ended != NULL && i < WW_FLOW_END_MAX; i++)
		rte_tel_data_add_dict_u64(ended, ww_flow_end_name(i),
					  f->ended[i]);
	add_child(d, "ended", ended);
	evicted = dict();
	for (i = 0; evicted != NULL && i < WW_FLOW_STATE_MAX; i++)
		rte_tel_data_add_dict_u64(evicted, ww_flow_state_name(i),
					  f->evicted_by_state[i]);
	add_child(d, "evicted_by_state", evicted);
}

/* The clients the escalation ladder (lib/response) acts on, as it hands
 * them to ww_metrics_set_offenders(); an empty list until it does. */
static void offender_list(const struct snapshot *s, struct rte_tel_data *d)
{
	unsigned int i;

	rte_tel_data_start_array(d, RTE_TEL_CONTAINER);
	for (i = 0; i < s->n_offenders; i++) {
		const struct ww_metrics_offender *o = &s->offenders[i];
		struct rte_tel_data *one = dict();

		if (one == NULL)
			break;
		rte_tel_data_add_dict_string(one, "addr", o->addr);
		rte_tel_data_add_dict_string(one, "step", o->step);
		rte_tel_data_add_dict_u64(one, "score", o->score);
		rte_tel_data_add_dict_u64(one, "expires_in", o->expires_in);
		if (rte_tel_data_add_array_container(d, one, 0) != 0)
			rte_tel_data_free(one);
	}
}

/* A command's answer from a copy of the snapshot. */
static int answer(struct rte_tel_data *d,
		  void (*fn)(const struct snapshot *, struct rte_tel_data *))
{
	struct snapshot *s = copy();

	if (s == NULL)
		return -ENOMEM;
	if (s->live)
		fn(s, d);
	else
		not_running(d);
	free(s);
	return 0;
}

static int cmd_stats(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return answer(d, stats);
}

static int cmd_flows(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return answer(d, flows);
}

static int cmd_offenders(const char *cmd, const char *params,
			 struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return answer(d, offender_list);
}

void ww_metrics_telemetry_start(const struct ww_metrics *m)
{
	static bool registered;
	unsigned int i;

	rte_spinlock_lock(&snap_lock);
	memset(&snap, 0, sizeof(snap));
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		if (m->o.port_name[i] != NULL)
			snprintf(snap.port_name[i], sizeof(snap.port_name[i]),
				 "%s", m->o.port_name[i]);
	snap.n_workers = m->o.n_workers;
	rte_spinlock_unlock(&snap_lock);
	if (registered)
		return;
	registered = true;
	rte_telemetry_register_cmd(
		"/wirewall/stats", cmd_stats,
		"wirewall's counters: ports, drops by reason, alerts by category, requests. No parameters");
	rte_telemetry_register_cmd(
		"/wirewall/flows", cmd_flows,
		"wirewall's flow tables: active, created, ended by reason, evicted by state. No parameters");
	rte_telemetry_register_cmd(
		"/wirewall/offenders", cmd_offenders,
		"Clients the escalation ladder acts on. No parameters");
}

void ww_metrics_telemetry_refresh(struct ww_metrics *m, bool offenders)
{
	static struct ww_metrics_offender off[WW_METRICS_MAX_OFFENDERS];
	unsigned int n = 0;
	uint64_t blocks = ww_metrics_dynamic_blocks(m);

	ww_metrics_sum(m, &fresh);
	if (offenders && m->offenders_fn != NULL)
		n = m->offenders_fn(m->offenders_arg, off,
				    WW_METRICS_MAX_OFFENDERS);
	rte_spinlock_lock(&snap_lock);
	snap.live = true;
	memcpy(&snap.total, &fresh, sizeof(fresh));
	snap.dynamic_blocks = blocks;
	if (offenders) {
		snap.n_offenders = n < WW_METRICS_MAX_OFFENDERS
					   ? n
					   : WW_METRICS_MAX_OFFENDERS;
		memcpy(snap.offenders, off, sizeof(off[0]) * snap.n_offenders);
	}
	rte_spinlock_unlock(&snap_lock);
}

void ww_metrics_telemetry_stop(void)
{
	rte_spinlock_lock(&snap_lock);
	snap.live = false;
	rte_spinlock_unlock(&snap_lock);
}
