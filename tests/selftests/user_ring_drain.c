// SPDX-License-Identifier: GPL-2.0
/*
 * bpfrb_user_drain() and the user ring producer API beyond the kernel's
 * selftest: every error of SPEC §3 and §4, busy records, a record left in
 * place, the per-call cap, the drain lock (-EBUSY), EPOLLOUT, which
 * drains wake a waiting producer, and that drains raise no interrupt
 * while no producer waits.
 */
#include <pthread.h>
#include <sys/epoll.h>

#include "asleep_in_poll.h"
#include "irq_work_count.h"
#include "user_ring_test.h"

/* BPFRB_USER_DRAIN_MAX_RECORDS of include/linux/bpfrb.h, a kernel-only header. */
#define DRAIN_MAX_RECORDS	(128 * 1024)

FIXTURE(drain) {
	struct ur u;
};

FIXTURE_SETUP(drain)
{
	int err = ur_open(&self->u, LIB_PAGE_SIZE);

	ASSERT_EQ(0, err) TH_LOG("user ring: %s", strerror(-err));
}

FIXTURE_TEARDOWN(drain)
{
	ur_close(&self->u);
}

TEST_F(drain, info_reports_user_type)
{
	struct bpfrb_info info;

	ASSERT_EQ(0, bpfrb_info(self->u.fd, &info));
	EXPECT_EQ((__u32)BPFRB_TYPE_USER, info.type);
	EXPECT_EQ(self->u.size, info.size);
}

TEST_F(drain, empty_ring_drains_zero)
{
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	EXPECT_EQ(0, ur_drain(&self->u, BPFRB_NO_WAKEUP));
	EXPECT_EQ(0, ur_drain(&self->u, BPFRB_FORCE_WAKEUP));
}

TEST_F(drain, bad_flags_einval)
{
	ASSERT_EQ(0, ur_write_record(&self->u, 32, 0, 0));
	EXPECT_EQ(-EINVAL, ur_drain(&self->u, 1ULL << 2));
	EXPECT_EQ(-EINVAL, ur_drain(&self->u, ~0ULL));
	/* Nothing was consumed by the refused calls. */
	EXPECT_EQ(1, ur_drain(&self->u, 0));
}

TEST_F(drain, kernel_ring_einval)
{
	struct bpfrb_test_drain d = { .value = 0 };
	struct ur k = self->u;
	int kfd;

	kfd = bpfrb_create(NULL, LIB_PAGE_SIZE, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, kfd);
	k.id = lib_ring_id(kfd);
	ASSERT_EQ(0, ur_drain_ex(&k, &d, BPFRB_TEST_DRAIN_COUNT, 0, 0));
	EXPECT_EQ(-EINVAL, d.ret);
	close(kfd);
}

/*
 * Kernel producers cannot write into a user ring, whatever the size, and
 * a refusal is not counted as a drop: nothing was lost.
 */
TEST_F(drain, kernel_reserve_output_refused)
{
	const __u64 sizes[] = { 0, 8, 32, LIB_PAGE_SIZE * 4 };
	struct bpfrb_info info;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_EQ(-EINVAL, lib_output_one(self->u.tfd, self->u.id,
						  BPFRB_TEST_ONE_OUTPUT,
						  sizes[i], 0, 0, 0));
		EXPECT_EQ(-ENOSPC, lib_output_one(self->u.tfd, self->u.id,
						  BPFRB_TEST_ONE_SUBMIT,
						  sizes[i], 0, 0, 0));
	}
	EXPECT_EQ(0UL, ur_prod(&self->u));
	ASSERT_EQ(0, bpfrb_info(self->u.fd, &info));
	EXPECT_EQ(0ULL, info.drops);
}

TEST_F(drain, kprobe_on_user_ring_eopnotsupp)
{
	EXPECT_EQ(-EOPNOTSUPP, bpfrb_kprobe_attach(self->u.fd, "do_sys_openat2", NULL));
}

TEST_F(drain, busy_record_stops_drain)
{
	void *a, *b, *c;

	a = bpfrb_user_ring_buffer__reserve(self->u.urb, 24);
	b = bpfrb_user_ring_buffer__reserve(self->u.urb, 24);
	c = bpfrb_user_ring_buffer__reserve(self->u.urb, 24);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	bpfrb_user_ring_buffer__submit(self->u.urb, a);
	bpfrb_user_ring_buffer__submit(self->u.urb, c);
	/* b is still busy: only a can be consumed, c waits behind b. */
	EXPECT_EQ(1, ur_drain(&self->u, 0));
	EXPECT_EQ(32UL, ur_cons(&self->u));
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	bpfrb_user_ring_buffer__submit(self->u.urb, b);
	EXPECT_EQ(2, ur_drain(&self->u, 0));
	EXPECT_EQ(ur_prod(&self->u), ur_cons(&self->u));
}

/* A bad record after good ones: the good ones are consumed, the bad stays. */
TEST_F(drain, bad_record_stays_in_place)
{
	struct bpfrb_test_drain d = { .value = 0 };
	unsigned long bad_pos;

	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 0));
	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 1));
	bad_pos = ur_prod(&self->u);
	/* Claims 64 payload bytes where only 16 bytes were published. */
	ur_write_hdr(&self->u, bad_pos, 64, 0);
	ur_set_prod(&self->u, bad_pos + 16);

	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_COUNT, 0, 0));
	EXPECT_EQ(-EINVAL, d.ret);
	EXPECT_EQ(2, d.samples);
	EXPECT_EQ(bad_pos, ur_cons(&self->u));
	EXPECT_EQ(-EINVAL, ur_drain(&self->u, 0));
	EXPECT_EQ(bad_pos, ur_cons(&self->u));

	/* Publishing the whole record makes it good. */
	ur_set_prod(&self->u, bad_pos + 72);
	EXPECT_EQ(1, ur_drain(&self->u, 0));
	EXPECT_EQ(bad_pos + 72, ur_cons(&self->u));
}

/* producer_pos more than a ring ahead, or behind consumer_pos. */
TEST_F(drain, producer_pos_out_of_reach_einval)
{
	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 0));
	ur_set_prod(&self->u, self->u.size + 64);
	EXPECT_EQ(-EINVAL, ur_drain(&self->u, 0));
	EXPECT_EQ(0UL, ur_cons(&self->u));
	ur_set_prod(&self->u, 32);
	EXPECT_EQ(1, ur_drain(&self->u, 0));
	ur_set_prod(&self->u, 0);	/* behind consumer_pos (32) */
	EXPECT_EQ(-EINVAL, ur_drain(&self->u, 0));
	EXPECT_EQ(32UL, ur_cons(&self->u));
}

/* A record whose length has BUSY and DISCARD set: busy wins, it stops. */
TEST_F(drain, busy_and_discard_bits_stop)
{
	ur_write_hdr(&self->u, 0, 8 | BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT, 0);
	ur_set_prod(&self->u, 16);
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	EXPECT_EQ(0UL, ur_cons(&self->u));
	ur_write_hdr(&self->u, 0, 8 | BPFRB_DISCARD_BIT, 0);
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	EXPECT_EQ(16UL, ur_cons(&self->u));
}

/*
 * A pg_off written by user space is never followed: each sample is the
 * bytes right after its header (ones, then twos; the rest of the fresh
 * ring is zero), wherever pg_off points.
 */
TEST_F(drain, pg_off_ignored)
{
	struct bpfrb_test_drain d = { .value = 0 };

	memset(self->u.data + 8, 1, 16);
	memset(self->u.data + 32, 2, 16);
	ur_write_hdr(&self->u, 0, 16, 0xffffffffU);
	ur_write_hdr(&self->u, 24, 16, 12345);
	ur_set_prod(&self->u, 48);
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_COUNT, 0, 0));
	EXPECT_EQ(2, d.ret);
	EXPECT_EQ(32, d.bytes);
	EXPECT_EQ(16 * 1 + 16 * 2, d.sum);
}

/* A record that wraps the end of the ring is one contiguous sample. */
TEST_F(drain, wrapped_record_contiguous)
{
	struct bpfrb_test_drain d = { .value = 0 };
	struct lib_seen seen;
	struct ur_echo e;
	int i;

	memset(&seen, 0, sizeof(seen));
	ASSERT_EQ(0, ur_echo_open(&e, 2 * self->u.size, lib_seen_cb, &seen));
	/* Leave consumer_pos 24 bytes before the end, then write across it. */
	ASSERT_EQ(0, ur_write_record(&self->u, (__u32)self->u.size - 32, 0, 0));
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_ECHO, e.id, 0));
	ASSERT_EQ(1, d.ret);
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(0, ur_write_record(&self->u, 40, 0, i));
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_ECHO, e.id, 0));
	EXPECT_EQ(3, d.ret);
	EXPECT_EQ(120, d.bytes);
	EXPECT_EQ(4, bpfrb_ring_buffer__consume(e.rb));
	EXPECT_EQ(4, seen.count[0]);
	EXPECT_EQ(0, seen.corrupt);
	EXPECT_EQ(0, seen.disorder);
	ur_echo_close(&e);
}

TEST_F(drain, concurrent_drain_ebusy)
{
	struct bpfrb_test_drain d = { .value = 0 };

	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 0));
	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 1));
	d.test_flags = BPFRB_TEST_DRAIN_NESTED;
	d.ring_id = self->u.id;
	d.mode = BPFRB_TEST_DRAIN_COUNT;
	ASSERT_EQ(0, ioctl(self->u.tfd, BPFRB_TEST_IOC_DRAIN, &d));
	/* The drain inside the callback found the ring being drained. */
	EXPECT_EQ(-EBUSY, d.nested_ret);
	EXPECT_EQ(2, d.ret);
	EXPECT_EQ(2, d.samples);
	/* The flag was given back. */
	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 2));
	EXPECT_EQ(1, ur_drain(&self->u, 0));
}

/* A callback that stops the drain has consumed its sample, as in BPF. */
TEST_F(drain, callback_stop_consumes_sample)
{
	struct bpfrb_test_drain d = { .value = 0 };
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, i));
	d.stop_after = 2;
	d.ring_id = self->u.id;
	d.mode = BPFRB_TEST_DRAIN_COUNT;
	ASSERT_EQ(0, ioctl(self->u.tfd, BPFRB_TEST_IOC_DRAIN, &d));
	EXPECT_EQ(2, d.ret);
	EXPECT_EQ(2UL * 32, ur_cons(&self->u));
	EXPECT_EQ(3, ur_drain(&self->u, 0));
}

TEST(cap_per_call)
{
	__u64 size = 4ULL << 20;	/* 2 * cap records of 8 bytes, and more */
	long n, total = 0, records = 0;
	struct ur u;
	void *s;

	ASSERT_EQ(0, ur_open(&u, size));
	while ((s = bpfrb_user_ring_buffer__reserve(u.urb, 0)) != NULL) {
		bpfrb_user_ring_buffer__submit(u.urb, s);
		records++;
	}
	ASSERT_EQ((long)(size / 8), records);
	n = ur_drain(&u, 0);
	EXPECT_EQ(DRAIN_MAX_RECORDS, n);
	while (n > 0) {
		total += n;
		n = ur_drain(&u, 0);
		ASSERT_LE(0, n);
	}
	EXPECT_EQ(records, total);
	ur_close(&u);
}

/* ---- library errors (SPEC §4) ---- */

TEST_F(drain, reserve_too_big_e2big)
{
	__u32 max = (__u32)self->u.size - BPFRB_HDR_SZ;

	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, max + 1));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, BPFRB_BUSY_BIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve_blocking(self->u.urb,
								 max + 1, 10));
	EXPECT_EQ(E2BIG, errno);
	/* Exactly the ring fits. */
	EXPECT_NE(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, max));
}

TEST_F(drain, reserve_full_enospc)
{
	void *s = bpfrb_user_ring_buffer__reserve(self->u.urb,
						  (__u32)self->u.size - 64);
	long long t0;

	ASSERT_NE(NULL, s);
	bpfrb_user_ring_buffer__submit(self->u.urb, s);
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, 64));
	EXPECT_EQ(ENOSPC, errno);
	/* 0 never waits. */
	t0 = ur_now_ms();
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve_blocking(self->u.urb, 64, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_GT(200, ur_now_ms() - t0);
	/* Space for a smaller one is still there. */
	EXPECT_NE(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, 48));
}

/*
 * producer_pos scribbled by another producer: off the 8-byte grid, more
 * than a ring ahead of consumer_pos, or behind it. No drain makes room
 * there (the drain refuses such a ring), so reserve says EINVAL, not
 * ENOSPC, and a blocking reserve returns at once instead of for ever.
 */
TEST_F(drain, reserve_scribbled_producer_pos_einval)
{
	unsigned long bad[] = { 4, self->u.size + 8, -8UL };
	long long t0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ur_set_prod(&self->u, bad[i]);
		errno = 0;
		EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, 8));
		EXPECT_EQ(EINVAL, errno) TH_LOG("producer_pos %#lx", bad[i]);
		t0 = ur_now_ms();
		EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve_blocking(self->u.urb,
									 8, -1));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_GT(1000, ur_now_ms() - t0);
	}
	/* Back where the consumer is, it takes samples again. */
	ur_set_prod(&self->u, 0);
	EXPECT_NE(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, 8));
}

/*
 * A blocking reserve on a full ring waits at least timeout_ms, however
 * the call falls against the clock's millisecond ticks. A deadline kept
 * in whole milliseconds returned at once whenever a tick came between
 * reading the clock and waiting; many short calls make that certain.
 */
TEST_F(drain, reserve_blocking_waits_whole_timeout)
{
	void *s = bpfrb_user_ring_buffer__reserve(self->u.urb,
						  (__u32)self->u.size - 8);
	long long t0, shortest = -1;
	int i;

	ASSERT_NE(NULL, s);
	bpfrb_user_ring_buffer__submit(self->u.urb, s);
	for (i = 0; i < 500; i++) {
		t0 = ur_now_ns();
		ASSERT_EQ(NULL, bpfrb_user_ring_buffer__reserve_blocking(self->u.urb,
									 8, 1));
		ASSERT_EQ(ENOSPC, errno);
		t0 = ur_now_ns() - t0;
		if (shortest < 0 || t0 < shortest)
			shortest = t0;
	}
	EXPECT_LE(1000000LL, shortest) TH_LOG("shortest wait %lld ns", shortest);
}

TEST_F(drain, reserve_blocking_bad_timeout_einval)
{
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve_blocking(self->u.urb, 8, -2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, bpfrb_user_ring_buffer__reserve_blocking(self->u.urb, 8, -1));
}

TEST(new_on_kernel_ring_einval)
{
	int fd = bpfrb_create(NULL, LIB_PAGE_SIZE, BPFRB_TYPE_KERNEL, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__new(fd, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* A user ring that kernel code created, found by user space by id. */
TEST(kernel_created_user_ring)
{
	struct bpfrb_test_create c;
	struct bpfrb_user_ring_buffer *urb;
	struct ur u;
	int fd;

	memset(&u, 0, sizeof(u));
	u.tfd = lib_test_open();
	ASSERT_LE(0, u.tfd);
	memset(&c, 0, sizeof(c));
	c.size = LIB_PAGE_SIZE;
	c.type = BPFRB_TYPE_USER;
	c.numa_node = -1;
	ASSERT_EQ(0, ioctl(u.tfd, BPFRB_TEST_IOC_CREATE_RING, &c));
	fd = bpfrb_attach_id(c.id);
	ASSERT_LE(0, fd);
	urb = bpfrb_user_ring_buffer__new(fd, NULL);
	ASSERT_NE(NULL, urb);
	u.urb = urb;
	u.id = c.id;
	ASSERT_EQ(0, ur_write_record(&u, 40, 0, 0));
	EXPECT_EQ(1, ur_drain(&u, 0));
	bpfrb_user_ring_buffer__free(urb);
	close(fd);
	EXPECT_EQ(0, ioctl(u.tfd, BPFRB_TEST_IOC_DESTROY_RING, &c.id));
	close(u.tfd);
}

/* ---- poll and wakeups ---- */

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT | POLLIN };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* Fills the ring completely with committed records; how many. */
static long fill(struct ur *u)
{
	long n = 0;

	while (ur_write_record(u, 24, 0, n) == 0)
		n++;
	return n;
}

TEST_F(drain, poll_epollout_while_space)
{
	EXPECT_EQ(POLLOUT, poll_now(self->u.fd));
	ASSERT_EQ(0, ur_write_record(&self->u, 24, 0, 0));
	EXPECT_EQ(POLLOUT, poll_now(self->u.fd));
	fill(&self->u);
	/* Full to the last byte: no space, nothing to read either. */
	EXPECT_EQ(ur_cons(&self->u) + self->u.size, ur_prod(&self->u));
	EXPECT_EQ(0, poll_now(self->u.fd));
	EXPECT_LT(0, ur_drain(&self->u, 0));
	EXPECT_EQ(POLLOUT, poll_now(self->u.fd));
}

struct waiter {
	int fd;
	volatile int done;
	short revents;
	pid_t tid;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	struct pollfd p = { .fd = w->fd, .events = POLLOUT };

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	poll(&p, 1, 20000);
	w->revents = p.revents;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int waiter_done_within(struct waiter *w, int ms)
{
	long long end = ur_now_ms() + ms;

	while (ur_now_ms() < end) {
		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			return 1;
		ur_sleep_ms(10);
	}
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

/*
 * A producer waiting for space: not woken by NO_WAKEUP (even when space
 * was freed) nor by a drain that consumed nothing; woken by FORCE_WAKEUP.
 */
TEST_F(drain, wakeups_no_wakeup_and_force)
{
	struct waiter w = { .fd = self->u.fd };
	pthread_t t;

	fill(&self->u);
	ASSERT_EQ(0, pthread_create(&t, NULL, waiter_fn, &w));
	ASSERT_EQ(0, wait_asleep_in_poll(&w.tid, 10000));
	EXPECT_EQ(0, waiter_done_within(&w, 300));

	EXPECT_LT(0, ur_drain(&self->u, BPFRB_NO_WAKEUP));
	EXPECT_EQ(0, waiter_done_within(&w, 500));
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	EXPECT_EQ(0, waiter_done_within(&w, 300));

	EXPECT_EQ(0, ur_drain(&self->u, BPFRB_FORCE_WAKEUP));
	EXPECT_EQ(1, waiter_done_within(&w, 5000));
	pthread_join(t, NULL);
	EXPECT_EQ(POLLOUT, w.revents);
}

/* A default drain that consumed something wakes the waiting producer. */
TEST_F(drain, wakeup_after_consuming)
{
	struct waiter w = { .fd = self->u.fd };
	pthread_t t;

	fill(&self->u);
	ASSERT_EQ(0, pthread_create(&t, NULL, waiter_fn, &w));
	ASSERT_EQ(0, wait_asleep_in_poll(&w.tid, 10000));
	EXPECT_EQ(0, waiter_done_within(&w, 300));
	EXPECT_LT(0, ur_drain(&self->u, 0));
	EXPECT_EQ(1, waiter_done_within(&w, 5000));
	pthread_join(t, NULL);
	EXPECT_EQ(POLLOUT, w.revents);
}

/* Discarded records free space too: draining only them wakes the producer. */
TEST_F(drain, wakeup_after_discards)
{
	struct waiter w = { .fd = self->u.fd };
	pthread_t t;
	void *s;

	while ((s = bpfrb_user_ring_buffer__reserve(self->u.urb, 8)) != NULL)
		bpfrb_user_ring_buffer__discard(self->u.urb, s);
	ASSERT_EQ(0, pthread_create(&t, NULL, waiter_fn, &w));
	ASSERT_EQ(0, wait_asleep_in_poll(&w.tid, 10000));
	EXPECT_EQ(0, waiter_done_within(&w, 300));
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	EXPECT_EQ(1, waiter_done_within(&w, 5000));
	pthread_join(t, NULL);
}

#define DRAINS	2000

/* IRQ work interrupts over DRAINS rounds of one record written, drained. */
static long long interrupts_over_drains(struct __test_metadata *_metadata,
					struct ur *u)
{
	long long before = irq_work_interrupts();
	int i;

	for (i = 0; i < DRAINS; i++) {
		ASSERT_EQ(0, ur_write_record(u, 24, 0, i));
		ASSERT_EQ(1, ur_drain(u, 0));
	}
	return irq_work_interrupts() - before;
}

/*
 * Every one of these drains frees space, so each would wake a producer
 * waiting for it; with none on the ring's wait queue (libbpfrb waits with
 * poll(2), queued only while it waits) none raises an interrupt. With an
 * epoll set holding the ring for EPOLLOUT, whose entry stays queued, each
 * raises one.
 */
TEST_F(drain, drains_with_nobody_waiting_raise_no_interrupt)
{
	struct epoll_event ev = { .events = EPOLLOUT };
	long long idle, held;
	int ep;

	if (irq_work_interrupts() < 0)
		SKIP(return, "/proc/interrupts lists no IRQ work interrupts");
	idle = interrupts_over_drains(_metadata, &self->u);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->u.fd, &ev));
	held = interrupts_over_drains(_metadata, &self->u);
	close(ep);
	TH_LOG("IRQ work interrupts over %d drains: %lld nobody waiting, %lld with epoll",
	       DRAINS, idle, held);
	EXPECT_GT(DRAINS / 10, idle);
	EXPECT_LE(DRAINS / 2, held);
}

LIB_TEST_MAIN
