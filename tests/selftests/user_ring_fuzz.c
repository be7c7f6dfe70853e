// SPDX-License-Identifier: GPL-2.0
/*
 * A producer that writes anything: random bytes over producer_pos, record
 * headers and payloads, each followed by a drain. Only the documented
 * results may come back (a count, -EINVAL, -E2BIG), consumer_pos only
 * moves forward by whole, validated records and never past producer_pos,
 * the kernel log stays clean (the harness checks it; KASAN on the debug
 * kernel sees any read outside the ring), and once the producer behaves
 * again the ring works: records written with libbpfrb arrive intact.
 *
 * timeout: 900
 */
#include <pthread.h>

#include "user_ring_test.h"

#define ROUNDS		100000
#define RING_SIZE	(4 * LIB_PAGE_SIZE)

/* xorshift64*: reproducible from the seed that is printed. */
static __u64 rnd_state;

static __u64 rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static void rnd_seed(struct __test_metadata *_metadata)
{
	rnd_state = (__u64)time(NULL) * 0x9e3779b97f4a7c15ULL | 1;
	TH_LOG("seed %llu", (unsigned long long)rnd_state);
}

/* A length word: mostly plausible, sometimes anything. */
static __u32 rnd_len(__u64 size)
{
	__u32 len;

	switch (rnd() % 4) {
	case 0:
		return (__u32)rnd();
	case 1:
		len = (__u32)(rnd() % (size + 64));
		break;
	default:
		len = (__u32)(rnd() % 256);
		break;
	}
	if (rnd() % 8 == 0)
		len |= BPFRB_DISCARD_BIT;
	if (rnd() % 16 == 0)
		len |= BPFRB_BUSY_BIT;
	return len;
}

/* One round of damage, as a producer with bugs (or malice) would do. */
static void scribble(struct ur *u)
{
	unsigned long cons = ur_cons(u), pos;
	__u64 size = u->size;
	int i, n;

	switch (rnd() % 6) {
	case 0:		/* producer_pos: anything */
		ur_set_prod(u, (unsigned long)rnd());
		break;
	case 1:		/* producer_pos: near consumer_pos, maybe misaligned */
		ur_set_prod(u, cons + rnd() % (size + 256) - (rnd() % 4 ? 0 : 128));
		break;
	case 2:		/* random bytes anywhere in the data area */
		n = (int)(rnd() % 64) + 1;
		for (i = 0; i < n; i++)
			u->data[rnd() % (2 * size)] = (__u8)rnd();
		break;
	case 3:		/* a header at consumer_pos, producer_pos after it */
		ur_write_hdr(u, cons, rnd_len(size), (__u32)rnd());
		ur_set_prod(u, cons + ((rnd() % (size + 64)) & ~7UL));
		break;
	case 4:		/* a chain of headers from consumer_pos */
		pos = cons;
		n = (int)(rnd() % 16) + 1;
		for (i = 0; i < n; i++) {
			__u32 len = rnd_len(size) & 0x3ff;

			ur_write_hdr(u, pos, len, (__u32)rnd());
			pos += (len + BPFRB_HDR_SZ + 7) & ~7UL;
		}
		ur_set_prod(u, pos + (rnd() % 3 == 0 ? 8 * (rnd() % 4) : 0));
		break;
	default:	/* a random word over a header-sized slot */
		pos = cons + 8 * (rnd() % (size / 8));
		*(__u64 *)(u->data + (pos & (size - 1))) = rnd();
		break;
	}
}

struct fuzz_stats {
	long ok, einval, e2big, bad;
	long consumed;
	long last_bad;
};

/* Records written with the library after the fuzz arrive intact. */
static void check_recovers(struct __test_metadata *_metadata, struct ur *u)
{
	struct bpfrb_test_drain d = { .value = 0 };
	struct lib_seen seen;
	struct ur_echo e;
	int i, j;

	memset(&seen, 0, sizeof(seen));
	/* Behave: producer_pos where the consumer is; headers are ours again. */
	ur_set_prod(u, ur_cons(u));
	ASSERT_EQ(0, ur_echo_open(&e, 2 * u->size, lib_seen_cb, &seen));
	for (i = 0; i < 20; i++) {
		for (j = 0; j < 10; j++)
			ASSERT_EQ(0, ur_write_record(u, 24 + 8 * ((i + j) % 32),
						     1, i * 10 + j));
		ASSERT_EQ(0, ur_drain_ex(u, &d, BPFRB_TEST_DRAIN_ECHO, e.id, 0));
		ASSERT_EQ(10, d.ret);
		ASSERT_EQ(10, bpfrb_ring_buffer__consume(e.rb));
	}
	EXPECT_EQ(200, seen.count[1]);
	EXPECT_EQ(0, seen.corrupt);
	EXPECT_EQ(0, seen.disorder);
	EXPECT_EQ(ur_prod(u), ur_cons(u));
	ur_echo_close(&e);
}

/* A fixture only for TEST_F_TIMEOUT: 30 s per test is too short on debug kernels. */
FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, rounds, 800)
{
	struct bpfrb_test_drain d = { .value = 0 };
	struct fuzz_stats st;
	unsigned long cons, after, prod;
	long long t0 = ur_now_ms();
	struct ur u;
	long i;

	memset(&st, 0, sizeof(st));
	rnd_seed(_metadata);
	ASSERT_EQ(0, ur_open(&u, RING_SIZE));
	for (i = 0; i < ROUNDS; i++) {
		scribble(&u);
		cons = ur_cons(&u);
		prod = ur_prod(&u);
		ASSERT_EQ(0, ur_drain_ex(&u, &d, BPFRB_TEST_DRAIN_COUNT, 0,
					 i % 3 == 0 ? BPFRB_NO_WAKEUP : 0));
		after = ur_cons(&u);
		if (d.ret >= 0) {
			st.ok++;
			st.consumed += d.ret;
			if (d.samples != (__u64)d.ret)
				st.bad++, st.last_bad = i;
		} else if (d.ret == -EINVAL) {
			st.einval++;
		} else if (d.ret == -E2BIG) {
			st.e2big++;
		} else {
			st.bad++;
			st.last_bad = i;
		}
		/*
		 * Whole records only, never past a producer_pos it accepted,
		 * and nothing at all with producer_pos behind consumer_pos
		 * (where prod - cons wraps to a huge value).
		 */
		if (after % 8 || after - cons > u.size ||
		    (after != cons && after - cons > prod - cons) ||
		    ((long)(prod - cons) < 0 && after != cons))
			st.bad++, st.last_bad = i;
	}
	TH_LOG("%ld rounds in %lld ms: %ld ok (%ld samples), %ld EINVAL, %ld E2BIG",
	       (long)ROUNDS, ur_now_ms() - t0, st.ok, st.consumed, st.einval,
	       st.e2big);
	EXPECT_EQ(0, st.bad) TH_LOG("last bad round %ld", st.last_bad);
	/* The fuzz reached every outcome. */
	EXPECT_LT(0, st.ok);
	EXPECT_LT(0, st.consumed);
	EXPECT_LT(0, st.einval);
	EXPECT_LT(0, st.e2big);
	check_recovers(_metadata, &u);
	ur_close(&u);
}

struct scribbler {
	struct ur *u;
	long long end_ms;
	long rounds;
};

static void *scribbler_fn(void *arg)
{
	struct scribbler *s = arg;

	while (ur_now_ms() < s->end_ms) {
		scribble(s->u);
		s->rounds++;
	}
	return NULL;
}

/* Headers and producer_pos change while kthreads drain: no time-of-check bugs. */
TEST_F_TIMEOUT(fuzz, concurrent_drainers, 120)
{
	struct scribbler sc;
	struct bpfrb_test_drainer d[2];
	pthread_t t;
	int slot[2], i;
	struct ur u;

	rnd_seed(_metadata);
	ASSERT_EQ(0, ur_open(&u, RING_SIZE));
	for (i = 0; i < 2; i++) {
		slot[i] = ur_drainer_start(&u, BPFRB_TEST_DRAIN_COUNT, 0, 0);
		ASSERT_LE(0, slot[i]);
	}
	sc.u = &u;
	sc.end_ms = ur_now_ms() + 5000;
	sc.rounds = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, scribbler_fn, &sc));
	pthread_join(t, NULL);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ur_drainer_stop(&u, slot[i], &d[i]));
		TH_LOG("drainer %d: %llu calls, %llu samples, %llu EBUSY, %llu EINVAL, %llu E2BIG",
		       i, d[i].calls, d[i].samples, d[i].ebusy, d[i].einval,
		       d[i].e2big);
		EXPECT_EQ(0, d[i].other) TH_LOG("returned %lld", d[i].last_other);
		EXPECT_LT(0, d[i].calls);
	}
	EXPECT_LT(1000, sc.rounds);
	check_recovers(_metadata, &u);
	ur_close(&u);
}

LIB_TEST_MAIN
