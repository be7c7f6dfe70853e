// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The consuming loop shared by trace and cat (see consume.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <libbpfrb.h>
#include "consume.h"
#include "main.h"

/* Poll in slices so that a count, a deadline or a signal ends us soon. */
#define POLL_SLICE_MS	100
/* The sample callback's "stop here" (not an error): count reached. */
#define STOP_COUNT	(-ECANCELED)

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

bool consume_interrupted(void)
{
	return interrupted;
}

struct loop {
	record_fn fn;
	void *ctx;
	const struct consume_limits *lim;
	unsigned long long seen, counted;
	int err;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct loop *l = ctx;
	int ret;

	/* Reached already: leave the rest of the ring unconsumed. */
	if (l->lim->count && l->counted >= l->lim->count)
		return STOP_COUNT;
	l->seen++;
	ret = l->fn(l->ctx, data, size);
	if (ret < 0) {
		l->err = ret;
		return ret;
	}
	if (ret == RECORD_COUNTED)
		l->counted++;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	/* No SA_RESTART: the signal must cut the wait short. */
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
	double deadline = lim->duration > 0 ? now_s() + lim->duration : 0;
	struct bpfrb_ring_buffer *rb;
	int n, err = 0;

	install_handlers();
	rb = bpfrb_ring_buffer__new(fd, on_sample, &l, NULL);
	if (!rb) {
		err = -errno;
		p_err("cannot map the ring: %s", strerror(errno));
		return err;
	}
	for (;;) {
		int timeout = POLL_SLICE_MS;

		if (deadline) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		n = lim->follow ? bpfrb_ring_buffer__poll(rb, timeout) :
				  bpfrb_ring_buffer__consume(rb);
		if (n == STOP_COUNT)
			break;
		if (n < 0) {
			err = l.err ? l.err : n;
			if (!l.err)
				p_err("consuming the ring: %s", strerror(-n));
			break;
		}
		if (lim->count && l.counted >= lim->count)
			break;
		if (interrupted)
			break;
		if (!lim->follow && n == 0)
			break;
	}
	bpfrb_ring_buffer__free(rb);
	*seen += l.seen;
	*counted += l.counted;
	return err;
}
