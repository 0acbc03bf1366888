/* SPDX-License-Identifier: BSD-3-Clause */
/* The control thread's work, and the policy snapshots. See ww_control.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>

#include "control_priv.h"

RTE_LOG_REGISTER(ww_logtype_control, ww.control, INFO);

#define EVENTS_PER_TICK 8192		   /* per worker, bounds one tick */
#define REBALANCE_NS	(250 * 1000000ull) /* rate-limit shares, ww_limit.h */

/* Put @next in force; the policy it replaces is freed once every worker
 * has passed a quiescent state (none can still read it). */
static void publish(struct ww_control *c, struct ww_policy *next)
{
	struct ww_policy *old = c->o.ctx->policy;

	__atomic_store_n(&c->o.ctx->policy, next, __ATOMIC_RELEASE);
	if (c->o.qsbr != NULL)
		rte_rcu_qsbr_synchronize(c->o.qsbr, RTE_QSBR_THRID_INVALID);
	ww_policy_free(old);
}

/* What every new snapshot keeps from the one in force unless it
 * replaces it: the block set and the revocations. */
static void carry(struct ww_policy *next, const struct ww_policy *old)
{
	next->blocks = old->blocks;
	next->revoked = old->revoked;
}

/* The same snapshot but one part: a new one that takes over the
 * configuration and rule set of the one in force. NULL: no memory. */
static struct ww_policy *derive(struct ww_control *c)
{
	struct ww_policy *old = c->o.ctx->policy, *next;

	next = ww_policy_build(old->conf, NULL, NULL, old, c->o.n_workers,
			       old->generation + 1);
	if (next == NULL)
		return NULL;
	ww_policy_keep_conf(next, old);
	carry(next, old);
	return next;
}

const char *ww_control_waf_name(enum ww_control_waf s)
{
	static const char *const names[] = {"off", "compiling", "in_force",
					    "failed"};

	return (unsigned int)s < RTE_DIM(names) ? names[s] : "unknown";
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void set_waf_state(struct ww_control *c, enum ww_control_waf s,
			  const char *why)
{
	if (c->waf_state != s || c->waf_since == 0)
		c->waf_since = mono_s();
	c->waf_state = s;
	snprintf(c->waf_error, sizeof(c->waf_error), "%s", why ? why : "");
}

/* What a request the rule set would judge gets while it is not in force
 * ("pass", "drop", "reset"; on an [http] port it is protected traffic). */
static const char *not_ready_action(const struct ww_control *c)
{
	return ww_exc_outcome_name(
		c->o.ctx->policy->exc[WW_CONF_EXC_WAF_NOT_READY][1]);
}

/* Requests that followed [exceptions] waf_not_ready so far. */
static uint64_t not_ready_count(const struct ww_control *c)
{
	uint64_t n = 0;
	unsigned int i, k;

	for (i = 0; i < c->o.n_workers; i++)
		for (k = 0; k < WW_EXC_OUTCOMES; k++)
			n += c->o.workers[i]
				     .stats.exc[WW_CONF_EXC_WAF_NOT_READY][k];
	return n;
}

/* The second readiness line: the rule set in force (@how: how it came),
 * or off. */
static void log_waf_ready(const struct ww_control *c, const char *how)
{
	const struct ww_policy *p = c->o.ctx->policy;
	unsigned int rules, unsupported;

	if (p->waf == NULL) {
		CTL_LOG(NOTICE, "ready: waf off ([waf] enabled = no)");
		return;
	}
	ww_waf_counts(p->waf, &rules, &unsupported);
	CTL_LOG(NOTICE, "ready: waf in force: %u rules (policy %" PRIu64 ")%s",
		rules, p->generation, how);
}

/* lib/block hands its new sets here: one more snapshot. */
static int publish_blocks(void *arg, struct ww_block_set *set)
{
	struct ww_control *c = arg;
	struct ww_policy *next = derive(c);

	if (next == NULL)
		return -ENOMEM;
	next->blocks = set;
	publish(c, next);
	return 0;
}

/* lib/auth hands its new revocation sets here. */
static int publish_revoked(void *arg, const struct ww_auth_revset *set)
{
	struct ww_control *c = arg;
	struct ww_policy *next = derive(c);

	if (next == NULL)
		return -ENOMEM;
	next->revoked = set;
	publish(c, next);
	return 0;
}

/* The escalation ladder's families in the Prometheus exposition. */
static void ladder_metrics(void *arg, FILE *out)
{
	const struct ww_control *c = arg;
	struct ww_response_stats s;
	unsigned int i;

	ww_response_get_stats(c->resp, &s);
	ww_metrics_family(out, "wirewall_response_steps_total", "counter",
			  "Steps the escalation ladder took, by rung");
	for (i = 1; i < WW_STEP_MAX; i++) {
		fprintf(out, "wirewall_response_steps_total{step=");
		ww_metrics_label(out, ww_response_step_name(i));
		fprintf(out, "} %" PRIu64 "\n", s.steps[i]);
	}
	ww_metrics_family(out, "wirewall_response_sources", "gauge",
			  "Sources on each rung of the escalation ladder now");
	for (i = 1; i < WW_STEP_MAX; i++) {
		fprintf(out, "wirewall_response_sources{step=");
		ww_metrics_label(out, ww_response_step_name(i));
		fprintf(out, "} %" PRIu64 "\n", s.in_force[i]);
	}
	ww_metrics_family(out, "wirewall_response_expired_total", "counter",
			  "Ladder steps undone when their TTL ran out");
	fprintf(out, "wirewall_response_expired_total %" PRIu64 "\n",
		s.expired);
	ww_metrics_family(out, "wirewall_response_refused_total", "counter",
			  "Ladder steps refused by a safety rail, by rail");
	for (i = 0; i < WW_REFUSAL_MAX; i++) {
		fprintf(out, "wirewall_response_refused_total{reason=");
		ww_metrics_label(out, ww_response_refusal_name(i));
		fprintf(out, "} %" PRIu64 "\n", s.refused[i]);
	}
	ww_metrics_family(out, "wirewall_response_evidence_total", "counter",
			  "Verdicts counted as evidence against their source");
	fprintf(out, "wirewall_response_evidence_total %" PRIu64 "\n",
		s.evidence);
	ww_metrics_family(
		out, "wirewall_response_unverified_total", "counter",
		"Verdicts on sources without a return path (not evidence)");
	fprintf(out, "wirewall_response_unverified_total %" PRIu64 "\n",
		s.unverified);
	ww_metrics_family(out, "wirewall_response_offenders", "gauge",
			  "Sources the escalation ladder tracks");
	fprintf(out, "wirewall_response_offenders %" PRIu64 "\n", s.offenders);
}

/* /wirewall/offenders: the ladder's sources, highest rungs first. */
static unsigned int ladder_offenders(void *arg, struct ww_metrics_offender *out,
				     unsigned int max)
{
	const struct ww_control *c = arg;
	json_t *list = ww_response_offenders_json(
		c->resp, c->o.ctx->policy->conf, c->now_ns);
	unsigned int n = 0;
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		if (n == max)
			break;
		snprintf(out[n].addr, sizeof(out[n].addr), "%s",
			 json_string_value(json_object_get(e, "src_ip")));
		snprintf(out[n].step, sizeof(out[n].step), "%s",
			 json_string_value(json_object_get(e, "step")));
		out[n].score =
			(uint64_t)json_real_value(json_object_get(e, "score"));
		out[n].expires_in = (uint64_t)json_integer_value(
			json_object_get(e, "ttl_remaining"));
		n++;
	}
	json_decref(list);
	return n;
}

struct ww_control *ww_control_create(const struct ww_control_opts *o, char *err,
				     size_t err_len)
{
	struct ww_control *c = calloc(1, sizeof(*c));
	struct ww_policy *p;
	struct ww_waf *waf;

	if (c == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	c->o = *o;
	if (waf_at_start(o->conf, &waf, &c->job, err, err_len) < 0)
		goto fail;
	p = ww_policy_build(o->conf, NULL, waf, NULL, o->n_workers, 1);
	if (p == NULL) {
		snprintf(err, err_len,
			 "out of memory for the policy (rule engine contexts)");
		goto fail;
	}
	/* Until the compile is done, requests the rule set would judge
	 * follow [exceptions] waf_not_ready. */
	p->waf_pending = c->job != NULL;
	set_waf_state(c,
		      c->job != NULL ? WW_CONTROL_WAF_COMPILING
		      : waf != NULL  ? WW_CONTROL_WAF_IN_FORCE
				     : WW_CONTROL_WAF_OFF,
		      NULL);
	/* One pointer for the workers: the block set and the revocations
	 * in force come with the policy from now on. */
	p->blocks = ww_block_get(o->ctx->block);
	p->revoked = ww_auth_revoked(o->ctx->auth);
	publish(c, p);
	o->ctx->classifier.qsbr = o->qsbr;
	o->ctx->anomaly.qsbr = o->qsbr;
	{
		char msg[1024];

		if (ww_models_load(o->conf, o->ctx, msg, sizeof(msg)) < 0) {
			snprintf(err, err_len, "%s", msg);
			goto fail;
		}
		if (o->conf->detect_classifier[0] || o->conf->detect_anomaly[0])
			CTL_LOG(INFO, "models in force: %s", msg);
	}
	if (o->ctx->block != NULL)
		ww_block_set_publisher(o->ctx->block, publish_blocks, c);
	c->resp = ww_response_create(o->conf, o->ctx->block, o->eve, err,
				     err_len);
	if (c->resp == NULL)
		goto fail;
	if (o->conf->eve_alert_pcap[0] != '\0') {
		c->apcap = ww_alert_pcap_open(o->conf, err, err_len);
		if (c->apcap == NULL)
			goto fail;
	}
	if (o->ctx->auth != NULL)
		ww_auth_set_publisher(o->ctx->auth, publish_revoked, c);
	if (o->conf->control_socket[0] != '\0') {
		c->sock = ww_ctl_socket_open(o->conf->control_socket, err,
					     err_len);
		if (c->sock == NULL)
			goto fail;
	}
	{
		struct ww_metrics_opts mo = {
			.conf = o->conf,
			.ctx = o->ctx,
			.workers = o->workers,
			.n_workers = o->n_workers,
		};

		memcpy(mo.port_name, o->port_name, sizeof(mo.port_name));
		c->metrics = ww_metrics_create(&mo, err, err_len);
		if (c->metrics == NULL)
			goto fail;
		ww_metrics_add_collector(c->metrics, ladder_metrics, c);
		ww_metrics_set_offenders(c->metrics, ladder_offenders, c);
	}
	return c;
fail:
	ww_control_destroy(c);
	return NULL;
}

void ww_control_destroy(struct ww_control *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	if (c->job != NULL)
		waf_job_abandon(c->job);
	ww_ctl_socket_close(c->sock);
	ww_response_destroy(c->resp);
	ww_alert_pcap_close(c->apcap);
	ww_metrics_destroy(c->metrics);
	if (c->o.ctx->block != NULL)
		ww_block_set_publisher(c->o.ctx->block, NULL, NULL);
	if (c->o.ctx->auth != NULL)
		ww_auth_set_publisher(c->o.ctx->auth, NULL, NULL);
	ww_policy_free(c->o.ctx->policy); /* NULL: failed before it */
	c->o.ctx->policy = NULL;
	ww_models_unload(c->o.ctx);
	for (i = 0; i < c->n_sets; i++)
		free(c->sets[i]);
	free(c);
}

/* Feature rows of the workers into the CSV of --features. */
static void drain_features(struct ww_control *c, unsigned int max)
{
	static struct ww_feat_record r[16];
	unsigned int i, n, k, total;

	for (i = 0; i < c->o.n_workers; i++) {
		if (c->o.workers[i].feat_ring == NULL)
			continue;
		for (total = 0; total < max; total += n) {
			n = rte_ring_sc_dequeue_burst_elem(
				c->o.workers[i].feat_ring, r, sizeof(r[0]),
				RTE_DIM(r), NULL);
			if (n == 0)
				break;
			for (k = 0; k < n; k++)
				ww_feat_record_csv(c->o.features, &r[k]);
		}
	}
	fflush(c->o.features);
}

/* Clients a model blocked: dynamic block entries with their TTL. */
static void drain_responses(struct ww_control *c)
{
	struct ww_detect_response r[32];
	unsigned int i, n, k, added = 0, refused = 0;
	char err[256], first_err[256] = "";

	if (c->o.ctx->block == NULL)
		return;
	for (i = 0; i < c->o.n_workers; i++) {
		if (c->o.workers[i].responses == NULL)
			continue;
		while ((n = rte_ring_sc_dequeue_burst_elem(
				c->o.workers[i].responses, r, sizeof(r[0]),
				RTE_DIM(r), NULL)) > 0) {
			for (k = 0; k < n; k++) {
				struct ww_cidr cidr;

				memset(&cidr, 0, sizeof(cidr));
				cidr.family =
					r[k].family == 4 ? AF_INET : AF_INET6;
				cidr.prefix_len = r[k].prefix_len;
				memcpy(cidr.addr, r[k].addr, 16);
				if (ww_block_add(c->o.ctx->block, &cidr,
						 c->now_ns +
							 (uint64_t)r[k].ttl_s *
								 NS_PER_S,
						 err, sizeof(err)) == 0)
					added++;
				else if (refused++ == 0)
					snprintf(first_err, sizeof(first_err),
						 "%s", err);
			}
		}
	}
	/* One line per tick, not per client: a flood of verdicts against
	 * a full dynamic list must not flood the log. */
	if (refused > 0)
		CTL_LOG(WARNING, "%u model block(s) not added, e.g.: %s",
			refused, first_err);
	if (added > 0 && ww_block_commit(c->o.ctx->block, err, sizeof(err)) < 0)
		CTL_LOG(ERR, "block lists: %s", err);
}

/* Every event the workers raise passes the escalation ladder on its way
 * to the log. */
static void observe(void *arg, const struct ww_event *ev)
{
	struct ww_control *c = arg;

	ww_response_observe(c->resp, c->o.ctx->policy->conf, ev);
}

void ww_control_drain(struct ww_control *c, unsigned int max)
{
	unsigned int i, n = 0;

	if (c->o.features != NULL)
		drain_features(c, max);
	for (i = 0; i < c->o.n_workers; i++) {
		if (c->o.workers[i].events != NULL)
			n += ww_event_log_drain_seen(c->o.eve,
						     c->o.workers[i].events,
						     max, observe, c);
		if (c->o.workers[i].apcap != NULL)
			ww_alert_pcap_drain(c->apcap,
					    c->o.workers[i].apcap->ring, max);
	}
	if (n != 0 && c->o.eve != NULL)
		ww_event_log_flush(c->o.eve);
}

json_t *ww_control_response_json(const struct ww_control *c)
{
	return ww_response_stats_json(c != NULL ? c->resp : NULL);
}

struct ww_metrics *ww_control_metrics(struct ww_control *c)
{
	return c->metrics;
}

/* Rule set @set in force, everything else as in force: what "waf
 * reload" and the end of the start's compile do. @return 0, or -ENOMEM
 * (@set freed, the policy in force unchanged). */
static int waf_in_force(struct ww_control *c, struct ww_waf *set)
{
	struct ww_policy *old = c->o.ctx->policy, *next;

	next = ww_policy_build(old->conf, NULL, set, NULL, c->o.n_workers,
			       old->generation + 1);
	if (next == NULL)
		return -ENOMEM;
	ww_policy_keep_conf(next, old);
	carry(next, old);
	publish(c, next);
	set_waf_state(c, WW_CONTROL_WAF_IN_FORCE, NULL);
	return 0;
}

/* The start's compile, once done: its rule set in force, or why not. */
static void waf_job_poll(struct ww_control *c)
{
	struct ww_waf *set = NULL;
	char err[1024], how[200];
	double secs;
	int rc;

	if (c->job == NULL || !waf_job_done(c->job))
		return;
	secs = waf_job_seconds(c->job);
	rc = waf_job_finish(c->job, &set, err, sizeof(err));
	c->job = NULL;
	if (rc == 0 && waf_in_force(c, set) < 0) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err),
			 "out of memory for the policy (rule engine contexts)");
	}
	if (rc < 0) {
		set_waf_state(c, WW_CONTROL_WAF_FAILED, err);
		CTL_LOG(ERR,
			"waf failed: %s; requests to the [http] ports keep following [exceptions] waf_not_ready = %s (wirewallctl waf reload tries again)",
			err, not_ready_action(c));
		return;
	}
	snprintf(how, sizeof(how),
		 ", compiled in the background in %.1f s; meanwhile %" PRIu64
		 " request(s) followed [exceptions] waf_not_ready",
		 secs, not_ready_count(c));
	log_waf_ready(c, how);
}

void ww_control_started(struct ww_control *c, const char *what)
{
	c->forwarding = true;
	if (c->waf_state == WW_CONTROL_WAF_COMPILING) {
		CTL_LOG(NOTICE,
			"ready: forwarding %s; waf compiling (requests to the [http] ports follow [exceptions] waf_not_ready = %s until it is in force)",
			what, not_ready_action(c));
		return;
	}
	CTL_LOG(NOTICE, "ready: forwarding %s; waf %s", what,
		c->waf_state == WW_CONTROL_WAF_IN_FORCE ? "in force" : "off");
	log_waf_ready(c, ", read from the compile cache");
}

json_t *ww_control_status_json(struct ww_control *c)
{
	const struct ww_policy *p = c->o.ctx->policy;
	const enum ww_control_waf s = c->waf_state;
	json_t *o = json_object();

	json_object_set_new(
		o, "ready",
		json_boolean(c->forwarding && (s == WW_CONTROL_WAF_IN_FORCE ||
					       s == WW_CONTROL_WAF_OFF)));
	json_object_set_new(o, "forwarding", json_boolean(c->forwarding));
	json_object_set_new(o, "waf", json_string(ww_control_waf_name(s)));
	json_object_set_new(
		o, "waf_seconds",
		json_integer((json_int_t)(mono_s() - c->waf_since)));
	if (p->waf != NULL) {
		unsigned int rules, unsupported;

		ww_waf_counts(p->waf, &rules, &unsupported);
		json_object_set_new(o, "waf_rules", json_integer(rules));
	}
	if (s == WW_CONTROL_WAF_FAILED)
		json_object_set_new(o, "waf_error", json_string(c->waf_error));
	json_object_set_new(o, "waf_not_ready",
			    json_string(not_ready_action(c)));
	json_object_set_new(o, "waf_not_ready_requests",
			    json_integer((json_int_t)not_ready_count(c)));
	json_object_set_new(o, "policy",
			    json_integer((json_int_t)p->generation));
	return o;
}

void ww_control_tick(struct ww_control *c, uint64_t now_ns)
{
	struct ww_pipeline_ctx *ctx = c->o.ctx;
	char err[512];

	c->now_ns = now_ns;
	ww_control_drain(c, EVENTS_PER_TICK);
	drain_responses(c);
	ww_response_tick(c->resp, ctx->policy->conf, now_ns);
	if (ww_block_expire(ctx->block, now_ns) > 0 &&
	    ww_block_commit(ctx->block, err, sizeof(err)) < 0)
		CTL_LOG(ERR, "block lists: %s", err);
	ww_auth_expire(ctx->auth, now_ns);
	waf_job_poll(c);
	ww_ctl_socket_poll(c->sock, ww_control_command, c);
	ww_metrics_poll(c->metrics);
	if (c->o.n_workers > 1 && c->o.workers[0].limits.e != NULL &&
	    now_ns - c->last_rebalance_ns >= REBALANCE_NS) {
		struct ww_limit_table *tables[RTE_MAX_LCORE];
		unsigned int i;

		for (i = 0; i < c->o.n_workers; i++)
			tables[i] = &c->o.workers[i].limits;
		ww_limit_rebalance(tables, c->o.n_workers);
		c->last_rebalance_ns = now_ns;
	}
}

/* The rule set depends on these keys (the others are read per request
 * from the policy's configuration). */
static bool waf_keys_differ(const struct ww_conf *a, const struct ww_conf *b)
{
	return a->waf_enabled != b->waf_enabled ||
	       strcmp(a->waf_crs_setup, b->waf_crs_setup) != 0 ||
	       strcmp(a->waf_rules_dir, b->waf_rules_dir) != 0 ||
	       memcmp(a->waf_site_rules, b->waf_site_rules,
		      sizeof(a->waf_site_rules)) != 0 ||
	       a->waf_paranoia_level != b->waf_paranoia_level ||
	       a->waf_anomaly_threshold != b->waf_anomaly_threshold ||
	       strcmp(a->waf_cache_dir, b->waf_cache_dir) != 0 ||
	       a->waf_regex_match_limit != b->waf_regex_match_limit ||
	       strcmp(a->waf_allowed_methods, b->waf_allowed_methods) != 0 ||
	       strcmp(a->waf_allowed_content_types,
		      b->waf_allowed_content_types) != 0 ||
	       strcmp(a->waf_restricted_extensions,
		      b->waf_restricted_extensions) != 0 ||
	       strcmp(a->waf_restricted_headers, b->waf_restricted_headers) !=
		       0 ||
	       strcmp(a->waf_rule_exclusions, b->waf_rule_exclusions) != 0 ||
	       strcmp(a->waf_target_exclusions, b->waf_target_exclusions) != 0;
}

/* "section.key" of a "section.key=value". */
static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq == NULL ? strlen(kv) : (size_t)(eq - kv);
}

int ww_control_configure(struct ww_control *c, const char *kv, char *msg,
			 size_t len)
{
	const struct ww_policy *old = c->o.ctx->policy;
	const char *list[2 * WW_CONTROL_MAX_SETS + 1];
	struct ww_conf *conf;
	struct ww_policy *next;
	struct ww_waf *waf = NULL;
	unsigned int n = 0, i;
	char err[WW_CONF_ERR_MAX * 2];
	bool new_waf;

	if (kv != NULL && strchr(kv, '=') == NULL) {
		snprintf(msg, len, "'%s': expected SECTION.KEY=VALUE", kv);
		return -EINVAL;
	}
	/* "reload" reads the revocations file again too. */
	if (kv == NULL && c->o.ctx->auth != NULL &&
	    ww_auth_reload_revoked(c->o.ctx->auth, err, sizeof(err)) < 0) {
		snprintf(msg, len, "%s; the configuration in force stays", err);
		return -EINVAL;
	}
	old = c->o.ctx->policy;
	/* The start's --set, then the run-time sets, then this one. */
	for (i = 0; i < c->o.n_overrides && n < WW_CONTROL_MAX_SETS; i++)
		list[n++] = c->o.overrides[i];
	for (i = 0; i < c->n_sets; i++)
		list[n++] = c->sets[i];
	if (kv != NULL)
		list[n++] = kv;
	conf = malloc(sizeof(*conf));
	if (conf == NULL) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	if (ww_conf_load(c->o.conf_path, list, n, conf, err, sizeof(err)) < 0) {
		snprintf(msg, len, "%s; the configuration in force stays", err);
		free(conf);
		return -EINVAL;
	}
	if (ww_conf_static_diff(c->o.conf, conf, err, sizeof(err)) < 0) {
		snprintf(
			msg, len,
			"cannot change while running (restart for them): %s; the configuration in force stays",
			err);
		free(conf);
		return -EPERM;
	}
	/* Other model files: loaded (and checked) first, so that a refused
	 * one leaves everything as it is. */
	if (strcmp(old->conf->detect_classifier, conf->detect_classifier) !=
		    0 ||
	    strcmp(old->conf->detect_anomaly, conf->detect_anomaly) != 0) {
		if (ww_models_load(conf, c->o.ctx, err, sizeof(err)) < 0) {
			snprintf(
				msg, len,
				"%s; the configuration and models in force stay",
				err);
			free(conf);
			return -EINVAL;
		}
	}
	new_waf = waf_keys_differ(old->conf, conf);
	if (new_waf && c->job != NULL) {
		snprintf(
			msg, len,
			"the rule set of the start is still compiling (%.0f s so far): [waf] keys can change once it is in force (wirewallctl status); the configuration in force stays",
			waf_job_seconds(c->job));
		free(conf);
		return -EBUSY;
	}
	if (new_waf && ww_control_load_waf(conf, &waf, err, sizeof(err)) < 0) {
		snprintf(msg, len, "%s; the configuration in force stays", err);
		free(conf);
		return -EINVAL;
	}
	next = ww_policy_build(conf, conf, waf, new_waf ? NULL : old,
			       c->o.n_workers, old->generation + 1);
	if (next == NULL) {
		snprintf(msg, len,
			 "out of memory; the configuration in force stays");
		return -ENOMEM;
	}
	publish(c, next);
	if (new_waf)
		set_waf_state(c,
			      next->waf != NULL ? WW_CONTROL_WAF_IN_FORCE
						: WW_CONTROL_WAF_OFF,
			      NULL);
	if (kv != NULL) {
		/* Remembered, so a later "set" or "reload" keeps it. */
		for (i = 0; i < c->n_sets; i++)
			if (key_len(c->sets[i]) == key_len(kv) &&
			    strncmp(c->sets[i], kv, key_len(kv)) == 0)
				break;
		if (i < c->n_sets) {
			free(c->sets[i]);
			c->sets[i] = strdup(kv);
		} else if (c->n_sets < WW_CONTROL_MAX_SETS) {
			c->sets[c->n_sets++] = strdup(kv);
		}
	}
	snprintf(msg, len, "policy %" PRIu64 " in force%s", next->generation,
		 new_waf ? " (rule set recompiled)" : "");
	CTL_LOG(NOTICE, "%s: %s", kv != NULL ? kv : "configuration re-read",
		msg);
	return 0;
}

int ww_control_waf_reload(struct ww_control *c, char *msg, size_t len)
{
	const struct ww_policy *old = c->o.ctx->policy;
	struct ww_waf *set = NULL;
	unsigned int rules, unsupported, hs, pcre_only;
	size_t bytes;
	double secs;
	char err[1024];

	if (!old->conf->waf_enabled) {
		snprintf(msg, len, "[waf] is off in the configuration");
		return -EINVAL;
	}
	if (c->job != NULL) {
		snprintf(
			msg, len,
			"the rule set of the start is still compiling (%.0f s so far); it goes in force by itself when done (wirewallctl status)",
			waf_job_seconds(c->job));
		return -EBUSY;
	}
	if (ww_control_load_waf(old->conf, &set, err, sizeof(err)) < 0) {
		snprintf(msg, len, "%s; the rules in force stay", err);
		return -EINVAL;
	}
	ww_waf_counts(set, &rules, &unsupported);
	ww_waf_compiled(set, &hs, &pcre_only, &bytes, &secs);
	/* Everything but the rule set as in force. */
	if (waf_in_force(c, set) < 0) {
		snprintf(msg, len, "out of memory; the rules in force stay");
		return -ENOMEM;
	}
	snprintf(msg, len,
		 "%u rules in force (policy %" PRIu64 "), ready in %.2f s",
		 rules, c->o.ctx->policy->generation, secs);
	CTL_LOG(NOTICE, "[waf] reloaded: %s", msg);
	return 0;
}

/* Append "@what: @text" (or "@what refused: @text") to @msg. */
static void reload_part(char *msg, size_t len, size_t *at, const char *what,
			int rc, const char *text)
{
	if (*at >= len)
		return;
	*at += (size_t)snprintf(msg + *at, len - *at, "%s%s%s: %s",
				*at ? "; " : "", what, rc < 0 ? " refused" : "",
				text);
}

int ww_control_reload(struct ww_control *c, char *msg, size_t len)
{
	char part[1400], err[1024];
	size_t at = 0;
	int rc, bad = 0;

	msg[0] = '\0';
	/* Each part on its own: one that fails is refused with its reason,
	 * and the others still take the files as they are now. */
	rc = ww_control_configure(c, NULL, part, sizeof(part));
	bad |= rc < 0;
	reload_part(msg, len, &at, "configuration", rc, part);
	if (c->o.ctx->policy->waf != NULL) {
		rc = ww_control_waf_reload(c, part, sizeof(part));
		bad |= rc < 0;
		reload_part(msg, len, &at, "rules", rc, part);
	}
	rc = ww_control_model_reload(c, part, sizeof(part));
	bad |= rc < 0;
	reload_part(msg, len, &at, "models", rc, part);
	if (c->o.ctx->block != NULL) {
		rc = ww_block_reload(c->o.ctx->block, c->o.ctx->policy->conf,
				     err, sizeof(err));
		bad |= rc < 0;
		reload_part(msg, len, &at, "block lists", rc,
			    rc < 0 ? err : "re-read");
	}
	if (bad)
		CTL_LOG(WARNING, "reload: %s", msg);
	else
		CTL_LOG(NOTICE, "reload: %s", msg);
	return bad ? -EINVAL : 0;
}
