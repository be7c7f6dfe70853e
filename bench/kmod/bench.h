/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What main.c (parameters, the kprobe) and produce.c (the producer loops)
 * share.
 */
#ifndef _BPFRB_BENCH_H
#define _BPFRB_BENCH_H

#include <linux/types.h>

struct bpfrb;

enum bench_mode {
	BENCH_NONE,	/* the loop only: the kprobe's own cost */
	BENCH_RESERVE,	/* bpfrb_reserve + bpfrb_submit */
	BENCH_OUTPUT,	/* bpfrb_output */
	BENCH_FLOOR,	/* spin lock/unlock + a 16-byte store */
	BENCH_MEMCPY,	/* memcpy of the record: the copy's own bandwidth */
};

struct bench_cfg {
	enum bench_mode mode;
	struct bpfrb *rb;	/* NULL for NONE, FLOOR and MEMCPY */
	u32 batch;		/* records per probe hit */
	u32 size;		/* payload bytes, 8 .. BENCH_MAX_REC */
	u32 ts_mask;		/* timestamp records with (i & ts_mask) == 0 */
	u64 wakeup_bytes;	/* sampled: force a wakeup from this much data */
	u64 submit_flags;	/* otherwise: these flags (cost breakdown) */
};

#define BENCH_MAX_REC	4096

int bench_produce_init(const struct bench_cfg *cfg);
void bench_produce_exit(void);
void bench_produce(const struct bench_cfg *cfg);

#endif /* _BPFRB_BENCH_H */
