// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfrb cat ID|NAME: consume an existing kernel ring and print its
 * records: as hex with their length, or decoded as struct bpfrb_event
 * (--events). Consuming moves the ring's consumer_pos: like reading a
 * pipe, one reader at a time.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libbpfrb.h>
#include "consume.h"
#include "events.h"
#include "json.h"
#include "main.h"

struct cat {
	bool events;
	unsigned long long not_events;	/* --events: records of another size */
};

static void print_hex(FILE *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct cat *c = ctx;
	struct json_obj j;

	if (c->events && size == sizeof(struct bpfrb_event)) {
		event_print(data, NULL);
		return RECORD_COUNTED;
	}
	if (c->events)
		c->not_events++;
	if (json_output) {
		json_begin(&j, stdout);
		json_u64(&j, "len", size);
		/* Hex, built by hand: the writer has no byte-string type. */
		fputs(",\"data\":\"", stdout);
		print_hex(stdout, data, size);
		fputc('"', stdout);
		json_end(&j);
	} else {
		printf("len %zu ", size);
		print_hex(stdout, data, size);
		putchar('\n');
	}
	return RECORD_COUNTED;
}

int do_cat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events",	no_argument,		NULL, 'e' },
		{ "follow",	no_argument,		NULL, 'f' },
		{ "count",	required_argument,	NULL, 'c' },
		{ "duration",	required_argument,	NULL, 'd' },
		{ "json",	no_argument,		NULL, 'j' },
		{ 0 }
	};
	struct consume_limits lim = { 0 };
	unsigned long long seen = 0, counted = 0, secs;
	struct cat c = { 0 };
	struct bpfrb_info info;
	struct json_obj j;
	int opt, fd, err;

	while ((opt = getopt_long(argc, argv, "efc:d:j", opts, NULL)) >= 0) {
		switch (opt) {
		case 'e':
			c.events = true;
			break;
		case 'f':
			lim.follow = true;
			break;
		case 'c':
			if (parse_positive("--count", optarg, &lim.count))
				return EXIT_USAGE;
			break;
		case 'd':
			if (parse_positive("--duration", optarg, &secs))
				return EXIT_USAGE;
			lim.duration = (double)secs;
			break;
		case 'j':
			json_output = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		p_err("cat takes one ring: ID or NAME");
		return EXIT_USAGE;
	}
	consume_catch_signals();
	fd = ring_open(argv[optind]);
	if (fd < 0)
		return EXIT_FAIL;
	if (bpfrb_info(fd, &info) == 0 && info.type != BPFRB_TYPE_KERNEL) {
		p_err("ring %s is a user ring: the kernel consumes it", argv[optind]);
		close(fd);
		return EXIT_FAIL;
	}
	if (c.events)
		event_print_header();
	err = consume_ring(fd, on_record, &c, &lim, &seen, &counted);
	if (!err && bpfrb_info(fd, &info))
		err = -errno;
	close(fd);
	if (err)
		return EXIT_FAIL;
	if (json_output) {
		json_begin(&j, stdout);
		json_str(&j, "summary", "cat");
		json_u64(&j, "records", counted);
		json_u64(&j, "drops", info.drops);
		json_end(&j);
	} else {
		p_info("%llu records, %llu drops (ring total)", counted,
		       (unsigned long long)info.drops);
		if (c.not_events)
			p_info("%llu records were not struct bpfrb_event (printed as hex)",
			       c.not_events);
	}
	return EXIT_OK;
}
