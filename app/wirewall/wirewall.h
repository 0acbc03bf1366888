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
#include "ww_control.h"
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
	const char *eve_path;	   /* --eve, overrides [eve] file */
	const char *read_pcap;	   /* -r: offline mode */
	const char *write_pcap;	   /* -w */
	bool check_only;	   /* --check-config */
	const char *features_path; /* --features: feature rows as CSV */
	unsigned int workers;	   /* --workers: offline mode's workers */
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

/* live.c / offline.c */
int app_run_live(const struct ww_conf *conf, const struct app_args *args);
int app_run_offline(const struct ww_conf *conf, const struct app_args *args);

/* The EVE path in force: --eve wins over [eve] file; NULL when none. */
const char *app_eve_path(const struct ww_conf *conf,
			 const struct app_args *args);

/* --version, --build-info (build_info.c) */
void app_print_version(FILE *out);
void app_print_build_info(FILE *out);

#endif /* WIREWALL_APP_H */
