/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal consumer of a kernel ring for the core tests: create or attach
 * through /dev/bpfrb, map the consumer page read-write and the producer
 * page + double-mapped data read-only, walk the records. Independent of
 * libbpfrb on purpose: the core tests check the module, not the library.
 */
#ifndef CORE_RING_H
#define CORE_RING_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/bpfrb.h>

struct core_ring {
	int fd;
	__u32 id;
	size_t size;			/* data bytes */
	size_t page;			/* page size */
	unsigned long *consumer_pos;	/* page 0, read-write */
	void *prod_map;			/* producer page + data twice, read-only */
	const unsigned long *producer_pos;
	const __u8 *data;
};

/* CREATE of a ring of type on fd: the ring id, or -errno. */
static inline int core_create_type(int fd, __u64 size, __u32 type,
				   const char *name)
{
	struct bpfrb_create c;

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.type = type;
	c.numa_node = -1;
	if (name)
		strncpy(c.name, name, sizeof(c.name) - 1);
	if (ioctl(fd, BPFRB_IOC_CREATE, &c))
		return -errno;
	return (int)c.id;
}

/* CREATE of a kernel ring on fd: the ring id, or -errno. */
static inline int core_create(int fd, __u64 size, const char *name)
{
	return core_create_type(fd, size, BPFRB_TYPE_KERNEL, name);
}

/* ATTACH fd by id, or by name when id is 0: 0 or -errno. */
static inline int core_attach(int fd, __u32 id, const char *name)
{
	struct bpfrb_attach a;

	memset(&a, 0, sizeof(a));
	a.id = id;
	if (name)
		strncpy(a.name, name, sizeof(a.name) - 1);
	return ioctl(fd, BPFRB_IOC_ATTACH, &a) ? -errno : 0;
}

static inline int core_info(int fd, struct bpfrb_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, BPFRB_IOC_INFO, info) ? -errno : 0;
}

/* Maps the ring bound to r->fd: 0 or -errno. */
static inline int core_ring_map(struct core_ring *r)
{
	struct bpfrb_info info;
	void *p;
	int err;

	err = core_info(r->fd, &info);
	if (err)
		return err;
	r->id = info.id;
	r->size = info.size;
	r->page = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	p = mmap(NULL, r->page + 2 * r->size, PROT_READ, MAP_SHARED, r->fd,
		 r->page);
	if (p == MAP_FAILED) {
		err = -errno;
		munmap(r->consumer_pos, r->page);
		r->consumer_pos = NULL;
		return err;
	}
	r->prod_map = p;
	r->producer_pos = p;
	r->data = (const __u8 *)p + r->page;
	return 0;
}

static inline void core_ring_unmap(struct core_ring *r)
{
	if (r->prod_map)
		munmap(r->prod_map, r->page + 2 * r->size);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	r->prod_map = NULL;
	r->consumer_pos = NULL;
}

/* Opens /dev/bpfrb, creates a ring of size bytes and maps it: 0 or -errno. */
static inline int core_ring_open(struct core_ring *r, __u64 size,
				 const char *name)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = open(BPFRB_DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	ret = core_create(r->fd, size, name);
	if (ret < 0 || (ret = core_ring_map(r))) {
		close(r->fd);
		r->fd = -1;
		return ret;
	}
	return 0;
}

static inline void core_ring_close(struct core_ring *r)
{
	core_ring_unmap(r);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static inline unsigned long core_load_producer(const struct core_ring *r)
{
	/* Pairs with the kernel's release store of producer_pos. */
	return __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
}

static inline unsigned long core_load_consumer(const struct core_ring *r)
{
	return __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
}

/*
 * Publishes consumer_pos, then a full barrier before producer_pos is read
 * again, so that either we see a new record or its producer sees us caught
 * up and wakes us (the kernel's self-pacing rule).
 */
static inline void core_store_consumer(struct core_ring *r, unsigned long pos)
{
	__atomic_store_n(r->consumer_pos, pos, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline __u32 core_record_len(__u32 len)
{
	return ((len & ~(BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT)) + BPFRB_HDR_SZ + 7) & ~7U;
}

/* Called per committed record; non-zero stops the walk and is returned. */
typedef int (*core_sample_fn)(void *ctx, const void *data, __u32 len);

/*
 * Consumes every committed record: the count, or the callback's non-zero
 * return. Discarded records are skipped, a busy one stops the walk.
 * With max > 0 it stops after max records.
 */
static inline long core_ring_consume_n(struct core_ring *r, core_sample_fn fn,
				       void *ctx, long max)
{
	unsigned long cons = core_load_consumer(r), prod;
	long n = 0;
	int err;

	for (;;) {
		int progress = 0;

		prod = core_load_producer(r);
		while (cons < prod) {
			const __u8 *hdr = r->data + (cons & (r->size - 1));
			/*
			 * Pairs with the kernel's store that clears BUSY
			 * (xchg(), or a release store with NO_WAKEUP).
			 */
			__u32 len = __atomic_load_n((const __u32 *)hdr,
						    __ATOMIC_ACQUIRE);

			if (len & BPFRB_BUSY_BIT)
				break;
			if (!(len & BPFRB_DISCARD_BIT)) {
				err = fn ? fn(ctx, hdr + BPFRB_HDR_SZ, len) : 0;
				if (err) {
					core_store_consumer(r, cons + core_record_len(len));
					return err;
				}
				n++;
			}
			cons += core_record_len(len);
			progress = 1;
			core_store_consumer(r, cons);
			if (max > 0 && n >= max)
				return n;
		}
		if (!progress)
			return n;
	}
}

static inline long core_ring_consume(struct core_ring *r, core_sample_fn fn,
				     void *ctx)
{
	return core_ring_consume_n(r, fn, ctx, 0);
}

#endif /* CORE_RING_H */
