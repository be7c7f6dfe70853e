// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/bpfrb/rings: one line per ring, after a header line naming the
 * columns (docs/DESIGN.md, "The ring listing"):
 *
 *   id name type size consumer_pos producer_pos records discards drops probes
 *
 * Fields are separated by one space; a ring without a name shows "(none)",
 * which no ring name can be (parentheses are not allowed in names). The
 * file is readable by root only, like /dev/bpfrb by default.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include "bpfrb_internal.h"
#include "procfs.h"

#define BPFRB_PROC_DIR		"bpfrb"
#define BPFRB_PROC_RINGS	"rings"

static struct proc_dir_entry *bpfrb_proc_dir;

static const char *bpfrb_type_name(enum bpfrb_type type)
{
	return type == BPFRB_TYPE_USER ? "user" : "kernel";
}

/* Called under the registry mutex: the ring cannot go away meanwhile. */
static int bpfrb_proc_show_ring(struct bpfrb *rb, void *ctx)
{
	struct seq_file *m = ctx;
	struct bpfrb_info info;

	bpfrb_fill_info(rb, &info);
	seq_printf(m, "%u %s %s %llu %llu %llu %llu %llu %llu %d\n",
		   info.id, info.name[0] ? info.name : "(none)",
		   bpfrb_type_name(info.type), info.size,
		   info.consumer_pos, info.producer_pos, info.records,
		   info.discards, info.drops, atomic_read(&rb->nr_probes));
	return 0;
}

static int bpfrb_proc_show(struct seq_file *m, void *unused)
{
	seq_puts(m, "id name type size consumer_pos producer_pos records discards drops probes\n");
	return bpfrb_for_each_ring(bpfrb_proc_show_ring, m);
}

int bpfrb_procfs_init(void)
{
	bpfrb_proc_dir = proc_mkdir(BPFRB_PROC_DIR, NULL);
	if (!bpfrb_proc_dir)
		goto err;
	if (!proc_create_single(BPFRB_PROC_RINGS, 0400, bpfrb_proc_dir,
				bpfrb_proc_show))
		goto err_remove;
	return 0;

err_remove:
	proc_remove(bpfrb_proc_dir);
err:
	pr_err("cannot create /proc/%s/%s\n", BPFRB_PROC_DIR, BPFRB_PROC_RINGS);
	return -ENOMEM;
}

void bpfrb_procfs_exit(void)
{
	/* Removes the directory and the file; waits for open readers. */
	proc_remove(bpfrb_proc_dir);
}
