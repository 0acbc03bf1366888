/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WIREWALL_APP_H
#define WIREWALL_APP_H

/* Glue between the parts of the appliance binary (not a library API). */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_log.h>

#include "ww_conf.h"
#include "ww_event.h"
#include "ww_pipeline.h"

extern int ww_logtype_app;
#define APP_LOG(level, fmt, ...)                                        \
	rte_log(RTE_LOG_##level, ww_logtype_app, "wirewall: " fmt "\n", \
		##__VA_ARGS__)

#define MAX_OVERRIDES 64
#define MAX_WORKERS   RTE_MAX_LCORE

struct app_args {
	const char *conf_path;
	const char *overrides[MAX_OVERRIDES];
	unsigned int n_overrides;
	const char *eve_path;	/* --eve, overrides [eve] file */
	const char *read_pcap;	/* -r: offline mode */
	const char *write_pcap; /* -w */
	bool check_only;	/* --check-config */
};

/* Set by SIGINT/SIGTERM; workers and the control loop poll it. */
extern volatile sig_atomic_t ww_force_quit;
/* Set by SIGHUP; the control loop clears it. */
extern volatile sig_atomic_t ww_sighup;

/* A port as the appliance uses it. */
struct app_port {
	uint16_t port_id;
	uint16_t peer_id;
	enum ww_side side;
	char name[RTE_ETH_NAME_MAX_LEN];
};

struct app_ports {
	struct app_port port[2 * WW_CONF_MAX_PAIRS];
	unsigned int n;
	struct rte_mempool *pool;
};

/* ports.c */
int app_ports_resolve(const struct ww_conf *conf, struct app_ports *ports);
int app_ports_start(const struct ww_conf *conf, struct app_ports *ports,
		    uint16_t n_queues);
void app_ports_stop(struct app_ports *ports);

/* stats.c */
struct app_stats_view {
	const char *port_name[RTE_MAX_ETHPORTS]; /* NULL: port not in use */
	/* Extra per-port counters from the NIC (live mode); may be NULL. */
	const struct rte_eth_stats *nic[RTE_MAX_ETHPORTS];
};
json_t *app_stats_json(const struct ww_worker_stats *total,
		       const struct app_stats_view *view, uint64_t uptime_s);
void app_stats_summary(FILE *out, const char *mode,
		       const struct ww_worker_stats *total,
		       const struct app_stats_view *view);

/* control.c: the control socket (live mode). */
struct app_control;
typedef void (*app_control_fn)(void *arg, char *line, FILE *reply);
/* Listen on @path (an old socket there is replaced). NULL with @err. */
struct app_control *app_control_open(const char *path, char *err,
				     size_t err_len);
/* Serve the clients waiting now: fn(arg, line, reply) per command. */
void app_control_poll(struct app_control *c, app_control_fn fn, void *arg);
void app_control_close(struct app_control *c);

/* What the commands act on. */
struct app_control_ctx {
	const struct ww_conf *conf;
	struct ww_block *block;
	struct ww_auth *auth; /* NULL: no JWT route */
	uint64_t now_ns;      /* UNIX time of this tick */
	json_t *(*stats_json)(void *arg);
	void *stats_arg;
	/* "waf reload": 0 with a summary, or -errno with the reason, in
	 * @msg (arg: stats_arg). NULL: not offered. */
	int (*waf_reload)(void *arg, char *msg, size_t len);
};
/* An app_control_fn: "block add|del|list|reload ...", "auth revoke ...",
 * "waf reload", "stats". */
void app_control_command(void *arg, char *line, FILE *reply);

/* waf.c: the [waf] rule set of @conf, or NULL when [waf] enabled = no;
 * -errno with the reason in @err. */
int app_waf_load(const struct ww_conf *conf, struct ww_waf **out, char *err,
		 size_t err_len);

/* live.c / offline.c */
int app_run_live(const struct ww_conf *conf, const struct app_args *args);
int app_run_offline(const struct ww_conf *conf, const struct app_args *args);

/* The EVE path in force: --eve wins over [eve] file; NULL when none. */
const char *app_eve_path(const struct ww_conf *conf,
			 const struct app_args *args);

#endif /* WIREWALL_APP_H */
