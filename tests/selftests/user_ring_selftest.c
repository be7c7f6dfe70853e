// SPDX-License-Identifier: GPL-2.0
/*
 * The cases of the kernel's user ring buffer selftest
 * (tools/testing/selftests/bpf/prog_tests/user_ringbuf.c), carried over:
 * libbpfrb produces into a one-page user ring, the test module drains it
 * (BPFRB_TEST_IOC_DRAIN) where the BPF program would, and echoes samples
 * or replies into a kernel ring so that content is checked end to end.
 */
#include <pthread.h>

#include "user_ring_test.h"

/* The kernel selftest's sample. */
struct sample {
	int pid;
	long value;
	long seq;
	char comm[16];
};

#define SAMPLE_SPAN	((sizeof(struct sample) + BPFRB_HDR_SZ + 7) & ~7UL)

FIXTURE(uring) {
	struct ur u;
	long max_entries;	/* samples a one-page ring holds */
};

FIXTURE_SETUP(uring)
{
	int err = ur_open(&self->u, LIB_PAGE_SIZE);

	ASSERT_EQ(0, err) TH_LOG("user ring: %s", strerror(-err));
	self->max_entries = (long)(self->u.size / SAMPLE_SPAN);
}

FIXTURE_TEARDOWN(uring)
{
	ur_close(&self->u);
}

/* Writes n samples (seq from first_seq) until one does not fit: 0 or -errno. */
static int write_samples(struct ur *u, long n, long first_seq)
{
	struct sample *s;
	long i;

	for (i = 0; i < n; i++) {
		s = bpfrb_user_ring_buffer__reserve(u->urb, sizeof(*s));
		if (!s)
			return -errno;
		s->pid = getpid();
		s->seq = first_seq + i;
		s->value = s->seq * s->seq;
		snprintf(s->comm, sizeof(s->comm), "%ld", s->seq);
		bpfrb_user_ring_buffer__submit(u->urb, s);
	}
	return 0;
}

/* What arrived in the echo ring: each sample intact and in order. */
struct echo_check {
	long next_seq;
	long bad;
};

static int echo_sample_cb(void *ctx, void *data, size_t size)
{
	struct echo_check *c = ctx;
	const struct sample *s = data;
	char comm[16];

	snprintf(comm, sizeof(comm), "%ld", c->next_seq);
	if (size != sizeof(*s) || s->seq != c->next_seq || s->pid != getpid() ||
	    s->value != s->seq * s->seq || strcmp(comm, s->comm))
		c->bad++;
	c->next_seq++;
	return 0;
}

TEST_F(uring, mappings)
{
	size_t page = self->u.page;
	int fd = self->u.fd;
	void *p;

	/* consumer_pos: read-only, cannot gain write or exec, cannot grow. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(-1, mprotect(p, page, PROT_EXEC));
	EXPECT_EQ(MAP_FAILED, mremap(p, page, 4 * page, MREMAP_MAYMOVE));
	EXPECT_EQ(0, munmap(p, page));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);
	/* Nor as part of a bigger writable mapping. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);

	/* producer_pos: read-write, never executable. */
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, page, PROT_EXEC));
	EXPECT_EQ(MAP_FAILED, mremap(p, page, 4 * page, MREMAP_MAYMOVE));
	EXPECT_EQ(0, munmap(p, page));

	/* Data pages: read-write, never executable. */
	p = mmap(NULL, page, PROT_WRITE, MAP_SHARED, fd, 2 * page);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, page, PROT_EXEC));
	EXPECT_EQ(0, munmap(p, page));
	/*
	 * A read-only mapping stays read-only (SPEC §1), even of pages the
	 * producer may map writable, as bpf_map_mmap() has it.
	 */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 2 * page);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, munmap(p, page));

	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_EXEC,
				   MAP_SHARED, fd, page));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, fd, page));
	EXPECT_EQ(EINVAL, errno);
	/* Past consumer page + producer page + data twice: more than allowed. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, fd,
				   2 * page + 2 * self->u.size));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page + 2 * self->u.size,
				   PROT_READ | PROT_WRITE, MAP_SHARED, fd, page));
	EXPECT_EQ(EPERM, errno);
}

/* A sample of len at position 0, producer_pos = prod: the drain's error. */
static void post_invalid_sample(struct __test_metadata *_metadata,
				struct ur *u, __u32 len, unsigned long prod,
				long expect)
{
	struct bpfrb_test_drain d = { .value = 0 };

	ASSERT_EQ(0UL, ur_cons(u));
	ur_write_hdr(u, 0, len, 0);
	ur_set_prod(u, prod);
	ASSERT_EQ(0, ur_drain_ex(u, &d, BPFRB_TEST_DRAIN_COUNT, 0, 0));
	EXPECT_EQ(expect, d.ret);
	EXPECT_EQ(0, d.samples);
	/* The bad record stays where it was, and so does the error. */
	EXPECT_EQ(0UL, ur_cons(u));
	EXPECT_EQ(expect, ur_drain(u, 0));
}

TEST_F(uring, post_misaligned)
{
	__u32 size = (1 << 5) + 7;

	post_invalid_sample(_metadata, &self->u, size, size + BPFRB_HDR_SZ,
			    -EINVAL);
}

/*
 * The same error with nothing else wrong: a whole record (24 bytes, 32
 * with its header) before a producer_pos off the 8-byte grid. Without the
 * alignment check the record would be drained.
 */
TEST_F(uring, post_misaligned_after_a_whole_record)
{
	post_invalid_sample(_metadata, &self->u, 24, 24 + BPFRB_HDR_SZ + 4,
			    -EINVAL);
}

TEST_F(uring, post_producer_wrong_offset)
{
	__u32 size = 1 << 5;

	post_invalid_sample(_metadata, &self->u, size, size + BPFRB_HDR_SZ - 8,
			    -EINVAL);
}

TEST_F(uring, post_larger_than_ringbuf_sz)
{
	__u32 size = (__u32)self->u.size;

	post_invalid_sample(_metadata, &self->u, size, size + BPFRB_HDR_SZ,
			    -E2BIG);
}

TEST_F(uring, basic)
{
	struct echo_check c = { 0, 0 };
	struct bpfrb_test_drain d = { .value = 0 };
	struct ur_echo e;

	ASSERT_EQ(0, ur_echo_open(&e, 2 * self->u.size, echo_sample_cb, &c));
	ASSERT_EQ(0, write_samples(&self->u, 2, 0));
	/* Nothing is read before a drain. */
	EXPECT_EQ(0, bpfrb_ring_buffer__consume(e.rb));
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_ECHO, e.id, 0));
	EXPECT_EQ(2, d.ret);
	EXPECT_EQ(2, d.samples);
	EXPECT_EQ(2 * sizeof(struct sample), d.bytes);
	EXPECT_EQ(2, bpfrb_ring_buffer__consume(e.rb));
	EXPECT_EQ(2, c.next_seq);
	EXPECT_EQ(0, c.bad);
	EXPECT_EQ(ur_prod(&self->u), ur_cons(&self->u));
	ur_echo_close(&e);
}

static int full_sample_cb(void *ctx, void *data, size_t size)
{
	long *n = ctx;
	const __u8 *b = data;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != (__u8)(i * 7 + 3))
			return -EBADMSG;
	(*n)++;
	return 0;
}

TEST_F(uring, sample_full_ring_buffer)
{
	__u32 size = (__u32)self->u.size - BPFRB_HDR_SZ;
	struct bpfrb_test_drain d = { .value = 0 };
	struct ur_echo e;
	long n = 0;
	__u8 *s;
	__u32 i;

	ASSERT_EQ(0, ur_echo_open(&e, 2 * self->u.size, full_sample_cb, &n));
	s = bpfrb_user_ring_buffer__reserve(self->u.urb, size);
	ASSERT_NE(NULL, s);
	for (i = 0; i < size; i++)
		s[i] = (__u8)(i * 7 + 3);
	bpfrb_user_ring_buffer__submit(self->u.urb, s);
	/* The ring is full: not even an empty sample fits. */
	EXPECT_EQ(NULL, bpfrb_user_ring_buffer__reserve(self->u.urb, 0));
	EXPECT_EQ(ENOSPC, errno);

	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_ECHO, e.id, 0));
	EXPECT_EQ(1, d.ret);
	EXPECT_EQ(size, d.bytes);
	EXPECT_EQ(1, bpfrb_ring_buffer__consume(e.rb));
	EXPECT_EQ(1, n);
	ur_echo_close(&e);
}

TEST_F(uring, post_alignment_autoadjust)
{
	struct bpfrb_test_drain d = { .value = 0 };
	unsigned long prod0 = ur_prod(&self->u);
	void *s;

	s = bpfrb_user_ring_buffer__reserve(self->u.urb, sizeof(struct sample) + 1);
	ASSERT_NE(NULL, s);
	/* Payloads are 8-byte aligned, and so is the next record. */
	EXPECT_EQ(0, (unsigned long)s % 8);
	EXPECT_EQ(prod0 + ((sizeof(struct sample) + 1 + BPFRB_HDR_SZ + 7) & ~7UL),
		  ur_prod(&self->u));
	bpfrb_user_ring_buffer__submit(self->u.urb, s);
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_COUNT, 0, 0));
	EXPECT_EQ(1, d.ret);
	EXPECT_EQ(sizeof(struct sample) + 1, d.bytes);
	EXPECT_EQ(ur_prod(&self->u), ur_cons(&self->u));
}

TEST_F(uring, overfill)
{
	struct echo_check c = { 0, 0 };
	struct bpfrb_test_drain d = { .value = 0 };
	struct ur_echo e;

	ASSERT_EQ(0, ur_echo_open(&e, 2 * self->u.size, echo_sample_cb, &c));
	EXPECT_EQ(-ENOSPC, write_samples(&self->u, self->max_entries * 5, 0));
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_ECHO, e.id, 0));
	/* Exactly the ring's worth was written and read. */
	EXPECT_EQ(self->max_entries, d.ret);
	EXPECT_EQ(self->max_entries, bpfrb_ring_buffer__consume(e.rb));
	EXPECT_EQ(0, c.bad);
	ur_echo_close(&e);
}

TEST_F(uring, discards_properly_ignored)
{
	long discarded = 0;
	__u64 *token;

	for (;;) {
		token = bpfrb_user_ring_buffer__reserve(self->u.urb, sizeof(*token));
		if (!token)
			break;
		bpfrb_user_ring_buffer__discard(self->u.urb, token);
		discarded++;
	}
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(self->u.size / 16, discarded);

	/* Nothing is handed to the callback, and all the space comes back. */
	EXPECT_EQ(0, ur_drain(&self->u, 0));
	EXPECT_EQ(ur_prod(&self->u), ur_cons(&self->u));
	token = bpfrb_user_ring_buffer__reserve(self->u.urb, sizeof(*token));
	ASSERT_NE(NULL, token);
	bpfrb_user_ring_buffer__discard(self->u.urb, token);
}

TEST_F(uring, loop)
{
	long total = 8192, written = 0, cur, drained = 0;
	struct echo_check c = { 0, 0 };
	struct bpfrb_test_drain d = { .value = 0 };
	struct ur_echo e;

	ASSERT_LT(self->max_entries, total);
	ASSERT_EQ(0, ur_echo_open(&e, 2 * self->u.size, echo_sample_cb, &c));
	while (written < total) {
		cur = total - written < self->max_entries ?
		      total - written : self->max_entries;
		ASSERT_EQ(0, write_samples(&self->u, cur, written));
		written += cur;
		ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_ECHO,
					 e.id, 0));
		ASSERT_EQ(cur, d.ret);
		drained += d.ret;
		ASSERT_EQ(written, drained);
		ASSERT_EQ(cur, bpfrb_ring_buffer__consume(e.rb));
	}
	EXPECT_EQ(total, c.next_seq);
	EXPECT_EQ(0, c.bad);
	ur_echo_close(&e);
}

/* The replies the kernel sent, checked against what user space computed. */
struct reply_check {
	__u64 next_seq;
	__s64 expect[64];	/* value after message seq */
	long bad;
	long n;
};

static int reply_cb(void *ctx, void *data, size_t size)
{
	struct reply_check *c = ctx;
	const struct bpfrb_test_reply *r = data;

	c->n++;
	if (size != sizeof(*r) || r->status || r->seq != c->next_seq ||
	    r->seq >= 64 || r->value != c->expect[r->seq])
		c->bad++;
	c->next_seq++;
	return 0;
}

TEST_F(uring, msg_protocol)
{
	const __s64 op64 = 1LL << 33;	/* the kernel selftest's operands */
	const __s32 op32 = 1 << 5;
	struct bpfrb_test_drain d = { .value = 0 };
	struct reply_check c;
	struct bpfrb_test_msg *msg;
	struct ur_echo e;
	__s64 expect = 0;
	long pending = 0;
	int i;

	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, ur_echo_open(&e, 2 * self->u.size, reply_cb, &c));
	for (i = 0; i < 64; i++) {
		msg = bpfrb_user_ring_buffer__reserve(self->u.urb, sizeof(*msg));
		ASSERT_NE(NULL, msg);
		msg->op = i % BPFRB_TEST_MSG_NR_OPS;
		msg->operand_64 = op64;
		msg->operand_32 = op32;
		msg->seq = i;
		bpfrb_user_ring_buffer__submit(self->u.urb, msg);
		pending++;
		switch (i % BPFRB_TEST_MSG_NR_OPS) {
		case BPFRB_TEST_MSG_INC64:
			expect += op64;
			break;
		case BPFRB_TEST_MSG_INC32:
			expect += op32;
			break;
		case BPFRB_TEST_MSG_MUL64:
			expect *= op64;
			break;
		default:
			expect *= op32;
			break;
		}
		c.expect[i] = expect;

		if (i % 8 == 0) {
			/* d.value carries the kernel's state from drain to drain. */
			ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_REPLY,
						 e.id, 0));
			ASSERT_EQ(pending, d.ret);
			ASSERT_EQ(0, d.echo_failed);
			EXPECT_EQ(expect, d.value);
			EXPECT_EQ(pending, bpfrb_ring_buffer__consume(e.rb));
			EXPECT_EQ(0, c.bad);
			pending = 0;
		}
	}
	ASSERT_EQ(0, ur_drain_ex(&self->u, &d, BPFRB_TEST_DRAIN_REPLY, e.id, 0));
	EXPECT_EQ(pending, d.ret);
	EXPECT_EQ(pending, bpfrb_ring_buffer__consume(e.rb));
	EXPECT_EQ(expect, d.value);
	EXPECT_EQ(64, c.n);
	EXPECT_EQ(0, c.bad);
	ur_echo_close(&e);
}

struct kick {
	struct ur *u;
	int delay_ms;
	long ret;
};

static void *kick_fn(void *arg)
{
	struct kick *k = arg;

	ur_sleep_ms(k->delay_ms);
	k->ret = ur_drain(k->u, 0);
	return NULL;
}

TEST_F(uring, blocking_reserve)
{
	struct kick k = { &self->u, 100, 0 };
	long written = 0;
	long long t0, elapsed;
	pthread_t thread;
	__u64 *token;

	for (;;) {
		token = bpfrb_user_ring_buffer__reserve(self->u.urb, sizeof(*token));
		if (!token)
			break;
		*token = 0xdeadbeef;
		bpfrb_user_ring_buffer__submit(self->u.urb, token);
		written++;
	}
	ASSERT_LT(0, written);

	/* Times out after 1 s without a sample. */
	t0 = ur_now_ms();
	token = bpfrb_user_ring_buffer__reserve_blocking(self->u.urb,
							 sizeof(*token), 1000);
	elapsed = ur_now_ms() - t0;
	ASSERT_EQ(NULL, token);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_LE(950, elapsed);
	EXPECT_GT(5000, elapsed);

	/* A drain in another thread frees space and wakes us. */
	ASSERT_EQ(0, pthread_create(&thread, NULL, kick_fn, &k));
	token = bpfrb_user_ring_buffer__reserve_blocking(self->u.urb,
							 sizeof(*token), 10000);
	pthread_join(thread, NULL);
	ASSERT_NE(NULL, token);
	bpfrb_user_ring_buffer__discard(self->u.urb, token);
	EXPECT_EQ(written, k.ret);
}

LIB_TEST_MAIN
