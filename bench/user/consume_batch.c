// SPDX-License-Identifier: GPL-2.0
/*
 * The batch consumer: reads a ring through its mapping alone, with the
 * BPF ring buffer's layout (which bpfrb shares byte for byte), and stores
 * consumer_pos once per drained batch instead of once per record, as the
 * kernel's rb-custom bench does. One implementation serves both rings, so
 * that BPF ringbuf and bpfrb are drained by the very same code.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rbbench.h"

#define HDR_SZ		8
#define BUSY_BIT	(1U << 31)
#define DISCARD_BIT	(1U << 30)

int mmap_ring_open(struct mmap_ring *r, int fd, unsigned long size)
{
	long pg = sysconf(_SC_PAGESIZE);

	r->fd = fd;
	r->size = size;
	r->mask = size - 1;
	r->cons_page = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->cons_page == MAP_FAILED)
		return -errno;
	r->prod_page = mmap(NULL, pg + 2 * size, PROT_READ, MAP_SHARED, fd, pg);
	if (r->prod_page == MAP_FAILED) {
		munmap(r->cons_page, pg);
		return -errno;
	}
	r->data = (unsigned char *)r->prod_page + pg;
	return 0;
}

void mmap_ring_close(struct mmap_ring *r)
{
	long pg = sysconf(_SC_PAGESIZE);

	munmap(r->prod_page, pg + 2 * r->size);
	munmap(r->cons_page, pg);
}

/*
 * Publishes consumer_pos, then a full barrier before producer_pos is read
 * again, so that a producer either sees us caught up (and wakes us) or we
 * see its record.
 */
static void batch_publish(unsigned long *cons, unsigned long c)
{
	__atomic_store_n(cons, c, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

long batch_drain(struct mmap_ring *r, struct bench_ctx *ctx)
{
	unsigned long *cons = r->cons_page, *prod = r->prod_page;
	unsigned long c, p;
	long n = 0;
	uint32_t len, *hdr;

	c = __atomic_load_n(cons, __ATOMIC_RELAXED);
	for (;;) {
		/* Pairs with the producer's release store of producer_pos. */
		p = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
		if (c == p)
			return n;
		/*
		 * One batch is what one read of producer_pos showed. Its
		 * space goes back to the producers as soon as it is drained
		 * (as rb-custom does), not when the ring is found empty:
		 * while producers keep the ring fed that could be never,
		 * and they would drop records in a ring we had emptied.
		 */
		while (c < p) {
			hdr = (uint32_t *)(r->data + (c & r->mask));
			/* Pairs with the commit that clears the busy bit. */
			len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & BUSY_BIT)
				break;
			if (!(len & DISCARD_BIT)) {
				bench_record(ctx, hdr + 2, len & ~DISCARD_BIT);
				n++;
			}
			c += (len & ~DISCARD_BIT) + HDR_SZ;
			c = (c + 7) & ~7UL;
		}
		batch_publish(cons, c);
		if (c < p)
			return n;	/* a record is still being written */
	}
}

struct batch_consumer {
	struct consumer c;
	struct mmap_ring *r;
	struct bench_ctx *ctx;
};

static long batch_poll(struct consumer *c, int timeout_ms)
{
	struct batch_consumer *b = (struct batch_consumer *)c;
	struct pollfd pfd = { .fd = b->r->fd, .events = POLLIN };
	long n = batch_drain(b->r, b->ctx);

	if (n || !timeout_ms)
		return n;
	if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return batch_drain(b->r, b->ctx);
}

static void batch_free(struct consumer *c)
{
	free(c);
}

struct consumer *batch_consumer_new(struct mmap_ring *r, struct bench_ctx *ctx)
{
	struct batch_consumer *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->c.name = "batch";
	b->c.poll = batch_poll;
	b->c.free = batch_free;
	b->r = r;
	b->ctx = ctx;
	return &b->c;
}
