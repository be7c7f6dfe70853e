// SPDX-License-Identifier: GPL-2.0
/*
 * The producer loops, one per mode. Every mode runs the same loop with the
 * same timestamps, so that they differ only in what a record costs:
 *
 *  - RESERVE / OUTPUT: the exported bpfrb API, as any producer uses it.
 *  - FLOOR: what any locked ring must do at the least: take and release an
 *    uncontended lock (the same irqsave flavour as bpfrb's reserve) and
 *    store 16 bytes (a header and an 8-byte payload) into a private buffer.
 *  - MEMCPY: copy the record into a large private buffer: the bandwidth
 *    against which output of large records is measured.
 *  - NONE: nothing per record; the probe's own cost.
 */
#include <linux/bpfrb.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/vmalloc.h>

#include "bench.h"

/* A power of two of 16-byte slots: enough for one batch of 500. */
#define FLOOR_BUF	8192
/* Larger than the caches, like the ring the records go to. */
#define COPY_BUF	(4UL << 20)

struct bench_cpu {
	/*
	 * Only ever taken by its own CPU: the floor's lock is uncontended by
	 * construction, so it prices the lock instructions, not contention.
	 */
	raw_spinlock_t lock;
	u32 floor_pos;
	unsigned long copy_pos;
	u8 floor[FLOOR_BUF] __aligned(16);
	u8 src[BENCH_MAX_REC] __aligned(8);	/* a record's payload */
};

static struct bench_cpu __percpu *bench_cpu;
static u8 *copy_buf;

int bench_produce_init(const struct bench_cfg *cfg)
{
	int cpu;

	bench_cpu = alloc_percpu(struct bench_cpu);
	if (!bench_cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(bench_cpu, cpu)->lock);

	if (cfg->mode == BENCH_MEMCPY) {
		copy_buf = vzalloc(COPY_BUF);
		if (!copy_buf) {
			free_percpu(bench_cpu);
			return -ENOMEM;
		}
	}
	return 0;
}

void bench_produce_exit(void)
{
	vfree(copy_buf);
	free_percpu(bench_cpu);
}

/* Sampled mode, as the BPF peer does it: wake only once enough waits. */
static u64 wake_flags(const struct bench_cfg *cfg)
{
	if (!cfg->wakeup_bytes)
		return cfg->submit_flags;
	return bpfrb_query(cfg->rb, BPFRB_AVAIL_DATA) >= cfg->wakeup_bytes ?
	       BPFRB_FORCE_WAKEUP : BPFRB_NO_WAKEUP;
}

static u64 stamp(const struct bench_cfg *cfg, u32 i)
{
	return (i & cfg->ts_mask) ? 0 : ktime_get_ns();
}

static void produce_reserve(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	u64 *sample;
	u32 i;

	for (i = 0; i < cfg->batch; i++) {
		sample = bpfrb_reserve(cfg->rb, cfg->size, 0);
		if (!sample)
			continue;	/* the ring counts the drop */
		*sample = stamp(cfg, i);
		if (cfg->size > sizeof(u64))
			memcpy(sample + 1, bc->src + sizeof(u64),
			       cfg->size - sizeof(u64));
		bpfrb_submit(sample, wake_flags(cfg));
	}
}

static void produce_output(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	u32 i;

	for (i = 0; i < cfg->batch; i++) {
		*(u64 *)bc->src = stamp(cfg, i);
		bpfrb_output(cfg->rb, bc->src, cfg->size, wake_flags(cfg));
	}
}

static void produce_floor(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	unsigned long flags;
	u64 *slot;
	u32 i;

	for (i = 0; i < cfg->batch; i++) {
		raw_spin_lock_irqsave(&bc->lock, flags);
		slot = (u64 *)(bc->floor + bc->floor_pos);
		bc->floor_pos = (bc->floor_pos + 16) & (FLOOR_BUF - 1);
		raw_spin_unlock_irqrestore(&bc->lock, flags);
		/* A record's header, then its payload. */
		WRITE_ONCE(slot[0], sizeof(u64));
		WRITE_ONCE(slot[1], stamp(cfg, i));
	}
}

static void produce_memcpy(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	u32 rec = round_up(cfg->size + BPFRB_HDR_SZ, 8);
	u32 i;

	for (i = 0; i < cfg->batch; i++) {
		*(u64 *)bc->src = stamp(cfg, i);
		memcpy(copy_buf + bc->copy_pos, bc->src, cfg->size);
		bc->copy_pos += rec;
		if (bc->copy_pos > COPY_BUF - BENCH_MAX_REC)
			bc->copy_pos = 0;
	}
}

static void produce_none(const struct bench_cfg *cfg)
{
	u32 i;

	/* Keep the loop and its timestamps; drop only the record. */
	for (i = 0; i < cfg->batch; i++)
		barrier_data((void *)(unsigned long)stamp(cfg, i));
}

/* Called from the kprobe: preemption is off, so this CPU's state is ours. */
void bench_produce(const struct bench_cfg *cfg)
{
	struct bench_cpu *bc = this_cpu_ptr(bench_cpu);

	switch (cfg->mode) {
	case BENCH_RESERVE:
		produce_reserve(cfg, bc);
		break;
	case BENCH_OUTPUT:
		produce_output(cfg, bc);
		break;
	case BENCH_FLOOR:
		produce_floor(cfg, bc);
		break;
	case BENCH_MEMCPY:
		produce_memcpy(cfg, bc);
		break;
	case BENCH_NONE:
		produce_none(cfg);
		break;
	}
}
