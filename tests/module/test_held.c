// SPDX-License-Identifier: GPL-2.0
/*
 * Records the tests control one by one: RESERVE_HOLD keeps reservations
 * uncommitted (to test ordering, and that nothing overwrites a record in
 * flight whatever user space writes to consumer_pos), COMMIT_HELD submits
 * or discards them later, OUTPUT_ONE produces a single record and reports
 * what the API returned.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/bpfrb.h>

#include "test_internal.h"

struct held_record {
	struct bpfrb *rb;		/* a reference per held record */
	void *sample;
	u32 size;
};

/* Protects held[] and held_next; process context only. */
static DEFINE_MUTEX(held_lock);
static struct held_record held[BPFRB_TEST_MAX_HELD];
static u32 held_next;

static bool any_held(void)
{
	u32 i;

	for (i = 0; i < held_next; i++)
		if (held[i].sample)
			return true;
	return false;
}

long test_reserve_hold(struct bpfrb_test_reserve *arg)
{
	struct held_record *h;
	struct bpfrb *rb;
	void *sample;
	u32 i;

	if (arg->size < sizeof(struct bpfrb_test_record))
		return -EINVAL;
	mutex_lock(&held_lock);
	/* Numbering starts again once nothing is held. */
	if (!any_held())
		held_next = 0;
	arg->first_index = held_next;
	arg->reserved_count = 0;
	for (i = 0; i < arg->count && held_next < BPFRB_TEST_MAX_HELD; i++) {
		rb = bpfrb_get(arg->ring_id);
		if (IS_ERR(rb)) {
			mutex_unlock(&held_lock);
			return i ? 0 : PTR_ERR(rb);
		}
		sample = bpfrb_reserve(rb, arg->size, arg->flags);
		if (!sample) {
			bpfrb_put(rb);
			break;
		}
		bpfrb_test_fill(sample, arg->size, BPFRB_TEST_ID_HELD,
				held_next);
		h = &held[held_next++];
		h->rb = rb;
		h->sample = sample;
		h->size = arg->size;
		arg->reserved_count++;
	}
	mutex_unlock(&held_lock);
	return 0;
}

/*
 * Whether held record index still holds what RESERVE_HOLD wrote: intact,
 * and its own (an intact copy of another record would pass the checksum).
 */
static bool held_intact(const struct held_record *h, u32 index)
{
	const struct bpfrb_test_record *r = h->sample;

	return !bpfrb_test_verify(h->sample, h->size) &&
	       r->producer_id == BPFRB_TEST_ID_HELD && r->seq == index;
}

long test_commit_held(struct bpfrb_test_commit *arg)
{
	struct held_record *h;
	u32 i, end;

	if (arg->action > BPFRB_TEST_COMMIT_DISCARD)
		return -EINVAL;
	if (arg->count > BPFRB_TEST_MAX_HELD ||
	    arg->index > BPFRB_TEST_MAX_HELD - arg->count)
		return -EINVAL;
	end = arg->index + arg->count;
	mutex_lock(&held_lock);
	for (i = arg->index; i < end; i++) {
		if (!held[i].sample) {
			mutex_unlock(&held_lock);
			return -ENOENT;
		}
	}
	arg->corrupted = 0;
	for (i = arg->index; i < end; i++) {
		h = &held[i];
		/* Nothing but this module may write a record in flight. */
		if (!held_intact(h, i))
			arg->corrupted++;
		if (arg->action == BPFRB_TEST_COMMIT_DISCARD)
			bpfrb_discard(h->sample, arg->flags);
		else
			bpfrb_submit(h->sample, arg->flags);
		bpfrb_put(h->rb);
		h->sample = NULL;
		h->rb = NULL;
	}
	mutex_unlock(&held_lock);
	return 0;
}

void test_held_discard_all(void)
{
	u32 i;

	mutex_lock(&held_lock);
	for (i = 0; i < held_next; i++) {
		if (!held[i].sample)
			continue;
		bpfrb_discard(held[i].sample, BPFRB_NO_WAKEUP);
		bpfrb_put(held[i].rb);
		held[i].sample = NULL;
		held[i].rb = NULL;
	}
	held_next = 0;
	mutex_unlock(&held_lock);
}

/* A test record when it fits one, else just the pattern bytes. */
static void fill_one(void *data, u32 size, u32 producer_id, u64 seq)
{
	u8 *bytes = data;
	u32 i;

	if (size >= sizeof(struct bpfrb_test_record)) {
		bpfrb_test_fill(data, size, producer_id, seq);
		return;
	}
	for (i = 0; i < size; i++)
		bytes[i] = bpfrb_test_pattern(producer_id, seq, i);
}

long test_output_one(struct bpfrb_test_output *arg)
{
	struct bpfrb *rb;
	void *data;

	/* Tests use rings small enough that too-big records stay below this. */
	if (arg->mode > BPFRB_TEST_ONE_DISCARD || arg->size > TEST_MAX_BUFFER)
		return -EINVAL;
	rb = bpfrb_get(arg->ring_id);
	if (IS_ERR(rb))
		return PTR_ERR(rb);

	if (arg->mode == BPFRB_TEST_ONE_OUTPUT) {
		data = kvzalloc(max_t(u64, arg->size, 1), GFP_KERNEL);
		if (!data) {
			bpfrb_put(rb);
			return -ENOMEM;
		}
		fill_one(data, arg->size, arg->producer_id, arg->seq);
		arg->ret = bpfrb_output(rb, data, arg->size, arg->flags);
		kvfree(data);
	} else {
		data = bpfrb_reserve(rb, arg->size, arg->reserve_flags);
		if (!data) {
			arg->ret = -ENOSPC;
		} else {
			fill_one(data, arg->size, arg->producer_id, arg->seq);
			if (arg->mode == BPFRB_TEST_ONE_SUBMIT)
				bpfrb_submit(data, arg->flags);
			else
				bpfrb_discard(data, arg->flags);
			arg->ret = 0;
		}
	}
	bpfrb_put(rb);
	return 0;
}
