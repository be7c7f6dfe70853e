// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel consumer of user rings: DRAIN runs one bpfrb_user_drain()
 * and reports what it returned and what the callback saw; it can echo
 * each sample, or a reply to it, into a kernel ring so that the tests
 * check content end to end. DRAIN_START / DRAIN_STOP run drainers in
 * kthreads, continuously, for stress and fuzz tests.
 *
 * The sample memory stays writable by user space while the callback runs
 * (the fuzz tests write it on purpose): the callback reads each byte it
 * uses once, and only the bytes bpfrb_user_drain() handed it.
 */
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/bpfrb.h>

#include "test_internal.h"

#define DEFAULT_IDLE_US		50

/* What one callback needs; filled by DRAIN or a drainer kthread. */
struct drain_ctx {
	struct bpfrb *rb;		/* the user ring */
	struct bpfrb *echo;		/* the kernel ring, or NULL */
	u32 mode;
	u32 test_flags;
	u32 stop_after;
	bool wait_for_space;		/* kthreads: retry a full echo ring */
	s64 value;
	s64 nested_ret;
	u64 samples;
	u64 bytes;
	u64 sum;
	u64 echo_failed;
	u64 echo_retries;
};

/* One read of each byte, so that a concurrent writer cannot confuse us. */
static u64 sum_bytes(const u8 *p, u32 size)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < size; i++)
		sum += READ_ONCE(p[i]);
	return sum;
}

static int echo_out(struct drain_ctx *c, const void *data, u32 size)
{
	int err;

	for (;;) {
		err = bpfrb_output(c->echo, data, size, 0);
		if (err != -EAGAIN || !c->wait_for_space)
			break;
		if (kthread_should_stop())
			break;
		c->echo_retries++;
		usleep_range(20, 50);
	}
	if (err)
		c->echo_failed++;
	return err;
}

/* Applies one message to c->value; the reply goes to the kernel ring. */
static void reply_to(struct drain_ctx *c, const void *sample, u32 size)
{
	struct bpfrb_test_reply reply = { .status = 0 };
	struct bpfrb_test_msg msg;

	if (size != sizeof(msg)) {
		reply.status = -EINVAL;
		goto out;
	}
	/* A private copy: the sample may change under us. */
	memcpy(&msg, sample, sizeof(msg));
	reply.seq = msg.seq;
	reply.op = msg.op;
	switch (msg.op) {
	case BPFRB_TEST_MSG_INC64:
		c->value += msg.operand_64;
		break;
	case BPFRB_TEST_MSG_INC32:
		c->value += msg.operand_32;
		break;
	case BPFRB_TEST_MSG_MUL64:
		c->value *= msg.operand_64;
		break;
	case BPFRB_TEST_MSG_MUL32:
		c->value *= msg.operand_32;
		break;
	default:
		reply.status = -EINVAL;
		break;
	}
out:
	reply.value = c->value;
	echo_out(c, &reply, sizeof(reply));
}

static int drain_cb(void *ctx, const void *sample, u32 size)
{
	struct drain_ctx *c = ctx;

	c->samples++;
	c->bytes += size;
	if ((c->test_flags & BPFRB_TEST_DRAIN_NESTED) && c->samples == 1)
		c->nested_ret = bpfrb_user_drain(c->rb, drain_cb, c, 0);

	switch (c->mode) {
	case BPFRB_TEST_DRAIN_ECHO:
		echo_out(c, sample, size);
		break;
	case BPFRB_TEST_DRAIN_REPLY:
		reply_to(c, sample, size);
		break;
	default:
		c->sum += sum_bytes(sample, size);
		break;
	}
	return c->stop_after && c->samples == c->stop_after;
}

/* The rings of a drain: the user ring, and the kernel ring to echo into. */
static int drain_get_rings(struct drain_ctx *c, u32 ring_id, u32 echo_id,
			   u32 mode)
{
	if (mode > BPFRB_TEST_DRAIN_REPLY)
		return -EINVAL;
	c->mode = mode;
	c->rb = bpfrb_get(ring_id);
	if (IS_ERR(c->rb))
		return PTR_ERR(c->rb);
	if (mode == BPFRB_TEST_DRAIN_COUNT)
		return 0;
	c->echo = bpfrb_get(echo_id);
	if (IS_ERR(c->echo)) {
		bpfrb_put(c->rb);
		return PTR_ERR(c->echo);
	}
	return 0;
}

static void drain_put_rings(struct drain_ctx *c)
{
	bpfrb_put(c->echo);
	bpfrb_put(c->rb);
}

long test_drain(struct bpfrb_test_drain *arg)
{
	struct drain_ctx *c;
	long err;

	if (arg->test_flags & ~BPFRB_TEST_DRAIN_NESTED)
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	err = drain_get_rings(c, arg->ring_id, arg->echo_id, arg->mode);
	if (err)
		goto out_free;
	c->test_flags = arg->test_flags;
	c->stop_after = arg->stop_after;
	c->value = arg->value;

	arg->ret = bpfrb_user_drain(c->rb, drain_cb, c, arg->flags);

	arg->value = c->value;
	arg->nested_ret = c->nested_ret;
	arg->samples = c->samples;
	arg->bytes = c->bytes;
	arg->sum = c->sum;
	arg->echo_failed = c->echo_failed;
	drain_put_rings(c);
out_free:
	kfree(c);
	return err;
}

/* ---- drainers in kthreads ---- */

struct drainer {
	struct task_struct *task;
	struct drain_ctx ctx;
	u64 flags;
	u32 idle_us;
	/* Counted by the kthread only, read after kthread_stop(). */
	u64 calls, ebusy, einval, e2big, other;
	s64 last_other;
};

/* Protects drainers[]; process context only (ioctls, module exit). */
static DEFINE_MUTEX(drainers_lock);
static struct drainer *drainers[BPFRB_TEST_MAX_DRAINERS];

static int drainer_fn(void *data)
{
	struct drainer *d = data;
	long ret;

	while (!kthread_should_stop()) {
		ret = bpfrb_user_drain(d->ctx.rb, drain_cb, &d->ctx, d->flags);
		d->calls++;
		if (ret == -EBUSY)
			d->ebusy++;
		else if (ret == -EINVAL)
			d->einval++;
		else if (ret == -E2BIG)
			d->e2big++;
		else if (ret < 0)
			d->last_other = ret;
		if (ret < 0 && ret != -EBUSY && ret != -EINVAL && ret != -E2BIG)
			d->other++;

		if (ret > 0)
			cond_resched();
		else
			usleep_range(d->idle_us, d->idle_us * 2);
	}
	return 0;
}

long test_drain_start(struct bpfrb_test_drainer *arg)
{
	struct drainer *d;
	long err;
	u32 slot;

	if (arg->mode > BPFRB_TEST_DRAIN_ECHO)
		return -EINVAL;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	err = drain_get_rings(&d->ctx, arg->ring_id, arg->echo_id, arg->mode);
	if (err)
		goto err_free;
	d->ctx.wait_for_space = true;
	d->flags = arg->flags;
	d->idle_us = arg->idle_us ?: DEFAULT_IDLE_US;

	mutex_lock(&drainers_lock);
	for (slot = 0; slot < BPFRB_TEST_MAX_DRAINERS; slot++)
		if (!drainers[slot])
			break;
	if (slot == BPFRB_TEST_MAX_DRAINERS) {
		err = -EBUSY;
		goto err_unlock;
	}
	d->task = kthread_run(drainer_fn, d, "bpfrb_drain/%u", slot);
	if (IS_ERR(d->task)) {
		err = PTR_ERR(d->task);
		goto err_unlock;
	}
	drainers[slot] = d;
	mutex_unlock(&drainers_lock);
	arg->slot = slot;
	return 0;

err_unlock:
	mutex_unlock(&drainers_lock);
	drain_put_rings(&d->ctx);
err_free:
	kfree(d);
	return err;
}

static void drainer_free(struct drainer *d)
{
	kthread_stop(d->task);
	drain_put_rings(&d->ctx);
	kfree(d);
}

long test_drain_stop(struct bpfrb_test_drainer *arg)
{
	struct drainer *d;

	if (arg->slot >= BPFRB_TEST_MAX_DRAINERS)
		return -EINVAL;
	mutex_lock(&drainers_lock);
	d = drainers[arg->slot];
	drainers[arg->slot] = NULL;
	mutex_unlock(&drainers_lock);
	if (!d)
		return -ENOENT;

	/* Waits for the kthread to exit: its counters are final after this. */
	kthread_stop(d->task);
	arg->calls = d->calls;
	arg->samples = d->ctx.samples;
	arg->bytes = d->ctx.bytes;
	arg->sum = d->ctx.sum;
	arg->ebusy = d->ebusy;
	arg->einval = d->einval;
	arg->e2big = d->e2big;
	arg->other = d->other;
	arg->last_other = d->last_other;
	arg->echo_retries = d->ctx.echo_retries;
	arg->echo_failed = d->ctx.echo_failed;
	drain_put_rings(&d->ctx);
	kfree(d);
	return 0;
}

void test_drain_stop_all(void)
{
	u32 slot;

	mutex_lock(&drainers_lock);
	for (slot = 0; slot < BPFRB_TEST_MAX_DRAINERS; slot++) {
		if (drainers[slot])
			drainer_free(drainers[slot]);
		drainers[slot] = NULL;
	}
	mutex_unlock(&drainers_lock);
}
