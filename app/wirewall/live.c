/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live mode: worker lcores poll their RX queue on every port, run the
 * pipeline and transmit; the main lcore runs the control loop (events,
 * stats) until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "wirewall.h"

#define CONTROL_TICK_US 10000  /* control loop period */
#define EVENTS_PER_TICK 8192   /* per worker, bounds one tick's work */
#define REBALANCE_US	250000 /* rate-limit shares, see ww_limit.h */

struct live {
	const struct ww_conf *conf;
	struct app_ports ports;
	struct ww_pipeline_ctx ctx;
	struct ww_worker *workers; /* rte_zmalloc'd, cache aligned */
	unsigned int n_workers;
	struct ww_event_log *eve;
	FILE *features; /* --features: the CSV the control thread writes */
	struct rte_rcu_qsbr *qsbr; /* workers report after every loop */
	const struct app_args *args;
	struct ww_control *control;
	uint64_t clock_base_ns; /* UNIX time at clock_base_tsc */
	uint64_t clock_base_tsc;
	uint64_t tsc_hz;
	uint64_t ns_per_tsc_q32; /* nanoseconds per TSC cycle, 32.32 fixed */
};

static uint64_t uptime_s(const struct live *l)
{
	return (rte_rdtsc() - l->clock_base_tsc) / l->tsc_hz;
}

/* UNIX time from the TSC: one multiply, no division, cheap enough for
 * every poll loop iteration. */
static inline uint64_t now_ns(const struct live *l)
{
	uint64_t c = rte_rdtsc() - l->clock_base_tsc;

	return l->clock_base_ns +
	       (uint64_t)(((unsigned __int128)c * l->ns_per_tsc_q32) >> 32);
}

/* Send @n frames to (@port, @queue); retry a bounded number of times
 * when the queue is full, then drop and count the rest. */
static void send_run(struct ww_worker *w, uint16_t port, uint16_t queue,
		     struct rte_mbuf **pkts, uint16_t n, uint32_t retries)
{
	struct ww_worker_stats *s = &w->stats;
	uint64_t bytes = 0;
	uint16_t sent = 0, i;
	uint32_t tries = 0;

	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(port, queue, pkts + sent,
					      (uint16_t)(n - sent));

		sent = (uint16_t)(sent + k);
		if (k == 0 && tries++ >= retries)
			break;
	}
	for (i = sent; i < n; i++) {
		bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	s->drop[WW_DROP_TX_FULL] += (uint64_t)(n - sent);
	s->tx_pkts[port] += sent;
	s->tx_bytes[port] += bytes;
}

/* Transmit the list in order: each run of frames for one port is one
 * tx_burst, so order per port is kept. */
static void send_list(struct ww_worker *w, struct ww_tx_list *tx,
		      uint32_t retries)
{
	uint16_t i = 0;

	while (i < tx->n) {
		uint16_t j = (uint16_t)(i + 1);

		while (j < tx->n && tx->port[j] == tx->port[i])
			j++;
		send_run(w, tx->port[i], w->rx_queue, &tx->pkts[i],
			 (uint16_t)(j - i), retries);
		i = j;
	}
	tx->n = 0;
}

static struct live *the_live; /* read by worker_main via its arg */

static int worker_main(void *arg)
{
	struct ww_worker *w = arg;
	const struct live *l = the_live;
	const uint16_t burst = (uint16_t)l->conf->burst_size;
	const uint32_t retries = l->conf->tx_retries;
	uint16_t port_ids[2 * WW_CONF_MAX_PAIRS];
	const unsigned int n_ports = l->ports.n;
	struct rte_mbuf *pkts[WW_BURST_MAX];
	static __thread struct ww_tx_list tx;
	unsigned int i;

	for (i = 0; i < n_ports; i++)
		port_ids[i] = l->ports.port[i].port_id;
	APP_LOG(INFO, "worker %u on lcore %u polls queue %u of %u ports", w->id,
		rte_lcore_id(), w->rx_queue, n_ports);
	/* Shared tables (block lists) are read between two quiescent
	 * states: one per loop, so a swap waits at most one loop. */
	rte_rcu_qsbr_thread_register(l->qsbr, w->id);
	rte_rcu_qsbr_thread_online(l->qsbr, w->id);

	while (!ww_force_quit) {
		w->now_ns = now_ns(l);
		for (i = 0; i < n_ports; i++) {
			uint16_t n = rte_eth_rx_burst(port_ids[i], w->rx_queue,
						      pkts, burst);

			if (n == 0)
				continue;
			tx.n = tx.n_injected = 0;
			ww_pipeline_burst(w, pkts, n, &tx);
			send_list(w, &tx, retries);
		}
		tx.n = tx.n_injected = 0;
		ww_worker_housekeeping(w, &tx);
		if (tx.n != 0)
			send_list(w, &tx, retries);
		rte_rcu_qsbr_quiescent(l->qsbr, w->id);
	}
	rte_rcu_qsbr_thread_offline(l->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(l->qsbr, w->id);
	return 0;
}

static void sum_workers(const struct live *l, struct ww_worker_stats *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < l->n_workers; i++)
		ww_worker_stats_add(t, &l->workers[i].stats);
}

static void stats_view(const struct live *l, struct ww_stats_view *v,
		       struct rte_eth_stats *nic)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < l->ports.n; i++) {
		const struct app_port *p = &l->ports.port[i];

		v->port_name[p->port_id] = p->name;
		if (rte_eth_stats_get(p->port_id, &nic[p->port_id]) == 0)
			v->nic[p->port_id] = &nic[p->port_id];
	}
}

static void emit_stats(struct live *l, bool log_line)
{
	struct ww_worker_stats t;
	struct ww_stats_view v;
	static struct rte_eth_stats nic[RTE_MAX_ETHPORTS];
	uint64_t rx = 0, tx = 0, drop = 0;
	unsigned int i;

	sum_workers(l, &t);
	stats_view(l, &v, nic);
	if (l->eve != NULL && l->conf->stats_events) {
		json_t *j = ww_stats_json(&t, &v, uptime_s(l));

		json_object_set_new(j, "response",
				    ww_control_response_json(l->control));
		ww_event_log_emit(l->eve, now_ns(l), "stats", j);
		ww_event_log_flush(l->eve);
	}
	if (!log_line)
		return;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		rx += t.rx_pkts[i];
		tx += t.tx_pkts[i];
	}
	for (i = 0; i < WW_DROP_MAX; i++)
		drop += t.drop[i];
	APP_LOG(INFO,
		"stats: rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64
		" (malformed %" PRIu64 ", tx_full %" PRIu64 ")",
		rx, tx, drop, t.drop[WW_DROP_MALFORMED],
		t.drop[WW_DROP_TX_FULL]);
}

static json_t *control_stats(void *arg)
{
	struct live *l = arg;
	static struct rte_eth_stats nic[RTE_MAX_ETHPORTS];
	struct ww_worker_stats t;
	struct ww_stats_view v;

	json_t *j;

	sum_workers(l, &t);
	stats_view(l, &v, nic);
	j = ww_stats_json(&t, &v, uptime_s(l));
	json_object_set_new(j, "response",
			    ww_control_response_json(l->control));
	return j;
}

static void control_loop(struct live *l)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t next_stats =
		rte_get_timer_cycles() + hz * l->conf->stats_interval;

	while (!ww_force_quit) {
		uint64_t now;

		usleep(CONTROL_TICK_US);
		if (ww_sighup) {
			ww_sighup = 0;
			char msg[4096];

			/* Everything, as "wirewallctl reload" does; a part
			 * refused keeps what is in force (logged). */
			APP_LOG(NOTICE, "SIGHUP: reloading");
			ww_control_reload(l->control, msg, sizeof(msg));
		}
		ww_control_tick(l->control, now_ns(l));
		now = rte_get_timer_cycles();
		if (now >= next_stats) {
			emit_stats(l, true);
			next_stats += hz * l->conf->stats_interval;
		}
	}
}

/* What the workers share and the control thread updates: the RCU
 * variable, the block lists, and the control socket that changes them. */
static int setup_shared(struct live *l)
{
	const unsigned int n =
		rte_lcore_count() > 1 ? rte_lcore_count() - 1 : 1;
	char err[512];

	l->qsbr = rte_zmalloc("ww_qsbr", rte_rcu_qsbr_get_memsize(n),
			      RTE_CACHE_LINE_SIZE);
	if (l->qsbr == NULL || rte_rcu_qsbr_init(l->qsbr, n) != 0)
		return -ENOMEM;
	l->ctx.block = ww_block_create(l->conf, l->qsbr, (int)rte_socket_id(),
				       err, sizeof(err));
	if (l->ctx.block == NULL) {
		APP_LOG(ERR, "block lists: %s", err);
		return -EINVAL;
	}
	if (ww_auth_create(l->conf, l->qsbr, &l->ctx.auth, err, sizeof(err)) <
	    0) {
		APP_LOG(ERR, "%s", err);
		return -EINVAL;
	}
	return 0;
}

/* The control plane over the workers: it loads the rule set (or starts
 * its compile) and publishes the first policy, and opens the control
 * socket. */
static int setup_control(struct live *l)
{
	const struct ww_control_opts o = {
		.conf_path = l->args->conf_path,
		.overrides = l->args->overrides,
		.n_overrides = l->args->n_overrides,
		.conf = l->conf,
		.ctx = &l->ctx,
		.workers = l->workers,
		.n_workers = l->n_workers,
		.qsbr = l->qsbr,
		.eve = l->eve,
		.features = l->features,
		.stats_json = control_stats,
		.stats_arg = l,
	};
	struct ww_control_opts oo = o;
	unsigned int i;
	char err[1024];

	for (i = 0; i < l->ports.n; i++)
		oo.port_name[l->ports.port[i].port_id] = l->ports.port[i].name;

	l->control = ww_control_create(&oo, err, sizeof(err));
	if (l->control == NULL) {
		APP_LOG(ERR, "%s", err);
		return -EINVAL;
	}
	return 0;
}

static int create_workers(struct live *l)
{
	unsigned int lcore, i = 0;
	char name[RTE_RING_NAMESIZE];
	int rc;

	l->n_workers = rte_lcore_count() - 1;
	if (l->n_workers == 0) {
		APP_LOG(ERR,
			"no worker lcore: give EAL at least two cores (e.g. -l 0,1); the main one runs the control loop");
		return -EINVAL;
	}
	l->workers =
		rte_zmalloc("ww_workers", sizeof(*l->workers) * l->n_workers,
			    RTE_CACHE_LINE_SIZE);
	if (l->workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct ww_worker *w = &l->workers[i];
		struct rte_ring *ring = NULL;

		/* Events go to the log and through the escalation ladder. */
		if (l->eve != NULL || l->conf->response_enabled) {
			snprintf(name, sizeof(name), "ww_ev%u", i);
			ring = ww_event_ring_create(
				name, l->conf->event_ring_size,
				(int)rte_lcore_to_socket_id(lcore));
			if (ring == NULL) {
				APP_LOG(ERR, "event ring %u: %s", i,
					rte_strerror(rte_errno));
				return -ENOMEM;
			}
		}
		ww_worker_init(w, i, &l->ctx, ring);
		/* Block requests from the models; feature rows (--features). */
		snprintf(name, sizeof(name), "ww_resp%u", i);
		w->responses = rte_ring_create_elem(
			name, sizeof(struct ww_detect_response), 1024,
			(int)rte_lcore_to_socket_id(lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (l->features != NULL) {
			snprintf(name, sizeof(name), "ww_feat%u", i);
			w->feat_ring = rte_ring_create_elem(
				name, sizeof(struct ww_feat_record), 8192,
				(int)rte_lcore_to_socket_id(lcore),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		}
		if (w->responses == NULL ||
		    (l->features != NULL && w->feat_ring == NULL)) {
			APP_LOG(ERR, "worker %u rings: %s", i,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
		w->lcore_id = lcore;
		w->rx_queue = (uint16_t)i;
		i++;
		rc = ww_worker_setup_flows(w,
					   (int)rte_lcore_to_socket_id(lcore));
		if (rc < 0) {
			APP_LOG(ERR,
				"worker %u: cannot create a table of %u flows: %s (give EAL more memory with -m or hugepages, or lower [flow] max_flows)",
				w->id, l->conf->max_flows, strerror(-rc));
			return rc;
		}
		rc = ww_worker_setup_alert_pcap(
			w, (int)rte_lcore_to_socket_id(lcore));
		if (rc < 0) {
			APP_LOG(ERR,
				"worker %u: no memory for [eve] alert_pcap's %u buffers",
				w->id, WW_APCAP_BUFFERS);
			return rc;
		}
	}
	return 0;
}

static void free_workers(struct live *l)
{
	unsigned int i;

	if (l->workers == NULL)
		return;
	for (i = 0; i < l->n_workers; i++) {
		ww_worker_teardown(&l->workers[i]);
		rte_ring_free(l->workers[i].events);
		rte_ring_free(l->workers[i].responses);
		rte_ring_free(l->workers[i].feat_ring);
	}
	rte_free(l->workers);
	l->workers = NULL;
}

int app_run_live(const struct ww_conf *conf, const struct app_args *args)
{
	struct live *l = calloc(1, sizeof(*l));
	const char *eve_path = app_eve_path(conf, args);
	struct timespec ts;
	struct ww_worker_stats total;
	struct ww_stats_view view;
	static struct rte_eth_stats nic[RTE_MAX_ETHPORTS];
	unsigned int i;
	int rc;

	if (l == NULL)
		return -ENOMEM;
	l->conf = conf;
	l->args = args;
	the_live = l;
	clock_gettime(CLOCK_REALTIME, &ts);
	l->clock_base_tsc = rte_rdtsc();
	l->tsc_hz = rte_get_tsc_hz();
	l->ns_per_tsc_q32 = (uint64_t)((1000000000ull << 32) / l->tsc_hz);
	l->clock_base_ns =
		(uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;

	rc = app_ports_resolve(conf, &l->ports);
	if (rc < 0)
		goto out_free;
	ww_pipeline_ctx_init(&l->ctx, conf, false);
	for (i = 0; i < l->ports.n; i++) {
		l->ctx.peer[l->ports.port[i].port_id] =
			l->ports.port[i].peer_id;
		l->ctx.side[l->ports.port[i].port_id] =
			(uint8_t)l->ports.port[i].side;
	}
	if (eve_path != NULL) {
		l->eve = ww_event_log_open(eve_path);
		if (l->eve == NULL) {
			APP_LOG(ERR, "cannot open event log %s: %s", eve_path,
				strerror(errno));
			rc = -errno;
			goto out_free;
		}
		for (i = 0; i < l->ports.n; i++)
			ww_event_log_set_port_name(l->eve,
						   l->ports.port[i].port_id,
						   l->ports.port[i].name);
	}
	if (args->features_path != NULL) {
		l->features = fopen(args->features_path, "w");
		if (l->features == NULL) {
			APP_LOG(ERR, "cannot open %s: %s", args->features_path,
				strerror(errno));
			rc = -errno;
			goto out_free;
		}
		ww_feat_csv_header(l->features);
	}
	rc = setup_shared(l);
	if (rc < 0)
		goto out_shared;
	rc = create_workers(l);
	if (rc < 0)
		goto out_shared;
	rc = setup_control(l);
	if (rc < 0)
		goto out_ports;
	rc = app_ports_start(conf, &l->ports, (uint16_t)l->n_workers);
	if (rc < 0)
		goto out_ports;
	/* Injected frames (resets) come from the packet pool. */
	for (i = 0; i < l->n_workers; i++)
		l->workers[i].inject_pool = l->ports.pool;

	for (i = 0; i < l->n_workers; i++)
		rte_eal_remote_launch(worker_main, &l->workers[i],
				      l->workers[i].lcore_id);
	{
		char what[64];

		/* The readiness lines scripts wait for (ww_control.h). */
		snprintf(what, sizeof(what), "on %u port(s) with %u worker(s)",
			 l->ports.n, l->n_workers);
		ww_control_started(l->control, what);
	}

	control_loop(l);

	APP_LOG(INFO, "stopping");
	rte_eal_mp_wait_lcore();
	ww_control_drain(l->control, UINT32_MAX);
	/* Flows still open end now ("shutdown"), so their counts reach the
	 * log; the workers are stopped, so their tables are ours. */
	for (i = 0; i < l->n_workers; i++)
		ww_worker_flush_flows(&l->workers[i], now_ns(l), l->eve);
	ww_control_drain(l->control, UINT32_MAX); /* their feature rows */
	emit_stats(l, false);
	sum_workers(l, &total);
	stats_view(l, &view, nic);
	ww_stats_summary(stdout, "live", &total, &view);
	fflush(stdout);
	rc = 0;

out_ports:
	app_ports_stop(&l->ports);
	free_workers(l);
out_shared:
	ww_control_destroy(l->control);
	ww_block_destroy(l->ctx.block);
	ww_auth_destroy(l->ctx.auth);
	rte_free(l->qsbr);
	ww_event_log_close(l->eve);
out_free:
	if (l->features != NULL)
		fclose(l->features);
	free(l);
	return rc;
}
