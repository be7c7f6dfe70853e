// SPDX-License-Identifier: GPL-2.0
/*
 * Kprobe producers. Placeholder until the kprobe work lands: the ioctls
 * answer EOPNOTSUPP.
 */
#include <linux/errno.h>
#include "kprobe.h"

void bpfrb_file_probes_init(struct bpfrb_file_probes *probes)
{
	mutex_init(&probes->lock);
	INIT_LIST_HEAD(&probes->list);
}

long bpfrb_kprobe_attach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg)
{
	return -EOPNOTSUPP;
}

long bpfrb_kprobe_detach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg)
{
	return -EOPNOTSUPP;
}

void bpfrb_file_probes_release(struct bpfrb_file_probes *probes)
{
}
