// SPDX-License-Identifier: GPL-2.0
/*
 * Self-pacing notifications: a commit wakes the consumer only when it had
 * caught up to exactly that record; BPFRB_NO_WAKEUP never wakes,
 * BPFRB_FORCE_WAKEUP always does; and a consumer sleeping in poll(-1) is
 * never left asleep with records pending.
 *
 * Wakeups are observed with edge-triggered epoll: after the first event a
 * waiter is reported again only if the ring's wait queue is woken, which
 * is exactly what the flags decide (poll() is level-triggered and would
 * return at once whenever data is pending). Wakeups skipped because
 * nobody waits are observed in /proc/interrupts.
 */
#include <pthread.h>
#include <time.h>
#include <sys/epoll.h>
#include "kselftest_harness.h"
#include "asleep_in_poll.h"
#include "core_consume.h"
#include "irq_work_count.h"

FIXTURE(wake) {
	int tfd;
	int ep;
	struct core_ring ring;
};

FIXTURE_SETUP(wake)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	self->ring.fd = -1;
	self->ep = -1;
	self->tfd = testmod_open();
	if (self->tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-self->tfd));
	ASSERT_EQ(0, core_ring_open(&self->ring, 16 * sysconf(_SC_PAGESIZE), NULL));
	self->ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, self->ep);
	ASSERT_EQ(0, epoll_ctl(self->ep, EPOLL_CTL_ADD, self->ring.fd, &ev));
}

FIXTURE_TEARDOWN(wake)
{
	if (self->ep >= 0)
		close(self->ep);
	core_ring_close(&self->ring);
	if (self->tfd >= 0)
		close(self->tfd);
}

/* A record produced 100 ms from now, while the test thread waits. */
struct delayed_one {
	pthread_t thread;
	int tfd;
	__u32 ring_id;
	__u64 flags;
	int ret;
	struct timespec done;	/* when the commit had returned */
};

static void *delayed_one_fn(void *data)
{
	struct delayed_one *d = data;

	usleep(100 * 1000);
	d->ret = testmod_one(d->tfd, d->ring_id, BPFRB_TEST_ONE_OUTPUT, 24,
			     d->flags, 0);
	clock_gettime(CLOCK_MONOTONIC, &d->done);
	return NULL;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * epoll_wait()'s result while a record with flags is produced meanwhile,
 * and in *quiet_ms how long the wait went on after the commit (negative:
 * the commit came after the wait ended, and a wait that timed out proves
 * nothing).
 */
static int wait_during_delayed_one(int ep, int tfd, __u32 ring_id,
				   __u64 flags, int timeout_ms, int *ret,
				   long *quiet_ms)
{
	struct delayed_one d = { .tfd = tfd, .ring_id = ring_id, .flags = flags };
	struct epoll_event ev;
	struct timespec end;
	int n;

	if (pthread_create(&d.thread, NULL, delayed_one_fn, &d))
		return -1;
	n = epoll_wait(ep, &ev, 1, timeout_ms);
	clock_gettime(CLOCK_MONOTONIC, &end);
	pthread_join(d.thread, NULL);
	*ret = d.ret;
	*quiet_ms = ms_between(&d.done, &end);
	return n;
}

TEST_F(wake, default_commit_wakes_a_caught_up_consumer)
{
	long quiet;
	int ret;

	ASSERT_EQ(1, wait_during_delayed_one(self->ep, self->tfd, self->ring.id,
					     0, 5000, &ret, &quiet));
	ASSERT_EQ(0, ret);
}

/* Waits that must time out last this long, and this long after the commit. */
#define QUIET_WAIT_MS	1500
#define QUIET_MIN_MS	500

TEST_F(wake, no_wakeup_leaves_a_poller_asleep)
{
	struct pollfd pfd = { .fd = self->ring.fd, .events = POLLIN };
	long quiet;
	int ret;

	ASSERT_EQ(0, wait_during_delayed_one(self->ep, self->tfd, self->ring.id,
					     BPFRB_NO_WAKEUP, QUIET_WAIT_MS,
					     &ret, &quiet));
	ASSERT_EQ(0, ret);
	ASSERT_LE(QUIET_MIN_MS, quiet);
	/* The record is there: only the wakeup was skipped. */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & POLLIN);
}

TEST_F(wake, default_commit_does_not_wake_a_lagging_consumer)
{
	struct epoll_event ev;
	long quiet;
	int ret;

	/* Record 1 wakes (caught up); it stays unconsumed: the consumer lags. */
	ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
				 BPFRB_TEST_ONE_OUTPUT, 24, 0, 0));
	ASSERT_EQ(1, epoll_wait(self->ep, &ev, 1, 5000));
	ASSERT_EQ(0, wait_during_delayed_one(self->ep, self->tfd, self->ring.id,
					     0, QUIET_WAIT_MS, &ret, &quiet));
	ASSERT_EQ(0, ret);
	ASSERT_LE(QUIET_MIN_MS, quiet);
	ASSERT_EQ(1, wait_during_delayed_one(self->ep, self->tfd, self->ring.id,
					     BPFRB_FORCE_WAKEUP, 5000, &ret, &quiet));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(3, core_ring_consume(&self->ring, NULL, NULL));
}

TEST_F(wake, force_wakeup_wakes_a_caught_up_consumer)
{
	long quiet;
	int ret;

	ASSERT_EQ(1, wait_during_delayed_one(self->ep, self->tfd, self->ring.id,
					     BPFRB_FORCE_WAKEUP, 5000, &ret, &quiet));
	ASSERT_EQ(0, ret);
}

/*
 * Wakeups the consumer has not looked at yet are coalesced (src/notify.c):
 * a forced commit must still wake an edge-triggered consumer again every
 * time it has looked in between, consumed or not.
 */
TEST_F(wake, force_wakeup_wakes_again_after_each_look)
{
	struct epoll_event ev;
	int round, i;

	for (round = 0; round < 3; round++) {
		/* Several forced commits before the consumer looks: one event. */
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
						 BPFRB_TEST_ONE_OUTPUT, 24,
						 BPFRB_FORCE_WAKEUP, 0));
		ASSERT_EQ(1, epoll_wait(self->ep, &ev, 1, 5000));
		ASSERT_NE(0U, ev.events & EPOLLIN);
		ASSERT_EQ(0, epoll_wait(self->ep, &ev, 1, 0));
	}
	/* Nothing was consumed: the wakeups did not depend on it. */
	ASSERT_EQ(9, core_ring_consume(&self->ring, NULL, NULL));
}

/* A poll(2) waiter on another thread, for a second kind of waiter. */
struct poll_waiter {
	pthread_t thread;
	pid_t tid;
	int fd;
	int ret;
	short revents;
};

static void *poll_waiter_fn(void *data)
{
	struct poll_waiter *w = data;
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	w->ret = poll(&pfd, 1, 20000);
	w->revents = pfd.revents;
	return NULL;
}

/*
 * An epoll consumer that has not looked at its last wakeup must not keep
 * a poll(2) waiter that queued itself since from being woken.
 */
TEST_F(wake, force_wakeup_wakes_a_waiter_that_came_after_an_unseen_one)
{
	struct poll_waiter w = { .fd = self->ring.fd };
	struct epoll_event ev;

	/* Wakes the epoll item, which nobody harvests yet. */
	ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
				 BPFRB_TEST_ONE_OUTPUT, 24, BPFRB_FORCE_WAKEUP, 0));
	ASSERT_EQ(1, core_ring_consume(&self->ring, NULL, NULL));
	/* The ring is empty again: a poll(2) waiter goes to sleep. */
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, poll_waiter_fn, &w));
	ASSERT_EQ(0, wait_asleep_in_poll(&w.tid, 10000));
	ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
				 BPFRB_TEST_ONE_OUTPUT, 24, BPFRB_FORCE_WAKEUP, 0));
	pthread_join(w.thread, NULL);
	ASSERT_EQ(1, w.ret);
	ASSERT_TRUE(w.revents & POLLIN);
	ASSERT_EQ(1, epoll_wait(self->ep, &ev, 1, 0));
}

static int count_only(void *ctx, const void *data, __u32 len)
{
	struct record_check *c = ctx;

	return record_check_sample(c, data, len);
}

/*
 * records_each records from each of the given producers (nr of them),
 * default flags, the consumer sleeping in poll(-1) whenever it caught up:
 * a single lost wakeup hangs it (timeout: fail).
 */
static void consume_sleeping_in_poll(struct __test_metadata *_metadata,
				     FIXTURE_DATA(wake) *self, __u32 producers,
				     __u32 nr, __u64 records_each)
{
	struct producer_thread pt = { .tfd = self->tfd };
	struct pollfd pfd = { .fd = self->ring.fd, .events = POLLIN };
	struct record_check check = { 0 };
	const __u64 n = records_each * nr;
	__u64 total = 0, sleeps = 0;
	__u32 i;
	long got;

	testmod_produce_init(&pt.arg, self->ring.id, producers, records_each, 24);
	pt.arg.flags = BPFRB_TEST_PRODUCE_RETRY;
	ASSERT_EQ(0, producer_thread_start(&pt));
	while (total < n) {
		got = core_ring_consume(&self->ring, count_only, &check);
		ASSERT_LE(0, got);
		total += got;
		if (total < n && !got) {
			ASSERT_EQ(1, poll(&pfd, 1, -1));
			sleeps++;
		}
	}
	ASSERT_EQ(0, producer_thread_join(&pt));
	for (i = 0; i < pt.arg.nr_producers; i++) {
		if (!pt.arg.counts[i].active)
			continue;
		EXPECT_EQ(records_each, pt.arg.counts[i].produced) TH_LOG("producer %u", i);
		EXPECT_EQ(records_each, check.consumed[i]) TH_LOG("producer %u", i);
	}
	ASSERT_EQ(n, check.total);
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
	TH_LOG("consumer slept %llu times", (unsigned long long)sleeps);
	/* Only a consumer that sleeps can lose a wakeup (some 10 000 here). */
	ASSERT_LE(100ULL, sleeps);
}

/* The fixture's epoll set keeps an entry on the ring's wait queue. */
TEST_F_TIMEOUT(wake, no_lost_wakeup_over_a_million_records, 170)
{
	consume_sleeping_in_poll(_metadata, self, BPFRB_TEST_PROD_PROCESS, 1,
				 1000000);
}

/*
 * Without epoll, the wait queue is empty whenever the consumer is not
 * inside poll(), and commits then skip the wakeup (src/notify.c, "Idle
 * queues"): here poll() queueing itself races with every such commit.
 */
TEST_F_TIMEOUT(wake, no_lost_wakeup_with_poll_as_the_only_waiter, 170)
{
	ASSERT_EQ(0, close(self->ep));
	self->ep = -1;
	consume_sleeping_in_poll(_metadata, self, BPFRB_TEST_PROD_PROCESS, 1,
				 1000000);
}

/*
 * A producer on every CPU, contending for the ring's lock, and commits
 * landing out of reservation order: the record the consumer waits at may
 * be committed after the ones behind it, by another CPU. The consumer
 * waits without epoll, as above, so a wakeup lost there hangs it.
 */
TEST_F_TIMEOUT(wake, no_lost_wakeup_with_producers_on_every_cpu, 170)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	ASSERT_LE(1, cpus);
	if (cpus < 2)
		SKIP(return, "one CPU: no producers to contend");
	ASSERT_EQ(0, close(self->ep));
	self->ep = -1;
	consume_sleeping_in_poll(_metadata, self, BPFRB_TEST_PROD_KTHREADS,
				 cpus, 500000 / cpus);
}

#define LOOKS	2000

/*
 * LOOKS rounds of: commit one record to a caught-up consumer (a commit
 * that wakes), look with the given call, consume it. Returns the IRQ work
 * interrupts the rounds raised.
 */
static long long interrupts_over_rounds(struct __test_metadata *_metadata,
					FIXTURE_DATA(wake) *self, bool epoll)
{
	struct pollfd pfd = { .fd = self->ring.fd, .events = POLLIN };
	struct epoll_event ev;
	long long before, after;
	int i;

	before = irq_work_interrupts();
	for (i = 0; i < LOOKS; i++) {
		ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
					 BPFRB_TEST_ONE_OUTPUT, 24, 0, 0));
		if (epoll) {
			ASSERT_EQ(1, epoll_wait(self->ep, &ev, 1, 0));
		} else {
			ASSERT_EQ(1, poll(&pfd, 1, 0));
		}
		ASSERT_EQ(1, core_ring_consume(&self->ring, NULL, NULL));
	}
	after = irq_work_interrupts();
	return after - before;
}

/*
 * A commit that would wake raises no interrupt when nobody waits: a
 * consumer that polls with poll(2) between records costs its producer
 * nothing. The same rounds with the ring in an epoll set (whose entry
 * stays on the wait queue) raise one per round: that is what is saved.
 */
TEST_F(wake, nobody_waiting_no_interrupt)
{
	long long idle, held;

	if (irq_work_interrupts() < 0)
		SKIP(return, "/proc/interrupts lists no IRQ work interrupts");
	held = interrupts_over_rounds(_metadata, self, true);
	ASSERT_EQ(0, close(self->ep));
	self->ep = -1;
	idle = interrupts_over_rounds(_metadata, self, false);
	TH_LOG("IRQ work interrupts over %d rounds: %lld with epoll, %lld with poll",
	       LOOKS, held, idle);
	ASSERT_LE(LOOKS / 2, held);
	ASSERT_GT(LOOKS / 10, idle);
}

TEST_HARNESS_MAIN
