// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A libbpfrb consumer driven by io_uring instead of epoll.
 *
 *	uring_consumer [-o] [-c count] <ring name or id> ...
 *
 * For each ring, one IORING_OP_POLL_ADD request waits for POLLIN on the
 * ring's fd. With a multishot poll (IORING_POLL_ADD_MULTI, Linux 5.13+)
 * that one request posts a completion every time the ring is woken; on
 * a kernel without it each ring's request fails with EINVAL and that
 * ring falls back to oneshot polls, re-armed after each completion. A
 * multishot request can also end (no IORING_CQE_F_MORE on its
 * completion, e.g. after a CQ overflow): it is re-armed the same way.
 * -o uses oneshot polls from the start, as on a kernel without multishot.
 * Ctrl-C (SIGINT) or SIGTERM ends the loop and prints the totals; so
 * does -c, after count records in all, leaving any others in the rings
 * for the next consumer.
 *
 * On each completion the ring named by user_data is consumed with
 * bpfrb_ring__consume_n(). No wakeup is lost: a commit wakes the ring when
 * the consumer had caught up to it, and consuming re-reads
 * producer_pos after publishing consumer_pos, so a record committed while
 * we were consuming is either seen now or wakes the poll afterwards.
 *
 * The bpfrb_ring_buffer is used only to map the rings and keep their
 * callbacks; its epoll fd is never waited on. tests/selftests/lib_uring.c
 * tests this pattern on every supported kernel.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>
#include <libbpfrb.h>

struct ring_stats {
	const char *name;
	int fd;
	bool multishot;		/* its poll request is (still) multishot */
	unsigned long long records, bytes;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct ring_stats *st = ctx;

	st->records++;
	st->bytes += size;
	return 0;
}

/*
 * A ring given as a decimal number that can be an id (1 to 2^32 - 1) is
 * that id, anything else a name: ids start at 1, so "0" is a name, as it
 * is to the bpfrb tool.
 */
static int attach(const char *arg)
{
	char *end;
	unsigned long id;

	if (*arg >= '0' && *arg <= '9') {
		errno = 0;
		id = strtoul(arg, &end, 10);
		if (!*end && !errno && id && id <= 0xffffffffUL)
			return bpfrb_attach_id((__u32)id);
	}
	return bpfrb_attach_name(arg);
}

/*
 * Whether SIGINT or SIGTERM came. They are blocked except while the loop
 * waits in io_uring_wait_cqes(), but that returns a completion already
 * queued without entering the kernel, so the mask is not swapped and a
 * pending signal is not delivered: under a steady stream of completions
 * it would wait for the rings to go quiet. So the loop also asks.
 */
static bool stop_requested(void)
{
	sigset_t pending;

	if (stop)
		return true;
	if (sigpending(&pending))
		return false;
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM);
}

/* Queues and submits a poll for ring idx; user_data tells which ring. */
static int arm(struct io_uring *uring, const struct ring_stats *st,
	       unsigned int idx)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(uring);
	int ret;

	if (!sqe)
		return -EBUSY;
	if (st->multishot)
		io_uring_prep_poll_multishot(sqe, st->fd, POLLIN);
	else
		io_uring_prep_poll_add(sqe, st->fd, POLLIN);
	io_uring_sqe_set_data64(sqe, idx);
	ret = io_uring_submit(uring);
	return ret < 0 ? ret : 0;
}

int main(int argc, char **argv)
{
	unsigned long long total = 0, limit = 0;
	bool multishot = true;
	struct bpfrb_ring_buffer *rb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t stops, wait_mask;
	struct ring_stats *stats;
	struct io_uring uring;
	struct io_uring_cqe *cqe;
	int opt, i, nr, ret;
	char *end;

	while ((opt = getopt(argc, argv, "oc:")) != -1) {
		if (opt == 'o') {
			multishot = false;
			continue;
		}
		if (opt != 'c' || *optarg < '1' || *optarg > '9')
			goto usage;
		errno = 0;
		limit = strtoull(optarg, &end, 10);
		if (*end || errno)
			goto usage;
	}
	nr = argc - optind;
	if (nr < 1)
		goto usage;
	/*
	 * The signals are blocked except while we wait, as pselect() does:
	 * one that came between the loop's look at stop and the wait would
	 * otherwise be caught there and the wait go on for ever. Pending,
	 * it ends the wait at once with EINTR (no SA_RESTART).
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &wait_mask);

	stats = calloc(nr, sizeof(*stats));
	if (!stats)
		return perror("calloc"), 1;
	ret = io_uring_queue_init(2 * nr, &uring, 0);
	if (ret < 0)
		return fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret)), 1;

	for (i = 0; i < nr; i++) {
		int fd = attach(argv[optind + i]);

		stats[i].name = argv[optind + i];
		stats[i].fd = fd;
		stats[i].multishot = multishot;
		if (fd < 0)
			return fprintf(stderr, "%s: %s\n", stats[i].name, strerror(-fd)), 1;
		if (!rb) {
			rb = bpfrb_ring_buffer__new(fd, on_record, &stats[i], NULL);
			ret = rb ? 0 : -errno;
		} else {
			ret = bpfrb_ring_buffer__add(rb, fd, on_record, &stats[i]);
		}
		if (!ret)
			ret = arm(&uring, &stats[i], i);
		if (ret < 0)
			return fprintf(stderr, "%s: %s\n", stats[i].name, strerror(-ret)), 1;
	}

	while (!stop_requested() && (!limit || total < limit)) {
		unsigned int idx;
		struct bpfrb_ring *r;

		ret = io_uring_wait_cqes(&uring, &cqe, 1, NULL, &wait_mask);
		if (ret == -EINTR)
			continue;	/* stop_requested() tells whether to go on */
		if (ret < 0)
			return fprintf(stderr, "io_uring_wait_cqes: %s\n", strerror(-ret)), 1;
		idx = (unsigned int)io_uring_cqe_get_data64(cqe);
		r = bpfrb_ring_buffer__ring(rb, idx);
		if (cqe->res == -EINVAL && stats[idx].multishot) {
			/* No multishot poll in this kernel: oneshot from now on. */
			stats[idx].multishot = false;
		} else if (cqe->res < 0) {
			fprintf(stderr, "poll %s: %s\n", stats[idx].name, strerror(-cqe->res));
			return 1;
		}
		/* Re-armed before consuming: a record committed meanwhile wakes it. */
		if (!(cqe->flags & IORING_CQE_F_MORE)) {
			ret = arm(&uring, &stats[idx], idx);
			if (ret < 0)
				return fprintf(stderr, "poll %s: %s\n", stats[idx].name,
					       strerror(-ret)), 1;
		}
		io_uring_cqe_seen(&uring, cqe);

		ret = bpfrb_ring__consume_n(r, limit ? limit - total : SIZE_MAX);
		if (ret < 0)
			return fprintf(stderr, "consume: %s\n", strerror(-ret)), 1;
		total += ret;
	}

	for (i = 0; i < nr; i++)
		printf("%s: %llu records, %llu bytes\n", stats[i].name,
		       stats[i].records, stats[i].bytes);
	/* The ring's polls go with the io_uring, before the fds. */
	io_uring_queue_exit(&uring);
	bpfrb_ring_buffer__free(rb);
	for (i = 0; i < nr; i++)
		close(stats[i].fd);
	free(stats);
	return 0;

usage:
	fprintf(stderr, "usage: %s [-o] [-c count] <ring name or id> ...\n", argv[0]);
	return 2;
}
