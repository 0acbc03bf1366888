/* SPDX-License-Identifier: BSD-3-Clause */
/* Feature names, the client table's memory, and rows. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "ww_feat.h"

#ifndef NS_PER_S
#define NS_PER_S 1000000000ull
#endif
#define NS_PER_MS 1000000ull

static const char *const win_names[WW_FW_N] = {
	"new_flows",	   "syns",	"dst_ports",	 "dst_addrs",
	"half_open_ended", "rst_recv",	"icmp_err_recv", "pkts_fwd",
	"pkts_bwd",	   "bytes_fwd", "bytes_bwd",	 "requests",
	"ratio_4xx",	   "ratio_401", "ratio_403",	 "ratio_404",
	"url_paths",
};

static const char *const flow_names[WW_F_CLIENT_1S] = {
	[WW_F_ROW_KIND] = "row_kind",
	[WW_F_DP] = "decision_point",
	[WW_F_PROTO] = "proto",
	[WW_F_SERVER_PORT] = "server_port",
	[WW_F_DURATION] = "duration",
	[WW_F_PKTS_FWD] = "pkts_fwd",
	[WW_F_PKTS_BWD] = "pkts_bwd",
	[WW_F_BYTES_FWD] = "bytes_fwd",
	[WW_F_BYTES_BWD] = "bytes_bwd",
	[WW_F_PAYLOAD_FWD] = "payload_fwd",
	[WW_F_PAYLOAD_BWD] = "payload_bwd",
	[WW_F_SIZE_MIN] = "size_min",
	[WW_F_SIZE_MAX] = "size_max",
	[WW_F_SIZE_MEAN] = "size_mean",
	[WW_F_SIZE_VAR] = "size_var",
	[WW_F_IAT_FWD_MEAN] = "iat_fwd_mean",
	[WW_F_IAT_FWD_VAR] = "iat_fwd_var",
	[WW_F_IAT_BWD_MEAN] = "iat_bwd_mean",
	[WW_F_IAT_BWD_VAR] = "iat_bwd_var",
	[WW_F_SYN] = "syn",
	[WW_F_FIN] = "fin",
	[WW_F_RST] = "rst",
	[WW_F_PSH] = "psh",
	[WW_F_URG] = "urg",
	[WW_F_HANDSHAKE] = "handshake",
	[WW_F_INIT_WIN_FWD] = "init_win_fwd",
	[WW_F_INIT_WIN_BWD] = "init_win_bwd",
	[WW_F_FIRST_SIZE + 0] = "first_size_1",
	[WW_F_FIRST_SIZE + 1] = "first_size_2",
	[WW_F_FIRST_SIZE + 2] = "first_size_3",
	[WW_F_FIRST_SIZE + 3] = "first_size_4",
	[WW_F_FIRST_SIZE + 4] = "first_size_5",
	[WW_F_FIRST_SIZE + 5] = "first_size_6",
	[WW_F_FIRST_SIZE + 6] = "first_size_7",
	[WW_F_FIRST_SIZE + 7] = "first_size_8",
	[WW_F_HTTP_REQUESTS] = "http_requests",
	[WW_F_HTTP_2XX] = "http_2xx",
	[WW_F_HTTP_3XX] = "http_3xx",
	[WW_F_HTTP_4XX] = "http_4xx",
	[WW_F_HTTP_5XX] = "http_5xx",
	[WW_F_HTTP_LATENCY] = "http_latency_mean",
	[WW_F_REQ_METHOD] = "req_method",
	[WW_F_REQ_PATH_LEN] = "req_path_len",
	[WW_F_REQ_QUERY_LEN] = "req_query_len",
	[WW_F_REQ_ARGS] = "req_args",
	[WW_F_REQ_NONALNUM] = "req_nonalnum",
	[WW_F_REQ_HEADERS] = "req_headers",
	[WW_F_REQ_UA_CLASS] = "req_ua_class",
	[WW_F_REQ_BODY_LEN] = "req_body_len",
};

static const char *const gauge_names[WW_FEAT_N - WW_F_CL_OPEN_FLOWS] = {
	"cl_open_flows",     "cl_half_open_now",     "cl_incomplete_heads",
	"cl_incomplete_age", "cl_req_interval_mean", "cl_req_interval_cv",
};

const char *ww_feat_name(unsigned int i)
{
	/* "cl1_new_flows", "cl10_new_flows", ...: built once. */
	static char win[2][WW_FW_N][32];
	static bool built;

	if (!built) {
		for (unsigned int k = 0; k < WW_FW_N; k++) {
			snprintf(win[0][k], sizeof(win[0][k]), "cl1_%s",
				 win_names[k]);
			snprintf(win[1][k], sizeof(win[1][k]), "cl10_%s",
				 win_names[k]);
		}
		built = true;
	}
	if (i < WW_F_CLIENT_1S)
		return flow_names[i];
	if (i < WW_F_CLIENT_10S)
		return win[0][i - WW_F_CLIENT_1S];
	if (i < WW_F_CL_OPEN_FLOWS)
		return win[1][i - WW_F_CLIENT_10S];
	if (i < WW_FEAT_N)
		return gauge_names[i - WW_F_CL_OPEN_FLOWS];
	return "?";
}

const char *ww_feat_dp_name(enum ww_feat_dp dp)
{
	static const char *const names[WW_DP_MAX] = {
		[WW_DP_NONE] = "none",	     [WW_DP_PKT2] = "pkt2",
		[WW_DP_PKT4] = "pkt4",	     [WW_DP_PKT8] = "pkt8",
		[WW_DP_PKT16] = "pkt16",     [WW_DP_REQUEST] = "request",
		[WW_DP_END] = "end",	     [WW_DP_TICK] = "tick",
		[WW_DP_TRIGGER] = "trigger",
	};
	return (unsigned int)dp < WW_DP_MAX ? names[dp] : "?";
}

const char *ww_feat_class_name(unsigned int c)
{
	static const char *const names[WW_CLASS_MAX] = {
		[WW_CLASS_BENIGN] = "benign",
		[WW_CLASS_FLOOD] = "flood",
		[WW_CLASS_SYN_FLOOD] = "syn_flood",
		[WW_CLASS_SCAN] = "scan",
		[WW_CLASS_WEB_ATTACK] = "web_attack",
		[WW_CLASS_CONTENT_DISCOVERY] = "content_discovery",
		[WW_CLASS_BRUTE_FORCE] = "brute_force",
		[WW_CLASS_SLOW_DOS] = "slow_dos",
	};
	return c < WW_CLASS_MAX ? names[c] : "unknown";
}

static void distinct_table_init(void);

int ww_feat_clients_init(struct ww_feat_clients *t, uint32_t max_clients,
			 uint8_t v6_prefix, uint32_t seed, int socket)
{
	uint32_t n =
		rte_align32pow2(RTE_MAX(max_clients, (uint32_t)WW_FEAT_WAYS));

	distinct_table_init();
	memset(t, 0, sizeof(*t));
	t->e = rte_zmalloc_socket("ww_feat_clients", (size_t)n * sizeof(*t->e),
				  RTE_CACHE_LINE_SIZE, socket);
	t->active = rte_malloc_socket("ww_feat_active",
				      (size_t)n * sizeof(uint32_t), 0, socket);
	t->ending = rte_malloc_socket("ww_feat_ending",
				      (size_t)n * sizeof(uint32_t), 0, socket);
	if (t->e == NULL || t->active == NULL || t->ending == NULL) {
		ww_feat_clients_free(t);
		return -ENOMEM;
	}
	t->capacity = n;
	t->mask = n / WW_FEAT_WAYS - 1;
	t->v6_prefix = v6_prefix;
	t->seed = seed;
	return 0;
}

void ww_feat_clients_free(struct ww_feat_clients *t)
{
	rte_free(t->e);
	rte_free(t->active);
	rte_free(t->ending);
	t->e = NULL;
	t->active = NULL;
	t->ending = NULL;
}

uint64_t ww_feat_clients_memory(const struct ww_feat_clients *t)
{
	return (uint64_t)t->capacity * (sizeof(*t->e) + 2 * sizeof(uint32_t));
}

/* Linear counting over m = 64 bits (Whang et al.): n ~ -m ln(z/m) for z
 * zero bits; a full map (z = 0) reads as half a bit free: "more than
 * ~300". By popcount, filled once (ww_feat_clients_init, before the
 * workers start; the values never change). */
static float distinct_of_popcount[65];

static void distinct_table_init(void)
{
	int ones;

	for (ones = 0; ones <= 64; ones++) {
		const int zeros = 64 - ones;

		distinct_of_popcount[ones] =
			zeros == 64 ? 0.0f
				    : (float)(-64.0 *
					      log((zeros == 0 ? 0.5 : zeros) /
						  64.0));
	}
}

float ww_feat_distinct(uint64_t bm)
{
	if (distinct_of_popcount[1] == 0.0f)
		distinct_table_init(); /* a caller without a client table */
	return distinct_of_popcount[__builtin_popcountll(bm)];
}

/* One window's columns from the estimates of @cur and @prev weighted by
 * how much of the window is left to the previous one. */
static void win_cols(float *out, const struct ww_feat_win *cur,
		     const struct ww_feat_win *prev, double keep)
{
	static const struct ww_feat_win zero;
	double req, v;

	if (cur == NULL)
		cur = &zero;
	if (prev == NULL)
		prev = &zero;
#define EST(f) ((double)cur->f + keep * (double)prev->f)
	out[WW_FW_NEW_FLOWS] = (float)EST(new_flows);
	out[WW_FW_SYNS] = (float)EST(syns);
	out[WW_FW_DST_PORTS] = (float)(ww_feat_distinct(cur->bm_ports) +
				       keep * ww_feat_distinct(prev->bm_ports));
	out[WW_FW_DST_ADDRS] = (float)(ww_feat_distinct(cur->bm_addrs) +
				       keep * ww_feat_distinct(prev->bm_addrs));
	out[WW_FW_HALF_OPEN_ENDED] = (float)EST(half_open_ended);
	out[WW_FW_RST_RECV] = (float)EST(rst_recv);
	out[WW_FW_ICMP_ERR_RECV] = (float)EST(icmp_err_recv);
	out[WW_FW_PKTS_FWD] = (float)EST(pkts[0]);
	out[WW_FW_PKTS_BWD] = (float)EST(pkts[1]);
	out[WW_FW_BYTES_FWD] = (float)EST(bytes[0]);
	out[WW_FW_BYTES_BWD] = (float)EST(bytes[1]);
	req = EST(requests);
	out[WW_FW_REQUESTS] = (float)req;
#define RATIO(f) (req > 0 ? ((v = EST(f) / req) > 1.0 ? 1.0f : (float)v) : 0.0f)
	out[WW_FW_RATIO_4XX] = RATIO(s4xx);
	out[WW_FW_RATIO_401] = RATIO(s401);
	out[WW_FW_RATIO_403] = RATIO(s403);
	out[WW_FW_RATIO_404] = RATIO(s404);
	out[WW_FW_PATHS] = (float)(ww_feat_distinct(cur->bm_paths) +
				   keep * ww_feat_distinct(prev->bm_paths));
#undef RATIO
#undef EST
}

/* The client columns of @row: @c's state at @now_ns. */
static void client_cols(float *row, const struct ww_feat_client *c,
			uint64_t now_ns)
{
	const uint64_t sec = now_ns / NS_PER_S, dec = sec / 10;
	const uint64_t csec = c->sec, cdec = csec / 10;
	const double frac1 = (double)(now_ns % NS_PER_S) / 1e9;
	const double frac10 = (double)(now_ns % 10000000000ull) / 1e10;

	/* The window the client last counted in is the current one, the
	 * previous one (the current is empty), or older (both are). */
	/* (A client already rolled past @now_ns reads as current.) */
	if (csec >= sec)
		win_cols(row + WW_F_CLIENT_1S, &c->w1, &c->w1_prev, 1 - frac1);
	else if (csec + 1 == sec)
		win_cols(row + WW_F_CLIENT_1S, NULL, &c->w1, 1 - frac1);
	else
		win_cols(row + WW_F_CLIENT_1S, NULL, NULL, 0);
	if (cdec >= dec)
		win_cols(row + WW_F_CLIENT_10S, &c->w10, &c->w10_prev,
			 1 - frac10);
	else if (cdec + 1 == dec)
		win_cols(row + WW_F_CLIENT_10S, NULL, &c->w10, 1 - frac10);
	else
		win_cols(row + WW_F_CLIENT_10S, NULL, NULL, 0);
	row[WW_F_CL_OPEN_FLOWS] = (float)c->open_flows;
	row[WW_F_CL_HALF_OPEN_NOW] = (float)c->half_open_now;
	row[WW_F_CL_INCOMPLETE_HEADS] = (float)c->incomplete_heads;
	row[WW_F_CL_INCOMPLETE_AGE] =
		c->incomplete_heads == 0
			? 0.0f
			: (float)(((double)(now_ns / NS_PER_MS) -
				   (double)c->incomplete_start_ms /
					   c->incomplete_heads) /
				  1e3);
	if (row[WW_F_CL_INCOMPLETE_AGE] < 0)
		row[WW_F_CL_INCOMPLETE_AGE] = 0;
	if (c->req_n >= 2 && cdec >= dec) {
		row[WW_F_CL_REQ_INTERVAL_MEAN] = c->req_iv_mean;
		row[WW_F_CL_REQ_INTERVAL_CV] =
			c->req_iv_mean > 0 && c->req_n >= 3
				? (float)(sqrt(c->req_iv_m2 / (c->req_n - 2)) /
					  c->req_iv_mean)
				: 0.0f;
	}
}

void ww_feat_row_flow(float *row, enum ww_feat_dp dp,
		      const struct ww_feat_flow *ff, const struct ww_flow *f,
		      const struct ww_feat_req *req,
		      const struct ww_feat_client *c, uint64_t now_ns)
{
	const unsigned int cs = f->client_lo ? 0 : 1;
	const uint32_t n = ff->pkts[0] + ff->pkts[1];
	unsigned int d, k;
	uint32_t http = 0;

	memset(row, 0, WW_FEAT_N * sizeof(*row));
	row[WW_F_ROW_KIND] = WW_ROW_FLOW;
	row[WW_F_DP] = (float)dp;
	row[WW_F_PROTO] = f->key.proto;
	row[WW_F_SERVER_PORT] =
		f->key.proto == 1 || f->key.proto == 58
			? (float)(ff->icmp_type * 256 + ff->icmp_code)
			: f->key.port[1 - cs];
	/* Up to the flow's last packet: the same whenever it is read. */
	row[WW_F_DURATION] = (float)((double)(f->last_ns - f->start_ns) / 1e9);
	if (dp != WW_DP_END && now_ns > f->start_ns)
		row[WW_F_DURATION] =
			(float)((double)(now_ns - f->start_ns) / 1e9);
	for (d = 0; d < 2; d++) {
		row[WW_F_PKTS_FWD + d] = (float)ff->pkts[d];
		row[WW_F_BYTES_FWD + d] = (float)ff->bytes[d];
		row[WW_F_PAYLOAD_FWD + d] = (float)ff->payload[d];
		if (ff->pkts[d] >= 2) {
			row[WW_F_IAT_FWD_MEAN + 2 * d] = ff->iat_mean[d];
			row[WW_F_IAT_FWD_VAR + 2 * d] =
				ff->pkts[d] >= 3
					? ff->iat_m2[d] /
						  (float)(ff->pkts[d] - 2)
					: 0.0f;
		}
		row[WW_F_INIT_WIN_FWD + d] = ff->init_win[d];
	}
	if (n > 0) {
		row[WW_F_SIZE_MIN] = ff->size_min;
		row[WW_F_SIZE_MAX] = ff->size_max;
		row[WW_F_SIZE_MEAN] = ff->size_mean;
		row[WW_F_SIZE_VAR] = n >= 2 ? ff->size_m2 / (float)(n - 1) : 0;
	}
	row[WW_F_SYN] = ff->syn;
	row[WW_F_FIN] = ff->fin;
	row[WW_F_RST] = ff->rst;
	row[WW_F_PSH] = ff->psh;
	row[WW_F_URG] = ff->urg;
	row[WW_F_HANDSHAKE] = ff->handshake;
	for (k = 0; k < WW_FEAT_FIRST_N; k++)
		row[WW_F_FIRST_SIZE + k] = ff->first[k];
	row[WW_F_HTTP_REQUESTS] = ff->http_requests;
	for (k = 0; k < 4; k++) {
		row[WW_F_HTTP_2XX + k] = ff->http_status[k];
		http += ff->http_status[k];
	}
	row[WW_F_HTTP_LATENCY] = http ? ff->latency_sum_ms / (float)http : 0;
	if (req != NULL) {
		row[WW_F_REQ_METHOD] = req->method;
		row[WW_F_REQ_PATH_LEN] = (float)req->path_len;
		row[WW_F_REQ_QUERY_LEN] = (float)req->query_len;
		row[WW_F_REQ_ARGS] = (float)req->n_args;
		row[WW_F_REQ_NONALNUM] = req->nonalnum;
		row[WW_F_REQ_HEADERS] = req->n_headers;
		row[WW_F_REQ_UA_CLASS] = req->ua_class;
		row[WW_F_REQ_BODY_LEN] = (float)req->body_len;
	}
	if (c != NULL)
		client_cols(row, c, now_ns);
}

void ww_feat_row_client(float *row, enum ww_feat_dp dp,
			const struct ww_feat_client *c, uint64_t now_ns)
{
	memset(row, 0, WW_FEAT_N * sizeof(*row));
	row[WW_F_ROW_KIND] = WW_ROW_CLIENT;
	row[WW_F_DP] = (float)dp;
	client_cols(row, c, now_ns);
}

void ww_feat_csv_header(FILE *out)
{
	unsigned int i;

	fputs("time,flow_id,dp_name,client,client_port,server,server_port",
	      out);
	for (i = 0; i < WW_FEAT_N; i++)
		fprintf(out, ",%s", ww_feat_name(i));
	fputc('\n', out);
}

static void addr_text(char *buf, size_t len, uint8_t family, const uint8_t *a)
{
	if (family == 0)
		buf[0] = '\0';
	else
		inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf,
			  (socklen_t)len);
}

void ww_feat_record_csv(FILE *out, const struct ww_feat_record *r)
{
	char cl[INET6_ADDRSTRLEN], sv[INET6_ADDRSTRLEN];
	unsigned int i;

	addr_text(cl, sizeof(cl), r->family, r->client);
	if (r->row_kind == WW_ROW_FLOW)
		addr_text(sv, sizeof(sv), r->family, r->server);
	else
		sv[0] = '\0';
	fprintf(out, "%llu.%09llu,%llu,%s,%s,%u,%s,%u",
		(unsigned long long)(r->ts_ns / NS_PER_S),
		(unsigned long long)(r->ts_ns % NS_PER_S),
		(unsigned long long)r->flow_id,
		ww_feat_dp_name((enum ww_feat_dp)r->dp), cl, r->client_port, sv,
		r->server_port);
	/* %.9g: a float32 read back as the same float32. */
	for (i = 0; i < WW_FEAT_N; i++)
		fprintf(out, ",%.9g", (double)r->row[i]);
	fputc('\n', out);
}
