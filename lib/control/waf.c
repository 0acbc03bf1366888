/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The [waf] section into a loaded rule set: at once (--check-config,
 * offline mode, reloads), or at start in a thread of its own, so that the
 * appliance forwards while the CRS compiles (about 10 s; a minute under
 * ASan) when the compile cache does not hold it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>

#include "control_priv.h"

/* A compile running in its own thread. The thread writes rc, set and err,
 * then done (release); the control thread reads them once done is set
 * (acquire), joins, and owns them from then on. */
struct waf_job {
	struct ww_conf conf; /* a copy: the job may outlive its caller */
	pthread_t thread;
	struct timespec t0; /* CLOCK_MONOTONIC at start */
	int done;
	int rc;
	struct ww_waf *set;
	char err[1024];
};

/* Jobs left running at shutdown: kept reachable (not a leak), the
 * process ends under them. */
static struct waf_job *abandoned[4];

/* Load @conf's rule set; @cache_only: from the compile cache only
 * (-EAGAIN when it does not hold it). No logging: this runs in the
 * compile thread too. */
static int load(const struct ww_conf *conf, bool cache_only,
		struct ww_waf **out, char *err, size_t err_len)
{
	const char *files[WW_CONF_MAX_FILES];
	struct ww_waf_opts o = {
		.crs_setup =
			conf->waf_crs_setup[0] ? conf->waf_crs_setup : NULL,
		.rules_dir =
			conf->waf_rules_dir[0] ? conf->waf_rules_dir : NULL,
		.files = files,
		.n_files = conf->n_waf_site_rules,
		.paranoia_level = conf->waf_paranoia_level,
		.anomaly_threshold = conf->waf_anomaly_threshold,
		.cache_dir = conf->waf_cache_dir,
		.cache_only = cache_only,
		.regex_match_limit = conf->waf_regex_match_limit,
		.allowed_methods = conf->waf_allowed_methods,
		.allowed_content_types = conf->waf_allowed_content_types,
		.restricted_extensions = conf->waf_restricted_extensions,
		.restricted_headers = conf->waf_restricted_headers,
		.rule_exclusions = conf->waf_rule_exclusions,
		.target_exclusions = conf->waf_target_exclusions,
	};
	char why[900];
	unsigned int i;
	int rc;

	*out = NULL;
	for (i = 0; i < conf->n_waf_site_rules; i++)
		files[i] = conf->waf_site_rules[i];
	rc = ww_waf_load(&o, out, why, sizeof(why));
	if (rc == -EAGAIN)
		snprintf(err, err_len, "[waf] %s", why);
	else if (rc < 0)
		snprintf(
			err, err_len,
			"[waf] %s (install modsecurity-crs, fix the file, or set [waf] enabled = no)",
			why);
	return rc;
}

/* What a loaded set holds and how it was made, in the log. */
static void log_loaded(const struct ww_waf *set)
{
	unsigned int rules, unsupported, hs, pcre_only;
	size_t bytes;
	double secs;
	char cache[1200];

	ww_waf_counts(set, &rules, &unsupported);
	ww_waf_compiled(set, &hs, &pcre_only, &bytes, &secs);
	CTL_LOG(NOTICE,
		"[waf] %u rules (%u with an operator that never matches), databases %zu bytes, ready in %.2f s; compile cache %s",
		rules, unsupported, bytes, secs,
		ww_waf_cache_state(set, cache, sizeof(cache)));
}

int ww_control_load_waf(const struct ww_conf *conf, struct ww_waf **out,
			char *err, size_t err_len)
{
	int rc;

	*out = NULL;
	if (!conf->waf_enabled)
		return 0;
	rc = load(conf, false, out, err, err_len);
	if (rc == 0)
		log_loaded(*out);
	return rc;
}

static void *job_main(void *arg)
{
	struct waf_job *j = arg;

	j->rc = load(&j->conf, false, &j->set, j->err, sizeof(j->err));
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int waf_at_start(const struct ww_conf *conf, struct ww_waf **out,
		 struct waf_job **job, char *err, size_t err_len)
{
	struct waf_job *j;
	int rc;

	*out = NULL;
	*job = NULL;
	if (!conf->waf_enabled)
		return 0;
	/* A quick look first: it parses every rule file (a bad one refuses
	 * the start, as it always did) and reads what the cache holds. */
	rc = load(conf, true, out, err, err_len);
	if (rc == 0)
		log_loaded(*out);
	if (rc != -EAGAIN)
		return rc;
	CTL_LOG(NOTICE, "%s: compiling it in the background", err);
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	j->conf = *conf;
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	/* A control thread: on the cores EAL gives no lcore, else the main
	 * lcore's, never a worker's. */
	rc = rte_ctrl_thread_create(&j->thread, "ww-waf-compile", NULL,
				    job_main, j);
	if (rc != 0) {
		snprintf(err, err_len, "[waf] cannot start the compile: %s",
			 strerror(rc));
		free(j);
		return -rc;
	}
	*job = j;
	return 0;
}

bool waf_job_done(const struct waf_job *j)
{
	return __atomic_load_n(&j->done, __ATOMIC_ACQUIRE) != 0;
}

double waf_job_seconds(const struct waf_job *j)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - j->t0.tv_sec) +
	       (double)(t.tv_nsec - j->t0.tv_nsec) / 1e9;
}

int waf_job_finish(struct waf_job *j, struct ww_waf **set, char *err,
		   size_t err_len)
{
	int rc;

	pthread_join(j->thread, NULL);
	rc = j->rc;
	*set = j->set;
	if (rc == 0)
		log_loaded(j->set);
	else
		snprintf(err, err_len, "%s", j->err);
	free(j);
	return rc;
}

void waf_job_abandon(struct waf_job *j)
{
	struct ww_waf *set;
	char err[8];
	unsigned int i;

	if (waf_job_done(j)) {
		waf_job_finish(j, &set, err, sizeof(err));
		ww_waf_free(set);
		return;
	}
	/* Hyperscan's compile cannot be interrupted, and waiting would hold
	 * a stop for up to a minute. */
	CTL_LOG(NOTICE,
		"stopping while the rule set compiles (%.0f s so far): the compile is abandoned",
		waf_job_seconds(j));
	pthread_detach(j->thread);
	for (i = 0; i < RTE_DIM(abandoned); i++)
		if (abandoned[i] == NULL) {
			abandoned[i] = j;
			break;
		}
}
