/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wirewallctl: send one command to a running wirewall over its control
 * socket and print the answer.
 *
 *   wirewallctl [-s SOCKET] [--json] block add 192.0.2.7 [TTL_SECONDS]
 *   wirewallctl [-s SOCKET] [--json] block del 192.0.2.7
 *   wirewallctl [-s SOCKET] [--json] block list | block reload | waf reload
 *   wirewallctl [-s SOCKET] [--json] set SECTION.KEY=VALUE | reload
 *   wirewallctl [-s SOCKET] [--json] auth revoke jti ID [TTL_SECONDS]
 *   wirewallctl [-s SOCKET] [--json] auth revoke token JWT [TTL_SECONDS]
 *   wirewallctl [-s SOCKET] [--json] stats | status
 *
 * --json: the answer as one JSON document (the appliance renders it; see
 * lib/control/commands.c), {"error": "..."} when refused or unreachable.
 * Exit status: 0 when the appliance answered "ok", 1 when it refused the
 * command (its reason is printed), 2 when it could not be reached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#define DEFAULT_SOCKET	"/run/wirewall.sock"
#define MAX_REPLY_BYTES (256u << 20)

static bool json_mode;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wirewallctl [-s SOCKET] [--json] COMMAND...\n"
		"  block add PREFIX [TTL_SECONDS]   block PREFIX (until removed, or for TTL)\n"
		"  block del PREFIX                 remove a run-time block\n"
		"  block list                       prefixes in force\n"
		"  block reload                     re-read the block-list files\n"
		"  auth revoke jti ID [TTL]         refuse tokens with this jti\n"
		"  auth revoke token JWT [TTL]      refuse this token\n"
		"  waf reload                       re-read and compile the [waf] rules\n"
		"                                   (the rules in force stay if refused)\n"
		"  model reload                     re-read the [detect] model files (the\n"
		"                                   models in force stay if one is refused;\n"
		"                                   SIGHUP does the same)\n"
		"  set SECTION.KEY=VALUE            change a run-time key (the rest of the\n"
		"                                   configuration as in force; refused,\n"
		"                                   naming them, for keys that need a restart)\n"
		"  reload                           re-read the configuration file (with the\n"
		"                                   start's --set and the run-time sets)\n"
		"  stats                            counters, as JSON\n"
		"  status                           ready (forwarding, and the rule set in\n"
		"                                   force or off), waf off|compiling|in_force|\n"
		"                                   failed\n"
		"--json: every answer as one JSON document ({\"error\": ...} on failure).\n"
		"SOCKET defaults to %s ([control] socket).\n",
		DEFAULT_SOCKET);
}

/* An error of the client itself: text on stderr, or {"error": ...} on
 * stdout with --json. @return 2. */
static int __attribute__((format(printf, 1, 2)))
client_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_mode) {
		json_t *e = json_pack("{s:s}", "error", msg);

		json_dumpf(e, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(e);
	} else {
		fprintf(stderr, "wirewallctl: %s\n", msg);
	}
	return 2;
}

/* Read the whole answer. NULL: too long, or out of memory. */
static char *read_reply(int fd, size_t *len)
{
	size_t cap = 65536, got = 0;
	char *buf = malloc(cap);

	while (buf != NULL) {
		ssize_t k;

		if (got + 1 == cap) {
			char *more = cap < MAX_REPLY_BYTES
					     ? realloc(buf, cap * 2)
					     : NULL;

			if (more == NULL) {
				free(buf);
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
		k = read(fd, buf + got, cap - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (buf != NULL)
		buf[got] = '\0';
	*len = got;
	return buf;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char cmd[4096], *reply, *last;
	size_t len = 0, got = 0;
	int i = 1, fd, rc;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0 ||
			 strcmp(argv[i], "-j") == 0)
			json_mode = true;
		else
			break;
	}
	if (i >= argc || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	/* The appliance answers a line that starts with "json" in JSON. */
	if (json_mode)
		len = (size_t)snprintf(cmd, sizeof(cmd), "json");
	for (; i < argc; i++) {
		int k = snprintf(cmd + len, sizeof(cmd) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (k < 0 || (size_t)k >= sizeof(cmd) - len - 1)
			return client_error("command too long");
		len += (size_t)k;
	}
	cmd[len++] = '\n';
	if (strlen(path) >= sizeof(sa.sun_path))
		return client_error("%s: path too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return client_error(
			"cannot reach wirewall at %s: %s (is it running in live mode?)",
			path, strerror(errno));
	if (write(fd, cmd, len) != (ssize_t)len)
		return client_error("%s: %s", path, strerror(errno));
	shutdown(fd, SHUT_WR);
	reply = read_reply(fd, &got);
	close(fd);
	if (reply == NULL)
		return client_error("%s: answer too long or out of memory",
				    path);
	if (got == 0) {
		free(reply);
		return client_error("%s: no answer", path);
	}
	/* The verdict is the last line; the answer is what comes before. */
	while (got > 0 && reply[got - 1] == '\n')
		reply[--got] = '\0';
	last = strrchr(reply, '\n');
	last = last ? last + 1 : reply;
	rc = strcmp(last, "ok") == 0	       ? 0
	     : strncmp(last, "error:", 6) == 0 ? 1
					       : 2;
	if (!json_mode) {
		printf("%s\n", reply);
	} else if (rc == 2) {
		client_error("%s: not an answer: '%.200s'", path, last);
	} else if (last == reply) {
		/* No JSON before the verdict (an appliance too old to know
		 * "json"): the verdict alone, as JSON. */
		if (rc == 0)
			printf("{}\n");
		else
			client_error("%s", last + 6 + (last[6] == ' '));
	} else {
		last[-1] = '\0';
		printf("%s\n", reply);
	}
	free(reply);
	return rc;
}
