// SPDX-License-Identifier: GPL-2.0
/*
 * Waking the consumer of a kernel ring (or the producers of a user ring),
 * and poll.
 *
 * A commit may run in NMI, where wake_up() (a spinlock) is not allowed, so
 * it only queues the ring's irq_work; the irq_work handler wakes the
 * waiters from hard-IRQ context.
 *
 * Self-pacing, as in the BPF ring buffer: a commit wakes the consumer only
 * if the consumer had caught up to exactly this record. If it has not,
 * the consumer is still busy with earlier records and will find this one
 * without sleeping. No wakeup is lost because the consumer publishes
 * consumer_pos and then issues a full barrier before it re-reads
 * producer_pos (libbpfrb): either it sees the new record, or we see it
 * caught up.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/irq_work.h>
#include <linux/wait.h>
#include "bpfrb_internal.h"

static void bpfrb_wakeup_work_fn(struct irq_work *work)
{
	struct bpfrb *rb = container_of(work, struct bpfrb, wakeup_work);

	wake_up_all(&rb->waitq);
}

void bpfrb_notify_init(struct bpfrb *rb)
{
	init_waitqueue_head(&rb->waitq);
	init_irq_work(&rb->wakeup_work, bpfrb_wakeup_work_fn);
}

/* rec_off: offset of the committed record's header in the data area. */
void bpfrb_notify_commit(struct bpfrb *rb, unsigned long rec_off, u64 flags)
{
	unsigned long cons_off;

	if (flags & BPFRB_FORCE_WAKEUP) {
		irq_work_queue(&rb->wakeup_work);
		return;
	}
	if (flags & BPFRB_NO_WAKEUP)
		return;

	/*
	 * Pairs with the consumer's smp_store_release() of consumer_pos;
	 * the xchg() of the header in bpfrb_commit() is the full barrier
	 * on our side that orders the commit before this read.
	 */
	cons_off = smp_load_acquire(&rb->consumer_pos) & rb->mask;
	if (cons_off == rec_off)
		irq_work_queue(&rb->wakeup_work);
}

/*
 * User rings: bpfrb_user_drain() freed space. The same irq_work wakes the
 * same wait queue, where producers of a user ring wait in poll() for
 * EPOLLOUT; irq_work because a drain may run in any context.
 */
void bpfrb_notify_producers(struct bpfrb *rb)
{
	irq_work_queue(&rb->wakeup_work);
}

/* Waits for a queued wakeup to finish; before the ring is freed. */
void bpfrb_notify_sync(struct bpfrb *rb)
{
	irq_work_sync(&rb->wakeup_work);
}

__poll_t bpfrb_poll_ring(struct bpfrb *rb, struct file *file, poll_table *pt)
{
	unsigned long cons_pos, prod_pos;

	poll_wait(file, &rb->waitq, pt);

	/*
	 * poll_wait() queued us before the positions are read: a commit this
	 * read misses finds us on the queue when its irq_work runs.
	 */
	/*
	 * Pairs with the consumer's smp_store_release() of consumer_pos
	 * (user space's for a kernel ring, bpfrb_user_drain()'s for a user
	 * ring).
	 */
	cons_pos = smp_load_acquire(&rb->consumer_pos);
	/*
	 * Pairs with the producer's smp_store_release() of producer_pos
	 * (__bpfrb_reserve() for a kernel ring, libbpfrb for a user ring).
	 */
	prod_pos = smp_load_acquire(&rb->producer_pos);

	/*
	 * A user ring is writable while it has free space. producer_pos is
	 * user-written: a value more than a ring ahead of consumer_pos (or
	 * behind it) leaves no space to report.
	 */
	if (rb->type == BPFRB_TYPE_USER) {
		if (prod_pos - cons_pos < bpfrb_size(rb))
			return EPOLLOUT | EPOLLWRNORM;
		return 0;
	}
	if (cons_pos != prod_pos)
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}
