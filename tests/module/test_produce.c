// SPDX-License-Identifier: GPL-2.0
/*
 * PRODUCE: producers in the contexts real ones run in, all at once if
 * asked: the calling thread (process context), an hrtimer callback (hard
 * IRQ) and one kthread bound to each online CPU, and those of
 * test_contexts.c (softirq, NMI). Each producer attempts
 * the same number of records and counts what became of each attempt, so
 * that user space can check produced = consumed and drops exactly.
 */
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/bpfrb.h>

#include "test_compat.h"
#include "test_produce.h"

#define DEFAULT_PERIOD_NS	20000
#define DEFAULT_BATCH		16

/*
 * 1 while a process or kthread producer is inside bpfrb_reserve() or
 * bpfrb_output() on this CPU. An hrtimer, softirq or NMI producer that
 * finds it set interrupted a reservation on its own CPU: counted, so that
 * a test knows its producers met that way.
 */
static DEFINE_PER_CPU(int, test_in_reserve);

/*
 * Brackets a reservation of a task producer with test_in_reserve, or
 * counts one of an interrupt producer that landed inside such a bracket.
 * Preemption is off inside the bracket so that the mark stays on the CPU
 * that reserves.
 */
static void reserve_mark(struct produce_run *run, bool on)
{
	if (!in_task()) {
		if (on && this_cpu_read(test_in_reserve))
			atomic64_inc(&run->interrupting);
		return;
	}
	if (on) {
		preempt_disable();
		this_cpu_write(test_in_reserve, 1);
	} else {
		this_cpu_write(test_in_reserve, 0);
		preempt_enable();
	}
}

/* One attempt of producer p; with RETRY a full ring leaves seq unused. */
enum attempt produce_attempt(struct produce_run *run, struct test_producer *p)
{
	const struct bpfrb_test_produce *arg = run->arg;
	bool retry = arg->flags & BPFRB_TEST_PRODUCE_RETRY;
	u64 seq = p->next_seq;
	u32 size = arg->payload_size;
	bool discard;
	void *sample;
	int err;

	if (arg->flags & BPFRB_TEST_PRODUCE_VARY_SIZE)
		size = bpfrb_test_vary_size(seq, size);
	discard = arg->discard_every && (seq + 1) % arg->discard_every == 0;

	if ((arg->flags & BPFRB_TEST_PRODUCE_OUTPUT) && !discard) {
		bpfrb_test_fill(p->buf, size, p->id, seq);
		reserve_mark(run, true);
		err = bpfrb_output(run->rb, p->buf, size, arg->submit_flags);
		reserve_mark(run, false);
		if (err == -EAGAIN && retry)
			return ATTEMPT_NO_SPACE;
		if (err)
			p->counts.dropped++;
		else
			p->counts.produced++;
	} else {
		reserve_mark(run, true);
		sample = bpfrb_reserve(run->rb, size, 0);
		reserve_mark(run, false);
		if (!sample) {
			if (retry)
				return ATTEMPT_NO_SPACE;
			p->counts.dropped++;
		} else {
			bpfrb_test_fill(sample, size, p->id, seq);
			if (discard) {
				bpfrb_discard(sample, arg->submit_flags);
				p->counts.discarded++;
			} else {
				bpfrb_submit(sample, arg->submit_flags);
				p->counts.produced++;
			}
		}
	}
	p->next_seq++;
	return ATTEMPT_DONE;
}

/* Loop of the process and kthread producers, which may sleep. */
static void produce_sleeping(struct produce_run *run, struct test_producer *p,
			     bool (*should_stop)(void))
{
	while (p->next_seq < run->arg->records) {
		if (READ_ONCE(run->stop) || should_stop())
			return;
		/* Give the consumer time to make room rather than spin. */
		if (produce_attempt(run, p) == ATTEMPT_NO_SPACE)
			usleep_range(20, 50);
		else
			cond_resched();
	}
}

static bool process_should_stop(void)
{
	return signal_pending(current);
}

void producer_done(struct produce_run *run)
{
	if (atomic_dec_and_test(&run->running))
		wake_up(&run->done_wq);
}

static int kthread_producer(void *data)
{
	struct test_producer *p = data;

	produce_sleeping(p->run, p, kthread_should_stop);
	producer_done(p->run);
	/* kthread_stop() needs the task alive: wait for it. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Hard IRQ context: a batch per expiry; a full ring waits for the next. */
static enum hrtimer_restart hrtimer_producer(struct hrtimer *timer)
{
	struct produce_run *run = container_of(timer, struct produce_run, timer);
	struct test_producer *p = &run->prod[BPFRB_TEST_ID_HRTIMER];
	u32 batch = run->arg->hrtimer_batch ?: DEFAULT_BATCH;
	u32 i;

	for (i = 0; i < batch && p->next_seq < run->arg->records; i++)
		if (produce_attempt(run, p) == ATTEMPT_NO_SPACE)
			break;
	if (p->next_seq >= run->arg->records || READ_ONCE(run->stop)) {
		producer_done(run);
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(timer, run->period);
	return HRTIMER_RESTART;
}

static int check_args(struct produce_run *run)
{
	const struct bpfrb_test_produce *arg = run->arg;

	if (!arg->producers ||
	    arg->producers & ~(BPFRB_TEST_PROD_ALL | BPFRB_TEST_PROD_SOFTIRQ |
			       BPFRB_TEST_PROD_NMI))
		return -EINVAL;
	if (test_contexts_check(arg))
		return -EINVAL;
	if (arg->flags & ~(BPFRB_TEST_PRODUCE_OUTPUT | BPFRB_TEST_PRODUCE_RETRY |
			   BPFRB_TEST_PRODUCE_VARY_SIZE))
		return -EINVAL;
	if (arg->payload_size < sizeof(struct bpfrb_test_record) ||
	    arg->payload_size > TEST_MAX_BUFFER)
		return -EINVAL;
	/* Retrying a record that can never fit would never end. */
	if ((arg->flags & BPFRB_TEST_PRODUCE_RETRY) &&
	    round_up((u64)arg->payload_size + BPFRB_HDR_SZ, 8) >
	    bpfrb_query(run->rb, BPFRB_RING_SIZE))
		return -E2BIG;
	return 0;
}

/* Slots used by this run: the process, the hrtimer, one kthread per CPU. */
static int setup_producers(struct produce_run *run)
{
	const struct bpfrb_test_produce *arg = run->arg;
	struct test_producer *p;
	unsigned int cpu;
	u32 id;

	for (id = 0; id < BPFRB_TEST_MAX_PRODUCERS; id++) {
		run->prod[id].run = run;
		run->prod[id].id = id;
	}
	if (arg->producers & BPFRB_TEST_PROD_PROCESS)
		run->prod[BPFRB_TEST_ID_PROCESS].counts.active = 1;
	if (arg->producers & BPFRB_TEST_PROD_HRTIMER)
		run->prod[BPFRB_TEST_ID_HRTIMER].counts.active = 1;
	if (arg->producers & BPFRB_TEST_PROD_KTHREADS) {
		for_each_online_cpu(cpu) {
			id = BPFRB_TEST_ID_KTHREAD0 + cpu;
			if (id >= BPFRB_TEST_ID_KTHREAD_END)
				break;
			p = &run->prod[id];
			p->counts.active = 1;
			p->counts.cpu = cpu;
			p->task = kthread_create_on_cpu(kthread_producer, p, cpu,
							"bpfrb_test/%u");
			if (IS_ERR(p->task)) {
				int err = PTR_ERR(p->task);

				p->task = NULL;
				return err;
			}
		}
	}
	if (arg->producers & BPFRB_TEST_PROD_SOFTIRQ)
		run->prod[BPFRB_TEST_ID_SOFTIRQ].counts.active = 1;
	if (arg->producers & BPFRB_TEST_PROD_NMI)
		run->prod[BPFRB_TEST_ID_NMI].counts.active = 1;
	for (id = 0; id < BPFRB_TEST_MAX_PRODUCERS; id++) {
		p = &run->prod[id];
		if (!p->counts.active || !(arg->flags & BPFRB_TEST_PRODUCE_OUTPUT))
			continue;
		p->buf = kvmalloc(arg->payload_size, GFP_KERNEL);
		if (!p->buf)
			return -ENOMEM;
	}
	return test_contexts_setup(run);
}

/* Stops what still runs (after a signal) and frees the run. */
static void teardown_producers(struct produce_run *run, bool timer_started)
{
	u32 id;

	WRITE_ONCE(run->stop, true);
	if (timer_started)
		hrtimer_cancel(&run->timer);
	test_contexts_teardown(run);
	for (id = 0; id < BPFRB_TEST_MAX_PRODUCERS; id++) {
		/* A kthread that never ran returns -EINTR here: fine. */
		if (run->prod[id].task)
			kthread_stop(run->prod[id].task);
		kvfree(run->prod[id].buf);
	}
}

static void start_producers(struct produce_run *run)
{
	u32 id, n = 0;

	for (id = BPFRB_TEST_ID_KTHREAD0; id < BPFRB_TEST_MAX_PRODUCERS; id++)
		if (run->prod[id].task)
			n++;
	if (run->prod[BPFRB_TEST_ID_HRTIMER].counts.active)
		n++;
	n += test_contexts_nr_running(run);
	atomic_set(&run->running, n);
	for (id = BPFRB_TEST_ID_KTHREAD0; id < BPFRB_TEST_MAX_PRODUCERS; id++)
		if (run->prod[id].task)
			wake_up_process(run->prod[id].task);
	if (run->prod[BPFRB_TEST_ID_HRTIMER].counts.active)
		hrtimer_start(&run->timer, run->period, HRTIMER_MODE_REL_HARD);
	test_contexts_start(run);
}

long test_produce(struct bpfrb_test_produce *arg)
{
	struct produce_run *run;
	u32 id;
	long ret;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->arg = arg;
	run->rb = bpfrb_get(arg->ring_id);
	if (IS_ERR(run->rb)) {
		ret = PTR_ERR(run->rb);
		goto err_free;
	}
	ret = check_args(run);
	if (ret)
		goto err_put;
	init_waitqueue_head(&run->done_wq);
	bpfrb_test_hrtimer_setup(&run->timer, hrtimer_producer, CLOCK_MONOTONIC,
				 HRTIMER_MODE_REL_HARD);
	run->period = ns_to_ktime(arg->hrtimer_period_ns ?: DEFAULT_PERIOD_NS);

	ret = setup_producers(run);
	if (ret)
		goto err_teardown;
	start_producers(run);
	if (run->prod[BPFRB_TEST_ID_PROCESS].counts.active)
		produce_sleeping(run, &run->prod[BPFRB_TEST_ID_PROCESS],
				 process_should_stop);
	if (signal_pending(current) ||
	    wait_event_interruptible(run->done_wq,
				     !atomic_read(&run->running))) {
		ret = -EINTR;
		goto err_teardown_started;
	}
	teardown_producers(run, true);

	arg->nr_producers = 0;
	for (id = 0; id < BPFRB_TEST_MAX_PRODUCERS; id++) {
		arg->counts[id] = run->prod[id].counts;
		if (arg->counts[id].active)
			arg->nr_producers = id + 1;
	}
	arg->interrupting = atomic64_read(&run->interrupting);
	test_contexts_results(run, arg);
	bpfrb_put(run->rb);
	kfree(run);
	return 0;

err_teardown_started:
	teardown_producers(run, true);
	goto err_put;
err_teardown:
	teardown_producers(run, false);
err_put:
	bpfrb_put(run->rb);
err_free:
	kfree(run);
	return ret;
}
