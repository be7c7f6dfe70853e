// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping rules of SPEC §1 and docs/DESIGN.md: which page may be
 * mapped with which protection and flags, that nothing can be escalated
 * or grown later, and that mappings share the ring (fork, map again).
 */
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "core_ring.h"
#include "core_testmod.h"

#define RING_PAGES	4

FIXTURE(map) {
	int fd;
	int id;
	long page;
	size_t size;
};

FIXTURE_SETUP(map)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->size = RING_PAGES * self->page;
	self->fd = open(BPFRB_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		SKIP(return, "%s: %s", BPFRB_DEVICE, strerror(errno));
	self->id = core_create(self->fd, self->size, NULL);
	ASSERT_LT(0, self->id);
}

FIXTURE_TEARDOWN(map)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* 0 when the mapping worked (and is undone), else errno. */
static int try_map(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* Total user-visible length: consumer page, producer page, data twice. */
static size_t total_len(const struct _test_data_map *self)
{
	return 2 * self->page + 2 * self->size;
}

TEST_F(map, consumer_page_read_write_allowed)
{
	ASSERT_EQ(0, try_map(self->fd, self->page, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 0));
	ASSERT_EQ(0, try_map(self->fd, self->page, PROT_READ, MAP_SHARED, 0));
}

TEST_F(map, producer_page_and_data_read_only_allowed)
{
	ASSERT_EQ(0, try_map(self->fd, self->page + 2 * self->size, PROT_READ,
			     MAP_SHARED, self->page));
	/* Any read-only sub-range too, data pages alone included. */
	ASSERT_EQ(0, try_map(self->fd, self->page, PROT_READ, MAP_SHARED,
			     2 * self->page));
	ASSERT_EQ(0, try_map(self->fd, total_len(self), PROT_READ, MAP_SHARED, 0));
}

TEST_F(map, writable_producer_page_eperm)
{
	ASSERT_EQ(EPERM, try_map(self->fd, self->page, PROT_READ | PROT_WRITE,
				 MAP_SHARED, self->page));
}

TEST_F(map, writable_data_pages_eperm)
{
	ASSERT_EQ(EPERM, try_map(self->fd, self->size, PROT_WRITE, MAP_SHARED,
				 2 * self->page));
	ASSERT_EQ(EPERM, try_map(self->fd, self->page, PROT_READ | PROT_WRITE,
				 MAP_SHARED, 2 * self->page + self->size));
}

TEST_F(map, writable_consumer_page_plus_more_eperm)
{
	ASSERT_EQ(EPERM, try_map(self->fd, 2 * self->page,
				 PROT_READ | PROT_WRITE, MAP_SHARED, 0));
}

TEST_F(map, exec_eperm_on_every_page)
{
	off_t off;

	for (off = 0; off < (off_t)total_len(self); off += self->page)
		EXPECT_EQ(EPERM, try_map(self->fd, self->page,
					 PROT_READ | PROT_EXEC, MAP_SHARED, off))
			TH_LOG("offset %ld", (long)off);
}

TEST_F(map, map_private_einval)
{
	ASSERT_EQ(EINVAL, try_map(self->fd, self->page, PROT_READ, MAP_PRIVATE, 0));
	ASSERT_EQ(EINVAL, try_map(self->fd, self->page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE, 0));
	ASSERT_EQ(EINVAL, try_map(self->fd, self->page, PROT_READ, MAP_PRIVATE,
				  self->page));
}

/*
 * A descriptor opened read-only maps the ring read-only: mmap(2) clears
 * VM_SHARED for it (it can never write), which is still a shared mapping.
 * Writing is refused by mmap(2) itself, and so is mprotect() to write.
 */
TEST_F(map, read_only_fd_maps_read_only)
{
	int ro = open(BPFRB_DEVICE, O_RDONLY | O_CLOEXEC);
	const unsigned long *pos;

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, core_attach(ro, self->id, NULL));
	pos = mmap(NULL, total_len(self), PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, pos);
	EXPECT_EQ(0UL, pos[0]);		/* consumer_pos */
	EXPECT_EQ(-1, mprotect((void *)pos, self->page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap((void *)pos, total_len(self));
	EXPECT_EQ(EACCES, try_map(ro, self->page, PROT_READ | PROT_WRITE,
				  MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, try_map(ro, self->page, PROT_READ, MAP_PRIVATE, 0));
	close(ro);
}

/* More than the table allows: EPERM (SPEC §1), whatever the protection. */
TEST_F(map, past_the_end_eperm)
{
	ASSERT_EQ(EPERM, try_map(self->fd, total_len(self) + self->page,
				 PROT_READ, MAP_SHARED, 0));
	ASSERT_EQ(EPERM, try_map(self->fd, self->page, PROT_READ, MAP_SHARED,
				 total_len(self)));
	ASSERT_EQ(EPERM, try_map(self->fd, 2 * self->page, PROT_READ,
				 MAP_SHARED, total_len(self) - self->page));
}

TEST_F(map, mprotect_cannot_add_write_or_exec)
{
	void *ro = mmap(NULL, self->page + 2 * self->size, PROT_READ, MAP_SHARED,
			self->fd, self->page);
	void *cons = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	void *rw = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
			self->fd, 0);

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, cons);
	ASSERT_NE(MAP_FAILED, rw);
	ASSERT_EQ(-1, mprotect(ro, self->page, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(-1, mprotect(ro, self->page, PROT_READ | PROT_EXEC));
	ASSERT_EQ(EACCES, errno);
	/* A read-only consumer page stays read-only too. */
	ASSERT_EQ(-1, mprotect(cons, self->page, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(-1, mprotect(rw, self->page, PROT_READ | PROT_WRITE | PROT_EXEC));
	ASSERT_EQ(EACCES, errno);
	/* Dropping rights is fine. */
	ASSERT_EQ(0, mprotect(rw, self->page, PROT_READ));
	munmap(ro, self->page + 2 * self->size);
	munmap(cons, self->page);
	munmap(rw, self->page);
}

TEST_F(map, mremap_growth_refused)
{
	void *p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);
	void *q = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		       self->page);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(MAP_FAILED, mremap(p, self->page, 2 * self->page, MREMAP_MAYMOVE));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(MAP_FAILED, mremap(q, self->page, 2 * self->page, MREMAP_MAYMOVE));
	ASSERT_EQ(EFAULT, errno);
	munmap(p, self->page);
	munmap(q, self->page);
}

TEST_F(map, data_area_is_mapped_twice)
{
	struct core_ring r = { .fd = self->fd };
	int tfd = testmod_open();
	size_t i;

	if (tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-tfd));
	ASSERT_EQ(0, core_ring_map(&r));
	ASSERT_EQ(0, testmod_one(tfd, r.id, BPFRB_TEST_ONE_OUTPUT, 200, 0, 1));
	/* The record's header (len 200, committed) in both copies... */
	ASSERT_EQ(200U, *(const __u32 *)r.data);
	ASSERT_EQ(200U, *(const __u32 *)(r.data + self->size));
	/* ...and every other byte the same in both. */
	for (i = 0; i < self->size; i++)
		if (r.data[i] != r.data[i + self->size])
			break;
	ASSERT_EQ(self->size, i);
	ASSERT_EQ(208UL, *r.producer_pos);
	core_ring_unmap(&r);
	close(tfd);
}

static int count_sample(void *ctx, const void *data, __u32 len)
{
	return bpfrb_test_verify(data, len) ? -1 : 0;
}

TEST_F(map, fork_child_reads_the_same_records)
{
	struct core_ring r = { .fd = self->fd };
	int tfd = testmod_open(), status;
	pid_t pid;

	if (tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-tfd));
	ASSERT_EQ(0, core_ring_map(&r));
	ASSERT_EQ(0, testmod_one(tfd, r.id, BPFRB_TEST_ONE_OUTPUT, 100, 0, 1));
	ASSERT_EQ(0, testmod_one(tfd, r.id, BPFRB_TEST_ONE_OUTPUT, 100, 0, 2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		/* The child consumes through the inherited mappings. */
		_exit(core_ring_consume(&r, count_sample, NULL) == 2 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* The child's consumer_pos is the parent's: the page is shared. */
	ASSERT_EQ(2UL * 112, core_load_consumer(&r));
	ASSERT_EQ(0, core_ring_consume(&r, NULL, NULL));
	core_ring_unmap(&r);
	close(tfd);
}

TEST_F(map, unmap_and_map_again_sees_the_same_ring)
{
	struct core_ring r = { .fd = self->fd };
	int tfd = testmod_open();

	if (tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-tfd));
	ASSERT_EQ(0, core_ring_map(&r));
	ASSERT_EQ(0, testmod_one(tfd, r.id, BPFRB_TEST_ONE_OUTPUT, 64, 0, 1));
	ASSERT_EQ(0, testmod_one(tfd, r.id, BPFRB_TEST_ONE_OUTPUT, 64, 0, 2));
	ASSERT_EQ(1, core_ring_consume_n(&r, count_sample, NULL, 1));
	core_ring_unmap(&r);
	ASSERT_EQ(0, core_ring_map(&r));
	ASSERT_EQ(72UL, core_load_consumer(&r));
	ASSERT_EQ(1, core_ring_consume(&r, count_sample, NULL));
	ASSERT_EQ(144UL, core_load_consumer(&r));
	core_ring_unmap(&r);
	close(tfd);
}

TEST_HARNESS_MAIN
