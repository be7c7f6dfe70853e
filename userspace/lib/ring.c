// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Ring helpers: create a ring or attach to one, each giving a file of
 * /dev/bpfrb bound to it, and read its info.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* A valid ring size: a power of two, at least one page. */
static int round_ring_size(__u64 size, __u64 *out)
{
	__u64 page = (__u64)sysconf(_SC_PAGESIZE);
	__u64 valid = page;

	if (!size)
		return -EINVAL;
	while (valid < size) {
		if (valid > UINT64_MAX / 2)
			return -E2BIG;
		valid <<= 1;
	}
	*out = valid;
	return 0;
}

/* Copy a ring name into a BPFRB_NAME_LEN field; NULL means "". */
static int copy_name(char *dst, const char *name)
{
	size_t len;

	if (!name)
		return 0;
	len = strlen(name);
	if (len >= BPFRB_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(dst, name, len + 1);
	return 0;
}

static int open_device(void)
{
	int fd = open(BPFRB_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Issue a binding ioctl on a fresh file; returns the file or -errno. */
static int open_bound(unsigned long req, void *arg)
{
	int fd, err;

	fd = open_device();
	if (fd < 0)
		return fd;
	if (ioctl(fd, req, arg) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int bpfrb_create(const char *name, __u64 size, enum bpfrb_type type,
		 const struct bpfrb_create_opts *opts)
{
	struct bpfrb_create req;
	int err;

	if (!BPFRB_OPTS_VALID(opts, bpfrb_create_opts, numa_node))
		return bpfrb_err(-EINVAL);
	if (type != BPFRB_TYPE_KERNEL && type != BPFRB_TYPE_USER)
		return bpfrb_err(-EINVAL);

	memset(&req, 0, sizeof(req));
	err = round_ring_size(size, &req.size);
	if (err)
		return bpfrb_err(err);
	err = copy_name(req.name, name);
	if (err)
		return bpfrb_err(err);
	req.type = type;
	req.flags = BPFRB_OPTS_GET(opts, flags, 0);
	req.numa_node = BPFRB_OPTS_GET(opts, numa_node_set, false) ?
			BPFRB_OPTS_GET(opts, numa_node, -1) : -1;

	return bpfrb_err(open_bound(BPFRB_IOC_CREATE, &req));
}

int bpfrb_attach_id(__u32 id)
{
	struct bpfrb_attach req;

	/* id 0 means "by name" to the kernel: not what the caller asked. */
	if (!id)
		return bpfrb_err(-EINVAL);
	memset(&req, 0, sizeof(req));
	req.id = id;
	return bpfrb_err(open_bound(BPFRB_IOC_ATTACH, &req));
}

int bpfrb_attach_name(const char *name)
{
	struct bpfrb_attach req;
	int err;

	if (!name || !*name)
		return bpfrb_err(-EINVAL);
	memset(&req, 0, sizeof(req));
	err = copy_name(req.name, name);
	if (err)
		return bpfrb_err(err);
	return bpfrb_err(open_bound(BPFRB_IOC_ATTACH, &req));
}

int bpfrb_info(int fd, struct bpfrb_info *info)
{
	if (!info || fd < 0)
		return bpfrb_err(fd < 0 ? -EBADF : -EINVAL);
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, BPFRB_IOC_INFO, info) < 0)
		return bpfrb_err(-errno);
	return 0;
}
