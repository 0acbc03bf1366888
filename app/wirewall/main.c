/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wirewall [EAL args] -- -c FILE [--set SECTION.KEY=VALUE]... [--eve FILE]
 *                        [-r in.pcap [-w out.pcap]] [--check-config]
 *
 * The configuration is loaded and validated before EAL starts, so a bad
 * file is refused before any port or hugepage is touched.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "wirewall.h"

RTE_LOG_REGISTER(ww_logtype_app, ww.app, INFO);

volatile sig_atomic_t ww_force_quit;
volatile sig_atomic_t ww_sighup;

static void on_signal(int sig)
{
	(void)sig;
	ww_force_quit = 1;
}

/* SIGHUP's default action would kill the appliance and take the link
 * down: it is caught, and the control loop says what it does with it. */
static void on_sighup(int sig)
{
	(void)sig;
	ww_sighup = 1;
}

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [EAL args] -- -c FILE [options]\n"
		"  -c, --config FILE        configuration (INI), required\n"
		"      --set SEC.KEY=VALUE  override one config key (repeatable)\n"
		"      --eve FILE           EVE JSON event log ('-' = stdout)\n"
		"  -r, --read FILE          offline mode: run over a pcap\n"
		"  -w, --write FILE         offline mode: write forwarded frames\n"
		"      --features FILE      write every feature row the models\n"
		"                           score (or would) as CSV\n"
		"      --workers N          offline mode: N workers, each client\n"
		"                           on one (as RSS keyed on the client)\n"
		"      --check-config       validate the config and exit\n"
		"      --version            the version, and exit\n"
		"      --build-info         the version, the libraries and their\n"
		"                           versions, the forest kernels, the\n"
		"                           feature specification, and exit\n"
		"  -h, --help               this text\n"
		"Without '--', offline mode starts EAL with defaults for one\n"
		"core and no hugepages.\n",
		prog);
}

enum { OPT_SET = 256, OPT_EVE, OPT_CHECK, OPT_FEATURES, OPT_WORKERS };

static int parse_app_args(int argc, char **argv, struct app_args *a)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"set", required_argument, NULL, OPT_SET},
		{"eve", required_argument, NULL, OPT_EVE},
		{"read", required_argument, NULL, 'r'},
		{"write", required_argument, NULL, 'w'},
		{"check-config", no_argument, NULL, OPT_CHECK},
		{"features", required_argument, NULL, OPT_FEATURES},
		{"workers", required_argument, NULL, OPT_WORKERS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->conf_path = optarg;
			break;
		case OPT_SET:
			if (a->n_overrides == MAX_OVERRIDES) {
				fprintf(stderr,
					"wirewall: more than %d --set options\n",
					MAX_OVERRIDES);
				return -1;
			}
			a->overrides[a->n_overrides++] = optarg;
			break;
		case OPT_EVE:
			a->eve_path = optarg;
			break;
		case 'r':
			a->read_pcap = optarg;
			break;
		case 'w':
			a->write_pcap = optarg;
			break;
		case OPT_CHECK:
			a->check_only = true;
			break;
		case OPT_FEATURES:
			a->features_path = optarg;
			break;
		case OPT_WORKERS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 64) {
				fprintf(stderr,
					"wirewall: --workers takes 1 to 64, not '%s'\n",
					optarg);
				return -1;
			}
			a->workers = (unsigned int)v;
			break;
		}
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wirewall: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (a->conf_path == NULL) {
		fprintf(stderr, "wirewall: -c FILE is required\n");
		usage(stderr, argv[0]);
		return -1;
	}
	if (a->workers != 0 && a->read_pcap == NULL) {
		fprintf(stderr,
			"wirewall: --workers is for offline mode (-r); live, EAL's cores decide\n");
		return -1;
	}
	if (a->write_pcap != NULL && a->read_pcap == NULL) {
		fprintf(stderr, "wirewall: -w needs -r (offline mode)\n");
		return -1;
	}
	return 0;
}

const char *app_eve_path(const struct ww_conf *conf,
			 const struct app_args *args)
{
	if (args->eve_path != NULL)
		return args->eve_path;
	return conf->eve_file[0] ? conf->eve_file : NULL;
}

/* Read every block-list file once: a bad line refuses the config. */
static int check_block_files(const struct ww_conf *conf, char *err,
			     size_t err_len)
{
	struct ww_block_rule *rules = NULL;
	uint32_t n = 0;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < conf->n_block_files && rc == 0; i++)
		rc = ww_block_parse_file(conf->block_files[i], &rules, &n, err,
					 err_len);
	free(rules);
	return rc;
}

int main(int argc, char **argv)
{
	static struct ww_conf conf; /* large: keep it off the stack */
	struct app_args args = {0};
	char err[WW_CONF_ERR_MAX];
	char *default_eal[16], prefix[64];
	char **eal_argv;
	int eal_argc, sep, rc, i;

	/* Logs and the summary go to files and pipes as often as to a
	 * terminal; line buffering keeps them current. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Questions about the binary need no configuration and no EAL. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			app_print_version(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--build-info") == 0) {
			app_print_build_info(stdout);
			return 0;
		}
	}

	/* Split "EAL args -- app args". */
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep < argc) {
		eal_argv = argv;
		eal_argc = sep;
		argv[sep] = argv[0];
		rc = parse_app_args(argc - sep, argv + sep, &args);
	} else {
		rc = parse_app_args(argc, argv, &args);
		eal_argc = 0;
		eal_argv = default_eal;
	}
	if (rc < 0)
		return 2;

	rc = ww_conf_load(args.conf_path, args.overrides, args.n_overrides,
			  &conf, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "wirewall: config refused: %s\n", err);
		return 1;
	}
	/* Files the config names are checked too, before EAL is up. */
	if (check_block_files(&conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "wirewall: config refused: [block] files: %s\n",
			err);
		return 1;
	}
	{
		struct ww_auth *auth;

		if (ww_auth_create(&conf, NULL, &auth, err, sizeof(err)) < 0) {
			fprintf(stderr, "wirewall: config refused: %s\n", err);
			return 1;
		}
		ww_auth_destroy(auth);
	}
	if (args.check_only) {
		struct ww_waf *waf;

		if (ww_control_load_waf(&conf, &waf, err, sizeof(err)) < 0) {
			fprintf(stderr, "wirewall: config refused: %s\n", err);
			return 1;
		}
		ww_waf_free(waf);
	}
	if (args.check_only) {
		printf("wirewall: %s: configuration OK\n", args.conf_path);
		return 0;
	}

	if (eal_argc == 0) {
		/* Offline runs need no hugepages, no NIC and no shared state;
		 * a per-process prefix lets many run side by side. */
		static char mem[16];

		snprintf(prefix, sizeof(prefix), "--file-prefix=ww%d",
			 (int)getpid());
		default_eal[eal_argc++] = argv[0];
		default_eal[eal_argc++] = "--no-huge";
		/* 1 GB per worker (--workers): each has its own tables. */
		snprintf(mem, sizeof(mem), "%u",
			 1024u * (args.workers ? args.workers : 1));
		default_eal[eal_argc++] = "-m";
		default_eal[eal_argc++] = mem;
		default_eal[eal_argc++] = "--no-pci";
		default_eal[eal_argc++] = "--no-shconf";
		default_eal[eal_argc++] = "--no-telemetry";
		default_eal[eal_argc++] = "-l";
		default_eal[eal_argc++] = "0";
		default_eal[eal_argc++] = "--log-level=lib.eal:error";
		default_eal[eal_argc++] = prefix;
		default_eal[eal_argc] = NULL;
	}
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		fprintf(stderr, "wirewall: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_sighup);

	if (args.read_pcap != NULL)
		rc = app_run_offline(&conf, &args);
	else
		rc = app_run_live(&conf, &args);

	i = rte_eal_cleanup();
	if (i < 0)
		APP_LOG(WARNING, "EAL cleanup failed: %s", rte_strerror(-i));
	return rc == 0 ? 0 : 1;
}
