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
 * Ordering with the kernel's producers.
 *
 * consumer_pos is published with a release store after every record, as
 * libbpf does: it orders our reads of the record before the producer may
 * overwrite it (pairs with the kernel's smp_load_acquire() of consumer_pos
 * when it reserves).
 *
 * Before we conclude that there is nothing more to read - the next record
 * is busy, or producer_pos has not moved - a full barrier orders our last
 * store of consumer_pos before that final look. A kernel commit that may
 * wake us does the mirror image: a fully ordered atomic on the header,
 * then it reads consumer_pos to decide whether to wake us (a NO_WAKEUP
 * commit reads nothing and wakes nobody). Without the barrier both
 * sides could read the other's old value: we would see the record busy
 * and go to sleep, the kernel would see us behind it and not wake us, and
 * the wakeup would be lost. With it, either we see the commit or the
 * kernel sees us caught up. The barrier is paid once per pass, not once
 * per record.
 */
static bool nothing_more(struct bpfrb_map *m, unsigned long cons)
{
	smp_mb();
	/* Pairs with smp_store_release() of producer_pos in the kernel's reserve. */
	return smp_load_acquire(m->producer_pos) == cons;
}

/* The header's len once committed or discarded; BUSY after a last look. */
static __u32 record_len(__u32 *hdr)
{
	/*
	 * Pairs with the kernel's store that commits or discards the record
	 * (a fully ordered atomic, or a release store for a NO_WAKEUP
	 * commit): once BUSY is clear the payload is complete.
	 */
	__u32 len = smp_load_acquire(hdr);

	if (len & BPFRB_BUSY_BIT) {
		smp_mb();	/* see nothing_more() */
		len = smp_load_acquire(hdr);
	}
	return len;
}

/*
 * Consume up to n records. Returns how many were handed to the callback
 * (discarded records are not counted), the callback's negative return, or
 * -EINVAL when the positions make no sense.
 *
 * The consumer page is writable to every process that maps the ring, so
 * consumer_pos is whatever was last stored there; the kernel writes the
 * rest. Records are read only between a consumer_pos on an 8-byte
 * boundary and a producer_pos at most a ring ahead of it, each within
 * what is left of that span: so no callback is handed memory outside the
 * data area's double mapping, and a consumer_pos moved ahead of
 * producer_pos is an error instead of a loop that never ends. The error
 * comes where it shows: a misaligned consumer_pos, or one a ring away from
 * producer_pos, before any record is read; a record running past
 * producer_pos when it is reached, the records before it consumed. A
 * consumer_pos moved into the middle of a record cannot be told from a
 * record boundary; what is read there stays within the mapping.
 */
int64_t bpfrb_ring_process(struct bpfrb_ring *r, size_t n)
{
	struct bpfrb_map *m = &r->map;
	unsigned long cons, prod, span;
	int64_t cnt = 0;
	char *rec;
	__u32 len;
	int err;

	if (!n)
		return 0;
	/* Our own last store, unless someone else wrote it (above). */
	cons = smp_load_acquire(m->consumer_pos);
	if (cons & 7)
		return -EINVAL;
	for (;;) {
		/* Pairs with smp_store_release() of producer_pos in the kernel's reserve. */
		prod = smp_load_acquire(m->producer_pos);
		if (prod == cons && nothing_more(m, cons))
			return cnt;
		/* Also cons ahead of prod: the difference wraps around. */
		if (prod - cons > m->mask + 1)
			return -EINVAL;

		while (cons != prod) {
			rec = (char *)m->data + (cons & m->mask);
			len = record_len((__u32 *)rec);
			if (len & BPFRB_BUSY_BIT)
				return cnt;
			span = bpfrb_record_span(len);
			if (span > prod - cons)
				return -EINVAL;

			cons += span;
			if (!(len & BPFRB_DISCARD_BIT)) {
				err = r->sample_cb(r->ctx, rec + BPFRB_HDR_SZ,
						   len & ~(BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT));
				if (err < 0) {
					/* This record is consumed: the callback saw it. */
					smp_store_release(m->consumer_pos, cons);
					return err;
				}
				cnt++;
			}
			smp_store_release(m->consumer_pos, cons);
			if ((size_t)cnt >= n)
				return cnt;
		}
	}
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
	/* Pairs with our own smp_store_release() in bpfrb_ring_process(). */
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
