/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the user ring tests (user_ring_*.c): a user ring
 * produced into with libbpfrb and drained by the test module
 * (BPFRB_TEST_IOC_DRAIN), a kernel ring the test module echoes samples
 * into, and a raw read-write mapping for writing what a misbehaving
 * producer would.
 */
#ifndef USER_RING_TEST_H
#define USER_RING_TEST_H

#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "lib_test.h"

/* A user ring and what the tests need around it. */
struct ur {
	int tfd;			/* /dev/bpfrb_test */
	int fd;				/* bound to the user ring */
	__u32 id;
	__u64 size;
	size_t page;
	struct bpfrb_user_ring_buffer *urb;	/* libbpfrb producer */
	/* Raw mappings, for writing by hand. */
	const unsigned long *cons;	/* consumer page, read-only */
	unsigned long *prod;		/* producer page, read-write */
	__u8 *data;			/* data area twice, read-write */
};

/* 0 or -errno; everything set up, with the library producer. */
static inline int ur_open(struct ur *u, __u64 size)
{
	void *p;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->page = (size_t)sysconf(_SC_PAGESIZE);
	u->size = size;
	u->tfd = lib_test_open();
	if (u->tfd < 0)
		return u->tfd;
	u->fd = bpfrb_create(NULL, size, BPFRB_TYPE_USER, NULL);
	if (u->fd < 0)
		return -errno;
	u->id = lib_ring_id(u->fd);
	p = mmap(NULL, u->page, PROT_READ, MAP_SHARED, u->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	u->cons = p;
	p = mmap(NULL, u->page + 2 * size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 u->fd, (off_t)u->page);
	if (p == MAP_FAILED)
		return -errno;
	u->prod = p;
	u->data = (__u8 *)p + u->page;
	u->urb = bpfrb_user_ring_buffer__new(u->fd, NULL);
	if (!u->urb)
		return -errno;
	return 0;
}

static inline void ur_close(struct ur *u)
{
	bpfrb_user_ring_buffer__free(u->urb);
	if (u->prod)
		munmap(u->prod, u->page + 2 * u->size);
	if (u->cons)
		munmap((void *)u->cons, u->page);
	if (u->fd >= 0)
		close(u->fd);
	if (u->tfd >= 0)
		close(u->tfd);
	memset(u, 0, sizeof(*u));
	u->fd = u->tfd = -1;
}

static inline unsigned long ur_cons(const struct ur *u)
{
	/* Pairs with the drain's smp_store_release() of consumer_pos. */
	return __atomic_load_n(u->cons, __ATOMIC_ACQUIRE);
}

static inline unsigned long ur_prod(const struct ur *u)
{
	return __atomic_load_n(u->prod, __ATOMIC_ACQUIRE);
}

/* Publishes a producer_pos as a producer would (release). */
static inline void ur_set_prod(struct ur *u, unsigned long pos)
{
	__atomic_store_n(u->prod, pos, __ATOMIC_RELEASE);
}

/* Writes a record header at position pos (release on len, like a commit). */
static inline void ur_write_hdr(struct ur *u, unsigned long pos, __u32 len,
				__u32 pg_off)
{
	__u32 *hdr = (__u32 *)(u->data + (pos & (u->size - 1)));

	hdr[1] = pg_off;
	__atomic_store_n(&hdr[0], len, __ATOMIC_RELEASE);
}

/* One DRAIN; 0 or the ioctl's -errno. The drain's own return is d->ret. */
static inline int ur_drain_ex(struct ur *u, struct bpfrb_test_drain *d,
			      __u32 mode, __u32 echo_id, __u64 flags)
{
	__s64 value = d->value;

	memset(d, 0, sizeof(*d));
	d->ring_id = u->id;
	d->echo_id = echo_id;
	d->mode = mode;
	d->flags = flags;
	d->value = value;
	return ioctl(u->tfd, BPFRB_TEST_IOC_DRAIN, d) ? -errno : 0;
}

/* A plain COUNT drain: what bpfrb_user_drain() returned (or -1000 - errno). */
static inline long ur_drain(struct ur *u, __u64 flags)
{
	struct bpfrb_test_drain d = { .value = 0 };

	if (ur_drain_ex(u, &d, BPFRB_TEST_DRAIN_COUNT, 0, flags))
		return -1000 - errno;
	return (long)d.ret;
}

/* Reserve + fill as a test record + submit: 0 or -errno. */
static inline int ur_write_record(struct ur *u, __u32 size, __u32 producer_id,
				  __u64 seq)
{
	void *s = bpfrb_user_ring_buffer__reserve(u->urb, size);

	if (!s)
		return -errno;
	bpfrb_test_fill(s, size, producer_id, seq);
	bpfrb_user_ring_buffer__submit(u->urb, s);
	return 0;
}

/* A kernel ring for the test module to echo into, and its consumer. */
struct ur_echo {
	int fd;
	__u32 id;
	struct bpfrb_ring_buffer *rb;
};

static inline int ur_echo_open(struct ur_echo *e, __u64 size,
			       bpfrb_sample_fn fn, void *ctx)
{
	memset(e, 0, sizeof(*e));
	e->fd = bpfrb_create(NULL, size, BPFRB_TYPE_KERNEL, NULL);
	if (e->fd < 0)
		return -errno;
	e->id = lib_ring_id(e->fd);
	e->rb = bpfrb_ring_buffer__new(e->fd, fn, ctx, NULL);
	return e->rb ? 0 : -errno;
}

static inline void ur_echo_close(struct ur_echo *e)
{
	bpfrb_ring_buffer__free(e->rb);
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	e->rb = NULL;
}

static inline long long ur_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline long long ur_now_ms(void)
{
	return ur_now_ns() / 1000000;
}

static inline void ur_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Starts a drainer kthread: its slot, or -errno. */
static inline int ur_drainer_start(struct ur *u, __u32 mode, __u32 echo_id,
				   __u64 flags)
{
	struct bpfrb_test_drainer d;

	memset(&d, 0, sizeof(d));
	d.ring_id = u->id;
	d.echo_id = echo_id;
	d.mode = mode;
	d.flags = flags;
	if (ioctl(u->tfd, BPFRB_TEST_IOC_DRAIN_START, &d))
		return -errno;
	return (int)d.slot;
}

static inline int ur_drainer_stop(struct ur *u, int slot,
				  struct bpfrb_test_drainer *d)
{
	memset(d, 0, sizeof(*d));
	d->slot = (__u32)slot;
	return ioctl(u->tfd, BPFRB_TEST_IOC_DRAIN_STOP, d) ? -errno : 0;
}

#endif /* USER_RING_TEST_H */
