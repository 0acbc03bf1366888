/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a UNIX stream socket on which wirewallctl (or any
 * client) sends one command line and reads the answer, the last line of
 * which is "ok" or "error: <reason>" (as text, or as one JSON document:
 * see the commands below). Served from the control loop, a
 * bounded number of clients per tick, each with a short read timeout, so
 * a stuck client cannot stall the control thread for long.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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

/*
 * The commands. Each answers as JSON: a handler builds its answer as a
 * JSON value, and the text answer (wirewallctl without --json) is
 * rendered from that value, so both forms come from one place. A line
 * that starts with "json" gets the JSON form:
 *
 *   text:  [lines of the answer]            json:  {"...": ...}
 *          ok                                      ok
 *   text:  error: <reason>                  json:  {"error": "<reason>"}
 *                                                  error: <reason>
 *
 * The last line is the verdict in both forms, so a client needs no JSON
 * parser to tell success from failure.
 *
 * Adding a command: a handler (struct ctl_command's fn) that sets a->json
 * (an object, or an array for a list) or returns fail(a, ...), and a row
 * in commands[] below with its name, its argument counts and usage, and
 * how its answer reads as text (text_message when the object carries a
 * "message", text_pairs for a flat object, text_json for a large one,
 * text_none when "ok" says it all, or a renderer of its own).
 */

struct ctl_answer {
	json_t *json;	  /* the answer (NULL: {}) */
	char error[1200]; /* set when the command was refused */
};

/* Refuse the command with a reason. @return -1. */
static int __rte_format_printf(2, 3)
	fail(struct ctl_answer *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
	if (a->error[0] == '\0')
		snprintf(a->error, sizeof(a->error), "failed");
	return -1;
}

/* "192.0.2.0/24" of @c. */
static const char *cidr_str(const struct ww_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->prefix_len);
	return buf;
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

/* Put the block lists' pending change in force before the answer: "ok"
 * means workers use it now. */
static int block_commit(struct ww_control *x, struct ctl_answer *a)
{
	char err[512];

	if (ww_block_commit(x->o.ctx->block, err, sizeof(err)) < 0)
		return fail(a, "%s", err);
	return 0;
}

/* block add PREFIX [TTL_SECONDS] -> {"prefix", "ttl_s"} */
static int cmd_block_add(struct ww_control *x, char **argv, int argc,
			 struct ctl_answer *a)
{
	struct ww_cidr cidr;
	char err[512], p[64];
	uint64_t ttl;

	if (ww_conf_parse_cidr(argv[0], &cidr, err, sizeof(err)) < 0)
		return fail(a, "%s", err);
	if (parse_ttl(argc == 2 ? argv[1] : NULL, &ttl) < 0)
		return fail(a, "TTL must be a number of seconds");
	if (ww_block_add(x->o.ctx->block, &cidr,
			 ttl ? x->now_ns + ttl * NS_PER_S : 0, err,
			 sizeof(err)) < 0)
		return fail(a, "%s", err);
	if (block_commit(x, a) < 0)
		return -1;
	a->json =
		json_pack("{s:s, s:I}", "prefix", cidr_str(&cidr, p, sizeof(p)),
			  "ttl_s", (json_int_t)ttl);
	return 0;
}

/* block del PREFIX -> {"prefix"} */
static int cmd_block_del(struct ww_control *x, char **argv, int argc,
			 struct ctl_answer *a)
{
	struct ww_cidr cidr;
	char err[512], p[64];

	(void)argc;
	if (ww_conf_parse_cidr(argv[0], &cidr, err, sizeof(err)) < 0)
		return fail(a, "%s", err);
	if (ww_block_remove(x->o.ctx->block, &cidr) < 0)
		return fail(a, "%s is not a dynamic entry", argv[0]);
	if (block_commit(x, a) < 0)
		return -1;
	a->json = json_pack("{s:s}", "prefix", cidr_str(&cidr, p, sizeof(p)));
	return 0;
}

/* block list -> [{"prefix", "source": "listed"|"dynamic", "except",
 * "expires_in_s" (dynamic entries with a TTL)}] */
static int cmd_block_list(struct ww_control *x, char **argv, int argc,
			  struct ctl_answer *a)
{
	const struct ww_block *b = x->o.ctx->block;
	json_t *list = json_array();
	char p[64];
	uint32_t i;

	(void)argv;
	(void)argc;
	for (i = 0; i < b->n_listed; i++)
		json_array_append_new(
			list,
			json_pack("{s:s, s:s, s:b}", "prefix",
				  cidr_str(&b->listed[i].cidr, p, sizeof(p)),
				  "source", "listed", "except",
				  b->listed[i].match == WW_BLOCK_EXCEPT));
	for (i = 0; i < b->n_dynamic; i++) {
		const struct ww_block_rule *r = &b->dynamic[i];
		json_t *o = json_pack(
			"{s:s, s:s, s:b}", "prefix",
			cidr_str(&r->cidr, p, sizeof(p)), "source",
			r->match == WW_BLOCK_THROTTLE ? "throttle" : "dynamic",
			"except", 0);

		if (r->expires_ns != 0)
			json_object_set_new(
				o, "expires_in_s",
				json_integer(
					(json_int_t)(r->expires_ns > x->now_ns
							     ? (r->expires_ns -
								x->now_ns) /
								       NS_PER_S
							     : 0)));
		json_array_append_new(list, o);
	}
	a->json = list;
	return 0;
}

/* One line per entry: "[!]PREFIX listed", "PREFIX dynamic [expires_in N]". */
static void text_block_list(const json_t *j, FILE *out)
{
	size_t i;
	json_t *e;

	json_array_foreach(j, i, e)
	{
		const json_t *exp = json_object_get(e, "expires_in_s");

		fprintf(out, "%s%s %s",
			json_is_true(json_object_get(e, "except")) ? "!" : "",
			json_string_value(json_object_get(e, "prefix")),
			json_string_value(json_object_get(e, "source")));
		if (exp != NULL)
			fprintf(out, " expires_in %" JSON_INTEGER_FORMAT,
				json_integer_value(exp));
		fputc('\n', out);
	}
}

/* block reload -> {"files": N} */
static int cmd_block_reload(struct ww_control *x, char **argv, int argc,
			    struct ctl_answer *a)
{
	char err[512];

	(void)argv;
	(void)argc;
	if (ww_block_reload(x->o.ctx->block, x->o.conf, err, sizeof(err)) < 0)
		return fail(a, "%s (the lists in force stay)", err);
	a->json = json_pack("{s:i}", "files", (int)x->o.conf->n_block_files);
	return 0;
}

/* auth revoke jti ID [TTL] | auth revoke token JWT [TTL]
 * -> {"revoked": "jti"|"token", "ttl_s"} */
static int cmd_auth_revoke(struct ww_control *x, char **argv, int argc,
			   struct ctl_answer *a)
{
	char err[256];
	uint64_t ttl;

	if (strcmp(argv[0], "jti") != 0 && strcmp(argv[0], "token") != 0)
		return fail(
			a,
			"usage: auth revoke jti ID [TTL_SECONDS] | auth revoke token JWT [TTL_SECONDS]");
	if (x->o.ctx->auth == NULL)
		return fail(a, "no [auth] routes configured");
	if (parse_ttl(argc == 3 ? argv[2] : NULL, &ttl) < 0)
		return fail(a, "TTL must be a number of seconds");
	/* In force on return: "ok" means workers refuse it now. */
	if (ww_auth_revoke(x->o.ctx->auth, argv[0], argv[1],
			   ttl ? x->now_ns + ttl * NS_PER_S : 0, err,
			   sizeof(err)) < 0)
		return fail(a, "%s", err);
	a->json = json_pack("{s:s, s:I}", "revoked", argv[0], "ttl_s",
			    (json_int_t)ttl);
	return 0;
}

/* waf reload -> {"message", "rules", "policy", "compile_s"} */
static int cmd_waf_reload(struct ww_control *x, char **argv, int argc,
			  struct ctl_answer *a)
{
	const struct ww_policy *p;
	unsigned int rules, unsupported, hs, pcre_only;
	size_t bytes;
	double secs;
	char msg[1200];

	(void)argv;
	(void)argc;
	if (ww_control_waf_reload(x, msg, sizeof(msg)) < 0)
		return fail(a, "%s", msg);
	p = x->o.ctx->policy;
	ww_waf_counts(p->waf, &rules, &unsupported);
	ww_waf_compiled(p->waf, &hs, &pcre_only, &bytes, &secs);
	a->json = json_pack("{s:s, s:i, s:I, s:f}", "message", msg, "rules",
			    (int)rules, "policy", (json_int_t)p->generation,
			    "compile_s", secs);
	return 0;
}

/* model reload -> {"message"} */
static int cmd_model_reload(struct ww_control *x, char **argv, int argc,
			    struct ctl_answer *a)
{
	char msg[1200];

	(void)argv;
	(void)argc;
	if (ww_control_model_reload(x, msg, sizeof(msg)) < 0)
		return fail(a, "%s", msg);
	a->json = json_pack("{s:s}", "message", msg);
	return 0;
}

/* set SECTION.KEY=VALUE, reload -> {"message", "policy",
 * "waf_recompiled"} */
static int configure(struct ww_control *x, const char *kv, struct ctl_answer *a)
{
	const struct ww_waf *before = x->o.ctx->policy->waf;
	const struct ww_policy *p;
	char msg[1200];

	if (ww_control_configure(x, kv, msg, sizeof(msg)) < 0)
		return fail(a, "%s", msg);
	p = x->o.ctx->policy;
	a->json = json_pack("{s:s, s:I, s:b}", "message", msg, "policy",
			    (json_int_t)p->generation, "waf_recompiled",
			    p->waf != before);
	return 0;
}

/* The value may hold spaces ("limit.routes=GET /api/ 2 2"): the words
 * are joined again. */
static int cmd_set(struct ww_control *x, char **argv, int argc,
		   struct ctl_answer *a)
{
	char kv[LINE_MAX_BYTES];
	size_t n = 0;
	int i;

	for (i = 0; i < argc && n < sizeof(kv); i++)
		n += (size_t)snprintf(kv + n, sizeof(kv) - n, "%s%s",
				      i ? " " : "", argv[i]);
	return configure(x, kv, a);
}

/* reload -> {"message", "policy"}: the configuration, the rules, the
 * models and the block lists, each part on its own (ww_control_reload) */
static int cmd_reload(struct ww_control *x, char **argv, int argc,
		      struct ctl_answer *a)
{
	char msg[4096];

	(void)argv;
	(void)argc;
	if (ww_control_reload(x, msg, sizeof(msg)) < 0)
		return fail(a, "%s", msg);
	a->json = json_pack("{s:s, s:I}", "message", msg, "policy",
			    (json_int_t)x->o.ctx->policy->generation);
	return 0;
}

/* offenders -> [{"src_ip", "step", "score", "ttl_remaining", "offences",
 * "reasons", ...}]: the escalation ladder, highest rungs first */
static int cmd_offenders(struct ww_control *x, char **argv, int argc,
			 struct ctl_answer *a)
{
	(void)argv;
	(void)argc;
	a->json = ww_response_offenders_json(x->resp, x->o.ctx->policy->conf,
					     x->now_ns);
	return 0;
}

/* stats -> the "stats" event's body */
static int cmd_stats(struct ww_control *x, char **argv, int argc,
		     struct ctl_answer *a)
{
	(void)argv;
	(void)argc;
	if (x->o.stats_json == NULL)
		return fail(a, "no counters here");
	a->json = x->o.stats_json(x->o.stats_arg);
	return 0;
}

/* status -> {"ready", "forwarding", "waf", ...} (control.c) */
static int cmd_status(struct ww_control *x, char **argv, int argc,
		      struct ctl_answer *a)
{
	(void)argv;
	(void)argc;
	a->json = ww_control_status_json(x);
	return 0;
}

/* Text renderings of an answer. */
static void text_none(const json_t *j, FILE *out)
{
	(void)j;
	(void)out;
}

/* Its "message", one line. */
static void text_message(const json_t *j, FILE *out)
{
	const char *m = json_string_value(json_object_get(j, "message"));

	if (m != NULL)
		fprintf(out, "%s\n", m);
}

/* The JSON, compact, on one line (counters). */
static void text_json(const json_t *j, FILE *out)
{
	json_dumpf(j, out, JSON_COMPACT | JSON_ENCODE_ANY);
	fputc('\n', out);
}

/* A flat object as "key value" lines (strings bare, the rest as JSON). */
static void text_pairs(const json_t *j, FILE *out)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)j, k, v)
	{
		char *s = json_is_string(v) ? NULL
					    : json_dumps(v, JSON_ENCODE_ANY);

		fprintf(out, "%s %s\n", k,
			s != NULL ? s : json_string_value(v));
		free(s);
	}
}

struct ctl_command {
	const char *name, *sub; /* "block" "add"; @sub NULL: none */
	int min_args, max_args; /* words after name (and sub) */
	const char *args;	/* their usage */
	int (*fn)(struct ww_control *x, char **argv, int argc,
		  struct ctl_answer *a);
	void (*text)(const json_t *answer, FILE *out);
};

static const struct ctl_command commands[] = {
	{"block", "add", 1, 2, "PREFIX [TTL_SECONDS]", cmd_block_add,
	 text_none},
	{"block", "del", 1, 1, "PREFIX", cmd_block_del, text_none},
	{"block", "list", 0, 0, "", cmd_block_list, text_block_list},
	{"block", "reload", 0, 0, "", cmd_block_reload, text_none},
	{"auth", "revoke", 2, 3, "jti|token ID|JWT [TTL_SECONDS]",
	 cmd_auth_revoke, text_none},
	{"waf", "reload", 0, 0, "", cmd_waf_reload, text_message},
	{"model", "reload", 0, 0, "", cmd_model_reload, text_message},
	{"set", NULL, 1, 15, "SECTION.KEY=VALUE", cmd_set, text_message},
	{"reload", NULL, 0, 0, "", cmd_reload, text_message},
	{"stats", NULL, 0, 0, "", cmd_stats, text_json},
	{"offenders", NULL, 0, 0, "", cmd_offenders, text_json},
	{"status", NULL, 0, 0, "", cmd_status, text_pairs},
};

/* "usage: block add PREFIX [TTL_SECONDS] | block del PREFIX | ..." for
 * the rows named @name (every row when NULL), and @sub (any when NULL). */
static void usage(const char *name, const char *sub, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s",
				    name ? "usage: " : "commands: ");
	unsigned int i;
	bool first = true;

	for (i = 0; i < RTE_DIM(commands) && n < len; i++) {
		const struct ctl_command *c = &commands[i];

		if ((name != NULL && strcmp(c->name, name) != 0) ||
		    (sub != NULL && c->sub != NULL && strcmp(c->sub, sub) != 0))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s%s%s",
				      first ? "" : " | ", c->name,
				      c->sub ? " " : "", c->sub ? c->sub : "",
				      c->args[0] ? " " : "", c->args);
		first = false;
	}
}

/* Find the command of @argv and run it. */
static int dispatch(struct ww_control *x, char **argv, int argc,
		    struct ctl_answer *a, const struct ctl_command **cmd)
{
	const struct ctl_command *c;
	const char *sub = NULL;
	unsigned int i;
	bool known = false;
	int skip;
	char use[1024];

	*cmd = NULL;
	if (argc == 0)
		return fail(a, "no command");
	for (i = 0; i < RTE_DIM(commands); i++) {
		c = &commands[i];
		if (strcmp(c->name, argv[0]) != 0)
			continue;
		known = true;
		if (c->sub != NULL &&
		    (argc < 2 || strcmp(c->sub, argv[1]) != 0))
			continue;
		skip = c->sub != NULL ? 2 : 1;
		if (argc - skip < c->min_args || argc - skip > c->max_args) {
			sub = c->sub;
			break;
		}
		*cmd = c;
		return c->fn(x, argv + skip, argc - skip, a);
	}
	if (!known) {
		usage(NULL, NULL, use, sizeof(use));
		return fail(a, "unknown command '%s' (%s)", argv[0], use);
	}
	usage(argv[0], sub, use, sizeof(use));
	return fail(a, "%s", use);
}

void ww_control_command(void *arg, char *line, FILE *out)
{
	struct ww_control *x = arg;
	const struct ctl_command *cmd;
	struct ctl_answer a = {.json = NULL};
	char *argv[16], *save = NULL, *tok;
	int argc = 0;
	bool json = false;

	for (tok = strtok_r(line, " \t", &save); tok != NULL && argc < 16;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (argc > 0 && strcmp(argv[0], "json") == 0)
		json = true;
	if (dispatch(x, argv + json, argc - json, &a, &cmd) < 0) {
		if (json) {
			json_t *e = json_pack("{s:s}", "error", a.error);

			json_dumpf(e, out, JSON_COMPACT);
			fputc('\n', out);
			json_decref(e);
		}
		fprintf(out, "error: %s\n", a.error);
		json_decref(a.json);
		return;
	}
	if (a.json == NULL)
		a.json = json_object();
	if (json) {
		json_dumpf(a.json, out,
			   JSON_COMPACT | JSON_ENCODE_ANY |
				   JSON_REAL_PRECISION(10));
		fputc('\n', out);
	} else {
		cmd->text(a.json, out);
	}
	fprintf(out, "ok\n");
	json_decref(a.json);
}
