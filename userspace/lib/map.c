// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Mapping a ring into this process (the layout is drawn in internal.h).
 * The consumer side of a kernel ring and the producer side of a user ring
 * map the same two areas with opposite permissions.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* Sizes the kernel reported, checked before we map by them. */
static int check_info(const struct bpfrb_info *info, enum bpfrb_type type,
		      size_t *page_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (info->type != (__u32)type)
		return -EINVAL;
	if (info->page_size && info->page_size != page)
		return -EINVAL;
	if (info->size < page || (info->size & (info->size - 1)))
		return -EINVAL;
	*page_size = page;
	return 0;
}

int bpfrb_map_ring(struct bpfrb_map *m, int fd, enum bpfrb_type type)
{
	int cons_prot, prod_prot, err;
	struct bpfrb_info info;
	__u64 data_map_sz;
	void *p;

	memset(m, 0, sizeof(*m));
	m->fd = -1;

	if (fd < 0)
		return -EBADF;
	/* Not /dev/bpfrb: ENOTTY; not bound to a ring: ENXIO. */
	if (bpfrb_info(fd, &info))
		return -errno;
	err = check_info(&info, type, &m->page_size);
	if (err)
		return err;

	data_map_sz = m->page_size + 2 * info.size;
	if (info.size > SIZE_MAX / 4 || data_map_sz != (size_t)data_map_sz)
		return -E2BIG;

	if (type == BPFRB_TYPE_KERNEL) {
		cons_prot = PROT_READ | PROT_WRITE;
		prod_prot = PROT_READ;
	} else {
		cons_prot = PROT_READ;
		prod_prot = PROT_READ | PROT_WRITE;
	}

	p = mmap(NULL, m->page_size, cons_prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->consumer_pos = p;

	p = mmap(NULL, (size_t)data_map_sz, prod_prot, MAP_SHARED, fd,
		 (off_t)m->page_size);
	if (p == MAP_FAILED) {
		err = -errno;
		bpfrb_unmap_ring(m);
		return err;
	}
	m->producer_pos = p;
	m->data = (char *)p + m->page_size;
	m->mask = (unsigned long)info.size - 1;
	m->fd = fd;
	return 0;
}

void bpfrb_unmap_ring(struct bpfrb_map *m)
{
	if (m->consumer_pos)
		munmap(m->consumer_pos, m->page_size);
	if (m->producer_pos)
		munmap(m->producer_pos, m->page_size + 2 * (m->mask + 1));
	m->consumer_pos = NULL;
	m->producer_pos = NULL;
	m->data = NULL;
}
