/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the libbpfrb tests (lib_*.c): driving the test module's
 * producers (/dev/bpfrb_test) and checking what a consumer receives.
 *
 * Each lib_* program ends with LIB_TEST_MAIN instead of TEST_HARNESS_MAIN:
 * without /dev/bpfrb and /dev/bpfrb_test it exits KSFT_SKIP as a whole
 * (the harness would count per-test skips as passes).
 */
#ifndef LIB_TEST_H
#define LIB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <libbpfrb.h>
#include <bpfrb_test.h>

#include "kselftest_harness.h"

/*
 * The harness compares with the operands' own types: EXPECT_EQ(5, u64)
 * would need a cast on every literal. The values compared are small.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"

#define LIB_PAGE_SIZE	((__u64)sysconf(_SC_PAGESIZE))

/* The test module's control file; -errno when it is not there. */
static inline int lib_test_open(void)
{
	int fd = open(BPFRB_TEST_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Seconds since *t0 on the monotonic clock. */
static inline double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static inline __u32 lib_ring_id(int fd)
{
	struct bpfrb_info info;

	if (bpfrb_info(fd, &info))
		return 0;
	return info.id;
}

/* One record through OUTPUT_ONE; returns the API's return (0 on success). */
static inline int lib_output_one(int tfd, __u32 ring_id, __u32 mode, __u64 size,
				 __u32 producer_id, __u64 seq, __u64 flags)
{
	struct bpfrb_test_output o;

	memset(&o, 0, sizeof(o));
	o.ring_id = ring_id;
	o.mode = mode;
	o.size = size;
	o.flags = flags;
	o.producer_id = producer_id;
	o.seq = seq;
	if (ioctl(tfd, BPFRB_TEST_IOC_OUTPUT_ONE, &o) < 0)
		return -errno;
	return o.ret;
}

/* PRODUCE from the selected producers; -errno if the ioctl failed. */
static inline int lib_produce(int tfd, struct bpfrb_test_produce *p)
{
	return ioctl(tfd, BPFRB_TEST_IOC_PRODUCE, p) < 0 ? -errno : 0;
}

static inline void lib_produce_init(struct bpfrb_test_produce *p, __u32 ring_id,
				    __u32 producers, __u64 records, __u32 payload)
{
	memset(p, 0, sizeof(*p));
	p->ring_id = ring_id;
	p->producers = producers;
	p->records = records;
	p->payload_size = payload;
}

/*
 * What a consumer saw. Each producer reserves its records one after the
 * other, so in ring order its seqs must strictly increase: a repeat or a
 * step back is a duplicate or a reordering.
 */
struct lib_seen {
	__u64 next_seq[BPFRB_TEST_MAX_PRODUCERS];	/* lowest seq still allowed */
	__u64 count[BPFRB_TEST_MAX_PRODUCERS];
	__u64 total;
	__u64 corrupt;		/* bad size or checksum */
	__u64 disorder;		/* seq not above the previous one of its producer */
	__u64 discard_seen;	/* a seq the producer discarded (discard_every) */
	__u32 first_ids[8];	/* producer ids of the first records, in order */
	__u32 discard_every;
	__u32 expect_size;	/* 0: any */
	int stop_at;		/* return stop_err at this total (1-based), 0: never */
	int stop_err;
};

static inline int lib_seen_cb(void *ctx, void *data, size_t size)
{
	struct lib_seen *s = (struct lib_seen *)ctx;
	const struct bpfrb_test_record *r = (const struct bpfrb_test_record *)data;
	__u32 id;

	if (s->total < 8)
		s->first_ids[s->total] = size >= sizeof(*r) ? r->producer_id : ~0U;
	s->total++;
	if ((s->expect_size && size != s->expect_size) ||
	    bpfrb_test_verify(data, (__u32)size)) {
		s->corrupt++;
		goto out;
	}
	id = r->producer_id;
	if (id >= BPFRB_TEST_MAX_PRODUCERS) {
		if (id != BPFRB_TEST_ID_HELD && id != BPFRB_TEST_ID_ONE)
			s->corrupt++;
		goto out;
	}
	if (r->seq < s->next_seq[id])
		s->disorder++;
	s->next_seq[id] = r->seq + 1;
	s->count[id]++;
	if (s->discard_every && (r->seq + 1) % s->discard_every == 0)
		s->discard_seen++;
out:
	if (s->stop_at && s->total == (__u64)s->stop_at)
		return s->stop_err;
	return 0;
}

/* Without the module and its test module there is nothing to test. */
#define LIB_TEST_MAIN							\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}								\
	int main(int argc, char **argv)					\
	{								\
		if (access(BPFRB_DEVICE, R_OK | W_OK) ||		\
		    access(BPFRB_TEST_DEVICE, R_OK | W_OK)) {		\
			printf("1..0 # SKIP %s or %s missing\n",	\
			       BPFRB_DEVICE, BPFRB_TEST_DEVICE);	\
			return KSFT_SKIP;				\
		}							\
		return test_harness_run(argc, argv);			\
	}

#endif /* LIB_TEST_H */
