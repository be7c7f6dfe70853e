/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One PRODUCE run, shared by test_produce.c (process, hrtimer, kthread
 * producers) and test_contexts.c (softirq and NMI producers).
 */
#ifndef _BPFRB_TEST_PRODUCE_H
#define _BPFRB_TEST_PRODUCE_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/timer.h>
#include <linux/wait.h>

#include "test_internal.h"

struct produce_run;

/*
 * A producer's state is written only by the producer itself (one context
 * at a time), and read by the caller once every producer is done.
 */
struct test_producer {
	struct produce_run *run;
	u32 id;
	u64 next_seq;
	void *buf;			/* record built here for bpfrb_output() */
	struct task_struct *task;	/* kthreads only */
	struct bpfrb_test_counts counts;
};

struct produce_run {
	struct bpfrb *rb;
	const struct bpfrb_test_produce *arg;
	bool stop;			/* WRITE_ONCE by the caller on a signal */
	atomic_t running;		/* hrtimer, softirq, NMI + kthreads not done */
	wait_queue_head_t done_wq;
	struct hrtimer timer;
	ktime_t period;

	/* test_contexts.c */
	struct timer_list softirq_timer;
	bool softirq_ready;		/* softirq_timer set up */
	struct task_struct *nmi_raiser;
	unsigned int nmi_cpu;		/* where the NMIs are sent */
	bool nmi_registered;		/* the handler is registered */
	u64 nmi_raised;			/* by the raiser only */
	bool nmi_unanswered;		/* by the raiser only */
	atomic_t wrong_context;
	atomic64_t interrupting;	/* see struct bpfrb_test_produce */

	struct test_producer prod[BPFRB_TEST_MAX_PRODUCERS];
};

enum attempt { ATTEMPT_DONE, ATTEMPT_NO_SPACE };

/* test_produce.c: any context. */
enum attempt produce_attempt(struct produce_run *run, struct test_producer *p);
void producer_done(struct produce_run *run);

/*
 * test_contexts.c. setup runs in process context before anything starts;
 * nr_running is how many producer_done() calls start will lead to;
 * teardown undoes whatever setup did, after run->stop is set, and also
 * after a failed setup.
 */
int test_contexts_check(const struct bpfrb_test_produce *arg);
int test_contexts_setup(struct produce_run *run);
unsigned int test_contexts_nr_running(struct produce_run *run);
void test_contexts_start(struct produce_run *run);
void test_contexts_teardown(struct produce_run *run);
void test_contexts_results(struct produce_run *run,
			   struct bpfrb_test_produce *arg);

#endif /* _BPFRB_TEST_PRODUCE_H */
