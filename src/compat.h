/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference bpfrb has to care about, and nowhere else.
 *
 * Supported: 6.1 and later.
 */
#ifndef _BPFRB_COMPAT_H
#define _BPFRB_COMPAT_H

#include <linux/version.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/bpfrb.h>

/*
 * True when building against a kernel older than major.minor. Written with
 * LINUX_VERSION_MAJOR/PATCHLEVEL (both in <linux/version.h> since 5.x) so
 * that stable sublevels above 255 cannot confuse it.
 */
#define BPFRB_KERNEL_BEFORE(major, minor)				\
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0) < \
	 KERNEL_VERSION(major, minor, 0))

/*
 * 6.3 made vma->vm_flags read-only and added helpers that take the
 * mmap lock assertions into account; before that the field is written
 * directly. Our callers hold the mmap lock for writing (->mmap).
 */
#if BPFRB_KERNEL_BEFORE(6, 3)
static inline void bpfrb_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void bpfrb_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#else
static inline void bpfrb_vm_flags_set(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void bpfrb_vm_flags_clear(struct vm_area_struct *vma,
					vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#endif

/*
 * Exports into the BPFRB symbol namespace, on every kernel: from 6.13 on,
 * <linux/bpfrb.h> defines BPFRB as the string literal the macro wants.
 * Named EXPORT_SYMBOL_* so that checkpatch knows it is an export.
 */
#define EXPORT_SYMBOL_BPFRB(sym)	EXPORT_SYMBOL_NS_GPL(sym, BPFRB)

#endif /* _BPFRB_COMPAT_H */
