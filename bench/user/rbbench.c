// SPDX-License-Identifier: GPL-2.0
/*
 * rbbench: one benchmark run, printed as one JSON line.
 *
 *   rbbench -p PEER [-c lib|batch|uring|none] [-m parallel|b2b|sampled|cost]
 *           [-n PRODUCERS] [-b BATCH] [-s SIZE] [-r RING_BYTES]
 *           [-w WARMUP_S] [-d SECONDS] [-k bpfrb_bench.ko] [-T] [-a PEER]
 *
 * PEER: bpfrb-reserve, bpfrb-output, bpf-rb-reserve, bpf-rb-output, bpf-pb,
 * bpf-rb-reserve-atomic (drops counted as the kernel's bench counts them),
 * floor, memcpy, probe-only. Every peer is triggered the same way: a probe
 * on the getpgid syscall writes BATCH records of SIZE bytes per call.
 *
 * A figure is taken each second after the warm-up: records the consumer
 * saw (for the ring-less peers: records the probe wrote), drops, and in
 * cost mode the time spent inside getpgid() per record. With -a, the two
 * peers take turns: in b2b and cost mode in one thread (alternate.c), in
 * parallel mode with two producers every quarter second
 * (alternate_two.c); one JSON line each. scripts/bench.sh
 * runs the matrix; bench/report.py turns the lines into tables.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rbbench.h"

#define LAT_CAP		(2u << 20)
/* How long each reading of line_rtt_ns() takes. */
#define LINE_RTT_MS	100

static atomic_bool stop;
/* -T: the consumer's passes in the measured seconds (pass_trace.c). */
static struct pass_trace *trace;
static struct bench_opts opts = {
	.consumer = "batch",
	.mode = MODE_PARALLEL,
	.producers = 1,
	.batch = 500,
	.size = 8,
	.ring_size = 512 * 1024,
	.warmup_s = 1,
	.duration_s = 5,
	.module = "/bench/bpfrb_bench.ko",
};

static const char * const mode_names[] = {
	[MODE_PARALLEL] = "parallel",
	[MODE_B2B] = "b2b",
	[MODE_SAMPLED] = "sampled",
	[MODE_COST] = "cost",
};

struct thread_arg {
	struct bench_ctx *ctx;
	struct consumer *cons;
	int cpu;
	_Atomic pid_t tid;	/* set by the thread itself */
};

void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline void trigger(void)
{
	syscall(SYS_getpgid, 0);
}

static void *producer_main(void *p)
{
	struct thread_arg *a = p;

	pin(a->cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		trigger();
		count_add(&a->ctx->c.triggers, 1);
	}
	return NULL;
}

static void *consumer_main(void *p)
{
	struct thread_arg *a = p;
	long n;

	a->tid = (pid_t)syscall(SYS_gettid);
	pin(a->cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t t0 = trace ? now_ns() : 0;

		count_add(&a->ctx->c.polls, 1);
		n = a->cons->poll(a->cons, 100);
		if (trace)
			pass_trace_add(trace, t0, now_ns(), n);
		if (n < 0) {
			fprintf(stderr, "rbbench: consumer: %s\n", strerror((int)-n));
			break;
		}
	}
	return NULL;
}

/* b2b and cost: one thread fires a batch, then drains it itself. */
static void *b2b_main(void *p)
{
	struct thread_arg *a = p;
	bool cost = a->ctx->o->mode == MODE_COST;
	uint64_t t0;

	pin(a->cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		t0 = cost ? now_ns() : 0;
		trigger();
		if (cost)
			count_add(&a->ctx->c.trigger_ns, now_ns() - t0);
		count_add(&a->ctx->c.triggers, 1);
		if (a->cons && a->cons->poll(a->cons, 0) < 0)
			break;
	}
	return NULL;
}

static int parse_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(s, mode_names[i]))
			return (int)i;
	return -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rbbench -p PEER [-c lib|batch|uring|none] [-m parallel|b2b|sampled|cost]\n"
		"               [-n PRODUCERS] [-b BATCH] [-s SIZE] [-r RING_BYTES]\n"
		"               [-w WARMUP_S] [-d SECONDS] [-k bpfrb_bench.ko] [-T]\n"
		"               [-a ALTERNATE_PEER]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	int c, m;

	while ((c = getopt(argc, argv, "p:c:m:n:b:s:r:w:d:k:Ta:")) != -1) {
		switch (c) {
		case 'p': opts.peer = optarg; break;
		case 'c': opts.consumer = optarg; break;
		case 'm':
			m = parse_mode(optarg);
			if (m < 0)
				usage();
			opts.mode = m;
			break;
		case 'n': opts.producers = atoi(optarg); break;
		case 'b': opts.batch = atoi(optarg); break;
		case 's': opts.size = atoi(optarg); break;
		case 'r': opts.ring_size = strtoul(optarg, NULL, 0); break;
		case 'w': opts.warmup_s = atoi(optarg); break;
		case 'd': opts.duration_s = atoi(optarg); break;
		case 'k': opts.module = optarg; break;
		case 'T': opts.trace = true; break;
		case 'a': opts.alt_peer = optarg; break;
		default: usage();
		}
	}
	if (!opts.peer || opts.producers < 1 || opts.producers > 2 ||
	    opts.duration_s < 1 || opts.duration_s > MAX_SECONDS ||
	    (opts.trace && opts.duration_s > MAX_TRACE_S) ||
	    (opts.alt_peer && (opts.trace ||
			       (opts.producers == 1 &&
				opts.mode != MODE_B2B && opts.mode != MODE_COST) ||
			       (opts.producers == 2 && opts.mode != MODE_PARALLEL))))
		usage();
}

/* What one second is measured by, read as a running total. */
static uint64_t records_total(struct bench_ctx *ctx, bool consumed)
{
	if (consumed)
		return atomic_load(&ctx->c.records);
	return atomic_load(&ctx->c.triggers) * ctx->o->batch;
}

void sleep_until(struct timespec *t, int secs)
{
	t->tv_sec += secs;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

/* CPU seconds a thread has used so far. */
double thread_cpu_s(pthread_t t)
{
	struct timespec ts;
	clockid_t id;

	if (pthread_getcpuclockid(t, &id) || clock_gettime(id, &ts))
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The consumer's and the producers' CPU seconds, as running totals. */
static void cpu_split(pthread_t *th, int nth, bool has_consumer,
		      double *cons, double *prod)
{
	int i;

	*cons = *prod = 0;
	for (i = 0; i < nth; i++) {
		if (i == 0 && has_consumer)
			*cons = thread_cpu_s(th[i]);
		else
			*prod += thread_cpu_s(th[i]);
	}
}

/*
 * Interrupts that tell how producers and the consumer disturb each other:
 * irq_work (the rings' wakeups), reschedule and function-call IPIs. Sums
 * over CPUs, per CPU 0 and 1.
 */
static const char * const irq_names[] = { "IWI", "RES", "CAL" };
#define NR_IRQ_NAMES	(sizeof(irq_names) / sizeof(irq_names[0]))

static void irq_counts(uint64_t v[NR_IRQ_NAMES][2])
{
	char line[512], name[16];
	unsigned long long c0, c1;
	FILE *f = fopen("/proc/interrupts", "r");
	size_t i;

	memset(v, 0, sizeof(uint64_t) * NR_IRQ_NAMES * 2);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %15[^:]: %llu %llu", name, &c0, &c1) != 3)
			continue;
		for (i = 0; i < NR_IRQ_NAMES; i++)
			if (!strcmp(name, irq_names[i]))
				v[i][0] = c0, v[i][1] = c1;
	}
	fclose(f);
}

/* A thread's context switches so far: voluntary (slept), involuntary. */
static void ctx_switches(pid_t tid, uint64_t *vol, uint64_t *invol)
{
	char path[64], line[128];
	unsigned long long n;
	FILE *f;

	*vol = *invol = 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = tid ? fopen(path, "r") : NULL;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &n) == 1)
			*vol = n;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &n) == 1)
			*invol = n;
	}
	fclose(f);
}

/*
 * Finds the peer called name, sets it up for ctx (whose options and
 * trigger_pid must be set) and makes its consumer (none for consumer
 * "none"). NULL, with the reason printed, if any of that fails; an
 * unknown name ends the program as a usage error does.
 */
struct peer *peer_open(struct bench_ctx *ctx, const char *name,
		       struct consumer **cons)
{
	const char *kind = ctx->o->consumer;
	struct peer *peer = peer_bpf(name);
	int err;

	*cons = NULL;
	if (!peer)
		peer = peer_bpfrb(name);
	if (!peer) {
		fprintf(stderr, "rbbench: unknown peer %s\n", name);
		exit(2);	/* a usage error, as usage()'s */
	}
	ctx->lat.ns = calloc(LAT_CAP, sizeof(*ctx->lat.ns));
	ctx->lat.cap = LAT_CAP;
	err = ctx->lat.ns ? peer->setup(peer, ctx) : -ENOMEM;
	if (err) {
		fprintf(stderr, "rbbench: %s: setup: %s\n", name, strerror(-err));
		peer_close(peer, NULL, ctx);
		return NULL;
	}
	if (strcmp(kind, "none")) {
		*cons = peer->consumer(peer, ctx, kind);
		if (!*cons) {
			fprintf(stderr, "rbbench: %s: no %s consumer\n", name, kind);
			peer_close(peer, NULL, ctx);
			return NULL;
		}
	}
	return peer;
}

void peer_close(struct peer *peer, struct consumer *cons, struct bench_ctx *ctx)
{
	if (cons)
		cons->free(cons);
	peer->teardown(peer);
	free(ctx->lat.ns);
	ctx->lat.ns = NULL;
}

int main(int argc, char **argv)
{
	double mrps[MAX_SECONDS], drops[MAX_SECONDS], nspr[MAX_SECONDS];
	uint64_t r0, d0, t0, n0, r1, d1, t1, n1, p50, p99, max;
	struct thread_arg targ[3];
	pthread_t th[3];
	struct bench_ctx ctx = { .o = &opts };
	struct consumer *cons = NULL;
	struct timespec tick, a, b;
	double m, sd, dm, dsd, cm, csd, el, best = 0, cmin = 0, total_s = 0;
	double cons0, prod0, cons1, prod1;
	uint64_t polls0, polls1, irq0[NR_IRQ_NAMES][2], irq1[NR_IRQ_NAMES][2];
	uint64_t vcsw0, ivcsw0, vcsw1, ivcsw1;
	double rtt[2];
	pid_t cons_tid;
	size_t q;
	bool split;
	int nth = 0, i;
	struct peer *peer;
	bool consumed;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (opts.alt_peer && opts.producers == 2)
		return alternate_two_run(&opts) ? 1 : 0;
	if (opts.alt_peer)
		return alternate_run(&opts) ? 1 : 0;
	ctx.trigger_pid = -1;
	peer = peer_open(&ctx, opts.peer, &cons);
	if (!peer)
		return 1;
	consumed = cons != NULL;
	/* The host's price of a shared line, before and after (line_rtt.c). */
	rtt[0] = line_rtt_ns(LINE_RTT_MS);
	if (opts.trace && cons) {
		/* The measured seconds, which start after the warm-up. */
		uint64_t from = now_ns() + opts.warmup_s * 1000000000ull;

		trace = pass_trace_new(PASS_TRACE_CAP, from,
				       from + opts.duration_s * 1000000000ull);
	}

	/*
	 * CPUs, as the kernel's bench on two CPUs: the consumer on 0; one
	 * producer on 1; two producers on 0 and 1.
	 */
	if (opts.mode == MODE_B2B || opts.mode == MODE_COST) {
		targ[nth] = (struct thread_arg){ &ctx, cons, 0, 0 };
		pthread_create(&th[nth], NULL, b2b_main, &targ[nth]);
		nth++;
	} else {
		if (cons) {
			targ[nth] = (struct thread_arg){ &ctx, cons, 0, 0 };
			pthread_create(&th[nth], NULL, consumer_main, &targ[nth]);
			nth++;
		}
		for (i = 0; i < opts.producers; i++) {
			targ[nth] = (struct thread_arg){ &ctx, NULL,
				opts.producers == 1 ? 1 : i, 0 };
			pthread_create(&th[nth], NULL, producer_main, &targ[nth]);
			nth++;
		}
	}

	/* Where the threads' CPU time went: only with a consumer thread. */
	split = cons && opts.mode != MODE_B2B && opts.mode != MODE_COST;

	clock_gettime(CLOCK_MONOTONIC, &tick);
	sleep_until(&tick, opts.warmup_s);
	ctx.lat.on = true;
	cpu_split(th, nth, split, &cons0, &prod0);
	polls0 = atomic_load(&ctx.c.polls);
	cons_tid = split ? targ[0].tid : 0;
	ctx_switches(cons_tid, &vcsw0, &ivcsw0);
	irq_counts(irq0);
	r0 = records_total(&ctx, consumed);
	d0 = peer->drops(peer);
	t0 = atomic_load(&ctx.c.trigger_ns);
	n0 = atomic_load(&ctx.c.triggers);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < opts.duration_s; i++) {
		sleep_until(&tick, 1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		r1 = records_total(&ctx, consumed);
		d1 = peer->drops(peer);
		t1 = atomic_load(&ctx.c.trigger_ns);
		n1 = atomic_load(&ctx.c.triggers);
		el = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		mrps[i] = (r1 - r0) / el / 1e6;
		drops[i] = (d1 - d0) / el / 1e6;
		nspr[i] = n1 > n0 ? (double)(t1 - t0) / ((n1 - n0) * opts.batch) : 0;
		r0 = r1, d0 = d1, t0 = t1, n0 = n1, a = b;
		total_s += el;
	}
	cpu_split(th, nth, split, &cons1, &prod1);
	polls1 = atomic_load(&ctx.c.polls);
	ctx_switches(cons_tid, &vcsw1, &ivcsw1);
	irq_counts(irq1);
	ctx.lat.on = false;
	atomic_store(&stop, true);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	rtt[1] = line_rtt_ns(LINE_RTT_MS);

	mean_std(mrps, opts.duration_s, &m, &sd);
	mean_std(drops, opts.duration_s, &dm, &dsd);
	mean_std(nspr, opts.duration_s, &cm, &csd);
	/*
	 * The best second too: other load on the host only ever slows a
	 * second down, so the best one is the least disturbed.
	 */
	for (i = 0; i < opts.duration_s; i++) {
		if (mrps[i] > best)
			best = mrps[i];
		if (nspr[i] && (!cmin || nspr[i] < cmin))
			cmin = nspr[i];
	}
	lat_report(&ctx.lat, &p50, &p99, &max);

	printf("{\"peer\":\"%s\",\"consumer\":\"%s\",\"mode\":\"%s\",\"producers\":%d,"
	       "\"batch\":%u,\"size\":%u,\"ring_size\":%lu,\"seconds\":%d,"
	       "\"mrps\":%.4f,\"mrps_std\":%.4f,\"mbps\":%.2f,\"drops_mps\":%.4f,"
	       "\"mrps_best\":%.4f,\"ns_per_rec\":%.2f,\"ns_per_rec_std\":%.2f,"
	       "\"ns_per_rec_best\":%.2f,"
	       "\"lat_p50_ns\":%llu,\"lat_p99_ns\":%llu,\"lat_max_ns\":%llu,"
	       "\"lat_samples\":%zu,\"cons_cpu\":%.3f,\"prod_cpu\":%.3f,"
	       "\"cons_passes_ps\":%.0f,\"cons_sleeps_ps\":%.0f,"
	       "\"cons_preempted_ps\":%.0f",
	       opts.peer, consumed ? cons->name : "none", mode_names[opts.mode],
	       opts.producers, opts.batch, opts.size, opts.ring_size,
	       opts.duration_s, m, sd, m * opts.size, dm, best, cm, csd, cmin,
	       (unsigned long long)p50, (unsigned long long)p99,
	       (unsigned long long)max, ctx.lat.n, (cons1 - cons0) / total_s,
	       (prod1 - prod0) / total_s, (polls1 - polls0) / total_s,
	       (vcsw1 - vcsw0) / total_s, (ivcsw1 - ivcsw0) / total_s);
	for (q = 0; q < NR_IRQ_NAMES; q++)
		printf(",\"%s_ps\":[%.0f,%.0f]", irq_names[q],
		       (irq1[q][0] - irq0[q][0]) / total_s,
		       (irq1[q][1] - irq0[q][1]) / total_s);
	print_series("per_s", mrps, opts.duration_s);
	printf(",\"line_rtt_ns\":[%.0f,%.0f]", rtt[0], rtt[1]);
	if (trace)
		pass_trace_print(trace);
	printf("}\n");

	peer_close(peer, cons, &ctx);
	return 0;
}
