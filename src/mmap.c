// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping a ring into user space (SPEC §1):
 *
 *                     kernel ring              user ring
 *   offset 0          the consumer page;       the consumer page;
 *                     writable only as         read-only
 *                     exactly that one page
 *   offset PAGE_SIZE  the producer page, then the data area twice;
 *                     read-only                read-write
 *
 * Only MAP_SHARED, never executable, never growing, never past the end
 * of the table: asking for more than it allows is EPERM (SPEC §1). Every
 * read-only mapping loses VM_MAYWRITE so mprotect() cannot make it
 * writable, as bpf_map_mmap() does; for the parts that must stay
 * read-only that is what protects the kernel: for a kernel ring it trusts
 * the record headers (pg_off, len) it wrote into the data area, for a
 * user ring the consumer_pos only it writes.
 * The mapping pins its file and the file pins the ring, so no vm_ops are
 * needed; fork() copies the page table entries of the inserted pages.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include "bpfrb_internal.h"
#include "compat.h"

int bpfrb_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct bpfrb *rb = bpfrb_file_ring(file);
	unsigned long user_pages, nr_pages, pgoff = vma->vm_pgoff;

	if (!rb)
		return -ENXIO;
	/*
	 * A private copy would never see the other side's updates. Asked of
	 * VM_MAYSHARE: a MAP_SHARED mapping of a file opened read-only has
	 * VM_SHARED cleared by mmap(2) (it can never write), and reading the
	 * ring through one is fine.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	nr_pages = vma_pages(vma);
	if (vma->vm_flags & VM_WRITE) {
		/*
		 * Kernel ring: exactly the consumer page. User ring: the
		 * producer page and data, which user space writes.
		 */
		if (rb->type == BPFRB_TYPE_USER ? pgoff == 0 :
		    pgoff != 0 || nr_pages != 1)
			return -EPERM;
	}

	user_pages = BPFRB_POS_PAGES + 2 * rb->nr_data_pages;
	if (pgoff >= user_pages || nr_pages > user_pages - pgoff)
		return -EPERM;

	if (!(vma->vm_flags & VM_WRITE))
		bpfrb_vm_flags_clear(vma, VM_MAYWRITE);
	bpfrb_vm_flags_clear(vma, VM_MAYEXEC);
	/* remap_vmalloc_range() sets it too; mremap() must never grow us. */
	bpfrb_vm_flags_set(vma, VM_DONTEXPAND);

	/* User offset 0 is the consumer page, after the kernel-only pages. */
	return remap_vmalloc_range(vma, rb, pgoff + rb->nr_meta_pages);
}
