// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory: allocation, the double mapping of the data pages, freeing.
 *
 * One vmap'ed area per ring:
 *
 *   +-------------------+  <- struct bpfrb *rb (page 0)
 *   | struct bpfrb      |     kernel only, never mapped to user space
 *   | (meta pages)      |
 *   +-------------------+  <- &rb->consumer_pos      user offset 0
 *   | consumer page     |
 *   +-------------------+  <- &rb->producer_pos      user offset PAGE_SIZE
 *   | producer page     |
 *   +-------------------+  <- rb->data
 *   | data page 0       |
 *   | ...               |
 *   | data page N-1     |
 *   +-------------------+  <- rb->data + size
 *   | data page 0       |     the same physical pages again, so that a
 *   | ...               |     record wrapping the end of the ring is
 *   | data page N-1     |     contiguous in virtual memory
 *   +-------------------+
 *
 * remap_vmalloc_range() hands the same pages to user space in the same
 * order, so a consumer also sees wrapped records contiguously.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "bpfrb_internal.h"

/*
 * Memory is charged to the caller's memory cgroup (__GFP_ACCOUNT), may
 * fail instead of invoking the OOM killer for a big ring, and is zeroed so
 * that user space never sees stale kernel data.
 */
#define BPFRB_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | \
			 __GFP_NOWARN | __GFP_ZERO)

/* Caller has validated size (power of 2, page multiple) and numa_node. */
struct bpfrb *bpfrb_ring_alloc(u64 size, int numa_node)
{
	unsigned long nr_meta = BPFRB_META_PAGES + BPFRB_POS_PAGES;
	unsigned long nr_data = size >> PAGE_SHIFT;
	unsigned long nr_pages = nr_meta + 2 * nr_data;
	struct page **pages;
	struct bpfrb *rb;
	unsigned long i;

	pages = kvmalloc_node(array_size(nr_pages, sizeof(*pages)), BPFRB_GFP,
			      numa_node);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < nr_meta + nr_data; i++) {
		pages[i] = alloc_pages_node(numa_node, BPFRB_GFP, 0);
		if (!pages[i])
			goto err_free_pages;
		/* The second copy of the data pages. */
		if (i >= nr_meta)
			pages[i + nr_data] = pages[i];
		/* Up to 256 K pages: let others run on a kernel without preemption. */
		cond_resched();
	}

	/* VM_USERMAP: remap_vmalloc_range() accepts only such areas. */
	rb = vmap(pages, nr_pages, VM_MAP | VM_USERMAP, PAGE_KERNEL);
	if (!rb)
		goto err_free_pages;

	rb->pages = pages;
	rb->nr_meta_pages = BPFRB_META_PAGES;
	rb->nr_data_pages = nr_data;
	rb->mask = size - 1;
	rb->numa_node = numa_node;
	return rb;

err_free_pages:
	while (i--)
		__free_page(pages[i]);
	kvfree(pages);
	return ERR_PTR(-ENOMEM);
}

/*
 * Frees the memory of a ring that nobody references any more: no file,
 * no mapping (a mapping pins its file), no producer.
 */
void bpfrb_ring_free(struct bpfrb *rb)
{
	/* rb itself lives in the area: read what we need before vunmap(). */
	unsigned long nr = rb->nr_meta_pages + BPFRB_POS_PAGES + rb->nr_data_pages;
	struct page **pages = rb->pages;
	unsigned long i;

	vunmap(rb);
	for (i = 0; i < nr; i++) {
		__free_page(pages[i]);
		cond_resched();	/* process context: see bpfrb_put() */
	}
	kvfree(pages);
}
