// SPDX-License-Identifier: GPL-2.0
/*
 * libbpfrb given bad input: every case must fail with the errno named in
 * the test, both as the negative return and in errno, and never crash.
 */
#include <assert.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "lib_test.h"

/* ret is -err and errno is err. */
#define EXPECT_ERR(err, ret) do {					\
		errno = 0;						\
		EXPECT_EQ(-(err), (ret));				\
		EXPECT_EQ((err), errno);				\
	} while (0)

/* ptr is NULL and errno is err. */
#define EXPECT_NULL_ERR(err, ptr) do {					\
		errno = 0;						\
		EXPECT_EQ(NULL, (ptr));					\
		EXPECT_EQ((err), errno);				\
	} while (0)

static int noop_cb(void *ctx, void *data, size_t size)
{
	return 0;
}

TEST(null_pointers_einval)
{
	struct bpfrb_ring_buffer *rb;
	int fd;

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_NULL_ERR(EINVAL, bpfrb_ring_buffer__new(fd, NULL, NULL, NULL));
	EXPECT_ERR(EINVAL, bpfrb_info(fd, NULL));
	EXPECT_ERR(EINVAL, bpfrb_attach_name(NULL));
	EXPECT_ERR(EINVAL, bpfrb_kprobe_attach(fd, NULL, NULL));

	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__add(NULL, fd, noop_cb, NULL));
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__poll(NULL, 0));
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__consume(NULL));
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__consume_n(NULL, 1));
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__epoll_fd(NULL));
	EXPECT_NULL_ERR(EINVAL, bpfrb_ring_buffer__ring(NULL, 0));
	bpfrb_ring_buffer__free(NULL);

	EXPECT_ERR(EINVAL, bpfrb_ring__consume(NULL));
	EXPECT_ERR(EINVAL, bpfrb_ring__consume_n(NULL, 1));
	EXPECT_ERR(EINVAL, bpfrb_ring__fd(NULL));
	errno = 0;
	EXPECT_EQ(0, bpfrb_ring__size(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, bpfrb_ring__avail_data_size(NULL));
	EXPECT_EQ(0, bpfrb_ring__consumer_pos(NULL));
	EXPECT_EQ(0, bpfrb_ring__producer_pos(NULL));

	rb = bpfrb_ring_buffer__new(fd, noop_cb, NULL, NULL);
	ASSERT_NE(NULL, rb);
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__add(rb, fd, NULL, NULL));
	EXPECT_EQ(0, bpfrb_ring_buffer__consume(rb));
	bpfrb_ring_buffer__free(rb);
	close(fd);
}

TEST(fd_not_bpfrb_enotty)
{
	struct bpfrb_info info;
	int devnull, pipefd[2];

	devnull = open("/dev/null", O_RDWR);
	ASSERT_LE(0, devnull);
	ASSERT_EQ(0, pipe(pipefd));

	EXPECT_NULL_ERR(ENOTTY, bpfrb_ring_buffer__new(devnull, noop_cb, NULL, NULL));
	EXPECT_NULL_ERR(ENOTTY, bpfrb_ring_buffer__new(pipefd[0], noop_cb, NULL, NULL));
	EXPECT_ERR(ENOTTY, bpfrb_info(devnull, &info));
	EXPECT_ERR(ENOTTY, bpfrb_kprobe_attach(pipefd[1], "do_sys_openat2", NULL));
	EXPECT_ERR(ENOTTY, bpfrb_kprobe_detach(devnull, 1));
	close(pipefd[0]);
	close(pipefd[1]);
	close(devnull);
}

TEST(bad_fd_ebadf)
{
	struct bpfrb_info info;
	int fd;

	EXPECT_NULL_ERR(EBADF, bpfrb_ring_buffer__new(-1, noop_cb, NULL, NULL));
	EXPECT_ERR(EBADF, bpfrb_info(-1, &info));
	/*
	 * A closed descriptor, numbered high: __new() opens its epoll fd
	 * first, which would reuse a low number that was just closed.
	 */
	fd = dup2(0, 900);
	ASSERT_EQ(900, fd);
	close(fd);
	EXPECT_NULL_ERR(EBADF, bpfrb_ring_buffer__new(fd, noop_cb, NULL, NULL));
	EXPECT_ERR(EBADF, bpfrb_kprobe_detach(fd, 1));
}

TEST(file_not_bound_enxio)
{
	struct bpfrb_info info;
	int fd;

	fd = open(BPFRB_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_ERR(ENXIO, bpfrb_info(fd, &info));
	EXPECT_NULL_ERR(ENXIO, bpfrb_ring_buffer__new(fd, noop_cb, NULL, NULL));
	close(fd);
}

TEST(user_ring_to_consumer_einval)
{
	struct bpfrb_ring_buffer *rb;
	int kfd, ufd;

	ufd = bpfrb_create(NULL, 4096, BPFRB_TYPE_USER, NULL);
	ASSERT_LE(0, ufd) TH_LOG("user ring: %s", strerror(errno));

	EXPECT_NULL_ERR(EINVAL, bpfrb_ring_buffer__new(ufd, noop_cb, NULL, NULL));
	/* Nor through __add to a manager of kernel rings. */
	kfd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, kfd);
	rb = bpfrb_ring_buffer__new(kfd, noop_cb, NULL, NULL);
	ASSERT_NE(NULL, rb);
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__add(rb, ufd, noop_cb, NULL));
	EXPECT_NULL_ERR(ERANGE, bpfrb_ring_buffer__ring(rb, 1));
	bpfrb_ring_buffer__free(rb);
	close(kfd);
	close(ufd);
}

/* The length word of sample's header, as the kernel's drain will read it. */
static __u32 header_len(void *sample)
{
	return *(volatile __u32 *)((char *)sample - BPFRB_HDR_SZ);
}

/*
 * Submit and discard refuse what is not a sample of this ring still
 * reserved (EINVAL) and write nothing: the sample reserved stays busy
 * until its own submit, and a second commit does not turn a submitted
 * record into a discarded one.
 */
TEST(user_ring_commit_of_a_stray_sample_einval)
{
	struct bpfrb_user_ring_buffer *rb, *other;
	__u64 not_a_sample[4] = { 0 };
	int fd, other_fd;
	char *s, *t;

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_USER, NULL);
	ASSERT_LE(0, fd) TH_LOG("user ring: %s", strerror(errno));
	other_fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_USER, NULL);
	ASSERT_LE(0, other_fd);
	rb = bpfrb_user_ring_buffer__new(fd, NULL);
	ASSERT_NE(NULL, rb);
	other = bpfrb_user_ring_buffer__new(other_fd, NULL);
	ASSERT_NE(NULL, other);
	s = bpfrb_user_ring_buffer__reserve(rb, 16);
	ASSERT_NE(NULL, s);
	t = bpfrb_user_ring_buffer__reserve(other, 16);
	ASSERT_NE(NULL, t);

	errno = 0;
	bpfrb_user_ring_buffer__submit(rb, &not_a_sample[2]);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, not_a_sample[1]);
	errno = 0;
	bpfrb_user_ring_buffer__submit(rb, s + 4);	/* not a header's place */
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	bpfrb_user_ring_buffer__discard(rb, s + 4096);	/* the second copy */
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	bpfrb_user_ring_buffer__submit(rb, t);		/* the other ring's */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(16 | BPFRB_BUSY_BIT, header_len(t));
	errno = 0;
	bpfrb_user_ring_buffer__submit(NULL, s);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(16 | BPFRB_BUSY_BIT, header_len(s));

	/* NULL, a failed reserve's sample: ignored, errno left alone. */
	errno = ENOSPC;
	bpfrb_user_ring_buffer__submit(rb, NULL);
	EXPECT_EQ(ENOSPC, errno);

	errno = 0;
	bpfrb_user_ring_buffer__submit(rb, s);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(16, header_len(s));
	bpfrb_user_ring_buffer__discard(rb, s);		/* committed already */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(16, header_len(s));

	bpfrb_user_ring_buffer__discard(other, t);
	EXPECT_EQ(16 | BPFRB_DISCARD_BIT, header_len(t));
	bpfrb_user_ring_buffer__free(other);
	bpfrb_user_ring_buffer__free(rb);
	close(other_fd);
	close(fd);
}

/* With too little address space left the data mapping fails: ENOMEM. */
TEST(unmappable_ring_enomem)
{
	struct rlimit lim = { .rlim_cur = 40 << 20, .rlim_max = 40 << 20 };
	int fd;

	/* 32 MiB of data is mapped twice: 64 MiB, over the 40 MiB limit. */
	fd = bpfrb_create(NULL, 32 << 20, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	/* The harness runs each test in its own child: the limit stays here. */
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &lim));
	EXPECT_NULL_ERR(ENOMEM, bpfrb_ring_buffer__new(fd, noop_cb, NULL, NULL));
	close(fd);
}

TEST(create_bad_size_type_name)
{
	char long_name[BPFRB_NAME_LEN + 1];

	EXPECT_ERR(EINVAL, bpfrb_create(NULL, 0, BPFRB_TYPE_KERNEL, NULL));
	EXPECT_ERR(E2BIG, bpfrb_create(NULL, (1ULL << 63) + 1, BPFRB_TYPE_KERNEL, NULL));
	EXPECT_ERR(EINVAL, bpfrb_create(NULL, 4096, (enum bpfrb_type)7, NULL));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	EXPECT_ERR(ENAMETOOLONG, bpfrb_create(long_name, 4096, BPFRB_TYPE_KERNEL, NULL));
	EXPECT_ERR(ENAMETOOLONG, bpfrb_attach_name(long_name));
	/* The kernel's own checks come back unchanged. */
	EXPECT_ERR(EINVAL, bpfrb_create("no spaces", 4096, BPFRB_TYPE_KERNEL, NULL));
}

TEST(attach_bad_id_or_name)
{
	EXPECT_ERR(EINVAL, bpfrb_attach_id(0));
	EXPECT_ERR(EINVAL, bpfrb_attach_name(""));
	EXPECT_ERR(ENOENT, bpfrb_attach_id(0x7fffffff));
	EXPECT_ERR(ENOENT, bpfrb_attach_name("lib_bad_input.nothing"));
}

TEST(kprobe_bad_symbol)
{
	char long_sym[BPFRB_SYM_LEN + 1];
	int fd;

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_ERR(EINVAL, bpfrb_kprobe_attach(fd, "", NULL));
	memset(long_sym, 'a', sizeof(long_sym) - 1);
	long_sym[sizeof(long_sym) - 1] = '\0';
	EXPECT_ERR(ENAMETOOLONG, bpfrb_kprobe_attach(fd, long_sym, NULL));
	close(fd);
}

/* A newer caller's opts: sz bigger than the library's struct. */
struct bigger_ring_buffer_opts {
	struct bpfrb_ring_buffer_opts base;
	long future;
};

struct bigger_create_opts {
	struct bpfrb_create_opts base;
	long future;
};

TEST(opts_size_and_unknown_tail)
{
	struct bigger_ring_buffer_opts rbo;
	struct bigger_create_opts co;
	struct bpfrb_ring_buffer *rb;
	int fd;

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);

	/* sz smaller than sz itself. */
	memset(&rbo, 0, sizeof(rbo));
	rbo.base.sz = 1;
	EXPECT_NULL_ERR(EINVAL, bpfrb_ring_buffer__new(fd, noop_cb, NULL, &rbo.base));
	/* A non-zero byte the library does not know. */
	rbo.base.sz = sizeof(rbo);
	rbo.future = 1;
	EXPECT_NULL_ERR(EINVAL, bpfrb_ring_buffer__new(fd, noop_cb, NULL, &rbo.base));
	/* Zero there is fine. */
	rbo.future = 0;
	rb = bpfrb_ring_buffer__new(fd, noop_cb, NULL, &rbo.base);
	EXPECT_NE(NULL, rb);
	bpfrb_ring_buffer__free(rb);
	close(fd);

	memset(&co, 0, sizeof(co));
	co.base.sz = sizeof(co);
	co.future = -1;
	EXPECT_ERR(EINVAL, bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, &co.base));
	co.future = 0;
	/* Flags the kernel does not know: its EINVAL. */
	co.base.flags = 0x80;
	EXPECT_ERR(EINVAL, bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, &co.base));
	co.base.flags = 0;
	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, &co.base);
	EXPECT_LE(0, fd);
	close(fd);
}

/*
 * The struct's own trailing padding is unknown too: a later version may
 * put a field there, with sz unchanged.
 */
#define offsetofend(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

TEST(opts_trailing_padding_is_an_unknown_tail)
{
	struct bpfrb_create_opts co;
	struct bpfrb_kprobe_opts ko;
	int fd;

	static_assert(offsetofend(struct bpfrb_create_opts, numa_node) <
		      sizeof(struct bpfrb_create_opts), "no padding to test");
	static_assert(offsetofend(struct bpfrb_kprobe_opts, maxactive) <
		      sizeof(struct bpfrb_kprobe_opts), "no padding to test");

	memset(&co, 0, sizeof(co));
	co.sz = sizeof(co);
	((char *)&co)[offsetofend(struct bpfrb_create_opts, numa_node)] = 1;
	EXPECT_ERR(EINVAL, bpfrb_create("padding", 4096, BPFRB_TYPE_KERNEL, &co));
	/* Nothing was created by the refused call. */
	EXPECT_ERR(ENOENT, bpfrb_attach_name("padding"));

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);
	memset(&ko, 0, sizeof(ko));
	ko.sz = sizeof(ko);
	((char *)&ko)[sizeof(ko) - 1] = 1;
	EXPECT_ERR(EINVAL, bpfrb_kprobe_attach(fd, "do_sys_openat2", &ko));
	close(fd);
}

TEST(kprobe_opts_unknown_tail)
{
	struct {
		struct bpfrb_kprobe_opts base;
		long future;
	} o;
	int fd;

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);
	memset(&o, 0, sizeof(o));
	o.base.sz = sizeof(o);
	o.future = 1;
	EXPECT_ERR(EINVAL, bpfrb_kprobe_attach(fd, "do_sys_openat2", &o.base));
	close(fd);
}

static int count_cb(void *ctx, void *data, size_t size)
{
	(*(int *)ctx)++;
	return 0;
}

/* The ring's consumer page, mapped writable beside the library's mapping. */
static unsigned long *map_consumer_pos(int fd)
{
	void *p = mmap(NULL, LIB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Another process may write consumer_pos. Where that leaves positions
 * that make no sense, consuming fails with EINVAL, at once (not a loop
 * that never returns), and the ring is left as it was.
 */
TEST(consumer_pos_written_by_someone_else_einval)
{
	struct bpfrb_ring_buffer *rb;
	unsigned long *cons;
	int fd, tfd, n = 0;

	tfd = lib_test_open();
	ASSERT_LE(0, tfd) TH_LOG("test module: %s", strerror(-tfd));
	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd);
	rb = bpfrb_ring_buffer__new(fd, count_cb, &n, NULL);
	ASSERT_NE(NULL, rb);
	cons = map_consumer_pos(fd);
	ASSERT_NE(NULL, cons);

	/* One 24-byte record, [0, 32); its payload starts with producer_id. */
	ASSERT_EQ(0, lib_output_one(tfd, lib_ring_id(fd), BPFRB_TEST_ONE_OUTPUT,
				    24, 4096, 0, 0));
	*cons = 4096;			/* ahead of producer_pos */
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__consume(rb));
	EXPECT_EQ(4096UL, *cons);
	*cons = 4;			/* not on a record boundary */
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__poll(rb, 100));
	/* Inside the record: its producer_id (4096) read as a length. */
	*cons = 8;
	EXPECT_ERR(EINVAL, bpfrb_ring_buffer__consume(rb));
	EXPECT_EQ(8UL, *cons);
	EXPECT_EQ(0, n);
	/* Put back, the record is there. */
	*cons = 0;
	EXPECT_EQ(1, bpfrb_ring_buffer__consume(rb));
	EXPECT_EQ(1, n);
	munmap(cons, LIB_PAGE_SIZE);
	bpfrb_ring_buffer__free(rb);
	close(fd);
	close(tfd);
}

/* A one-page kernel ring in a set of its own; NULL if either failed. */
static struct bpfrb_ring_buffer *one_ring_set(int *fd)
{
	*fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	return *fd < 0 ? NULL : bpfrb_ring_buffer__new(*fd, noop_cb, NULL, NULL);
}

/* A one-page user ring, filled by one sample nobody drains; or NULL. */
static struct bpfrb_user_ring_buffer *full_user_ring(int *fd)
{
	struct bpfrb_user_ring_buffer *rb;

	*fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_USER, NULL);
	if (*fd < 0)
		return NULL;
	rb = bpfrb_user_ring_buffer__new(*fd, NULL);
	if (rb && !bpfrb_user_ring_buffer__reserve(rb, 4096 - 8)) {
		bpfrb_user_ring_buffer__free(rb);
		rb = NULL;
	}
	return rb;
}

TEST(same_fd_added_twice_eexist)
{
	struct bpfrb_ring_buffer *rb;
	int fd;

	rb = one_ring_set(&fd);
	ASSERT_NE(NULL, rb);
	EXPECT_ERR(EEXIST, bpfrb_ring_buffer__add(rb, fd, noop_cb, NULL));
	/* The set is unchanged: one ring, and its epoll fd still works. */
	EXPECT_NULL_ERR(ERANGE, bpfrb_ring_buffer__ring(rb, 1));
	EXPECT_LE(0, bpfrb_ring_buffer__epoll_fd(rb));
	bpfrb_ring_buffer__free(rb);
	close(fd);
}

/* A ring's fd closed under the set: EBADF, not a wait that returns at once. */
TEST(ring_fd_closed_under_poll_ebadf)
{
	struct bpfrb_ring_buffer *rb;
	int fd;

	rb = one_ring_set(&fd);
	ASSERT_NE(NULL, rb);
	close(fd);
	EXPECT_ERR(EBADF, bpfrb_ring_buffer__poll(rb, 1000));
	bpfrb_ring_buffer__free(rb);
}

static void on_alarm(int sig)
{
}

/* A full user ring nobody drains: reserve_blocking(-1) ends at a signal. */
TEST(reserve_blocking_signal_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct bpfrb_user_ring_buffer *rb;
	int fd;

	rb = full_user_ring(&fd);
	ASSERT_NE(NULL, rb);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_NULL_ERR(EINTR, bpfrb_user_ring_buffer__reserve_blocking(rb, 8, -1));
	alarm(0);
	bpfrb_user_ring_buffer__free(rb);
	close(fd);
}

/*
 * Half the ring free, the sample bigger than that: the ring reports
 * POLLOUT all along, and the wait must still sleep until a drain (none
 * comes) and end at a signal; a wait that polled and slept by turns
 * missed signals landing between the two. SA_RESTART: epoll_wait(2) is
 * not restarted after a handler. The finite timeout turns a signal
 * missed into ENOSPC instead of a hang.
 */
TEST(reserve_blocking_some_space_signal_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct bpfrb_user_ring_buffer *rb;
	void *half;
	int fd;

	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_USER, NULL);
	ASSERT_LE(0, fd);
	rb = bpfrb_user_ring_buffer__new(fd, NULL);
	ASSERT_NE(NULL, rb);
	half = bpfrb_user_ring_buffer__reserve(rb, 2048 - 8);
	ASSERT_NE(NULL, half);
	bpfrb_user_ring_buffer__submit(rb, half);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_NULL_ERR(EINTR, bpfrb_user_ring_buffer__reserve_blocking(rb, 4096 - 8, 3000));
	alarm(0);
	bpfrb_user_ring_buffer__free(rb);
	close(fd);
}

TEST(reserve_blocking_fd_closed_ebadf)
{
	struct bpfrb_user_ring_buffer *rb;
	int fd;

	rb = full_user_ring(&fd);
	ASSERT_NE(NULL, rb);
	close(fd);
	EXPECT_NULL_ERR(EBADF, bpfrb_user_ring_buffer__reserve_blocking(rb, 8, 1000));
	bpfrb_user_ring_buffer__free(rb);
}

LIB_TEST_MAIN
