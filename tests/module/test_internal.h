/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the test module share. Each ioctl handler takes the
 * argument already copied in from user space and fills in its outputs.
 */
#ifndef _BPFRB_TEST_INTERNAL_H
#define _BPFRB_TEST_INTERNAL_H

#include <linux/types.h>
#include "bpfrb_test.h"

/* test_refs.c: ring references the module keeps for the tests. */
long test_create_ring(struct bpfrb_test_create *arg);
long test_hold(struct bpfrb_test_hold *arg);
long test_release(u32 id);
long test_query(struct bpfrb_test_query *arg);
void test_refs_release_all(void);

/* test_produce.c: process, hrtimer and per-CPU kthread producers. */
long test_produce(struct bpfrb_test_produce *arg);

/* test_held.c: records kept uncommitted, and single records. */
long test_reserve_hold(struct bpfrb_test_reserve *arg);
long test_commit_held(struct bpfrb_test_commit *arg);
long test_output_one(struct bpfrb_test_output *arg);
void test_held_discard_all(void);

/* test_drain.c: the kernel consumer of user rings. */
long test_drain(struct bpfrb_test_drain *arg);
long test_drain_start(struct bpfrb_test_drainer *arg);
long test_drain_stop(struct bpfrb_test_drainer *arg);
void test_drain_stop_all(void);

/* The largest payload the test module allocates a kernel buffer for. */
#define TEST_MAX_BUFFER		(16U << 20)

#endif /* _BPFRB_TEST_INTERNAL_H */
