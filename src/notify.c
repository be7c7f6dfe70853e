// SPDX-License-Identifier: GPL-2.0
/*
 * Waking the consumer of a kernel ring (or the producers of a user ring),
 * and poll. Which commit wakes is decided in notify.h, inline in the
 * commit; why, here.
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
 *
 * Unseen wakeups: once the irq_work has woken the wait queue, another
 * wakeup before the ring is polled again tells no waiter anything new.
 * Every waiter that was on the queue was woken and has not looked yet (a
 * woken poll(2), select or io_uring poll calls ->poll to learn why; an
 * epoll item sits on its ready list until epoll_wait() calls ->poll to
 * report it), and a waiter that queued itself since has polled. So a
 * commit skips the irq_work while rb->wakeup_unseen is set, and
 * bpfrb_poll_ring() clears it. This is what makes sampled consumers cheap:
 * a producer submitting with BPFRB_FORCE_WAKEUP per record pays one
 * interrupt per consumer pass, not one per record (the BPF ring buffer
 * queues its irq_work again for every such record, an interrupt each time
 * the previous one has run). No consumer can tell the difference: every
 * waiter is woken, or already was and has not looked since.
 *
 * Idle queues: a commit that would wake skips the irq_work when nobody is
 * on the wait queue. A poll(2) or select is queued only while the call
 * runs and a oneshot io_uring poll only while armed, so a consumer that
 * drains between short polls (the common case under load: poll() finds
 * data at once) costs its producers no interrupt. An epoll set (or a
 * multishot io_uring poll) holds its entry on the queue as long as the
 * ring is in it, so such consumers gain nothing here (libbpfrb waits with
 * poll(2) until its epoll fd is asked for). No wakeup is lost: a poller
 * queues itself and then issues a full barrier before it reads
 * producer_pos (bpfrb_poll_ring()), a committer commits with a full
 * barrier before it looks at the queue; either the poller sees the record
 * or the committer sees the poller.
 *
 * Why no waiter is left asleep with the flag set:
 *  - the handler sets the flag before it takes the wait queue's lock, and
 *    a poller queues itself under that lock before clearing the flag: a
 *    poller the handler did not wake clears the flag after it was set;
 *  - a committer orders its commit before reading the flag (the fully
 *    ordered atomic in bpfrb_commit()), a poller its clear before
 *    reading producer_pos (smp_mb() in bpfrb_poll_ring()): either the
 *    committer sees the flag clear and wakes, or the poller sees the
 *    record.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/irq_work.h>
#include <linux/wait.h>
#include "bpfrb_internal.h"

static void bpfrb_wakeup_work_fn(struct irq_work *work)
{
	struct bpfrb *rb = container_of(work, struct bpfrb, wakeup_work);

	/*
	 * Before wake_up_all() takes the queue's lock: see the top. A user
	 * ring's drain queues this work too; no commit reads the flag there.
	 */
	WRITE_ONCE(rb->wakeup_unseen, 1);
	wake_up_all(&rb->waitq);
}

void bpfrb_notify_init(struct bpfrb *rb)
{
	init_waitqueue_head(&rb->waitq);
	init_irq_work(&rb->wakeup_work, bpfrb_wakeup_work_fn);
}

/*
 * User rings: bpfrb_user_drain() freed space. The same irq_work wakes the
 * same wait queue, where producers of a user ring wait in poll() for
 * EPOLLOUT; irq_work because a drain may run in any context.
 */
void bpfrb_notify_producers(struct bpfrb *rb)
{
	/*
	 * Nobody waits for space: no interrupt (see "Idle queues").
	 * wq_has_sleeper()'s smp_mb() orders the drain's store of
	 * consumer_pos before its look at the queue; pairs with smp_mb() in
	 * bpfrb_poll_ring().
	 */
	if (!wq_has_sleeper(&rb->waitq))
		return;
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
	 * read misses finds us on the queue when its irq_work runs. We are
	 * looking now, so the last wakeup is seen. Written only when set: a
	 * poll loop does not pull the line from the producers' CPUs for
	 * nothing.
	 */
	if (READ_ONCE(rb->wakeup_unseen))
		WRITE_ONCE(rb->wakeup_unseen, 0);
	/*
	 * Orders our queueing by poll_wait() and the clear before the reads
	 * below (the queue's spin_unlock() is only a release). Pairs with
	 * the commit's full barrier before it looks at the queue and reads
	 * wakeup_unseen, and with the smp_mb() of wq_has_sleeper() in
	 * bpfrb_notify_producers() (see the top of this file, "Idle queues").
	 */
	smp_mb();
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
