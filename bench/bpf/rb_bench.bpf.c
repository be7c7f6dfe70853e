// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF peers of the bpfrb benchmark: on every getpgid() syscall, write
 * batch_cnt records into a BPF_MAP_TYPE_RINGBUF (reserve/submit or output)
 * or into a BPF perf buffer. Same trigger, same record layout and the same
 * wakeup policy as the bpfrb producer module (bench/kmod), so that the two
 * differ only in the transport.
 *
 * A record's first 8 bytes are 0, or a CLOCK_MONOTONIC timestamp for one
 * record in ts_mask + 1, from which the consumer computes the latency.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_REC		4096

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
} ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perfbuf SEC(".maps");

/* Source of the variable-size output records (the size sweep). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, char[MAX_REC]);
} scratch SEC(".maps");

/*
 * Reservations and outputs refused, counted per CPU as bpfrb counts its
 * own (this_cpu_inc()): one global counter would be a line the producers
 * of a full ring pass back and forth on every drop, which bpfrb's are not.
 * Summed by the driver (peer_bpf.c). With atomic_drops (peer
 * bpf-rb-reserve-atomic) they go to one global counter with a locked add
 * instead, as the kernel's own ringbuf bench counts them: kept to measure
 * what that costs (docs/BENCHMARKS.md, "Two producers").
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __u64);
} drops SEC(".maps");

const volatile int atomic_drops;	/* 1: dropped_shared, not drops (reserve only) */
__u64 dropped_shared __attribute__((aligned(128)));

const volatile int batch_cnt = 500;
const volatile int use_output;		/* 0 reserve/submit, 1 output */
const volatile int rec_size = 8;	/* payload bytes, output only */
const volatile __u32 ts_mask = 63;	/* timestamp records with (i & ts_mask) == 0 */
const volatile long wakeup_data_size;	/* sampled mode: bytes; 0 unsampled */
const volatile long trigger_pid = -1;	/* produce only for getpgid(trigger_pid) */

/*
 * Where the pid sits in the syscall's register frame (struct pt_regs on
 * x86-64: r15 ... si, then di, the first argument), which is the one
 * argument of the probed __x64_sys_getpgid().
 */
#define PT_REGS_DI_OFF	(14 * 8)

/*
 * Whether this getpgid() call is ours. trigger_pid lets one thread fire
 * this program and the bpfrb peer's module in turns, each on its own
 * argument (rbbench -a); at -1 (every call) the verifier drops the test.
 */
static __always_inline bool triggered(void *ctx)
{
	const char *frame = (const char *)((__u64 *)ctx)[0];
	long pid;

	if (trigger_pid < 0)
		return true;
	if (bpf_probe_read_kernel(&pid, sizeof(pid), frame + PT_REGS_DI_OFF))
		return false;
	return pid == trigger_pid;
}

/*
 * Sampled mode (as the kernel's ringbuf bench): wake the consumer only
 * once enough data waits; otherwise never.
 */
static __always_inline long rb_flags(long wakeup)
{
	long avail;

	if (!wakeup)
		return 0;
	avail = bpf_ringbuf_query(&ringbuf, BPF_RB_AVAIL_DATA);
	return avail >= wakeup ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline __u64 stamp(int i, __u32 mask)
{
	return (i & mask) == 0 ? bpf_ktime_get_ns() : 0;
}

/*
 * The configuration, read once per hit, as the bpfrb peer's loop reads
 * its own: the loops then keep it in registers or on the stack instead of
 * loading it from the map for every record. The verifier still knows
 * each value (frozen read-only data) and drops the branches they decide.
 */
struct loop_cfg {
	int batch;
	__u32 ts_mask;
	long wakeup;
};

static __always_inline struct loop_cfg loop_cfg(void)
{
	struct loop_cfg c = {
		.batch = batch_cnt,
		.ts_mask = ts_mask,
		.wakeup = wakeup_data_size,
	};

	return c;
}

/*
 * The reserve/submit loop. atomic is a constant at each call: the compiler
 * makes two loops, each with one way of counting, and the verifier walks
 * only the one atomic_drops selects (a branch inside one loop, walked for
 * each of the 500 iterations, took it past its instruction limit).
 */
static __always_inline int reserve_loop(__u64 *dropped, bool atomic)
{
	struct loop_cfg c = loop_cfg();
	__u64 *sample;
	int i;

	for (i = 0; i < c.batch; i++) {
		sample = bpf_ringbuf_reserve(&ringbuf, sizeof(*sample), 0);
		if (!sample) {
			if (atomic)
				__sync_fetch_and_add(&dropped_shared, 1);
			else
				(*dropped)++;
			continue;
		}
		*sample = stamp(i, c.ts_mask);
		bpf_ringbuf_submit(sample, rb_flags(c.wakeup));
	}
	return 0;
}

SEC("fentry/__x64_sys_getpgid")
int bench_ringbuf(void *ctx)
{
	int zero = 0, i, sz = rec_size;
	struct loop_cfg c;
	__u64 *dropped;
	char *buf;

	if (!triggered(ctx))
		return 0;
	if (atomic_drops)
		return reserve_loop(NULL, true);
	/* Looked up once per hit: this CPU's counter. */
	dropped = bpf_map_lookup_elem(&drops, &zero);
	if (!dropped)
		return 0;
	if (!use_output)
		return reserve_loop(dropped, false);

	buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf || sz < 8 || sz > MAX_REC)
		return 0;
	c = loop_cfg();
	for (i = 0; i < c.batch; i++) {
		*(__u64 *)buf = stamp(i, c.ts_mask);
		if (bpf_ringbuf_output(&ringbuf, buf, sz, rb_flags(c.wakeup)))
			(*dropped)++;
	}
	return 0;
}

/*
 * A full perf buffer refuses the output (counted here) and reports the
 * same loss again as PERF_RECORD_LOST, which the driver ignores.
 */
SEC("fentry/__x64_sys_getpgid")
int bench_perfbuf(void *ctx)
{
	struct loop_cfg c = loop_cfg();
	__u64 val, *dropped;
	int zero = 0, i;

	if (!triggered(ctx))
		return 0;
	dropped = bpf_map_lookup_elem(&drops, &zero);
	if (!dropped)
		return 0;
	for (i = 0; i < c.batch; i++) {
		val = stamp(i, c.ts_mask);
		if (bpf_perf_event_output(ctx, &perfbuf, BPF_F_CURRENT_CPU,
					  &val, sizeof(val)))
			(*dropped)++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
