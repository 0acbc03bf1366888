/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVE JSON writer (control thread). jansson does the escaping: event
 * fields will carry attacker-chosen bytes (URLs, user agents), and getting
 * JSON escaping of arbitrary bytes right by hand is exactly the kind of
 * code a log injection bug hides in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "ww_event.h"
#include "ww_flow.h"
#include "ww_pkt.h"

#define MAX_PORTS RTE_MAX_ETHPORTS

struct ww_event_log {
	FILE *out;
	bool own_file;
	char port_name[MAX_PORTS][RTE_ETH_NAME_MAX_LEN];
	/* An http event waiting for the rest of its URL. */
	struct ww_event pend;
	unsigned int pend_more; /* records still to come; 0: none */
	char *url;		/* the whole URL so far */
	uint32_t url_len, url_cap;
};

struct rte_ring *ww_event_ring_create(const char *name, unsigned int count,
				      int socket_id)
{
	return rte_ring_create_elem(name, sizeof(struct ww_event), count,
				    socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

struct ww_event_log *ww_event_log_open(const char *path)
{
	struct ww_event_log *log = calloc(1, sizeof(*log));

	if (log == NULL)
		return NULL;
	if (strcmp(path, "-") == 0) {
		log->out = stdout;
	} else {
		log->out = fopen(path, "a");
		if (log->out == NULL) {
			int e = errno;

			free(log);
			errno = e;
			return NULL;
		}
		log->own_file = true;
	}
	return log;
}

static int write_pending(struct ww_event_log *log);

void ww_event_log_close(struct ww_event_log *log)
{
	if (log == NULL)
		return;
	if (log->pend_more != 0)
		write_pending(log);
	if (log->own_file)
		fclose(log->out);
	else
		fflush(log->out);
	free(log->url);
	free(log);
}

void ww_event_log_set_port_name(struct ww_event_log *log, uint16_t port,
				const char *name)
{
	if (port < MAX_PORTS)
		snprintf(log->port_name[port], sizeof(log->port_name[port]),
			 "%s", name);
}

void ww_event_format_time(uint64_t ts_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06u+0000", base,
		 (unsigned int)(ts_ns % 1000000000u / 1000u));
}

static json_t *header(uint64_t ts_ns, const char *event_type)
{
	char ts[48];

	ww_event_format_time(ts_ns, ts, sizeof(ts));
	return json_pack("{s:s, s:s}", "timestamp", ts, "event_type",
			 event_type);
}

static int write_line(struct ww_event_log *log, json_t *obj)
{
	/* JSON_COMPACT keeps one event per line; key order is insertion
	 * order, which makes the log stable across runs. */
	int rc = json_dumpf(obj, log->out,
			    JSON_COMPACT | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(6));

	json_decref(obj);
	if (rc != 0 || fputc('\n', log->out) == EOF)
		return -EIO;
	return 0;
}

static void add_addresses(json_t *o, const struct ww_event *ev)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pbuf[8];
	const char *proto = ww_pkt_proto_name(ev->proto);
	int af = ev->family == 6 ? AF_INET6 : AF_INET;

	if (ev->family == 0)
		return;
	inet_ntop(af, ev->src_ip, src, sizeof(src));
	inet_ntop(af, ev->dest_ip, dst, sizeof(dst));
	json_object_set_new(o, "src_ip", json_string(src));
	/* An event about a source alone (a model's verdict on a client)
	 * has no destination and no protocol. */
	if (ev->proto == 0 && ev->dest_port == 0 &&
	    memcmp(ev->dest_ip, (const uint8_t[16]){0}, 16) == 0)
		return;
	if (ev->proto == 6 || ev->proto == 17)
		json_object_set_new(o, "src_port", json_integer(ev->src_port));
	json_object_set_new(o, "dest_ip", json_string(dst));
	if (ev->proto == 6 || ev->proto == 17)
		json_object_set_new(o, "dest_port",
				    json_integer(ev->dest_port));
	if (proto == NULL) {
		snprintf(pbuf, sizeof(pbuf), "%u", ev->proto);
		proto = pbuf;
	}
	json_object_set_new(o, "proto", json_string(proto));
	if (ev->proto == 1 || ev->proto == 58) {
		json_object_set_new(o, "icmp_type", json_integer(ev->src_port));
		json_object_set_new(o, "icmp_code",
				    json_integer(ev->dest_port));
	}
}

/*
 * A JSON string from bytes an attacker chose (URLs, user agents): JSON
 * wants UTF-8, and these bytes need not be. Each byte is taken as the
 * Latin-1 character of that value, so every input gives a valid string
 * and nothing is lost (Suricata escapes differently, but also keeps all).
 */
static json_t *bytes_n(const char *field, size_t n)
{
	char small[2 * 256], *buf = small;
	size_t i, o = 0, cap = sizeof(small);
	json_t *j;

	if (n == 0)
		return json_string("");
	if (2 * n > cap) {
		buf = malloc(2 * n);
		if (buf == NULL)
			return json_string("");
		cap = 2 * n;
	}
	for (i = 0; i < n && o + 2 <= cap; i++) {
		unsigned char c = (unsigned char)field[i];

		if (c < 0x80) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = (char)(0xc0 | c >> 6);
			buf[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	j = json_stringn(buf, o);
	if (buf != small)
		free(buf);
	return j;
}

/* The same, of a field NUL-terminated within @cap. */
static json_t *json_bytes(const char *field, size_t cap)
{
	return bytes_n(field, strnlen(field, cap));
}

/* The model's part of an alert, in the extension object. */
static json_t *model_json(const struct ww_event_model *m)
{
	json_t *ext = json_object(), *mo = json_object();
	char id[16];

	if (m->model_id != 0) {
		snprintf(id, sizeof(id), "%08x", m->model_id);
		json_object_set_new(mo, "model_id", json_string(id));
		json_object_set_new(
			mo, "class",
			json_bytes(m->cls_name, sizeof(m->cls_name)));
		json_object_set_new(
			mo, "probability",
			json_real(round(m->probability * 1e4) / 1e4));
	}
	if (m->anomaly_id != 0) {
		snprintf(id, sizeof(id), "%08x", m->anomaly_id);
		json_object_set_new(mo, "anomaly_model_id", json_string(id));
		json_object_set_new(mo, "anomaly_score",
				    json_real(round(m->anomaly * 1e4) / 1e4));
	}
	json_object_set_new(mo, "fired_by",
			    json_string(m->by_anomaly ? "anomaly" : "class"));
	json_object_set_new(mo, "decision_point",
			    json_bytes(m->dp_name, sizeof(m->dp_name)));
	json_object_set_new(mo, "scope",
			    json_string(m->row_kind ? "client" : "flow"));
	json_object_set_new(ext, "model", mo);
	json_object_set_new(ext, "action",
			    json_bytes(m->action, sizeof(m->action)));
	if (m->allowed)
		json_object_set_new(ext, "allow_listed", json_true());
	if (m->ttl_s != 0)
		json_object_set_new(ext, "ttl", json_integer(m->ttl_s));
	return ext;
}

static json_t *flow_body(const struct ww_event *ev)
{
	const struct ww_event_flow *f = &ev->flow;
	char start[48], end[48];

	json_t *o;

	ww_event_format_time(f->start_ns, start, sizeof(start));
	ww_event_format_time(ev->ts_ns, end, sizeof(end));
	/* Suricata's flow record: alerted always, action "drop" when a
	 * frame of the flow was stopped (by a rule, a limit, a model's
	 * verdict or a block in force). */
	o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:b}",
		      "pkts_toserver", (json_int_t)f->pkts[0], "pkts_toclient",
		      (json_int_t)f->pkts[1], "bytes_toserver",
		      (json_int_t)f->bytes[0], "bytes_toclient",
		      (json_int_t)f->bytes[1], "start", start, "end", end,
		      "age",
		      (json_int_t)((ev->ts_ns - f->start_ns) / 1000000000u),
		      "state", ww_flow_state_name(f->state), "reason",
		      ww_flow_end_name(f->reason), "alerted",
		      (f->judged & WW_FLOW_ALERTED) != 0);
	if (o != NULL && (f->judged & WW_FLOW_DROPPED))
		json_object_set_new(o, "action", json_string("drop"));
	return o;
}

/* One record as a JSON line; @url (may be NULL): an http event's whole
 * URL when it came in several records. */
static int write_event(struct ww_event_log *log, const struct ww_event *ev,
		       const char *url, size_t url_len)
{
	json_t *o, *body;
	unsigned int i;

	switch (ev->type) {
	case WW_EVENT_DROP:
		o = header(ev->ts_ns, "drop");
		break;
	case WW_EVENT_FLOW:
		o = header(ev->ts_ns, "flow");
		break;
	case WW_EVENT_HTTP:
		o = header(ev->ts_ns, "http");
		break;
	case WW_EVENT_ALERT:
		o = header(ev->ts_ns, "alert");
		break;
	case WW_EVENT_ANOMALY:
		o = header(ev->ts_ns, "anomaly");
		break;
	default:
		return -EINVAL;
	}
	if (o == NULL)
		return -ENOMEM;
	if (ev->flow_id != 0)
		json_object_set_new(
			o, "flow_id",
			json_integer((json_int_t)(ev->flow_id & INT64_MAX)));
	if (ev->in_port < MAX_PORTS && log->port_name[ev->in_port][0])
		json_object_set_new(o, "in_iface",
				    json_string(log->port_name[ev->in_port]));
	if (ev->n_vlan > 0) {
		json_t *v = json_array();

		for (i = 0; i < ev->n_vlan && i < 2; i++)
			json_array_append_new(v, json_integer(ev->vlan[i]));
		json_object_set_new(o, "vlan", v);
	}
	add_addresses(o, ev);

	if (ev->type == WW_EVENT_FLOW) {
		json_object_set_new(o, "flow", flow_body(ev));
		return write_line(log, o);
	}
	if (ev->type == WW_EVENT_HTTP) {
		const struct ww_event_http *h = &ev->http;
		json_t *http = json_object();

		json_object_set_new(
			http, "hostname",
			json_bytes(h->hostname, sizeof(h->hostname)));
		json_object_set_new(
			http, "url",
			url != NULL ? bytes_n(url, url_len)
				    : json_bytes(h->url, sizeof(h->url)));
		json_object_set_new(
			http, "http_method",
			json_bytes(h->http_method, sizeof(h->http_method)));
		json_object_set_new(
			http, "protocol",
			json_bytes(h->protocol, sizeof(h->protocol)));
		json_object_set_new(http, "http_user_agent",
				    json_bytes(h->http_user_agent,
					       sizeof(h->http_user_agent)));
		if (h->status != 0) {
			json_object_set_new(http, "status",
					    json_integer(h->status));
			json_object_set_new(
				http, "latency_us",
				json_integer(
					(json_int_t)(h->latency_ns / 1000)));
		}
		json_object_set_new(http, "length",
				    json_integer((json_int_t)h->length));
		json_object_set_new(
			http, "request_length",
			json_integer((json_int_t)h->request_length));
		json_object_set_new(o, "http", http);
		return write_line(log, o);
	}
	if (ev->type == WW_EVENT_ANOMALY) {
		const struct ww_event_anomaly *a = &ev->anomaly;
		json_t *an = json_object(), *ext = json_object();

		json_object_set_new(an, "type", json_string(a->type));
		json_object_set_new(an, "event", json_string(a->event));
		if (a->app_proto[0])
			json_object_set_new(an, "app_proto",
					    json_string(a->app_proto));
		json_object_set_new(o, "anomaly", an);
		json_object_set_new(ext, "exception", json_string(a->event));
		json_object_set_new(ext, "action", json_string(a->action));
		json_object_set_new(o, "wirewall", ext);
		return write_line(log, o);
	}
	if (ev->type == WW_EVENT_ALERT) {
		const struct ww_event_alert *a = &ev->alert;
		json_t *al = json_object();

		json_object_set_new(
			al, "action",
			json_string(a->blocked ? "blocked" : "allowed"));
		json_object_set_new(al, "gid", json_integer(1));
		json_object_set_new(al, "signature_id",
				    json_integer(a->signature_id));
		json_object_set_new(al, "rev", json_integer(1));
		json_object_set_new(
			al, "signature",
			json_bytes(a->signature, sizeof(a->signature)));
		json_object_set_new(
			al, "category",
			json_bytes(a->category, sizeof(a->category)));
		json_object_set_new(al, "severity", json_integer(a->severity));
		json_object_set_new(o, "alert", al);
		if (a->model.present)
			json_object_set_new(o, "wirewall",
					    model_json(&a->model));
		return write_line(log, o);
	}

	body = json_object();
	json_object_set_new(body, "len", json_integer(ev->len));
	json_object_set_new(body, "reason",
			    json_string(ww_pkt_err_name(ev->reason)));
	json_object_set_new(o, "drop", body);
	return write_line(log, o);
}

static int write_pending(struct ww_event_log *log)
{
	log->pend_more = 0;
	return write_event(log, &log->pend, log->url, log->url_len);
}

int ww_event_log_write(struct ww_event_log *log, const struct ww_event *ev)
{
	/* An http event whose URL goes on in the records after it waits
	 * for them (they come in the same enqueue). */
	if (ev->type == WW_EVENT_URL_MORE) {
		uint32_t n = ev->len < WW_EVENT_URL_CHUNK ? ev->len
							  : WW_EVENT_URL_CHUNK;

		if (log->pend_more == 0)
			return 0; /* its event was lost: nothing to join */
		if (log->url_len + n <= log->url_cap) {
			memcpy(log->url + log->url_len, ev->url_more, n);
			log->url_len += n;
		}
		if (--log->pend_more == 0)
			return write_pending(log);
		return 0;
	}
	if (log->pend_more != 0)
		write_pending(log); /* cut short: written as it came */
	if (ev->type == WW_EVENT_HTTP && ev->http.url_more > 0) {
		uint32_t cap = ev->http.url_len + 1;

		if (cap > log->url_cap) {
			char *u = realloc(log->url, cap);

			if (u == NULL)
				return write_event(log, ev, NULL, 0);
			log->url = u;
			log->url_cap = cap;
		}
		log->pend = *ev;
		log->url_len =
			(uint32_t)strnlen(ev->http.url, sizeof(ev->http.url));
		memcpy(log->url, ev->http.url, log->url_len);
		log->pend_more = ev->http.url_more;
		return 0;
	}
	return write_event(log, ev, NULL, 0);
}

unsigned int ww_event_log_drain_seen(struct ww_event_log *log,
				     struct rte_ring *ring, unsigned int max,
				     ww_event_observer seen, void *seen_arg)
{
	struct ww_event evs[32];
	unsigned int total = 0;

	while (total < max) {
		unsigned int n, i, want = RTE_MIN(max - total, 32u);

		n = rte_ring_sc_dequeue_burst_elem(ring, evs, sizeof(evs[0]),
						   want, NULL);
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			if (seen != NULL)
				seen(seen_arg, &evs[i]);
			if (log != NULL)
				ww_event_log_write(log, &evs[i]);
		}
		total += n;
	}
	return total;
}

unsigned int ww_event_log_drain(struct ww_event_log *log, struct rte_ring *ring,
				unsigned int max)
{
	return ww_event_log_drain_seen(log, ring, max, NULL, NULL);
}

int ww_event_log_emit_ext(struct ww_event_log *log, uint64_t ts_ns,
			  const char *event_type, json_t *top, json_t *ext)
{
	json_t *o = header(ts_ns, event_type);

	if (o == NULL) {
		json_decref(top);
		json_decref(ext);
		return -ENOMEM;
	}
	if (top != NULL)
		json_object_update(o, top);
	json_decref(top);
	if (ext != NULL)
		json_object_set_new(o, "wirewall", ext);
	return write_line(log, o);
}

int ww_event_log_emit(struct ww_event_log *log, uint64_t ts_ns,
		      const char *event_type, json_t *body)
{
	json_t *o = header(ts_ns, event_type);

	if (o == NULL) {
		json_decref(body);
		return -ENOMEM;
	}
	json_object_set_new(o, event_type, body);
	return write_line(log, o);
}

void ww_event_log_flush(struct ww_event_log *log)
{
	fflush(log->out);
}
