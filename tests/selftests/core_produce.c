// SPDX-License-Identifier: GPL-2.0
/*
 * Producing through the exported API (driven by bpfrb_test.ko) and
 * consuming through the mapping: what is committed arrives once, intact,
 * in order; discards are skipped; the query selectors and INFO counters
 * say what happened; records wrap the end of the ring; a record can fill
 * the whole ring but not more; a held record hides the ones after it;
 * headers read as the BPF ring buffer's; producers contending from every
 * CPU leave producer_pos at the last reservation.
 */
#include "kselftest_harness.h"
#include "core_consume.h"

FIXTURE(produce) {
	int tfd;
	struct core_ring ring;
	long page;
	__u32 first;	/* first held index (outside the test's stack: longjmp) */
};

FIXTURE_SETUP(produce)
{
	self->ring.fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	self->tfd = testmod_open();
	if (self->tfd < 0)
		SKIP(return, "%s: %s", BPFRB_TEST_DEVICE, strerror(-self->tfd));
}

FIXTURE_TEARDOWN(produce)
{
	core_ring_close(&self->ring);
	if (self->tfd >= 0)
		close(self->tfd);
}

static __u64 query(int tfd, __u32 id, int sel)
{
	struct bpfrb_test_query q;

	if (testmod_query(tfd, id, &q))
		return ~0ULL;
	return q.values[sel];
}

TEST_F(produce, committed_records_arrive_once_in_order_intact)
{
	struct bpfrb_test_produce p;
	struct record_check check = { 0 };
	struct bpfrb_info info;

	ASSERT_EQ(0, core_ring_open(&self->ring, 64 * 1024, NULL));
	testmod_produce_init(&p, self->ring.id, BPFRB_TEST_PROD_PROCESS, 500, 64);
	ASSERT_EQ(0, testmod_produce(self->tfd, &p));
	ASSERT_EQ(500ULL, p.counts[BPFRB_TEST_ID_PROCESS].produced);
	ASSERT_EQ(0ULL, p.counts[BPFRB_TEST_ID_PROCESS].dropped);
	ASSERT_EQ(500, core_ring_consume(&self->ring, record_check_sample, &check));
	ASSERT_EQ(500ULL, check.consumed[BPFRB_TEST_ID_PROCESS]);
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
	ASSERT_EQ(500ULL, check.next_seq[BPFRB_TEST_ID_PROCESS]);
	ASSERT_EQ(0, core_info(self->ring.fd, &info));
	ASSERT_EQ(500ULL, info.records);
	ASSERT_EQ(500ULL * 72, info.producer_pos);
	ASSERT_EQ(info.producer_pos, info.consumer_pos);
}

TEST_F(produce, discarded_records_are_skipped_and_counted)
{
	struct bpfrb_test_produce p;
	struct record_check check = { .discard_every = 3 };
	struct bpfrb_info info;

	ASSERT_EQ(0, core_ring_open(&self->ring, 64 * 1024, NULL));
	testmod_produce_init(&p, self->ring.id, BPFRB_TEST_PROD_PROCESS, 300, 40);
	p.discard_every = 3;
	ASSERT_EQ(0, testmod_produce(self->tfd, &p));
	ASSERT_EQ(200ULL, p.counts[BPFRB_TEST_ID_PROCESS].produced);
	ASSERT_EQ(100ULL, p.counts[BPFRB_TEST_ID_PROCESS].discarded);
	ASSERT_EQ(200, core_ring_consume(&self->ring, record_check_sample, &check));
	ASSERT_EQ(0ULL, check.discarded_seen);
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
	ASSERT_EQ(0, core_info(self->ring.fd, &info));
	ASSERT_EQ(200ULL, info.records);
	ASSERT_EQ(100ULL, info.discards);
	/* Discarded records still took their room: 300 records of 48 bytes. */
	ASSERT_EQ(300ULL * 48, info.consumer_pos);
}

/* The values the kernel's ringbuf selftest checks, after each step. */
TEST_F(produce, query_selectors_follow_submits_discards_consumes)
{
	struct bpfrb_test_query q;
	__u32 id;

	ASSERT_EQ(0, core_ring_open(&self->ring, 4 * self->page, NULL));
	id = self->ring.id;
	ASSERT_EQ(0, testmod_query(self->tfd, id, &q));
	ASSERT_EQ(0ULL, q.values[BPFRB_AVAIL_DATA]);
	ASSERT_EQ((__u64)(4 * self->page), q.values[BPFRB_RING_SIZE]);
	ASSERT_EQ(0ULL, q.values[BPFRB_CONS_POS]);
	ASSERT_EQ(0ULL, q.values[BPFRB_PROD_POS]);
	ASSERT_EQ(0ULL, q.values[BPFRB_DROPS]);
	ASSERT_EQ(0ULL, q.unknown);

	/* Two records of 24 bytes: 32 each with the header. */
	ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_SUBMIT, 24, 0, 0));
	ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT, 24, 0, 1));
	ASSERT_EQ(64ULL, query(self->tfd, id, BPFRB_AVAIL_DATA));
	ASSERT_EQ(64ULL, query(self->tfd, id, BPFRB_PROD_POS));
	ASSERT_EQ(0ULL, query(self->tfd, id, BPFRB_CONS_POS));
	/* A discard of 30 bytes still advances producer_pos by 40. */
	ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_DISCARD, 30, 0, 2));
	ASSERT_EQ(104ULL, query(self->tfd, id, BPFRB_PROD_POS));
	ASSERT_EQ(104ULL, query(self->tfd, id, BPFRB_AVAIL_DATA));

	ASSERT_EQ(2, core_ring_consume(&self->ring, NULL, NULL));
	ASSERT_EQ(104ULL, query(self->tfd, id, BPFRB_CONS_POS));
	ASSERT_EQ(0ULL, query(self->tfd, id, BPFRB_AVAIL_DATA));
	ASSERT_EQ(0ULL, query(self->tfd, id, BPFRB_DROPS));
}

/* The bytes of a record smaller than a test record header, as output. */
struct small_check {
	__u32 size;
	__u64 seq;
	int bad;
};

static int small_check_sample(void *ctx, const void *data, __u32 len)
{
	struct small_check *c = ctx;
	const __u8 *bytes = data;
	__u32 i;

	if (len != c->size)
		c->bad++;
	for (i = 0; i < len; i++)
		if (bytes[i] != bpfrb_test_pattern(BPFRB_TEST_ID_ONE, c->seq, i))
			c->bad++;
	return 0;
}

/*
 * Output copies small records a word at a time and larger or odd-sized
 * ones by words with a byte tail (src/produce.c): every size from 1 byte
 * to past a page, on both sides of every limit, arrives intact, with its
 * exact length, also where it wraps the end of the ring.
 */
TEST_F(produce, output_copies_every_size_exactly)
{
	struct record_check check = { 0 };
	struct small_check small = { 0 };
	__u32 size, id;

	ASSERT_EQ(0, core_ring_open(&self->ring, 4 * self->page, NULL));
	id = self->ring.id;
	for (size = 1; size < sizeof(struct bpfrb_test_record); size++) {
		small.size = size;
		small.seq = size;
		ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT,
					 size, 0, size));
		ASSERT_EQ(1, core_ring_consume(&self->ring, small_check_sample,
					       &small));
		ASSERT_EQ(0, small.bad) TH_LOG("size %u", size);
	}
	for (size = sizeof(struct bpfrb_test_record); size <= 4104; size++) {
		ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT,
					 size, 0, size));
		ASSERT_EQ(1, core_ring_consume(&self->ring, record_check_sample,
					       &check));
		ASSERT_EQ(0ULL, check.corrupt) TH_LOG("size %u", size);
	}
	ASSERT_EQ(4104ULL - sizeof(struct bpfrb_test_record) + 1, check.total);
}

struct id_list {
	int n, corrupt;
	__u32 id[8];
	__u64 seq[8];
};

static int record_ids(void *ctx, const void *data, __u32 len)
{
	const struct bpfrb_test_record *rec = data;
	struct id_list *l = ctx;

	if (bpfrb_test_verify(data, len))
		l->corrupt++;
	if (l->n < 8) {
		l->id[l->n] = rec->producer_id;
		l->seq[l->n] = rec->seq;
	}
	l->n++;
	return 0;
}

TEST_F(produce, records_wrap_the_end_of_the_ring_contiguously)
{
	struct id_list ids = { 0 };
	struct bpfrb_test_query q;
	__u32 id;
	int i;

	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	id = self->ring.id;
	/* 3 records of 1000 + 8 bytes, consumed; the 5th crosses the end. */
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT,
					 1000, 0, i));
		if (i == 2)
			ASSERT_EQ(3, core_ring_consume(&self->ring, record_ids,
						       &ids));
	}
	ASSERT_EQ(0, testmod_query(self->tfd, id, &q));
	ASSERT_EQ(6ULL * 1008, q.values[BPFRB_PROD_POS]);
	ASSERT_LT((__u64)self->page, q.values[BPFRB_PROD_POS]);
	ASSERT_EQ(3, core_ring_consume(&self->ring, record_ids, &ids));
	/* Whole (the wrapped one too) and in the order written. */
	ASSERT_EQ(0, ids.corrupt);
	ASSERT_EQ(6, ids.n);
	for (i = 0; i < 6; i++)
		EXPECT_EQ((__u64)i, ids.seq[i]) TH_LOG("record %d", i);
}

TEST_F(produce, varying_sizes_wrap_many_times_without_loss)
{
	struct producer_thread pt = { .tfd = self->tfd };
	struct record_check check = { 0 };
	__u64 produced;

	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	testmod_produce_init(&pt.arg, self->ring.id, BPFRB_TEST_PROD_PROCESS,
			     20000, 1000);
	pt.arg.flags = BPFRB_TEST_PRODUCE_RETRY | BPFRB_TEST_PRODUCE_VARY_SIZE;
	ASSERT_EQ(0, producer_thread_start(&pt));
	ASSERT_LE(0, consume_while_producing(&self->ring, &pt, &check));
	ASSERT_EQ(0, producer_thread_join(&pt));
	produced = pt.arg.counts[BPFRB_TEST_ID_PROCESS].produced;
	ASSERT_EQ(20000ULL, produced);
	ASSERT_EQ(produced, check.consumed[BPFRB_TEST_ID_PROCESS]);
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
}

TEST_F(produce, one_record_fills_the_whole_ring)
{
	struct record_check check = { 0 };
	struct bpfrb_info info;
	__u32 id;

	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	id = self->ring.id;
	ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT,
				 self->page - BPFRB_HDR_SZ, 0, 0));
	ASSERT_EQ((__u64)self->page, query(self->tfd, id, BPFRB_AVAIL_DATA));
	/* Full: the smallest record no longer fits, and is a drop. */
	ASSERT_EQ(-EAGAIN, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT, 8, 0, 1));
	ASSERT_EQ(-ENOSPC, testmod_one(self->tfd, id, BPFRB_TEST_ONE_SUBMIT, 8, 0, 1));
	ASSERT_EQ(2ULL, query(self->tfd, id, BPFRB_DROPS));
	ASSERT_EQ(1, core_ring_consume(&self->ring, record_check_sample, &check));
	ASSERT_EQ(0ULL, check.corrupt);
	/* Once consumed, the ring can be filled again, now from offset 0 again. */
	ASSERT_EQ(0, testmod_one(self->tfd, id, BPFRB_TEST_ONE_SUBMIT,
				 self->page - BPFRB_HDR_SZ, 0, 2));
	ASSERT_EQ(1, core_ring_consume(&self->ring, record_check_sample, &check));
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0, core_info(self->ring.fd, &info));
	ASSERT_EQ(2ULL, info.records);
	ASSERT_EQ(2ULL, info.drops);
}

TEST_F(produce, record_larger_than_ring_refused_and_counted_as_drop)
{
	struct bpfrb_info info;
	__u32 id;

	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	id = self->ring.id;
	ASSERT_EQ(-E2BIG, testmod_one(self->tfd, id, BPFRB_TEST_ONE_OUTPUT,
				      self->page - BPFRB_HDR_SZ + 1, 0, 0));
	ASSERT_EQ(-ENOSPC, testmod_one(self->tfd, id, BPFRB_TEST_ONE_SUBMIT,
				       2 * self->page, 0, 0));
	ASSERT_EQ(0, core_info(self->ring.fd, &info));
	ASSERT_EQ(2ULL, info.drops);
	ASSERT_EQ(0ULL, info.producer_pos);
	ASSERT_EQ(2ULL, query(self->tfd, id, BPFRB_DROPS));
}

TEST_F(produce, output_with_unknown_flag_einval)
{
	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	ASSERT_EQ(-EINVAL, testmod_one(self->tfd, self->ring.id,
				       BPFRB_TEST_ONE_OUTPUT, 24, 4, 0));
	ASSERT_EQ(0ULL, query(self->tfd, self->ring.id, BPFRB_PROD_POS));
}

/* bpfrb_reserve() takes no flags yet: any is refused (NULL), not a drop. */
TEST_F(produce, reserve_with_a_flag_refused_not_a_drop)
{
	struct bpfrb_test_output o;

	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	memset(&o, 0, sizeof(o));
	o.ring_id = self->ring.id;
	o.mode = BPFRB_TEST_ONE_SUBMIT;
	o.size = 24;
	o.reserve_flags = BPFRB_NO_WAKEUP;
	o.producer_id = BPFRB_TEST_ID_ONE;
	ASSERT_EQ(0, ioctl(self->tfd, BPFRB_TEST_IOC_OUTPUT_ONE, &o));
	ASSERT_EQ(-ENOSPC, o.ret);	/* the test module's word for NULL */
	ASSERT_EQ(0ULL, query(self->tfd, self->ring.id, BPFRB_PROD_POS));
	ASSERT_EQ(0ULL, query(self->tfd, self->ring.id, BPFRB_DROPS));
	/* The same without the flag is reserved. */
	o.reserve_flags = 0;
	ASSERT_EQ(0, ioctl(self->tfd, BPFRB_TEST_IOC_OUTPUT_ONE, &o));
	ASSERT_EQ(0, o.ret);
	ASSERT_EQ(32ULL, query(self->tfd, self->ring.id, BPFRB_PROD_POS));
}

TEST_F(produce, later_record_invisible_while_earlier_is_held)
{
	struct id_list ids = { 0 };
	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	ASSERT_EQ(1, testmod_hold(self->tfd, self->ring.id, 1, 40, &self->first));
	ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
				 BPFRB_TEST_ONE_OUTPUT, 40, 0, 7));
	ASSERT_EQ(96ULL, query(self->tfd, self->ring.id, BPFRB_PROD_POS));
	ASSERT_EQ(0, core_ring_consume(&self->ring, record_ids, &ids));
	ASSERT_EQ(0UL, core_load_consumer(&self->ring));
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first, 1, BPFRB_TEST_COMMIT_SUBMIT, 0));
	ASSERT_EQ(2, core_ring_consume(&self->ring, record_ids, &ids));
	ASSERT_EQ(2, ids.n);
	ASSERT_EQ(BPFRB_TEST_ID_HELD, ids.id[0]);
	ASSERT_EQ(BPFRB_TEST_ID_ONE, ids.id[1]);
	ASSERT_EQ(7ULL, ids.seq[1]);
	ASSERT_EQ(0, ids.corrupt);
}

/* The held record, then ID_ONE records numbered from 0, each intact. */
struct held_then_in_order {
	int n, unexpected;
};

static int held_then_in_order(void *ctx, const void *data, __u32 len)
{
	const struct bpfrb_test_record *rec = data;
	struct held_then_in_order *c = ctx;

	if (bpfrb_test_verify(data, len) ||
	    rec->producer_id != (c->n ? BPFRB_TEST_ID_ONE : BPFRB_TEST_ID_HELD) ||
	    (c->n && rec->seq != (__u64)c->n - 1))
		c->unexpected++;
	c->n++;
	return 0;
}

/*
 * A record held while the rest of a 64 KiB ring fills behind it (far more
 * than the stretch after which reservations advance pending_pos): the
 * ring takes exactly what fits behind it, shows none of it until it is
 * committed, then all of it in order, and is whole again once consumed.
 */
TEST_F(produce, held_record_with_the_ring_filled_behind_it)
{
	const __u32 size = 1016, span = 1024, ring = 16 * self->page;
	const __u32 behind = (ring - 48) / span;	/* 48: the held record */
	struct held_then_in_order seen = { 0 };
	__u32 i;

	ASSERT_EQ(0, core_ring_open(&self->ring, ring, NULL));
	ASSERT_EQ(1, testmod_hold(self->tfd, self->ring.id, 1, 40, &self->first));
	for (i = 0; i < behind; i++)
		ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
					 BPFRB_TEST_ONE_OUTPUT, size, 0, i))
			TH_LOG("record %u of %u", i, behind);
	ASSERT_EQ(-EAGAIN, testmod_one(self->tfd, self->ring.id,
				       BPFRB_TEST_ONE_OUTPUT, size, 0, i));
	ASSERT_EQ(1ULL, query(self->tfd, self->ring.id, BPFRB_DROPS));
	ASSERT_EQ(0, core_ring_consume(&self->ring, held_then_in_order, &seen));

	ASSERT_EQ(0, testmod_commit(self->tfd, self->first, 1, BPFRB_TEST_COMMIT_SUBMIT, 0));
	ASSERT_EQ((int)behind + 1, core_ring_consume(&self->ring, held_then_in_order, &seen));
	ASSERT_EQ((int)behind + 1, seen.n);
	ASSERT_EQ(0, seen.unexpected);

	/* Empty again: a whole ring's worth fits, and not one record more. */
	for (i = 0; i < ring / span; i++)
		ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
					 BPFRB_TEST_ONE_OUTPUT, size, 0, i))
			TH_LOG("record %u after the commit", i);
	ASSERT_EQ(-EAGAIN, testmod_one(self->tfd, self->ring.id,
				       BPFRB_TEST_ONE_OUTPUT, size, 0, i));
	ASSERT_EQ((int)(ring / span), core_ring_consume(&self->ring, NULL, NULL));
}

TEST_F(produce, out_of_order_commits_are_seen_in_reservation_order)
{
	ASSERT_EQ(0, core_ring_open(&self->ring, self->page, NULL));
	ASSERT_EQ(3, testmod_hold(self->tfd, self->ring.id, 3, 32, &self->first));
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first + 2, 1, BPFRB_TEST_COMMIT_SUBMIT, 0));
	ASSERT_EQ(0, core_ring_consume(&self->ring, NULL, NULL));
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first + 1, 1, BPFRB_TEST_COMMIT_DISCARD, 0));
	ASSERT_EQ(0, core_ring_consume(&self->ring, NULL, NULL));
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first, 1, BPFRB_TEST_COMMIT_SUBMIT, 0));
	/* Record 0 and record 2; record 1 was discarded. */
	ASSERT_EQ(2, core_ring_consume(&self->ring, NULL, NULL));
	ASSERT_EQ(3UL * 40, core_load_consumer(&self->ring));
	/* A held index is committed only once. */
	ASSERT_EQ(-ENOENT, testmod_commit(self->tfd, self->first, 1, BPFRB_TEST_COMMIT_SUBMIT, 0));
}

/* The header of the record at data offset off, as user space sees it. */
static const __u32 *header_at(const struct core_ring *r, size_t off)
{
	return (const __u32 *)(r->data + off);
}

/*
 * What a consumer reads in a header is what the BPF ring buffer puts
 * there: len with BUSY while held, DISCARD once discarded, and pg_off
 * counting pages from the start of the ring's memory, where the data
 * area starts three pages in (one kernel page, the consumer page and the
 * producer page), as in the BPF ring buffer.
 */
TEST_F(produce, headers_are_laid_out_as_the_bpf_ring_buffer_does)
{
	const __u32 rec = 1000, span = 1008;
	const __u32 *hdr;
	size_t off;
	__u32 i;

	ASSERT_EQ(0, core_ring_open(&self->ring, 4 * self->page, NULL));
	/* Through output and through reserve + submit, across pages. */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, testmod_one(self->tfd, self->ring.id,
					 i & 1 ? BPFRB_TEST_ONE_SUBMIT :
						 BPFRB_TEST_ONE_OUTPUT,
					 rec, 0, i));
	for (i = 0, off = 0; i < 8; i++, off += span) {
		hdr = header_at(&self->ring, off);
		ASSERT_EQ(rec, hdr[0]) TH_LOG("record %u", i);
		ASSERT_EQ(3 + off / self->page, hdr[1]) TH_LOG("record %u", i);
	}
	/* off: where the held record starts, in the second page. */
	ASSERT_EQ(1, testmod_hold(self->tfd, self->ring.id, 1, 40, &self->first));
	hdr = header_at(&self->ring, off);
	ASSERT_EQ(40 | BPFRB_BUSY_BIT, hdr[0]);
	ASSERT_EQ(3 + off / self->page, hdr[1]);
	ASSERT_EQ(0, testmod_commit(self->tfd, self->first, 1,
				    BPFRB_TEST_COMMIT_DISCARD, 0));
	ASSERT_EQ(40 | BPFRB_DISCARD_BIT, hdr[0]);
	ASSERT_EQ(3 + off / self->page, hdr[1]);
	ASSERT_EQ(8, core_ring_consume(&self->ring, NULL, NULL));
}

TEST_F_TIMEOUT(produce, output_from_all_producers_is_lossless_with_retry, 120)
{
	struct producer_thread pt = { .tfd = self->tfd };
	struct record_check check = { 0 };
	__u32 i;

	ASSERT_EQ(0, core_ring_open(&self->ring, 16 * self->page, NULL));
	testmod_produce_init(&pt.arg, self->ring.id, BPFRB_TEST_PROD_ALL, 5000, 56);
	pt.arg.flags = BPFRB_TEST_PRODUCE_OUTPUT | BPFRB_TEST_PRODUCE_RETRY;
	pt.arg.discard_every = 10;
	check.discard_every = 10;
	ASSERT_EQ(0, producer_thread_start(&pt));
	ASSERT_LE(0, consume_while_producing(&self->ring, &pt, &check));
	ASSERT_EQ(0, producer_thread_join(&pt));
	ASSERT_LE(3U, pt.arg.nr_producers);
	for (i = 0; i < pt.arg.nr_producers; i++) {
		if (!pt.arg.counts[i].active)
			continue;
		EXPECT_EQ(4500ULL, pt.arg.counts[i].produced) TH_LOG("producer %u", i);
		EXPECT_EQ(500ULL, pt.arg.counts[i].discarded) TH_LOG("producer %u", i);
		EXPECT_EQ(pt.arg.counts[i].produced, check.consumed[i])
			TH_LOG("producer %u", i);
	}
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
	ASSERT_EQ(0ULL, check.discarded_seen);
	ASSERT_EQ(0ULL, check.foreign);
}

/*
 * Producers on every CPU contend for the ring's lock. Once they are all
 * done, producer_pos, as the kernel reports it and as the consumer maps
 * it, covers every reservation, and every record is there to consume
 * without any further reservation to push it out.
 */
TEST_F_TIMEOUT(produce, contended_producers_leave_every_record_published, 120)
{
	const __u64 room = 4 << 20;
	struct bpfrb_test_produce p;
	struct record_check check = { 0 };
	struct bpfrb_info info;
	__u64 records, produced;
	long got;

	ASSERT_EQ(0, core_ring_open(&self->ring, room, NULL));
	/* 32 bytes a record, and all CPUs' records fit. */
	records = records_that_fit(room, sysconf(_SC_NPROCESSORS_ONLN), 32, 30000);
	testmod_produce_init(&p, self->ring.id, BPFRB_TEST_PROD_KTHREADS, records, 24);
	ASSERT_EQ(0, testmod_produce(self->tfd, &p));
	produced = produce_sum(&p, 0);
	ASSERT_EQ(0ULL, produce_sum(&p, 1));
	ASSERT_LE(records, produced);

	ASSERT_EQ(0, core_info(self->ring.fd, &info));
	ASSERT_EQ(produced, info.records);
	ASSERT_EQ(produced * 32, info.producer_pos);
	ASSERT_EQ(produced * 32, query(self->tfd, self->ring.id, BPFRB_PROD_POS));
	/* What the consumer reads, not only what the kernel reports. */
	ASSERT_EQ(produced * 32, __atomic_load_n(self->ring.producer_pos,
						 __ATOMIC_ACQUIRE));
	got = core_ring_consume(&self->ring, record_check_sample, &check);
	ASSERT_EQ((long)produced, got);
	ASSERT_EQ(0ULL, check.corrupt);
	ASSERT_EQ(0ULL, check.out_of_order);
}

TEST_HARNESS_MAIN
