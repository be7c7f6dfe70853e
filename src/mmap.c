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
 * Only MAP_SHARED, never executable, never growing. Mappings that must
 * stay read-only lose VM_MAYWRITE so mprotect() cannot make them
 * writable: for a kernel ring the kernel trusts the record headers
 * (pg_off, len) it wrote into the data area; for a user ring it trusts
 * the consumer_pos only it writes.
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
	if (rb->type == BPFRB_TYPE_USER) {
		/* Producer page and data: user space writes them. */
		if (pgoff == 0) {
			if (vma->vm_flags & VM_WRITE)
				return -EPERM;
			bpfrb_vm_flags_clear(vma, VM_MAYWRITE);
		}
	} else if (vma->vm_flags & VM_WRITE) {
		if (pgoff != 0 || nr_pages != 1)
			return -EPERM;
	} else {
		bpfrb_vm_flags_clear(vma, VM_MAYWRITE);
	}

	user_pages = BPFRB_POS_PAGES + 2 * rb->nr_data_pages;
	if (pgoff >= user_pages || nr_pages > user_pages - pgoff)
		return -EINVAL;

	bpfrb_vm_flags_clear(vma, VM_MAYEXEC);
	/* remap_vmalloc_range() sets it too; mremap() must never grow us. */
	bpfrb_vm_flags_set(vma, VM_DONTEXPAND);

	/* User offset 0 is the consumer page, after the kernel-only pages. */
	return remap_vmalloc_range(vma, rb, pgoff + rb->nr_meta_pages);
}
