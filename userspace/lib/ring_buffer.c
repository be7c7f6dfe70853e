// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ring buffer manager: a set of kernel rings, each with its own
 * callback and context, waited on together through one epoll fd.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void ring_free(struct bpfrb_ring *r)
{
	bpfrb_unmap_ring(&r->map);
	free(r);
}

int bpfrb_ring_buffer__add(struct bpfrb_ring_buffer *rb, int fd, bpfrb_sample_fn fn,
			   void *ctx)
{
	struct epoll_event ev;
	struct bpfrb_ring *r;
	void *tmp;
	int err;

	if (!rb || !fn)
		return bpfrb_err(-EINVAL);
	if (rb->ring_cnt >= INT_MAX)
		return bpfrb_err(-E2BIG);

	/* Grow both arrays first: after the ring is in epoll nothing may fail. */
	tmp = reallocarray(rb->rings, rb->ring_cnt + 1, sizeof(*rb->rings));
	if (!tmp)
		return bpfrb_err(-ENOMEM);
	rb->rings = tmp;
	tmp = reallocarray(rb->events, rb->ring_cnt + 1, sizeof(*rb->events));
	if (!tmp)
		return bpfrb_err(-ENOMEM);
	rb->events = tmp;

	r = calloc(1, sizeof(*r));
	if (!r)
		return bpfrb_err(-ENOMEM);
	r->sample_cb = fn;
	r->ctx = ctx;
	err = bpfrb_map_ring(&r->map, fd, BPFRB_TYPE_KERNEL);
	if (err) {
		free(r);
		return bpfrb_err(err);
	}

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = rb->ring_cnt;	/* index into rings[] */
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = -errno;
		ring_free(r);
		return bpfrb_err(err);
	}

	rb->rings[rb->ring_cnt++] = r;
	return 0;
}

struct bpfrb_ring_buffer *bpfrb_ring_buffer__new(int fd, bpfrb_sample_fn fn, void *ctx,
						 const struct bpfrb_ring_buffer_opts *opts)
{
	struct bpfrb_ring_buffer *rb;
	int err;

	if (!BPFRB_OPTS_VALID(opts, bpfrb_ring_buffer_opts))
		return bpfrb_err_ptr(EINVAL);

	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return bpfrb_err_ptr(ENOMEM);
	rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epoll_fd < 0) {
		err = -errno;
		goto err_free;
	}
	err = bpfrb_ring_buffer__add(rb, fd, fn, ctx);
	if (err)
		goto err_free;
	return rb;

err_free:
	bpfrb_ring_buffer__free(rb);
	return bpfrb_err_ptr(-err);
}

void bpfrb_ring_buffer__free(struct bpfrb_ring_buffer *rb)
{
	unsigned int i;

	if (!rb)
		return;
	for (i = 0; i < rb->ring_cnt; i++)
		ring_free(rb->rings[i]);
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
	free(rb->events);
	free(rb->rings);
	free(rb);
}

static int cap_count(int64_t cnt)
{
	return cnt > INT_MAX ? INT_MAX : (int)cnt;
}

int bpfrb_ring_buffer__consume_n(struct bpfrb_ring_buffer *rb, size_t n)
{
	int64_t ret, total = 0;
	unsigned int i;

	if (!rb)
		return bpfrb_err(-EINVAL);
	for (i = 0; i < rb->ring_cnt && (size_t)total < n; i++) {
		ret = bpfrb_ring_process(rb->rings[i], n - (size_t)total);
		if (ret < 0)
			return bpfrb_err((int)ret);
		total += ret;
	}
	return cap_count(total);
}

int bpfrb_ring_buffer__consume(struct bpfrb_ring_buffer *rb)
{
	return bpfrb_ring_buffer__consume_n(rb, SIZE_MAX);
}

int bpfrb_ring_buffer__poll(struct bpfrb_ring_buffer *rb, int timeout_ms)
{
	int64_t ret, total = 0;
	int i, cnt;

	if (!rb)
		return bpfrb_err(-EINVAL);
	cnt = epoll_wait(rb->epoll_fd, rb->events, (int)rb->ring_cnt, timeout_ms);
	if (cnt < 0) {
		/* A signal is not an error: nothing was consumed. */
		if (errno == EINTR)
			return 0;
		return bpfrb_err(-errno);
	}
	for (i = 0; i < cnt; i++) {
		ret = bpfrb_ring_process(rb->rings[rb->events[i].data.u32], SIZE_MAX);
		if (ret < 0)
			return bpfrb_err((int)ret);
		total += ret;
	}
	return cap_count(total);
}

int bpfrb_ring_buffer__epoll_fd(const struct bpfrb_ring_buffer *rb)
{
	if (!rb)
		return bpfrb_err(-EINVAL);
	return rb->epoll_fd;
}

struct bpfrb_ring *bpfrb_ring_buffer__ring(struct bpfrb_ring_buffer *rb, unsigned int idx)
{
	if (!rb)
		return bpfrb_err_ptr(EINVAL);
	if (idx >= rb->ring_cnt)
		return bpfrb_err_ptr(ERANGE);
	return rb->rings[idx];
}
