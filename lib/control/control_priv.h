/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_CONTROL_PRIV_H
#define WW_CONTROL_PRIV_H

/* Shared by the control plane's files. */

#include "ww_control.h"
#include "ww_response.h"

struct waf_job;

struct ww_control {
	struct ww_control_opts o;
	struct ww_ctl_socket *sock;
	struct ww_metrics *metrics;
	char *sets[WW_CONTROL_MAX_SETS]; /* run-time "set" keys, in order */
	unsigned int n_sets;
	uint64_t now_ns, last_rebalance_ns;
	struct ww_response *resp;    /* the escalation ladder */
	struct ww_alert_pcap *apcap; /* [eve] alert_pcap (NULL: off) */
	bool forwarding; /* the app's ports forward (ww_control_started) */
	/* The [waf] rule set: its state, since when (CLOCK_MONOTONIC s),
	 * why it failed, and the compile of the start while it runs. */
	enum ww_control_waf waf_state;
	double waf_since;
	char waf_error[1024];
	struct waf_job *job;
};

/* The rule set at start (waf.c): from the compile cache at once (*@out),
 * else a compile started in a thread of its own (*@job); neither when
 * [waf] is off. @return 0, or -errno with the reason (a rule file that
 * does not parse). */
int waf_at_start(const struct ww_conf *conf, struct ww_waf **out,
		 struct waf_job **job, char *err, size_t err_len);
/* Has the job finished? (Its result is then ready for waf_job_finish.) */
bool waf_job_done(const struct waf_job *j);
/* Seconds since the job started. */
double waf_job_seconds(const struct waf_job *j);
/* Join a finished job and free it: @return 0 with the rule set in *@set,
 * or -errno with the reason in @err. */
int waf_job_finish(struct waf_job *j, struct ww_waf **set, char *err,
		   size_t err_len);
/* At stop: a finished job is freed, a running one left to end with the
 * process. */
void waf_job_abandon(struct waf_job *j);

/* The state of the control plane as JSON ("status", control.c). */
json_t *ww_control_status_json(struct ww_control *c);

#endif /* WW_CONTROL_PRIV_H */
