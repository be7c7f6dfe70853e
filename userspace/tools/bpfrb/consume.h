/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The consuming loop shared by trace and cat: poll a ring, hand each
 * record to a callback, stop on Ctrl-C (SIGINT/SIGTERM, caught from
 * consume_catch_signals() on), after a count, after a duration, or
 * (without follow) once the ring is empty.
 */
#ifndef BPFRB_CLI_CONSUME_H
#define BPFRB_CLI_CONSUME_H

#include <stdbool.h>
#include <stddef.h>

/* Returns 0, RECORD_COUNTED, or -errno (an error, which stops). */
typedef int (*record_fn)(void *ctx, const void *data, size_t size);

struct consume_limits {
	unsigned long long count;	/* stop after this many counted records; 0: none */
	double duration;		/* seconds; 0: none */
	bool follow;			/* wait for more records when the ring is empty */
	/*
	 * Signals caught before the loop that it does not stop for: 0 to
	 * stop for any since consume_catch_signals(), consume_signals() to
	 * stop only for one that comes while it runs.
	 */
	unsigned long signals_before;
};

/* What record_fn returns for a record that counts towards the limit. */
#define RECORD_COUNTED	1

/*
 * Catches SIGINT and SIGTERM from now on: a command calls it first, so
 * that a Ctrl-C while it sets up still ends it with its summary.
 */
void consume_catch_signals(void);
/* SIGINT and SIGTERM caught so far. */
unsigned long consume_signals(void);

/* Records seen (counted or not) in *seen; 0, or -errno. */
int consume_ring(int fd, record_fn fn, void *ctx,
		 const struct consume_limits *lim, unsigned long long *seen,
		 unsigned long long *counted);

#endif /* BPFRB_CLI_CONSUME_H */
