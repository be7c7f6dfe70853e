// SPDX-License-Identifier: GPL-2.0
/*
 * What moving one cache line between CPU 0 and CPU 1 costs, once a
 * second, for as long as asked: the bench's own reading
 * (bench/user/line_rtt.c), run on the host with the guest stopped. Under
 * TCG each vCPU is a host thread, so every line two vCPUs share travels
 * between host CPUs at this price (docs/BENCHMARKS.md, "Two producers").
 *
 *   make -C bench host
 *   build/bench/line_pingpong [seconds]        (default 30)
 */
#include <stdio.h>
#include <stdlib.h>

#include "rbbench.h"

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 30;
	double ns;
	int s;

	for (s = 1; s <= seconds; s++) {
		ns = line_rtt_ns(1000);
		if (ns < 0) {
			fprintf(stderr, "line_pingpong: needs CPUs 0 and 1\n");
			return 1;
		}
		printf("%d s: %.0f ns per round trip\n", s, ns);
		fflush(stdout);
	}
	return 0;
}
