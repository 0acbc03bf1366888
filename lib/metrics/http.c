/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus endpoint: libmicrohttpd without a thread of its own
 * (external select), run from the control loop. The listening socket is
 * made here, so a port that cannot be bound is refused with its reason;
 * MHD takes it over. Each poll serves what is ready and returns: at most
 * MAX_CONNECTIONS clients at once, each closed after CONNECTION_TIMEOUT
 * seconds of silence, so a stuck scraper costs a slot, never the loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "metrics_priv.h"

#define MAX_CONNECTIONS	   8
#define CONNECTION_TIMEOUT 10 /* seconds */
#define CONNECTION_MEMORY  (32 * 1024)

struct ww_metrics_http {
	struct ww_metrics *m;
	struct MHD_Daemon *d;
	uint16_t port;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* GET /metrics (and /, for a person with a browser); nothing else. */
static enum MHD_Result serve(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload_data,
			     size_t *upload_data_size, void **req_cls)
{
	static char not_found[] = "not found: the metrics are at /metrics\n";
	static char bad_method[] = "only GET and HEAD\n";
	struct ww_metrics_http *h = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *out;

	(void)version;
	(void)upload_data;
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* a body: ignored */
		return MHD_YES;
	}
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     bad_method, strlen(bad_method),
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") != 0 && strcmp(url, "/") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	out = open_memstream(&body, &len);
	if (out == NULL)
		return MHD_NO;
	ww_metrics_render(h->m, out);
	fclose(out);
	return reply(conn, MHD_HTTP_OK,
		     "text/plain; version=0.0.4; charset=utf-8", body, len,
		     MHD_RESPMEM_MUST_FREE);
}

/* A listening socket on @hp, or -1 with the reason in @err. */
static int listen_on(const char *where, const struct ww_conf_hostport *hp,
		     uint16_t *port, char *err, size_t err_len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	const int one = 1;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (hp->family == AF_INET) {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;

		sa->sin_family = AF_INET;
		sa->sin_port = htons(hp->port);
		memcpy(&sa->sin_addr, hp->addr, 4);
		sl = sizeof(*sa);
	} else {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;

		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(hp->port);
		memcpy(&sa->sin6_addr, hp->addr, 16);
		sl = sizeof(*sa);
	}
	fd = socket(hp->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (hp->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
						  &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(fd, MAX_CONNECTIONS) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(err, err_len, "[metrics] listen %s: cannot listen: %s",
			 where, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(hp->family == AF_INET
			      ? ((struct sockaddr_in *)&ss)->sin_port
			      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

struct ww_metrics_http *ww_metrics_http_open(struct ww_metrics *m,
					     const char *where, char *err,
					     size_t err_len)
{
	struct ww_conf_hostport hp;
	struct ww_metrics_http *h;
	char why[256];
	int fd;

	if (ww_conf_parse_hostport(where, true, &hp, why, sizeof(why)) < 0) {
		snprintf(err, err_len, "[metrics] listen: %s", why);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	h->m = m;
	fd = listen_on(where, &hp, &h->port, err, err_len);
	if (fd < 0) {
		free(h);
		return NULL;
	}
	/* No MHD_USE_INTERNAL_POLLING_THREAD: MHD_run() from the loop. */
	h->d = MHD_start_daemon(
		(hp.family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
		serve, h, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		MHD_OPTION_END);
	if (h->d == NULL) {
		snprintf(err, err_len,
			 "[metrics] listen %s: libmicrohttpd refused to start",
			 where);
		close(fd);
		free(h);
		return NULL;
	}
	METRICS_LOG(INFO, "metrics: Prometheus endpoint on %s%s%s:%u/metrics",
		    hp.family == AF_INET6 ? "[" : "",
		    inet_ntop(hp.family, hp.addr, why, sizeof(why)),
		    hp.family == AF_INET6 ? "]" : "", h->port);
	return h;
}

void ww_metrics_http_poll(struct ww_metrics_http *h)
{
	/* Without a thread of MHD's own this selects with no timeout and
	 * handles what is ready. */
	MHD_run(h->d);
}

void ww_metrics_http_close(struct ww_metrics_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->d); /* closes the listening socket too */
	free(h);
}

uint16_t ww_metrics_http_port(const struct ww_metrics_http *h)
{
	return h->port;
}
