// SPDX-License-Identifier: GPL-2.0
/*
 * bpfrb-demo: the main job, first version. Creates a ring, has bpfrb_test.ko
 * produce records from every producer (this thread's ioctl in process
 * context, an hrtimer in hard IRQ, one kthread per CPU), consumes them with
 * poll + mmap, prints a sample of the records and a summary. Exits 1 on any
 * loss, duplicate, reordering or corrupted record.
 *
 * usage: bpfrb-demo [-n records per producer] [-s payload bytes]
 *                   [-r ring bytes] [-p records to print] [-d (allow drops)]
 */
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include "../selftests/core_consume.h"

struct demo {
	struct record_check check;
	unsigned long printed, to_print;
};

static const char *producer_name(__u32 id, char *buf, size_t len)
{
	if (id == BPFRB_TEST_ID_PROCESS)
		return "process";
	if (id == BPFRB_TEST_ID_HRTIMER)
		return "hrtimer";
	snprintf(buf, len, "kthread/%u", id - BPFRB_TEST_ID_KTHREAD0);
	return buf;
}

static int demo_sample(void *ctx, const void *data, __u32 len)
{
	const struct bpfrb_test_record *rec = data;
	struct demo *d = ctx;
	char name[32];

	if (d->printed < d->to_print && len >= sizeof(*rec)) {
		printf("record producer=%s seq=%llu size=%u checksum=%016llx %s\n",
		       producer_name(rec->producer_id, name, sizeof(name)),
		       (unsigned long long)rec->seq, len,
		       (unsigned long long)rec->checksum,
		       bpfrb_test_verify(data, len) ? "BAD" : "ok");
		d->printed++;
	}
	return record_check_sample(&d->check, data, len);
}

int main(int argc, char **argv)
{
	unsigned long long records = 100000, ring_size = 256 * 1024;
	unsigned int payload = 64;
	struct producer_thread pt;
	struct demo d = { .to_print = 10 };
	struct pollfd pfd;
	struct core_ring r;
	struct bpfrb_info info;
	struct timespec t0, t1;
	int opt, err, allow_drops = 0, bad = 0;
	__u32 i;
	char name[32];
	double secs;

	while ((opt = getopt(argc, argv, "n:s:r:p:d")) != -1) {
		switch (opt) {
		case 'n': records = strtoull(optarg, NULL, 0); break;
		case 's': payload = strtoul(optarg, NULL, 0); break;
		case 'r': ring_size = strtoull(optarg, NULL, 0); break;
		case 'p': d.to_print = strtoul(optarg, NULL, 0); break;
		case 'd': allow_drops = 1; break;
		default:
			fprintf(stderr, "usage: %s [-n records] [-s payload] [-r ring bytes] [-p print] [-d]\n",
				argv[0]);
			return 2;
		}
	}

	err = core_ring_open(&r, ring_size, "bpfrb-demo");
	if (err) {
		fprintf(stderr, "bpfrb-demo: ring of %llu bytes: %s\n", ring_size,
			strerror(-err));
		return 1;
	}
	memset(&pt, 0, sizeof(pt));
	pt.tfd = testmod_open();
	if (pt.tfd < 0) {
		fprintf(stderr, "bpfrb-demo: %s: %s\n", BPFRB_TEST_DEVICE,
			strerror(-pt.tfd));
		return 1;
	}
	testmod_produce_init(&pt.arg, r.id, BPFRB_TEST_PROD_ALL, records, payload);
	pt.arg.flags = allow_drops ? 0 : BPFRB_TEST_PRODUCE_RETRY;
	printf("ring id %u, %llu bytes; %llu records of %u bytes per producer\n",
	       r.id, ring_size, records, payload);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (producer_thread_start(&pt)) {
		fprintf(stderr, "bpfrb-demo: cannot start the producer thread\n");
		return 1;
	}
	pfd.fd = r.fd;
	pfd.events = POLLIN;
	for (;;) {
		int done = producer_thread_done(&pt);
		long n = core_ring_consume(&r, demo_sample, &d);

		if (done && core_load_consumer(&r) == core_load_producer(&r))
			break;
		/* Sleep until a wakeup; the timeout only notices the end. */
		if (!n)
			poll(&pfd, 1, 100);
	}
	err = producer_thread_join(&pt);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		fprintf(stderr, "bpfrb-demo: PRODUCE: %s\n", strerror(-err));
		return 1;
	}
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("%-12s %10s %10s %10s\n", "producer", "produced", "consumed", "dropped");
	for (i = 0; i < pt.arg.nr_producers; i++) {
		const struct bpfrb_test_counts *c = &pt.arg.counts[i];

		if (!c->active)
			continue;
		printf("%-12s %10llu %10llu %10llu\n",
		       producer_name(i, name, sizeof(name)),
		       (unsigned long long)c->produced,
		       (unsigned long long)d.check.consumed[i],
		       (unsigned long long)c->dropped);
		if (c->produced != d.check.consumed[i]) {
			printf("LOSS: producer %s: %llu produced, %llu consumed\n",
			       name, (unsigned long long)c->produced,
			       (unsigned long long)d.check.consumed[i]);
			bad = 1;
		}
		if (c->dropped && !allow_drops)
			bad = 1;
	}
	core_info(r.fd, &info);
	printf("total: %llu records in %.2f s (%.0f/s), ring drops %llu, corrupt %llu, duplicate/out-of-order %llu\n",
	       (unsigned long long)d.check.total, secs,
	       secs > 0 ? d.check.total / secs : 0.0,
	       (unsigned long long)info.drops,
	       (unsigned long long)d.check.corrupt,
	       (unsigned long long)d.check.out_of_order);
	if (d.check.corrupt || d.check.out_of_order || d.check.foreign)
		bad = 1;
	printf("%s\n", bad ? "FAIL" : "PASS");
	close(pt.tfd);
	core_ring_close(&r);
	return bad;
}
