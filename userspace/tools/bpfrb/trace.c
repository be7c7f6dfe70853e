// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfrb trace: create a ring, attach kprobes/kretprobes to it, print
 * their events in ring order (one global order across CPUs) until
 * Ctrl-C, a count or a duration, then a summary (events, drops).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libbpfrb.h>
#include "consume.h"
#include "events.h"
#include "json.h"
#include "main.h"
#include "proc.h"

#define TRACE_DEFAULT_SIZE	(4ULL << 20)
#define TRACE_MAX_PROBES	64	/* the module's limit per file */

struct trace {
	struct probe_desc probes[TRACE_MAX_PROBES];
	unsigned int nr_probes;
	bool proc;
	struct consume_limits lim;
	unsigned long long size;
	/* Per kind of event printed, for the --proc summary. */
	unsigned long long per_kind[PROBE_EXIT + 1];
	unsigned long long skipped;	/* failed execs and clones */
};

/* SYM+OFFSET's offset: decimal, or hex with 0x, as kprobe_events takes it. */
static int parse_offset(const char *s, unsigned long long *offset)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*offset = strtoull(s, &end, *s == '0' && s[1] == 'x' ? 16 : 10);
	return errno || *end || *offset > UINT32_MAX ? -EINVAL : 0;
}

static int add_probe(struct trace *t, const char *spec, bool ret)
{
	struct probe_desc *d;
	char *colon, *plus;

	if (t->nr_probes >= TRACE_MAX_PROBES) {
		p_err("at most %d probes", TRACE_MAX_PROBES);
		return -E2BIG;
	}
	d = &t->probes[t->nr_probes];
	memset(d, 0, sizeof(*d));
	d->kind = ret ? PROBE_RETURN : PROBE_ENTRY;
	/* The symbol alone must fit the request's BPFRB_SYM_LEN. */
	if (strcspn(spec, "+:") >= BPFRB_SYM_LEN ||
	    snprintf(d->symbol, sizeof(d->symbol), "%s", spec) >=
	    (int)sizeof(d->symbol)) {
		p_err("symbol too long: %s", spec);
		return -ENAMETOOLONG;
	}
	colon = strchr(d->symbol, ':');
	if (colon) {
		if (ret) {
			p_err("-r %s: a return probe records the return value, not arguments",
			      spec);
			return -EINVAL;
		}
		*colon = '\0';
		/* One digit: strtoul() would take " 1", "+1" or 2^32 + 1. */
		if (colon[1] < '0' || colon[1] > '6' || colon[2]) {
			p_err("-k %s: NARGS must be 0..6", spec);
			return -EINVAL;
		}
		d->nargs = (unsigned int)(colon[1] - '0');
	}
	plus = strchr(d->symbol, '+');
	if (plus && ret) {
		p_err("-r %s: a return probe has no offset", spec);
		return -EINVAL;
	}
	if (plus && parse_offset(plus + 1, &d->offset)) {
		p_err("-k %s: OFFSET must be a number of bytes below 2^32", spec);
		return -EINVAL;
	}
	if (!d->symbol[0] || plus == d->symbol) {
		p_err("missing symbol in '%s'", spec);
		return -EINVAL;
	}
	t->nr_probes++;
	return 0;
}

/* SYM+OFFSET is split here; the description keeps the whole name. */
static int attach_one(int fd, struct probe_desc *d)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, o, .nargs = d->nargs,
		   .offset = d->offset,
		   .flags = d->kind == PROBE_RETURN ? BPFRB_KPROBE_RETURN : 0);
	char sym[BPFRB_SYM_LEN];
	int id;

	snprintf(sym, sizeof(sym), "%s", d->symbol);
	sym[strcspn(sym, "+")] = '\0';
	id = bpfrb_kprobe_attach(fd, sym, &o);
	if (id < 0) {
		switch (id) {
		case -ENOENT:
			p_err("%s: no such kernel symbol", sym);
			break;
		case -EPERM:
			p_err("%s: permission denied (needs CAP_PERFMON or CAP_SYS_ADMIN)",
			      sym);
			break;
		case -EINVAL:
		case -EILSEQ:
			p_err("%s: cannot be probed (%s)", d->symbol,
			      strerror(-id));
			break;
		default:
			p_err("%s: %s", d->symbol, strerror(-id));
		}
		return id;
	}
	d->id = id;
	return 0;
}

static const struct probe_desc *find_probe(const struct trace *t, __u32 id)
{
	unsigned int i;

	for (i = 0; i < t->nr_probes; i++)
		if (t->probes[i].id == id)
			return &t->probes[i];
	return NULL;
}

static int on_event(void *ctx, const void *data, size_t size)
{
	struct trace *t = ctx;
	const struct bpfrb_event *ev = data;
	const struct probe_desc *d;

	if (size != sizeof(*ev))
		return 0;	/* not ours: the ring is private, cannot happen */
	d = find_probe(t, ev->probe_id);
	if (!d)
		return 0;
	/*
	 * --proc shows what happened: failed execs and clones did not. Both
	 * return an int: the register's upper half is not theirs.
	 */
	if ((d->kind == PROBE_EXEC && (int)ev->args[0]) ||
	    (d->kind == PROBE_CLONE && (int)ev->args[0] <= 0)) {
		t->skipped++;
		return 0;
	}
	event_print(ev, d);
	t->per_kind[d->kind]++;
	return RECORD_COUNTED;
}

static void print_summary(const struct trace *t, unsigned long long events,
			  const struct bpfrb_info *info)
{
	unsigned long long exec = t->per_kind[PROBE_EXEC] +
				  t->per_kind[PROBE_EXEC_ENTRY];
	struct json_obj j;

	if (json_output) {
		json_begin(&j, stdout);
		json_str(&j, "summary", "trace");
		json_u64(&j, "events", events);
		json_u64(&j, "drops", info->drops);
		json_u64(&j, "records", info->records);
		if (t->proc) {
			json_u64(&j, "fork", t->per_kind[PROBE_FORK]);
			json_u64(&j, "clone", t->per_kind[PROBE_CLONE]);
			json_u64(&j, "exec", exec);
			json_u64(&j, "exit", t->per_kind[PROBE_EXIT]);
			json_u64(&j, "skipped", t->skipped);
		}
		json_end(&j);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "%llu events, %llu drops", events,
		(unsigned long long)info->drops);
	if (t->proc)
		fprintf(stderr, " (fork %llu, clone %llu, exec %llu, exit %llu; %llu failed exec/clone not shown)",
			t->per_kind[PROBE_FORK], t->per_kind[PROBE_CLONE], exec,
			t->per_kind[PROBE_EXIT], t->skipped);
	fputc('\n', stderr);
}

static int parse_trace_args(struct trace *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kprobe",	required_argument,	NULL, 'k' },
		{ "kretprobe",	required_argument,	NULL, 'r' },
		{ "proc",	no_argument,		NULL, 'p' },
		{ "count",	required_argument,	NULL, 'c' },
		{ "duration",	required_argument,	NULL, 'd' },
		{ "size",	required_argument,	NULL, 's' },
		{ "json",	no_argument,		NULL, 'j' },
		{ 0 }
	};
	unsigned long long v;
	int opt;

	while ((opt = getopt_long(argc, argv, "k:r:pc:d:s:j", opts, NULL)) >= 0) {
		switch (opt) {
		case 'k':
		case 'r':
			if (add_probe(t, optarg, opt == 'r'))
				return -EINVAL;
			break;
		case 'p':
			t->proc = true;
			break;
		case 'c':
			if (parse_positive("--count", optarg, &t->lim.count))
				return -EINVAL;
			break;
		case 'd':
			if (parse_positive("--duration", optarg, &v))
				return -EINVAL;
			t->lim.duration = (double)v;
			break;
		case 's':
			if (parse_positive("--size", optarg, &t->size))
				return -EINVAL;
			break;
		case 'j':
			json_output = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		p_err("trace: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!t->nr_probes && !t->proc) {
		p_err("trace: nothing to trace (-k SYM, -r SYM or --proc)");
		return -EINVAL;
	}
	if (t->proc && t->nr_probes + PROC_MAX_PROBES > TRACE_MAX_PROBES) {
		p_err("trace: --proc takes up to %d of the %d probes a ring may have",
		      PROC_MAX_PROBES, TRACE_MAX_PROBES);
		return -EINVAL;
	}
	return 0;
}

static void detach_all(int fd, const struct trace *t)
{
	unsigned int i;

	for (i = 0; i < t->nr_probes; i++)
		bpfrb_kprobe_detach(fd, t->probes[i].id);
}

/*
 * The trace's ring, named so that "bpfrb list" shows whose it is:
 * bpfrb-trace-PID. Ring names are one system-wide namespace and pids are
 * not (a process in another pid namespace can have ours): if the name is
 * taken, bpfrb-trace-PID-2, -3 ... The name in name; the fd, or -1 and
 * errno.
 */
static int create_named_ring(char name[BPFRB_NAME_LEN], unsigned long long size)
{
	int fd, n;

	snprintf(name, BPFRB_NAME_LEN, "bpfrb-trace-%d", (int)getpid());
	fd = bpfrb_create(name, size, BPFRB_TYPE_KERNEL, NULL);
	for (n = 2; fd < 0 && errno == EEXIST && n <= 100; n++) {
		snprintf(name, BPFRB_NAME_LEN, "bpfrb-trace-%d-%d", (int)getpid(), n);
		fd = bpfrb_create(name, size, BPFRB_TYPE_KERNEL, NULL);
	}
	return fd;
}

int do_trace(int argc, char **argv)
{
	static struct trace t;
	unsigned long long seen = 0, events = 0;
	struct bpfrb_info info;
	char name[BPFRB_NAME_LEN];
	unsigned int i;
	int fd, err;

	memset(&t, 0, sizeof(t));
	t.size = TRACE_DEFAULT_SIZE;
	t.lim.follow = true;
	if (parse_trace_args(&t, argc, argv))
		return EXIT_USAGE;
	/* From here a Ctrl-C ends the trace, attaching or not. */
	consume_catch_signals();

	fd = create_named_ring(name, t.size);
	if (fd < 0) {
		p_err("cannot create a ring of %llu bytes: %s%s", t.size,
		      strerror(errno),
		      errno == ENOENT ? " (is the bpfrb module loaded?)" : "");
		return EXIT_FAIL;
	}
	for (i = 0; i < t.nr_probes; i++) {
		if (attach_one(fd, &t.probes[i])) {
			close(fd);	/* detaches what was attached */
			return EXIT_FAIL;
		}
	}
	if (t.proc) {
		err = proc_attach(fd, t.probes, &t.nr_probes);
		if (err) {
			close(fd);
			return EXIT_FAIL;
		}
	}
	if (!json_output) {
		p_info("Tracing %u probe%s into ring %s; Ctrl-C to end.",
		       t.nr_probes, t.nr_probes == 1 ? "" : "s", name);
		event_print_header();
	}

	err = consume_ring(fd, on_event, &t, &t.lim, &seen, &events);
	/* No new events after this; print what is already in the ring. */
	detach_all(fd, &t);
	if (!err && (!t.lim.count || events < t.lim.count)) {
		struct consume_limits rest = t.lim;

		rest.follow = false;
		rest.duration = 0;
		/* After a Ctrl-C, what is left; a second one ends that too. */
		rest.signals_before = consume_signals();
		if (rest.count)
			rest.count -= events;
		err = consume_ring(fd, on_event, &t, &rest, &seen, &events);
	}
	if (bpfrb_info(fd, &info)) {
		p_err("cannot read the ring's counters: %s", strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	print_summary(&t, events, &info);
	close(fd);
	return err ? EXIT_FAIL : EXIT_OK;
}
