// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring consumer: waits for a ring's data with an io_uring poll
 * request instead of poll(2)/epoll, then drains it like the batch
 * consumer. This is how an application that already runs an io_uring
 * event loop would read the ring, for bpfrb and for the BPF ring buffer.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>

#include "rbbench.h"

struct uring_consumer {
	struct consumer c;
	struct mmap_ring *r;
	struct bench_ctx *ctx;
	struct io_uring ring;
	bool armed;	/* a poll request is in flight */
};

static long uring_poll(struct consumer *c, int timeout_ms)
{
	struct uring_consumer *u = (struct uring_consumer *)c;
	struct __kernel_timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	long n = batch_drain(u->r, u->ctx);
	int err;

	if (n || !timeout_ms)
		return n;
	if (!u->armed) {
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe)
			return -EBUSY;
		io_uring_prep_poll_add(sqe, u->r->fd, POLLIN);
		io_uring_submit(&u->ring);
		u->armed = true;
	}
	err = io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts);
	if (err == -ETIME || err == -EINTR)
		return batch_drain(u->r, u->ctx);
	if (err)
		return err;
	io_uring_cqe_seen(&u->ring, cqe);
	u->armed = false;
	return batch_drain(u->r, u->ctx);
}

static void uring_free(struct consumer *c)
{
	struct uring_consumer *u = (struct uring_consumer *)c;

	io_uring_queue_exit(&u->ring);
	free(u);
}

struct consumer *uring_consumer_new(struct mmap_ring *r, struct bench_ctx *ctx)
{
	struct uring_consumer *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	if (io_uring_queue_init(8, &u->ring, 0)) {
		free(u);
		return NULL;
	}
	u->c.name = "uring";
	u->c.poll = uring_poll;
	u->c.free = uring_free;
	u->r = r;
	u->ctx = ctx;
	return &u->c;
}
