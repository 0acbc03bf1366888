/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_RESPONSE_H
#define WW_RESPONSE_H
/*
 * The escalation ladder ([response]): verdicts become lasting responses.
 *
 * Every alert a worker raises (WAF, protocol violation, rate limit, auth
 * failure, model class, anomaly) is evidence against its source, with a
 * weight per kind of verdict; evidence decays (it halves every half_life
 * seconds). A source whose score crosses a step's threshold moves up the
 * ladder: throttle (its new connections rate limited, throttle_ttl) ->
 * block (block_ttl, growing by ttl_growth with each repeat offence up to
 * block_ttl_max) -> escalate (the Kubernetes action for the service it
 * targets, through the hook ww_response_set_escalation gives). A step
 * undoes itself when its TTL runs out. Throttles and blocks are dynamic
 * entries of the block lists (lib/block), so the workers enforce them
 * with the lookup they already make.
 *
 * Safety rails: only verdicts on sources with a return path count (a
 * spoofed SYN flood must not make wirewall block the addresses it
 * forged); prefixes in [response] never are never acted on (nor those in
 * the block lists' exceptions); at most max_entries blocks and throttles
 * at once and actions_per_minute steps a minute; dry_run logs every step
 * and takes none. Every step, undo and refusal is a "response" EVE event
 * whose "wirewall" object says the step, the score, the TTL and the chain
 * of verdicts that led to it.
 *
 * Memory: max_offenders sources, each with its last WW_RESPONSE_REASONS
 * verdicts; when full, an idle low-score source is forgotten (sampled),
 * else the new one is not tracked (counted).
 *
 * Thread use: control thread only (offline mode: the one thread).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ww_block.h"
#include "ww_conf.h"
#include "ww_event.h"

/* Kinds of evidence, in [response] weight_* order. */
enum ww_response_kind {
	WW_RESPONSE_WAF = 0,
	WW_RESPONSE_PROTOCOL,
	WW_RESPONSE_RATE_LIMIT,
	WW_RESPONSE_AUTH,
	WW_RESPONSE_MODEL,
	WW_RESPONSE_ANOMALY,
	WW_RESPONSE_BLOCKLIST,
	WW_RESPONSE_KINDS
};

/* Rungs of the ladder. */
enum ww_response_step {
	WW_STEP_NONE = 0,
	WW_STEP_THROTTLE,
	WW_STEP_BLOCK,
	WW_STEP_ESCALATE,
	WW_STEP_MAX
};

/* The safety rails that refuse a step (the "refused" of its event). */
enum ww_response_refusal {
	WW_REFUSAL_NEVER = 0,	       /* a [response] never prefix */
	WW_REFUSAL_EXCEPTION,	       /* a block-list exception */
	WW_REFUSAL_MAX_ENTRIES,	       /* max_entries in force */
	WW_REFUSAL_ACTIONS_PER_MINUTE, /* actions_per_minute */
	WW_REFUSAL_BLOCK_LISTS,	       /* lib/block refused (full, ...) */
	WW_REFUSAL_MAX
};

#define WW_RESPONSE_REASONS 4 /* verdicts remembered per source */

struct ww_response_stats {
	uint64_t evidence;		  /* verdicts counted */
	uint64_t unverified;		  /* verdicts on spoofable sources */
	uint64_t steps[WW_STEP_MAX];	  /* steps taken, by rung */
	uint64_t expired;		  /* steps undone by their TTL */
	uint64_t refused[WW_REFUSAL_MAX]; /* steps a safety rail refused */
	uint64_t dry_run;		  /* steps logged, not taken */
	uint64_t offenders;		  /* tracked now */
	uint64_t offenders_forgotten;	  /* dropped to make room */
	uint64_t offenders_untracked;	  /* no room, not tracked */
	uint64_t in_force[WW_STEP_MAX];	  /* sources at each rung now */
};

/* The Kubernetes action for a source that reached WW_STEP_ESCALATE
 * (@undo: its TTL ran out). @service: the address and port it targeted
 * most recently. @return 0, or -errno with the reason in @err. */
typedef int (*ww_response_escalate_fn)(void *arg, bool undo,
				       const struct ww_cidr *source,
				       uint8_t family, const uint8_t *service,
				       uint16_t port, char *err,
				       size_t err_len);

struct ww_response;
struct ww_event_log;

/* @return the ladder, or NULL (no memory) with the reason in @err. The
 * configuration is read at each call (it may change at run time); only
 * max_offenders is fixed here. */
struct ww_response *ww_response_create(const struct ww_conf *conf,
				       struct ww_block *block,
				       struct ww_event_log *log, char *err,
				       size_t err_len);
void ww_response_destroy(struct ww_response *r);

/* The escalation step's action (NULL: none configured: the step is
 * logged as taken without one). */
void ww_response_set_escalation(struct ww_response *r,
				ww_response_escalate_fn fn, void *arg);

/* One event from a worker (an ww_event_observer): alerts are evidence
 * against their source at @conf's weights. Time is the event's. */
void ww_response_observe(struct ww_response *r, const struct ww_conf *conf,
			 const struct ww_event *ev);

/* Undo the steps whose TTL ran out at @now_ns, forget sources whose
 * evidence has decayed, and publish the block-list changes the steps
 * made since the last call. */
void ww_response_tick(struct ww_response *r, const struct ww_conf *conf,
		      uint64_t now_ns);

/* The ladder's state: one object per tracked source with evidence or a
 * step, as `wirewallctl offenders` shows it (score at @now_ns). */
json_t *ww_response_offenders_json(const struct ww_response *r,
				   const struct ww_conf *conf, uint64_t now_ns);
void ww_response_get_stats(const struct ww_response *r,
			   struct ww_response_stats *s);
json_t *ww_response_stats_json(const struct ww_response *r);

const char *ww_response_step_name(enum ww_response_step s);
const char *ww_response_kind_name(enum ww_response_kind k);
const char *ww_response_refusal_name(enum ww_response_refusal f);

/* The kind of evidence an alert is (by signature id and category). */
enum ww_response_kind ww_response_kind_of(const struct ww_event_alert *a);

#endif /* WW_RESPONSE_H */
