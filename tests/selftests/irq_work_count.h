/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IRQ work interrupts, as /proc/interrupts counts them: a ring's wakeup
 * is an irq_work, so how many commits woke the consumer shows here.
 */
#ifndef IRQ_WORK_COUNT_H
#define IRQ_WORK_COUNT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The "IWI:" line summed over CPUs; -1 if there is none. */
static inline long long irq_work_interrupts(void)
{
	char line[1024], *p, *end;
	long long sum = -1, v;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, "IWI:", 4))
			continue;
		sum = 0;
		for (p += 4;; p = end) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

#endif /* IRQ_WORK_COUNT_H */
