/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bpfrb_test: control interface of the test module (/dev/bpfrb_test).
 *
 * The test module produces into bpfrb rings through the exported in-kernel
 * API only, from the contexts a real producer runs in (process, hard IRQ,
 * softirq, NMI, one kthread per CPU), so that user-space tests can check
 * what arrives.
 * Every record it writes starts with struct bpfrb_test_record; the rest of
 * the payload is a pattern covered by a checksum that both sides compute
 * with the inline helpers at the end of this header.
 *
 * It is also the kernel consumer of user rings (DRAIN, DRAIN_START/STOP):
 * it drains them with bpfrb_user_drain() and can echo each sample, or a
 * reply to it, into a kernel ring so that tests check content end to end.
 *
 * Uapi style: only <linux/types.h> and <linux/ioctl.h>, __u32/__u64 fields,
 * explicit padding; reserved and padding fields must be zero (EINVAL).
 */
#ifndef _BPFRB_TEST_H
#define _BPFRB_TEST_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define BPFRB_TEST_DEVICE		"/dev/bpfrb_test"

/* Producer ids: the index into bpfrb_test_produce.counts[]. */
#define BPFRB_TEST_ID_PROCESS		0	/* the thread calling PRODUCE */
#define BPFRB_TEST_ID_HRTIMER		1	/* hrtimer callback: hard IRQ */
#define BPFRB_TEST_ID_KTHREAD0		2	/* + cpu: kthread bound to cpu */
#define BPFRB_TEST_ID_KTHREAD_END	62	/* kthread ids stay below this */
#define BPFRB_TEST_ID_SOFTIRQ		62	/* timer_list callback: softirq */
#define BPFRB_TEST_ID_NMI		63	/* NMI handler, one record per NMI */
#define BPFRB_TEST_MAX_PRODUCERS	64
#define BPFRB_TEST_ID_HELD		0xffffU	/* RESERVE_HOLD records */
#define BPFRB_TEST_ID_ONE		0xfffeU	/* OUTPUT_ONE default id */

/* bpfrb_test_produce.producers */
#define BPFRB_TEST_PROD_PROCESS		0x1U
#define BPFRB_TEST_PROD_HRTIMER		0x2U
#define BPFRB_TEST_PROD_KTHREADS	0x4U	/* one per online CPU */
#define BPFRB_TEST_PROD_ALL		(BPFRB_TEST_PROD_PROCESS | \
					 BPFRB_TEST_PROD_HRTIMER | \
					 BPFRB_TEST_PROD_KTHREADS)
/* Not in PROD_ALL, which keeps its value: */
#define BPFRB_TEST_PROD_SOFTIRQ		0x8U	/* a timer_list, jiffy by jiffy */
#define BPFRB_TEST_PROD_NMI		0x10U	/* x86: NMIs the module raises */

/*
 * bpfrb_test_produce.nmi_flags. The NMI producer is a kthread that raises
 * one NMI at a time (an NMI IPI to the target CPU) and waits until the
 * module's handler has run before raising the next; the handler makes one
 * attempt per NMI it raised and ignores every other NMI. By default the
 * kthread and the target are the first online CPU (a self-NMI). REMOTE:
 * the kthread runs on the first online CPU and targets the second, where
 * the NMIs land at random points of whatever runs there: with
 * PROD_KTHREADS, a producer that holds the ring's lock part of the time,
 * so that the NMI's trylock sometimes fails (ENODEV with one CPU). It
 * raises NMIs only while another producer counted as running (kthreads,
 * hrtimer, softirq) runs, and EINVAL without one: the NMI producer's
 * attempts are then nmi_raised, at most `records`, not `records`.
 */
#define BPFRB_TEST_NMI_REMOTE		0x1U
/*
 * With REMOTE and PROD_KTHREADS: raise NMIs only while the kthread bound
 * to the target CPU produces. Once it is done its CPU mostly idles, and an
 * NMI there can no longer interrupt a holder of the ring's lock.
 */
#define BPFRB_TEST_NMI_TARGET_BUSY	0x2U

/* bpfrb_test_produce.flags */
#define BPFRB_TEST_PRODUCE_OUTPUT	0x1U /* bpfrb_output(), not reserve+submit */
#define BPFRB_TEST_PRODUCE_RETRY	0x2U /* no space: wait and retry, no drop */
#define BPFRB_TEST_PRODUCE_VARY_SIZE	0x4U /* sizes vary in [24, payload_size] */

/* Record payload header; payload_size >= sizeof(struct bpfrb_test_record). */
struct bpfrb_test_record {
	__u32 producer_id;	/* BPFRB_TEST_ID_* */
	__u32 size;		/* the whole payload, this header included */
	__u64 seq;		/* attempt number of this producer: 0, 1, ... */
	__u64 checksum;		/* bpfrb_test_checksum() of the bytes after this header */
};

struct bpfrb_test_counts {
	__u64 produced;		/* committed records */
	__u64 dropped;		/* reservations refused (not retried) */
	__u64 discarded;	/* reserved, then discarded */
	__u32 active;		/* 1 if this producer ran */
	__u32 cpu;		/* kthreads: the CPU it was bound to */
};

/*
 * PRODUCE: every selected producer attempts `records` records with seq
 * 0 .. records - 1. Attempt seq is discarded when discard_every != 0 and
 * (seq + 1) % discard_every == 0 (with OUTPUT too: reserve + discard).
 * Blocks until all producers are done; a signal stops them (EINTR).
 */
struct bpfrb_test_produce {
	__u32 ring_id;
	__u32 producers;		/* BPFRB_TEST_PROD_* */
	__u64 records;			/* per producer */
	__u32 payload_size;		/* bytes, >= 24; the maximum with VARY_SIZE */
	__u32 flags;			/* BPFRB_TEST_PRODUCE_* */
	__u64 submit_flags;		/* BPFRB_NO_WAKEUP / BPFRB_FORCE_WAKEUP */
	__u32 discard_every;		/* 0: never */
	__u32 hrtimer_period_ns;	/* 0: 20000 */
	__u32 hrtimer_batch;		/* records per hrtimer expiry; 0: 16 */
	__u32 nr_producers;		/* out: counts[] slots in use (highest id + 1) */
	__u32 nmi_flags;		/* BPFRB_TEST_NMI_* */
	__u32 softirq_batch;		/* records per timer_list expiry; 0: 16 */
	__u64 nmi_raised;		/* out: NMIs raised for the NMI producer */
	__u32 nmi_unanswered;		/* out: 1: an NMI raised was not handled within 1 s */
	__u32 wrong_context;		/* out: NMI/softirq attempts not in_nmi()/softirq */
	/*
	 * out: attempts of the hrtimer, softirq and NMI producers made while
	 * the process or a kthread producer was inside bpfrb_reserve() or
	 * bpfrb_output() on the same CPU: interruptions of a reservation.
	 */
	__u64 interrupting;
	__u64 reserved[1];
	struct bpfrb_test_counts counts[BPFRB_TEST_MAX_PRODUCERS];	/* out */
};

/* CREATE_RING: bpfrb_create() from the kernel; the module keeps the reference. */
struct bpfrb_test_create {
	__u64 size;
	__u32 type;			/* enum bpfrb_type */
	__u32 flags;			/* passed through to bpfrb_create() */
	__s32 numa_node;
	__u32 id;			/* out */
	char  name[32];			/* BPFRB_NAME_LEN; "" for none */
	__u64 reserved[2];
};

/* HOLD: bpfrb_get(id), or bpfrb_get_by_name(name) when id is 0. */
struct bpfrb_test_hold {
	__u32 id;			/* in; out: the ring's id */
	__u32 flags;			/* must be 0 */
	char  name[32];
	__u64 reserved[2];
};

/* QUERY: values[sel] = bpfrb_query(rb, sel) for BPFRB_AVAIL_DATA .. BPFRB_DROPS. */
#define BPFRB_TEST_NR_QUERY		5
struct bpfrb_test_query {
	__u32 ring_id;
	__u32 pad;
	__u64 values[BPFRB_TEST_NR_QUERY];	/* out */
	__u64 unknown;			/* out: bpfrb_query(rb, 0x1000), must be 0 */
	__u64 reserved[2];
};

/*
 * RESERVE_HOLD: reserve `count` records of `size` bytes (filled like
 * PRODUCE records, producer BPFRB_TEST_ID_HELD, seq = hold index) and keep
 * them uncommitted. Held records are numbered in reservation order across
 * calls: first_index is the index of the first one.
 */
#define BPFRB_TEST_MAX_HELD		256
struct bpfrb_test_reserve {
	__u32 ring_id;
	__u32 count;
	__u32 size;
	__u32 reserved_count;		/* out: how many reservations succeeded */
	__u64 flags;			/* bpfrb_reserve() flags */
	__u32 first_index;		/* out */
	__u32 pad;
	__u64 reserved[2];
};

/* COMMIT_HELD: submit or discard held records [index, index + count). */
#define BPFRB_TEST_COMMIT_SUBMIT	0
#define BPFRB_TEST_COMMIT_DISCARD	1
struct bpfrb_test_commit {
	__u32 index;
	__u32 count;
	__u32 action;			/* BPFRB_TEST_COMMIT_* */
	__u32 corrupted;		/* out: records whose checksum changed while held */
	__u64 flags;			/* bpfrb_submit()/bpfrb_discard() flags */
	__u64 reserved[2];
};

/*
 * OUTPUT_ONE: one record of `size` bytes; when size >= 24 it carries a
 * struct bpfrb_test_record with producer_id and seq. ret is what the API
 * returned: bpfrb_output()'s value, or for SUBMIT/DISCARD 0, or -ENOSPC
 * when bpfrb_reserve() returned NULL.
 */
#define BPFRB_TEST_ONE_OUTPUT		0
#define BPFRB_TEST_ONE_SUBMIT		1	/* reserve + submit */
#define BPFRB_TEST_ONE_DISCARD		2	/* reserve + discard */
struct bpfrb_test_output {
	__u32 ring_id;
	__u32 mode;			/* BPFRB_TEST_ONE_* */
	__u64 size;
	__u64 flags;			/* output/submit/discard flags */
	__u64 reserve_flags;		/* bpfrb_reserve() flags for SUBMIT/DISCARD */
	__u64 seq;
	__u32 producer_id;
	__s32 ret;			/* out */
	__u64 reserved[2];
};

/*
 * DRAIN: one bpfrb_user_drain() of user ring ring_id from the ioctl
 * (process context). The callback, per sample, by mode:
 *  COUNT  reads every byte: samples, bytes and sum (of the bytes) count it
 *  ECHO   bpfrb_output()s the sample unchanged into kernel ring echo_id
 *  REPLY  applies the sample, a struct bpfrb_test_msg, to value and
 *         bpfrb_output()s a struct bpfrb_test_reply into kernel ring echo_id
 * The callback returns non-zero (stop) on its stop_after-th sample (0:
 * never). With BPFRB_TEST_DRAIN_NESTED the callback drains the same ring
 * again on its first sample and reports that call's return in nested_ret.
 * ret is what bpfrb_user_drain() returned.
 */
#define BPFRB_TEST_DRAIN_COUNT		0
#define BPFRB_TEST_DRAIN_ECHO		1
#define BPFRB_TEST_DRAIN_REPLY		2
/* bpfrb_test_drain.test_flags */
#define BPFRB_TEST_DRAIN_NESTED		0x1U

struct bpfrb_test_drain {
	__u32 ring_id;			/* the user ring */
	__u32 echo_id;			/* ECHO, REPLY: the kernel ring */
	__u64 flags;			/* bpfrb_user_drain() flags, unchecked */
	__u32 mode;			/* BPFRB_TEST_DRAIN_* */
	__u32 test_flags;		/* BPFRB_TEST_DRAIN_NESTED */
	__u32 stop_after;		/* 0: never */
	__u32 pad;
	__s64 value;			/* REPLY: in/out, what the messages act on */
	__s64 ret;			/* out: bpfrb_user_drain()'s return */
	__s64 nested_ret;		/* out: NESTED: the inner drain's return */
	__u64 samples;			/* out: callback calls */
	__u64 bytes;			/* out: payload bytes seen */
	__u64 sum;			/* out: sum of every payload byte */
	__u64 echo_failed;		/* out: bpfrb_output()s into echo_id that failed */
	__u64 reserved[2];
};

/* REPLY messages (user ring) and replies (kernel ring). */
#define BPFRB_TEST_MSG_INC64		0	/* value += operand_64 */
#define BPFRB_TEST_MSG_INC32		1	/* value += operand_32 */
#define BPFRB_TEST_MSG_MUL64		2	/* value *= operand_64 */
#define BPFRB_TEST_MSG_MUL32		3	/* value *= operand_32 */
#define BPFRB_TEST_MSG_NR_OPS		4

struct bpfrb_test_msg {
	__u32 op;			/* BPFRB_TEST_MSG_* */
	__s32 operand_32;
	__s64 operand_64;
	__u64 seq;			/* echoed in the reply */
};

struct bpfrb_test_reply {
	__u64 seq;			/* the message's */
	__s64 value;			/* after the message; unchanged on error */
	__u32 op;			/* the message's */
	__s32 status;			/* 0, or -EINVAL: bad op or sample size */
};

/*
 * DRAIN_START: a kthread that drains user ring ring_id continuously, in
 * COUNT or ECHO mode, sleeping idle_us (0: 50) when there was nothing.
 * In ECHO mode a full kernel ring is waited out (echo_retries), so that
 * no sample is lost. Returns the drainer's slot; DRAIN_STOP with that slot
 * stops it and fills in what it saw. Drainers may share a ring: they
 * then compete, and the losers count ebusy.
 */
#define BPFRB_TEST_MAX_DRAINERS		4
struct bpfrb_test_drainer {
	__u32 ring_id;
	__u32 echo_id;			/* ECHO: the kernel ring */
	__u64 flags;			/* bpfrb_user_drain() flags */
	__u32 mode;			/* BPFRB_TEST_DRAIN_COUNT or _ECHO */
	__u32 slot;			/* out of START; in of STOP */
	__u32 idle_us;
	__u32 pad;
	/* out of STOP: */
	__u64 calls;			/* bpfrb_user_drain() calls */
	__u64 samples;			/* samples consumed */
	__u64 bytes;
	__u64 sum;			/* of every payload byte */
	__u64 ebusy, einval, e2big;	/* calls that returned these */
	__u64 other;			/* calls that returned anything else < 0 */
	__s64 last_other;		/* the last such return */
	__u64 echo_retries;		/* ECHO: outputs retried on a full ring */
	__u64 echo_failed;		/* ECHO: samples not echoed (stopped while full) */
	__u64 reserved[2];
};

/* Same magic as /dev/bpfrb, numbers far above bpfrb's own. */
#define BPFRB_TEST_IOC_MAGIC		0xBF

#define BPFRB_TEST_IOC_PRODUCE		_IOWR(BPFRB_TEST_IOC_MAGIC, 0x40, struct bpfrb_test_produce)
#define BPFRB_TEST_IOC_CREATE_RING	_IOWR(BPFRB_TEST_IOC_MAGIC, 0x41, struct bpfrb_test_create)
/* Drop one reference the module holds (from CREATE_RING or HOLD) on ring id. */
#define BPFRB_TEST_IOC_RELEASE		_IOW(BPFRB_TEST_IOC_MAGIC, 0x42, __u32)
#define BPFRB_TEST_IOC_HOLD		_IOWR(BPFRB_TEST_IOC_MAGIC, 0x43, struct bpfrb_test_hold)
#define BPFRB_TEST_IOC_QUERY		_IOWR(BPFRB_TEST_IOC_MAGIC, 0x44, struct bpfrb_test_query)
#define BPFRB_TEST_IOC_RESERVE_HOLD	_IOWR(BPFRB_TEST_IOC_MAGIC, 0x45, struct bpfrb_test_reserve)
#define BPFRB_TEST_IOC_COMMIT_HELD	_IOWR(BPFRB_TEST_IOC_MAGIC, 0x46, struct bpfrb_test_commit)
#define BPFRB_TEST_IOC_OUTPUT_ONE	_IOWR(BPFRB_TEST_IOC_MAGIC, 0x47, struct bpfrb_test_output)
#define BPFRB_TEST_IOC_DRAIN		_IOWR(BPFRB_TEST_IOC_MAGIC, 0x48, struct bpfrb_test_drain)
#define BPFRB_TEST_IOC_DRAIN_START	_IOWR(BPFRB_TEST_IOC_MAGIC, 0x49, struct bpfrb_test_drainer)
#define BPFRB_TEST_IOC_DRAIN_STOP	_IOWR(BPFRB_TEST_IOC_MAGIC, 0x4a, struct bpfrb_test_drainer)
/* DESTROY is RELEASE of the reference CREATE_RING returned. */
#define BPFRB_TEST_IOC_DESTROY_RING	BPFRB_TEST_IOC_RELEASE

/* Byte i of the pattern after the record header. */
static inline __u8 bpfrb_test_pattern(__u32 producer_id, __u64 seq, __u32 i)
{
	return (__u8)(seq * 7 + producer_id * 13 + i);
}

/* FNV-1a over the bytes after the header, seeded with producer id and seq. */
static inline __u64 bpfrb_test_checksum(__u32 producer_id, __u64 seq,
					const void *data, __u64 len)
{
	const __u8 *p = (const __u8 *)data;
	__u64 h = 0xcbf29ce484222325ULL ^ ((__u64)producer_id << 40) ^ seq;
	__u64 i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Fill a payload of size >= sizeof(struct bpfrb_test_record). */
static inline void bpfrb_test_fill(void *payload, __u32 size,
				   __u32 producer_id, __u64 seq)
{
	struct bpfrb_test_record *r = (struct bpfrb_test_record *)payload;
	__u8 *body = (__u8 *)payload + sizeof(*r);
	__u32 n = size - (__u32)sizeof(*r);
	__u32 i;

	for (i = 0; i < n; i++)
		body[i] = bpfrb_test_pattern(producer_id, seq, i);
	r->producer_id = producer_id;
	r->size = size;
	r->seq = seq;
	r->checksum = bpfrb_test_checksum(producer_id, seq, body, n);
}

/* 0 when the payload of `size` bytes is an intact test record. */
static inline int bpfrb_test_verify(const void *payload, __u32 size)
{
	const struct bpfrb_test_record *r =
		(const struct bpfrb_test_record *)payload;
	const __u8 *body = (const __u8 *)payload + sizeof(*r);

	if (size < sizeof(*r) || r->size != size)
		return -1;
	if (r->checksum != bpfrb_test_checksum(r->producer_id, r->seq, body,
					       size - sizeof(*r)))
		return -1;
	return 0;
}

/* The payload size of VARY_SIZE attempt seq, in [24, max]. */
static inline __u32 bpfrb_test_vary_size(__u64 seq, __u32 max)
{
	__u32 lo = (__u32)sizeof(struct bpfrb_test_record);

	if (max <= lo)
		return lo;
	return lo + (__u32)((seq * 2654435761ULL >> 7) % (max - lo + 1));
}

#endif /* _BPFRB_TEST_H */
