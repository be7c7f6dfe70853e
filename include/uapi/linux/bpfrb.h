/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bpfrb: the BPF ring buffer design as a character device.
 *
 * User ABI of /dev/bpfrb. The contract is SPEC.md (names, numbers and
 * semantics are fixed); this header only uses <linux/types.h> and
 * <linux/ioctl.h> so that it compiles on its own as C90 and as C++.
 */
#ifndef _UAPI_LINUX_BPFRB_H
#define _UAPI_LINUX_BPFRB_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define BPFRB_DEVICE		"/dev/bpfrb"

/* Record header: { __u32 len; __u32 pg_off; }, byte-identical to BPF's. */
#define BPFRB_BUSY_BIT		(1U << 31)	/* still being written */
#define BPFRB_DISCARD_BIT	(1U << 30)	/* the consumer skips it */
#define BPFRB_HDR_SZ		8

#define BPFRB_NAME_LEN		32		/* with the NUL */
#define BPFRB_SYM_LEN		128		/* with the NUL */

enum bpfrb_type {
	BPFRB_TYPE_KERNEL = 0,	/* kernel produces, user space consumes */
	BPFRB_TYPE_USER = 1	/* user space produces, kernel drains */
};

/* Flags of submit, discard, output and drain. */
#define BPFRB_NO_WAKEUP		(1ULL << 0)
#define BPFRB_FORCE_WAKEUP	(1ULL << 1)

/* bpfrb_query() selectors. */
#define BPFRB_AVAIL_DATA	0
#define BPFRB_RING_SIZE		1
#define BPFRB_CONS_POS		2
#define BPFRB_PROD_POS		3
#define BPFRB_DROPS		4

/* struct bpfrb_kprobe.flags */
#define BPFRB_KPROBE_RETURN	(1U << 0)

struct bpfrb_create {
	__u64 size;			/* in: data bytes: power of 2, >= page size */
	__u32 type;			/* in: enum bpfrb_type */
	__u32 flags;			/* in: must be 0 for now */
	__s32 numa_node;		/* in: -1 for any */
	__u32 id;			/* out: ring id, > 0 */
	char  name[BPFRB_NAME_LEN];	/* in: "" for none; else unique, [A-Za-z0-9_.-] */
	__u64 reserved[2];		/* must be zero */
};

struct bpfrb_attach {
	__u32 id;			/* ring id, or 0 to attach by name */
	__u32 flags;			/* must be 0 */
	char  name[BPFRB_NAME_LEN];
	__u64 reserved[2];		/* must be zero */
};

struct bpfrb_info {
	__u32 id;
	__u32 type;
	__u64 size;
	__u32 flags;
	__u32 page_size;		/* length of the consumer page mapping */
	__u64 consumer_pos;
	__u64 producer_pos;
	__u64 records;			/* committed records */
	__u64 discards;			/* discarded records */
	/* reservations refused: no space, too big, lock busy in NMI */
	__u64 drops;
	char  name[BPFRB_NAME_LEN];
	__u64 reserved[4];
};

struct bpfrb_kprobe {
	char  symbol[BPFRB_SYM_LEN];
	__u64 offset;			/* entry probes only */
	__u32 flags;			/* BPFRB_KPROBE_RETURN for a kretprobe */
	__u32 nargs;			/* 0..6 argument registers to record */
	__u32 maxactive;		/* kretprobe instances, 0 for the default */
	__u32 id;			/* out: probe id, unique within the ring */
	__u64 reserved[2];		/* must be zero */
};

/* One record per probe hit, 96 bytes. */
struct bpfrb_event {
	__u64 ts_ns;			/* ktime_get_ns() */
	__u64 ip;			/* probed address */
	/* entry: the first nargs arguments, the rest 0; return: args[0] = return value */
	__u64 args[6];
	__u32 probe_id;
	__u32 cpu;
	__u32 pid;			/* thread id */
	__u32 tgid;			/* process id */
	char  comm[16];
};

/* 0xBF is not claimed in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define BPFRB_IOC_MAGIC		0xBF

#define BPFRB_IOC_CREATE	_IOWR(BPFRB_IOC_MAGIC, 1, struct bpfrb_create)
#define BPFRB_IOC_ATTACH	_IOW(BPFRB_IOC_MAGIC, 2, struct bpfrb_attach)
#define BPFRB_IOC_INFO		_IOR(BPFRB_IOC_MAGIC, 3, struct bpfrb_info)
#define BPFRB_IOC_KPROBE_ATTACH	_IOWR(BPFRB_IOC_MAGIC, 4, struct bpfrb_kprobe)
#define BPFRB_IOC_KPROBE_DETACH	_IOW(BPFRB_IOC_MAGIC, 5, __u32)

#endif /* _UAPI_LINUX_BPFRB_H */
