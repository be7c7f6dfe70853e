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

/*
 * The loops take their configuration as arguments, read from cfg once per
 * batch, and the record size of every mode's rows (8 bytes) as a
 * constant, so that a record costs no configuration load and no branch on
 * it; the BPF peer's program reads its own once per batch too. Read
 * through cfg, each value would be loaded again for every record, since
 * the calls into bpfrb may write any memory as far as the compiler knows
 * (docs/BENCHMARKS.md, "A second fix in the benchmark").
 */

/* Sampled mode, as the BPF peer does it: wake only once enough waits. */
static __always_inline u64 wake_flags(struct bpfrb *rb, u64 wakeup_bytes,
				      u64 submit_flags)
{
	if (!wakeup_bytes)
		return submit_flags;
	return bpfrb_query(rb, BPFRB_AVAIL_DATA) >= wakeup_bytes ?
	       BPFRB_FORCE_WAKEUP : BPFRB_NO_WAKEUP;
}

static __always_inline u64 stamp(u32 i, u32 ts_mask)
{
	return (i & ts_mask) ? 0 : ktime_get_ns();
}

static __always_inline void reserve_loop(struct bpfrb *rb, u32 batch, u32 size,
					 u32 ts_mask, u64 wakeup_bytes,
					 u64 submit_flags, const u8 *src)
{
	u64 *sample;
	u32 i;

	for (i = 0; i < batch; i++) {
		sample = bpfrb_reserve(rb, size, 0);
		if (!sample)
			continue;	/* the ring counts the drop */
		*sample = stamp(i, ts_mask);
		if (size > sizeof(u64))
			memcpy(sample + 1, src + sizeof(u64), size - sizeof(u64));
		bpfrb_submit(sample, wake_flags(rb, wakeup_bytes, submit_flags));
	}
}

/*
 * 8-byte records, every mode's rows: unsampled and sampled loops of their
 * own, so that the few values each needs stay in registers throughout.
 * Other sizes (the record-size set) take the general loop.
 */
static noinline void reserve_u64(struct bpfrb *rb, u32 batch, u32 ts_mask,
				 u64 submit_flags)
{
	reserve_loop(rb, batch, sizeof(u64), ts_mask, 0, submit_flags, NULL);
}

static noinline void reserve_u64_sampled(struct bpfrb *rb, u32 batch,
					 u32 ts_mask, u64 wakeup_bytes)
{
	reserve_loop(rb, batch, sizeof(u64), ts_mask, wakeup_bytes, 0, NULL);
}

static void produce_reserve(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	if (cfg->size != sizeof(u64))
		reserve_loop(cfg->rb, cfg->batch, cfg->size, cfg->ts_mask,
			     cfg->wakeup_bytes, cfg->submit_flags, bc->src);
	else if (cfg->wakeup_bytes)
		reserve_u64_sampled(cfg->rb, cfg->batch, cfg->ts_mask,
				    cfg->wakeup_bytes);
	else
		reserve_u64(cfg->rb, cfg->batch, cfg->ts_mask, cfg->submit_flags);
}

static __always_inline void output_loop(struct bpfrb *rb, u32 batch, u32 size,
					u32 ts_mask, u64 wakeup_bytes,
					u64 submit_flags, u8 *src)
{
	u32 i;

	for (i = 0; i < batch; i++) {
		*(u64 *)src = stamp(i, ts_mask);
		bpfrb_output(rb, src, size,
			     wake_flags(rb, wakeup_bytes, submit_flags));
	}
}

static noinline void output_u64(struct bpfrb *rb, u32 batch, u32 ts_mask,
				u64 submit_flags, u8 *src)
{
	output_loop(rb, batch, sizeof(u64), ts_mask, 0, submit_flags, src);
}

static noinline void output_u64_sampled(struct bpfrb *rb, u32 batch,
					u32 ts_mask, u64 wakeup_bytes, u8 *src)
{
	output_loop(rb, batch, sizeof(u64), ts_mask, wakeup_bytes, 0, src);
}

static void produce_output(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	if (cfg->size != sizeof(u64))
		output_loop(cfg->rb, cfg->batch, cfg->size, cfg->ts_mask,
			    cfg->wakeup_bytes, cfg->submit_flags, bc->src);
	else if (cfg->wakeup_bytes)
		output_u64_sampled(cfg->rb, cfg->batch, cfg->ts_mask,
				   cfg->wakeup_bytes, bc->src);
	else
		output_u64(cfg->rb, cfg->batch, cfg->ts_mask, cfg->submit_flags,
			   bc->src);
}

static void produce_floor(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	u32 batch = cfg->batch, ts_mask = cfg->ts_mask;
	unsigned long flags;
	u64 *slot;
	u32 i;

	for (i = 0; i < batch; i++) {
		raw_spin_lock_irqsave(&bc->lock, flags);
		slot = (u64 *)(bc->floor + bc->floor_pos);
		bc->floor_pos = (bc->floor_pos + 16) & (FLOOR_BUF - 1);
		raw_spin_unlock_irqrestore(&bc->lock, flags);
		/* A record's header, then its payload. */
		WRITE_ONCE(slot[0], sizeof(u64));
		WRITE_ONCE(slot[1], stamp(i, ts_mask));
	}
}

static void produce_memcpy(const struct bench_cfg *cfg, struct bench_cpu *bc)
{
	u32 batch = cfg->batch, size = cfg->size, ts_mask = cfg->ts_mask;
	u32 rec = round_up(size + BPFRB_HDR_SZ, 8);
	u32 i;

	for (i = 0; i < batch; i++) {
		*(u64 *)bc->src = stamp(i, ts_mask);
		memcpy(copy_buf + bc->copy_pos, bc->src, size);
		bc->copy_pos += rec;
		if (bc->copy_pos > COPY_BUF - BENCH_MAX_REC)
			bc->copy_pos = 0;
	}
}

static void produce_none(const struct bench_cfg *cfg)
{
	u32 batch = cfg->batch, ts_mask = cfg->ts_mask;
	u32 i;

	/* Keep the loop and its timestamps; drop only the record. */
	for (i = 0; i < batch; i++)
		barrier_data((void *)(unsigned long)stamp(i, ts_mask));
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
