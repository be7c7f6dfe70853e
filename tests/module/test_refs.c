// SPDX-License-Identifier: GPL-2.0
/*
 * Ring references the test module keeps on behalf of the tests: rings it
 * created (CREATE_RING) and references taken with bpfrb_get() (HOLD).
 * They outlive the file that asked for them, so that lifetime tests can
 * close everything in user space; RELEASE or module unload drops them.
 */
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/bpfrb.h>

#include "test_internal.h"

struct test_ref {
	struct list_head node;
	struct bpfrb *rb;
	u32 id;
};

/* Protects test_refs; process context only (ioctls and module exit). */
static DEFINE_MUTEX(test_refs_lock);
static LIST_HEAD(test_refs);

static int keep_ref(struct bpfrb *rb)
{
	struct test_ref *ref = kzalloc(sizeof(*ref), GFP_KERNEL);

	if (!ref) {
		bpfrb_put(rb);
		return -ENOMEM;
	}
	ref->rb = rb;
	ref->id = bpfrb_id(rb);
	mutex_lock(&test_refs_lock);
	list_add(&ref->node, &test_refs);
	mutex_unlock(&test_refs_lock);
	return 0;
}

/* A name from user space must end within its field before it is a string. */
static bool name_terminated(const char *name, size_t len)
{
	return strnlen(name, len) < len;
}

long test_create_ring(struct bpfrb_test_create *arg)
{
	struct bpfrb *rb;

	if (!name_terminated(arg->name, sizeof(arg->name)))
		return -EINVAL;
	rb = bpfrb_create(arg->name, arg->size, arg->type, arg->flags,
			  arg->numa_node);
	if (IS_ERR(rb))
		return PTR_ERR(rb);
	arg->id = bpfrb_id(rb);
	return keep_ref(rb);
}

long test_hold(struct bpfrb_test_hold *arg)
{
	struct bpfrb *rb;

	if (arg->id) {
		rb = bpfrb_get(arg->id);
	} else {
		if (!name_terminated(arg->name, sizeof(arg->name)))
			return -EINVAL;
		rb = bpfrb_get_by_name(arg->name);
	}
	if (IS_ERR(rb))
		return PTR_ERR(rb);
	arg->id = bpfrb_id(rb);
	return keep_ref(rb);
}

/* Drops the most recent reference kept on ring id. */
long test_release(u32 id)
{
	struct test_ref *ref, *found = NULL;

	mutex_lock(&test_refs_lock);
	list_for_each_entry(ref, &test_refs, node) {
		if (ref->id == id) {
			found = ref;
			list_del(&ref->node);
			break;
		}
	}
	mutex_unlock(&test_refs_lock);
	if (!found)
		return -ENOENT;
	bpfrb_put(found->rb);
	kfree(found);
	return 0;
}

long test_query(struct bpfrb_test_query *arg)
{
	struct bpfrb *rb = bpfrb_get(arg->ring_id);
	u64 sel;

	if (IS_ERR(rb))
		return PTR_ERR(rb);
	for (sel = 0; sel < BPFRB_TEST_NR_QUERY; sel++)
		arg->values[sel] = bpfrb_query(rb, sel);
	arg->unknown = bpfrb_query(rb, 0x1000);
	bpfrb_put(rb);
	return 0;
}

void test_refs_release_all(void)
{
	struct test_ref *ref, *tmp;

	mutex_lock(&test_refs_lock);
	list_for_each_entry_safe(ref, tmp, &test_refs, node) {
		list_del(&ref->node);
		bpfrb_put(ref->rb);
		kfree(ref);
	}
	mutex_unlock(&test_refs_lock);
}
