/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core tests' side of /dev/bpfrb_test: ioctl wrappers, a producer run
 * in its own thread (PRODUCE blocks), and a checker of what the consumer
 * receives (checksums, per-producer order, duplicates, counts).
 */
#ifndef CORE_TESTMOD_H
#define CORE_TESTMOD_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "bpfrb_test.h"

/* -errno when the test module is not loaded: callers SKIP then. */
static inline int testmod_open(void)
{
	int fd = open(BPFRB_TEST_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline void testmod_produce_init(struct bpfrb_test_produce *p,
					__u32 ring_id, __u32 producers,
					__u64 records, __u32 payload_size)
{
	memset(p, 0, sizeof(*p));
	p->ring_id = ring_id;
	p->producers = producers;
	p->records = records;
	p->payload_size = payload_size;
}

static inline int testmod_produce(int tfd, struct bpfrb_test_produce *p)
{
	return ioctl(tfd, BPFRB_TEST_IOC_PRODUCE, p) ? -errno : 0;
}

/* One record through OUTPUT_ONE; returns the ioctl's -errno or the API's ret. */
static inline int testmod_one(int tfd, __u32 ring_id, __u32 mode, __u64 size,
			      __u64 flags, __u64 seq)
{
	struct bpfrb_test_output o;

	memset(&o, 0, sizeof(o));
	o.ring_id = ring_id;
	o.mode = mode;
	o.size = size;
	o.flags = flags;
	o.seq = seq;
	o.producer_id = BPFRB_TEST_ID_ONE;
	if (ioctl(tfd, BPFRB_TEST_IOC_OUTPUT_ONE, &o))
		return -errno;
	return o.ret;
}

static inline int testmod_query(int tfd, __u32 ring_id,
				struct bpfrb_test_query *q)
{
	memset(q, 0, sizeof(*q));
	q->ring_id = ring_id;
	return ioctl(tfd, BPFRB_TEST_IOC_QUERY, q) ? -errno : 0;
}

/* RESERVE_HOLD: how many were reserved (first index in *first), or -errno. */
static inline int testmod_hold(int tfd, __u32 ring_id, __u32 count, __u32 size,
			       __u32 *first)
{
	struct bpfrb_test_reserve r;

	memset(&r, 0, sizeof(r));
	r.ring_id = ring_id;
	r.count = count;
	r.size = size;
	if (ioctl(tfd, BPFRB_TEST_IOC_RESERVE_HOLD, &r))
		return -errno;
	if (first)
		*first = r.first_index;
	return (int)r.reserved_count;
}

/* COMMIT_HELD: records found corrupted, or -errno. */
static inline int testmod_commit(int tfd, __u32 index, __u32 count,
				 __u32 action, __u64 flags)
{
	struct bpfrb_test_commit c;

	memset(&c, 0, sizeof(c));
	c.index = index;
	c.count = count;
	c.action = action;
	c.flags = flags;
	if (ioctl(tfd, BPFRB_TEST_IOC_COMMIT_HELD, &c))
		return -errno;
	return (int)c.corrupted;
}

/* PRODUCE in a thread of its own, so that the test thread consumes. */
struct producer_thread {
	pthread_t thread;
	int tfd;
	struct bpfrb_test_produce arg;
	int ret;
	volatile int done;
};

static inline void *producer_thread_fn(void *data)
{
	struct producer_thread *pt = data;

	pt->ret = testmod_produce(pt->tfd, &pt->arg);
	__atomic_store_n(&pt->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static inline int producer_thread_start(struct producer_thread *pt)
{
	pt->done = 0;
	return -pthread_create(&pt->thread, NULL, producer_thread_fn, pt);
}

static inline int producer_thread_done(struct producer_thread *pt)
{
	return __atomic_load_n(&pt->done, __ATOMIC_ACQUIRE);
}

static inline int producer_thread_join(struct producer_thread *pt)
{
	pthread_join(pt->thread, NULL);
	return pt->ret;
}

/* What the consumer saw, per producer id. */
struct record_check {
	__u64 consumed[BPFRB_TEST_MAX_PRODUCERS];
	__u64 next_seq[BPFRB_TEST_MAX_PRODUCERS];
	__u64 corrupt;		/* bad checksum, size or length */
	__u64 out_of_order;	/* a seq not above the last one: duplicate or reordered */
	__u64 foreign;		/* a producer id out of range */
	__u64 total;
	__u64 discarded_seen;	/* a seq the producer discarded */
	__u32 discard_every;	/* set by the test: seqs that must not appear */
};

static inline int record_check_sample(void *ctx, const void *data, __u32 len)
{
	struct record_check *c = ctx;
	const struct bpfrb_test_record *rec = data;

	c->total++;
	if (bpfrb_test_verify(data, len)) {
		c->corrupt++;
		return 0;
	}
	if (rec->producer_id >= BPFRB_TEST_MAX_PRODUCERS) {
		c->foreign++;
		return 0;
	}
	if (c->discard_every && (rec->seq + 1) % c->discard_every == 0)
		c->discarded_seen++;
	if (c->consumed[rec->producer_id] && rec->seq < c->next_seq[rec->producer_id])
		c->out_of_order++;
	c->next_seq[rec->producer_id] = rec->seq + 1;
	c->consumed[rec->producer_id]++;
	return 0;
}

/*
 * Records per producer so that `producers` producers of `record_bytes`
 * (header included) each fit in `room` bytes together: `most`, or fewer
 * on a machine with more CPUs than the test was written for.
 */
static inline __u64 records_that_fit(__u64 room, long producers,
				     __u64 record_bytes, __u64 most)
{
	__u64 fit = room / ((__u64)producers * record_bytes);

	return fit < most ? fit : most;
}

/* Sums of a finished PRODUCE. */
static inline __u64 produce_sum(const struct bpfrb_test_produce *p, int which)
{
	__u64 s = 0;
	__u32 i;

	for (i = 0; i < p->nr_producers; i++)
		s += which == 0 ? p->counts[i].produced :
		     which == 1 ? p->counts[i].dropped : p->counts[i].discarded;
	return s;
}

#endif /* CORE_TESTMOD_H */
