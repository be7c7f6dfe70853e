// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: bpfrb cannot be unloaded while a ring file is open, while a
 * mapping outlives its file, while a probe is attached, or while
 * bpfrb_test (a user of its exported symbols) is loaded; both modules survive 100 load/unload cycles; a ring
 * lives exactly as long as something holds it, kernel references included.
 *
 * Needs BPFRB_KO and BPFRB_TEST_KO (paths of the .ko files) for the
 * unload tests; both modules are loaded again when each test ends.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "core_ring.h"
#include "core_testmod.h"

static int module_loaded(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

/* 0 or errno; alternates finit_module() and init_module() by `from_fd`. */
static int load(const char *path, int from_fd)
{
	struct stat st;
	void *image;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (from_fd) {
		if (syscall(SYS_finit_module, fd, "", 0))
			ret = errno;
		close(fd);
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = errno;
		close(fd);
		return ret;
	}
	image = malloc(st.st_size);
	if (!image || read(fd, image, st.st_size) != st.st_size)
		ret = EIO;
	else if (syscall(SYS_init_module, image, (unsigned long)st.st_size, ""))
		ret = errno;
	free(image);
	close(fd);
	return ret;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

/* The module is in use: delete_module says EWOULDBLOCK (or EBUSY). */
static int in_use(int err)
{
	return err == EWOULDBLOCK || err == EBUSY;
}

FIXTURE(life) {
	const char *ko;
	const char *test_ko;
	long page;
};

FIXTURE_SETUP(life)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->ko = getenv("BPFRB_KO");
	self->test_ko = getenv("BPFRB_TEST_KO");
	if (!module_loaded("bpfrb") || !module_loaded("bpfrb_test"))
		SKIP(return, "bpfrb and bpfrb_test must be loaded");
}

/* Whatever happened, leave both modules loaded. */
FIXTURE_TEARDOWN(life)
{
	if (self->ko && !module_loaded("bpfrb"))
		load(self->ko, 1);
	if (self->test_ko && !module_loaded("bpfrb_test"))
		load(self->test_ko, 1);
}

#define NEED_KO() do {							\
	if (!self->ko || !self->test_ko)				\
		SKIP(return, "BPFRB_KO and BPFRB_TEST_KO not set");	\
} while (0)

TEST_F(life, rmmod_refused_while_bpfrb_test_is_loaded)
{
	ASSERT_TRUE(in_use(unload("bpfrb")));
	ASSERT_TRUE(module_loaded("bpfrb"));
}

TEST_F(life, rmmod_refused_while_a_ring_file_is_open)
{
	int fd;

	NEED_KO();
	ASSERT_EQ(0, unload("bpfrb_test"));
	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, core_create(fd, self->page, NULL));
	ASSERT_TRUE(in_use(unload("bpfrb")));
	close(fd);
	ASSERT_EQ(0, unload("bpfrb"));
	ASSERT_EQ(0, load(self->ko, 1));
	ASSERT_EQ(0, load(self->test_ko, 1));
}

TEST_F(life, rmmod_refused_while_a_mapping_outlives_its_file)
{
	struct core_ring r;

	NEED_KO();
	ASSERT_EQ(0, unload("bpfrb_test"));
	ASSERT_EQ(0, core_ring_open(&r, self->page, NULL));
	close(r.fd);
	r.fd = -1;
	ASSERT_TRUE(in_use(unload("bpfrb")));
	/* The mapping still reads the ring. */
	ASSERT_EQ(0UL, core_load_producer(&r));
	core_ring_unmap(&r);
	ASSERT_EQ(0, unload("bpfrb"));
	ASSERT_EQ(0, load(self->ko, 1));
	ASSERT_EQ(0, load(self->test_ko, 1));
}

/*
 * A probe pins the module through its file (probes belong to the file
 * that attached them): refused while attached; once the file is closed
 * the probe is gone, bpfrb unloads, and the function it probed runs on
 * without calling into the unloaded module.
 */
TEST_F(life, rmmod_refused_while_a_probe_is_attached_then_clean)
{
	struct bpfrb_kprobe req;
	int fd;

	NEED_KO();
	ASSERT_EQ(0, unload("bpfrb_test"));
	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, core_create(fd, self->page, NULL));
	memset(&req, 0, sizeof(req));
	strcpy(req.symbol, "do_sys_openat2");
	ASSERT_EQ(0, ioctl(fd, BPFRB_IOC_KPROBE_ATTACH, &req));
	ASSERT_TRUE(in_use(unload("bpfrb")));
	close(fd);
	ASSERT_EQ(0, unload("bpfrb"));
	/* The probed function, with bpfrb gone. */
	close(open("/core-lifetime-no-such-file", O_RDONLY));
	ASSERT_EQ(0, load(self->ko, 1));
	ASSERT_EQ(0, load(self->test_ko, 1));
}

TEST_F(life, rmmod_bpfrb_test_releases_its_rings)
{
	int tfd, fd;
	struct bpfrb_test_create c;

	NEED_KO();
	tfd = testmod_open();
	ASSERT_LE(0, tfd);
	memset(&c, 0, sizeof(c));
	c.size = self->page;
	c.numa_node = -1;
	strcpy(c.name, "core_life_unload");
	ASSERT_EQ(0, ioctl(tfd, BPFRB_TEST_IOC_CREATE_RING, &c));
	/* An open file of the test device pins the test module. */
	ASSERT_TRUE(in_use(unload("bpfrb_test")));
	close(tfd);
	ASSERT_EQ(0, unload("bpfrb_test"));
	/* Its reference went with it: the ring is gone. */
	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-ENOENT, core_attach(fd, c.id, NULL));
	close(fd);
	ASSERT_EQ(0, unload("bpfrb"));
	ASSERT_EQ(0, load(self->ko, 1));
	ASSERT_EQ(0, load(self->test_ko, 1));
}

TEST_F_TIMEOUT(life, hundred_load_unload_cycles_are_clean, 170)
{
	int i, fd;

	NEED_KO();
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, unload("bpfrb_test")) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, unload("bpfrb")) TH_LOG("cycle %d", i);
		ASSERT_FALSE(module_loaded("bpfrb"));
		ASSERT_EQ(0, load(self->ko, i & 1)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, load(self->test_ko, !(i & 1))) TH_LOG("cycle %d", i);
		if (i % 10)
			continue;
		/* Now and then use it, so that unload has something to free. */
		fd = open(BPFRB_DEVICE, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("cycle %d", i);
		ASSERT_LT(0, core_create(fd, 4 * self->page, "core_life_cycle"));
		close(fd);
	}
	ASSERT_EQ(EEXIST, load(self->ko, 1));
}

TEST_F(life, kernel_created_ring_attached_by_name_outlives_its_creator)
{
	struct bpfrb_test_create c;
	struct bpfrb_test_hold h;
	struct bpfrb_info info;
	struct core_ring r = { 0 };
	int tfd, fd2;

	tfd = testmod_open();
	ASSERT_LE(0, tfd);
	memset(&c, 0, sizeof(c));
	c.size = self->page;
	c.numa_node = -1;
	strcpy(c.name, "core_life_kernel");
	ASSERT_EQ(0, ioctl(tfd, BPFRB_TEST_IOC_CREATE_RING, &c));
	ASSERT_LT(0U, c.id);

	r.fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, core_attach(r.fd, 0, "core_life_kernel"));
	ASSERT_EQ(0, core_ring_map(&r));
	ASSERT_EQ(c.id, r.id);
	ASSERT_EQ(0, testmod_one(tfd, c.id, BPFRB_TEST_ONE_OUTPUT, 40, 0, 1));

	/* The creator lets go; the bound file keeps the ring. */
	ASSERT_EQ(0, ioctl(tfd, BPFRB_TEST_IOC_RELEASE, &c.id));
	ASSERT_EQ(-1, ioctl(tfd, BPFRB_TEST_IOC_RELEASE, &c.id));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, core_info(r.fd, &info));
	ASSERT_STREQ("core_life_kernel", info.name);
	ASSERT_EQ(1, core_ring_consume(&r, NULL, NULL));
	fd2 = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, core_attach(fd2, 0, "core_life_kernel"));
	close(fd2);

	/* Mapping and file gone: so is the ring, by id and by name. */
	core_ring_close(&r);
	fd2 = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(-ENOENT, core_attach(fd2, 0, "core_life_kernel"));
	ASSERT_EQ(-ENOENT, core_attach(fd2, c.id, NULL));
	close(fd2);
	memset(&h, 0, sizeof(h));
	h.id = c.id;
	ASSERT_EQ(-1, ioctl(tfd, BPFRB_TEST_IOC_HOLD, &h));
	ASSERT_EQ(ENOENT, errno);
	close(tfd);
}

TEST_F(life, kernel_reference_keeps_a_user_ring_alive)
{
	struct bpfrb_test_hold h;
	struct bpfrb_info info;
	int tfd, fd, id;

	tfd = testmod_open();
	ASSERT_LE(0, tfd);
	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	id = core_create_type(fd, self->page, BPFRB_TYPE_USER, "core_life_held");
	ASSERT_LT(0, id);
	memset(&h, 0, sizeof(h));
	strcpy(h.name, "core_life_held");
	ASSERT_EQ(0, ioctl(tfd, BPFRB_TEST_IOC_HOLD, &h));
	ASSERT_EQ((__u32)id, h.id);
	close(fd);

	/* Only the kernel reference is left, and it is enough. */
	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, core_attach(fd, id, NULL));
	ASSERT_EQ(0, core_info(fd, &info));
	ASSERT_EQ((__u32)BPFRB_TYPE_USER, info.type);
	ASSERT_EQ(0, ioctl(tfd, BPFRB_TEST_IOC_RELEASE, &h.id));
	close(fd);
	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-ENOENT, core_attach(fd, id, NULL));
	close(fd);
	close(tfd);
}

TEST_HARNESS_MAIN
