// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfrb(8): list, inspect and consume bpfrb rings, and trace kernel
 * functions into them. Modelled on bpftool: "bpfrb [OPTIONS] COMMAND",
 * commands may be abbreviated, errors go to stderr as "Error: ...".
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "main.h"

/* The Makefile passes the package version. */
#ifndef BPFRB_CLI_VERSION
#define BPFRB_CLI_VERSION "unknown"
#endif

bool json_output;
const char *bin_name = "bpfrb";

void p_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "Error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Informational lines go to stderr: stdout carries only data. */
void p_info(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* bpftool's rule: a command may be abbreviated to any prefix. */
bool is_prefix(const char *pfx, const char *str)
{
	return *pfx && !strncmp(str, pfx, strlen(pfx));
}

int parse_positive(const char *opt, const char *arg, unsigned long long *val)
{
	char *end;

	/* Digits only: no sign, no space, no octal or hex surprises. */
	if (arg[0] >= '0' && arg[0] <= '9') {
		errno = 0;
		*val = strtoull(arg, &end, 10);
		if (!errno && !*end && *val)
			return 0;
	}
	p_err("%s: a positive whole number, not '%s'", opt, arg);
	return -EINVAL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"COMMAND := { list | show ID|NAME | trace [TRACE_OPTS] | cat ID|NAME [CAT_OPTS] | help }\n"
		"\n"
		"  list                  every ring: id, name, type, size, positions, counters, probes\n"
		"  show ID|NAME          one ring\n"
		"  trace                 attach probes to a new ring and print their events\n"
		"      -k, --kprobe SYM[+OFFSET][:NARGS]   entry probe recording NARGS arguments (0..6)\n"
		"      -r, --kretprobe SYM                 return probe recording the return value\n"
		"      -p, --proc                          process fork, exec and exit, in one global order\n"
		"      -c, --count N                       stop after N events\n"
		"      -d, --duration SECONDS              stop after SECONDS\n"
		"      -s, --size BYTES                    ring size (power of 2; default 4194304)\n"
		"  cat ID|NAME           consume an existing kernel ring and print its records\n"
		"      -e, --events                        decode records as struct bpfrb_event\n"
		"      -f, --follow                        wait for more records until Ctrl-C\n"
		"      -c, --count N, -d, --duration SECONDS\n"
		"\n"
		"OPTIONS := { -j|--json | -h|--help | -V|--version }\n"
		"  --json prints one JSON object per line.\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad usage. See bpfrb(8).\n",
		bin_name);
}

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "list",	do_list },
	{ "show",	do_show },
	{ "trace",	do_trace },
	{ "cat",	do_cat },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ 0 }
	};
	const char *cmd;
	size_t i;
	int opt;

	/* Events stream to a pipe as they come, not in 4 KiB lumps. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argv[0] && strrchr(argv[0], '/'))
		bin_name = strrchr(argv[0], '/') + 1;
	else if (argv[0])
		bin_name = argv[0];

	/* Global options come before the command; "+" stops at it. */
	while ((opt = getopt_long(argc, argv, "+jhV", opts, NULL)) >= 0) {
		switch (opt) {
		case 'j':
			json_output = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s (bpfrb tools) %s\n", bin_name, BPFRB_CLI_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (is_prefix(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (is_prefix(cmd, cmds[i].name)) {
			int cargc = argc - optind;

			/*
			 * The command parses its own options; argv[0] is its
			 * name. optind = 0 makes getopt start over.
			 */
			optind = 0;
			return cmds[i].fn(cargc, argv + argc - cargc);
		}
	}
	p_err("unknown command '%s'", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
