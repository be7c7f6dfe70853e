/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Memory ordering between this process and the ring's other side.
 *
 * Positions and record headers are shared with producers that run in the
 * kernel on other CPUs. The names are the kernel's, so that a comment
 * "pairs with smp_store_release() in the kernel" reads the same on both
 * sides; the implementation is the compiler's C11 atomics.
 */
#ifndef LIBBPFRB_BARRIER_H
#define LIBBPFRB_BARRIER_H

#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
/* A full barrier: orders earlier stores before later loads (mfence on x86). */
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* LIBBPFRB_BARRIER_H */
