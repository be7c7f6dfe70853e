/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rbbench: what the driver (rbbench.c), the peers (peer_*.c), the consumers
 * (consume_*.c) and the statistics (stats.c) share.
 */
#ifndef RBBENCH_H
#define RBBENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum bench_mode {
	MODE_PARALLEL,	/* producers and the consumer on different CPUs */
	MODE_B2B,	/* one thread: trigger a batch, drain it, again */
	MODE_SAMPLED,	/* parallel, woken only once >= 500 records wait */
	MODE_COST,	/* b2b, timing only the trigger: producer cost per record */
};

struct bench_opts {
	const char *peer;	/* see peer_find() */
	const char *consumer;	/* lib | batch | uring | none */
	enum bench_mode mode;
	int producers;
	unsigned int batch;	/* records per trigger */
	unsigned int size;	/* payload bytes */
	unsigned long ring_size;
	int warmup_s;
	int duration_s;
	const char *module;	/* path of bpfrb_bench.ko */
	bool trace;		/* -T: log the consumer's passes */
	const char *alt_peer;	/* -a: b2b and cost, in turns with this peer */
};

/* The most measured seconds of a run. */
#define MAX_SECONDS	120

/* Counters the consumer writes and the main thread samples each second. */
struct bench_counts {
	_Atomic uint64_t records;
	_Atomic uint64_t bytes;
	_Atomic uint64_t triggers;	/* getpgid() calls */
	_Atomic uint64_t trigger_ns;	/* MODE_COST: time inside them */
	_Atomic uint64_t polls;		/* consumer passes (parallel, sampled) */
	_Atomic uint64_t turn_ns;	/* alternating: time in this peer's turns */
};

/* Latency samples, taken from records that carry a timestamp. */
struct lat_log {
	uint64_t *ns;
	size_t n, cap;
	bool on;	/* only during the measured seconds */
};

struct bench_ctx {
	const struct bench_opts *o;
	struct bench_counts c;
	struct lat_log lat;
	/*
	 * The peer produces only for getpgid(trigger_pid); -1: for every
	 * call. Alternating runs give each peer its own.
	 */
	long trigger_pid;
};

/* Called for every record a consumer sees. */
static inline void bench_record(struct bench_ctx *ctx, const void *data,
				size_t size);

/* A ring a consumer can read without any library: BPF's layout, or ours. */
struct mmap_ring {
	int fd;
	unsigned long size;	/* data bytes, a power of two */
	unsigned long mask;
	void *cons_page;	/* consumer_pos: read-write */
	void *prod_page;	/* producer_pos, then the data twice */
	unsigned char *data;
};

int mmap_ring_open(struct mmap_ring *r, int fd, unsigned long size);
void mmap_ring_close(struct mmap_ring *r);
/* Drain what is there; consumer_pos is stored once at the end. */
long batch_drain(struct mmap_ring *r, struct bench_ctx *ctx);

/*
 * A consumer: waits (up to timeout_ms) for data and drains it, or only
 * drains (timeout_ms 0). Returns the records consumed or -errno.
 */
struct consumer {
	const char *name;
	long (*poll)(struct consumer *c, int timeout_ms);
	void (*free)(struct consumer *c);
	void *priv;
};

struct consumer *batch_consumer_new(struct mmap_ring *r, struct bench_ctx *ctx);
struct consumer *uring_consumer_new(struct mmap_ring *r, struct bench_ctx *ctx);

/* A producer peer: sets up the trigger and a ring, makes its consumers. */
struct peer {
	const char *name;
	int (*setup)(struct peer *p, struct bench_ctx *ctx);
	struct consumer *(*consumer)(struct peer *p, struct bench_ctx *ctx,
				     const char *kind);
	uint64_t (*drops)(struct peer *p);
	void (*teardown)(struct peer *p);
	void *priv;
};

struct peer *peer_bpf(const char *name);
struct peer *peer_bpfrb(const char *name);

/* line_rtt.c: ns per round trip of a line between CPUs 0 and 1; < 0: none. */
double line_rtt_ns(unsigned int ms);

/* rbbench.c: what the alternating runs share with the others. */
void pin(int cpu);
void sleep_until(struct timespec *t, int secs);
double thread_cpu_s(pthread_t t);
struct peer *peer_open(struct bench_ctx *ctx, const char *name,
		       struct consumer **cons);
void peer_close(struct peer *peer, struct consumer *cons, struct bench_ctx *ctx);

/*
 * alternate.c: rbbench -a, b2b or cost mode: the two peers fired in turns
 * by one thread; prints one JSON line per peer. Returns 0 or -errno.
 */
int alternate_run(const struct bench_opts *o);
/*
 * getpgid() arguments that select a peer in turns (TRIGGER_PID_BASE + k
 * for peer k): above any pid_max, so the call itself only fails its
 * lookup, the same for both.
 */
#define TRIGGER_PID_BASE	(1L << 30)
/*
 * Opens peer k of the pair in turns (0: -p, 1: -a) for its getpgid()
 * argument, with its consumer, into ctx; its name goes to *name. NULL, with
 * the reason printed, as peer_open().
 */
struct peer *alt_peer_open(const struct bench_opts *o, int k,
			   struct bench_ctx *ctx, const char **name,
			   struct consumer **cons);
/*
 * alternate_two.c: rbbench -a, parallel mode, two producers: the two
 * peers in turns of a quarter second; one JSON line per peer.
 */
int alternate_two_run(const struct bench_opts *o);

/* pass_trace.c: the consumer's passes in one window of time. */
#define PASS_TRACE_CAP	(4u << 20)
#define MAX_TRACE_S	10
struct pass_trace;
struct pass_trace *pass_trace_new(size_t cap, uint64_t from, uint64_t to);
void pass_trace_add(struct pass_trace *t, uint64_t start, uint64_t end, long n);
void pass_trace_print(const struct pass_trace *t);

/* A relaxed add to one of the counters above. */
static inline void count_add(_Atomic uint64_t *v, uint64_t d)
{
	atomic_fetch_add_explicit(v, d, memory_order_relaxed);
}

/* stats.c */
void lat_add(struct lat_log *l, uint64_t ns);
void lat_report(struct lat_log *l, uint64_t *p50, uint64_t *p99, uint64_t *max);
void mean_std(const double *v, int n, double *mean, double *std);
uint64_t now_ns(void);
/* Prints ,"key":[v0,v1,...] into the run's JSON line. */
void print_series(const char *key, const double *v, int n);

static inline void bench_record(struct bench_ctx *ctx, const void *data,
				size_t size)
{
	uint64_t ts;

	/* Single consumer thread: relaxed read-modify-write is enough. */
	atomic_store_explicit(&ctx->c.records,
			      atomic_load_explicit(&ctx->c.records,
						   memory_order_relaxed) + 1,
			      memory_order_relaxed);
	atomic_store_explicit(&ctx->c.bytes,
			      atomic_load_explicit(&ctx->c.bytes,
						   memory_order_relaxed) + size,
			      memory_order_relaxed);
	ts = *(const uint64_t *)data;
	if (ts && ctx->lat.on)
		lat_add(&ctx->lat, now_ns() - ts);
}

#endif /* RBBENCH_H */
