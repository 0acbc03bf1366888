/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offline mode: the worker pipeline over a capture holding both
 * directions. Time is the capture's, and the control thread's work
 * (draining events, periodic stats) is done in line after each burst, so
 * the same input always gives the same output and the same events.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include <sys/socket.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "wirewall.h"
#include "ww_response.h"

/* Frames a burst, its injected frames and the tx list can hold at once;
 * the fragments reassembly may hold ([defrag] max_held) come on top. */
#define OFFLINE_MBUFS 2047
/* mbuf data room is a uint16_t: the biggest frame offline mode can carry
 * (captures taken on hosts with GRO/TSO hold frames well over 1500). */
#define OFFLINE_BUF_SIZE UINT16_MAX
/* A burst spans at most this much capture time, so that the work done
 * between bursts (flow expiry) happens at the right moment of a sparse
 * capture, as it would live. */
#define BURST_SPAN_NS 1000000000ull

#define OFFLINE_MAX_WORKERS 64

struct offline {
	const struct ww_conf *conf;
	struct ww_pipeline_ctx ctx;
	struct ww_policy *policy;
	struct ww_worker *w; /* [n_workers]; w[0] counts the output */
	unsigned int n_workers;
	FILE *features;
	struct ww_event_log *eve;
	struct rte_mempool *pool;
	pcap_t *in;
	pcap_t *out_handle;
	pcap_dumper_t *out;
	uint64_t first_ns, next_stats_ns;
	uint64_t oversize;     /* frames too big for an mbuf: not forwarded */
	struct rte_mbuf *held; /* read, but belongs to the next burst */
	int out_precision;     /* PCAP_TSTAMP_PRECISION_* of the output file */
	struct ww_response *resp;    /* the escalation ladder, in line */
	struct ww_alert_pcap *apcap; /* [eve] alert_pcap */
};

/* The frames of alerted flows the workers copied, into the file. */
static void drain_alert_pcap(struct offline *o)
{
	unsigned int k;

	for (k = 0; k < o->n_workers; k++)
		if (o->w[k].apcap != NULL)
			ww_alert_pcap_drain(o->apcap, o->w[k].apcap->ring,
					    UINT32_MAX);
}

/* The ladder sees each event as a worker raises it. */
static void offline_observe(void *arg, const struct ww_event *ev)
{
	struct offline *o = arg;

	ww_response_observe(o->resp, o->conf, ev);
}

/* A new block set (the ladder's steps) is in force from the next burst:
 * nothing runs beside this thread, so the old one can go at once. */
static int offline_publish_blocks(void *arg, struct ww_block_set *set)
{
	struct offline *o = arg;

	o->policy->blocks = set;
	return 0;
}

/* libpcap hides whether a file stores micro- or nanoseconds; the output
 * keeps the input's so that unchanged frames give an identical file. */
static int input_precision(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint32_t magic = 0;

	if (f == NULL)
		return PCAP_TSTAMP_PRECISION_MICRO;
	if (fread(&magic, sizeof(magic), 1, f) != 1)
		magic = 0;
	fclose(f);
	if (magic == 0xa1b23c4d || magic == 0x4d3cb2a1)
		return PCAP_TSTAMP_PRECISION_NANO;
	return PCAP_TSTAMP_PRECISION_MICRO;
}

static int open_files(struct offline *o, const struct app_args *args)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int prec = input_precision(args->read_pcap);

	o->out_precision = prec;

	o->in = pcap_open_offline_with_tstamp_precision(
		args->read_pcap, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (o->in == NULL) {
		fprintf(stderr, "wirewall: %s: %s\n", args->read_pcap, errbuf);
		return -EINVAL;
	}
	if (pcap_datalink(o->in) != DLT_EN10MB) {
		fprintf(stderr,
			"wirewall: %s: link type %s is not Ethernet; offline mode reads Ethernet captures\n",
			args->read_pcap,
			pcap_datalink_val_to_name(pcap_datalink(o->in)));
		return -EINVAL;
	}
	if (args->write_pcap == NULL)
		return 0;
	o->out_handle = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, pcap_snapshot(o->in), (unsigned int)prec);
	if (o->out_handle == NULL)
		return -ENOMEM;
	o->out = pcap_dump_open(o->out_handle, args->write_pcap);
	if (o->out == NULL) {
		fprintf(stderr, "wirewall: %s: %s\n", args->write_pcap,
			pcap_geterr(o->out_handle));
		return -EIO;
	}
	return 0;
}

static void write_frames(struct offline *o, struct ww_tx_list *tx)
{
	uint16_t i;

	for (i = 0; i < tx->n; i++) {
		struct rte_mbuf *m = tx->pkts[i];
		struct pcap_pkthdr h;
		uint64_t ts = ww_mbuf_priv(m)->ts_ns;

		h.ts.tv_sec = (time_t)(ts / 1000000000u);
		/* pcap_dump() stores tv_usec as it is: nanoseconds for a
		 * nanosecond file, microseconds otherwise. */
		h.ts.tv_usec = (suseconds_t)(ts % 1000000000u);
		if (o->out_precision == PCAP_TSTAMP_PRECISION_MICRO)
			h.ts.tv_usec /= 1000;
		h.caplen = h.len = rte_pktmbuf_pkt_len(m);
		if (o->out != NULL)
			pcap_dump((u_char *)o->out, &h,
				  rte_pktmbuf_mtod(m, const u_char *));
		o->w->stats.tx_pkts[tx->port[i]]++;
		o->w->stats.tx_bytes[tx->port[i]] += h.len;
		rte_pktmbuf_free(m);
	}
	tx->n = 0;
	tx->n_injected = 0;
}

static void sum_stats(const struct offline *o, struct ww_worker_stats *t)
{
	unsigned int k;

	memset(t, 0, sizeof(*t));
	for (k = 0; k < o->n_workers; k++)
		ww_worker_stats_add(t, &o->w[k].stats);
}

static void emit_stats(struct offline *o, uint64_t ts_ns)
{
	struct ww_stats_view v = {0};
	static struct ww_worker_stats t;

	if (o->eve == NULL || !o->conf->stats_events)
		return;
	v.port_name[WW_SIDE_OUTSIDE] = "outside";
	v.port_name[WW_SIDE_INSIDE] = "inside";
	sum_stats(o, &t);
	{
		json_t *j = ww_stats_json(&t, &v,
					  (ts_ns - o->first_ns) / 1000000000u);

		json_object_set_new(j, "response",
				    ww_response_stats_json(o->resp));
		ww_event_log_emit(o->eve, ts_ns, "stats", j);
	}
}

/* Which worker a frame goes to: its client's, as a NIC's RSS keyed on
 * the client address would send it (ports.c): the address outside the
 * protected networks; without them, both addresses (symmetric). Frames
 * that are not IP go to worker 0. */
static unsigned int worker_of(const struct offline *o, struct rte_mbuf *m)
{
	const struct ww_conf *c = o->conf;
	const struct ww_pkt_opts opts = {false, 8};
	struct ww_pkt p;
	uint32_t alen, h;
	bool src_in;

	if (o->n_workers == 1)
		return 0;
	memset(&p, 0, sizeof(p));
	ww_pkt_decode(rte_pktmbuf_mtod(m, const uint8_t *),
		      rte_pktmbuf_pkt_len(m), 0, &opts, &p);
	if (p.l3 != WW_PKT_L3_IPV4 && p.l3 != WW_PKT_L3_IPV6)
		return 0;
	alen = p.l3 == WW_PKT_L3_IPV4 ? 4 : 8; /* IPv6: the client's /64 */
	if (c->n_protected_networks == 0) {
		h = rte_hash_crc(p.src, alen, 0) ^ rte_hash_crc(p.dst, alen, 0);
		return h % o->n_workers;
	}
	src_in = ww_cidr_list_contains(
		c->protected_networks, c->n_protected_networks,
		p.l3 == WW_PKT_L3_IPV4 ? AF_INET : AF_INET6, p.src);
	h = rte_hash_crc(src_in ? p.dst : p.src, alen, 0);
	return h % o->n_workers;
}

/* One input burst through the workers: each gets its clients' frames,
 * in order; then every worker's housekeeping at the burst's time. */
static void run_burst(struct offline *o, struct rte_mbuf **pkts, uint16_t n,
		      struct ww_tx_list *tx)
{
	static struct rte_mbuf *sub[OFFLINE_MAX_WORKERS][WW_BURST_MAX];
	uint16_t cnt[OFFLINE_MAX_WORKERS] = {0};
	const uint64_t last = ww_mbuf_priv(pkts[n - 1])->ts_ns;
	unsigned int k;
	uint16_t i;

	if (o->n_workers == 1) {
		ww_pipeline_burst(&o->w[0], pkts, n, tx);
		ww_worker_housekeeping(&o->w[0], tx);
		return;
	}
	for (i = 0; i < n; i++) {
		k = worker_of(o, pkts[i]);
		sub[k][cnt[k]++] = pkts[i];
	}
	for (k = 0; k < o->n_workers; k++)
		if (cnt[k] > 0)
			ww_pipeline_burst(&o->w[k], sub[k], cnt[k], tx);
	for (k = 0; k < o->n_workers; k++) {
		if (o->w[k].now_ns < last)
			o->w[k].now_ns = last;
		ww_worker_housekeeping(&o->w[k], tx);
	}
}

/* The control thread's share of the work, done between bursts. */
static void control_step(struct offline *o)
{
	uint64_t now = o->w->now_ns;

	ww_response_tick(o->resp, o->conf, now);
	drain_alert_pcap(o);
	if (o->eve == NULL)
		return;
	if (now >= o->next_stats_ns) {
		emit_stats(o, now);
		while (o->next_stats_ns <= now)
			o->next_stats_ns +=
				(uint64_t)o->conf->stats_interval * 1000000000u;
	}
}

/* Read up to @burst frames into mbufs. @return count, or -1 at the end
 * of the file (with *@n set to what was read). */
static int read_burst(struct offline *o, struct rte_mbuf **pkts, uint16_t burst,
		      uint16_t *n)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	*n = 0;
	if (o->held != NULL) {
		pkts[(*n)++] = o->held;
		o->held = NULL;
	}
	while (*n < burst) {
		struct rte_mbuf *m;
		uint64_t ts;

		rc = pcap_next_ex(o->in, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			return -1;
		if (rc != 1) {
			fprintf(stderr, "wirewall: reading capture: %s\n",
				pcap_geterr(o->in));
			return -2;
		}
		ts = (uint64_t)h->ts.tv_sec * 1000000000u +
		     (uint64_t)h->ts.tv_usec;
		if (o->first_ns == 0) {
			o->first_ns = ts;
			o->next_stats_ns =
				ts +
				(uint64_t)o->conf->stats_interval * 1000000000u;
		}
		m = rte_pktmbuf_alloc(o->pool);
		if (m == NULL) {
			/* Every burst is freed, and the pool covers what
			 * reassembly may hold: this is a bug if it happens. */
			fprintf(stderr,
				"wirewall: offline: no mbuf for a frame (%u fragments held by worker 0)\n",
				(unsigned int)o->w[0].stats.held_fragments);
			return -3;
		}
		if (rte_pktmbuf_append(
			    m, (uint16_t)RTE_MIN(h->caplen,
						 (bpf_u_int32)UINT16_MAX)) ==
			    NULL ||
		    h->caplen > UINT16_MAX) {
			rte_pktmbuf_free(m);
			o->oversize++;
			continue;
		}
		memcpy(rte_pktmbuf_mtod(m, void *), data, h->caplen);
		ww_mbuf_priv(m)->ts_ns = ts;
		m->port = WW_SIDE_OUTSIDE;
		if (*n > 0 && ts > ww_mbuf_priv(pkts[0])->ts_ns &&
		    ts - ww_mbuf_priv(pkts[0])->ts_ns >= BURST_SPAN_NS) {
			o->held = m;
			return 0;
		}
		pkts[(*n)++] = m;
	}
	return 0;
}

int app_run_offline(const struct ww_conf *conf, const struct app_args *args)
{
	struct offline o = {.conf = conf};
	const char *eve_path = app_eve_path(conf, args);
	struct rte_mbuf *pkts[WW_BURST_MAX];
	static struct ww_tx_list tx;
	struct ww_stats_view v = {0};
	struct timespec t_start = {0}, t_end = {0};
	static struct ww_worker_stats total;
	char err[1024];
	unsigned int k;
	int rc, end = 0;

	o.n_workers = args->workers ? args->workers : 1;
	o.w = rte_zmalloc("ww_worker", sizeof(*o.w) * o.n_workers,
			  RTE_CACHE_LINE_SIZE);
	if (o.w == NULL)
		return -ENOMEM;
	rc = open_files(&o, args);
	if (rc < 0)
		goto out;
	o.pool = rte_pktmbuf_pool_create(
		"ww_offline",
		OFFLINE_MBUFS + conf->defrag_max_held * o.n_workers, 0,
		RTE_ALIGN(sizeof(struct ww_mbuf_priv), RTE_MBUF_PRIV_ALIGN),
		OFFLINE_BUF_SIZE, (int)rte_socket_id());
	if (o.pool == NULL) {
		fprintf(stderr, "wirewall: cannot create mbuf pool: %s\n",
			rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto out;
	}
	ww_pipeline_ctx_init(&o.ctx, conf, true);
	o.ctx.block = ww_block_create(conf, NULL, (int)rte_socket_id(), err,
				      sizeof(err));
	if (o.ctx.block == NULL) {
		fprintf(stderr, "wirewall: block lists: %s\n", err);
		rc = -EINVAL;
		goto out;
	}
	rc = ww_auth_create(conf, NULL, &o.ctx.auth, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "wirewall: %s\n", err);
		goto out;
	}
	{
		struct ww_waf *waf;

		rc = ww_control_load_waf(conf, &waf, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "wirewall: %s\n", err);
			goto out;
		}
		o.policy =
			ww_policy_build(conf, NULL, waf, NULL, o.n_workers, 1);
		if (o.policy == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		o.policy->blocks = ww_block_get(o.ctx.block);
		o.policy->revoked = ww_auth_revoked(o.ctx.auth);
		o.ctx.policy = o.policy;
	}
	rc = ww_models_load(conf, &o.ctx, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "wirewall: %s\n", err);
		goto out;
	}
	if (args->features_path != NULL) {
		o.features = fopen(args->features_path, "w");
		if (o.features == NULL) {
			fprintf(stderr, "wirewall: cannot open %s: %s\n",
				args->features_path, strerror(errno));
			rc = -errno;
			goto out;
		}
		ww_feat_csv_header(o.features);
	}
	for (k = 0; k < o.n_workers; k++) {
		ww_worker_init(&o.w[k], k, &o.ctx, NULL);
		o.w[k].inject_pool = o.pool;
		o.w[k].feat_csv = o.features;
		rc = ww_worker_setup_flows(&o.w[k], (int)rte_socket_id());
		if (rc < 0) {
			fprintf(stderr,
				"wirewall: cannot create a table of %u flows: %s (lower [flow] max_flows or give EAL more memory)\n",
				conf->max_flows, strerror(-rc));
			goto out;
		}
		rc = ww_worker_setup_alert_pcap(&o.w[k], (int)rte_socket_id());
		if (rc < 0) {
			fprintf(stderr,
				"wirewall: no memory for [eve] alert_pcap's buffers\n");
			goto out;
		}
	}
	if (conf->eve_alert_pcap[0] != '\0') {
		o.apcap = ww_alert_pcap_open(conf, err, sizeof(err));
		if (o.apcap == NULL) {
			fprintf(stderr, "wirewall: %s\n", err);
			rc = -EINVAL;
			goto out;
		}
	}
	if (eve_path != NULL) {
		o.eve = ww_event_log_open(eve_path);
		if (o.eve == NULL) {
			fprintf(stderr, "wirewall: cannot open %s: %s\n",
				eve_path, strerror(errno));
			rc = -errno;
			goto out;
		}
		ww_event_log_set_port_name(o.eve, WW_SIDE_OUTSIDE, "outside");
		ww_event_log_set_port_name(o.eve, WW_SIDE_INSIDE, "inside");
		/* Offline output is complete and deterministic: the worker
		 * writes its events itself, in order, and none is dropped
		 * (nothing forces it to: the capture waits). */
		for (k = 0; k < o.n_workers; k++)
			o.w[k].direct_log = o.eve;
	}
	o.resp = ww_response_create(conf, o.ctx.block, o.eve, err, sizeof(err));
	if (o.resp == NULL) {
		fprintf(stderr, "wirewall: %s\n", err);
		rc = -ENOMEM;
		goto out;
	}
	ww_block_set_publisher(o.ctx.block, offline_publish_blocks, &o);
	for (k = 0; k < o.n_workers; k++) {
		o.w[k].observe = offline_observe;
		o.w[k].observe_arg = &o;
	}

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	while (!end && !ww_force_quit) {
		uint16_t n;

		rc = read_burst(&o, pkts, (uint16_t)conf->burst_size, &n);
		if (rc < -1)
			goto out;
		end = rc == -1;
		if (n == 0)
			continue;
		/* The ladder's steps that ran out by this burst's first frame
		 * are undone before it. */
		ww_response_tick(o.resp, conf, ww_mbuf_priv(pkts[0])->ts_ns);
		run_burst(&o, pkts, n, &tx);
		write_frames(&o, &tx);
		control_step(&o);
	}
	control_step(&o);
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	/* The capture is over: flows still open end at its last timestamp. */
	{
		uint64_t last = 0;

		for (k = 0; k < o.n_workers; k++)
			last = RTE_MAX(last, o.w[k].now_ns);
		for (k = 0; k < o.n_workers; k++)
			ww_worker_flush_flows(&o.w[k], last, o.eve);
		if (o.eve != NULL)
			emit_stats(&o, last);
	}
	v.port_name[WW_SIDE_OUTSIDE] = "outside";
	v.port_name[WW_SIDE_INSIDE] = "inside";
	sum_stats(&o, &total);
	ww_stats_summary(stdout, "offline", &total, &v);
	{
		double secs = (double)(t_end.tv_sec - t_start.tv_sec) +
			      (double)(t_end.tv_nsec - t_start.tv_nsec) / 1e9;
		uint64_t frames = 0;
		unsigned int p;

		for (p = 0; p < 2; p++)
			frames += total.rx_pkts[p];
		/* On stderr: the summary on stdout stays the same from
		 * one run to the next. */
		fprintf(stderr,
			"wirewall: processed %" PRIu64
			" frames in %.3f s (%.0f frames/s, start-up and the end of the capture excluded)\n",
			frames, secs, secs > 0 ? (double)frames / secs : 0.0);
	}
	if (conf->detect_enabled)
		printf("  detect state %u bytes per flow, %zu bytes per client (%" PRIu64
		       " bytes of client table and batch per worker)\n",
		       (unsigned int)WW_FEAT_FLOW_BYTES,
		       sizeof(struct ww_feat_client),
		       ww_detect_memory(&o.w[0]));
	if (o.oversize != 0)
		printf("  frames too large for offline mode (not forwarded) %" PRIu64
		       "\n",
		       o.oversize);
	rc = 0;

out:
	if (o.w != NULL)
		drain_alert_pcap(&o);
	ww_alert_pcap_close(o.apcap);
	rte_pktmbuf_free(o.held);
	if (o.out != NULL)
		pcap_dump_close(o.out);
	if (o.out_handle != NULL)
		pcap_close(o.out_handle);
	if (o.in != NULL)
		pcap_close(o.in);
	ww_event_log_close(o.eve);
	if (o.features != NULL)
		fclose(o.features);
	if (o.w != NULL)
		for (k = 0; k < o.n_workers; k++)
			ww_worker_teardown(&o.w[k]);
	ww_models_unload(&o.ctx);
	rte_mempool_free(o.pool);
	rte_free(o.w);
	ww_response_destroy(o.resp);
	ww_block_destroy(o.ctx.block);
	ww_auth_destroy(o.ctx.auth);
	ww_policy_free(o.policy);
	return rc;
}
