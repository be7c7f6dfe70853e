/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kprobe producers: BPFRB_IOC_KPROBE_ATTACH / DETACH.
 *
 * Probes belong to the file that attached them: chardev.c keeps a
 * struct bpfrb_file_probes in each file and calls these.
 */
#ifndef _BPFRB_KPROBE_H
#define _BPFRB_KPROBE_H

#include <linux/list.h>
#include <linux/mutex.h>

struct bpfrb;

/* Per-file list of attached probes, owned by the file. */
struct bpfrb_file_probes {
	struct mutex lock;		/* protects list; process context only */
	struct list_head list;
};

void bpfrb_file_probes_init(struct bpfrb_file_probes *probes);
/* ioctl handlers; rb is the ring the file is bound to. */
long bpfrb_kprobe_attach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg);
long bpfrb_kprobe_detach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg);
/* Detach every probe of a file; called from release. */
void bpfrb_file_probes_release(struct bpfrb_file_probes *probes);

#endif /* _BPFRB_KPROBE_H */
