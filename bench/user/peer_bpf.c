// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF peers: BPF_MAP_TYPE_RINGBUF written by reserve/submit or output,
 * and the BPF perf buffer, from the program in bench/bpf, loaded with
 * Debian's libbpf. Consumers: libbpf's own (ring_buffer__poll, which stores
 * consumer_pos per record; perf_buffer__poll) and, for the ring buffer, the
 * batch and io_uring consumers that bpfrb is read with too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "rbbench.h"
#include "rb_bench.skel.h"

/* As the kernel's bench: 128 pages of perf buffer per CPU. */
#define PB_PAGES	128

struct bpf_peer {
	struct peer p;
	struct rb_bench *skel;
	struct bpf_link *link;
	bool perf;
	struct mmap_ring mr;
	bool mapped;
	struct ring_buffer *lib_rb;
	struct perf_buffer *lib_pb;
};

static int rb_sample(void *ctx, void *data, size_t size)
{
	bench_record(ctx, data, size);
	return 0;
}

static void pb_sample(void *ctx, int cpu, void *data, __u32 size)
{
	bench_record(ctx, data, size);
}

static int bpf_setup(struct peer *p, struct bench_ctx *ctx)
{
	struct bpf_peer *b = (struct bpf_peer *)p;
	const struct bench_opts *o = ctx->o;
	struct bpf_program *prog;
	int err;

	/*
	 * Only output takes its record size from rec_size: the reserve and
	 * perf buffer loops write one 8-byte value, and their figures would
	 * be labelled with a size they did not write.
	 */
	if (o->size != sizeof(__u64) && strcmp(p->name, "bpf-rb-output")) {
		fprintf(stderr, "rbbench: %s writes 8-byte records only\n", p->name);
		return -EINVAL;
	}
	b->skel = rb_bench__open();
	if (!b->skel)
		return -errno;
	b->skel->rodata->batch_cnt = o->batch;
	b->skel->rodata->use_output = !strcmp(p->name, "bpf-rb-output");
	b->skel->rodata->atomic_drops = !strcmp(p->name, "bpf-rb-reserve-atomic");
	b->skel->rodata->rec_size = o->size;
	b->skel->rodata->trigger_pid = ctx->trigger_pid;
	if (o->mode == MODE_SAMPLED)
		b->skel->rodata->wakeup_data_size = 500 * (o->size + 8);
	bpf_map__set_max_entries(b->skel->maps.ringbuf, o->ring_size);

	prog = b->perf ? b->skel->progs.bench_perfbuf : b->skel->progs.bench_ringbuf;
	bpf_program__set_autoload(b->perf ? b->skel->progs.bench_ringbuf :
				  b->skel->progs.bench_perfbuf, false);
	err = rb_bench__load(b->skel);
	if (err)
		return err;
	b->link = bpf_program__attach(prog);
	if (!b->link)
		return -errno;
	return 0;
}

static struct consumer *lib_consumer(struct bpf_peer *b, struct bench_ctx *ctx);

static struct consumer *bpf_consumer(struct peer *p, struct bench_ctx *ctx,
				     const char *kind)
{
	struct bpf_peer *b = (struct bpf_peer *)p;

	if (!strcmp(kind, "lib"))
		return lib_consumer(b, ctx);
	if (b->perf)
		return NULL;
	if (!b->mapped) {
		if (mmap_ring_open(&b->mr, bpf_map__fd(b->skel->maps.ringbuf),
				   ctx->o->ring_size))
			return NULL;
		b->mapped = true;
	}
	if (!strcmp(kind, "batch"))
		return batch_consumer_new(&b->mr, ctx);
	if (!strcmp(kind, "uring"))
		return uring_consumer_new(&b->mr, ctx);
	return NULL;
}

struct lib_consumer {
	struct consumer c;
	struct bpf_peer *b;
};

static long lib_poll(struct consumer *c, int timeout_ms)
{
	struct bpf_peer *b = ((struct lib_consumer *)c)->b;
	int n;

	if (b->perf)
		n = timeout_ms ? perf_buffer__poll(b->lib_pb, timeout_ms) :
				 perf_buffer__consume(b->lib_pb);
	else
		n = timeout_ms ? ring_buffer__poll(b->lib_rb, timeout_ms) :
				 ring_buffer__consume(b->lib_rb);
	return n == -EINTR ? 0 : n;
}

static void lib_free(struct consumer *c)
{
	free(c);
}

static struct consumer *lib_consumer(struct bpf_peer *b, struct bench_ctx *ctx)
{
	struct lib_consumer *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (b->perf)
		b->lib_pb = perf_buffer__new(bpf_map__fd(b->skel->maps.perfbuf),
					     PB_PAGES, pb_sample, NULL, ctx,
					     NULL);
	else
		b->lib_rb = ring_buffer__new(bpf_map__fd(b->skel->maps.ringbuf),
					     rb_sample, ctx, NULL);
	if (!b->lib_pb && !b->lib_rb) {
		free(l);
		return NULL;
	}
	l->c.name = "lib";
	l->c.poll = lib_poll;
	l->c.free = lib_free;
	l->b = b;
	return &l->c;
}

static uint64_t bpf_drops(struct peer *p)
{
	struct bpf_peer *b = (struct bpf_peer *)p;

	int zero = 0, cpus = libbpf_num_possible_cpus(), i;
	uint64_t *per_cpu, sum = 0;

	/* The program's per-CPU counters (rb_bench.bpf.c, drops). */
	if (b->skel->rodata->atomic_drops)
		return __atomic_load_n(&b->skel->bss->dropped_shared,
				       __ATOMIC_RELAXED);
	if (cpus <= 0)
		return 0;
	per_cpu = calloc(cpus, sizeof(*per_cpu));
	if (!per_cpu)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.drops), &zero, per_cpu))
		for (i = 0; i < cpus; i++)
			sum += per_cpu[i];
	free(per_cpu);
	return sum;
}

static void bpf_teardown(struct peer *p)
{
	struct bpf_peer *b = (struct bpf_peer *)p;

	bpf_link__destroy(b->link);
	ring_buffer__free(b->lib_rb);
	perf_buffer__free(b->lib_pb);
	if (b->mapped)
		mmap_ring_close(&b->mr);
	rb_bench__destroy(b->skel);
	free(b);
}

struct peer *peer_bpf(const char *name)
{
	struct bpf_peer *b;

	if (strcmp(name, "bpf-rb-reserve") && strcmp(name, "bpf-rb-output") &&
	    strcmp(name, "bpf-rb-reserve-atomic") && strcmp(name, "bpf-pb"))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->p.name = name;
	b->p.setup = bpf_setup;
	b->p.consumer = bpf_consumer;
	b->p.drops = bpf_drops;
	b->p.teardown = bpf_teardown;
	b->perf = !strcmp(name, "bpf-pb");
	return &b->p;
}
