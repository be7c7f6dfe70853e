/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpfrb(8): what the command's files share. One file per command
 * (listing.c: list/show, trace.c, cat.c), plus output helpers.
 */
#ifndef BPFRB_CLI_MAIN_H
#define BPFRB_CLI_MAIN_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/bpfrb.h>

/* Exit codes (also in bpfrb.8). */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the command failed */
#define EXIT_USAGE	2	/* bad command line */

extern bool json_output;	/* --json: one JSON object per line */
extern const char *bin_name;

void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool is_prefix(const char *pfx, const char *str);
/* A count, seconds or bytes (base 10, at least 1); 0, or -EINVAL after p_err. */
int parse_positive(const char *opt, const char *arg, unsigned long long *val);

/* Commands: argc/argv start after the command's own name. */
int do_list(int argc, char **argv);
int do_show(int argc, char **argv);
int do_trace(int argc, char **argv);
int do_cat(int argc, char **argv);

/* listing.c: one line of /proc/bpfrb/rings. */
struct ring_entry {
	unsigned int id;
	char name[BPFRB_NAME_LEN];	/* "" for none */
	char type[16];
	unsigned long long size, consumer_pos, producer_pos;
	unsigned long long records, discards, drops;
	unsigned int probes;
};

#define RINGS_LISTING	"/proc/bpfrb/rings"

/* Finds the ring named by ID or NAME in the listing; 0, or -errno. */
int ring_lookup(const char *id_or_name, struct ring_entry *out);
/* Opens the ring named by ID or NAME; fd, or -errno (after p_err). */
int ring_open(const char *id_or_name);

#endif /* BPFRB_CLI_MAIN_H */
