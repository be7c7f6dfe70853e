/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpfrb private header: the structs behind the opaque handles and the
 * helpers the source files share. Never installed.
 */
#ifndef LIBBPFRB_INTERNAL_H
#define LIBBPFRB_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/epoll.h>

#include "libbpfrb.h"

/*
 * One mapped ring, as SPEC §1 lays it out:
 *
 *   mmap offset 0          consumer_pos page
 *   mmap offset page_size  producer_pos page, then the data area twice:
 *
 *   producer_pos  data                    data (same pages again)
 *   +-----------+-------------------------+-------------------------+
 *   | page      | 0 ............ size - 1 | 0 ............ size - 1 |
 *   +-----------+-------------------------+-------------------------+
 *
 * so a record that wraps past the end of the data area is still
 * contiguous at data + (pos & mask).
 */
struct bpfrb_map {
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	void *data;
	unsigned long mask;		/* size - 1 */
	size_t page_size;		/* length of the consumer page mapping */
	int fd;
};

struct bpfrb_ring {
	struct bpfrb_map map;
	bpfrb_sample_fn sample_cb;
	void *ctx;
};

struct bpfrb_ring_buffer {
	struct bpfrb_ring **rings;	/* pointers: __ring() results survive __add() */
	struct pollfd *pfds;		/* poll(2) input, one per ring */
	struct epoll_event *events;	/* epoll_wait() output, one slot per ring */
	unsigned int ring_cnt;
	int epoll_fd;
	bool in_epoll;			/* rings registered: __epoll_fd() handed it out */
};

/* Set errno from a negative error code and return the code. */
static inline int bpfrb_err(int err)
{
	if (err < 0)
		errno = -err;
	return err;
}

/* Set errno to a positive error code and return NULL. */
static inline void *bpfrb_err_ptr(int err)
{
	errno = err;
	return NULL;
}

#define bpfrb_offsetofend(type, field)					\
	(offsetof(type, field) + sizeof(((type *)0)->field))

/*
 * libbpf's rule for extensible opts: sz at least covers sz itself, and any
 * bytes past the last field this library knows must be zero (a newer
 * caller asking for something this library cannot do). Past the last
 * field, not past the struct: a later version may put a field in what is
 * trailing padding here (struct bpfrb_create_opts has four bytes of it),
 * and this library must refuse it, not ignore it. BPFRB_OPTS() zeroes
 * the padding.
 */
bool bpfrb_opts_valid(const void *opts, size_t lib_sz);

#define BPFRB_OPTS_VALID(opts, type, last_field)			\
	bpfrb_opts_valid((opts), bpfrb_offsetofend(struct type, last_field))

/* opts->field when opts is non-NULL and its sz covers the field, else def. */
#define BPFRB_OPTS_GET(opts, field, def)				\
	((opts) && (opts)->sz >= bpfrb_offsetofend(__typeof__(*(opts)), field) \
	 ? (opts)->field : (def))

/* Record header length word -> bytes the record occupies in the ring. */
static inline unsigned long bpfrb_record_span(__u32 len)
{
	len &= ~(BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT);
	return ((unsigned long)len + BPFRB_HDR_SZ + 7) & ~7UL;
}

/*
 * Consume up to n records of one ring (consume.c): the number handed to
 * the callback, the callback's negative return, or -EINVAL for positions
 * that make no sense.
 */
int64_t bpfrb_ring_process(struct bpfrb_ring *r, size_t n);

/*
 * Map the ring fd is bound to, after checking with BPFRB_IOC_INFO that fd
 * is /dev/bpfrb (else ENOTTY), bound (else ENXIO) and of the expected
 * type (else EINVAL). The consumer page is writable for a kernel ring,
 * the producer page and data for a user ring. Returns 0 or -errno.
 */
int bpfrb_map_ring(struct bpfrb_map *m, int fd, enum bpfrb_type type);
void bpfrb_unmap_ring(struct bpfrb_map *m);

#endif /* LIBBPFRB_INTERNAL_H */
