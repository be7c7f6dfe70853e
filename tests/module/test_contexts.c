// SPDX-License-Identifier: GPL-2.0
/*
 * PRODUCE in the two contexts test_produce.c does not cover: softirq (a
 * timer_list callback) and NMI (x86: NMIs the module raises itself).
 *
 * NMIs are raised one at a time by a kthread: it counts one pending NMI
 * for the target CPU, sends an NMI IPI there and waits until the handler
 * has taken it. The handler takes only NMIs counted pending on its CPU,
 * so it never claims an NMI it did not raise, and makes one attempt per
 * NMI. NMIs do not queue: raising the next one only after the last was
 * handled is what makes every raised NMI an attempt.
 *
 * The IPI goes to a CPU mask, not through apic->send_IPI_self(): in x2APIC
 * mode send_IPI_self() writes the SELF IPI register, which delivers fixed
 * vectors only, so NMI_VECTOR would arrive as vector 2, not as an NMI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/bpfrb.h>

#ifdef CONFIG_X86_LOCAL_APIC
#include <asm/apic.h>
#include <asm/nmi.h>
#endif

#include "test_compat.h"
#include "test_produce.h"

#define DEFAULT_SOFTIRQ_BATCH	16
/* How long the raiser waits for its NMI before giving up. */
#define NMI_WAIT_NS		NSEC_PER_SEC
/* ... spinning at first, then sleeping so that its CPU's producers run. */
#define NMI_SPIN_US		20

/* softirq: a batch per jiffy; a full ring waits for the next expiry. */
static void softirq_producer(struct timer_list *t)
{
	struct produce_run *run = timer_container_of(run, t, softirq_timer);
	struct test_producer *p = &run->prod[BPFRB_TEST_ID_SOFTIRQ];
	u32 batch = run->arg->softirq_batch ?: DEFAULT_SOFTIRQ_BATCH;
	u32 i;

	if (!in_serving_softirq() || in_hardirq() || in_nmi())
		atomic_inc(&run->wrong_context);
	for (i = 0; i < batch && p->next_seq < run->arg->records; i++)
		if (produce_attempt(run, p) == ATTEMPT_NO_SPACE)
			break;
	if (p->next_seq >= run->arg->records || READ_ONCE(run->stop)) {
		producer_done(run);
		return;
	}
	mod_timer(t, jiffies + 1);
}

#ifdef CONFIG_X86_LOCAL_APIC

/*
 * Serializes NMI runs: the handler's nmiaction is static, so it can be
 * registered once at a time. Held from setup to teardown of a run, in
 * process context.
 */
static DEFINE_MUTEX(nmi_mutex);
/* The run whose NMIs are pending; set before the handler is registered. */
static struct produce_run *nmi_run;
/* NMIs raised on each CPU and not taken yet: 0 or 1. */
static DEFINE_PER_CPU(atomic_t, nmi_pending);

static int nmi_producer(unsigned int type, struct pt_regs *regs)
{
	atomic_t *pending = this_cpu_ptr(&nmi_pending);
	struct produce_run *run = READ_ONCE(nmi_run);
	struct test_producer *p;

	if (!run || atomic_read(pending) <= 0)
		return NMI_DONE;
	p = &run->prod[BPFRB_TEST_ID_NMI];
	if (!in_nmi())
		atomic_inc(&run->wrong_context);
	/* With RETRY a full ring leaves seq for the next NMI. */
	if (p->next_seq < run->arg->records)
		produce_attempt(run, p);
	/*
	 * The attempt (p->next_seq, p->counts) is visible before pending
	 * drops. Pairs with atomic_read_acquire() in nmi_wait_handled().
	 */
	smp_mb__before_atomic();
	atomic_dec(pending);
	return NMI_HANDLED;
}

static bool nmi_wait_handled(atomic_t *pending)
{
	u64 deadline = ktime_get_ns() + NMI_WAIT_NS;
	unsigned int us;

	for (us = 0; us < NMI_SPIN_US; us++) {
		if (!atomic_read_acquire(pending))
			return true;
		udelay(1);
	}
	while (ktime_get_ns() < deadline) {
		if (!atomic_read_acquire(pending))
			return true;
		usleep_range(10, 20);
	}
	return !atomic_read_acquire(pending);
}

/*
 * REMOTE: the NMIs are meant to land on busy producers, which end long
 * before as many NMIs are raised; raising stops when the raiser is the
 * last producer running (kthreads, hrtimer, softirq count). TARGET_BUSY:
 * as soon as the target CPU's kthread is done, although the kthread on
 * the raiser's CPU, which the raiser keeps off its CPU while it waits
 * for its NMIs, may run much longer.
 */
static bool nmi_others_done(struct produce_run *run)
{
	u32 target_id = BPFRB_TEST_ID_KTHREAD0 + run->nmi_cpu;
	const struct test_producer *target;

	if (!(run->arg->nmi_flags & BPFRB_TEST_NMI_REMOTE))
		return false;
	/* A CPU past the kthread ids has no kthread to watch. */
	if ((run->arg->nmi_flags & BPFRB_TEST_NMI_TARGET_BUSY) &&
	    target_id < BPFRB_TEST_ID_KTHREAD_END) {
		target = &run->prod[target_id];
		/* Written by that kthread; only ever grows. */
		if (READ_ONCE(target->next_seq) >= run->arg->records)
			return true;
	}
	return atomic_read(&run->running) <= 1;
}

/* The kthread that raises the NMIs, bound to the first online CPU. */
static int nmi_raiser(void *data)
{
	struct produce_run *run = data;
	struct test_producer *p = &run->prod[BPFRB_TEST_ID_NMI];
	atomic_t *pending = per_cpu_ptr(&nmi_pending, run->nmi_cpu);

	/*
	 * Its waits sleep so that its CPU's producers run meanwhile; FIFO so
	 * that it gets the CPU back from them as soon as it wakes up.
	 */
	sched_set_fifo_low(current);
	while (p->next_seq < run->arg->records) {
		if (READ_ONCE(run->stop) || kthread_should_stop() ||
		    nmi_others_done(run))
			break;
		atomic_inc(pending);
		run->nmi_raised++;
		apic->send_IPI_mask(cpumask_of(run->nmi_cpu), NMI_VECTOR);
		if (!nmi_wait_handled(pending)) {
			run->nmi_unanswered = true;
			break;
		}
		cond_resched();
	}
	producer_done(run);
	/* kthread_stop() needs the task alive: wait for it. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int nmi_setup(struct produce_run *run)
{
	unsigned int raiser_cpu;
	int err;

	if (!mutex_trylock(&nmi_mutex))
		return -EBUSY;
	cpus_read_lock();
	raiser_cpu = cpumask_first(cpu_online_mask);
	run->nmi_cpu = raiser_cpu;
	if (run->arg->nmi_flags & BPFRB_TEST_NMI_REMOTE)
		run->nmi_cpu = cpumask_next(raiser_cpu, cpu_online_mask);
	cpus_read_unlock();
	if (run->nmi_cpu >= nr_cpu_ids) {
		err = -ENODEV;
		goto err_unlock;
	}
	run->nmi_raiser = kthread_create_on_cpu(nmi_raiser, run, raiser_cpu,
						"bpfrb_test_nmi/%u");
	if (IS_ERR(run->nmi_raiser)) {
		err = PTR_ERR(run->nmi_raiser);
		run->nmi_raiser = NULL;
		goto err_unlock;
	}
	WRITE_ONCE(nmi_run, run);
	err = register_nmi_handler(NMI_LOCAL, nmi_producer, 0, "bpfrb_test");
	if (err) {
		WRITE_ONCE(nmi_run, NULL);
		/* Never woken: kthread_stop() makes it return at once. */
		kthread_stop(run->nmi_raiser);
		run->nmi_raiser = NULL;
		goto err_unlock;
	}
	run->nmi_registered = true;
	return 0;

err_unlock:
	mutex_unlock(&nmi_mutex);
	return err;
}

static void nmi_teardown(struct produce_run *run)
{
	if (!run->nmi_registered)
		return;
	/* The raiser raises nothing more once it is stopped. */
	kthread_stop(run->nmi_raiser);
	run->nmi_raiser = NULL;
	/* Waits for a handler that still runs. */
	unregister_nmi_handler(NMI_LOCAL, "bpfrb_test");
	run->nmi_registered = false;
	/* Left by an NMI that never came (nmi_unanswered). */
	atomic_set(per_cpu_ptr(&nmi_pending, run->nmi_cpu), 0);
	WRITE_ONCE(nmi_run, NULL);
	mutex_unlock(&nmi_mutex);
}

#else /* !CONFIG_X86_LOCAL_APIC */

static int nmi_setup(struct produce_run *run)
{
	return -EOPNOTSUPP;
}

static void nmi_teardown(struct produce_run *run)
{
}

#endif /* CONFIG_X86_LOCAL_APIC */

int test_contexts_check(const struct bpfrb_test_produce *arg)
{
	if (arg->nmi_flags & ~(BPFRB_TEST_NMI_REMOTE | BPFRB_TEST_NMI_TARGET_BUSY))
		return -EINVAL;
	/* TARGET_BUSY watches the kthread of REMOTE's target CPU. */
	if ((arg->nmi_flags & BPFRB_TEST_NMI_TARGET_BUSY) &&
	    (!(arg->nmi_flags & BPFRB_TEST_NMI_REMOTE) ||
	     !(arg->producers & BPFRB_TEST_PROD_KTHREADS)))
		return -EINVAL;
	if (arg->nmi_flags && !(arg->producers & BPFRB_TEST_PROD_NMI))
		return -EINVAL;
	/* REMOTE raises only while one of these runs. */
	if ((arg->nmi_flags & BPFRB_TEST_NMI_REMOTE) &&
	    !(arg->producers & (BPFRB_TEST_PROD_KTHREADS |
				BPFRB_TEST_PROD_HRTIMER | BPFRB_TEST_PROD_SOFTIRQ)))
		return -EINVAL;
	if (arg->softirq_batch && !(arg->producers & BPFRB_TEST_PROD_SOFTIRQ))
		return -EINVAL;
	return 0;
}

int test_contexts_setup(struct produce_run *run)
{
	int err;

	atomic_set(&run->wrong_context, 0);
	if (run->arg->producers & BPFRB_TEST_PROD_NMI) {
		err = nmi_setup(run);
		if (err)
			return err;
	}
	if (run->arg->producers & BPFRB_TEST_PROD_SOFTIRQ) {
		timer_setup(&run->softirq_timer, softirq_producer, 0);
		run->softirq_ready = true;
	}
	return 0;
}

unsigned int test_contexts_nr_running(struct produce_run *run)
{
	return run->softirq_ready + run->nmi_registered;
}

void test_contexts_start(struct produce_run *run)
{
	if (run->softirq_ready)
		mod_timer(&run->softirq_timer, jiffies + 1);
	if (run->nmi_registered)
		wake_up_process(run->nmi_raiser);
}

void test_contexts_teardown(struct produce_run *run)
{
	if (run->softirq_ready) {
		/* run->stop is set: the callback does not rearm. */
		timer_delete_sync(&run->softirq_timer);
		run->softirq_ready = false;
	}
	nmi_teardown(run);
}

void test_contexts_results(struct produce_run *run,
			   struct bpfrb_test_produce *arg)
{
	arg->nmi_raised = run->nmi_raised;
	arg->nmi_unanswered = run->nmi_unanswered;
	arg->wrong_context = atomic_read(&run->wrong_context);
}
