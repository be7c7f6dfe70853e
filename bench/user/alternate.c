// SPDX-License-Identifier: GPL-2.0
/*
 * Alternating runs (rbbench -a): bpfrb and its BPF peer measured by one
 * thread in turns, batch by batch, instead of one run after the other.
 *
 * Under TCG the host's speed drifts within a boot, by steps of seconds to
 * a minute (docs/BENCHMARKS.md, "Placement"): two runs next to each other
 * may meet different speeds, and a ratio of their figures carries that
 * drift. Here each peer is loaded at once, each produces only for its own
 * getpgid() argument (the producer module's trigger_pid, the BPF program's
 * trigger_pid), and the thread fires and drains them in the order A B B A,
 * A B B A ...: both meet the same host, turn by turn, a few hundred
 * microseconds apart.
 *
 * b2b: a turn is the trigger and the drain; cost: the trigger alone, the
 * drain untimed. A peer's figure is what it did in its own turns: records
 * received per second of its turns, and time per record written.
 *
 * Each peer's probe also fires, and returns at once, on the other's
 * calls, so a turn costs both probes' entry, where a run of its own pays
 * its own probe's alone: a few ns per record more for both, which brings
 * their ratio closer to 1. After each A B (or B A) one idle call, for
 * an argument neither peer produces for, is timed as well: the syscall
 * and both probes with nothing produced. Each line also gives its figures
 * with that subtracted (the records' own cost, "probe excluded").
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rbbench.h"

/* The idle call's getpgid() argument: neither peer produces for it. */
#define TRIGGER_PID_IDLE	(TRIGGER_PID_BASE + 2)

struct alt_side {
	const char *name;
	struct peer *peer;
	struct consumer *cons;
	struct bench_ctx ctx;
	double mrps[MAX_SECONDS], nspr[MAX_SECONDS], drops[MAX_SECONDS];
	/* The same without the idle call's time per turn. */
	double mrps_excl[MAX_SECONDS], nspr_excl[MAX_SECONDS];
};

struct alt_run {
	struct alt_side side[2];
	bool cost;
	_Atomic uint64_t idle_ns, idle_calls;
	atomic_bool stop;
	atomic_int err;
};

/* One turn of one peer: its batch, and in b2b mode its drain, timed. */
static int take_turn(struct alt_side *s, bool cost)
{
	uint64_t t0 = now_ns(), t1 = 0;
	long n;

	syscall(SYS_getpgid, s->ctx.trigger_pid);
	if (cost)
		t1 = now_ns();
	n = s->cons->poll(s->cons, 0);
	if (!cost)
		t1 = now_ns();
	count_add(&s->ctx.c.turn_ns, t1 - t0);
	count_add(&s->ctx.c.triggers, 1);
	return n < 0 ? (int)n : 0;
}

static void *alt_main(void *p)
{
	struct alt_run *r = p;
	unsigned long turn;
	uint64_t t0;
	int k, err;

	pin(0);
	for (turn = 0; !atomic_load_explicit(&r->stop, memory_order_relaxed); turn++) {
		/* A B, then B A: neither always follows the other. */
		for (k = 0; k < 2; k++) {
			err = take_turn(&r->side[(turn & 1) ^ k], r->cost);
			if (err) {
				atomic_store(&r->err, err);
				return NULL;
			}
		}
		t0 = now_ns();
		syscall(SYS_getpgid, TRIGGER_PID_IDLE);
		count_add(&r->idle_ns, now_ns() - t0);
		count_add(&r->idle_calls, 1);
	}
	return NULL;
}

/* A side's running totals, sampled once a second. */
struct alt_totals {
	uint64_t records, triggers, turn_ns, drops;
};

static void totals(struct alt_side *s, struct alt_totals *t)
{
	t->records = atomic_load(&s->ctx.c.records);
	t->triggers = atomic_load(&s->ctx.c.triggers);
	t->turn_ns = atomic_load(&s->ctx.c.turn_ns);
	t->drops = s->peer->drops(s->peer);
}

/*
 * Second i of a side, from its totals at the start and end of it, and
 * what an idle call took in that second.
 */
static void second(struct alt_side *s, int i, const struct alt_totals *a,
		   const struct alt_totals *b, double wall_s, double idle_ns)
{
	uint64_t triggers = b->triggers - a->triggers;
	uint64_t records = b->records - a->records;
	uint64_t written = triggers * s->ctx.o->batch;
	double ns = b->turn_ns - a->turn_ns;
	double excl = ns - idle_ns * triggers;

	s->mrps[i] = ns > 0 ? records * 1e3 / ns : 0;
	s->nspr[i] = written ? ns / written : 0;
	s->mrps_excl[i] = excl > 0 ? records * 1e3 / excl : 0;
	s->nspr_excl[i] = written && excl > 0 ? excl / written : 0;
	s->drops[i] = (b->drops - a->drops) / wall_s / 1e6;
}

static double best_of(const double *v, int n, bool lowest)
{
	double best = 0;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] && (!best || (lowest ? v[i] < best : v[i] > best)))
			best = v[i];
	return best;
}

/*
 * One JSON line with the fields of rbbench's own (those that apply), mode
 * "b2b-alt" or "cost-alt", and the peer it took turns with.
 */
static void report(struct alt_side *s, const struct alt_side *other, bool cost,
		   const double *idle_ns)
{
	const struct bench_opts *o = s->ctx.o;
	int n = o->duration_s;
	double m, sd, dm, dsd, cm, csd, xm, xsd, xcm, xcsd, im, isd;
	uint64_t p50, p99, max;

	mean_std(s->mrps, n, &m, &sd);
	mean_std(s->drops, n, &dm, &dsd);
	mean_std(s->nspr, n, &cm, &csd);
	mean_std(s->mrps_excl, n, &xm, &xsd);
	mean_std(s->nspr_excl, n, &xcm, &xcsd);
	mean_std(idle_ns, n, &im, &isd);
	lat_report(&s->ctx.lat, &p50, &p99, &max);
	printf("{\"peer\":\"%s\",\"consumer\":\"%s\",\"mode\":\"%s\",\"alt_with\":\"%s\","
	       "\"producers\":1,\"batch\":%u,\"size\":%u,\"ring_size\":%lu,\"seconds\":%d,"
	       "\"mrps\":%.4f,\"mrps_std\":%.4f,\"mbps\":%.2f,\"drops_mps\":%.4f,"
	       "\"mrps_best\":%.4f,\"ns_per_rec\":%.2f,\"ns_per_rec_std\":%.2f,"
	       "\"ns_per_rec_best\":%.2f,"
	       "\"lat_p50_ns\":%llu,\"lat_p99_ns\":%llu,\"lat_max_ns\":%llu,"
	       "\"lat_samples\":%zu,\"idle_call_ns\":%.0f,\"mrps_probe_excl\":%.4f,"
	       "\"ns_per_rec_probe_excl\":%.2f",
	       s->name, s->cons->name, cost ? "cost-alt" : "b2b-alt", other->name,
	       o->batch, o->size, o->ring_size, n, m, sd, m * o->size, dm,
	       best_of(s->mrps, n, false), cm, csd, best_of(s->nspr, n, true),
	       (unsigned long long)p50, (unsigned long long)p99,
	       (unsigned long long)max, s->ctx.lat.n, im, xm, xcm);
	print_series("per_s", s->mrps, n);
	print_series("ns_per_rec_per_s", s->nspr, n);
	printf("}\n");
}

/* The per-second figures of both sides, and idle_ns[] of the idle calls. */
static void measure(struct alt_run *r, const struct bench_opts *o,
		    double *idle_ns)
{
	struct alt_totals t0[2], t1[2];
	uint64_t ins0, inc0, ins1, inc1;
	struct timespec tick, a, b;
	int i, k;

	clock_gettime(CLOCK_MONOTONIC, &tick);
	sleep_until(&tick, o->warmup_s);
	for (k = 0; k < 2; k++) {
		r->side[k].ctx.lat.on = true;
		totals(&r->side[k], &t0[k]);
	}
	ins0 = atomic_load(&r->idle_ns);
	inc0 = atomic_load(&r->idle_calls);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < o->duration_s; i++) {
		sleep_until(&tick, 1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ins1 = atomic_load(&r->idle_ns);
		inc1 = atomic_load(&r->idle_calls);
		idle_ns[i] = inc1 > inc0 ? (double)(ins1 - ins0) / (inc1 - inc0) : 0;
		for (k = 0; k < 2; k++) {
			totals(&r->side[k], &t1[k]);
			second(&r->side[k], i, &t0[k], &t1[k],
			       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
			       idle_ns[i]);
			t0[k] = t1[k];
		}
		ins0 = ins1, inc0 = inc1, a = b;
	}
	for (k = 0; k < 2; k++)
		r->side[k].ctx.lat.on = false;
}

struct peer *alt_peer_open(const struct bench_opts *o, int k,
			   struct bench_ctx *ctx, const char **name,
			   struct consumer **cons)
{
	*name = k ? o->alt_peer : o->peer;
	ctx->o = o;
	ctx->trigger_pid = TRIGGER_PID_BASE + k;
	return peer_open(ctx, *name, cons);
}

int alternate_run(const struct bench_opts *o)
{
	static struct alt_run r;	/* the per-second arrays: not on the stack */
	double idle_ns[MAX_SECONDS];
	pthread_t th;
	int k, err = 0;

	if (!strcmp(o->consumer, "none")) {
		fprintf(stderr, "rbbench: -a needs a consumer\n");
		return -EINVAL;
	}
	r.cost = o->mode == MODE_COST;
	for (k = 0; k < 2; k++) {
		struct alt_side *s = &r.side[k];

		s->peer = alt_peer_open(o, k, &s->ctx, &s->name, &s->cons);
		if (!s->peer) {
			err = -EINVAL;
			goto out;
		}
	}
	err = -pthread_create(&th, NULL, alt_main, &r);
	if (err)
		goto out;
	measure(&r, o, idle_ns);
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	err = atomic_load(&r.err);
	if (err) {
		fprintf(stderr, "rbbench: consumer: %s\n", strerror(-err));
		goto out;
	}
	for (k = 0; k < 2; k++)
		report(&r.side[k], &r.side[!k], r.cost, idle_ns);
out:
	for (k = 0; k < 2; k++)
		if (r.side[k].peer)
			peer_close(r.side[k].peer, r.side[k].cons, &r.side[k].ctx);
	return err;
}
