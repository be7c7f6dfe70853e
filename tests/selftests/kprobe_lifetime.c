// SPDX-License-Identifier: GPL-2.0
/*
 * Probe lifetime and load: closing the file that attached a probe stops
 * its events (once its mappings are gone too), a probe attached while
 * kprobes are switched off fires once they are on, a full ring counts
 * drops (also on a hot function, with the system responsive), and 1000
 * attach/detach cycles leave nothing behind. That a probe keeps bpfrb
 * loaded is core_lifetime's (it unloads bpfrb_test, which pins bpfrb as
 * well).
 *
 * timeout: 900
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "kselftest_harness.h"
#include "kprobe_common.h"

static __u32 ring_id(int fd)
{
	struct bpfrb_info info;

	if (bpfrb_info(fd, &info))
		return 0;
	return info.id;
}

static unsigned long long records_of(int fd)
{
	struct bpfrb_info info;

	return bpfrb_info(fd, &info) ? ~0ULL : info.records;
}

static void open_missing_n(int n)
{
	int i;

	for (i = 0; i < n; i++)
		open("/bpfrb-kprobe-lifetime-no-such-file", O_RDONLY);
}

/* Records written and refused: what a full ring still counts of hits. */
static unsigned long long hits_of(int fd)
{
	struct bpfrb_info info;

	return bpfrb_info(fd, &info) ? 0 : info.records + info.drops;
}

/* Whether ten open() calls leave owner's record count where it was. */
static bool opens_add_no_records(int owner)
{
	unsigned long long before = records_of(owner);

	open_missing_n(10);
	return records_of(owner) == before;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A ring (owner, which reads its counters) and a second file attached to
 * it by id (prober, which attaches the probes and is closed to detach
 * them): the ring's id.
 */
static __u32 owner_and_prober(struct __test_metadata *_metadata, int *owner,
			      int *prober)
{
	__u32 rid;

	*owner = bpfrb_create(NULL, 1 << 20, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, *owner) TH_LOG("bpfrb_create: %s", strerror(errno));
	rid = ring_id(*owner);
	*prober = bpfrb_attach_id(rid);
	ASSERT_GE(*prober, 0);
	return rid;
}

TEST(closing_the_attaching_file_stops_events)
{
	unsigned long long before;
	int owner, prober, id;
	__u32 rid;

	rid = owner_and_prober(_metadata, &owner, &prober);
	id = bpfrb_kprobe_attach(prober, KP_OPEN_SYM, NULL);
	ASSERT_GT(id, 0);
	EXPECT_EQ(1, kp_listing_field(rid, "probes"));

	open_missing_n(10);
	before = records_of(owner);
	ASSERT_GE(before, 10ULL);

	close(prober);
	EXPECT_EQ(0, kp_listing_field(rid, "probes"));
	EXPECT_TRUE(opens_add_no_records(owner));
	close(owner);
}

/*
 * The file's release is what detaches: a mapping holds the file, so its
 * probes keep recording after close() and stop at the last munmap().
 */
TEST(a_mapping_keeps_the_files_probes_until_munmap)
{
	unsigned long long before;
	int owner, prober;
	void *map;
	__u32 rid;

	rid = owner_and_prober(_metadata, &owner, &prober);
	ASSERT_LT(0, bpfrb_kprobe_attach(prober, KP_OPEN_SYM, NULL));
	map = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, prober, 0);
	ASSERT_NE(MAP_FAILED, map);

	close(prober);
	EXPECT_EQ(1, kp_listing_field(rid, "probes"));
	before = records_of(owner);
	open_missing_n(10);
	EXPECT_LE(before + 10, records_of(owner));

	ASSERT_EQ(0, munmap(map, sysconf(_SC_PAGESIZE)));
	EXPECT_EQ(0, kp_listing_field(rid, "probes"));
	EXPECT_TRUE(opens_add_no_records(owner));
	close(owner);
}

/*
 * A file's probes are removed all at once when it closes (one wait for
 * running handlers per kind): every one of a full file's probes, entry
 * and return alike, stops and leaves the listing.
 */
TEST(closing_a_full_file_of_both_kinds_stops_every_probe)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, ret, .flags = BPFRB_KPROBE_RETURN);
	struct kp_events ev = { 0 };
	int owner, prober, i, id[64];
	__u32 rid;

	rid = owner_and_prober(_metadata, &owner, &prober);
	for (i = 0; i < 64; i++) {
		id[i] = bpfrb_kprobe_attach(prober, KP_OPEN_SYM,
					    i % 2 ? &ret : NULL);
		ASSERT_LT(0, id[i]) TH_LOG("probe %d: %s", i, strerror(errno));
	}
	EXPECT_EQ(64, kp_listing_field(rid, "probes"));

	/* Every probe records our open. */
	open_missing_n(1);
	ASSERT_LT(0, kp_drain(owner, &ev));
	for (i = 0; i < 64; i++) {
		int probe = id[i];

		EXPECT_NE(NULL, kp_ours(&ev, probe)) TH_LOG("probe %d", probe);
	}
	kp_events_free(&ev);

	close(prober);
	EXPECT_EQ(0, kp_listing_field(rid, "probes"));
	EXPECT_TRUE(opens_add_no_records(owner));
	close(owner);
}

/* debugfs's switch for every kprobe on the system. */
#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"

FIXTURE(kprobes_off) {
	int fd;
};

FIXTURE_SETUP(kprobes_off)
{
	self->fd = bpfrb_create(NULL, 1 << 20, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, self->fd) TH_LOG("bpfrb_create: %s", strerror(errno));
}

FIXTURE_TEARDOWN(kprobes_off)
{
	/* Whatever happened, every other test needs kprobes on. */
	kp_write_file(KPROBES_ENABLED, "1");
	close(self->fd);
}

/*
 * A probe attached while kprobes are switched off everywhere does not
 * fire until they are switched on again, and then it does, entry and
 * return probe alike, as if it had been attached before. (kprobes keeps a
 * probe that was enable_kprobe()d while everything was off disabled for
 * good: switching on arms only the probes not marked disabled.)
 */
TEST_F(kprobes_off, probe_attached_while_kprobes_are_off_fires_once_on)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, ret, .flags = BPFRB_KPROBE_RETURN);
	unsigned long long before;

	ASSERT_EQ(0, kp_write_file(KPROBES_ENABLED, "0"))
		TH_LOG("%s: %s", KPROBES_ENABLED, strerror(errno));
	ASSERT_LT(0, bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL));
	ASSERT_LT(0, bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, &ret));
	EXPECT_TRUE(opens_add_no_records(self->fd));

	ASSERT_EQ(0, kp_write_file(KPROBES_ENABLED, "1"));
	before = records_of(self->fd);
	open_missing_n(10);
	EXPECT_LE(before + 20, records_of(self->fd));
}

TEST(full_ring_counts_drops)
{
	/* One page holds floor(4096 / (8 + 96)) = 39 events. */
	const unsigned long long fits = 4096 / (BPFRB_HDR_SZ + sizeof(struct bpfrb_event));
	struct bpfrb_info info;
	int fd, id;

	if (sysconf(_SC_PAGESIZE) != 4096)
		SKIP(return, "page size is not 4096");
	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	id = bpfrb_kprobe_attach(fd, KP_OPEN_SYM, NULL);
	ASSERT_GT(id, 0);
	open_missing_n(200);
	ASSERT_EQ(0, bpfrb_kprobe_detach(fd, id));
	ASSERT_EQ(0, bpfrb_info(fd, &info));
	EXPECT_EQ(fits, info.records);
	/* Ours alone overflowed it by 161; other processes may add more. */
	EXPECT_GE(info.drops, 200 - fits);
	EXPECT_EQ((long long)info.drops, kp_listing_field(info.id, "drops"));
	close(fd);
}

/*
 * Four children reading /dev/zero and writing /dev/null, 20 000 times
 * each: 160 000 system calls through the hot functions below. Returns
 * the seconds the load took.
 */
static double run_hot_load(struct __test_metadata *_metadata)
{
	double t0 = now_s();
	int i, status;
	pid_t pids[4];

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char buf[64];
			int z = open("/dev/zero", O_RDONLY);
			int nul = open("/dev/null", O_WRONLY);
			int k;

			for (k = 0; k < 20000; k++) {
				if (read(z, buf, sizeof(buf)) < 0 ||
				    write(nul, buf, sizeof(buf)) < 0)
					_exit(1);
			}
			_exit(0);
		}
		ASSERT_GT(pids[i], 0);
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	return now_s() - t0;
}

/*
 * A full ring on functions every process calls all the time: each hit
 * costs a failed reservation, which must stay cheap. The load runs once
 * without probes and once with them; with them it may be slower (a TCG
 * guest runs the probe's handler a few microseconds), but not by the
 * orders of magnitude a hit that waited, retried or logged would cost.
 */
/* A fixture only for TEST_F_TIMEOUT: debug kernels are slow. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, hot_function_full_ring_stays_responsive, 300)
{
	static const char *const hot[] = { "vfs_read", "vfs_write", "ksys_read" };
	struct bpfrb_info info;
	double without, with;
	int fd, i, n = 0;

	without = run_hot_load(_metadata);
	fd = bpfrb_create(NULL, 4096, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		if (bpfrb_kprobe_attach(fd, hot[i], NULL) > 0)
			n++;
	ASSERT_GT(n, 0);
	with = run_hot_load(_metadata);
	ASSERT_EQ(0, bpfrb_info(fd, &info));
	TH_LOG("160000 syscalls in %.2f s with %d probes, %.2f s without: %llu records, %llu drops",
	       with, n, without, (unsigned long long)info.records,
	       (unsigned long long)info.drops);
	EXPECT_GE(info.drops, 80000ULL);
	/* Generous for a TCG guest on a shared host. */
	EXPECT_LT(with, 20 * without + 10);
	close(fd);
}

/* Each detach waits for an RCU grace period: slow in a TCG guest. */
FIXTURE(cycles) {
	int fd;
};

FIXTURE_SETUP(cycles)
{
	self->fd = bpfrb_create(NULL, 1 << 16, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, self->fd) TH_LOG("bpfrb_create: %s", strerror(errno));
}

FIXTURE_TEARDOWN(cycles)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F_TIMEOUT(cycles, attach_detach_1000_cycles_clean, 800)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, ret, .flags = BPFRB_KPROBE_RETURN);
	__u32 rid = ring_id(self->fd);
	struct bpfrb_info info;
	int i, id, last = 0;
	double t0 = now_s();

	for (i = 0; i < 1000; i++) {
		/* Entry and return probes alternately. */
		id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM,
					 i & 1 ? &ret : NULL);
		ASSERT_GT(id, last) TH_LOG("cycle %d: %s", i, strerror(errno));
		last = id;
		open_missing_n(1);
		ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id)) TH_LOG("cycle %d", i);
		if (i % 250 == 249)
			TH_LOG("%d cycles in %.1f s", i + 1, now_s() - t0);
	}
	EXPECT_EQ(0, kp_listing_field(rid, "probes"));
	/* Every cycle's open was seen: recorded, or dropped once full. */
	ASSERT_EQ(0, bpfrb_info(self->fd, &info));
	EXPECT_GE(info.records + info.drops, 1000ULL);
}

/*
 * Detaching while other CPUs keep hitting the probe: unregistration must
 * wait for running handlers and leave the function callable. The hammer
 * is a child opening files in a loop on every other CPU; each probe is
 * detached only once the hammer has hit it.
 */
static void detach_under_fire(struct __test_metadata *_metadata, int fd,
			      bool ret)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, o,
		   .flags = ret ? BPFRB_KPROBE_RETURN : 0);
	unsigned long long before;
	int i, id, waited, status;
	pid_t hammer;

	hammer = fork();
	ASSERT_GE(hammer, 0);
	if (hammer == 0) {
		for (;;)
			open_missing_n(1);
	}
	for (i = 0; i < 20; i++) {
		before = hits_of(fd);
		id = bpfrb_kprobe_attach(fd, KP_OPEN_SYM, &o);
		ASSERT_GT(id, 0) TH_LOG("cycle %d: %s", i, strerror(errno));
		/* At least 20 ms, and until the hammer has hit the probe. */
		for (waited = 0; waited < 2000; waited++) {
			usleep(1000);
			if (waited >= 20 && hits_of(fd) > before)
				break;
		}
		ASSERT_LT(before, hits_of(fd)) TH_LOG("cycle %d: no hit", i);
		ASSERT_EQ(0, bpfrb_kprobe_detach(fd, id));
	}
	kill(hammer, SIGKILL);
	ASSERT_EQ(hammer, waitpid(hammer, &status, 0));
	/* The hammer's opens went on through every detach. */
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST_F_TIMEOUT(cycles, detach_entry_probe_while_hit, 300)
{
	detach_under_fire(_metadata, self->fd, false);
}

TEST_F_TIMEOUT(cycles, detach_return_probe_while_hit, 300)
{
	detach_under_fire(_metadata, self->fd, true);
}

TEST_HARNESS_MAIN
