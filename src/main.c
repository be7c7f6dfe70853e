// SPDX-License-Identifier: GPL-2.0
/*
 * bpfrb: the Linux BPF ring buffer design as a loadable module.
 *
 * Module init/exit and parameters. The parameters are read-only once
 * loaded, so no lock is needed to read them.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/stat.h>
#include "bpfrb_internal.h"
#include "procfs.h"

unsigned long bpfrb_max_ring_size = 256UL << 20;
module_param_named(max_ring_size, bpfrb_max_ring_size, ulong, 0444);
MODULE_PARM_DESC(max_ring_size,
		 "Largest data area of one ring in bytes (at most 1 GiB; default 256 MiB; larger: E2BIG)");

unsigned int bpfrb_max_rings = 1024;
module_param_named(max_rings, bpfrb_max_rings, uint, 0444);
MODULE_PARM_DESC(max_rings,
		 "Most rings that may exist at once (default 1024; one more: ENOMEM)");

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permissions of /dev/bpfrb (default 0600)");

static int __init bpfrb_init(void)
{
	int err;

	if (bpfrb_max_ring_size < PAGE_SIZE ||
	    bpfrb_max_ring_size > BPFRB_MAX_SIZE) {
		pr_err("max_ring_size must be between %lu and %lu\n",
		       PAGE_SIZE, BPFRB_MAX_SIZE);
		return -EINVAL;
	}
	if (mode & ~0777) {
		pr_err("mode must be a permission mask (0..0777)\n");
		return -EINVAL;
	}

	err = bpfrb_procfs_init();
	if (err)
		return err;
	err = bpfrb_chardev_init(mode);
	if (err) {
		bpfrb_procfs_exit();
		return err;
	}
	pr_debug("loaded\n");
	return 0;
}

static void __exit bpfrb_exit(void)
{
	bpfrb_chardev_exit();
	bpfrb_procfs_exit();
	bpfrb_registry_exit();
}

module_init(bpfrb_init);
module_exit(bpfrb_exit);

MODULE_DESCRIPTION("BPF ring buffer design as a character device and kernel API");
MODULE_AUTHOR("bpfrb authors");
MODULE_LICENSE("GPL");
