// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of rings: ids, unique names, references and lifetime.
 *
 * A ring lives while anything holds a reference: a file bound to it (a
 * mapping pins its file), or kernel code that created or got it. The final
 * bpfrb_put() takes the ring out of the registry under the registry mutex,
 * so a lookup never finds a dying ring, then waits for the ring's pending
 * wakeup and frees it.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include "bpfrb_internal.h"
#include "compat.h"

/*
 * Protects bpfrb_ids, bpfrb_nr_rings and name uniqueness, and makes
 * "last reference dropped" and "found by a lookup" exclusive. Process
 * context only.
 */
static DEFINE_MUTEX(bpfrb_registry_lock);
static DEFINE_IDR(bpfrb_ids);
static unsigned int bpfrb_nr_rings;

/* "" (no name) or up to BPFRB_NAME_LEN - 1 characters of [A-Za-z0-9_.-]. */
int bpfrb_check_name(const char *name)
{
	size_t i, len = strnlen(name, BPFRB_NAME_LEN);

	if (len == BPFRB_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		/*
		 * ASCII only: the kernel's isalnum() takes bytes 0xc0-0xff
		 * for Latin-1 letters, which SPEC's [A-Za-z0-9_.-] is not.
		 */
		if (!isascii(c) || (!isalnum(c) && c != '_' && c != '.' &&
				    c != '-'))
			return -EINVAL;
	}
	return 0;
}

int bpfrb_check_create(u64 size, enum bpfrb_type type, u32 flags, int numa_node)
{
	if (flags)
		return -EINVAL;
	if (type != BPFRB_TYPE_KERNEL && type != BPFRB_TYPE_USER)
		return -EINVAL;
	/* Not is_power_of_2(): it takes an unsigned long, 32 bits on some. */
	if (size < PAGE_SIZE || (size & (size - 1)))
		return -EINVAL;
	if (numa_node != NUMA_NO_NODE &&
	    (numa_node < 0 || numa_node >= nr_node_ids ||
	     !node_online(numa_node)))
		return -EINVAL;
	if (size > bpfrb_max_ring_size)
		return -E2BIG;
	return 0;
}

/* Under bpfrb_registry_lock. */
static struct bpfrb *bpfrb_find_name(const char *name)
{
	struct bpfrb *rb;
	int id;

	idr_for_each_entry(&bpfrb_ids, rb, id)
		if (!strcmp(rb->name, name))
			return rb;
	return NULL;
}

static void bpfrb_destroy(struct bpfrb *rb)
{
	bpfrb_notify_sync(rb);
	free_percpu(rb->stats);
	bpfrb_ring_free(rb);
}

struct bpfrb *bpfrb_create_owned(const char *name, u64 size,
				 enum bpfrb_type type, u32 flags,
				 int numa_node, kuid_t owner)
{
	struct bpfrb *rb;
	int err, id;

	if (!name)
		name = "";
	err = bpfrb_check_name(name);
	if (!err)
		err = bpfrb_check_create(size, type, flags, numa_node);
	if (err)
		return ERR_PTR(err);
	/* Cheap early refusal before allocating; rechecked under the lock. */
	if (READ_ONCE(bpfrb_nr_rings) >= bpfrb_max_rings)
		return ERR_PTR(-ENOMEM);

	rb = bpfrb_ring_alloc(size, numa_node);
	if (IS_ERR(rb))
		return rb;
	rb->stats = alloc_percpu_gfp(struct bpfrb_stats, GFP_KERNEL_ACCOUNT);
	if (!rb->stats) {
		err = -ENOMEM;
		goto err_free_ring;
	}
	rb->lock = (arch_spinlock_t)__ARCH_SPIN_LOCK_UNLOCKED;
	bpfrb_notify_init(rb);
	refcount_set(&rb->refcnt, 1);
	rb->type = type;
	rb->sample_limit = type == BPFRB_TYPE_KERNEL ?
			   bpfrb_size(rb) - BPFRB_HDR_SZ + 1 : 0;
	rb->flags = flags;
	rb->owner = owner;
	atomic_set(&rb->next_probe_id, 0);
	atomic_set(&rb->nr_probes, 0);
	atomic_set(&rb->drain_busy, 0);
	strscpy(rb->name, name, sizeof(rb->name));

	mutex_lock(&bpfrb_registry_lock);
	if (bpfrb_nr_rings >= bpfrb_max_rings) {
		err = -ENOMEM;
		goto err_unlock;
	}
	if (rb->name[0] && bpfrb_find_name(rb->name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	/* Cyclic: a closed ring's id is not handed out again soon. */
	id = idr_alloc_cyclic(&bpfrb_ids, rb, 1, INT_MAX, GFP_KERNEL);
	if (id < 0) {
		err = id;
		goto err_unlock;
	}
	rb->id = id;
	WRITE_ONCE(bpfrb_nr_rings, bpfrb_nr_rings + 1);
	mutex_unlock(&bpfrb_registry_lock);
	return rb;

err_unlock:
	mutex_unlock(&bpfrb_registry_lock);
	free_percpu(rb->stats);
err_free_ring:
	bpfrb_ring_free(rb);
	return ERR_PTR(err);
}

struct bpfrb *bpfrb_create(const char *name, u64 size, enum bpfrb_type type,
			   u32 flags, int numa_node)
{
	/* Rings created by kernel code belong to root. */
	return bpfrb_create_owned(name, size, type, flags, numa_node,
				  GLOBAL_ROOT_UID);
}
EXPORT_SYMBOL_BPFRB(bpfrb_create);

struct bpfrb *bpfrb_get(u32 id)
{
	struct bpfrb *rb;

	if (!id || id > INT_MAX)
		return ERR_PTR(-ENOENT);
	mutex_lock(&bpfrb_registry_lock);
	rb = idr_find(&bpfrb_ids, id);
	/* Registered rings have a reference: the final put unregisters first. */
	if (rb)
		refcount_inc(&rb->refcnt);
	mutex_unlock(&bpfrb_registry_lock);
	return rb ?: ERR_PTR(-ENOENT);
}
EXPORT_SYMBOL_BPFRB(bpfrb_get);

struct bpfrb *bpfrb_get_by_name(const char *name)
{
	struct bpfrb *rb;

	if (!name || !name[0] || bpfrb_check_name(name))
		return ERR_PTR(-ENOENT);
	mutex_lock(&bpfrb_registry_lock);
	rb = bpfrb_find_name(name);
	if (rb)
		refcount_inc(&rb->refcnt);
	mutex_unlock(&bpfrb_registry_lock);
	return rb ?: ERR_PTR(-ENOENT);
}
EXPORT_SYMBOL_BPFRB(bpfrb_get_by_name);

void bpfrb_put(struct bpfrb *rb)
{
	/*
	 * Only the last put sleeps (the registry mutex, vunmap()). Say so on
	 * every put, so that a caller in atomic context shows up under
	 * CONFIG_DEBUG_ATOMIC_SLEEP at once, not the day its put is the last.
	 */
	might_sleep();
	if (IS_ERR_OR_NULL(rb))
		return;
	if (!refcount_dec_and_mutex_lock(&rb->refcnt, &bpfrb_registry_lock))
		return;
	idr_remove(&bpfrb_ids, rb->id);
	WRITE_ONCE(bpfrb_nr_rings, bpfrb_nr_rings - 1);
	mutex_unlock(&bpfrb_registry_lock);
	bpfrb_destroy(rb);
}
EXPORT_SYMBOL_BPFRB(bpfrb_put);

u32 bpfrb_id(const struct bpfrb *rb)
{
	return rb->id;
}
EXPORT_SYMBOL_BPFRB(bpfrb_id);

int bpfrb_registry_walk(bpfrb_ring_fn fn, void *ctx)
{
	struct bpfrb *rb;
	int id, ret = 0;

	mutex_lock(&bpfrb_registry_lock);
	idr_for_each_entry(&bpfrb_ids, rb, id) {
		ret = fn(rb, ctx);
		if (ret)
			break;
	}
	mutex_unlock(&bpfrb_registry_lock);
	return ret;
}

/*
 * Module exit. Files and mappings pin the module and modules using the
 * API depend on it, so a ring left here was leaked by kernel code that is
 * gone: free it rather than leak its memory too.
 */
void bpfrb_registry_exit(void)
{
	struct bpfrb *rb;
	int id;

	idr_for_each_entry(&bpfrb_ids, rb, id) {
		pr_warn("ring %u (\"%s\") still referenced at exit, freeing it\n",
			rb->id, rb->name);
		idr_remove(&bpfrb_ids, id);
		bpfrb_destroy(rb);
	}
	idr_destroy(&bpfrb_ids);
}
