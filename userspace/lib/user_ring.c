// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Producing into a user ring (libbpf: user_ring_buffer__*): user space
 * reserves, writes and commits records that kernel code drains with
 * bpfrb_user_drain(). One producer at a time: callers that share a
 * bpfrb_user_ring_buffer between threads serialise reserve themselves,
 * as with libbpf.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "barrier.h"
#include "internal.h"

/*
 * reserve_blocking waits for space with poll(2) on the ring's fd, which
 * is on the ring's wait queue only while it waits: the module then raises
 * no wakeup interrupt for drains while no producer waits (its notify.c,
 * "Idle queues"), where an epoll set would keep an entry queued for the
 * ring buffer's whole life.
 */
struct bpfrb_user_ring_buffer {
	struct bpfrb_map map;
};

struct bpfrb_user_ring_buffer *bpfrb_user_ring_buffer__new(int fd,
				const struct bpfrb_user_ring_buffer_opts *opts)
{
	struct bpfrb_user_ring_buffer *rb;
	int err;

	if (!BPFRB_OPTS_VALID(opts, bpfrb_user_ring_buffer_opts))
		return bpfrb_err_ptr(EINVAL);
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return bpfrb_err_ptr(ENOMEM);
	err = bpfrb_map_ring(&rb->map, fd, BPFRB_TYPE_USER);
	if (err) {
		free(rb);
		return bpfrb_err_ptr(-err);
	}
	return rb;
}

void bpfrb_user_ring_buffer__free(struct bpfrb_user_ring_buffer *rb)
{
	if (!rb)
		return;
	bpfrb_unmap_ring(&rb->map);
	free(rb);
}

void *bpfrb_user_ring_buffer__reserve(struct bpfrb_user_ring_buffer *rb, __u32 size)
{
	struct bpfrb_map *m;
	unsigned long cons, prod, span, ring_size;
	__u32 *hdr;

	if (!rb)
		return bpfrb_err_ptr(EINVAL);
	m = &rb->map;
	ring_size = m->mask + 1;
	/* The two top bits of the length are BUSY and DISCARD. */
	if (size & (BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT))
		return bpfrb_err_ptr(E2BIG);
	span = bpfrb_record_span(size);
	if (span > ring_size)
		return bpfrb_err_ptr(E2BIG);

	/*
	 * Pairs with the kernel drain's smp_store_release() of consumer_pos:
	 * the space it frees is no longer read by the kernel.
	 */
	cons = smp_load_acquire(m->consumer_pos);
	/* Only we write producer_pos; this reads our own last store. */
	prod = READ_ONCE(*m->producer_pos);
	/* A ring may be filled completely (SPEC §1). */
	if (prod - cons > ring_size || ring_size - (prod - cons) < span)
		return bpfrb_err_ptr(ENOSPC);

	hdr = (__u32 *)((char *)m->data + (prod & m->mask));
	hdr[0] = size | BPFRB_BUSY_BIT;
	hdr[1] = 0;
	/*
	 * Pairs with the drain's smp_load_acquire() of producer_pos: it sees
	 * the busy header before it sees the record exist.
	 */
	smp_store_release(m->producer_pos, prod + span);
	/* Data is mapped twice: the sample is contiguous even when it wraps. */
	return hdr + 2;
}

static void commit(void *sample, bool discard)
{
	__u32 *len = (__u32 *)((char *)sample - BPFRB_HDR_SZ);
	__u32 new_len = *len & ~BPFRB_BUSY_BIT;

	if (discard)
		new_len |= BPFRB_DISCARD_BIT;
	/*
	 * Pairs with the drain's smp_load_acquire() of the header: once it
	 * sees BUSY clear, it sees the whole sample.
	 */
	smp_store_release(len, new_len);
}

void bpfrb_user_ring_buffer__submit(struct bpfrb_user_ring_buffer *rb, void *sample)
{
	if (sample)
		commit(sample, false);
}

void bpfrb_user_ring_buffer__discard(struct bpfrb_user_ring_buffer *rb, void *sample)
{
	if (sample)
		commit(sample, true);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void *bpfrb_user_ring_buffer__reserve_blocking(struct bpfrb_user_ring_buffer *rb,
					       __u32 size, int timeout_ms)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	struct pollfd pfd = { .events = POLLOUT };
	unsigned long cons, seen_cons = 0;
	int wait_ms = timeout_ms;
	bool ready = false;
	void *sample;
	int n;

	if (!rb || timeout_ms < -1)
		return bpfrb_err_ptr(EINVAL);
	pfd.fd = rb->map.fd;
	for (;;) {
		cons = smp_load_acquire(rb->map.consumer_pos);
		sample = bpfrb_user_ring_buffer__reserve(rb, size);
		if (sample || errno != ENOSPC || !timeout_ms)
			return sample;
		if (timeout_ms > 0) {
			wait_ms = (int)(deadline - now_ms());
			if (wait_ms <= 0)
				return bpfrb_err_ptr(ENOSPC);
		}
		/*
		 * POLLOUT means "some free space", not "space for this
		 * sample": when it was reported and nothing was drained since,
		 * waiting again would return at once. Sleep a little instead of
		 * spinning until the consumer moves.
		 */
		if (ready && cons == seen_cons) {
			wait_ms = wait_ms < 0 || wait_ms > 1 ? 1 : wait_ms;
			/*
			 * nanosleep() is never restarted after a signal
			 * handler (signal(7)), as poll() is not: either wait
			 * ends with EINTR.
			 */
			if (usleep((useconds_t)wait_ms * 1000) < 0 &&
			    errno == EINTR)
				return NULL;
			ready = false;
			continue;
		}
		seen_cons = cons;
		/*
		 * A drain that freed space wakes POLLOUT waiters. The wait
		 * reports free space at all, so it does not sleep when space
		 * was freed between our reserve and this call. A signal ends
		 * the wait with EINTR, as libbpf's does.
		 */
		n = poll(&pfd, 1, wait_ms);
		if (n < 0)
			return NULL;
		if (pfd.revents & POLLNVAL)
			return bpfrb_err_ptr(EBADF);	/* fd was closed */
		ready = n > 0 && (pfd.revents & POLLOUT);
	}
}
