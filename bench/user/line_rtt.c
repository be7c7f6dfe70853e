// SPDX-License-Identifier: GPL-2.0
/*
 * What one cache line moving between CPU 0 and CPU 1 costs right now,
 * taken just before and just after every run: under TCG each vCPU is a
 * host thread, and this price, the host's, changes fivefold from one
 * stretch of seconds to the next (docs/BENCHMARKS.md, "Two producers").
 * A run between two cheap readings ran in a cheap phase, most likely.
 *
 * Two threads, pinned to CPU 0 and CPU 1, take turns incrementing one
 * counter; a round trip is two transfers of its line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* CPU_SET(), pthread_attr_setaffinity_np() */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "rbbench.h"

struct pingpong {
	/* Odd: CPU 0 wrote last; even: CPU 1 did. */
	_Atomic unsigned long turn __attribute__((aligned(64)));
	/* On a line of its own, so that polling it moves nothing. */
	atomic_bool done __attribute__((aligned(64)));
	uint64_t deadline_ns;
	uint64_t trips;
	uint64_t elapsed_ns;
};

/* CPU 1: answers every odd value with the next even one. */
static void *answer(void *arg)
{
	struct pingpong *pp = arg;
	unsigned long v;

	while (!atomic_load_explicit(&pp->done, memory_order_relaxed)) {
		v = atomic_load_explicit(&pp->turn, memory_order_acquire);
		if (v & 1)
			atomic_store_explicit(&pp->turn, v + 1,
					      memory_order_release);
	}
	return NULL;
}

/* CPU 0: round trips, 100 at a time, until the deadline. */
static void *ask(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t start = now_ns(), v = 0;
	int i;

	while (now_ns() < pp->deadline_ns) {
		for (i = 0; i < 100; i++) {
			atomic_store_explicit(&pp->turn, v + 1,
					      memory_order_release);
			while (atomic_load_explicit(&pp->turn,
						    memory_order_acquire) != v + 2)
				;
			v += 2;
		}
		pp->trips += 100;
	}
	pp->elapsed_ns = now_ns() - start;
	atomic_store(&pp->done, true);
	return NULL;
}

static int start_on(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!err)
		err = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return err;
}

double line_rtt_ns(unsigned int ms)
{
	static struct pingpong pp;
	pthread_t answerer, asker;

	atomic_store(&pp.turn, 0);
	atomic_store(&pp.done, false);
	pp.trips = 0;
	pp.deadline_ns = now_ns() + ms * 1000000ULL;
	if (start_on(&answerer, 1, answer, &pp))
		return -1;
	if (start_on(&asker, 0, ask, &pp)) {
		atomic_store(&pp.done, true);
		pthread_join(answerer, NULL);
		return -1;
	}
	pthread_join(asker, NULL);
	pthread_join(answerer, NULL);
	return pp.trips ? (double)pp.elapsed_ns / pp.trips : -1;
}
