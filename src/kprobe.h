/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kprobe producers: BPFRB_IOC_KPROBE_ATTACH / DETACH.
 *
 * Probes belong to the file that attached them: chardev.c keeps a
 * struct bpfrb_file_probes in each file and calls these. A file holds a
 * reference to its ring for its whole life and release detaches the
 * file's probes before dropping it, so a probe never outlives its ring.
 */
#ifndef _BPFRB_KPROBE_H
#define _BPFRB_KPROBE_H

#include <linux/list.h>
#include <linux/mutex.h>

struct bpfrb;

/* Most probes one file may attach; one more: E2BIG. */
#define BPFRB_MAX_FILE_PROBES	64
/* Most kretprobe instances one probe may ask for (as tracefs allows). */
#define BPFRB_MAX_KRETPROBE_ACTIVE	4096

/* Per-file list of attached probes, owned by the file. */
struct bpfrb_file_probes {
	/*
	 * Protects list and nr. Process context only; held across
	 * register_kprobe() on attach (and the unregistration of a probe
	 * whose attach fails), never across the detaching of an attached one.
	 */
	struct mutex lock;
	struct list_head list;		/* of struct bpfrb_probe */
	unsigned int nr;		/* entries in list */
};

void bpfrb_file_probes_init(struct bpfrb_file_probes *probes);
/* ioctl handlers; rb is the kernel ring the file is bound to. */
long bpfrb_kprobe_attach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg);
long bpfrb_kprobe_detach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg);
/* Detach every probe of a file; called from release. */
void bpfrb_file_probes_release(struct bpfrb_file_probes *probes);

#endif /* _BPFRB_KPROBE_H */
