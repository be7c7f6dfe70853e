// SPDX-License-Identifier: GPL-2.0
/*
 * 10^6 records from every CPU (one kthread bound to each, plus hard-IRQ
 * and process-context producers) through a small ring, consumed with
 * bpfrb_ring_buffer__poll(-1): nothing lost, nothing duplicated, nothing
 * reordered within a producer, every payload intact.
 *
 * Producers retry when the ring is full, so every attempt must arrive;
 * the ring is small so that it fills and wraps many times and the
 * consumer sleeps and is woken over and over (a lost wakeup hangs the
 * test until the harness times it out).
 */
#include <pthread.h>

#include "lib_test.h"

#define TOTAL		1000000ULL
#define RING_SIZE	(64 * 1024)
#define PAYLOAD		32

struct producer_run {
	int tfd;
	struct bpfrb_test_produce p;
	int err;
	volatile int done;
};

static void *run_producers(void *arg)
{
	struct producer_run *run = arg;

	run->err = lib_produce(run->tfd, &run->p);
	__atomic_store_n(&run->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

FIXTURE(stress) {
	int tfd;
	int fd;
	struct bpfrb_ring_buffer *rb;
	struct lib_seen seen;
};

FIXTURE_SETUP(stress)
{
	self->tfd = lib_test_open();
	ASSERT_LE(0, self->tfd);
	self->fd = bpfrb_create(NULL, RING_SIZE, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, self->fd);
	memset(&self->seen, 0, sizeof(self->seen));
	self->seen.expect_size = PAYLOAD;
	self->rb = bpfrb_ring_buffer__new(self->fd, lib_seen_cb, &self->seen, NULL);
	ASSERT_NE(NULL, self->rb);
}

FIXTURE_TEARDOWN(stress)
{
	bpfrb_ring_buffer__free(self->rb);
	close(self->fd);
	close(self->tfd);
}

TEST_F_TIMEOUT(stress, million_records_from_all_cpus_poll_forever, 170)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct producer_run run;
	__u64 per, expected, produced = 0;
	struct bpfrb_info info;
	pthread_t th;
	__u32 i;
	int ret;

	ASSERT_LT(0, ncpu);
	ASSERT_GE(BPFRB_TEST_MAX_PRODUCERS, BPFRB_TEST_ID_KTHREAD0 + ncpu);
	/* Process + hrtimer + one kthread per CPU share the 10^6 records. */
	per = (TOTAL + ncpu + 1) / (ncpu + 2);
	expected = per * (ncpu + 2);

	memset(&run, 0, sizeof(run));
	run.tfd = self->tfd;
	lib_produce_init(&run.p, lib_ring_id(self->fd), BPFRB_TEST_PROD_ALL, per, PAYLOAD);
	run.p.flags = BPFRB_TEST_PRODUCE_RETRY;
	ASSERT_EQ(0, pthread_create(&th, NULL, run_producers, &run));

	/* Records that were never committed would hang this loop: a timeout. */
	while (self->seen.total < expected) {
		ret = bpfrb_ring_buffer__poll(self->rb, -1);
		ASSERT_LE(0, ret) TH_LOG("poll: %s", strerror(-ret));
		if (self->seen.corrupt || self->seen.disorder)
			break;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(0, run.err) TH_LOG("PRODUCE: %s", strerror(-run.err));

	EXPECT_EQ(0, self->seen.corrupt);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(expected, self->seen.total);
	EXPECT_LE(TOTAL, self->seen.total);
	for (i = 0; i < run.p.nr_producers; i++) {
		const struct bpfrb_test_counts *c = &run.p.counts[i];

		if (!c->active)
			continue;
		EXPECT_EQ(per, c->produced) TH_LOG("producer %u", i);
		EXPECT_EQ(0, c->dropped) TH_LOG("producer %u", i);
		/* Each seq 0 .. per-1 once, in order: count and last agree. */
		EXPECT_EQ(c->produced, self->seen.count[i]) TH_LOG("producer %u", i);
		EXPECT_EQ(c->produced, self->seen.next_seq[i]) TH_LOG("producer %u", i);
		produced += c->produced;
	}
	EXPECT_EQ(expected, produced);
	/* Every CPU produced: the kthread of each online CPU was active. */
	for (i = 0; i < (__u32)ncpu; i++)
		EXPECT_EQ(1, run.p.counts[BPFRB_TEST_ID_KTHREAD0 + i].active);
	/* Nothing left behind, and the kernel counted what we saw. */
	EXPECT_EQ(0, bpfrb_ring_buffer__consume(self->rb));
	ASSERT_EQ(0, bpfrb_info(self->fd, &info));
	EXPECT_EQ(info.producer_pos, info.consumer_pos);
	EXPECT_EQ(expected, info.records);
}

LIB_TEST_MAIN
