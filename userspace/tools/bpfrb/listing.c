// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfrb list, bpfrb show ID|NAME: the module's ring listing,
 * /proc/bpfrb/rings (one header line naming the columns, then one line
 * per ring; "(none)" for a ring without a name).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <libbpfrb.h>
#include "json.h"
#include "main.h"

/* Parses one ring line; 0, or -EINVAL for a line we do not understand. */
static int parse_ring_line(const char *line, struct ring_entry *e)
{
	memset(e, 0, sizeof(*e));
	/* Names are at most BPFRB_NAME_LEN - 1 = 31 characters. */
	if (sscanf(line, "%u %31s %15s %llu %llu %llu %llu %llu %llu %u",
		   &e->id, e->name, e->type, &e->size, &e->consumer_pos,
		   &e->producer_pos, &e->records, &e->discards, &e->drops,
		   &e->probes) != 10)
		return -EINVAL;
	if (!strcmp(e->name, "(none)"))
		e->name[0] = '\0';
	return 0;
}

typedef int (*ring_fn)(const struct ring_entry *e, void *ctx);

/* Calls fn for each ring of the listing; fn's non-zero return stops. */
static int for_each_listed_ring(ring_fn fn, void *ctx)
{
	char line[512];
	struct ring_entry e;
	int err = 0;
	FILE *f;

	f = fopen(RINGS_LISTING, "r");
	if (!f) {
		err = -errno;
		if (err == -ENOENT)
			p_err("%s: no such file (is the bpfrb module loaded?)",
			      RINGS_LISTING);
		else
			p_err("%s: %s", RINGS_LISTING, strerror(-err));
		return err;
	}
	/* The header line names the columns. */
	if (!fgets(line, sizeof(line), f) || strncmp(line, "id ", 3)) {
		p_err("%s: unexpected format", RINGS_LISTING);
		fclose(f);
		return -EINVAL;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		if (parse_ring_line(line, &e)) {
			p_err("%s: cannot parse: %s", RINGS_LISTING, line);
			err = -EINVAL;
			break;
		}
		err = fn(&e, ctx);
	}
	fclose(f);
	return err;
}

struct lookup {
	const char *key;
	unsigned long id;	/* 0: look up by name */
	struct ring_entry *out;
};

static int match_ring(const struct ring_entry *e, void *ctx)
{
	struct lookup *l = ctx;

	if (l->id ? e->id == l->id : !strcmp(e->name, l->key)) {
		*l->out = *e;
		return 1;
	}
	return 0;
}

/* A string of digits is an id; anything else a name. */
static unsigned long parse_id(const char *s)
{
	char *end;
	unsigned long id;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return 0;
	errno = 0;
	id = strtoul(s, &end, 10);
	/* Ids are 32 bits: a bigger number is no id (and so a name). */
	return errno || id > UINT32_MAX ? 0 : id;
}

int ring_lookup(const char *id_or_name, struct ring_entry *out)
{
	struct lookup l = { .key = id_or_name, .out = out };
	int ret;

	l.id = parse_id(id_or_name);
	ret = for_each_listed_ring(match_ring, &l);
	if (ret < 0)
		return ret;
	if (!ret) {
		p_err("no ring %s", id_or_name);
		return -ENOENT;
	}
	return 0;
}

int ring_open(const char *id_or_name)
{
	unsigned long id = parse_id(id_or_name);
	int fd;

	fd = id ? bpfrb_attach_id(id) : bpfrb_attach_name(id_or_name);
	if (fd < 0) {
		int err = -errno;

		if (err == -ENOENT && access(BPFRB_DEVICE, F_OK))
			p_err("%s: no such device (is the bpfrb module loaded?)",
			      BPFRB_DEVICE);
		else if (err == -ENOENT)
			p_err("no ring %s", id_or_name);
		else
			p_err("cannot attach to ring %s: %s", id_or_name,
			      strerror(-err));
		return err;
	}
	return fd;
}

static int print_ring(const struct ring_entry *e, void *ctx)
{
	struct json_obj j;

	if (json_output) {
		json_begin(&j, stdout);
		json_u64(&j, "id", e->id);
		json_str(&j, "name", e->name);
		json_str(&j, "type", e->type);
		json_u64(&j, "size", e->size);
		json_u64(&j, "consumer_pos", e->consumer_pos);
		json_u64(&j, "producer_pos", e->producer_pos);
		json_u64(&j, "records", e->records);
		json_u64(&j, "discards", e->discards);
		json_u64(&j, "drops", e->drops);
		json_u64(&j, "probes", e->probes);
		json_end(&j);
		return 0;
	}
	/* bpftool's layout: "ID: type  name NAME", details indented. */
	printf("%u: %s", e->id, e->type);
	if (e->name[0])
		printf("  name %s", e->name);
	printf("  size %llu\n", e->size);
	printf("\tconsumer_pos %llu  producer_pos %llu  pending %llu\n",
	       e->consumer_pos, e->producer_pos,
	       e->producer_pos - e->consumer_pos);
	printf("\trecords %llu  discards %llu  drops %llu  probes %u\n",
	       e->records, e->discards, e->drops, e->probes);
	return 0;
}

/* Options common to list and show: only --json. */
static int parse_json_only(int argc, char **argv, int nargs_wanted)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "j", opts, NULL)) >= 0) {
		if (opt != 'j')
			return -EINVAL;
		json_output = true;
	}
	if (argc - optind != nargs_wanted) {
		p_err("%s takes %s", argv[0],
		      nargs_wanted ? "one ring: ID or NAME" : "no arguments");
		return -EINVAL;
	}
	return 0;
}

int do_list(int argc, char **argv)
{
	if (parse_json_only(argc, argv, 0))
		return EXIT_USAGE;
	return for_each_listed_ring(print_ring, NULL) ? EXIT_FAIL : EXIT_OK;
}

int do_show(int argc, char **argv)
{
	struct ring_entry e;

	if (parse_json_only(argc, argv, 1))
		return EXIT_USAGE;
	if (ring_lookup(argv[optind], &e))
		return EXIT_FAIL;
	print_ring(&e, NULL);
	return EXIT_OK;
}
