// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The consuming loop shared by trace and cat (see consume.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <libbpfrb.h>
#include "consume.h"
#include "main.h"

/* Poll in slices so that a deadline or a signal ends an idle wait soon. */
#define POLL_SLICE_MS	100
/*
 * The sample callback's "stop after this record" (not an error): the
 * count is reached, the time is up, or a signal came. The library takes
 * the record it returns this for as consumed, so it is returned only for
 * a record that was handled: never one left for the next reader.
 */
#define STOP_AFTER	(-ECANCELED)

/* SIGINT and SIGTERM received so far. */
static volatile sig_atomic_t interrupted;

unsigned long consume_signals(void)
{
	return (unsigned long)interrupted;
}

static void on_signal(int sig)
{
	interrupted++;
}

struct loop {
	record_fn fn;
	void *ctx;
	const struct consume_limits *lim;
	double deadline;		/* CLOCK_MONOTONIC seconds; 0: none */
	unsigned long long seen, counted;
	int err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Whether to stop: asked after each record too, since one pass over a
 * ring that keeps filling (printing an event can cause the next one)
 * need never end by itself.
 */
static bool done(const struct loop *l)
{
	return consume_signals() != l->lim->signals_before ||
	       (l->lim->count && l->counted >= l->lim->count) ||
	       (l->deadline && now_s() >= l->deadline);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct loop *l = ctx;
	int ret;

	l->seen++;
	ret = l->fn(l->ctx, data, size);
	if (ret < 0) {
		l->err = ret;
		return ret;
	}
	if (ret == RECORD_COUNTED)
		l->counted++;
	return done(l) ? STOP_AFTER : 0;
}

void consume_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	/*
	 * SA_RESTART, so that a write to a full pipe or a stopped terminal
	 * goes on after the signal: an interrupted one would make stdio drop
	 * what it had buffered, events already counted. poll(2) and
	 * epoll_wait(2) are never restarted (signal(7)): the wait is still
	 * cut short.
	 */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int consume_ring(int fd, record_fn fn, void *ctx,
		 const struct consume_limits *lim, unsigned long long *seen,
		 unsigned long long *counted)
{
	struct loop l = { .fn = fn, .ctx = ctx, .lim = lim };
	struct bpfrb_ring_buffer *rb;
	int n, err = 0;

	rb = bpfrb_ring_buffer__new(fd, on_sample, &l, NULL);
	if (!rb) {
		err = -errno;
		p_err("cannot map the ring: %s", strerror(errno));
		return err;
	}
	l.deadline = lim->duration > 0 ? now_s() + lim->duration : 0;
	for (;;) {
		int timeout = POLL_SLICE_MS;

		if (l.deadline) {
			double left = l.deadline - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		n = lim->follow ? bpfrb_ring_buffer__poll(rb, timeout) :
				  bpfrb_ring_buffer__consume(rb);
		if (n == STOP_AFTER)
			break;
		if (n < 0) {
			err = l.err ? l.err : n;
			if (!l.err)
				p_err("consuming the ring: %s", strerror(-n));
			break;
		}
		if (done(&l) || (!lim->follow && n == 0))
			break;
	}
	bpfrb_ring_buffer__free(rb);
	*seen += l.seen;
	*counted += l.counted;
	return err;
}
