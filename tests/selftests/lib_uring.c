// SPDX-License-Identifier: GPL-2.0
/*
 * A liburing client of libbpfrb: consumption driven by io_uring poll
 * requests (IORING_OP_POLL_ADD) on the rings' fds instead of epoll, as
 * userspace/examples/uring_consumer.c does. Variants: multishot poll (one
 * request keeps posting completions, IORING_CQE_F_MORE) and oneshot poll
 * re-armed after every completion. Two rings, records from a producer
 * thread that commits with default flags, so that the client only gets
 * the self-paced wakeups: every record must arrive once, in order. A third
 * variant overflows the completion queue: every record is committed with
 * FORCE_WAKEUP while the client waits before reaping, so that the kernel
 * ends the multishot requests (a completion without IORING_CQE_F_MORE)
 * and the client must arm them again.
 */
#include <liburing.h>
#include <poll.h>
#include <pthread.h>

#include "lib_test.h"

#define PER_RING	2000
#define PAYLOAD		40

FIXTURE(uring) {
	int tfd;
	int fd[2];
	struct lib_seen seen[2];
	struct bpfrb_ring_buffer *rb;
	struct io_uring ring;
};

FIXTURE_VARIANT(uring) {
	bool multishot;
	bool overflow_cq;
};

FIXTURE_VARIANT_ADD(uring, multishot) {
	.multishot = true,
};

FIXTURE_VARIANT_ADD(uring, oneshot) {
	.multishot = false,
};

FIXTURE_VARIANT_ADD(uring, multishot_cq_overflow) {
	.multishot = true,
	.overflow_cq = true,
};

FIXTURE_SETUP(uring)
{
	int i, ret;

	self->tfd = lib_test_open();
	ASSERT_LE(0, self->tfd);
	memset(self->seen, 0, sizeof(self->seen));
	for (i = 0; i < 2; i++) {
		/* Room for a few hundred wakeups' records while nothing is reaped. */
		self->fd[i] = bpfrb_create(NULL, variant->overflow_cq ? 65536 : 8192,
					   BPFRB_TYPE_KERNEL, NULL);
		ASSERT_LE(0, self->fd[i]);
		self->seen[i].expect_size = PAYLOAD;
	}
	self->rb = bpfrb_ring_buffer__new(self->fd[0], lib_seen_cb, &self->seen[0], NULL);
	ASSERT_NE(NULL, self->rb);
	ASSERT_EQ(0, bpfrb_ring_buffer__add(self->rb, self->fd[1], lib_seen_cb,
					    &self->seen[1]));
	ret = io_uring_queue_init(8, &self->ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring_queue_init: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(uring)
{
	io_uring_queue_exit(&self->ring);
	bpfrb_ring_buffer__free(self->rb);
	close(self->fd[1]);
	close(self->fd[0]);
	close(self->tfd);
}

/* Ask for a completion when ring idx is readable; user_data is idx. */
static int arm(struct io_uring *ring, int fd, unsigned int idx, bool multishot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	if (multishot)
		io_uring_prep_poll_multishot(sqe, fd, POLLIN);
	else
		io_uring_prep_poll_add(sqe, fd, POLLIN);
	io_uring_sqe_set_data64(sqe, idx);
	return io_uring_submit(ring) == 1 ? 0 : -EIO;
}

struct producer {
	int tfd;
	__u32 id[2];
	__u64 flags;		/* submit flags of every record */
	int err;
};

/*
 * Alternate between the rings, with pauses so that the client catches up;
 * a full ring (the client is behind) is waited out, not a failure.
 */
static void *produce(void *arg)
{
	struct producer *p = arg;
	int i, r, ret;

	for (i = 0; i < PER_RING && !p->err; i++) {
		for (r = 0; r < 2 && !p->err; r++) {
			while ((ret = lib_output_one(p->tfd, p->id[r], BPFRB_TEST_ONE_OUTPUT,
						     PAYLOAD, r, i, p->flags)) == -EAGAIN)
				usleep(500);
			p->err = ret;
		}
		if (i % 64 == 0)
			usleep(1000);
	}
	return NULL;
}

TEST_F_TIMEOUT(uring, poll_add_drives_consumption, 120)
{
	struct producer prod = {
		.tfd = self->tfd,
		.flags = variant->overflow_cq ? BPFRB_FORCE_WAKEUP : 0,
	};
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_cqe *cqe;
	unsigned int idx, rearmed = 0, completions = 0;
	pthread_t th;
	int i, ret;

	for (i = 0; i < 2; i++) {
		prod.id[i] = lib_ring_id(self->fd[i]);
		ASSERT_EQ(0, arm(&self->ring, self->fd[i], i, variant->multishot));
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, produce, &prod));
	/*
	 * For 300 ms, enter the kernel without reaping: each entry runs the
	 * polls' task work, which polls the rings again (so the next record
	 * wakes them again) and posts a completion for each wakeup, far more
	 * than the 16 the queue holds.
	 */
	if (variant->overflow_cq) {
		struct timespec t0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			ASSERT_EQ(0, io_uring_get_events(&self->ring));
			usleep(200);
		} while (seconds_since(&t0) < 0.3);
	}

	while (self->seen[0].total + self->seen[1].total < 2 * PER_RING) {
		/* 10 s without a completion: a lost wakeup. */
		ret = io_uring_wait_cqe_timeout(&self->ring, &cqe, &ts);
		ASSERT_EQ(0, ret) TH_LOG("wait_cqe: %s after %llu + %llu records",
					 strerror(-ret),
					 (unsigned long long)self->seen[0].total,
					 (unsigned long long)self->seen[1].total);
		idx = (unsigned int)io_uring_cqe_get_data64(cqe);
		ASSERT_GT(2, idx);
		ASSERT_LT(0, cqe->res) TH_LOG("poll: %s", strerror(-cqe->res));
		EXPECT_TRUE(cqe->res & POLLIN);
		completions++;
		/* A multishot request ends without F_MORE (e.g. CQ overflow): re-arm. */
		if (!(cqe->flags & IORING_CQE_F_MORE)) {
			rearmed++;
			ASSERT_EQ(0, arm(&self->ring, self->fd[idx], idx, variant->multishot));
		}
		io_uring_cqe_seen(&self->ring, cqe);
		ret = bpfrb_ring__consume(bpfrb_ring_buffer__ring(self->rb, idx));
		ASSERT_LE(0, ret);
	}
	pthread_join(th, NULL);
	ASSERT_EQ(0, prod.err);

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(PER_RING, self->seen[i].total);
		EXPECT_EQ(PER_RING, self->seen[i].count[i]);
		EXPECT_EQ(PER_RING, self->seen[i].next_seq[i]);
		EXPECT_EQ(0, self->seen[i].disorder);
		EXPECT_EQ(0, self->seen[i].corrupt);
	}
	if (variant->overflow_cq) {
		EXPECT_LT(0, rearmed) TH_LOG("no multishot request ended");
	} else if (variant->multishot) {
		EXPECT_GT(completions, rearmed) TH_LOG("multishot never posted twice");
	} else {
		EXPECT_EQ(completions, rearmed);
	}
	TH_LOG("%u completions, %u re-arms", completions, rearmed);
}

LIB_TEST_MAIN
