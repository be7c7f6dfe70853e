/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpfrb: user-space access to bpfrb rings (/dev/bpfrb).
 *
 * libbpf's ring buffer API with a bpfrb_ prefix: a program written for
 * ring_buffer__*() / ring__*() / user_ring_buffer__*() ports by renaming,
 * but for ring__map_fd(), here bpfrb_ring__fd(); __poll() returning 0,
 * not -EINTR, when a signal interrupts its wait; and ring fds that
 * must stay open while the ring buffer uses them (see __new()).
 *
 * Functions that return int return a negative errno on failure and set
 * errno; functions that return a pointer return NULL and set errno.
 * Every *_opts struct starts with size_t sz, set to sizeof(the struct) by
 * the caller (BPFRB_OPTS() does it): a library built with a smaller struct
 * accepts a bigger one as long as the bytes it does not know are zero.
 * Those include the struct's trailing padding (libbpf's rule), which a
 * plain initializer may leave as the stack had it: declare opts with
 * BPFRB_OPTS(), or memset() them first.
 */
#ifndef LIBBPFRB_H
#define LIBBPFRB_H

#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpfrb.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Declare and initialise an opts struct: sz is set, the other fields are
 * zero unless named, e.g.
 *	BPFRB_OPTS(bpfrb_kprobe_opts, o, .nargs = 2);
 */
#define BPFRB_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

/* ---- rings ---- */

struct bpfrb_create_opts {
	size_t sz;		/* sizeof(struct bpfrb_create_opts) */
	__u32 flags;		/* struct bpfrb_create.flags: 0 for now */
	bool numa_node_set;	/* false: any node; true: allocate on numa_node */
	int numa_node;
	size_t :0;
};

/*
 * Create a ring and return an O_CLOEXEC fd of /dev/bpfrb bound to it.
 * size is rounded up to the next valid size (a power of two, at least one
 * page); name may be NULL or "" for an anonymous ring.
 */
int bpfrb_create(const char *name, __u64 size, enum bpfrb_type type,
		 const struct bpfrb_create_opts *opts);
/* Return an fd bound to an existing ring, found by id or by name. */
int bpfrb_attach_id(__u32 id);
int bpfrb_attach_name(const char *name);
/* Snapshot of the ring fd is bound to (BPFRB_IOC_INFO). */
int bpfrb_info(int fd, struct bpfrb_info *info);

struct bpfrb_kprobe_opts {
	size_t sz;		/* sizeof(struct bpfrb_kprobe_opts) */
	__u64 offset;		/* into the symbol; entry probes only */
	__u32 flags;		/* BPFRB_KPROBE_RETURN for a kretprobe */
	__u32 nargs;		/* 0..6 argument registers to record */
	__u32 maxactive;	/* kretprobe instances, 0 for the default */
	size_t :0;
};

/*
 * Attach a kprobe on symbol that writes struct bpfrb_event records into
 * the kernel ring fd is bound to; opts may be NULL (entry probe, no
 * arguments). Returns the probe id (>= 0). Closing fd detaches its probes.
 */
int bpfrb_kprobe_attach(int fd, const char *symbol,
			const struct bpfrb_kprobe_opts *opts);
int bpfrb_kprobe_detach(int fd, __u32 probe_id);

/* ---- consuming kernel rings (libbpf: ring_buffer__*, ring__*) ---- */

/*
 * Called once per committed record, in ring order, with its payload.
 * A negative return stops consumption and is what poll/consume return.
 */
typedef int (*bpfrb_sample_fn)(void *ctx, void *data, size_t size);

struct bpfrb_ring_buffer;	/* a set of rings waited on together */
struct bpfrb_ring;		/* one ring of that set */

struct bpfrb_ring_buffer_opts {
	size_t sz;		/* sizeof(struct bpfrb_ring_buffer_opts) */
};

/*
 * fd must stay open while the ring buffer uses it; the ring buffer does not
 * close it.
 */
struct bpfrb_ring_buffer *bpfrb_ring_buffer__new(int fd, bpfrb_sample_fn fn, void *ctx,
						 const struct bpfrb_ring_buffer_opts *opts);
int bpfrb_ring_buffer__add(struct bpfrb_ring_buffer *rb, int fd, bpfrb_sample_fn fn,
			   void *ctx);
/* Wait up to timeout_ms (-1: forever) for data, then consume it. */
int bpfrb_ring_buffer__poll(struct bpfrb_ring_buffer *rb, int timeout_ms);
/* Consume what is there without waiting. */
int bpfrb_ring_buffer__consume(struct bpfrb_ring_buffer *rb);
/* The same, stopping after n records (n = 0 consumes nothing). */
int bpfrb_ring_buffer__consume_n(struct bpfrb_ring_buffer *rb, size_t n);
int bpfrb_ring_buffer__epoll_fd(const struct bpfrb_ring_buffer *rb);
/* The idx-th ring added (0 is the one passed to __new); NULL + ERANGE past the end. */
struct bpfrb_ring *bpfrb_ring_buffer__ring(struct bpfrb_ring_buffer *rb, unsigned int idx);
void bpfrb_ring_buffer__free(struct bpfrb_ring_buffer *rb);

unsigned long bpfrb_ring__consumer_pos(const struct bpfrb_ring *r);
unsigned long bpfrb_ring__producer_pos(const struct bpfrb_ring *r);
size_t bpfrb_ring__avail_data_size(const struct bpfrb_ring *r);
size_t bpfrb_ring__size(const struct bpfrb_ring *r);
int bpfrb_ring__fd(const struct bpfrb_ring *r);
int bpfrb_ring__consume(struct bpfrb_ring *r);
int bpfrb_ring__consume_n(struct bpfrb_ring *r, size_t n);

/* ---- producing into user rings (libbpf: user_ring_buffer__*) ---- */

struct bpfrb_user_ring_buffer;

struct bpfrb_user_ring_buffer_opts {
	size_t sz;		/* sizeof(struct bpfrb_user_ring_buffer_opts) */
};

/* fd must be bound to a BPFRB_TYPE_USER ring and stay open. */
struct bpfrb_user_ring_buffer *bpfrb_user_ring_buffer__new(int fd,
				const struct bpfrb_user_ring_buffer_opts *opts);
/*
 * A sample of size bytes to write and then submit or discard, or NULL
 * with errno E2BIG (larger than the ring can ever hold), ENOSPC (no
 * space now) or EINVAL (positions another process scribbled). One
 * producer at a time.
 */
void *bpfrb_user_ring_buffer__reserve(struct bpfrb_user_ring_buffer *rb, __u32 size);
/* The same, waiting up to timeout_ms (-1: forever, 0: never) for space. */
void *bpfrb_user_ring_buffer__reserve_blocking(struct bpfrb_user_ring_buffer *rb,
					       __u32 size, int timeout_ms);
/*
 * Commit a sample rb reserved. A pointer outside rb's data, off its 8-byte
 * grid, or to a sample committed already sets errno EINVAL and writes
 * nothing; NULL is ignored. A stray pointer into rb's data right after a
 * word with the busy bit set cannot be told from a sample: that bit is
 * cleared, and nothing outside the ring is ever written.
 */
void bpfrb_user_ring_buffer__submit(struct bpfrb_user_ring_buffer *rb, void *sample);
void bpfrb_user_ring_buffer__discard(struct bpfrb_user_ring_buffer *rb, void *sample);
void bpfrb_user_ring_buffer__free(struct bpfrb_user_ring_buffer *rb);

#ifdef __cplusplus
}
#endif

#endif /* LIBBPFRB_H */
