// SPDX-License-Identifier: GPL-2.0
/* Per-second figures and latency percentiles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rbbench.h"

/* The clock bpf_ktime_get_ns() and ktime_get_ns() read. */
uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void lat_add(struct lat_log *l, uint64_t ns)
{
	/* A full log keeps its first samples: they span the whole run. */
	if (l->n < l->cap)
		l->ns[l->n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void lat_report(struct lat_log *l, uint64_t *p50, uint64_t *p99, uint64_t *max)
{
	*p50 = *p99 = *max = 0;
	if (!l->n)
		return;
	qsort(l->ns, l->n, sizeof(*l->ns), cmp_u64);
	*p50 = l->ns[l->n / 2];
	*p99 = l->ns[(l->n * 99) / 100];
	*max = l->ns[l->n - 1];
}

void mean_std(const double *v, int n, double *mean, double *std)
{
	double s = 0, d = 0;
	int i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = n ? s / n : 0;
	for (i = 0; i < n; i++)
		d += (v[i] - *mean) * (v[i] - *mean);
	*std = n > 1 ? sqrt(d / (n - 1)) : 0;
}

void print_series(const char *key, const double *v, int n)
{
	int i;

	printf(",\"%s\":[", key);
	for (i = 0; i < n; i++)
		printf("%s%.4f", i ? "," : "", v[i]);
	printf("]");
}
