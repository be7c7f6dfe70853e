// SPDX-License-Identifier: GPL-2.0
/*
 * Draining user rings: user space produces through its mapping, kernel
 * code consumes with bpfrb_user_drain() (the BPF user ring buffer's
 * bpf_user_ringbuf_drain()).
 *
 * Trust: producer_pos, the record headers and the payloads live in pages
 * user space maps read-write, so every one of them may change under us at
 * any moment. consumer_pos sits on a page user space maps read-only; only
 * the drain writes it, so it can be trusted.
 *
 * Therefore:
 *  - producer_pos is read once per call, and each header once per record,
 *    into locals; only the locals are validated and used.
 *  - A record is used only if it lies within [consumer_pos, producer_pos]
 *    and is no larger than the ring. The header then starts inside the
 *    first copy of the data pages and the record ends inside the second,
 *    so neither we nor fn can read outside the ring's memory.
 *  - pg_off is never read: it is the producer's to write and means nothing
 *    to the consumer.
 *  - A record that fails validation is left where it is (consumer_pos does
 *    not move past it) and the error is returned; samples before it have
 *    been consumed.
 *
 * One drainer at a time: rb->drain_busy is taken with a cmpxchg, and a
 * second drainer gets -EBUSY instead of waiting, so a drain may run where
 * sleeping is not allowed. fn runs in the caller's context; it may sleep if
 * the caller may.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/irq_work.h>
#include "bpfrb_internal.h"
#include "compat.h"

#define BPFRB_DRAIN_FLAGS	(BPFRB_NO_WAKEUP | BPFRB_FORCE_WAKEUP)

/* What one header says, after validation. */
struct bpfrb_user_rec {
	u32 len;		/* payload bytes */
	u32 span;		/* bytes the record occupies, header included */
	bool busy;
	bool discarded;
};

/*
 * Reads the header at cons once and validates it against avail, the
 * bytes between cons and the producer_pos snapshot. 0, or -EINVAL (the
 * record reaches past producer_pos, or producer_pos is out of reach of a
 * real producer), -E2BIG (a record larger than the ring).
 */
static int bpfrb_user_peek(struct bpfrb *rb, unsigned long cons,
			   unsigned long avail, struct bpfrb_user_rec *rec)
{
	u32 *hdr = (u32 *)(rb->data + (cons & rb->mask));
	u32 word;
	u64 span;

	/*
	 * The only read of this header's len. Pairs with the producer's
	 * release store that commits the record (libbpfrb's
	 * smp_store_release() of the len): once BUSY reads clear, the
	 * payload written before it is visible.
	 */
	word = smp_load_acquire(hdr);
	rec->busy = word & BPFRB_BUSY_BIT;
	rec->discarded = word & BPFRB_DISCARD_BIT;
	rec->len = word & ~(BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT);
	span = round_up((u64)rec->len + BPFRB_HDR_SZ, 8);

	/* Checked in the order of the BPF user ring buffer. */
	if (span > avail)
		return -EINVAL;
	if (span > bpfrb_size(rb))
		return -E2BIG;
	/*
	 * A producer never gets more than a ring's worth ahead of the
	 * consumer (nor behind it, which makes avail huge). Checked after the
	 * record's own size, so that an oversized record reports -E2BIG.
	 */
	if (avail > bpfrb_size(rb))
		return -EINVAL;
	rec->span = span;
	return 0;
}

long bpfrb_user_drain(struct bpfrb *rb, bpfrb_drain_fn fn, void *ctx, u64 flags)
{
	unsigned long start, cons, prod, avail;
	struct bpfrb_user_rec rec;
	long consumed = 0, ret = 0;
	unsigned int seen;

	if (flags & ~BPFRB_DRAIN_FLAGS)
		return -EINVAL;
	if (rb->type != BPFRB_TYPE_USER)
		return -EINVAL;

	/*
	 * Acquire pairs with the atomic_set_release() below of the previous
	 * drainer: we see the consumer_pos it stored.
	 */
	if (atomic_cmpxchg_acquire(&rb->drain_busy, 0, 1) != 0)
		return -EBUSY;

	/* Only drainers write consumer_pos, and we are the only drainer. */
	start = rb->consumer_pos;
	cons = start;
	/*
	 * The only read of producer_pos in this call. Pairs with the
	 * producer's smp_store_release() of producer_pos after it wrote the
	 * busy header (libbpfrb's reserve).
	 */
	prod = smp_load_acquire(&rb->producer_pos);
	if (prod & 7) {
		ret = -EINVAL;
		goto out_unlock;
	}

	for (seen = 0; seen < BPFRB_USER_DRAIN_MAX_RECORDS; seen++) {
		avail = prod - cons;
		if (!avail)
			break;
		ret = bpfrb_user_peek(rb, cons, avail, &rec);
		if (ret)
			break;
		/* Busy wins over discard: the producer may still be writing. */
		if (rec.busy)
			break;
		if (!rec.discarded) {
			consumed++;
			ret = fn(ctx, rb->data + ((cons + BPFRB_HDR_SZ) & rb->mask),
				 rec.len);
		}
		/* Consumed even when fn stopped the drain, as in BPF. */
		cons += rec.span;
		/*
		 * Pairs with the producer's smp_load_acquire() of consumer_pos
		 * in libbpfrb's reserve: we are done reading the record before
		 * the producer may write there again.
		 */
		smp_store_release(&rb->consumer_pos, cons);
		if (ret) {
			ret = 0;
			break;
		}
	}

out_unlock:
	/* Pairs with atomic_cmpxchg_acquire() above, in the next drainer. */
	atomic_set_release(&rb->drain_busy, 0);

	/*
	 * Producers blocked in poll() for space: wake them once per call that
	 * freed some (discarded records free space too), through irq_work so
	 * that a drain may run in any context, and only if one is on the wait
	 * queue. bpfrb_notify_producers() issues a full barrier after the
	 * consumer_pos store: a poller that misses the new consumer_pos is
	 * already on the wait queue it looks at (see bpfrb_poll_ring()).
	 */
	if (flags & BPFRB_FORCE_WAKEUP)
		bpfrb_notify_producers(rb);
	else if (!(flags & BPFRB_NO_WAKEUP) && cons != start)
		bpfrb_notify_producers(rb);

	return ret ?: consumed;
}
EXPORT_SYMBOL_BPFRB(bpfrb_user_drain);
