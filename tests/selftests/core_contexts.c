// SPDX-License-Identifier: GPL-2.0
/*
 * timeout: 300
 *
 * The exported API from softirq (a timer_list) and NMI (NMIs the test
 * module raises, one attempt each), alone and against the other contexts:
 * every attempt is produced, dropped or discarded, what was produced is
 * consumed once, intact and in order per producer, the ring's INFO counts
 * match, and each producer ran in the context it claims. With NMIs landing
 * on a CPU whose producer takes the ring's lock, the NMI's trylock fails
 * sometimes: those drops, and only those, are counted. Hard IRQ and
 * softirq producers that interrupt a reservation on their CPU drop
 * nothing.
 */
#include "kselftest_harness.h"
#include <time.h>
#include "core_consume.h"

FIXTURE(contexts) {
	int tfd;
	struct core_ring ring;
};

FIXTURE_SETUP(contexts)
{
	self->ring.fd = -1;
	self->tfd = testmod_open();
	if (self->tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-self->tfd));
}

FIXTURE_TEARDOWN(contexts)
{
	core_ring_close(&self->ring);
	if (self->tfd >= 0)
		close(self->tfd);
}

struct run_result {
	struct bpfrb_test_produce arg;
	struct record_check check;
	struct bpfrb_info info;
	int ret;			/* PRODUCE's: 0 or -errno */
};

/* PRODUCE in a thread while this one consumes; 0, or PRODUCE's -errno. */
static int run_producers(struct __test_metadata *_metadata,
			 FIXTURE_DATA(contexts) *self,
			 const struct bpfrb_test_produce *arg,
			 struct run_result *res)
{
	struct producer_thread pt = { .tfd = self->tfd, .arg = *arg };
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	res->check.discard_every = arg->discard_every;
	pt.arg.ring_id = self->ring.id;
	EXPECT_EQ(0, producer_thread_start(&pt));
	EXPECT_LE(0, consume_while_producing(&self->ring, &pt, &res->check));
	res->ret = producer_thread_join(&pt);
	res->arg = pt.arg;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("PRODUCE took %ld ms",
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000000));
	EXPECT_EQ(0, core_info(self->ring.fd, &res->info));
	return res->ret;
}

/* What holds for every run: each attempt and each record accounted for. */
static void check_accounting(struct __test_metadata *_metadata,
			     const struct run_result *res)
{
	const struct bpfrb_test_produce *a = &res->arg;
	__u64 produced = produce_sum(a, 0);
	__u64 dropped = produce_sum(a, 1);
	__u64 discarded = produce_sum(a, 2);
	__u32 i;

	for (i = 0; i < BPFRB_TEST_MAX_PRODUCERS; i++) {
		const struct bpfrb_test_counts *c = &a->counts[i];

		if (i >= a->nr_producers || !c->active) {
			EXPECT_EQ(0ULL, res->check.consumed[i]) TH_LOG("producer %u", i);
			continue;
		}
		/* NMI_REMOTE: one attempt per NMI raised, while others ran. */
		if (i == BPFRB_TEST_ID_NMI &&
		    (a->nmi_flags & BPFRB_TEST_NMI_REMOTE)) {
			EXPECT_EQ(a->nmi_raised,
				  c->produced + c->dropped + c->discarded);
			EXPECT_GE(a->records, a->nmi_raised);
		} else {
			EXPECT_EQ(a->records,
				  c->produced + c->dropped + c->discarded)
				TH_LOG("producer %u", i);
		}
		EXPECT_EQ(c->produced, res->check.consumed[i])
			TH_LOG("producer %u", i);
		TH_LOG("producer %u: produced %llu dropped %llu discarded %llu",
		       i, (unsigned long long)c->produced,
		       (unsigned long long)c->dropped,
		       (unsigned long long)c->discarded);
	}
	EXPECT_EQ(0ULL, res->check.corrupt);
	EXPECT_EQ(0ULL, res->check.out_of_order);
	EXPECT_EQ(0ULL, res->check.foreign);
	EXPECT_EQ(0ULL, res->check.discarded_seen);
	EXPECT_EQ(0U, a->wrong_context);
	EXPECT_EQ(produced, res->check.total);
	EXPECT_EQ(produced, res->info.records);
	/* The ring counts every refused reservation, retried ones too. */
	if (a->flags & BPFRB_TEST_PRODUCE_RETRY) {
		EXPECT_EQ(0ULL, dropped);
		EXPECT_LE(dropped, res->info.drops);
	} else {
		EXPECT_EQ(dropped, res->info.drops);
	}
	EXPECT_EQ(discarded, res->info.discards);
	EXPECT_EQ(res->info.producer_pos, res->info.consumer_pos);
	TH_LOG("ring drops %llu", (unsigned long long)res->info.drops);
}

/*
 * The NMI producer: SKIP when the guest does not deliver the NMIs raised.
 * Not over a failure already recorded (run_producers() checks as it
 * goes): the harness would report the test as skipped.
 */
#define SKIP_IF_NMI_UNSUPPORTED(res)					\
	do {								\
		if (!_metadata->passed)					\
			return;						\
		if ((res)->ret == -EOPNOTSUPP)				\
			SKIP(return, "NMI producer: not built (no x86 local APIC)"); \
		if ((res)->ret == -ENODEV)				\
			SKIP(return, "NMI_REMOTE needs two online CPUs"); \
		if (!(res)->ret && (res)->arg.nmi_unanswered)		\
			SKIP(return, "an NMI IPI raised by the test module was not delivered within 1 s (%llu raised)", \
			     (unsigned long long)(res)->arg.nmi_raised); \
	} while (0)

TEST_F_TIMEOUT(contexts, softirq_producer_alone_loses_nothing, 120)
{
	const __u64 records = 4000;
	struct bpfrb_test_produce arg;
	struct run_result res;
	const struct bpfrb_test_counts *c = &res.arg.counts[BPFRB_TEST_ID_SOFTIRQ];

	/* 4000 records of at most 72 bytes cannot fill 1 MiB: no drop. */
	ASSERT_EQ(0, core_ring_open(&self->ring, 1 << 20, NULL));
	testmod_produce_init(&arg, 0, BPFRB_TEST_PROD_SOFTIRQ, records, 64);
	arg.flags = BPFRB_TEST_PRODUCE_VARY_SIZE;
	arg.softirq_batch = 8;
	ASSERT_EQ(0, run_producers(_metadata, self, &arg, &res));
	check_accounting(_metadata, &res);
	ASSERT_EQ(BPFRB_TEST_ID_SOFTIRQ + 1U, res.arg.nr_producers);
	ASSERT_EQ(1U, c->active);
	ASSERT_EQ(records, c->produced);
	ASSERT_EQ(records, res.check.consumed[BPFRB_TEST_ID_SOFTIRQ]);
	ASSERT_EQ(0ULL, res.arg.nmi_raised);
}

TEST_F_TIMEOUT(contexts, nmi_producer_alone_one_record_per_nmi, 120)
{
	const __u64 records = 3000;
	struct bpfrb_test_produce arg;
	struct run_result res;
	const struct bpfrb_test_counts *c = &res.arg.counts[BPFRB_TEST_ID_NMI];

	/* Nothing else takes the lock and the ring cannot fill: no drop. */
	ASSERT_EQ(0, core_ring_open(&self->ring, 1 << 20, NULL));
	testmod_produce_init(&arg, 0, BPFRB_TEST_PROD_NMI, records, 64);
	arg.flags = BPFRB_TEST_PRODUCE_VARY_SIZE;
	run_producers(_metadata, self, &arg, &res);
	SKIP_IF_NMI_UNSUPPORTED(&res);
	ASSERT_EQ(0, res.ret);
	check_accounting(_metadata, &res);
	ASSERT_EQ(BPFRB_TEST_ID_NMI + 1U, res.arg.nr_producers);
	ASSERT_EQ(records, res.arg.nmi_raised);
	ASSERT_EQ(records, c->produced);
	ASSERT_EQ(0ULL, c->dropped);
	ASSERT_EQ(records, res.check.consumed[BPFRB_TEST_ID_NMI]);
	TH_LOG("%llu NMIs raised, %llu records",
	       (unsigned long long)res.arg.nmi_raised,
	       (unsigned long long)c->produced);
}

/*
 * NMIs sent to the second CPU while a kthread bound there (and the calling
 * thread and the other kthreads) produce in a loop, so that some NMIs
 * interrupt a holder of the ring's lock, on their own CPU or the other;
 * raised only until that kthread is done (TARGET_BUSY): after it, they
 * would land on an idle CPU.
 * The ring holds every record of a run, so no reservation can fail for
 * lack of space: every drop is an NMI's failed trylock, and the other
 * producers drop nothing. The producers are fast and an NMI lands on a
 * held lock now and then only: runs repeat, each checked in full, until
 * MIN_NMI_DROPS drops were seen (or CONTENTION_RUNS runs / 60 s); with
 * none at all the test skips.
 */
#define MIN_NMI_DROPS		20
#define CONTENTION_RUNS		50

TEST_F_TIMEOUT(contexts, nmi_interrupting_lock_holders_drops_exactly_counted, 200)
{
	const __u64 room = 32 << 20;
	struct bpfrb_test_produce arg;
	struct run_result res;
	const struct bpfrb_test_counts *nmi = &res.arg.counts[BPFRB_TEST_ID_NMI];
	__u64 records, raised = 0, produced = 0, dropped = 0;
	struct timespec t0, t;
	__u32 i, run;

	/*
	 * Header-only records: the producers spend their time reserving.
	 * Kthreads, the process and the NMI producer fit in the ring.
	 */
	records = records_that_fit(room, sysconf(_SC_NPROCESSORS_ONLN) + 2,
				   24 + 8, 240000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (run = 0; run < CONTENTION_RUNS && dropped < MIN_NMI_DROPS; run++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 60)
			break;
		core_ring_close(&self->ring);
		ASSERT_EQ(0, core_ring_open(&self->ring, room, NULL));
		testmod_produce_init(&arg, 0, BPFRB_TEST_PROD_NMI |
				     BPFRB_TEST_PROD_KTHREADS |
				     BPFRB_TEST_PROD_PROCESS, records, 24);
		arg.nmi_flags = BPFRB_TEST_NMI_REMOTE |
				BPFRB_TEST_NMI_TARGET_BUSY;
		run_producers(_metadata, self, &arg, &res);
		SKIP_IF_NMI_UNSUPPORTED(&res);
		ASSERT_EQ(0, res.ret);
		check_accounting(_metadata, &res);
		for (i = 0; i < BPFRB_TEST_ID_NMI; i++)
			ASSERT_EQ(0ULL, res.arg.counts[i].dropped)
				TH_LOG("producer %u", i);
		ASSERT_EQ(nmi->dropped, res.info.drops);
		/*
		 * Every NMI raised produced or dropped. A run may raise none
		 * when the other producers finish before the first NMI.
		 */
		ASSERT_EQ(res.arg.nmi_raised, nmi->produced + nmi->dropped);
		if (!_metadata->passed)
			return;
		raised += res.arg.nmi_raised;
		produced += nmi->produced;
		dropped += nmi->dropped;
	}
	TH_LOG("NMI: %u runs, %llu raised, %llu produced, %llu dropped (lock held)",
	       run, (unsigned long long)raised, (unsigned long long)produced,
	       (unsigned long long)dropped);
	ASSERT_LT(0ULL, produced);
	/*
	 * Whether an NMI lands inside the few dozen instructions the lock is
	 * held for is up to the emulator, which delivers interrupts between
	 * its translated blocks: without one, the drop path was not reached,
	 * and that is a skip, never a pass.
	 */
	if (!dropped)
		SKIP(return, "no NMI of %llu found the ring lock held in %u runs",
		     (unsigned long long)raised, run);
}

/*
 * An hrtimer (hard IRQ) and a softirq producer interrupting the process
 * and kthread producers of their own CPU, some of them inside a
 * reservation, into a ring that holds every record: outside NMI nothing
 * is dropped for the ring's lock (an interruption never lands while its
 * CPU holds it, since the lock is held with interrupts off, and it waits
 * for another CPU's holder), and the records stay intact and in order
 * per producer. Runs repeat until MIN_INTERRUPTING attempts were seen
 * interrupting a reservation on their CPU (the test module counts them),
 * or CONTENTION_RUNS runs / 60 s; with none at all the test skips.
 */
#define MIN_INTERRUPTING	200

TEST_F_TIMEOUT(contexts, irq_and_softirq_interrupting_reservations_drop_nothing, 200)
{
	const __u64 room = 32 << 20;
	struct bpfrb_test_produce arg;
	struct run_result res;
	__u64 records, interrupting = 0;
	struct timespec t0, t;
	__u32 i, run;

	/* Kthreads, the process, hrtimer and softirq fit in the ring. */
	records = records_that_fit(room, sysconf(_SC_NPROCESSORS_ONLN) + 3,
				   24 + 8, 100000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (run = 0; run < CONTENTION_RUNS && interrupting < MIN_INTERRUPTING;
	     run++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 60)
			break;
		core_ring_close(&self->ring);
		ASSERT_EQ(0, core_ring_open(&self->ring, room, NULL));
		testmod_produce_init(&arg, 0, BPFRB_TEST_PROD_ALL |
				     BPFRB_TEST_PROD_SOFTIRQ, records, 24);
		arg.hrtimer_period_ns = 10000;
		arg.softirq_batch = 1024;
		run_producers(_metadata, self, &arg, &res);
		ASSERT_EQ(0, res.ret);
		check_accounting(_metadata, &res);
		for (i = 0; i < res.arg.nr_producers; i++)
			ASSERT_EQ(0ULL, res.arg.counts[i].dropped)
				TH_LOG("producer %u", i);
		ASSERT_EQ(0ULL, res.info.drops);
		if (!_metadata->passed)
			return;
		interrupting += res.arg.interrupting;
	}
	TH_LOG("%u runs, %llu attempts interrupted a reservation on their CPU",
	       run, (unsigned long long)interrupting);
	/* As for the NMIs above: whether they land inside is the emulator's. */
	if (!interrupting)
		SKIP(return, "no interruption landed inside a reservation in %u runs",
		     run);
}

/*
 * Every context at once into a small ring, so that reservations also fail
 * for lack of space. Without RETRY an NMI burst may find the ring full
 * throughout (then all its attempts drop); with RETRY a refused attempt is
 * made again by the next NMI or expiry, and everything arrives.
 */
static void run_all_contexts(struct __test_metadata *_metadata,
			     FIXTURE_DATA(contexts) *self, __u32 flags,
			     __u32 discard_every)
{
	const __u64 records = 4000;
	struct bpfrb_test_produce arg;
	struct run_result res;
	__u32 id, active = 0;

	ASSERT_EQ(0, core_ring_open(&self->ring, 16 * sysconf(_SC_PAGESIZE), NULL));
	testmod_produce_init(&arg, 0, BPFRB_TEST_PROD_ALL |
			     BPFRB_TEST_PROD_SOFTIRQ | BPFRB_TEST_PROD_NMI,
			     records, 200);
	arg.flags = flags | BPFRB_TEST_PRODUCE_VARY_SIZE;
	arg.discard_every = discard_every;
	arg.hrtimer_period_ns = 10000;
	run_producers(_metadata, self, &arg, &res);
	SKIP_IF_NMI_UNSUPPORTED(&res);
	ASSERT_EQ(0, res.ret);
	check_accounting(_metadata, &res);
	for (id = 0; id < res.arg.nr_producers; id++)
		active += res.arg.counts[id].active;
	/* process, hrtimer, a kthread, softirq, NMI */
	ASSERT_LE(5U, active);
	ASSERT_EQ(1U, res.arg.counts[BPFRB_TEST_ID_SOFTIRQ].active);
	ASSERT_EQ(1U, res.arg.counts[BPFRB_TEST_ID_NMI].active);
	if (flags & BPFRB_TEST_PRODUCE_RETRY) {
		ASSERT_EQ(records - records / discard_every,
			  res.check.consumed[BPFRB_TEST_ID_SOFTIRQ]);
		ASSERT_EQ(records - records / discard_every,
			  res.check.consumed[BPFRB_TEST_ID_NMI]);
		ASSERT_LE(records, res.arg.nmi_raised);
	}
	/*
	 * The small ring filled, so the drop or retry path ran (thousands of
	 * drops without retries, thousands to millions of refused tries with
	 * them, in the guests here).
	 */
	ASSERT_LT(0ULL, res.info.drops);
	TH_LOG("NMIs raised %llu, ring drops %llu",
	       (unsigned long long)res.arg.nmi_raised,
	       (unsigned long long)res.info.drops);
}

TEST_F_TIMEOUT(contexts, all_contexts_small_ring_account_for_every_record, 200)
{
	run_all_contexts(_metadata, self, 0, 7);
}

TEST_F_TIMEOUT(contexts, all_contexts_small_ring_with_retry_lose_nothing, 200)
{
	run_all_contexts(_metadata, self, BPFRB_TEST_PRODUCE_RETRY, 5);
}

TEST_F(contexts, nmi_flags_without_nmi_producer_einval)
{
	struct bpfrb_test_produce arg;

	ASSERT_EQ(0, core_ring_open(&self->ring, 1 << 16, NULL));
	testmod_produce_init(&arg, self->ring.id, BPFRB_TEST_PROD_PROCESS, 1, 64);
	arg.nmi_flags = BPFRB_TEST_NMI_REMOTE;
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
	arg.nmi_flags = 0;
	arg.softirq_batch = 4;
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
}

TEST_F(contexts, unknown_nmi_flag_einval)
{
	struct bpfrb_test_produce arg;

	ASSERT_EQ(0, core_ring_open(&self->ring, 1 << 16, NULL));
	testmod_produce_init(&arg, self->ring.id, BPFRB_TEST_PROD_NMI, 1, 64);
	arg.nmi_flags = 0x4;
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
	/* TARGET_BUSY: only with REMOTE, and only with kthreads to watch. */
	arg.nmi_flags = BPFRB_TEST_NMI_TARGET_BUSY;
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
	testmod_produce_init(&arg, self->ring.id, BPFRB_TEST_PROD_NMI |
			     BPFRB_TEST_PROD_HRTIMER, 1, 64);
	arg.nmi_flags = BPFRB_TEST_NMI_REMOTE | BPFRB_TEST_NMI_TARGET_BUSY;
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
	/* REMOTE with nothing for its NMIs to interrupt. */
	testmod_produce_init(&arg, self->ring.id, BPFRB_TEST_PROD_NMI |
			     BPFRB_TEST_PROD_PROCESS, 1, 64);
	arg.nmi_flags = BPFRB_TEST_NMI_REMOTE;
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
	testmod_produce_init(&arg, self->ring.id, 0x20, 1, 64);
	ASSERT_EQ(-EINVAL, testmod_produce(self->tfd, &arg));
}

TEST_HARNESS_MAIN
