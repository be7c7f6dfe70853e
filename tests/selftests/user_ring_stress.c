// SPDX-License-Identifier: GPL-2.0
/*
 * User rings under load: a libbpfrb producer thread writes test records
 * with reserve_blocking (sizes vary, some discarded) while drainer
 * kthreads of the test module drain continuously and echo every sample
 * into a kernel ring, which the test thread consumes with libbpfrb. Every
 * committed record must arrive exactly once, intact, in order; discarded
 * ones never. With two drainers on one ring both must drain a share (one
 * that finds the other draining gets -EBUSY) and the order must still
 * hold.
 *
 * timeout: 600
 */
#include <pthread.h>

#include "user_ring_test.h"

#define RECORDS		50000
#define MAX_PAYLOAD	200
#define DISCARD_EVERY	7

struct producer {
	struct ur *u;
	long written;		/* committed */
	long discarded;
	long errors;
	int last_errno;
};

static void *producer_fn(void *arg)
{
	struct producer *p = arg;
	__u32 size;
	void *s;
	long seq;

	for (seq = 0; seq < RECORDS; seq++) {
		size = bpfrb_test_vary_size((__u64)seq, MAX_PAYLOAD);
		s = bpfrb_user_ring_buffer__reserve_blocking(p->u->urb, size, 10000);
		if (!s) {
			p->errors++;
			p->last_errno = errno;
			return NULL;
		}
		bpfrb_test_fill(s, size, 2, (__u64)seq);
		if ((seq + 1) % DISCARD_EVERY == 0) {
			bpfrb_user_ring_buffer__discard(p->u->urb, s);
			p->discarded++;
		} else {
			bpfrb_user_ring_buffer__submit(p->u->urb, s);
			p->written++;
		}
	}
	return NULL;
}

FIXTURE(stress) {
	struct ur u;
	struct ur_echo e;
	struct lib_seen seen;
};

FIXTURE_VARIANT(stress) {
	int drainers;
	__u64 ring_size;	/* in pages */
};

FIXTURE_VARIANT_ADD(stress, one_drainer) { .drainers = 1, .ring_size = 4 };
FIXTURE_VARIANT_ADD(stress, two_drainers_compete) { .drainers = 2, .ring_size = 4 };
FIXTURE_VARIANT_ADD(stress, one_page_ring) { .drainers = 1, .ring_size = 1 };

FIXTURE_SETUP(stress)
{
	int err = ur_open(&self->u, variant->ring_size * LIB_PAGE_SIZE);

	ASSERT_EQ(0, err) TH_LOG("user ring: %s", strerror(-err));
	memset(&self->seen, 0, sizeof(self->seen));
	self->seen.discard_every = DISCARD_EVERY;
	ASSERT_EQ(0, ur_echo_open(&self->e, 16 * LIB_PAGE_SIZE, lib_seen_cb,
				  &self->seen));
}

FIXTURE_TEARDOWN(stress)
{
	ur_echo_close(&self->e);
	ur_close(&self->u);
}

TEST_F_TIMEOUT(stress, echo_every_record, 600)
{
	struct producer p = { &self->u, 0, 0, 0, 0 };
	struct bpfrb_test_drainer d[2];
	long long deadline;
	int slot[2], i, n;
	pthread_t t;
	__u64 samples = 0, ebusy = 0;

	for (i = 0; i < variant->drainers; i++) {
		slot[i] = ur_drainer_start(&self->u, BPFRB_TEST_DRAIN_ECHO,
					   self->e.id, 0);
		ASSERT_LE(0, slot[i]);
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, producer_fn, &p));
	deadline = ur_now_ms() + 500000;
	while (self->seen.total < (__u64)(RECORDS - RECORDS / DISCARD_EVERY) &&
	       ur_now_ms() < deadline) {
		n = bpfrb_ring_buffer__poll(self->e.rb, 100);
		ASSERT_LE(0, n);
		if (!n && p.errors)
			break;
	}
	pthread_join(t, NULL);
	/* Whatever is still in flight, then stop the drainers. */
	ur_sleep_ms(100);
	for (i = 0; i < variant->drainers; i++) {
		ASSERT_EQ(0, ur_drainer_stop(&self->u, slot[i], &d[i]));
		EXPECT_EQ(0, d[i].other);
		EXPECT_EQ(0, d[i].einval);
		EXPECT_EQ(0, d[i].e2big);
		EXPECT_EQ(0, d[i].echo_failed);
		samples += d[i].samples;
		ebusy += d[i].ebusy;
	}
	bpfrb_ring_buffer__consume(self->e.rb);
	TH_LOG("%ld written, %ld discarded, %llu drained, %llu EBUSY",
	       p.written, p.discarded, (unsigned long long)samples,
	       (unsigned long long)ebusy);
	ASSERT_EQ(0, p.errors) TH_LOG("reserve_blocking: %s", strerror(p.last_errno));
	EXPECT_EQ(p.written, (long)samples);
	EXPECT_EQ(p.written, (long)self->seen.total);
	EXPECT_EQ(p.written, (long)self->seen.count[2]);
	EXPECT_EQ(0, self->seen.corrupt);
	EXPECT_EQ(0, self->seen.disorder);
	EXPECT_EQ(0, self->seen.discard_seen);
	EXPECT_EQ(ur_prod(&self->u), ur_cons(&self->u));
	if (variant->drainers == 2) {
		/*
		 * Both took turns. One that finds the other draining gets
		 * -EBUSY, but on two vCPUs they seldom overlap (0 in runs
		 * seen): user_ring_drain tests the drain lock itself.
		 */
		TH_LOG("drainers: %llu and %llu samples",
		       (unsigned long long)d[0].samples,
		       (unsigned long long)d[1].samples);
		EXPECT_LT(0, d[0].samples);
		EXPECT_LT(0, d[1].samples);
	}
}

LIB_TEST_MAIN
