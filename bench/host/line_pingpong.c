// SPDX-License-Identifier: GPL-2.0
/*
 * What moving one cache line between two CPUs costs, once a second: two
 * threads, pinned to CPU 0 and CPU 1, take turns incrementing one shared
 * counter, each waiting for the other's increment before it makes its
 * own. A round trip is two transfers of the line.
 *
 * Run on the host, with the guest stopped: under TCG each vCPU is a host
 * thread, so every line two vCPUs share travels between host CPUs at
 * this price (docs/BENCHMARKS.md, "Where the time goes").
 *
 *   cc -O2 -pthread -o line_pingpong bench/host/line_pingpong.c
 *   ./line_pingpong [seconds]        (default 30)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Odd values are CPU 0's turn to have written, even ones CPU 1's. */
static _Atomic unsigned long turn __attribute__((aligned(64)));
static atomic_bool stop;

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* CPU 1: answers every odd value with the next even one. */
static void *answer(void *arg)
{
	unsigned long v;

	(void)arg;
	if (pin_to(1))
		return NULL;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		v = atomic_load_explicit(&turn, memory_order_acquire);
		if (v & 1)
			atomic_store_explicit(&turn, v + 1,
					      memory_order_release);
	}
	return NULL;
}

/* One round trip from CPU 0; false if CPU 1 stopped answering. */
static bool round_trip(unsigned long *v, double give_up)
{
	unsigned int spins = 0;

	atomic_store_explicit(&turn, *v + 1, memory_order_release);
	while (atomic_load_explicit(&turn, memory_order_acquire) != *v + 2) {
		if (++spins == 1u << 20) {
			if (now_s() > give_up)
				return false;
			spins = 0;
		}
	}
	*v += 2;
	return true;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 30;
	unsigned long v = 0, trips;
	pthread_t peer;
	double start;
	int s, i;

	if (pin_to(0) || pthread_create(&peer, NULL, answer, NULL)) {
		fprintf(stderr, "line_pingpong: needs CPUs 0 and 1\n");
		return 1;
	}
	for (s = 0; s < seconds; s++) {
		start = now_s();
		for (trips = 0; now_s() - start < 1.0; trips += 1000) {
			for (i = 0; i < 1000; i++) {
				if (!round_trip(&v, start + 5.0)) {
					fprintf(stderr, "line_pingpong: CPU 1 does not answer\n");
					return 1;
				}
			}
		}
		printf("%d s: %.0f ns per round trip\n", s + 1,
		       1e9 * (now_s() - start) / trips);
		fflush(stdout);
	}
	atomic_store(&stop, true);
	pthread_join(peer, NULL);
	return 0;
}
