/* SPDX-License-Identifier: BSD-3-Clause */
/* The escalation ladder. See ww_response.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_random.h>

#include "ww_pipeline.h"
#include "ww_response.h"

#define NS_PER_SEC 1000000000ull
/* Expiry and forgetting are looked at once a second. */
#define SCAN_NS NS_PER_SEC
/* Sources sampled for the one to forget when the table is full. */
#define EVICT_SAMPLES 8
/* `offenders` lists at most this many sources (highest rungs first). */
#define LIST_MAX 1024

struct offender_key {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
} __attribute__((packed));

struct reason {
	uint64_t ts_ns;
	uint32_t sid;
	uint8_t kind;
	float weight;
	char category[32];
};

struct offender {
	struct offender_key key;
	bool in_use;
	bool dry;	   /* the step was only logged (dry run) */
	uint8_t step;	   /* enum ww_response_step */
	uint8_t refused;   /* the rung last refused (logged once) */
	uint16_t offences; /* blocks so far: the next block's TTL grows */
	double score;	   /* evidence as of score_ns */
	uint64_t score_ns;
	uint64_t until_ns; /* the step's end */
	uint64_t last_ns;  /* last evidence */
	uint64_t step_ns;  /* last step taken */
	uint8_t svc_family, svc_addr[16];
	uint16_t svc_port;
	uint8_t n_reasons, next_reason;
	struct reason reasons[WW_RESPONSE_REASONS];
};

struct ww_response {
	struct rte_hash *index;
	struct offender *o; /* [capacity], by the index's key position */
	uint32_t capacity;
	struct ww_block *block;
	struct ww_event_log *log;
	ww_response_escalate_fn escalate;
	void *escalate_arg;
	double tokens; /* actions left this minute */
	uint64_t tokens_ns;
	uint64_t next_scan_ns;
	uint32_t entries; /* blocks and throttles of the ladder in force */
	bool dirty;	  /* block-list changes to publish */
	struct ww_response_stats st;
};

static const char *const step_names[WW_STEP_MAX] = {"none", "throttle", "block",
						    "escalate"};
static const char *const kind_names[WW_RESPONSE_KINDS] = {
	"waf",	 "protocol", "rate_limit", "auth",
	"model", "anomaly",  "blocklist"};

static const char *const refusal_names[WW_REFUSAL_MAX] = {
	"never", "exception", "max_entries", "actions_per_minute",
	"block_lists"};

const char *ww_response_refusal_name(enum ww_response_refusal f)
{
	return (unsigned int)f < WW_REFUSAL_MAX ? refusal_names[f] : "?";
}

const char *ww_response_step_name(enum ww_response_step s)
{
	return (unsigned int)s < WW_STEP_MAX ? step_names[s] : "?";
}

const char *ww_response_kind_name(enum ww_response_kind k)
{
	return (unsigned int)k < WW_RESPONSE_KINDS ? kind_names[k] : "?";
}

enum ww_response_kind ww_response_kind_of(const struct ww_event_alert *a)
{
	const uint32_t sid = a->signature_id;

	if (sid >= WW_SID_BLOCK && sid < WW_SID_BLOCK + 10)
		return WW_RESPONSE_BLOCKLIST;
	if (sid >= WW_SID_RATE_LIMIT && sid < WW_SID_RATE_LIMIT + 10)
		return WW_RESPONSE_RATE_LIMIT;
	if (sid >= WW_SID_AUTH && sid < WW_SID_AUTH + 20)
		return WW_RESPONSE_AUTH;
	if (sid >= WW_SID_MODEL && sid < WW_SID_ANOMALY)
		return WW_RESPONSE_MODEL;
	if (sid == WW_SID_ANOMALY)
		return WW_RESPONSE_ANOMALY;
	if (strcmp(a->category, "protocol-violation") == 0)
		return WW_RESPONSE_PROTOCOL;
	return WW_RESPONSE_WAF; /* the rule engine's rules, site rules */
}

struct ww_response *ww_response_create(const struct ww_conf *conf,
				       struct ww_block *block,
				       struct ww_event_log *log, char *err,
				       size_t err_len)
{
	static unsigned int seq;
	struct ww_response *r = calloc(1, sizeof(*r));
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = conf->response_max_offenders,
		.key_len = sizeof(struct offender_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
	};

	if (r == NULL)
		goto nomem;
	snprintf(name, sizeof(name), "ww_offenders_%u", seq++);
	r->index = rte_hash_create(&hp);
	/* Key positions run up to the table's entries (one more slot than
	 * asked for may be handed out). */
	r->capacity = conf->response_max_offenders + 1;
	r->o = calloc(r->capacity, sizeof(*r->o));
	if (r->index == NULL || r->o == NULL)
		goto nomem;
	r->block = block;
	r->log = log;
	r->tokens = conf->response_actions_per_minute;
	return r;
nomem:
	snprintf(err, err_len,
		 "out of memory for %u offenders ([response] max_offenders)",
		 conf->response_max_offenders);
	ww_response_destroy(r);
	return NULL;
}

void ww_response_destroy(struct ww_response *r)
{
	if (r == NULL)
		return;
	rte_hash_free(r->index);
	free(r->o);
	free(r);
}

void ww_response_set_escalation(struct ww_response *r,
				ww_response_escalate_fn fn, void *arg)
{
	r->escalate = fn;
	r->escalate_arg = arg;
}

/* @o's evidence at @now_ns: halved every half_life seconds. */
static double score_at(const struct offender *o, const struct ww_conf *conf,
		       uint64_t now_ns)
{
	double age;

	if (now_ns <= o->score_ns)
		return o->score;
	age = (double)(now_ns - o->score_ns) / NS_PER_SEC;
	return o->score * exp2(-age / conf->response_half_life);
}

static void source_cidr(const struct offender *o, struct ww_cidr *c)
{
	memset(c, 0, sizeof(*c));
	c->family = o->key.family;
	c->prefix_len = o->key.family == AF_INET ? 32 : 128;
	memcpy(c->addr, o->key.addr, 16);
}

/* ---- events ---- */

static json_t *addr_json(uint8_t family, const uint8_t *addr)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	return json_string(a);
}

static json_t *reasons_json(const struct offender *o)
{
	json_t *arr = json_array();
	unsigned int i;

	/* Oldest first. */
	for (i = 0; i < o->n_reasons; i++) {
		const struct reason *x =
			&o->reasons[(o->next_reason + WW_RESPONSE_REASONS -
				     o->n_reasons + i) %
				    WW_RESPONSE_REASONS];
		char ts[48];

		ww_event_format_time(x->ts_ns, ts, sizeof(ts));
		json_array_append_new(
			arr, json_pack("{s:s, s:I, s:s, s:s, s:f}", "timestamp",
				       ts, "signature_id", (json_int_t)x->sid,
				       "category", x->category, "kind",
				       ww_response_kind_name(x->kind), "weight",
				       (double)x->weight));
	}
	return arr;
}

/* A "response" event: @action taken (or refused: @refused says why) for
 * @o, now at rung @o->step (before: @from). */
static void emit(struct ww_response *r, const struct ww_conf *conf,
		 const struct offender *o, uint64_t now_ns, const char *action,
		 enum ww_response_step from, uint64_t ttl_s,
		 const char *refused, const char *detail)
{
	json_t *top, *body;

	if (r->log == NULL)
		return;
	top = json_object();
	json_object_set_new(top, "src_ip",
			    addr_json(o->key.family, o->key.addr));
	if (o->svc_family != 0) {
		json_object_set_new(top, "dest_ip",
				    addr_json(o->svc_family, o->svc_addr));
		json_object_set_new(top, "dest_port",
				    json_integer(o->svc_port));
		json_object_set_new(top, "proto", json_string("TCP"));
	}
	body = json_object();
	json_object_set_new(body, "action", json_string(action));
	json_object_set_new(body, "step",
			    json_string(ww_response_step_name(o->step)));
	json_object_set_new(body, "previous_step",
			    json_string(ww_response_step_name(from)));
	json_object_set_new(
		body, "score",
		json_real(round(score_at(o, conf, now_ns) * 1000) / 1000));
	if (ttl_s > 0)
		json_object_set_new(body, "ttl",
				    json_integer((json_int_t)ttl_s));
	json_object_set_new(body, "offences", json_integer(o->offences));
	json_object_set_new(body, "dry_run",
			    json_boolean(conf->response_dry_run || o->dry));
	if (refused != NULL)
		json_object_set_new(body, "refused", json_string(refused));
	if (detail != NULL)
		json_object_set_new(body, "detail", json_string(detail));
	json_object_set_new(body, "reasons", reasons_json(o));
	ww_event_log_emit_ext(r->log, now_ns, "response", top,
			      json_pack("{s:o}", "response", body));
}

/* ---- the ladder ---- */

/* Actions left this minute (a bucket of actions_per_minute, refilled
 * continuously); takes one when there is one. */
static bool action_token(struct ww_response *r, const struct ww_conf *conf,
			 uint64_t now_ns)
{
	const double cap = conf->response_actions_per_minute;

	if (now_ns > r->tokens_ns) {
		r->tokens += (double)(now_ns - r->tokens_ns) / NS_PER_SEC *
			     cap / 60.0;
		if (r->tokens > cap)
			r->tokens = cap;
	}
	r->tokens_ns = now_ns;
	if (r->tokens < 1.0)
		return false;
	r->tokens -= 1.0;
	return true;
}

static void refuse(struct ww_response *r, const struct ww_conf *conf,
		   struct offender *o, uint64_t now_ns,
		   enum ww_response_step target, enum ww_response_refusal why,
		   const char *detail)
{
	r->st.refused[why]++;
	if (o->refused == target)
		return; /* said once per rung */
	o->refused = (uint8_t)target;
	emit(r, conf, o, now_ns, ww_response_step_name(target), o->step, 0,
	     refusal_names[why], detail);
}

/* Seconds the block of @o's next offence lasts. */
static uint64_t block_ttl(const struct offender *o, const struct ww_conf *conf)
{
	double ttl = conf->response_block_ttl *
		     pow(conf->response_ttl_growth, o->offences);

	return ttl > conf->response_block_ttl_max ? conf->response_block_ttl_max
						  : (uint64_t)ttl;
}

/* Move @o up to rung @target (above its own). */
static void step_up(struct ww_response *r, const struct ww_conf *conf,
		    struct offender *o, enum ww_response_step target,
		    uint64_t now_ns)
{
	const enum ww_response_step from = (enum ww_response_step)o->step;
	const bool dry = conf->response_dry_run;
	const bool new_entry = from == WW_STEP_NONE || o->dry;
	struct ww_cidr cidr;
	char err[256] = "", detail[300];
	uint64_t ttl;
	int rc = 0;

	source_cidr(o, &cidr);
	if (ww_cidr_list_contains(conf->response_never, conf->n_response_never,
				  cidr.family, cidr.addr)) {
		refuse(r, conf, o, now_ns, target, WW_REFUSAL_NEVER,
		       "the source is in [response] never");
		return;
	}
	if (!dry && new_entry && r->entries >= conf->response_max_entries) {
		refuse(r, conf, o, now_ns, target, WW_REFUSAL_MAX_ENTRIES,
		       "[response] max_entries blocks and throttles in force");
		return;
	}
	if (!action_token(r, conf, now_ns)) {
		refuse(r, conf, o, now_ns, target,
		       WW_REFUSAL_ACTIONS_PER_MINUTE,
		       "[response] actions_per_minute reached");
		return;
	}
	ttl = target == WW_STEP_THROTTLE ? conf->response_throttle_ttl
					 : block_ttl(o, conf);
	if (!dry && r->block != NULL) {
		rc = ww_block_add_kind(
			r->block, &cidr,
			target == WW_STEP_THROTTLE ? WW_BLOCK_THROTTLE
						   : WW_BLOCK_DYNAMIC,
			now_ns + ttl * NS_PER_SEC, err, sizeof(err));
		if (rc == -EPERM) {
			refuse(r, conf, o, now_ns, target, WW_REFUSAL_EXCEPTION,
			       err);
			return;
		}
		if (rc < 0 && rc != -EEXIST) {
			refuse(r, conf, o, now_ns, target,
			       WW_REFUSAL_BLOCK_LISTS, err);
			return;
		}
		r->dirty = true;
	}
	detail[0] = '\0';
	if (target == WW_STEP_ESCALATE) {
		if (dry)
			snprintf(detail, sizeof(detail), "dry run");
		else if (r->escalate == NULL)
			snprintf(detail, sizeof(detail),
				 "no escalation action configured: blocked");
		else if (r->escalate(r->escalate_arg, false, &cidr,
				     o->svc_family, o->svc_addr, o->svc_port,
				     err, sizeof(err)) < 0)
			snprintf(detail, sizeof(detail),
				 "escalation action failed: %s", err);
	} else if (rc == -EEXIST) {
		snprintf(detail, sizeof(detail), "%s", err);
	}
	if (target >= WW_STEP_BLOCK && (from < WW_STEP_BLOCK || o->dry) && !dry)
		o->offences++;
	if (new_entry && !dry)
		r->entries++;
	o->step = (uint8_t)target;
	o->dry = dry;
	o->refused = WW_STEP_NONE;
	o->until_ns = now_ns + ttl * NS_PER_SEC;
	o->step_ns = now_ns;
	r->st.steps[target]++;
	if (dry)
		r->st.dry_run++;
	emit(r, conf, o, now_ns, ww_response_step_name(target), from, ttl, NULL,
	     detail[0] ? detail : NULL);
}

/* The rung @score reaches (a threshold of 0 is a rung turned off). */
static enum ww_response_step rung_for(const struct ww_conf *conf, double score)
{
	if (conf->response_escalate_at > 0 &&
	    score >= conf->response_escalate_at)
		return WW_STEP_ESCALATE;
	if (conf->response_block_at > 0 && score >= conf->response_block_at)
		return WW_STEP_BLOCK;
	if (conf->response_throttle_at > 0 &&
	    score >= conf->response_throttle_at)
		return WW_STEP_THROTTLE;
	return WW_STEP_NONE;
}

/* The least valuable tracked source of a few sampled: no step, lowest
 * score. @return its position, or -1. */
static int32_t evict_candidate(const struct ww_response *r,
			       const struct ww_conf *conf, uint64_t now_ns)
{
	int32_t best = -1;
	double best_score = INFINITY;
	unsigned int i;

	for (i = 0; i < EVICT_SAMPLES * 4 && i < r->capacity; i++) {
		const uint32_t k = (uint32_t)(rte_rand() % r->capacity);
		const struct offender *o = &r->o[k];
		double s;

		if (!o->in_use || o->step != WW_STEP_NONE)
			continue;
		s = score_at(o, conf, now_ns);
		if (s < best_score) {
			best_score = s;
			best = (int32_t)k;
		}
	}
	return best;
}

static void forget(struct ww_response *r, struct offender *o)
{
	rte_hash_del_key(r->index, &o->key);
	memset(o, 0, sizeof(*o));
	r->st.offenders--;
}

static struct offender *find_or_add(struct ww_response *r,
				    const struct ww_conf *conf,
				    const struct offender_key *key,
				    uint64_t now_ns)
{
	int32_t pos = rte_hash_lookup(r->index, key);

	if (pos >= 0)
		return &r->o[pos];
	pos = rte_hash_add_key(r->index, key);
	if (pos < 0) {
		const int32_t victim = evict_candidate(r, conf, now_ns);

		if (victim < 0) {
			r->st.offenders_untracked++;
			return NULL;
		}
		forget(r, &r->o[victim]);
		r->st.offenders_forgotten++;
		pos = rte_hash_add_key(r->index, key);
		if (pos < 0) {
			r->st.offenders_untracked++;
			return NULL;
		}
	}
	if ((uint32_t)pos >= r->capacity) {
		rte_hash_del_key(r->index, key);
		r->st.offenders_untracked++;
		return NULL;
	}
	memset(&r->o[pos], 0, sizeof(r->o[pos]));
	r->o[pos].key = *key;
	r->o[pos].in_use = true;
	r->o[pos].score_ns = now_ns;
	r->st.offenders++;
	return &r->o[pos];
}

void ww_response_observe(struct ww_response *r, const struct ww_conf *conf,
			 const struct ww_event *ev)
{
	const struct ww_event_alert *a = &ev->alert;
	struct offender_key key;
	enum ww_response_kind kind;
	enum ww_response_step target;
	struct offender *o;
	struct reason *x;
	double weight;

	if (r == NULL || !conf->response_enabled ||
	    ev->type != WW_EVENT_ALERT || ev->family == 0)
		return;
	kind = ww_response_kind_of(a);
	weight = conf->response_weight[kind];
	/* Models that may only alert ([detect] may_act, anomaly_may_act
	 * no) do not act through the ladder either. */
	if ((kind == WW_RESPONSE_MODEL && !conf->detect_may_act) ||
	    (kind == WW_RESPONSE_ANOMALY && !conf->detect_anomaly_may_act))
		return;
	if (!(weight > 0))
		return;
	/* A verdict on an address a blind spoofer could have chosen must
	 * not make the appliance block that address. */
	if (!a->source_verified) {
		r->st.unverified++;
		return;
	}
	memset(&key, 0, sizeof(key));
	key.family = ev->family == 6 ? AF_INET6 : AF_INET;
	memcpy(key.addr, ev->src_ip, ev->family == 6 ? 16 : 4);
	o = find_or_add(r, conf, &key, ev->ts_ns);
	if (o == NULL)
		return;
	r->st.evidence++;
	o->score = score_at(o, conf, ev->ts_ns) + weight;
	if (ev->ts_ns > o->score_ns)
		o->score_ns = ev->ts_ns;
	o->last_ns = ev->ts_ns;
	if (ev->dest_port != 0) {
		o->svc_family = key.family;
		memcpy(o->svc_addr, ev->dest_ip, 16);
		o->svc_port = ev->dest_port;
	}
	x = &o->reasons[o->next_reason];
	o->next_reason = (uint8_t)((o->next_reason + 1) % WW_RESPONSE_REASONS);
	if (o->n_reasons < WW_RESPONSE_REASONS)
		o->n_reasons++;
	x->ts_ns = ev->ts_ns;
	x->sid = a->signature_id;
	x->kind = (uint8_t)kind;
	x->weight = (float)weight;
	snprintf(x->category, sizeof(x->category), "%s", a->category);
	target = rung_for(conf, o->score);
	/* A step only logged (dry run) does not hold the source once dry run
	 * is off. */
	if (target >
	    (o->dry && !conf->response_dry_run ? WW_STEP_NONE : o->step))
		step_up(r, conf, o, target, ev->ts_ns);
}

/* @o's step ran out: undone (the block-list entry expires by itself at
 * the same time; an escalation is undone through its hook). */
static void expire(struct ww_response *r, const struct ww_conf *conf,
		   struct offender *o, uint64_t now_ns)
{
	const enum ww_response_step from = (enum ww_response_step)o->step;
	struct ww_cidr cidr;
	char err[256], detail[300] = "";

	if (from == WW_STEP_ESCALATE && !o->dry && r->escalate != NULL) {
		source_cidr(o, &cidr);
		if (r->escalate(r->escalate_arg, true, &cidr, o->svc_family,
				o->svc_addr, o->svc_port, err, sizeof(err)) < 0)
			snprintf(detail, sizeof(detail),
				 "undoing the escalation failed: %s", err);
	}
	if (!o->dry && r->entries > 0)
		r->entries--;
	o->step = WW_STEP_NONE;
	o->until_ns = 0;
	r->st.expired++;
	emit(r, conf, o, now_ns, "expire", from, 0, NULL,
	     detail[0] ? detail : NULL);
	o->dry = false;
}

void ww_response_tick(struct ww_response *r, const struct ww_conf *conf,
		      uint64_t now_ns)
{
	char err[512];
	uint32_t i;

	if (r == NULL)
		return;
	if (now_ns >= r->next_scan_ns) {
		r->next_scan_ns = now_ns + SCAN_NS;
		for (i = 0; i < r->capacity; i++) {
			struct offender *o = &r->o[i];

			if (!o->in_use)
				continue;
			if (o->step != WW_STEP_NONE && now_ns >= o->until_ns)
				expire(r, conf, o, now_ns);
			/* Forgotten once its evidence is all but gone and a
			 * repeat offence could no longer grow a TTL. */
			if (o->step == WW_STEP_NONE &&
			    score_at(o, conf, now_ns) < 0.01 &&
			    now_ns - o->step_ns >=
				    (uint64_t)conf->response_block_ttl_max *
					    NS_PER_SEC)
				forget(r, o);
		}
		if (r->block != NULL && ww_block_expire(r->block, now_ns) > 0)
			r->dirty = true;
	}
	if (r->dirty && r->block != NULL) {
		if (ww_block_commit(r->block, err, sizeof(err)) < 0)
			fprintf(stderr, "wirewall: response: block lists: %s\n",
				err);
		else
			r->dirty = false;
	}
}

static int by_rung(const void *a, const void *b)
{
	const struct offender *x = *(const struct offender *const *)a,
			      *y = *(const struct offender *const *)b;

	if (x->step != y->step)
		return y->step - x->step;
	return (y->score > x->score) - (y->score < x->score);
}

json_t *ww_response_offenders_json(const struct ww_response *r,
				   const struct ww_conf *conf, uint64_t now_ns)
{
	json_t *arr = json_array();
	const struct offender **list;
	uint32_t i, n = 0;

	if (r == NULL)
		return arr;
	list = calloc(r->capacity, sizeof(*list));
	if (list == NULL)
		return arr;
	for (i = 0; i < r->capacity; i++)
		if (r->o[i].in_use)
			list[n++] = &r->o[i];
	qsort(list, n, sizeof(*list), by_rung);
	for (i = 0; i < n && i < LIST_MAX; i++) {
		const struct offender *o = list[i];
		json_t *e = json_object();
		char ts[48];

		json_object_set_new(e, "src_ip",
				    addr_json(o->key.family, o->key.addr));
		json_object_set_new(
			e, "step", json_string(ww_response_step_name(o->step)));
		json_object_set_new(
			e, "score",
			json_real(round(score_at(o, conf, now_ns) * 1000) /
				  1000));
		if (o->step != WW_STEP_NONE)
			json_object_set_new(
				e, "ttl_remaining",
				json_integer(
					(json_int_t)((o->until_ns > now_ns
							      ? o->until_ns -
									now_ns
							      : 0) /
						     NS_PER_SEC)));
		json_object_set_new(e, "offences", json_integer(o->offences));
		json_object_set_new(e, "dry_run", json_boolean(o->dry));
		ww_event_format_time(o->last_ns, ts, sizeof(ts));
		json_object_set_new(e, "last_seen", json_string(ts));
		if (o->svc_family != 0) {
			json_object_set_new(
				e, "dest_ip",
				addr_json(o->svc_family, o->svc_addr));
			json_object_set_new(e, "dest_port",
					    json_integer(o->svc_port));
		}
		json_object_set_new(e, "reasons", reasons_json(o));
		json_array_append_new(arr, e);
	}
	free(list);
	return arr;
}

void ww_response_get_stats(const struct ww_response *r,
			   struct ww_response_stats *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	if (r == NULL)
		return;
	*s = r->st;
	memset(s->in_force, 0, sizeof(s->in_force));
	for (i = 0; i < r->capacity; i++)
		if (r->o[i].in_use)
			s->in_force[r->o[i].step]++;
}

json_t *ww_response_stats_json(const struct ww_response *r)
{
	struct ww_response_stats s;
	json_t *o = json_object(), *steps = json_object(),
	       *force = json_object(), *ref = json_object();
	unsigned int i;

	ww_response_get_stats(r, &s);
	for (i = 1; i < WW_STEP_MAX; i++) {
		json_object_set_new(steps, step_names[i],
				    json_integer((json_int_t)s.steps[i]));
		json_object_set_new(force, step_names[i],
				    json_integer((json_int_t)s.in_force[i]));
	}
	for (i = 0; i < WW_REFUSAL_MAX; i++)
		json_object_set_new(ref, refusal_names[i],
				    json_integer((json_int_t)s.refused[i]));
	json_object_set_new(o, "evidence",
			    json_integer((json_int_t)s.evidence));
	json_object_set_new(o, "unverified",
			    json_integer((json_int_t)s.unverified));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "in_force", force);
	json_object_set_new(o, "expired", json_integer((json_int_t)s.expired));
	json_object_set_new(o, "refused", ref);
	json_object_set_new(o, "dry_run", json_integer((json_int_t)s.dry_run));
	json_object_set_new(o, "offenders",
			    json_integer((json_int_t)s.offenders));
	json_object_set_new(o, "offenders_forgotten",
			    json_integer((json_int_t)s.offenders_forgotten));
	json_object_set_new(o, "offenders_untracked",
			    json_integer((json_int_t)s.offenders_untracked));
	return o;
}
