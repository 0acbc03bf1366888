/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a UNIX stream socket on which wirewallctl (or any
 * client) sends one command line and reads the answer, the last line of
 * which is "ok" or "error: <reason>". Served from the control loop, a
 * bounded number of clients per tick, each with a short read timeout, so
 * a stuck client cannot stall the control thread for long.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "control_priv.h"

#define CLIENTS_PER_TICK 8
#define LINE_MAX_BYTES	 4096

struct ww_ctl_socket {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct ww_ctl_socket *ww_ctl_socket_open(const char *path, char *err,
					 size_t err_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ww_ctl_socket *c;
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_len, "%s: path too long for a socket", path);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	strcpy(sa.sun_path, path);
	strcpy(c->path, path);
	/* A socket left by an earlier run is replaced; anything else at
	 * that path is not ours to remove. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(c->fd, CLIENTS_PER_TICK) < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return NULL;
	}
	return c;
}

void ww_ctl_socket_close(struct ww_ctl_socket *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	unlink(c->path);
	free(c);
}

/* Read one line (without its newline) within the client's timeout. */
static bool read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t k = read(fd, buf + n, cap - 1 - n);

		if (k <= 0)
			break;
		n += (size_t)k;
		if (memchr(buf, '\n', n) != NULL)
			break;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return n > 0;
}

void ww_ctl_socket_poll(struct ww_ctl_socket *c, ww_ctl_fn fn, void *arg)
{
	unsigned int i;

	if (c == NULL)
		return;
	for (i = 0; i < CLIENTS_PER_TICK; i++) {
		const struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
		char line[LINE_MAX_BYTES], *reply = NULL;
		size_t reply_len = 0;
		FILE *out;
		int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return; /* no one waiting (EAGAIN) or an error */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		out = open_memstream(&reply, &reply_len);
		if (out != NULL) {
			if (read_line(fd, line, sizeof(line)))
				fn(arg, line, out);
			else
				fprintf(out, "error: no command\n");
			fclose(out);
			if (write(fd, reply, reply_len) < 0)
				CTL_LOG(WARNING, "control: reply lost: %s",
					strerror(errno));
			free(reply);
		}
		close(fd);
	}
}

/* Seconds in a "ttl" argument: 0 (or none) = until removed. */
static int parse_ttl(const char *s, uint64_t *ttl)
{
	char *end;
	unsigned long long v;

	if (s == NULL) {
		*ttl = 0;
		return 0;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || s[0] == '-' ||
	    v > 10ull * 365 * 86400)
		return -EINVAL;
	*ttl = v;
	return 0;
}

static void block_list(const struct ww_block *b, uint64_t now_ns, FILE *out)
{
	char a[64];
	uint32_t i;

	for (i = 0; i < b->n_listed; i++) {
		const struct ww_cidr *c = &b->listed[i].cidr;

		inet_ntop(c->family, c->addr, a, sizeof(a));
		fprintf(out, "%s%s/%u listed\n",
			b->listed[i].match == WW_BLOCK_EXCEPT ? "!" : "", a,
			c->prefix_len);
	}
	for (i = 0; i < b->n_dynamic; i++) {
		const struct ww_block_rule *r = &b->dynamic[i];

		inet_ntop(r->cidr.family, r->cidr.addr, a, sizeof(a));
		if (r->expires_ns == 0)
			fprintf(out, "%s/%u dynamic\n", a, r->cidr.prefix_len);
		else
			fprintf(out, "%s/%u dynamic expires_in %" PRIu64 "\n",
				a, r->cidr.prefix_len,
				r->expires_ns > now_ns
					? (r->expires_ns - now_ns) / NS_PER_S
					: 0);
	}
}

static void block_command(struct ww_control *x, char **argv, int argc,
			  FILE *out)
{
	struct ww_block *b = x->o.ctx->block;
	char err[512];
	struct ww_cidr cidr;
	uint64_t ttl;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "list") == 0 && argc == 1) {
		block_list(b, x->now_ns, out);
		fprintf(out, "ok\n");
		return;
	}
	if (argc == 1 && strcmp(argv[0], "reload") == 0) {
		rc = ww_block_reload(b, x->o.conf, err, sizeof(err));
		if (rc < 0)
			fprintf(out, "error: %s (the lists in force stay)\n",
				err);
		else
			fprintf(out, "ok\n");
		return;
	}
	if (argc < 2 ||
	    (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "del") != 0)) {
		fprintf(out,
			"error: usage: block add PREFIX [TTL_SECONDS] | block del PREFIX | block list | block reload\n");
		return;
	}
	if (ww_conf_parse_cidr(argv[1], &cidr, err, sizeof(err)) < 0) {
		fprintf(out, "error: %s\n", err);
		return;
	}
	if (strcmp(argv[0], "del") == 0) {
		if (argc != 2 || ww_block_remove(b, &cidr) < 0) {
			fprintf(out, "error: %s is not a dynamic entry\n",
				argv[1]);
			return;
		}
	} else {
		if (argc > 3 || parse_ttl(argc == 3 ? argv[2] : NULL, &ttl)) {
			fprintf(out,
				"error: TTL must be a number of seconds\n");
			return;
		}
		rc = ww_block_add(b, &cidr,
				  ttl ? x->now_ns + ttl * NS_PER_S : 0, err,
				  sizeof(err));
		if (rc < 0) {
			fprintf(out, "error: %s\n", err);
			return;
		}
	}
	/* In force before the answer: "ok" means workers use it now. */
	rc = ww_block_commit(b, err, sizeof(err));
	if (rc < 0)
		fprintf(out, "error: %s\n", err);
	else
		fprintf(out, "ok\n");
}

/* "auth revoke jti ID [TTL]" | "auth revoke token JWT [TTL]" */
static void auth_command(struct ww_control *x, char **argv, int argc, FILE *out)
{
	char err[256];
	uint64_t ttl;

	if (argc < 3 || argc > 4 || strcmp(argv[0], "revoke") != 0 ||
	    (strcmp(argv[1], "jti") != 0 && strcmp(argv[1], "token") != 0)) {
		fprintf(out,
			"error: usage: auth revoke jti ID [TTL_SECONDS] | auth revoke token JWT [TTL_SECONDS]\n");
		return;
	}
	if (x->o.ctx->auth == NULL) {
		fprintf(out, "error: no [auth] routes configured\n");
		return;
	}
	if (parse_ttl(argc == 4 ? argv[3] : NULL, &ttl) < 0) {
		fprintf(out, "error: TTL must be a number of seconds\n");
		return;
	}
	/* In force on return: "ok" means workers refuse it now. */
	if (ww_auth_revoke(x->o.ctx->auth, argv[1], argv[2],
			   ttl ? x->now_ns + ttl * NS_PER_S : 0, err,
			   sizeof(err)) < 0)
		fprintf(out, "error: %s\n", err);
	else
		fprintf(out, "ok\n");
}

/* The answer to a command that says what it did in @msg: "error: ..."
 * when @rc < 0, else the message and "ok". */
static void reply(FILE *out, int rc, const char *msg)
{
	if (rc < 0)
		fprintf(out, "error: %s\n", msg);
	else
		fprintf(out, "%s\nok\n", msg);
}

void ww_control_command(void *arg, char *line, FILE *out)
{
	struct ww_control *x = arg;
	char *argv[16], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t", &save); tok != NULL && argc < 16;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (argc == 0) {
		fprintf(out, "error: no command\n");
	} else if (strcmp(argv[0], "block") == 0) {
		block_command(x, argv + 1, argc - 1, out);
	} else if (strcmp(argv[0], "auth") == 0) {
		auth_command(x, argv + 1, argc - 1, out);
	} else if (strcmp(argv[0], "waf") == 0 && argc == 2 &&
		   strcmp(argv[1], "reload") == 0) {
		char msg[1200];

		reply(out, ww_control_waf_reload(x, msg, sizeof(msg)), msg);
	} else if (strcmp(argv[0], "model") == 0 && argc == 2 &&
		   strcmp(argv[1], "reload") == 0) {
		char msg[1200];

		reply(out, ww_control_model_reload(x, msg, sizeof(msg)), msg);
	} else if ((strcmp(argv[0], "set") == 0 && argc == 2) ||
		   (strcmp(argv[0], "reload") == 0 && argc == 1)) {
		char msg[1200];

		reply(out,
		      ww_control_configure(x, argc == 2 ? argv[1] : NULL, msg,
					   sizeof(msg)),
		      msg);
	} else if (strcmp(argv[0], "status") == 0 && argc == 1) {
		json_t *j = ww_control_status_json(x);
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v)
		{
			char *s = json_is_string(v)
					  ? NULL
					  : json_dumps(v, JSON_ENCODE_ANY);

			fprintf(out, "%s %s\n", k,
				s ? s : json_string_value(v));
			free(s);
		}
		json_decref(j);
		fprintf(out, "ok\n");
	} else if (strcmp(argv[0], "stats") == 0 && argc == 1 &&
		   x->o.stats_json != NULL) {
		json_t *j = x->o.stats_json(x->o.stats_arg);

		if (j != NULL) {
			json_dumpf(j, out, JSON_COMPACT);
			json_decref(j);
		}
		fprintf(out, "\nok\n");
	} else {
		fprintf(out,
			"error: unknown command '%s' (block add|del|list|reload, auth revoke, waf reload, model reload, set, reload, stats, status)\n",
			argv[0]);
	}
}
