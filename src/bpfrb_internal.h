/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct bpfrb and the functions the module's files share.
 *
 * Not part of any API: other modules see struct bpfrb as opaque
 * (include/linux/bpfrb.h).
 */
#ifndef _BPFRB_INTERNAL_H
#define _BPFRB_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/irq_work.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/bpfrb.h>

/* Per-CPU event counters: no shared cache line on the hot path. */
struct bpfrb_stats {
	u64 records;	/* committed records */
	u64 discards;	/* discarded records */
	u64 drops;	/* refused reservations: no space, too big, NMI lock busy */
};

/* Each page user space maps starts a page of struct bpfrb. */
#define __bpfrb_page_aligned	__aligned(PAGE_SIZE)

/*
 * One ring. The struct sits at the very start of the ring's vmap'ed area
 * (see ring.c for the picture): the page-aligned members that follow it
 * are the pages user space maps, and a record header's pg_off counts pages
 * from the start of this struct, so submit/discard find the ring from a
 * sample pointer alone.
 *
 * Everything before consumer_pos is kernel-only and never mapped.
 */
struct bpfrb {
	/*
	 * Protects producer_pos, reserved_pos, pending_pos and the
	 * headers of records being reserved. Taken by producers in any
	 * context with interrupts disabled; in NMI only with a trylock (a
	 * failure is a drop). An arch_spinlock_t: why, in produce.c's
	 * bpfrb_lock(). On a line of its own with what is written under it,
	 * as the BPF ring buffer keeps its spinlock.
	 */
	arch_spinlock_t lock;
	/* Oldest record that may still be busy; see produce.c. */
	unsigned long pending_pos;
	/*
	 * consumer_pos as a reservation last read it: kernel rings' producers
	 * read the user's line only when this one says the ring is full.
	 */
	unsigned long consumer_pos_seen;
	/*
	 * Kernel rings: producer_pos as producers read it, always equal to
	 * it outside the lock. A reservation reads this copy and only writes
	 * producer_pos: reading a line another CPU wrote last and then
	 * writing it moves the line twice (shared, then exclusive), where a
	 * write alone moves it once.
	 */
	unsigned long reserved_pos;

	/*
	 * Read by every reservation and commit, written only while the ring
	 * is set up. Kept off the lines producers write, so that producers
	 * on several CPUs share this one read-only: a commit reading mask
	 * next to a lock another CPU is taking would pull the lock's line
	 * over for nothing.
	 */
	unsigned long mask ____cacheline_aligned_in_smp;	/* size - 1 */
	/*
	 * Kernel rings: size - 7, so that a sample may be reserved if and
	 * only if it is smaller than this (it fits with its header). User
	 * rings: 0, so that no sample is: the kernel never produces into
	 * them, and one compare on the reserve path refuses both.
	 */
	u64 sample_limit;
	struct bpfrb_stats __percpu *stats;
	enum bpfrb_type type;
	u32 flags;			/* as created; 0 for now */
	u32 id;				/* > 0, set once registered */
	int numa_node;
	kuid_t owner;			/* creator; root for kernel-created rings */

	/*
	 * Written when a commit wakes the consumer and when it polls.
	 * wakeup_work: commit -> wake waitq, NMI-safe.
	 */
	struct irq_work wakeup_work ____cacheline_aligned_in_smp;
	/*
	 * Kernel rings: 1 from the moment wakeup_work wakes waitq until the
	 * ring is next polled. While it is 1, every waiter holds a wakeup it
	 * has not looked at, so a commit need not queue another (notify.c).
	 */
	int wakeup_unseen;
	wait_queue_head_t waitq;	/* poll()ers of this ring */

	/*
	 * Written when files, probes and drains come and go. refcnt: files
	 * bound + kernel references.
	 */
	refcount_t refcnt ____cacheline_aligned_in_smp;
	atomic_t next_probe_id;		/* kprobe.c: ids unique within the ring */
	atomic_t nr_probes;		/* kprobe.c: probes writing into the ring */
	/*
	 * User rings: 1 while a bpfrb_user_drain() runs. Taken with a
	 * cmpxchg in any context; a second drainer gets -EBUSY (drain.c).
	 */
	atomic_t drain_busy;

	/* Memory bookkeeping, see ring.c. */
	struct page **pages;		/* meta pages, then data pages twice */
	unsigned long nr_meta_pages;
	unsigned long nr_data_pages;

	char name[BPFRB_NAME_LEN];	/* "" for none */

	/*
	 * Mapped at user offset 0. Kernel rings: read-write, written by the
	 * consumer, never trusted by the kernel. User rings: read-only,
	 * written by bpfrb_user_drain() only.
	 */
	unsigned long consumer_pos __bpfrb_page_aligned;
	/*
	 * Mapped at user offset PAGE_SIZE. Kernel rings: read-only. User
	 * rings: read-write with the data pages, never trusted by the kernel.
	 */
	unsigned long producer_pos __bpfrb_page_aligned;
	/* The data pages, mapped twice back to back. */
	u8 data[] __bpfrb_page_aligned;
};

/* Pages of struct bpfrb before consumer_pos: never mapped to user space. */
#define BPFRB_META_PAGES	(offsetof(struct bpfrb, consumer_pos) >> PAGE_SHIFT)
/* consumer_pos page + producer_pos page. */
#define BPFRB_POS_PAGES		2

/* A record of total length size fits an empty ring; payload < 2^30 (len bits). */
#define BPFRB_MAX_SIZE		BIT(30)

static inline u64 bpfrb_size(const struct bpfrb *rb)
{
	return (u64)rb->mask + 1;
}

/* main.c: module parameters, read-only once loaded. */
extern unsigned long bpfrb_max_ring_size;
extern unsigned int bpfrb_max_rings;

/* ring.c: memory of one ring. */
struct bpfrb *bpfrb_ring_alloc(u64 size, int numa_node);
void bpfrb_ring_free(struct bpfrb *rb);

/* registry.c: ids, names, references. */
int bpfrb_check_name(const char *name);
int bpfrb_check_create(u64 size, enum bpfrb_type type, u32 flags, int numa_node);
struct bpfrb *bpfrb_create_owned(const char *name, u64 size,
				 enum bpfrb_type type, u32 flags,
				 int numa_node, kuid_t owner);
/*
 * bpfrb_for_each_ring(fn, ctx) calls fn for every registered ring under
 * the registry mutex, stopping at the first non-zero return, which it
 * returns (0 otherwise). fn runs in process context, must not sleep for
 * long, and must not call the registry (create, get, put): it would
 * deadlock. The ring stays valid while fn runs.
 *
 * A macro over bpfrb_registry_walk() because checkpatch takes the
 * definition of anything named *for_each*() for a loop statement.
 */
typedef int (*bpfrb_ring_fn)(struct bpfrb *rb, void *ctx);
int bpfrb_registry_walk(bpfrb_ring_fn fn, void *ctx);
#define bpfrb_for_each_ring(fn, ctx)	bpfrb_registry_walk(fn, ctx)
void bpfrb_registry_exit(void);

/*
 * produce.c: bpfrb_reserve() for a probe handler (kprobe.c), by what the
 * probed code's saved flags say. Interrupts on: the handler is outside
 * this CPU's own reserve and waits for the ring lock, even where the
 * kernel counts the hit as NMI (int3). Interrupts off: it may run inside
 * that reserve, never waits for long, and a lock it cannot get is a drop.
 */
void *bpfrb_reserve_probed(struct bpfrb *rb, u64 size, bool probed_irqs_on);
/* produce.c: a consistent-enough snapshot for INFO and listings. */
void bpfrb_fill_info(struct bpfrb *rb, struct bpfrb_info *info);

/* notify.c: wakeups and poll. */
void bpfrb_notify_init(struct bpfrb *rb);
/* notify.h: bpfrb_notify_commit(), inline in the commit. */
/* A drain of a user ring freed space: wake producers waiting in poll. */
void bpfrb_notify_producers(struct bpfrb *rb);
void bpfrb_notify_sync(struct bpfrb *rb);
__poll_t bpfrb_poll_ring(struct bpfrb *rb, struct file *file, poll_table *pt);

/* chardev.c: /dev/bpfrb. */
int bpfrb_chardev_init(umode_t mode);
void bpfrb_chardev_exit(void);
/* The ring a file of /dev/bpfrb is bound to, or NULL. */
struct bpfrb *bpfrb_file_ring(struct file *file);

/* mmap.c: the mmap rules of SPEC §1. */
int bpfrb_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* _BPFRB_INTERNAL_H */
