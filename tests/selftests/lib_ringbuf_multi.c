// SPDX-License-Identifier: GPL-2.0
/*
 * Several rings in one bpfrb_ring_buffer (the kernel's ringbuf_multi
 * selftest carried over): each ring keeps its own callback and context,
 * poll consumes only what is ready, __ring() indexes rings in the order
 * they were added, a failed __add leaves the manager usable, and the
 * epoll fd reports every ring, added before it was asked for or after.
 */
#include <sys/epoll.h>

#include "lib_test.h"

#define PAYLOAD	48

/* Tags the records with their ring, so a mixed-up context is visible. */
#define TAG_A	1
#define TAG_B	2

struct ring_ctx {
	__u32 tag;
	int records;
	int wrong_ring;		/* records tagged for the other ring */
	int bad;		/* failed the checksum */
};

static int count_cb(void *ctx, void *data, size_t size)
{
	struct ring_ctx *c = ctx;
	const struct bpfrb_test_record *r = data;

	if (bpfrb_test_verify(data, (__u32)size))
		c->bad++;
	else if (r->producer_id != c->tag)
		c->wrong_ring++;
	c->records++;
	return 0;
}

FIXTURE(two_rings) {
	int tfd;
	int fd_a, fd_b;
	__u32 id_a, id_b;
	struct ring_ctx a, b;
	struct bpfrb_ring_buffer *rb;
};

FIXTURE_SETUP(two_rings)
{
	self->tfd = lib_test_open();
	ASSERT_LE(0, self->tfd);
	self->fd_a = bpfrb_create(NULL, 16384, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, self->fd_a);
	self->fd_b = bpfrb_create(NULL, 32768, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, self->fd_b);
	self->id_a = lib_ring_id(self->fd_a);
	self->id_b = lib_ring_id(self->fd_b);
	memset(&self->a, 0, sizeof(self->a));
	memset(&self->b, 0, sizeof(self->b));
	self->a.tag = TAG_A;
	self->b.tag = TAG_B;
	self->rb = bpfrb_ring_buffer__new(self->fd_a, count_cb, &self->a, NULL);
	ASSERT_NE(NULL, self->rb);
	ASSERT_EQ(0, bpfrb_ring_buffer__add(self->rb, self->fd_b, count_cb, &self->b));
}

FIXTURE_TEARDOWN(two_rings)
{
	bpfrb_ring_buffer__free(self->rb);
	close(self->fd_b);
	close(self->fd_a);
	close(self->tfd);
}

static void put(struct __test_metadata *_metadata, int tfd, __u32 id, __u32 tag, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, lib_output_one(tfd, id, BPFRB_TEST_ONE_OUTPUT, PAYLOAD,
					    tag, i, 0));
}

TEST_F(two_rings, each_ring_has_its_own_context)
{
	put(_metadata, self->tfd, self->id_a, TAG_A, 2);
	put(_metadata, self->tfd, self->id_b, TAG_B, 3);
	/* Both rings are ready: one poll consumes both. */
	EXPECT_EQ(5, bpfrb_ring_buffer__poll(self->rb, 100));
	EXPECT_EQ(0, bpfrb_ring_buffer__poll(self->rb, 0));
	EXPECT_EQ(2, self->a.records);
	EXPECT_EQ(3, self->b.records);
	EXPECT_EQ(0, self->a.wrong_ring + self->b.wrong_ring);
	EXPECT_EQ(0, self->a.bad + self->b.bad);
}

TEST_F(two_rings, poll_consumes_only_the_ready_ring)
{
	put(_metadata, self->tfd, self->id_b, TAG_B, 4);
	EXPECT_EQ(4, bpfrb_ring_buffer__poll(self->rb, 100));
	EXPECT_EQ(0, self->a.records);
	EXPECT_EQ(4, self->b.records);
	put(_metadata, self->tfd, self->id_a, TAG_A, 1);
	EXPECT_EQ(1, bpfrb_ring_buffer__poll(self->rb, 100));
	EXPECT_EQ(1, self->a.records);
	EXPECT_EQ(0, self->a.wrong_ring + self->b.wrong_ring);
}

TEST_F(two_rings, consume_n_spans_rings)
{
	put(_metadata, self->tfd, self->id_a, TAG_A, 3);
	put(_metadata, self->tfd, self->id_b, TAG_B, 3);
	/* Rings are consumed in the order they were added. */
	EXPECT_EQ(4, bpfrb_ring_buffer__consume_n(self->rb, 4));
	EXPECT_EQ(3, self->a.records);
	EXPECT_EQ(1, self->b.records);
	EXPECT_EQ(2, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(3, self->b.records);
}

TEST_F(two_rings, ring_index_follows_add_order)
{
	struct bpfrb_ring *ra = bpfrb_ring_buffer__ring(self->rb, 0);
	struct bpfrb_ring *rb = bpfrb_ring_buffer__ring(self->rb, 1);

	ASSERT_NE(NULL, ra);
	ASSERT_NE(NULL, rb);
	EXPECT_EQ(self->fd_a, bpfrb_ring__fd(ra));
	EXPECT_EQ(self->fd_b, bpfrb_ring__fd(rb));
	EXPECT_EQ(16384, bpfrb_ring__size(ra));
	EXPECT_EQ(32768, bpfrb_ring__size(rb));
	errno = 0;
	EXPECT_EQ(NULL, bpfrb_ring_buffer__ring(self->rb, 2));
	EXPECT_EQ(ERANGE, errno);

	/* Per-ring consume touches that ring only. */
	put(_metadata, self->tfd, self->id_a, TAG_A, 2);
	put(_metadata, self->tfd, self->id_b, TAG_B, 2);
	EXPECT_EQ(2, bpfrb_ring__consume(rb));
	EXPECT_EQ(0, self->a.records);
	EXPECT_EQ(2 * (PAYLOAD + BPFRB_HDR_SZ), bpfrb_ring__avail_data_size(ra));
}

/* __ring() pointers stay valid when more rings are added. */
TEST_F(two_rings, ring_pointer_survives_add)
{
	struct bpfrb_ring *ra = bpfrb_ring_buffer__ring(self->rb, 0);
	struct ring_ctx c = { .tag = 3 };
	int fd_c;

	ASSERT_NE(NULL, ra);
	put(_metadata, self->tfd, self->id_a, TAG_A, 2);
	fd_c = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd_c);
	ASSERT_EQ(0, bpfrb_ring_buffer__add(self->rb, fd_c, count_cb, &c));
	EXPECT_EQ(self->fd_a, bpfrb_ring__fd(ra));
	EXPECT_EQ(2, bpfrb_ring__consume(ra));
	EXPECT_EQ(2, self->a.records);
	EXPECT_EQ(fd_c, bpfrb_ring__fd(bpfrb_ring_buffer__ring(self->rb, 2)));
	/* c lives on this stack: free the manager before returning. */
	bpfrb_ring_buffer__free(self->rb);
	self->rb = NULL;
	close(fd_c);
}

TEST_F(two_rings, failed_add_leaves_manager_usable)
{
	int devnull = open("/dev/null", O_RDWR);

	ASSERT_LE(0, devnull);
	EXPECT_EQ(-ENOTTY, bpfrb_ring_buffer__add(self->rb, devnull, count_cb, &self->a));
	close(devnull);
	EXPECT_EQ(-EBADF, bpfrb_ring_buffer__add(self->rb, -1, count_cb, &self->a));
	EXPECT_EQ(NULL, bpfrb_ring_buffer__ring(self->rb, 2));

	put(_metadata, self->tfd, self->id_a, TAG_A, 1);
	put(_metadata, self->tfd, self->id_b, TAG_B, 1);
	EXPECT_EQ(2, bpfrb_ring_buffer__poll(self->rb, 100));
	EXPECT_EQ(1, self->a.records);
	EXPECT_EQ(1, self->b.records);
}

/* The epoll fd wakes an outside event loop when any ring has data. */
TEST_F(two_rings, epoll_fd_reports_ready_rings)
{
	int efd = bpfrb_ring_buffer__epoll_fd(self->rb);
	struct epoll_event ev[2];

	ASSERT_LE(0, efd);
	EXPECT_EQ(0, epoll_wait(efd, ev, 2, 0));
	put(_metadata, self->tfd, self->id_b, TAG_B, 1);
	EXPECT_EQ(1, epoll_wait(efd, ev, 2, 100));
	EXPECT_EQ(1, bpfrb_ring_buffer__consume(self->rb));
	EXPECT_EQ(0, epoll_wait(efd, ev, 2, 0));
}

/* A ring added once the epoll fd is handed out joins the set too. */
TEST_F(two_rings, ring_added_after_epoll_fd_is_reported)
{
	int efd = bpfrb_ring_buffer__epoll_fd(self->rb);
	struct ring_ctx c = { .tag = TAG_A };
	struct epoll_event ev[3];
	int fd_c;

	ASSERT_LE(0, efd);
	fd_c = bpfrb_create(NULL, 16384, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd_c);
	ASSERT_EQ(0, bpfrb_ring_buffer__add(self->rb, fd_c, count_cb, &c));
	put(_metadata, self->tfd, lib_ring_id(fd_c), TAG_A, 1);
	ASSERT_EQ(1, epoll_wait(efd, ev, 3, 100));
	EXPECT_EQ(2, ev[0].data.u32);	/* its index among the rings */
	EXPECT_EQ(1, bpfrb_ring_buffer__poll(self->rb, 100));
	EXPECT_EQ(1, c.records);
	EXPECT_EQ(0, self->a.records + self->b.records);
	/* c lives on this stack: free the manager before returning. */
	bpfrb_ring_buffer__free(self->rb);
	self->rb = NULL;
	close(fd_c);
}

LIB_TEST_MAIN
