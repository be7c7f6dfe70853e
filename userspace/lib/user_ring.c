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
 * reserve_blocking waits for a drain in an edge-triggered epoll set of its
 * own, whose entry is on the ring's wait queue only while it waits: the
 * module raises no wakeup interrupt for drains while no producer waits
 * (its notify.c, "Idle queues"). POLLOUT means "some free space", not
 * "space for this sample"; level-triggered, a wait with some space would
 * return at once, again and again. Edge-triggered, it returns once for
 * the space there is when the wait begins, then once per drain.
 */
struct bpfrb_user_ring_buffer {
	struct bpfrb_map map;
	int epoll_fd;	/* -1 after wait_end() had to close it */
};

struct bpfrb_user_ring_buffer *bpfrb_user_ring_buffer__new(int fd,
				const struct bpfrb_user_ring_buffer_opts *opts)
{
	struct bpfrb_user_ring_buffer *rb;
	int err;

	if (!BPFRB_OPTS_VALID(opts, bpfrb_user_ring_buffer_opts, sz))
		return bpfrb_err_ptr(EINVAL);
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return bpfrb_err_ptr(ENOMEM);
	/*
	 * Created now, while fd is open: made later, after the caller
	 * closed fd, it could take fd's number.
	 */
	rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epoll_fd < 0) {
		err = -errno;
		free(rb);
		return bpfrb_err_ptr(-err);
	}
	err = bpfrb_map_ring(&rb->map, fd, BPFRB_TYPE_USER);
	if (err) {
		close(rb->epoll_fd);
		free(rb);
		return bpfrb_err_ptr(-err);
	}
	return rb;
}

void bpfrb_user_ring_buffer__free(struct bpfrb_user_ring_buffer *rb)
{
	if (!rb)
		return;
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
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
	/*
	 * Unless another process mapping the ring scribbled on it (the
	 * producer page is writable to every producer): off the 8-byte grid,
	 * behind consumer_pos or more than a ring ahead. That is not "no
	 * space now": no drain will make room (the kernel's refuses such a
	 * ring), and a blocking reserve would wait for ever.
	 */
	if ((prod & 7) || prod - cons > ring_size)
		return bpfrb_err_ptr(EINVAL);
	/* A ring may be filled completely (SPEC §1). */
	if (ring_size - (prod - cons) < span)
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

/*
 * Where the header of sample would be if reserve() handed it out, or
 * NULL: every header reserve() writes lies in the first copy of the data
 * pages, on an 8-byte boundary. A pointer into another ring or anywhere
 * else is refused, where writing through it would corrupt memory.
 */
static __u32 *sample_header(struct bpfrb_user_ring_buffer *rb, void *sample)
{
	uintptr_t data, hdr;

	if (!rb)
		return NULL;
	data = (uintptr_t)rb->map.data;
	hdr = (uintptr_t)sample - BPFRB_HDR_SZ;
	if (hdr < data || hdr - data > rb->map.mask || (hdr & 7))
		return NULL;
	return (__u32 *)hdr;
}

/*
 * Commits a sample still reserved: BUSY set. One that is not (committed
 * already) is refused too, where clearing the bit again would turn a
 * record into a discard or the other way round. A sample committed and
 * then reserved again in the same place cannot be told from a new one.
 */
static void commit(struct bpfrb_user_ring_buffer *rb, void *sample,
		   bool discard)
{
	__u32 *len, old_len, new_len;

	/* NULL, what a failed reserve returned: nothing to do, errno kept. */
	if (!sample)
		return;
	len = sample_header(rb, sample);
	old_len = len ? READ_ONCE(*len) : 0;
	if (!(old_len & BPFRB_BUSY_BIT)) {
		errno = EINVAL;
		return;
	}
	new_len = old_len & ~BPFRB_BUSY_BIT;
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
	commit(rb, sample, false);
}

void bpfrb_user_ring_buffer__discard(struct bpfrb_user_ring_buffer *rb, void *sample)
{
	commit(rb, sample, true);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Puts the ring into our epoll set: 0 or -errno (EBADF: fd closed). */
static int wait_begin(struct bpfrb_user_ring_buffer *rb)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET };

	if (rb->epoll_fd < 0) {
		rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
		if (rb->epoll_fd < 0)
			return -errno;
	}
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, rb->map.fd, &ev))
		/* ENOSPC is the watch limit here, not the ring's space. */
		return errno == ENOSPC ? -ENOMEM : -errno;
	return 0;
}

static void wait_end(struct bpfrb_user_ring_buffer *rb)
{
	int saved = errno;

	/*
	 * fd closed during the wait: its mapping keeps the ring, and so the
	 * entry, alive, and only closing the set removes it, or every drain
	 * would go on raising a wakeup for nobody.
	 */
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_DEL, rb->map.fd, NULL)) {
		close(rb->epoll_fd);
		rb->epoll_fd = -1;	/* wait_begin() makes another */
	}
	errno = saved;
}

/*
 * A signal ends the wait with EINTR, as libbpf's does: epoll_wait(2) is
 * never restarted after a signal handler, SA_RESTART or not, and it is
 * where this spends its time unless drains keep coming.
 */
void *bpfrb_user_ring_buffer__reserve_blocking(struct bpfrb_user_ring_buffer *rb,
					       __u32 size, int timeout_ms)
{
	long long deadline = timeout_ms > 0 ? now_ns() + timeout_ms * 1000000LL : 0;
	struct epoll_event ev;
	int wait_ms = timeout_ms;
	long long left_ns;
	void *sample;
	int err;

	if (!rb || timeout_ms < -1)
		return bpfrb_err_ptr(EINVAL);
	sample = bpfrb_user_ring_buffer__reserve(rb, size);
	if (sample || errno != ENOSPC || !timeout_ms)
		return sample;
	err = wait_begin(rb);
	if (err)
		return bpfrb_err_ptr(-err);
	for (;;) {
		if (timeout_ms > 0) {
			/*
			 * What is left, rounded up to a whole millisecond: a
			 * deadline in whole milliseconds could end up to one
			 * early.
			 */
			left_ns = deadline - now_ns();
			if (left_ns <= 0) {
				errno = ENOSPC;
				break;
			}
			wait_ms = (int)((left_ns + 999999) / 1000000);
		}
		/*
		 * A drain between the last reserve and this wait queued its
		 * edge already: the wait returns at once, nothing is lost.
		 */
		if (epoll_wait(rb->epoll_fd, &ev, 1, wait_ms) < 0)
			break;
		sample = bpfrb_user_ring_buffer__reserve(rb, size);
		if (sample || errno != ENOSPC)
			break;
	}
	wait_end(rb);
	return sample;
}
