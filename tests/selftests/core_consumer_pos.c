// SPDX-License-Identifier: GPL-2.0
/*
 * consumer_pos is writable by user space and therefore untrusted: whatever
 * is written there, a reservation never overlaps a record that is not yet
 * committed (the kernel checks held records' checksums when committing),
 * nothing oopses, and producers work again once consumer_pos is put back.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include "kselftest_harness.h"
#include "core_consume.h"

FIXTURE(cpos) {
	int tfd;
	long page;
	struct core_ring ring;
	__u32 first;
};

FIXTURE_SETUP(cpos)
{
	self->ring.fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	self->tfd = testmod_open();
	if (self->tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-self->tfd));
	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
}

FIXTURE_TEARDOWN(cpos)
{
	core_ring_close(&self->ring);
	if (self->tfd >= 0)
		close(self->tfd);
}

/* One 24-byte record (32 with its header) through OUTPUT_ONE. */
static int output24(FIXTURE_DATA(cpos) *self, unsigned long seq)
{
	return testmod_one(self->tfd, self->ring.id, BPFRB_TEST_ONE_OUTPUT,
			   24, 0, seq);
}

/*
 * Producers read consumer_pos again only when the room they last saw runs
 * out (src/produce.c): a consumer_pos ahead of producer_pos is refused
 * then, not at once, and for as long as it stays there.
 */
TEST_F(cpos, consumer_pos_ahead_of_producer_refuses_reservations)
{
	/* The ring is a page: room for this many 32-byte records. */
	unsigned long room = self->page / 32;
	unsigned long seq = 0;
	int ret;

	ASSERT_EQ(0, output24(self, seq++));
	core_store_consumer(&self->ring, 32 + 8 * self->page);
	/* At most the room producers saw with consumer_pos at 0. */
	while ((ret = output24(self, seq)) == 0) {
		ASSERT_GT(room, seq++);
	}
	ASSERT_EQ(-EAGAIN, ret);
	ASSERT_EQ(-EAGAIN, output24(self, seq));
	core_store_consumer(&self->ring, 32 + (1UL << 63));
	ASSERT_EQ(-EAGAIN, output24(self, seq));
	/* Put back past the first record: room for exactly one more. */
	core_store_consumer(&self->ring, 32);
	ASSERT_EQ(0, output24(self, seq++));
	ASSERT_EQ(-EAGAIN, output24(self, seq));
	ASSERT_EQ((long)seq - 1, core_ring_consume(&self->ring, NULL, NULL));
}

/*
 * Producers check room against the consumer_pos they last read: whatever
 * the consumer frees since must be found when that view says "full".
 */
TEST_F(cpos, room_the_consumer_frees_is_found_when_the_ring_looks_full)
{
	unsigned long room = self->page / 32, seq = 0, i;

	/* Half a ring, consumed: producers last read consumer_pos at 0. */
	for (i = 0; i < room / 2; i++) {
		ASSERT_EQ(0, output24(self, seq++));
	}
	ASSERT_EQ((long)room / 2, core_ring_consume(&self->ring, NULL, NULL));
	/* A whole ring fits again, then the ring is full. */
	for (i = 0; i < room; i++) {
		ASSERT_EQ(0, output24(self, seq++));
	}
	ASSERT_EQ(-EAGAIN, output24(self, seq));
	ASSERT_EQ((long)room, core_ring_consume(&self->ring, NULL, NULL));
	for (i = 0; i < room; i++) {
		ASSERT_EQ(0, output24(self, seq++));
	}
	ASSERT_EQ(-EAGAIN, output24(self, seq));
	ASSERT_EQ((long)room, core_ring_consume(&self->ring, NULL, NULL));
}

TEST_F(cpos, consumer_pos_past_a_held_record_cannot_reuse_its_room)
{
	/* Held record at 0..48; user space claims it consumed. */
	ASSERT_EQ(1, testmod_hold(self->tfd, self->ring.id, 1, 40, &self->first));
	core_store_consumer(&self->ring, 48);
	/* A record that would wrap onto the held one is refused... */
	ASSERT_EQ(-EAGAIN, testmod_one(self->tfd, self->ring.id,
				       BPFRB_TEST_ONE_OUTPUT,
				       self->page - BPFRB_HDR_SZ, 0, 0));
	ASSERT_EQ(-EAGAIN, testmod_one(self->tfd, self->ring.id,
				       BPFRB_TEST_ONE_OUTPUT, self->page - 48, 0, 0));
	/* ...one that ends exactly where the held one starts fits. */
	ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id, BPFRB_TEST_ONE_OUTPUT,
				 self->page - 48 - BPFRB_HDR_SZ, 0, 1));
	/* Now full as far as the held record goes. */
	ASSERT_EQ(-ENOSPC, testmod_one(self->tfd, self->ring.id,
				       BPFRB_TEST_ONE_SUBMIT, 24, 0, 2));
	/* The held record is intact when committed. */
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first, 1,
				    BPFRB_TEST_COMMIT_SUBMIT, 0));
}

/* Moves the calling thread to one CPU (the move is done on return). */
static int run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * pending_pos is moved on every 16 KiB, past the records committed since
 * and up to the first busy one (src/produce.c). A record held by one CPU
 * while another produces four such steps' worth, with consumer_pos
 * claiming everything consumed, the held record too, keeps its room:
 * producers stop exactly where they would wrap onto it. (Written for a
 * design that skipped the walk when per-CPU counts said nothing was
 * busy, which has to count every CPU's reservations: docs/BENCHMARKS.md,
 * "Ideas weighed".)
 */
TEST_F(cpos, record_held_on_another_cpu_keeps_its_room)
{
	unsigned long size = 16 * self->page, seq = 0;
	/* 32-byte records behind the held one's 48 bytes, up to a ring. */
	unsigned long room = (size - 48) / 32;
	int ret;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	core_ring_close(&self->ring);
	ASSERT_EQ(0, core_ring_open(&self->ring, size, NULL));
	ASSERT_EQ(0, run_on_cpu(1));
	ASSERT_EQ(1, testmod_hold(self->tfd, self->ring.id, 1, 40, &self->first));
	ASSERT_EQ(0, run_on_cpu(0));
	while ((ret = output24(self, seq)) == 0) {
		ASSERT_GT(room, seq++);
		core_store_consumer(&self->ring, core_load_producer(&self->ring));
	}
	ASSERT_EQ(-EAGAIN, ret);
	ASSERT_EQ(room, seq);
	/* Intact when committed, on the CPU that did not reserve it. */
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first, 1,
				    BPFRB_TEST_COMMIT_SUBMIT, 0));
	/* The room it kept is found again. */
	ASSERT_EQ(0, output24(self, seq));
}

struct scribbler {
	pthread_t thread;
	unsigned long *consumer_pos;
	unsigned long span;
	volatile int stop;
	unsigned long writes;
};

/* Random positions, near the real ones and anywhere at all. */
static void *scribble(void *data)
{
	struct scribbler *s = data;
	unsigned int seed = 12345;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		unsigned long v = ((unsigned long)rand_r(&seed) << 32) ^ rand_r(&seed);

		if (v & 1)
			v %= s->span;
		__atomic_store_n(s->consumer_pos, v, __ATOMIC_RELEASE);
		s->writes++;
	}
	return NULL;
}

TEST_F_TIMEOUT(cpos, random_consumer_pos_never_corrupts_in_flight_records, 150)
{
	struct scribbler s = { .consumer_pos = self->ring.consumer_pos };
	struct bpfrb_test_produce p;
	struct record_check check = { 0 };
	unsigned long prod;
	__u64 produced;
	int held, i, j;

	core_ring_close(&self->ring);
	ASSERT_EQ(0, core_ring_open(&self->ring, 4 * self->page, NULL));
	s.consumer_pos = self->ring.consumer_pos;
	s.span = 16 * self->page;

	for (i = 0; i < 4; i++) {
		/*
		 * Some records in flight while the producers run: the ring
		 * is empty (consumer_pos put back below), so all three fit.
		 */
		held = testmod_hold(self->tfd, self->ring.id, 3, 64, &self->first);
		ASSERT_EQ(3, held);
		ASSERT_EQ(0, -pthread_create(&s.thread, NULL, scribble, &s));
		testmod_produce_init(&p, self->ring.id,
				     BPFRB_TEST_PROD_PROCESS | BPFRB_TEST_PROD_KTHREADS |
				     BPFRB_TEST_PROD_HRTIMER, 3000, 100);
		p.flags = BPFRB_TEST_PRODUCE_VARY_SIZE;
		ASSERT_EQ(0, testmod_produce(self->tfd, &p));
		__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
		pthread_join(s.thread, NULL);
		s.stop = 0;
		/*
		 * The producers wrote around the held records (a kernel that
		 * refused every reservation would leave them intact too).
		 */
		for (produced = 0, j = 0; j < (int)p.nr_producers; j++)
			produced += p.counts[j].produced;
		EXPECT_LT(0ULL, produced) TH_LOG("round %d", i);
		ASSERT_EQ(0, testmod_commit(self->tfd, self->first, held,
					    BPFRB_TEST_COMMIT_SUBMIT, 0));
		/* Put consumer_pos back: everything so far is consumed. */
		prod = core_load_producer(&self->ring);
		core_store_consumer(&self->ring, prod);
	}
	TH_LOG("%lu consumer_pos writes", s.writes);

	/* Producers recover: no drop, all intact. */
	testmod_produce_init(&p, self->ring.id, BPFRB_TEST_PROD_PROCESS, 40, 64);
	ASSERT_EQ(0, testmod_produce(self->tfd, &p));
	ASSERT_EQ(40ULL, p.counts[BPFRB_TEST_ID_PROCESS].produced);
	ASSERT_EQ(40, core_ring_consume(&self->ring, record_check_sample, &check));
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
}

TEST_HARNESS_MAIN
