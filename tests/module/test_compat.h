/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences of the test module's own calls (the bpfrb
 * module keeps its own in src/compat.h). Supported: 6.1 and later.
 */
#ifndef _BPFRB_TEST_COMPAT_H
#define _BPFRB_TEST_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/timer.h>
#include <linux/version.h>

#define BPFRB_TEST_KERNEL_BEFORE(major, minor)				\
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0) < \
	 KERNEL_VERSION(major, minor, 0))

/*
 * hrtimer_setup() arrived in 6.13 and replaced hrtimer_init() plus a
 * store to ->function, which later kernels no longer have.
 */
#if BPFRB_TEST_KERNEL_BEFORE(6, 13)
static inline void
bpfrb_test_hrtimer_setup(struct hrtimer *timer,
			 enum hrtimer_restart (*fn)(struct hrtimer *),
			 clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
}
#else
#define bpfrb_test_hrtimer_setup hrtimer_setup
#endif

/* 6.16 renamed from_timer() to timer_container_of(). */
#if BPFRB_TEST_KERNEL_BEFORE(6, 16)
#define timer_container_of(var, timer, field) from_timer(var, timer, field)
#endif

#endif /* _BPFRB_TEST_COMPAT_H */
