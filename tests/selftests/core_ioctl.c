// SPDX-License-Identifier: GPL-2.0
/*
 * Every error of the /dev/bpfrb ioctls (SPEC §2 and the choices recorded
 * in docs/DESIGN.md), each test named after the bad input it sends and
 * asserting the exact errno.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "core_ring.h"

FIXTURE(dev) {
	int fd;
	long page;
};

FIXTURE_SETUP(dev)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = open(BPFRB_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		SKIP(return, "%s: %s (module not loaded?)", BPFRB_DEVICE,
		     strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int create_raw(int fd, struct bpfrb_create *c)
{
	return ioctl(fd, BPFRB_IOC_CREATE, c) ? errno : 0;
}

static void create_defaults(struct bpfrb_create *c, __u64 size)
{
	memset(c, 0, sizeof(*c));
	c->size = size;
	c->type = BPFRB_TYPE_KERNEL;
	c->numa_node = -1;
}

TEST_F(dev, create_size_zero_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, 0);
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_size_not_power_of_2_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, 3 * self->page);
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_size_below_page_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, self->page / 2);
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

static unsigned long long read_param(const char *name)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/bpfrb/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

TEST_F(dev, create_size_over_max_ring_size_e2big)
{
	unsigned long long max = read_param("max_ring_size");
	unsigned long long size = self->page;
	struct bpfrb_create c;

	ASSERT_NE(0ULL, max) TH_LOG("cannot read max_ring_size");
	while (size <= max)
		size <<= 1;
	create_defaults(&c, size);
	ASSERT_EQ(E2BIG, create_raw(self->fd, &c));
	/* The limit itself is allowed by the check (it may still be ENOMEM). */
}

TEST_F(dev, create_bad_type_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, self->page);
	c.type = 7;
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_user_ring_is_user)
{
	struct bpfrb_create c;
	struct bpfrb_info info;

	create_defaults(&c, self->page);
	c.type = BPFRB_TYPE_USER;
	ASSERT_EQ(0, create_raw(self->fd, &c));
	EXPECT_LT(0U, c.id);
	ASSERT_EQ(0, core_info(self->fd, &info));
	EXPECT_EQ((__u32)BPFRB_TYPE_USER, info.type);
	EXPECT_EQ(c.id, info.id);
	EXPECT_EQ((__u64)self->page, info.size);
}

TEST_F(dev, create_nonzero_flags_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, self->page);
	c.flags = 1;
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_nonzero_reserved_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, self->page);
	c.reserved[1] = 1;
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_bad_numa_node_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, self->page);
	c.numa_node = 4096;
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_name_bad_chars_einval)
{
	/* Bytes 0xc0-0xff are letters to the kernel's isalnum() (Latin-1). */
	static const char *const bad[] = {
		"a b", "a/b", "ring\n", "r\xc3\xa9", "ring\xe9", "\xc0\xff",
	};
	struct bpfrb_create c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		create_defaults(&c, self->page);
		strcpy(c.name, bad[i]);
		EXPECT_EQ(EINVAL, create_raw(self->fd, &c)) TH_LOG("name %s", bad[i]);
	}
}

TEST_F(dev, create_name_without_nul_einval)
{
	struct bpfrb_create c;

	create_defaults(&c, self->page);
	memset(c.name, 'a', sizeof(c.name));
	ASSERT_EQ(EINVAL, create_raw(self->fd, &c));
}

TEST_F(dev, create_name_of_31_chars_accepted)
{
	struct bpfrb_create c;
	struct bpfrb_info info;

	create_defaults(&c, self->page);
	memset(c.name, 'x', sizeof(c.name) - 1);
	c.name[5] = '-';
	c.name[6] = '.';
	c.name[7] = '_';
	ASSERT_EQ(0, create_raw(self->fd, &c));
	ASSERT_LT(0U, c.id);
	ASSERT_EQ(0, core_info(self->fd, &info));
	ASSERT_EQ(0, memcmp(info.name, c.name, sizeof(c.name)));
}

TEST_F(dev, create_duplicate_name_eexist)
{
	int fd2 = open(BPFRB_DEVICE, O_RDWR);

	ASSERT_LE(0, fd2);
	ASSERT_LT(0, core_create(self->fd, self->page, "core_ioctl_dup"));
	ASSERT_EQ(-EEXIST, core_create(fd2, self->page, "core_ioctl_dup"));
	/* The name is free again once its ring is gone. */
	close(self->fd);
	self->fd = -1;
	ASSERT_LT(0, core_create(fd2, self->page, "core_ioctl_dup"));
	close(fd2);
}

TEST_F(dev, create_reports_info)
{
	struct bpfrb_info info;
	int id = core_create(self->fd, 4 * self->page, "core_ioctl_info");

	ASSERT_LT(0, id);
	ASSERT_EQ(0, core_info(self->fd, &info));
	ASSERT_EQ((__u32)id, info.id);
	ASSERT_EQ((__u32)BPFRB_TYPE_KERNEL, info.type);
	ASSERT_EQ((__u64)(4 * self->page), info.size);
	ASSERT_EQ((__u32)self->page, info.page_size);
	ASSERT_EQ(0ULL, info.consumer_pos);
	ASSERT_EQ(0ULL, info.producer_pos);
	ASSERT_EQ(0ULL, info.records);
	ASSERT_EQ(0ULL, info.drops);
	ASSERT_STREQ("core_ioctl_info", info.name);
}

TEST_F(dev, second_create_ebusy)
{
	ASSERT_LT(0, core_create(self->fd, self->page, NULL));
	ASSERT_EQ(-EBUSY, core_create(self->fd, self->page, NULL));
}

TEST_F(dev, attach_after_create_ebusy)
{
	int fd2 = open(BPFRB_DEVICE, O_RDWR);
	int id;

	ASSERT_LE(0, fd2);
	id = core_create(fd2, self->page, NULL);
	ASSERT_LT(0, id);
	ASSERT_LT(0, core_create(self->fd, self->page, NULL));
	ASSERT_EQ(-EBUSY, core_attach(self->fd, id, NULL));
	close(fd2);
}

/* A file bound by ATTACH is bound as well: neither call binds it again. */
TEST_F(dev, create_or_attach_after_attach_ebusy)
{
	int fd2 = open(BPFRB_DEVICE, O_RDWR);
	int id;

	ASSERT_LE(0, fd2);
	id = core_create(fd2, self->page, NULL);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, core_attach(self->fd, id, NULL));
	ASSERT_EQ(-EBUSY, core_attach(self->fd, id, NULL));
	ASSERT_EQ(-EBUSY, core_create(self->fd, self->page, NULL));
	close(fd2);
}

TEST_F(dev, attach_by_id_and_by_name)
{
	struct bpfrb_info info;
	int fd2 = open(BPFRB_DEVICE, O_RDWR);
	int fd3 = open(BPFRB_DEVICE, O_RDWR);
	int id;

	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	id = core_create(self->fd, self->page, "core_ioctl_att");
	ASSERT_LT(0, id);
	ASSERT_EQ(0, core_attach(fd2, id, NULL));
	ASSERT_EQ(0, core_info(fd2, &info));
	ASSERT_EQ((__u32)id, info.id);
	ASSERT_EQ(0, core_attach(fd3, 0, "core_ioctl_att"));
	ASSERT_EQ(0, core_info(fd3, &info));
	ASSERT_EQ((__u32)id, info.id);
	/* The ring outlives its creator's file while others are bound. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, core_info(fd2, &info));
	ASSERT_EQ((__u32)id, info.id);
	close(fd2);
	close(fd3);
}

TEST_F(dev, attach_unknown_id_enoent)
{
	ASSERT_EQ(-ENOENT, core_attach(self->fd, 0x7ffffff0, NULL));
}

TEST_F(dev, attach_unknown_name_enoent)
{
	ASSERT_EQ(-ENOENT, core_attach(self->fd, 0, "core_ioctl_nosuch"));
}

/* "By id, or by name when id is 0" (SPEC §2): an id wins over a name. */
TEST_F(dev, attach_id_and_name_attaches_by_id)
{
	int fd_id = open(BPFRB_DEVICE, O_RDWR);
	int fd_name = open(BPFRB_DEVICE, O_RDWR);
	struct bpfrb_info info;
	int id;

	ASSERT_LE(0, fd_id);
	ASSERT_LE(0, fd_name);
	id = core_create(fd_id, self->page, "core_ioctl_by_id");
	ASSERT_LT(0, id);
	ASSERT_LT(0, core_create(fd_name, self->page, "core_ioctl_by_name"));
	ASSERT_EQ(0, core_attach(self->fd, id, "core_ioctl_by_name"));
	ASSERT_EQ(0, core_info(self->fd, &info));
	EXPECT_EQ((__u32)id, info.id);
	EXPECT_STREQ("core_ioctl_by_id", info.name);
	close(fd_name);
	close(fd_id);
}

TEST_F(dev, attach_no_id_no_name_einval)
{
	ASSERT_EQ(-EINVAL, core_attach(self->fd, 0, NULL));
}

TEST_F(dev, attach_nonzero_flags_einval)
{
	struct bpfrb_attach a;
	int fd2 = open(BPFRB_DEVICE, O_RDWR);

	ASSERT_LE(0, fd2);
	memset(&a, 0, sizeof(a));
	a.id = core_create(fd2, self->page, NULL);
	a.flags = 1;
	ASSERT_EQ(-1, ioctl(self->fd, BPFRB_IOC_ATTACH, &a));
	ASSERT_EQ(EINVAL, errno);
	close(fd2);
}

TEST_F(dev, attach_nonzero_reserved_einval)
{
	struct bpfrb_attach a;
	int fd2 = open(BPFRB_DEVICE, O_RDWR);

	ASSERT_LE(0, fd2);
	memset(&a, 0, sizeof(a));
	a.id = core_create(fd2, self->page, NULL);
	a.reserved[0] = 1;
	ASSERT_EQ(-1, ioctl(self->fd, BPFRB_IOC_ATTACH, &a));
	ASSERT_EQ(EINVAL, errno);
	close(fd2);
}

TEST_F(dev, unbound_info_enxio)
{
	struct bpfrb_info info;

	ASSERT_EQ(-ENXIO, core_info(self->fd, &info));
}

TEST_F(dev, unbound_mmap_enxio)
{
	void *p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(ENXIO, errno);
}

TEST_F(dev, unbound_poll_reports_error)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & POLLERR);
	ASSERT_FALSE(pfd.revents & POLLIN);
}

TEST_F(dev, unbound_kprobe_detach_enxio)
{
	__u32 id = 1;

	ASSERT_EQ(-1, ioctl(self->fd, BPFRB_IOC_KPROBE_DETACH, &id));
	ASSERT_EQ(ENXIO, errno);
}

TEST_F(dev, create_bad_pointer_efault)
{
	struct bpfrb_info info;

	ASSERT_EQ(-1, ioctl(self->fd, BPFRB_IOC_CREATE, (void *)16));
	ASSERT_EQ(EFAULT, errno);
	/* Nothing was created: the file is still unbound. */
	ASSERT_EQ(-ENXIO, core_info(self->fd, &info));
}

TEST_F(dev, attach_bad_pointer_efault)
{
	ASSERT_EQ(-1, ioctl(self->fd, BPFRB_IOC_ATTACH, (void *)16));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(dev, info_bad_pointer_efault)
{
	ASSERT_LT(0, core_create(self->fd, self->page, NULL));
	ASSERT_EQ(-1, ioctl(self->fd, BPFRB_IOC_INFO, (void *)16));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(dev, unknown_cmd_enotty)
{
	ASSERT_EQ(-1, ioctl(self->fd, _IO(BPFRB_IOC_MAGIC, 99)));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOR('T', 1, int), &(int){0}));
	ASSERT_EQ(ENOTTY, errno);
	/* Also once bound. */
	ASSERT_LT(0, core_create(self->fd, self->page, NULL));
	ASSERT_EQ(-1, ioctl(self->fd, _IO(BPFRB_IOC_MAGIC, 99)));
	ASSERT_EQ(ENOTTY, errno);
}

/*
 * A ring created by root, attached by a user without CAP_SYS_ADMIN: the
 * child keeps an open file of the device (0600) and drops to nobody.
 */
TEST_F(dev, attach_root_ring_as_nobody_eperm)
{
	int id, status, fd2;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to create the ring and drop privileges");
	id = core_create(self->fd, self->page, "core_ioctl_root");
	ASSERT_LT(0, id);
	fd2 = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd2);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (core_attach(fd2, id, NULL) != -EPERM)
			_exit(11);
		if (core_attach(fd2, 0, "core_ioctl_root") != -EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Root (CAP_SYS_ADMIN) may attach with the same file. */
	ASSERT_EQ(0, core_attach(fd2, id, NULL));
	close(fd2);
}

TEST_HARNESS_MAIN
