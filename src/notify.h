/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commit side of notify.c: whether a commit wakes the consumer. Inline
 * because it runs for every record; the policy and why it loses no wakeup
 * are explained at the top of notify.c.
 */
#ifndef _BPFRB_NOTIFY_H
#define _BPFRB_NOTIFY_H

#include <linux/irq_work.h>
#include "bpfrb_internal.h"

/* NO_WAKEUP without FORCE_WAKEUP: the commit never wakes anyone. */
static __always_inline bool bpfrb_commit_wakes_never(u64 flags)
{
	return (flags & (BPFRB_NO_WAKEUP | BPFRB_FORCE_WAKEUP)) ==
	       BPFRB_NO_WAKEUP;
}

/*
 * rec_off: offset of the committed record's header in the data area.
 * Called after the commit's store of len. Unless the commit never wakes
 * (and returns at once), that store was a fully ordered atomic
 * (bpfrb_clear_busy() in produce.c), the full barrier that orders the
 * committed record before the reads of the wait queue, consumer_pos and
 * wakeup_unseen.
 */
static __always_inline void bpfrb_notify_commit(struct bpfrb *rb,
						unsigned long rec_off,
						u64 flags)
{
	if (bpfrb_commit_wakes_never(flags))
		return;
	/*
	 * Nobody waits: no poll(2) or select in progress, no io_uring poll
	 * armed, no epoll set holding the ring (notify.c, "Idle queues").
	 * A lockless read of the list head, safe in any context, NMI too.
	 * Asked first: a line written only when waiters come and go, while
	 * a consumer that is not waiting may be writing consumer_pos for
	 * every record (produce.c).
	 */
	if (!waitqueue_active(&rb->waitq))
		return;
	if (!(flags & BPFRB_FORCE_WAKEUP)) {
		/*
		 * Self-pacing. What keeps the wakeup from being lost is the
		 * commit's full barrier against the consumer's smp_mb()
		 * after it stores consumer_pos (notify.c); acquire as every
		 * read of consumer_pos is.
		 */
		unsigned long cons_pos = smp_load_acquire(&rb->consumer_pos);

		if ((cons_pos & rb->mask) != rec_off)
			return;
	}
	/* The waiters hold a wakeup they have not looked at yet. */
	if (READ_ONCE(rb->wakeup_unseen))
		return;
	irq_work_queue(&rb->wakeup_work);
}

#endif /* _BPFRB_NOTIFY_H */
