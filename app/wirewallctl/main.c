/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wirewallctl: send one command to a running wirewall over its control
 * socket and print the answer.
 *
 *   wirewallctl [-s SOCKET] block add 192.0.2.7 [TTL_SECONDS]
 *   wirewallctl [-s SOCKET] block del 192.0.2.7
 *   wirewallctl [-s SOCKET] block list | block reload | waf reload
 *   wirewallctl [-s SOCKET] set SECTION.KEY=VALUE | reload
 *   wirewallctl [-s SOCKET] auth revoke jti ID [TTL_SECONDS]
 *   wirewallctl [-s SOCKET] auth revoke token JWT [TTL_SECONDS]
 *   wirewallctl [-s SOCKET] stats
 *
 * Exit status: 0 when the appliance answered "ok", 1 when it refused the
 * command (its reason is printed), 2 when it could not be reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/wirewall.sock"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wirewallctl [-s SOCKET] COMMAND...\n"
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
		"SOCKET defaults to %s ([control] socket).\n",
		DEFAULT_SOCKET);
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char cmd[4096], buf[65536], *last;
	size_t len = 0, got = 0;
	int i = 1, fd;

	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		path = argv[2];
		i = 3;
	}
	if (i >= argc || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	for (; i < argc; i++) {
		int k = snprintf(cmd + len, sizeof(cmd) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (k < 0 || (size_t)k >= sizeof(cmd) - len - 1) {
			fprintf(stderr, "wirewallctl: command too long\n");
			return 2;
		}
		len += (size_t)k;
	}
	cmd[len++] = '\n';
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "wirewallctl: %s: path too long\n", path);
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr,
			"wirewallctl: cannot reach wirewall at %s: %s (is it running in live mode?)\n",
			path, strerror(errno));
		return 2;
	}
	if (write(fd, cmd, len) != (ssize_t)len) {
		fprintf(stderr, "wirewallctl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t k = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == sizeof(buf) - 1) {
			fwrite(buf, 1, got, stdout);
			got = 0;
		}
	}
	close(fd);
	buf[got] = '\0';
	fputs(buf, stdout);
	/* The verdict is the last line. */
	while (got > 0 && buf[got - 1] == '\n')
		buf[--got] = '\0';
	last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	if (strcmp(last, "ok") == 0)
		return 0;
	return strncmp(last, "error:", 6) == 0 ? 1 : 2;
}
