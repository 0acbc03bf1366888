/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_EVENT_H
#define WW_EVENT_H

/*
 * Security and monitoring events, written as EVE-style JSON lines with
 * Suricata's field names so SIEM pipelines that read Suricata read us.
 *
 * Workers never format or write anything: they copy a fixed-size record
 * into their own single-producer ring (ww_event_push, dp-safe, never
 * waits; a full ring drops the record and counts it). The control thread
 * drains the rings and writes JSON (ww_event_log_*, control thread only).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_branch_prediction.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <jansson.h>

enum ww_event_type {
	WW_EVENT_DROP = 1, /* a frame the decoder refused */
	WW_EVENT_FLOW,	   /* a flow ended */
	WW_EVENT_HTTP,	   /* a request was answered (or its flow ended) */
	WW_EVENT_ALERT,	   /* a rule or check fired */
	WW_EVENT_ANOMALY,  /* traffic that could not be judged (an
			    * exception) and what was done with it */
	WW_EVENT_URL_MORE, /* the rest of the URL of the WW_EVENT_HTTP record
			    * before it (len bytes in url_more) */
};

/* WW_EVENT_HTTP payload: Suricata's http object. Strings are cut to fit
 * and always NUL-terminated. */
struct ww_event_http {
	char hostname[64];
	char url[256];
	char http_method[16];
	char protocol[12];
	char http_user_agent[128];
	uint64_t length;	 /* response body bytes (Suricata's meaning) */
	uint64_t request_length; /* request body bytes */
	uint64_t latency_ns;	 /* end of request to first response byte */
	uint16_t status;	 /* 0: no response seen */
	uint16_t url_more;	 /* WW_EVENT_URL_MORE records that follow
				  * with the rest of the URL */
	uint32_t url_len;	 /* the whole URL's length */
};

/* A model's verdict, in the "wirewall" extension object of its alert. */
struct ww_event_model {
	uint32_t model_id;	/* the classifier file's CRC-32 (0: none) */
	uint32_t anomaly_id;	/* the anomaly model's */
	float probability;	/* of the class, NaN without a classifier */
	float anomaly;		/* decision_function, NaN without the model */
	uint32_t ttl_s;		/* block / throttle */
	uint8_t present;	/* this alert is a model's */
	uint8_t cls;		/* enum ww_feat_class */
	uint8_t decision_point; /* enum ww_feat_dp */
	uint8_t row_kind;	/* 0 flow, 1 client */
	uint8_t by_anomaly;	/* the anomaly score, not the class, fired */
	uint8_t allowed;	/* on the allow list: not acted on */
	char action[10];	/* what was done: alert, drop, ... */
	char cls_name[24];	/* "content_discovery" and its NUL */
	char dp_name[10];
};

/* WW_EVENT_ALERT payload: Suricata's alert object. */
struct ww_event_alert {
	uint32_t signature_id;
	uint8_t blocked; /* action: blocked or allowed */
	uint8_t severity;
	/* The source has a return path (it completed a TCP handshake the
	 * appliance saw acknowledged): its address is not spoofed. Only
	 * such verdicts move it up the escalation ladder. */
	uint8_t source_verified;
	char signature[160];
	char category[32];
	struct ww_event_model model;
};

/* WW_EVENT_ANOMALY payload: Suricata's anomaly object (type, event,
 * app_proto) and, in the "wirewall" extension object, the exception and
 * the action taken. */
struct ww_event_anomaly {
	char type[12];	   /* "stream", "decode", "applayer" */
	char event[24];	   /* the exception's name */
	char app_proto[8]; /* "" or "http" */
	char action[8];	   /* "pass", "drop", "reset" */
};

/* WW_EVENT_FLOW payload. Addresses and ports of the event are the
 * client's (src) and the server's (dest). */
struct ww_event_flow {
	uint64_t pkts[2]; /* [0] to server, [1] to client */
	uint64_t bytes[2];
	uint64_t start_ns;
	uint8_t state;	/* enum ww_flow_state at the end */
	uint8_t reason; /* enum ww_flow_end */
	uint8_t judged; /* WW_FLOW_ALERTED | WW_FLOW_DROPPED */
	uint8_t pad[5];
};

/* One event as a worker records it. Fixed size, copied into the ring. */
struct ww_event {
	uint64_t ts_ns;	  /* UNIX time, nanoseconds */
	uint64_t flow_id; /* 0 = none */
	uint16_t type;	  /* enum ww_event_type */
	uint16_t reason;  /* WW_EVENT_DROP: enum ww_pkt_err */
	uint16_t in_port;
	uint16_t len;	/* frame length */
	uint8_t family; /* 0 when the frame had no IP header decoded */
	uint8_t proto;
	uint16_t src_port, dest_port;
	uint16_t vlan[2];
	uint8_t n_vlan;
	uint8_t pad[3];
	uint8_t src_ip[16], dest_ip[16];
	union {
		struct ww_event_flow flow;	 /* WW_EVENT_FLOW */
		struct ww_event_http http;	 /* WW_EVENT_HTTP */
		struct ww_event_alert alert;	 /* WW_EVENT_ALERT */
		struct ww_event_anomaly anomaly; /* WW_EVENT_ANOMALY */
		char url_more[sizeof(struct ww_event_http)]; /* _URL_MORE */
	};
} __attribute__((aligned(8)));

/*
 * Create the single-producer/single-consumer ring of one worker.
 * @count: a power of two. @return the ring, or NULL with rte_errno set.
 * Control thread only, before workers start.
 */
struct rte_ring *ww_event_ring_create(const char *name, unsigned int count,
				      int socket_id);

/* URL bytes one WW_EVENT_URL_MORE record carries. */
#define WW_EVENT_URL_CHUNK sizeof(((struct ww_event *)0)->url_more)
/* The URL bytes the http record itself carries. */
#define WW_EVENT_URL_HEAD (sizeof(((struct ww_event_http *)0)->url) - 1)

/* Queue @n records at once (an http event and the rest of its URL), all
 * or none; on a full ring count one event in *@dropped and return false.
 * dp-safe: one producer per ring. */
static inline bool ww_event_push_n(struct rte_ring *ring,
				   const struct ww_event *ev, unsigned int n,
				   uint64_t *dropped)
{
	if (unlikely(rte_ring_sp_enqueue_bulk_elem(ring, (void *)(uintptr_t)ev,
						   sizeof(*ev), n,
						   NULL) != n)) {
		(*dropped)++;
		return false;
	}
	return true;
}

/* Queue @ev; on a full ring count it in *@dropped and return false.
 * dp-safe: one producer per ring. */
static inline bool ww_event_push(struct rte_ring *ring,
				 const struct ww_event *ev, uint64_t *dropped)
{
	if (unlikely(rte_ring_sp_enqueue_elem(ring, (void *)(uintptr_t)ev,
					      sizeof(*ev)) != 0)) {
		(*dropped)++;
		return false;
	}
	return true;
}

struct ww_event_log;

/*
 * Open the EVE log. @path "-" writes to stdout; otherwise the file is
 * opened for append. @return NULL with errno set on failure.
 */
struct ww_event_log *ww_event_log_open(const char *path);
void ww_event_log_close(struct ww_event_log *log);

/* Name shown as "in_iface" for events from @port. */
void ww_event_log_set_port_name(struct ww_event_log *log, uint16_t port,
				const char *name);

/* Something that reads the events as they are drained (the escalation
 * ladder), before they are written. */
typedef void (*ww_event_observer)(void *arg, const struct ww_event *ev);

/* Drain up to @max records from @ring, show each to @seen (NULL: none)
 * and write them (@log NULL: not written). @return how many. */
unsigned int ww_event_log_drain_seen(struct ww_event_log *log,
				     struct rte_ring *ring, unsigned int max,
				     ww_event_observer seen, void *seen_arg);

/* Drain up to @max records from @ring and write them. @return how many. */
unsigned int ww_event_log_drain(struct ww_event_log *log, struct rte_ring *ring,
				unsigned int max);

/* Write one worker record. */
int ww_event_log_write(struct ww_event_log *log, const struct ww_event *ev);

/*
 * Write an event of @event_type whose body object (e.g. the counters of a
 * "stats" event) is @body, stored under the key @event_type as Suricata
 * does. Steals the reference to @body.
 */
int ww_event_log_emit(struct ww_event_log *log, uint64_t ts_ns,
		      const char *event_type, json_t *body);

/*
 * Write an event of a type Suricata does not have: Suricata's header
 * (timestamp, event_type), the fields of @top merged in (src_ip ...:
 * Suricata's names and shapes only), and @ext as the "wirewall" object,
 * the one home of what Suricata's schema has no field for. Steals both
 * references (@top may be NULL).
 */
int ww_event_log_emit_ext(struct ww_event_log *log, uint64_t ts_ns,
			  const char *event_type, json_t *top, json_t *ext);

/* Flush buffered lines to the file. */
void ww_event_log_flush(struct ww_event_log *log);

/* Format @ts_ns as Suricata does: 2026-11-28T23:22:50.123456+0000. */
void ww_event_format_time(uint64_t ts_ns, char *buf, size_t len);

#endif /* WW_EVENT_H */
