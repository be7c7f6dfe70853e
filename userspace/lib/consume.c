// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Consuming one kernel ring: walking the records between consumer_pos and
 * producer_pos, handing committed ones to the callback, skipping discarded
 * ones, and publishing consumer_pos so that producers may reuse the space.
 * Also the bpfrb_ring__*() accessors.
 */
#include <limits.h>

#include "barrier.h"
#include "internal.h"

/*
 * Publish how far we consumed. The release store orders our reads of the
 * records before the producer may overwrite them (pairs with the kernel's
 * smp_load_acquire() of consumer_pos when it reserves). The full barrier
 * orders that store before our next read of producer_pos and of the next
 * header: the kernel's commit does the mirror image (xchg() on the header,
 * a full barrier, then reads consumer_pos to decide whether to wake us).
 * Without it both sides could read the other's old value: we would see
 * the record still busy and go to sleep, and the kernel would see us
 * behind it and not wake us; the wakeup would be lost.
 */
static void publish_consumer_pos(struct bpfrb_map *m, unsigned long pos)
{
	smp_store_release(m->consumer_pos, pos);
	smp_mb();
}

/*
 * Consume up to n records. Returns how many were handed to the callback
 * (discarded records are not counted), or the callback's negative return.
 */
int64_t bpfrb_ring_process(struct bpfrb_ring *r, size_t n)
{
	struct bpfrb_map *m = &r->map;
	unsigned long cons, prod;
	bool progress;
	int64_t cnt = 0;
	__u32 len;
	void *hdr;
	int err;

	if (!n)
		return 0;
	/* We are the only writer of consumer_pos; this reads our own last store. */
	cons = smp_load_acquire(m->consumer_pos);
	do {
		progress = false;
		/* Pairs with smp_store_release() of producer_pos in the kernel's reserve. */
		prod = smp_load_acquire(m->producer_pos);
		while (cons < prod) {
			hdr = (char *)m->data + (cons & m->mask);
			/*
			 * Pairs with the xchg() that commits or discards the
			 * record: once BUSY is clear the payload is complete.
			 */
			len = smp_load_acquire((__u32 *)hdr);
			if (len & BPFRB_BUSY_BIT)
				return cnt;

			progress = true;
			cons += bpfrb_record_span(len);
			if (!(len & BPFRB_DISCARD_BIT)) {
				err = r->sample_cb(r->ctx, (char *)hdr + BPFRB_HDR_SZ,
						   len & ~(BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT));
				if (err < 0) {
					/* This record is consumed: the callback saw it. */
					publish_consumer_pos(m, cons);
					return err;
				}
				cnt++;
			}
			publish_consumer_pos(m, cons);
			if ((size_t)cnt >= n)
				return cnt;
		}
	} while (progress);
	return cnt;
}

static int cap_count(int64_t cnt)
{
	return cnt > INT_MAX ? INT_MAX : (int)cnt;
}

int bpfrb_ring__consume_n(struct bpfrb_ring *r, size_t n)
{
	int64_t ret;

	if (!r)
		return bpfrb_err(-EINVAL);
	ret = bpfrb_ring_process(r, n);
	if (ret < 0)
		return bpfrb_err((int)ret);
	return cap_count(ret);
}

int bpfrb_ring__consume(struct bpfrb_ring *r)
{
	return bpfrb_ring__consume_n(r, SIZE_MAX);
}

unsigned long bpfrb_ring__consumer_pos(const struct bpfrb_ring *r)
{
	if (!r)
		return errno = EINVAL, 0;
	/* Pairs with our own smp_store_release() in publish_consumer_pos(). */
	return smp_load_acquire(r->map.consumer_pos);
}

unsigned long bpfrb_ring__producer_pos(const struct bpfrb_ring *r)
{
	if (!r)
		return errno = EINVAL, 0;
	/* Pairs with smp_store_release() of producer_pos in the kernel's reserve. */
	return smp_load_acquire(r->map.producer_pos);
}

size_t bpfrb_ring__avail_data_size(const struct bpfrb_ring *r)
{
	unsigned long cons, prod;

	if (!r)
		return errno = EINVAL, 0;
	cons = bpfrb_ring__consumer_pos(r);
	prod = bpfrb_ring__producer_pos(r);
	return prod - cons;
}

size_t bpfrb_ring__size(const struct bpfrb_ring *r)
{
	if (!r)
		return errno = EINVAL, 0;
	return r->map.mask + 1;
}

int bpfrb_ring__fd(const struct bpfrb_ring *r)
{
	if (!r)
		return bpfrb_err(-EINVAL);
	return r->map.fd;
}
