// SPDX-License-Identifier: GPL-2.0
/*
 * bpfrb_test: the test module's char device and ioctl dispatch.
 *
 * /dev/bpfrb_test lets the user-space tests drive producers that use only
 * bpfrb's exported API. Each ioctl copies its argument in, checks that the
 * reserved fields are zero, runs its handler and copies the result out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/bpfrb.h>

#include "test_internal.h"

static bool all_zero(const u64 *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (words[i])
			return false;
	return true;
}

/* Copy in, check, handle, copy out: the shape of every struct ioctl. */
#define TEST_IOCTL(type, handler, extra_zero)				\
static long ioctl_##handler(void __user *uarg)				\
{									\
	type *arg;							\
	long ret;							\
									\
	arg = memdup_user(uarg, sizeof(*arg));				\
	if (IS_ERR(arg))						\
		return PTR_ERR(arg);					\
	if (!all_zero(arg->reserved, ARRAY_SIZE(arg->reserved)) ||	\
	    (extra_zero)) {						\
		ret = -EINVAL;						\
		goto out;						\
	}								\
	ret = handler(arg);						\
	if (!ret && copy_to_user(uarg, arg, sizeof(*arg)))		\
		ret = -EFAULT;						\
out:									\
	kfree(arg);							\
	return ret;							\
}

TEST_IOCTL(struct bpfrb_test_produce, test_produce, false)
TEST_IOCTL(struct bpfrb_test_create, test_create_ring, false)
TEST_IOCTL(struct bpfrb_test_hold, test_hold, arg->flags)
TEST_IOCTL(struct bpfrb_test_query, test_query, arg->pad)
TEST_IOCTL(struct bpfrb_test_reserve, test_reserve_hold, arg->pad)
TEST_IOCTL(struct bpfrb_test_commit, test_commit_held, false)
TEST_IOCTL(struct bpfrb_test_output, test_output_one, false)
TEST_IOCTL(struct bpfrb_test_drain, test_drain, arg->pad)
TEST_IOCTL(struct bpfrb_test_drainer, test_drain_start, arg->pad)
TEST_IOCTL(struct bpfrb_test_drainer, test_drain_stop, arg->pad)

static long bpfrb_test_ioctl(struct file *file, unsigned int cmd,
			     unsigned long uarg)
{
	void __user *argp = (void __user *)uarg;
	u32 id;

	switch (cmd) {
	case BPFRB_TEST_IOC_PRODUCE:
		return ioctl_test_produce(argp);
	case BPFRB_TEST_IOC_CREATE_RING:
		return ioctl_test_create_ring(argp);
	case BPFRB_TEST_IOC_RELEASE:
		if (get_user(id, (u32 __user *)argp))
			return -EFAULT;
		return test_release(id);
	case BPFRB_TEST_IOC_HOLD:
		return ioctl_test_hold(argp);
	case BPFRB_TEST_IOC_QUERY:
		return ioctl_test_query(argp);
	case BPFRB_TEST_IOC_RESERVE_HOLD:
		return ioctl_test_reserve_hold(argp);
	case BPFRB_TEST_IOC_COMMIT_HELD:
		return ioctl_test_commit_held(argp);
	case BPFRB_TEST_IOC_OUTPUT_ONE:
		return ioctl_test_output_one(argp);
	case BPFRB_TEST_IOC_DRAIN:
		return ioctl_test_drain(argp);
	case BPFRB_TEST_IOC_DRAIN_START:
		return ioctl_test_drain_start(argp);
	case BPFRB_TEST_IOC_DRAIN_STOP:
		return ioctl_test_drain_stop(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations bpfrb_test_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = bpfrb_test_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice bpfrb_test_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bpfrb_test",
	.fops = &bpfrb_test_fops,
	.mode = 0600,
};

static int __init bpfrb_test_init(void)
{
	return misc_register(&bpfrb_test_misc);
}

/*
 * No ioctl runs here (an open file pins the module), so no producer is
 * running; what is left are the drainer kthreads, references and held
 * records the tests asked the module to keep.
 */
static void __exit bpfrb_test_exit(void)
{
	misc_deregister(&bpfrb_test_misc);
	test_drain_stop_all();
	test_held_discard_all();
	test_refs_release_all();
}

module_init(bpfrb_test_init);
module_exit(bpfrb_test_exit);

MODULE_DESCRIPTION("bpfrb test producers, driven through /dev/bpfrb_test");
MODULE_LICENSE("GPL");
/* Valid on every kernel: <linux/bpfrb.h> makes BPFRB a string from 6.13. */
MODULE_IMPORT_NS(BPFRB);
