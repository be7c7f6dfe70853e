// SPDX-License-Identifier: GPL-2.0
/*
 * Two producers in turns (rbbench -a PEER -m parallel -n 2): the
 * two-producer runs, with bpfrb and its BPF peer loaded at once and
 * taking turns every SLOT_MS, instead of one 5-second run after the
 * other.
 *
 * The host's price of a line shared between the vCPUs, which is what two
 * producers mostly pay, moves within seconds (docs/BENCHMARKS.md, "Two
 * producers"), so two runs side by side often meet different prices.
 * Here the producers on CPUs 0 and 1 fire the getpgid() argument of the
 * peer whose turn it is (TRIGGER_PID_BASE + k, as in alternate.c), and each
 * ring's consumer runs on CPU 0 throughout; the one whose ring is idle
 * sleeps in poll. Each second holds the turns A B B A (the next one
 * B A A B), so both peers meet the same host within the second. A peer's
 * figure is what its consumer received per second of its own turns. A
 * turn ends with up to a ring's worth of records still in the ring, which
 * its consumer receives during the other's turn and which count for it:
 * the same for both, as in a run of their own.
 *
 * Each turn also records the CPU time of both producers and of the
 * peer's own consumer, and how many batches each producer fired: the
 * consumer shares CPU 0 with producer 0, and how the scheduler splits
 * that CPU between them decides how much of what is received comes from
 * two producers contending and how much from one alone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rbbench.h"

#define SLOT_MS			250
#define SLOTS_PER_S		(1000 / SLOT_MS)

struct two_side {
	const char *name;
	struct peer *peer;
	struct consumer *cons;
	struct bench_ctx ctx;
	double turn_s;		/* of the second being measured */
	double mrps[MAX_SECONDS], drops[MAX_SECONDS];
	/* Over the measured seconds' turns of this peer: */
	double turns_s;		/* their length */
	double cons_cpu_s;	/* this peer's consumer's CPU time */
	double prod_cpu_s[2];	/* each producer's CPU time */
	uint64_t prod_batches[2];	/* getpgid() calls by each producer */
};

/* What the turn being timed started from: its peer's consumer, each producer. */
struct turn_start {
	double cons_cpu_s, prod_cpu_s[2];
	uint64_t prod_batches[2];
};

static struct two_run {
	struct two_side side[2];
	_Atomic long trigger_pid;	/* whose turn it is */
	atomic_bool stop;
	atomic_int err;
	bool measuring;			/* the turns' CPU times are kept */
	pthread_t cons_th[2], prod_th[2];
	/* getpgid() calls, by the peer fired for and the producer's CPU */
	_Atomic uint64_t batches[2][2];
} r;

static void *producer_main(void *p)
{
	int cpu = (int)(long)p;
	long pid, k;

	pin(cpu);
	while (!atomic_load_explicit(&r.stop, memory_order_relaxed)) {
		pid = atomic_load_explicit(&r.trigger_pid, memory_order_relaxed);
		syscall(SYS_getpgid, pid);
		k = pid - TRIGGER_PID_BASE;
		count_add(&r.side[k].ctx.c.triggers, 1);
		count_add(&r.batches[k][cpu], 1);
	}
	return NULL;
}

static void *consumer_main(void *p)
{
	struct two_side *s = p;
	long n;

	pin(0);
	while (!atomic_load_explicit(&r.stop, memory_order_relaxed)) {
		n = s->cons->poll(s->cons, 100);
		if (n < 0) {
			atomic_store(&r.err, (int)n);
			break;
		}
	}
	return NULL;
}

static void add_ms(struct timespec *t, int ms)
{
	t->tv_nsec += ms * 1000000L;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static void turn_begin(struct turn_start *t, int k)
{
	int i;

	t->cons_cpu_s = thread_cpu_s(r.cons_th[k]);
	for (i = 0; i < 2; i++) {
		t->prod_cpu_s[i] = thread_cpu_s(r.prod_th[i]);
		t->prod_batches[i] = atomic_load(&r.batches[k][i]);
	}
}

/* Adds what the threads did since turn_begin() to peer k's totals. */
static void turn_end(const struct turn_start *t, int k, double turn_s)
{
	struct two_side *s = &r.side[k];
	int i;

	s->turns_s += turn_s;
	s->cons_cpu_s += thread_cpu_s(r.cons_th[k]) - t->cons_cpu_s;
	for (i = 0; i < 2; i++) {
		s->prod_cpu_s[i] += thread_cpu_s(r.prod_th[i]) - t->prod_cpu_s[i];
		s->prod_batches[i] += atomic_load(&r.batches[k][i]) -
				      t->prod_batches[i];
	}
}

/* One second of turns, A B B A or B A A B; each side's turn_s grows. */
static void one_second(struct timespec *tick, int second)
{
	static const int order[2][SLOTS_PER_S] = { { 0, 1, 1, 0 }, { 1, 0, 0, 1 } };
	struct turn_start start;
	double turn_s;
	uint64_t t0;
	int slot, k;

	for (slot = 0; slot < SLOTS_PER_S; slot++) {
		k = order[second & 1][slot];
		atomic_store(&r.trigger_pid, TRIGGER_PID_BASE + k);
		turn_begin(&start, k);
		t0 = now_ns();
		add_ms(tick, SLOT_MS);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, tick,
				       NULL) == EINTR)
			;
		turn_s = (now_ns() - t0) / 1e9;
		r.side[k].turn_s += turn_s;
		if (r.measuring)
			turn_end(&start, k, turn_s);
	}
}

/* The per-second figures of both sides, after the warm-up's turns. */
static void measure(const struct bench_opts *o)
{
	uint64_t rec0[2], drop0[2], rec1, drop1;
	struct timespec tick;
	int i, k;

	clock_gettime(CLOCK_MONOTONIC, &tick);
	for (i = 0; i < o->warmup_s; i++)
		one_second(&tick, i);
	for (k = 0; k < 2; k++) {
		r.side[k].ctx.lat.on = true;
		rec0[k] = atomic_load(&r.side[k].ctx.c.records);
		drop0[k] = r.side[k].peer->drops(r.side[k].peer);
	}
	r.measuring = true;
	for (i = 0; i < o->duration_s; i++) {
		for (k = 0; k < 2; k++)
			r.side[k].turn_s = 0;
		one_second(&tick, i);
		for (k = 0; k < 2; k++) {
			struct two_side *s = &r.side[k];

			rec1 = atomic_load(&s->ctx.c.records);
			drop1 = s->peer->drops(s->peer);
			s->mrps[i] = (rec1 - rec0[k]) / s->turn_s / 1e6;
			s->drops[i] = (drop1 - drop0[k]) / s->turn_s / 1e6;
			rec0[k] = rec1, drop0[k] = drop1;
		}
	}
	r.measuring = false;
	for (k = 0; k < 2; k++)
		r.side[k].ctx.lat.on = false;
}

/* One JSON line, with the fields of rbbench's own that apply. */
static void report(struct two_side *s, const struct two_side *other)
{
	const struct bench_opts *o = s->ctx.o;
	int i, n = o->duration_s;
	double m, sd, dm, dsd, best = 0, t = s->turns_s;
	uint64_t p50, p99, max;

	mean_std(s->mrps, n, &m, &sd);
	mean_std(s->drops, n, &dm, &dsd);
	for (i = 0; i < n; i++)
		if (s->mrps[i] > best)
			best = s->mrps[i];
	lat_report(&s->ctx.lat, &p50, &p99, &max);
	printf("{\"peer\":\"%s\",\"consumer\":\"%s\",\"mode\":\"two-alt\","
	       "\"alt_with\":\"%s\",\"producers\":2,\"batch\":%u,\"size\":%u,"
	       "\"ring_size\":%lu,\"seconds\":%d,\"slot_ms\":%d,"
	       "\"mrps\":%.4f,\"mrps_std\":%.4f,\"mbps\":%.2f,\"drops_mps\":%.4f,"
	       "\"mrps_best\":%.4f,"
	       "\"lat_p50_ns\":%llu,\"lat_p99_ns\":%llu,\"lat_max_ns\":%llu,"
	       "\"lat_samples\":%zu",
	       s->name, s->cons->name, other->name, o->batch, o->size,
	       o->ring_size, n, SLOT_MS, m, sd, m * o->size, dm, best,
	       (unsigned long long)p50, (unsigned long long)p99,
	       (unsigned long long)max, s->ctx.lat.n);
	/* Shares of a CPU, and records written per second, in its turns. */
	printf(",\"cons_cpu\":%.3f,\"prod0_cpu\":%.3f,\"prod1_cpu\":%.3f,"
	       "\"prod0_mrps\":%.4f,\"prod1_mrps\":%.4f",
	       s->cons_cpu_s / t, s->prod_cpu_s[0] / t, s->prod_cpu_s[1] / t,
	       s->prod_batches[0] * (double)o->batch / t / 1e6,
	       s->prod_batches[1] * (double)o->batch / t / 1e6);
	print_series("per_s", s->mrps, n);
	print_series("drops_per_s", s->drops, n);
	printf("}\n");
}

int alternate_two_run(const struct bench_opts *o)
{
	int i, k, nth = 0, err = 0;

	if (!strcmp(o->consumer, "none")) {
		fprintf(stderr, "rbbench: -a needs a consumer\n");
		return -EINVAL;
	}
	for (k = 0; k < 2; k++) {
		struct two_side *s = &r.side[k];

		s->peer = alt_peer_open(o, k, &s->ctx, &s->name, &s->cons);
		if (!s->peer) {
			err = -EINVAL;
			goto out;
		}
	}
	atomic_store(&r.trigger_pid, TRIGGER_PID_BASE);
	/* Threads 0 and 1 are the consumers, 2 and 3 the producers. */
	for (i = 0; i < 4 && !err; i++) {
		if (i < 2)
			err = -pthread_create(&r.cons_th[i], NULL, consumer_main,
					      &r.side[i]);
		else
			err = -pthread_create(&r.prod_th[i - 2], NULL,
					      producer_main, (void *)(long)(i - 2));
		nth += !err;
	}
	if (!err)
		measure(o);
	atomic_store(&r.stop, true);
	for (i = 0; i < nth; i++)
		pthread_join(i < 2 ? r.cons_th[i] : r.prod_th[i - 2], NULL);
	if (!err)
		err = atomic_load(&r.err);
	if (err) {
		fprintf(stderr, "rbbench: two in turns: %s\n", strerror(-err));
		goto out;
	}
	for (k = 0; k < 2; k++)
		report(&r.side[k], &r.side[!k]);
out:
	for (k = 0; k < 2; k++)
		if (r.side[k].peer)
			peer_close(r.side[k].peer, r.side[k].cons, &r.side[k].ctx);
	return err;
}
