// SPDX-License-Identifier: GPL-2.0
/*
 * libbpfrb consumer on one ring: the cases of the kernel's ringbuf
 * selftest carried over (poll returns the count then 0, discards skipped,
 * callback error propagated, consume_n in chunks, ring accessors agree
 * with BPFRB_IOC_INFO), plus ring order, busy records, wrap-around, size
 * rounding, wakeups and EINTR; poll drains before it waits.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include "irq_work_count.h"
#include "lib_test.h"

#define RING_SIZE	(256 * 1024)
#define PAYLOAD		64

FIXTURE(ring) {
	int tfd;		/* /dev/bpfrb_test */
	int fd;			/* /dev/bpfrb bound to the ring */
	__u32 id;
	struct bpfrb_ring_buffer *rb;
	struct lib_seen seen;
};

FIXTURE_SETUP(ring)
{
	self->tfd = lib_test_open();
	ASSERT_LE(0, self->tfd);
	self->fd = bpfrb_create(NULL, RING_SIZE, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, self->fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	self->id = lib_ring_id(self->fd);
	ASSERT_NE(0, self->id);
	memset(&self->seen, 0, sizeof(self->seen));
	self->rb = bpfrb_ring_buffer__new(self->fd, lib_seen_cb, &self->seen, NULL);
	ASSERT_NE(NULL, self->rb) TH_LOG("ring_buffer__new: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ring)
{
	bpfrb_ring_buffer__free(self->rb);
	close(self->fd);
	close(self->tfd);
}

/* n records from the calling thread, PRODUCE with the process producer. */
static int produce(int tfd, __u32 id, __u64 n, __u32 discard_every,
		   struct bpfrb_test_produce *p)
{
	lib_produce_init(p, id, BPFRB_TEST_PROD_PROCESS, n, PAYLOAD);
	p->discard_every = discard_every;
	return lib_produce(tfd, p);
}

TEST_F(ring, records_arrive_once_in_ring_order)
{
	struct bpfrb_test_produce p;

	ASSERT_EQ(0, produce(self->tfd, self->id, 1000, 0, &p));
	ASSERT_EQ(1000, p.counts[BPFRB_TEST_ID_PROCESS].produced);
	self->seen.expect_size = PAYLOAD;
	EXPECT_EQ(1000, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(1000, self->seen.total);
	EXPECT_EQ(1000, self->seen.count[BPFRB_TEST_ID_PROCESS]);
	EXPECT_EQ(1000, self->seen.next_seq[BPFRB_TEST_ID_PROCESS]);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(0, self->seen.corrupt);
	/* Everything was consumed: nothing is delivered twice. */
	EXPECT_EQ(0, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(1000, self->seen.total);
}

TEST_F(ring, poll_returns_count_then_zero)
{
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, lib_output_one(self->tfd, self->id, BPFRB_TEST_ONE_OUTPUT,
					    PAYLOAD, 0, i, 0));
	EXPECT_EQ(5, bpfrb_ring_buffer__poll(self->rb, 100));
	EXPECT_EQ(0, bpfrb_ring_buffer__poll(self->rb, 0));
	EXPECT_EQ(5, self->seen.total);
	EXPECT_EQ(0, self->seen.corrupt);
	EXPECT_EQ(0, self->seen.disorder);
}

TEST_F(ring, discarded_records_are_skipped)
{
	struct bpfrb_test_produce p;

	ASSERT_EQ(0, produce(self->tfd, self->id, 300, 3, &p));
	ASSERT_EQ(200, p.counts[BPFRB_TEST_ID_PROCESS].produced);
	ASSERT_EQ(100, p.counts[BPFRB_TEST_ID_PROCESS].discarded);
	self->seen.discard_every = 3;
	EXPECT_EQ(200, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(0, self->seen.discard_seen);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(0, self->seen.corrupt);
	/* The discarded space was consumed too: the ring is empty. */
	EXPECT_EQ(0, bpfrb_ring__avail_data_size(bpfrb_ring_buffer__ring(self->rb, 0)));
}

TEST_F(ring, consume_n_stops_at_n)
{
	struct bpfrb_ring *r = bpfrb_ring_buffer__ring(self->rb, 0);
	struct bpfrb_test_produce p;

	ASSERT_NE(NULL, r);
	/* Discards in between must not count toward n. */
	ASSERT_EQ(0, produce(self->tfd, self->id, 150, 3, &p));
	ASSERT_EQ(100, p.counts[BPFRB_TEST_ID_PROCESS].produced);
	EXPECT_EQ(0, bpfrb_ring_buffer__consume_n(self->rb, 0));
	EXPECT_EQ(30, bpfrb_ring_buffer__consume_n(self->rb, 30));
	EXPECT_EQ(30, self->seen.total);
	EXPECT_EQ(30, bpfrb_ring__consume_n(r, 30));
	EXPECT_EQ(30, bpfrb_ring_buffer__consume_n(self->rb, 30));
	EXPECT_EQ(10, bpfrb_ring_buffer__consume_n(self->rb, 30));
	EXPECT_EQ(0, bpfrb_ring_buffer__consume_n(self->rb, 30));
	EXPECT_EQ(100, self->seen.total);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(0, self->seen.discard_seen);
}

TEST_F(ring, callback_error_stops_and_is_returned)
{
	struct bpfrb_test_produce p;

	ASSERT_EQ(0, produce(self->tfd, self->id, 10, 0, &p));
	self->seen.stop_at = 3;
	self->seen.stop_err = -EDOM;
	errno = 0;
	EXPECT_EQ(-EDOM, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(EDOM, errno);
	EXPECT_EQ(3, self->seen.total);
	/* The record the callback failed on counts as consumed. */
	self->seen.stop_at = 0;
	EXPECT_EQ(7, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(10, self->seen.total);
	EXPECT_EQ(10, self->seen.next_seq[BPFRB_TEST_ID_PROCESS]);
	EXPECT_EQ(0, self->seen.disorder);

	/* The same through poll. */
	ASSERT_EQ(0, lib_output_one(self->tfd, self->id, BPFRB_TEST_ONE_OUTPUT,
				    PAYLOAD, 0, 10, 0));
	self->seen.stop_at = 11;
	EXPECT_EQ(-EDOM, bpfrb_ring_buffer__poll(self->rb, 100));
}

TEST_F(ring, ring_accessors_agree_with_info)
{
	struct bpfrb_ring *r = bpfrb_ring_buffer__ring(self->rb, 0);
	struct bpfrb_test_produce p;
	struct bpfrb_info info;

	ASSERT_NE(NULL, r);
	EXPECT_EQ(self->fd, bpfrb_ring__fd(r));
	ASSERT_EQ(0, produce(self->tfd, self->id, 100, 0, &p));
	ASSERT_EQ(0, bpfrb_info(self->fd, &info));
	EXPECT_EQ(RING_SIZE, info.size);
	EXPECT_EQ(info.size, bpfrb_ring__size(r));
	EXPECT_EQ(info.consumer_pos, bpfrb_ring__consumer_pos(r));
	EXPECT_EQ(info.producer_pos, bpfrb_ring__producer_pos(r));
	EXPECT_EQ(100 * (PAYLOAD + BPFRB_HDR_SZ), info.producer_pos - info.consumer_pos);
	EXPECT_EQ(info.producer_pos - info.consumer_pos, bpfrb_ring__avail_data_size(r));
	EXPECT_EQ(100, info.records);

	EXPECT_EQ(100, bpfrb_ring__consume(r));
	ASSERT_EQ(0, bpfrb_info(self->fd, &info));
	EXPECT_EQ(info.consumer_pos, bpfrb_ring__consumer_pos(r));
	EXPECT_EQ(info.producer_pos, bpfrb_ring__producer_pos(r));
	EXPECT_EQ(info.producer_pos, info.consumer_pos);
	EXPECT_EQ(0, bpfrb_ring__avail_data_size(r));
}

/* A record still being written holds back the committed ones behind it. */
TEST_F(ring, busy_record_blocks_later_ones)
{
	struct bpfrb_test_reserve res;
	struct bpfrb_test_commit c;

	memset(&res, 0, sizeof(res));
	res.ring_id = self->id;
	res.count = 1;
	res.size = PAYLOAD;
	ASSERT_EQ(0, ioctl(self->tfd, BPFRB_TEST_IOC_RESERVE_HOLD, &res));
	ASSERT_EQ(1, res.reserved_count);
	ASSERT_EQ(0, lib_output_one(self->tfd, self->id, BPFRB_TEST_ONE_OUTPUT,
				    PAYLOAD, 0, 0, 0));
	ASSERT_EQ(0, lib_output_one(self->tfd, self->id, BPFRB_TEST_ONE_OUTPUT,
				    PAYLOAD, 0, 1, 0));
	EXPECT_EQ(0, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(0, bpfrb_ring_buffer__poll(self->rb, 0));

	memset(&c, 0, sizeof(c));
	c.index = res.first_index;
	c.count = 1;
	c.action = BPFRB_TEST_COMMIT_SUBMIT;
	ASSERT_EQ(0, ioctl(self->tfd, BPFRB_TEST_IOC_COMMIT_HELD, &c));
	EXPECT_EQ(0, c.corrupted);
	EXPECT_EQ(3, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(3, self->seen.total);
	/* Ring order: the held record first, then the two behind it. */
	EXPECT_EQ(BPFRB_TEST_ID_HELD, self->seen.first_ids[0]);
	EXPECT_EQ(BPFRB_TEST_ID_PROCESS, self->seen.first_ids[1]);
	EXPECT_EQ(2, self->seen.next_seq[BPFRB_TEST_ID_PROCESS]);
	EXPECT_EQ(0, self->seen.corrupt);
}

/* A held record that is then discarded is skipped, and releases the rest. */
TEST_F(ring, held_then_discarded_record_is_skipped)
{
	struct bpfrb_test_reserve res;
	struct bpfrb_test_commit c;

	memset(&res, 0, sizeof(res));
	res.ring_id = self->id;
	res.count = 1;
	res.size = PAYLOAD;
	ASSERT_EQ(0, ioctl(self->tfd, BPFRB_TEST_IOC_RESERVE_HOLD, &res));
	ASSERT_EQ(1, res.reserved_count);
	ASSERT_EQ(0, lib_output_one(self->tfd, self->id, BPFRB_TEST_ONE_OUTPUT,
				    PAYLOAD, 0, 0, 0));
	EXPECT_EQ(0, bpfrb_ring_buffer__consume(self->rb));

	memset(&c, 0, sizeof(c));
	c.index = res.first_index;
	c.count = 1;
	c.action = BPFRB_TEST_COMMIT_DISCARD;
	ASSERT_EQ(0, ioctl(self->tfd, BPFRB_TEST_IOC_COMMIT_HELD, &c));
	EXPECT_EQ(1, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(1, self->seen.count[BPFRB_TEST_ID_PROCESS]);
	EXPECT_EQ(1, self->seen.total);
}

/* Records that straddle the end of the data area arrive whole. */
TEST(wrapped_records_arrive_whole)
{
	struct bpfrb_ring_buffer *rb;
	struct lib_seen seen;
	int tfd, fd, i;
	__u32 id;

	tfd = lib_test_open();
	ASSERT_LE(0, tfd);
	fd = bpfrb_create(NULL, LIB_PAGE_SIZE, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);
	id = lib_ring_id(fd);
	memset(&seen, 0, sizeof(seen));
	seen.expect_size = 1000;
	rb = bpfrb_ring_buffer__new(fd, lib_seen_cb, &seen, NULL);
	ASSERT_NE(NULL, rb);
	/* 1008 bytes per record against a 4096-byte ring: wraps every few. */
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, lib_output_one(tfd, id, BPFRB_TEST_ONE_OUTPUT, 1000,
					    0, i, 0));
		if (i % 3 == 2)
			ASSERT_EQ(3, bpfrb_ring_buffer__consume(rb));
	}
	EXPECT_EQ(1, bpfrb_ring_buffer__consume(rb));
	EXPECT_EQ(40, seen.total);
	EXPECT_EQ(0, seen.corrupt);
	EXPECT_EQ(0, seen.disorder);
	EXPECT_EQ(40, seen.next_seq[0]);
	bpfrb_ring_buffer__free(rb);
	close(fd);
	close(tfd);
}

TEST(create_rounds_size_up)
{
	static const struct { __u64 asked, got; } cases[] = {
		{ 1, 1 }, { 4096, 1 }, { 4097, 2 }, { 3 * 4096, 4 }, { 65536, 16 },
	};
	struct bpfrb_info info;
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The table is in 4 KiB pages; scale to this machine's page. */
		__u64 asked = cases[i].asked * (LIB_PAGE_SIZE / 4096);

		fd = bpfrb_create(NULL, asked, BPFRB_TYPE_KERNEL, NULL);
		ASSERT_LE(0, fd) TH_LOG("size %llu: %s", (unsigned long long)asked,
					strerror(errno));
		ASSERT_EQ(0, bpfrb_info(fd, &info));
		EXPECT_EQ(cases[i].got * LIB_PAGE_SIZE, info.size)
			TH_LOG("asked %llu", (unsigned long long)asked);
		EXPECT_EQ(BPFRB_TYPE_KERNEL, info.type);
		close(fd);
	}
}

TEST(named_ring_attaches_by_name_and_id)
{
	struct bpfrb_info a, b, c;
	int fd, by_name, by_id;

	fd = bpfrb_create("lib_ringbuf.named", 8192, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	ASSERT_EQ(0, bpfrb_info(fd, &a));
	EXPECT_STREQ("lib_ringbuf.named", a.name);
	/* The name is taken while the ring lives. */
	EXPECT_EQ(-EEXIST, bpfrb_create("lib_ringbuf.named", 8192, BPFRB_TYPE_KERNEL, NULL));
	EXPECT_EQ(EEXIST, errno);

	by_name = bpfrb_attach_name("lib_ringbuf.named");
	ASSERT_LE(0, by_name);
	by_id = bpfrb_attach_id(a.id);
	ASSERT_LE(0, by_id);
	ASSERT_EQ(0, bpfrb_info(by_name, &b));
	ASSERT_EQ(0, bpfrb_info(by_id, &c));
	EXPECT_EQ(a.id, b.id);
	EXPECT_EQ(a.id, c.id);
	EXPECT_EQ(a.size, c.size);
	close(by_id);
	close(by_name);
	close(fd);
	/* Gone with its last file. */
	EXPECT_EQ(-ENOENT, bpfrb_attach_name("lib_ringbuf.named"));
	EXPECT_EQ(ENOENT, errno);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* A signal during poll(-1) returns what was consumed (nothing), not -EINTR. */
TEST_F(ring, poll_eintr_is_not_an_error)
{
	struct itimerval it = { .it_value = { .tv_usec = 100 * 1000 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the wait fails EINTR */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(0, bpfrb_ring_buffer__poll(self->rb, -1));
	EXPECT_EQ(1, alarms);
}

struct late_producer {
	int tfd;
	__u32 id;
	int n;
	int err;
};

static void *produce_slowly(void *arg)
{
	struct late_producer *lp = arg;
	int i;

	for (i = 0; i < lp->n && !lp->err; i++) {
		usleep(2000);
		lp->err = lib_output_one(lp->tfd, lp->id, BPFRB_TEST_ONE_OUTPUT,
					 PAYLOAD, 0, i, 0);
	}
	return NULL;
}

/*
 * poll(-1) sleeps and is woken by default-flag commits (self-pacing
 * wakeups): with a lost wakeup this test hangs and the harness times out.
 */
TEST_F_TIMEOUT(ring, poll_is_woken_by_commits, 60)
{
	struct late_producer lp = { .tfd = self->tfd, .id = self->id, .n = 200 };
	pthread_t th;
	int ret;

	ASSERT_EQ(0, pthread_create(&th, NULL, produce_slowly, &lp));
	while (self->seen.total < 200) {
		ret = bpfrb_ring_buffer__poll(self->rb, -1);
		ASSERT_LE(0, ret);
		if (lp.err)
			break;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(0, lp.err);
	EXPECT_EQ(200, self->seen.total);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(0, self->seen.corrupt);
}

#define ROUNDS	2000

/* One record, sequence number lp->n, 100 ms from now. */
static void *produce_one_later(void *arg)
{
	struct late_producer *lp = arg;

	usleep(100 * 1000);
	lp->err = lib_output_one(lp->tfd, lp->id, BPFRB_TEST_ONE_OUTPUT,
				 PAYLOAD, 0, lp->n, 0);
	return NULL;
}

/*
 * poll drains what is there before it waits. With the ring in the epoll
 * set (whose entry stays on the ring's wait queue), while every call finds
 * a record, epoll_wait() is never entered, the wakeup the first commit
 * raised stays unseen, and later commits raise no interrupt (the module's
 * notify.c). Calling epoll_wait() every time, as libbpf does, would see
 * the wakeup and let the next commit raise another: one per round. Once
 * the ring is empty, poll still sleeps and is woken.
 */
TEST_F_TIMEOUT(ring, poll_with_records_waiting_raises_no_interrupt, 60)
{
	struct late_producer lp = { .tfd = self->tfd, .id = self->id, .n = ROUNDS };
	long long before, raised;
	pthread_t th;
	int i;

	if (irq_work_interrupts() < 0)
		SKIP(return, "/proc/interrupts lists no IRQ work interrupts");
	ASSERT_LE(0, bpfrb_ring_buffer__epoll_fd(self->rb));
	before = irq_work_interrupts();
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, lib_output_one(self->tfd, self->id,
					    BPFRB_TEST_ONE_OUTPUT, PAYLOAD, 0, i, 0));
		ASSERT_EQ(1, bpfrb_ring_buffer__poll(self->rb, -1));
	}
	raised = irq_work_interrupts() - before;
	TH_LOG("IRQ work interrupts over %d rounds: %lld", ROUNDS, raised);
	EXPECT_GT(ROUNDS / 10, raised);

	ASSERT_EQ(0, pthread_create(&th, NULL, produce_one_later, &lp));
	EXPECT_EQ(1, bpfrb_ring_buffer__poll(self->rb, 5000));
	pthread_join(th, NULL);
	ASSERT_EQ(0, lp.err);
	EXPECT_EQ(ROUNDS + 1, self->seen.total);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(0, self->seen.corrupt);
}

#define WAITS	500

/*
 * WAITS rounds of: a poll that times out on the empty ring (the consumer
 * caught up and waited), then a record (a commit that wakes), consumed.
 * Returns the IRQ work interrupts the rounds raised.
 */
static long long interrupts_over_waits(struct __test_metadata *_metadata,
				       FIXTURE_DATA(ring) *self, __u64 seq)
{
	long long before = irq_work_interrupts();
	int i;

	for (i = 0; i < WAITS; i++) {
		ASSERT_EQ(0, bpfrb_ring_buffer__poll(self->rb, 1));
		ASSERT_EQ(0, lib_output_one(self->tfd, self->id, BPFRB_TEST_ONE_OUTPUT,
					    PAYLOAD, 0, seq + i, 0));
		ASSERT_EQ(1, bpfrb_ring_buffer__poll(self->rb, -1));
	}
	return irq_work_interrupts() - before;
}

/*
 * poll waits with poll(2), which leaves the ring's wait queue once it
 * returns, so a commit made while the consumer is not waiting raises no
 * interrupt. Once __epoll_fd() has put the ring into the epoll set, whose
 * entry stays queued, every such commit raises one.
 */
TEST_F(ring, waiting_with_poll_costs_commits_no_interrupt)
{
	long long with_poll, with_epoll;

	if (irq_work_interrupts() < 0)
		SKIP(return, "/proc/interrupts lists no IRQ work interrupts");
	with_poll = interrupts_over_waits(_metadata, self, 0);
	ASSERT_LE(0, bpfrb_ring_buffer__epoll_fd(self->rb));
	with_epoll = interrupts_over_waits(_metadata, self, WAITS);
	TH_LOG("IRQ work interrupts over %d waits: %lld with poll(2), %lld with epoll",
	       WAITS, with_poll, with_epoll);
	EXPECT_GT(WAITS / 10, with_poll);
	EXPECT_LE(WAITS / 2, with_epoll);
	EXPECT_EQ(2 * WAITS, self->seen.total);
	EXPECT_EQ(0, self->seen.disorder);
}

LIB_TEST_MAIN
