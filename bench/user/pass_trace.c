// SPDX-License-Identifier: GPL-2.0
/*
 * Where a consumer thread's time goes, pass by pass (rbbench -T).
 *
 * The per-run figures say how much CPU the consumer had and how many
 * records it received; they cannot tell draining a backlog from chasing a
 * producer a few records behind, or say how long the consumer was away.
 * With -T the consumer logs every pass (one call of its poll) of the
 * measured seconds: when it began and ended, and how many records it
 * returned. The run then reports the passes by size (records per pass:
 * how many passes, records and nanoseconds of each size class) and the
 * records received in each millisecond, which bench/report.py turns into
 * the consumer's stretches on the CPU and the gaps between them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rbbench.h"

#define SERIES_MS	(MAX_TRACE_S * 1000)

struct pass {
	uint64_t start, end;
	long n;
};

struct pass_trace {
	struct pass *p;
	size_t len, cap;
	uint64_t t0, t1;	/* the traced window */
};

/* A trace of the passes that start in [from, to), CLOCK_MONOTONIC ns. */
struct pass_trace *pass_trace_new(size_t cap, uint64_t from, uint64_t to)
{
	struct pass_trace *t = calloc(1, sizeof(*t));

	if (t)
		t->p = calloc(cap, sizeof(*t->p));
	if (!t || !t->p) {
		free(t);
		return NULL;
	}
	t->cap = cap;
	t->t0 = from;
	t->t1 = to;
	return t;
}

void pass_trace_add(struct pass_trace *t, uint64_t start, uint64_t end, long n)
{
	if (!t || start < t->t0 || start >= t->t1 || t->len == t->cap)
		return;
	t->p[t->len++] = (struct pass){ start, end, n };
}

/* Size classes: 0, 1, 2-3, 4-15, 16-63, 64-255, 256-1023, 1024 and up. */
static int size_class(long n)
{
	static const long upper[] = { 0, 1, 3, 15, 63, 255, 1023 };
	int i;

	for (i = 0; i < 7; i++)
		if (n <= upper[i])
			return i;
	return 7;
}

void pass_trace_print(const struct pass_trace *t)
{
	uint64_t cls_ns[8] = { 0 }, cls_rec[8] = { 0 }, cls_n[8] = { 0 };
	uint64_t *series = calloc(SERIES_MS, sizeof(*series));
	int c, ms, window_ms = (int)((t->t1 - t->t0) / 1000000);
	size_t i;

	if (!series)
		return;

	for (i = 0; i < t->len; i++) {
		const struct pass *p = &t->p[i];

		c = size_class(p->n);
		cls_n[c]++;
		cls_rec[c] += p->n > 0 ? p->n : 0;
		cls_ns[c] += p->end - p->start;
		ms = (int)((p->end - t->t0) / 1000000);
		if (ms < SERIES_MS && p->n > 0)
			series[ms] += p->n;
	}
	if (window_ms > SERIES_MS)
		window_ms = SERIES_MS;
	printf(",\"trace\":{\"passes\":%zu,\"classes\":[", t->len);
	for (c = 0; c < 8; c++)
		printf("%s[%llu,%llu,%llu]", c ? "," : "",
		       (unsigned long long)cls_n[c],
		       (unsigned long long)cls_rec[c],
		       (unsigned long long)cls_ns[c]);
	printf("],\"per_ms\":[");
	for (ms = 0; ms < window_ms; ms++)
		printf("%s%llu", ms ? "," : "", (unsigned long long)series[ms]);
	printf("]}");
	free(series);
}
