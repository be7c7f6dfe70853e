/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfrb in-kernel API, exported in the BPFRB symbol namespace.
 *
 * A module that produces into (or drains) bpfrb rings writes
 * MODULE_IMPORT_NS(BPFRB) and builds against bpfrb's Module.symvers.
 *
 * Contexts:
 *  - bpfrb_reserve/submit/discard/output/query: any context, including
 *    hard IRQ, kprobe handlers and NMI (in NMI a reserve fails, and counts
 *    a drop, when the ring's lock is contended). Outside NMI a reserve
 *    waits for the ring's lock: a kprobe handler must not produce into a
 *    ring from a probe that can fire inside another reservation on its
 *    own CPU (a probe on a lock function, or on a sanitizer hook of a
 *    debug kernel), which would wait for itself. The module's own probes
 *    refuse such functions and wait only a bounded time.
 *  - bpfrb_create/get/get_by_name/put: process context; they may sleep.
 *  - bpfrb_user_drain: any context; its callback may sleep only if the
 *    caller may.
 *
 * MODULE_IMPORT_NS(BPFRB) works on every kernel: see BPFRB below.
 */
#ifndef _LINUX_BPFRB_H
#define _LINUX_BPFRB_H

#include <linux/types.h>
#include <linux/version.h>
#include <uapi/linux/bpfrb.h>

/*
 * The symbol namespace. Up to 6.12, MODULE_IMPORT_NS() and
 * EXPORT_SYMBOL_NS_GPL() take a bare token and stringify it; from 6.13 on
 * they take a string literal. Naming the literal BPFRB there keeps
 * MODULE_IMPORT_NS(BPFRB) (SPEC section 3) valid on both sides of the
 * change. Up to 6.12 BPFRB must stay undefined, or it would be
 * stringified with its quotes.
 */
#if KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0) >= \
	KERNEL_VERSION(6, 13, 0)
#define BPFRB "BPFRB"
#endif

struct bpfrb;

/* Returns an ERR_PTR() or a ring holding one reference for the caller. */
struct bpfrb *bpfrb_create(const char *name, u64 size, enum bpfrb_type type,
			   u32 flags, int numa_node);
/* A new reference to an existing ring, or ERR_PTR(-ENOENT). */
struct bpfrb *bpfrb_get(u32 id);
struct bpfrb *bpfrb_get_by_name(const char *name);
void bpfrb_put(struct bpfrb *rb);
u32 bpfrb_id(const struct bpfrb *rb);

/* NULL when there is no space, size is too big, flags are bad, or rb is a user ring. */
void *bpfrb_reserve(struct bpfrb *rb, u64 size, u64 flags);
/*
 * Commit or drop a reserved sample, exactly once (a second commit of the
 * same sample corrupts the ring, as in the BPF ring buffer, whose
 * verifier rules it out); the ring is found from the pointer.
 */
void bpfrb_submit(void *sample, u64 flags);
void bpfrb_discard(void *sample, u64 flags);
/* Reserve + copy + submit: 0, -EAGAIN (no space), -E2BIG, -EINVAL. */
int bpfrb_output(struct bpfrb *rb, const void *data, u64 size, u64 flags);
/* BPFRB_AVAIL_DATA ... BPFRB_DROPS; 0 for an unknown selector. */
u64 bpfrb_query(struct bpfrb *rb, u64 what);

/*
 * Records (samples and discarded ones) one bpfrb_user_drain() call looks
 * at, as the BPF user ring buffer's BPF_MAX_USER_RINGBUF_SAMPLES: it bounds
 * the time one call holds the ring. A ring with more left is drained by
 * calling again.
 */
#define BPFRB_USER_DRAIN_MAX_RECORDS	(128 * 1024)

/* Called once per user-ring sample; a non-zero return stops the drain. */
typedef int (*bpfrb_drain_fn)(void *ctx, const void *sample, u32 size);
/*
 * Samples consumed (>= 0), or -EBUSY (another drain runs), -EINVAL
 * (misaligned producer_pos, record past producer_pos, bad flags, kernel
 * ring), -E2BIG (record larger than the ring). The sample stays writable
 * by user space while fn runs: fn must read what it needs once.
 */
long bpfrb_user_drain(struct bpfrb *rb, bpfrb_drain_fn fn, void *ctx, u64 flags);

#endif /* _LINUX_BPFRB_H */
