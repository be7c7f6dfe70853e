/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Consuming while a PRODUCE runs in another thread: poll the ring with a
 * short timeout (so a lost wakeup cannot hang a test that does not test
 * wakeups) and check every record, until the producers are done and the
 * ring is empty.
 */
#ifndef CORE_CONSUME_H
#define CORE_CONSUME_H

#include <poll.h>
#include "core_ring.h"
#include "core_testmod.h"

static inline long consume_while_producing(struct core_ring *r,
					   struct producer_thread *pt,
					   struct record_check *check)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	long n, total = 0;

	for (;;) {
		int done = producer_thread_done(pt);

		n = core_ring_consume(r, record_check_sample, check);
		if (n < 0)
			return n;
		total += n;
		if (done && core_load_consumer(r) == core_load_producer(r))
			return total;
		if (!n)
			poll(&pfd, 1, 10);
	}
}

#endif /* CORE_CONSUME_H */
