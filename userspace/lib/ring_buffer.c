// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ring buffer manager: a set of kernel rings, each with its own
 * callback and context, waited on together.
 *
 * How it waits. The rings are waited on with poll(2), and go into the
 * epoll fd only once __epoll_fd() hands it out to an outside event loop.
 * A poll(2) waiter sits on a ring's wait queue only while the call waits,
 * and the module raises no wakeup interrupt for a commit when that queue
 * is empty (its notify.c, "Idle queues"): a consumer busy draining costs
 * its producers nothing. An epoll set keeps its entry queued for as long
 * as the ring is in it, so every commit that finds the consumer caught up
 * would interrupt the producer's CPU. poll(2) visits every ring per call,
 * which for the few rings a consumer has costs less than one interrupt.
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

/* Puts ring fd into the epoll set; data.u32 is its index into rings[]. */
static int epoll_add_ring(struct bpfrb_ring_buffer *rb, int fd, unsigned int idx)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = idx;
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

static bool has_fd(const struct bpfrb_ring_buffer *rb, int fd)
{
	unsigned int i;

	for (i = 0; i < rb->ring_cnt; i++)
		if (rb->rings[i]->map.fd == fd)
			return true;
	return false;
}

int bpfrb_ring_buffer__add(struct bpfrb_ring_buffer *rb, int fd, bpfrb_sample_fn fn,
			   void *ctx)
{
	struct bpfrb_ring *r;
	void *tmp;
	int err;

	if (!rb || !fn)
		return bpfrb_err(-EINVAL);
	if (rb->ring_cnt >= INT_MAX)
		return bpfrb_err(-E2BIG);
	/*
	 * Refused at once, as libbpf's epoll_ctl() refuses it, rather than
	 * when __epoll_fd() later puts the rings into the epoll set.
	 */
	if (has_fd(rb, fd))
		return bpfrb_err(-EEXIST);

	/* Grow the arrays first: once the ring is registered nothing may fail. */
	tmp = reallocarray(rb->rings, rb->ring_cnt + 1, sizeof(*rb->rings));
	if (!tmp)
		return bpfrb_err(-ENOMEM);
	rb->rings = tmp;
	tmp = reallocarray(rb->pfds, rb->ring_cnt + 1, sizeof(*rb->pfds));
	if (!tmp)
		return bpfrb_err(-ENOMEM);
	rb->pfds = tmp;
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

	if (rb->in_epoll) {
		err = epoll_add_ring(rb, fd, rb->ring_cnt);
		if (err) {
			ring_free(r);
			return bpfrb_err(err);
		}
	}
	rb->rings[rb->ring_cnt] = r;
	rb->pfds[rb->ring_cnt] = (struct pollfd){ .fd = fd, .events = POLLIN };
	rb->ring_cnt++;
	return 0;
}

struct bpfrb_ring_buffer *bpfrb_ring_buffer__new(int fd, bpfrb_sample_fn fn, void *ctx,
						 const struct bpfrb_ring_buffer_opts *opts)
{
	struct bpfrb_ring_buffer *rb;
	int err;

	if (!BPFRB_OPTS_VALID(opts, bpfrb_ring_buffer_opts, sz))
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
	free(rb->pfds);
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

/* Waits with epoll_wait() and consumes the rings it reports. */
static int64_t wait_epoll(struct bpfrb_ring_buffer *rb, int timeout_ms)
{
	int64_t ret, total = 0;
	int i, cnt;

	cnt = epoll_wait(rb->epoll_fd, rb->events, (int)rb->ring_cnt, timeout_ms);
	if (cnt < 0)
		return -errno;
	for (i = 0; i < cnt; i++) {
		ret = bpfrb_ring_process(rb->rings[rb->events[i].data.u32], SIZE_MAX);
		if (ret < 0)
			return ret;
		total += ret;
	}
	return total;
}

/* Waits with poll(2) and consumes the rings it reports. */
static int64_t wait_poll(struct bpfrb_ring_buffer *rb, int timeout_ms)
{
	int64_t ret, total = 0;
	unsigned int i;

	if (poll(rb->pfds, rb->ring_cnt, timeout_ms) < 0)
		return -errno;
	for (i = 0; i < rb->ring_cnt; i++) {
		/* A closed fd would report at once, every time: a spin. */
		if (rb->pfds[i].revents & POLLNVAL)
			return -EBADF;
		if (!(rb->pfds[i].revents & POLLIN))
			continue;
		ret = bpfrb_ring_process(rb->rings[i], SIZE_MAX);
		if (ret < 0)
			return ret;
		total += ret;
	}
	return total;
}

/*
 * Drains first and waits only when that found nothing. Under load the
 * rings have data whenever we come back, and a wait would only report
 * it: skipping it saves a system call per pass, and with the epoll fd in
 * use the producers an interrupt, since a wakeup delivered and not yet
 * looked at by epoll_wait() spares them the next one (the module's
 * notify.c, "Unseen wakeups"). What is returned is what libbpf's
 * ring_buffer__poll() returns: the records consumed, none if the wait
 * timed out or a signal interrupted it.
 */
int bpfrb_ring_buffer__poll(struct bpfrb_ring_buffer *rb, int timeout_ms)
{
	int64_t ret;
	int cnt;

	if (!rb)
		return bpfrb_err(-EINVAL);
	cnt = bpfrb_ring_buffer__consume(rb);
	if (cnt != 0 || timeout_ms == 0)
		return cnt;
	ret = rb->in_epoll ? wait_epoll(rb, timeout_ms) : wait_poll(rb, timeout_ms);
	if (ret == -EINTR)
		return 0;
	if (ret < 0)
		return bpfrb_err((int)ret);
	return cap_count(ret);
}

/*
 * The rings join the epoll set only now (see the top). rb is never const
 * underneath: it comes from __new(); the const is libbpf's signature.
 * Unlike libbpf's getter, the first call changes rb: like every other
 * call on one rb, it is not to race with another (libbpfrb(7)).
 */
int bpfrb_ring_buffer__epoll_fd(const struct bpfrb_ring_buffer *crb)
{
	struct bpfrb_ring_buffer *rb = (struct bpfrb_ring_buffer *)crb;
	unsigned int i;
	int err;

	if (!rb)
		return bpfrb_err(-EINVAL);
	for (i = 0; !rb->in_epoll && i < rb->ring_cnt; i++) {
		err = epoll_add_ring(rb, rb->rings[i]->map.fd, i);
		if (err) {
			while (i--)
				epoll_ctl(rb->epoll_fd, EPOLL_CTL_DEL,
					  rb->rings[i]->map.fd, NULL);
			return bpfrb_err(err);
		}
	}
	rb->in_epoll = true;
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
