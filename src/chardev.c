// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/bpfrb: open, release, ioctl and poll; binding a file to a ring.
 *
 * A fresh file is bound to no ring. CREATE or ATTACH binds it to exactly
 * one ring, for the rest of its life; everything else needs a bound file
 * (ENXIO before). Once set, the binding never changes, so readers (mmap,
 * poll, ioctls) only need an acquire load, no lock.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "bpfrb_internal.h"
#include "kprobe.h"

/* Per-file state, file->private_data. */
struct bpfrb_file {
	/* Serialises CREATE/ATTACH of this file; process context only. */
	struct mutex bind_lock;
	struct bpfrb *rb;		/* bound ring, NULL until bound */
	struct bpfrb_file_probes probes;	/* kprobes this file attached */
};

struct bpfrb *bpfrb_file_ring(struct file *file)
{
	struct bpfrb_file *bf = file->private_data;

	/* Pairs with smp_store_release() in bpfrb_file_bind(). */
	return smp_load_acquire(&bf->rb);
}

static int bpfrb_open(struct inode *inode, struct file *file)
{
	struct bpfrb_file *bf;

	bf = kzalloc(sizeof(*bf), GFP_KERNEL_ACCOUNT);
	if (!bf)
		return -ENOMEM;
	mutex_init(&bf->bind_lock);
	bpfrb_file_probes_init(&bf->probes);
	file->private_data = bf;
	/* Rings are not seekable files. */
	return nonseekable_open(inode, file);
}

static int bpfrb_release(struct inode *inode, struct file *file)
{
	struct bpfrb_file *bf = file->private_data;

	/* Probes write into the ring: detach them before dropping it. */
	bpfrb_file_probes_release(&bf->probes);
	bpfrb_put(bf->rb);
	mutex_destroy(&bf->bind_lock);
	kfree(bf);
	return 0;
}

/* Called with bf->bind_lock held and bf->rb NULL; takes over the reference. */
static void bpfrb_file_bind(struct bpfrb_file *bf, struct bpfrb *rb)
{
	/*
	 * The ring is fully set up before other threads of this file see
	 * it. Pairs with smp_load_acquire() in bpfrb_file_ring().
	 */
	smp_store_release(&bf->rb, rb);
}

static bool bpfrb_reserved_zero(const __u64 *reserved, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (reserved[i])
			return false;
	return true;
}

static long bpfrb_ioc_create(struct bpfrb_file *bf,
			     struct bpfrb_create __user *uarg)
{
	struct bpfrb_create arg;
	struct bpfrb *rb;
	long err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!bpfrb_reserved_zero(arg.reserved, ARRAY_SIZE(arg.reserved)))
		return -EINVAL;

	mutex_lock(&bf->bind_lock);
	if (bf->rb) {
		err = -EBUSY;
		goto out_unlock;
	}
	rb = bpfrb_create_owned(arg.name, arg.size, arg.type, arg.flags,
				arg.numa_node, current_euid());
	if (IS_ERR(rb)) {
		err = PTR_ERR(rb);
		goto out_unlock;
	}
	/*
	 * Report the id before binding: on EFAULT this file drops the ring
	 * (it goes away unless somebody attached to it by id meanwhile).
	 */
	if (put_user(rb->id, &uarg->id)) {
		bpfrb_put(rb);
		err = -EFAULT;
		goto out_unlock;
	}
	bpfrb_file_bind(bf, rb);
	err = 0;
out_unlock:
	mutex_unlock(&bf->bind_lock);
	return err;
}

static long bpfrb_ioc_attach(struct bpfrb_file *bf,
			     struct bpfrb_attach __user *uarg)
{
	struct bpfrb_attach arg;
	struct bpfrb *rb;
	long err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || !bpfrb_reserved_zero(arg.reserved,
					      ARRAY_SIZE(arg.reserved)))
		return -EINVAL;
	/* By id, or by name when id is 0 (SPEC §2): the name only then. */
	if (!arg.id && (!arg.name[0] || bpfrb_check_name(arg.name)))
		return -EINVAL;

	mutex_lock(&bf->bind_lock);
	if (bf->rb) {
		err = -EBUSY;
		goto out_unlock;
	}
	rb = arg.id ? bpfrb_get(arg.id) : bpfrb_get_by_name(arg.name);
	if (IS_ERR(rb)) {
		err = PTR_ERR(rb);
		goto out_unlock;
	}
	if (!uid_eq(rb->owner, current_euid()) && !capable(CAP_SYS_ADMIN)) {
		bpfrb_put(rb);
		err = -EPERM;
		goto out_unlock;
	}
	bpfrb_file_bind(bf, rb);
	err = 0;
out_unlock:
	mutex_unlock(&bf->bind_lock);
	return err;
}

static long bpfrb_ioc_info(struct bpfrb *rb, struct bpfrb_info __user *uarg)
{
	struct bpfrb_info info;

	bpfrb_fill_info(rb, &info);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long bpfrb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct bpfrb_file *bf = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct bpfrb *rb;

	switch (cmd) {
	case BPFRB_IOC_CREATE:
		return bpfrb_ioc_create(bf, uarg);
	case BPFRB_IOC_ATTACH:
		return bpfrb_ioc_attach(bf, uarg);
	case BPFRB_IOC_INFO:
	case BPFRB_IOC_KPROBE_ATTACH:
	case BPFRB_IOC_KPROBE_DETACH:
		break;
	default:
		return -ENOTTY;
	}

	rb = bpfrb_file_ring(file);
	if (!rb)
		return -ENXIO;

	switch (cmd) {
	case BPFRB_IOC_INFO:
		return bpfrb_ioc_info(rb, uarg);
	case BPFRB_IOC_KPROBE_ATTACH:
		/* Probes produce: only into kernel rings. */
		if (rb->type != BPFRB_TYPE_KERNEL)
			return -EOPNOTSUPP;
		return bpfrb_kprobe_attach_ioctl(rb, &bf->probes, uarg);
	default:
		return bpfrb_kprobe_detach_ioctl(rb, &bf->probes, uarg);
	}
}

static __poll_t bpfrb_poll(struct file *file, poll_table *pt)
{
	struct bpfrb *rb = bpfrb_file_ring(file);

	/*
	 * No wait is registered: there is no ring to wait on yet. epoll
	 * registers its wait only when the file is added to a set, so a set
	 * must add the file after it is bound (docs/DESIGN.md).
	 */
	if (!rb)
		return EPOLLERR;
	return bpfrb_poll_ring(rb, file, pt);
}

static const struct file_operations bpfrb_fops = {
	.owner		= THIS_MODULE,
	.open		= bpfrb_open,
	.release	= bpfrb_release,
	.unlocked_ioctl	= bpfrb_ioctl,
	/* Every ioctl argument has the same layout on 32 and 64 bits. */
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= bpfrb_poll,
	.mmap		= bpfrb_mmap,
};

static struct miscdevice bpfrb_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "bpfrb",
	.fops	= &bpfrb_fops,
};

int bpfrb_chardev_init(umode_t mode)
{
	int err;

	bpfrb_miscdev.mode = mode;
	err = misc_register(&bpfrb_miscdev);
	if (err)
		pr_err("cannot register /dev/bpfrb: %d\n", err);
	return err;
}

void bpfrb_chardev_exit(void)
{
	misc_deregister(&bpfrb_miscdev);
}
