/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_CONTROL_H
#define WW_CONTROL_H

/*
 * The control plane: everything the control thread does while the
 * workers forward. It drains the workers' event rings into the EVE log,
 * expires run-time blocks and revocations, rebalances the rate-limit
 * shares, serves the control socket (wirewallctl), and builds and
 * publishes the policy snapshot (struct ww_policy) the workers read:
 * at start, and each time the configuration (wirewallctl set / reload)
 * or the rule set (wirewallctl waf reload) changes. A snapshot is built
 * off the fast path; a change that fails to build leaves the one in force.
 *
 * Thread use: control thread only (one struct ww_control per appliance).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <rte_log.h>
#include <rte_rcu_qsbr.h>

#include "ww_conf.h"
#include "ww_event.h"
#include "ww_metrics.h"
#include "ww_pipeline.h"
#include "ww_waf.h"

extern int ww_logtype_control;
#define CTL_LOG(level, fmt, ...)                                            \
	rte_log(RTE_LOG_##level, ww_logtype_control, "wirewall: " fmt "\n", \
		##__VA_ARGS__)

#define WW_CONTROL_MAX_SETS 64 /* run-time "set" keys remembered */

/* What the control plane runs over, given by the app. */
struct ww_control_opts {
	const char *conf_path;
	const char *const *overrides; /* --set at start */
	unsigned int n_overrides;
	const struct ww_conf *conf;  /* as loaded at start */
	struct ww_pipeline_ctx *ctx; /* the policy is published here */
	struct ww_worker *workers;
	unsigned int n_workers;
	struct rte_rcu_qsbr *qsbr;
	struct ww_event_log *eve; /* NULL: no log */
	FILE *features;		  /* --features CSV (NULL: none) */
	/* The counters as JSON (the app adds its ports' NIC counters). */
	json_t *(*stats_json)(void *arg);
	void *stats_arg;
	/* Names of the ports in use, NULL for the others (metrics). */
	const char *port_name[RTE_MAX_ETHPORTS];
};

struct ww_control;

/* [eve] alert_pcap's file (alert_pcap.c): NULL with @err empty when the
 * key is empty; NULL with the reason in @err when it cannot be opened. */
struct ww_alert_pcap;
struct rte_ring;
struct ww_alert_pcap *ww_alert_pcap_open(const struct ww_conf *conf, char *err,
					 size_t err_len);
void ww_alert_pcap_close(struct ww_alert_pcap *p);
/* Write up to @max frames from a worker's ring (@p NULL: free them). */
unsigned int ww_alert_pcap_drain(struct ww_alert_pcap *p, struct rte_ring *ring,
				 unsigned int max);
/* {"written", "bytes", "over_size"}, or null when off. */
json_t *ww_alert_pcap_json(const struct ww_alert_pcap *p);

/* Where the [waf] rule set stands (wirewallctl status). */
enum ww_control_waf {
	WW_CONTROL_WAF_OFF = 0,	  /* [waf] enabled = no */
	WW_CONTROL_WAF_COMPILING, /* compiling in a thread of its own; the
				   * requests it would judge follow
				   * [exceptions] waf_not_ready */
	WW_CONTROL_WAF_IN_FORCE,  /* in the policy the workers read */
	WW_CONTROL_WAF_FAILED,	  /* that compile failed (logged); still
				   * waf_not_ready until a waf reload */
};
/* "off", "compiling", "in_force", "failed". */
const char *ww_control_waf_name(enum ww_control_waf s);

/*
 * Load the rule set, build and publish the first policy, open the
 * control socket ([control] socket; none when empty) and the metrics
 * endpoint ([metrics] listen; none when empty), register the telemetry
 * commands. The rule set is in force at once when the compile cache
 * holds it; else it compiles in a thread of its own, the first policy has
 * none (waf_pending), and a tick publishes it when done. A rule file that
 * does not parse refuses the start. @return NULL with the reason in @err.
 */
struct ww_control *ww_control_create(const struct ww_control_opts *o, char *err,
				     size_t err_len);

/*
 * The app's ports are up and its workers forward: logs the first
 * readiness line, "ready: forwarding <@what>; waf <state>", and, when the
 * rule set is in force already (or off), the second, "ready: waf ...".
 * When it compiles, the tick that puts it in force logs the second.
 */
void ww_control_started(struct ww_control *c, const char *what);
/* Close the socket and free the policy in force (workers stopped). */
void ww_control_destroy(struct ww_control *c);

/* The escalation ladder's counters (the "response" object of stats). */
json_t *ww_control_response_json(const struct ww_control *c);

/*
 * The metrics of the control plane, for the parts of it that add
 * families of their own (ww_metrics_add_collector) or fill the
 * offenders telemetry lists (ww_metrics_set_offenders).
 */
struct ww_metrics *ww_control_metrics(struct ww_control *c);

/*
 * Reload everything from its files (SIGHUP, wirewallctl reload): the
 * configuration (as ww_control_configure with @kv NULL), the rules, the
 * models and the block lists, each built off the fast path and published
 * by RCU. A part that fails is refused with its reason and keeps what is
 * in force; the others still reload. @return 0, or -EINVAL when a part
 * was refused; @msg says what each part did.
 */
int ww_control_reload(struct ww_control *c, char *msg, size_t len);

/* One tick of the control loop at UNIX time @now_ns (it also puts the
 * start's rule set in force once its compile is done). */
void ww_control_tick(struct ww_control *c, uint64_t now_ns);

/* Drain every worker's events into the log (at most @max each). */
void ww_control_drain(struct ww_control *c, unsigned int max);

/*
 * Change the configuration: @kv "section.key=value" on top of what is in
 * force (wirewallctl set), or (@kv NULL) the file read again with the
 * start's --set and the run-time sets (wirewallctl reload). The new
 * configuration is validated whole, keys that cannot change at run time
 * must be as they are (their names are in the refusal), the rule set is
 * recompiled when a [waf] key changed; then one new policy is published.
 * @return 0 with a summary in @msg, or -errno with the reason (and the
 * policy in force unchanged).
 */
int ww_control_configure(struct ww_control *c, const char *kv, char *msg,
			 size_t len);

/*
 * The models of [detect] (classifier, anomaly) of @conf, loaded, checked
 * against the feature specification and put in force in @ctx's slots
 * (both or neither). @return 0 with a summary in @msg, or -EINVAL with
 * the reason (the file, and what is wrong with it). models.c.
 */
int ww_models_load(const struct ww_conf *conf, struct ww_pipeline_ctx *ctx,
		   char *msg, size_t len);
/* Take both models out of force and free them (workers stopped or
 * the slots' qsbr set). */
void ww_models_unload(struct ww_pipeline_ctx *ctx);
/* "model reload" (and SIGHUP): the files of the configuration in force
 * read again. */
int ww_control_model_reload(struct ww_control *c, char *msg, size_t len);

/* "waf reload": the rule files read and compiled again. */
int ww_control_waf_reload(struct ww_control *c, char *msg, size_t len);

/* The [waf] rule set of @conf, or NULL when [waf] enabled = no; -errno
 * with the reason in @err. */
int ww_control_load_waf(const struct ww_conf *conf, struct ww_waf **out,
			char *err, size_t err_len);

/* Counters: a "stats" event body, and the summary printed at exit. */
struct ww_stats_view {
	const char *port_name[RTE_MAX_ETHPORTS]; /* NULL: port not in use */
	/* Extra per-port counters from the NIC (live mode); may be NULL. */
	const struct rte_eth_stats *nic[RTE_MAX_ETHPORTS];
};
json_t *ww_stats_json(const struct ww_worker_stats *total,
		      const struct ww_stats_view *view, uint64_t uptime_s);
void ww_stats_summary(FILE *out, const char *mode,
		      const struct ww_worker_stats *total,
		      const struct ww_stats_view *view);

/* The control socket (commands.c). */
struct ww_ctl_socket;
typedef void (*ww_ctl_fn)(void *arg, char *line, FILE *reply);
struct ww_ctl_socket *ww_ctl_socket_open(const char *path, char *err,
					 size_t err_len);
/* Serve the clients waiting now: fn(arg, line, reply) per command. */
void ww_ctl_socket_poll(struct ww_ctl_socket *s, ww_ctl_fn fn, void *arg);
void ww_ctl_socket_close(struct ww_ctl_socket *s);
/* The commands: a ww_ctl_fn over a struct ww_control. */
void ww_control_command(void *arg, char *line, FILE *reply);

#endif /* WW_CONTROL_H */
