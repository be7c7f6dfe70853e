// SPDX-License-Identifier: GPL-2.0
/*
 * Every struct bpfrb_event field checked against a call the test makes
 * itself: openat(dfd, path) reaches do_sys_openat2(dfd, path, how), so an
 * entry probe must record our dfd and our path pointer, our pid, tgid and
 * comm; a return probe must record the call's return value (-ENOENT).
 * And a return probe records no more calls at once than its maxactive.
 *
 * timeout: 600
 */
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <time.h>
#include "kselftest_harness.h"
#include "kprobe_common.h"
#include "asleep_in_poll.h"

#define DFD		57	/* an unusual fd number, to recognise our call */
#define MISSING_PATH	"bpfrb-kprobe-events-no-such-file"

FIXTURE(ring) {
	int fd;
	int root;	/* "/", also dup'ed to DFD */
	struct kp_events ev;
};

FIXTURE_SETUP(ring)
{
	memset(&self->ev, 0, sizeof(self->ev));
	self->root = -1;
	self->fd = bpfrb_create(NULL, 1 << 20, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, self->fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	if (!kp_kallsyms(KP_OPEN_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", KP_OPEN_SYM);
	self->root = open("/", O_RDONLY | O_DIRECTORY);
	ASSERT_EQ(DFD, dup2(self->root, DFD));
}

FIXTURE_TEARDOWN(ring)
{
	kp_events_free(&self->ev);
	close(DFD);
	if (self->root >= 0)
		close(self->root);
	if (self->fd >= 0)
		close(self->fd);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * openat() on a missing path relative to DFD (a directory, set up by the
 * fixture so that this is the only open of the test's thread): -ENOENT.
 */
static int open_missing(const char *path)
{
	return openat(DFD, path, O_RDONLY);
}

TEST_F_TIMEOUT(ring, entry_event_fields_match_our_openat, 120)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, o, .nargs = 3);
	static const char path[] = MISSING_PATH;
	const struct bpfrb_event *ev;
	unsigned long long t0, t1;
	char comm[16] = "";
	int id, i;

	ASSERT_EQ(0, prctl(PR_SET_NAME, "kp-events-test"));
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, &o);
	ASSERT_GT(id, 0) TH_LOG("attach: %s", strerror(errno));

	t0 = now_ns();
	ASSERT_EQ(-1, open_missing(path));
	ASSERT_EQ(ENOENT, errno);
	t1 = now_ns();
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));

	ASSERT_GT(kp_drain(self->fd, &self->ev), 0);
	ev = kp_ours(&self->ev, id);
	ASSERT_NE(NULL, ev) TH_LOG("no event of ours among %zu", self->ev.n);

	EXPECT_EQ(DFD, (int)ev->args[0]);
	EXPECT_EQ((unsigned long)path, ev->args[1]);
	/* args[2] is a kernel pointer to struct open_how: not zero. */
	EXPECT_NE(0ULL, ev->args[2]);
	for (i = 3; i < 6; i++)
		EXPECT_EQ(0ULL, ev->args[i]) TH_LOG("args[%d] beyond nargs", i);
	EXPECT_EQ((__u32)id, ev->probe_id);
	EXPECT_EQ((__u32)syscall(SYS_gettid), ev->pid);
	EXPECT_EQ((__u32)getpid(), ev->tgid);
	EXPECT_STREQ(comm, ev->comm);
	EXPECT_LT(ev->cpu, (__u32)sysconf(_SC_NPROCESSORS_CONF));
	EXPECT_LE(t0, ev->ts_ns);
	EXPECT_GE(t1, ev->ts_ns);
	EXPECT_EQ(kp_kallsyms(KP_OPEN_SYM), ev->ip);
}

TEST_F(ring, nargs_zero_records_no_arguments)
{
	const struct bpfrb_event *ev;
	int id, i;

	id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
	ASSERT_GT(id, 0);
	ASSERT_EQ(-1, open_missing(MISSING_PATH));
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_GT(kp_drain(self->fd, &self->ev), 0);
	ev = kp_ours(&self->ev, id);
	ASSERT_NE(NULL, ev);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(0ULL, ev->args[i]);
}

TEST_F_TIMEOUT(ring, kretprobe_records_return_value, 120)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, o, .flags = BPFRB_KPROBE_RETURN);
	const struct bpfrb_event *ev;
	int id, fd, i;

	id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, &o);
	ASSERT_GT(id, 0) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(-1, open_missing(MISSING_PATH));
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_GT(kp_drain(self->fd, &self->ev), 0);
	ev = kp_ours(&self->ev, id);
	ASSERT_NE(NULL, ev);
	/*
	 * The whole return register. do_sys_openat2() returns long up to
	 * 6.x and int on 7.x, whose upper half x86-64 leaves to the callee:
	 * the int is the lower half either way.
	 */
	EXPECT_EQ(-ENOENT, (int)ev->args[0]);
	for (i = 1; i < 6; i++)
		EXPECT_EQ(0ULL, ev->args[i]);
	EXPECT_EQ(kp_kallsyms(KP_OPEN_SYM), ev->ip);

	/* A successful open returns the new fd. */
	kp_events_free(&self->ev);
	id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, &o);
	ASSERT_GT(id, 0);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	close(fd);
	ASSERT_GT(kp_drain(self->fd, &self->ev), 0);
	ev = kp_ours(&self->ev, id);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(fd, (long)ev->args[0]);
}

/*
 * A kretprobe takes one of its maxactive instances when the function is
 * entered and gives it back when it returns; an entry that finds none is
 * missed, and its return is not recorded. The tests below make four calls
 * of clock_nanosleep() overlap, one per thread, and count how many of
 * their returns were recorded. One other sleeper runs in the guest:
 * busybox's timeout, which runs each test program, sleeps a second at a
 * time and may hold one instance (on the debug kernel it took the only
 * one of maxactive 1 before our first call).
 */
#define SLEEP_SYM	"__x64_sys_clock_nanosleep"
#define SLEEPERS	4

struct sleeper {
	pthread_t thread;
	pid_t tid;
};

static void *sleeper_fn(void *arg)
{
	struct timespec ts = { 2, 0 };
	struct sleeper *s = arg;

	__atomic_store_n(&s->tid, syscall(SYS_gettid), __ATOMIC_RELEASE);
	syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
	return NULL;
}

/* Whether every sleeper is asleep in clock_nanosleep(). */
static bool all_asleep(const struct sleeper *s)
{
	int i;

	for (i = 0; i < SLEEPERS; i++) {
		pid_t tid = __atomic_load_n(&s[i].tid, __ATOMIC_ACQUIRE);

		if (!tid || asleep_in_syscall(tid) != SYS_clock_nanosleep)
			return false;
	}
	return true;
}

/*
 * SLEEPERS calls in clock_nanosleep() at once under a return probe with
 * maxactive instances: how many of their returns were recorded.
 */
static int overlapping_sleeps(struct __test_metadata *_metadata,
			      FIXTURE_DATA(ring) *self, __u32 maxactive)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, o, .flags = BPFRB_KPROBE_RETURN,
		   .maxactive = maxactive);
	struct sleeper s[SLEEPERS] = { 0 };
	int id, i, waited, recorded = 0;

	id = bpfrb_kprobe_attach(self->fd, SLEEP_SYM, &o);
	EXPECT_GT(id, 0) TH_LOG("attach: %s", strerror(errno));
	if (id <= 0)
		return -1;
	for (i = 0; i < SLEEPERS; i++)
		EXPECT_EQ(0, pthread_create(&s[i].thread, NULL, sleeper_fn, &s[i]));
	/* poll(), not a sleep: this thread's sleeps are not counted anyway. */
	for (waited = 0; waited < 1500 && !all_asleep(s); waited++)
		poll(NULL, 0, 1);
	EXPECT_TRUE(all_asleep(s)) TH_LOG("the sleepers did not overlap");
	for (i = 0; i < SLEEPERS; i++)
		pthread_join(s[i].thread, NULL);
	EXPECT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	kp_drain(self->fd, &self->ev);
	for (i = 0; i < SLEEPERS; i++)
		recorded += kp_event_of(&self->ev, id, s[i].tid) != NULL;
	return recorded;
}

/* Two instances: one or two of the four calls, whoever else sleeps. */
TEST_F_TIMEOUT(ring, kretprobe_maxactive_caps_overlapping_calls, 120)
{
	int recorded;

	if (!kp_kallsyms(SLEEP_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", SLEEP_SYM);
	recorded = overlapping_sleeps(_metadata, self, 2);
	EXPECT_LE(1, recorded);
	EXPECT_GE(2, recorded);
}

/* Eight: every one of the four, even with another sleeper holding one. */
TEST_F_TIMEOUT(ring, kretprobe_maxactive_above_the_calls_records_all, 120)
{
	if (!kp_kallsyms(SLEEP_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", SLEEP_SYM);
	EXPECT_EQ(SLEEPERS, overlapping_sleeps(_metadata, self, 8));
}

TEST_F_TIMEOUT(ring, offset_probe_records_its_address, 120)
{
	unsigned long long base = kp_kallsyms(KP_OPEN_SYM);
	const struct bpfrb_event *ev = NULL;
	int id = -1, off;

	/*
	 * Instruction boundaries are unknown here: try small offsets until
	 * kprobes accepts one (EILSEQ is "not an instruction boundary").
	 */
	for (off = 1; off < 16 && id < 0; off++) {
		BPFRB_OPTS(bpfrb_kprobe_opts, o, .offset = off);

		id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, &o);
		if (id < 0)
			ASSERT_EQ(EILSEQ, errno);
	}
	ASSERT_GT(id, 0);
	off--;
	ASSERT_EQ(-1, open_missing(MISSING_PATH));
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_GT(kp_drain(self->fd, &self->ev), 0);
	ev = kp_ours(&self->ev, id);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(base + off, ev->ip);
}

/*
 * update_vsyscall() runs inside the timekeeping update, with the clock's
 * seqcount odd on this CPU and interrupts off. A handler that read the
 * clock with ktime_get_ns() would wait there for ever and hang the guest;
 * ours must record a hit per tick and return. The test's thread keeps
 * its CPU busy so that the tick keeps running.
 */
TEST_F_TIMEOUT(ring, probe_inside_clock_update_records, 120)
{
	unsigned long long end, sym = kp_kallsyms("update_vsyscall");
	int id;

	if (!sym)
		SKIP(return, "update_vsyscall is not in /proc/kallsyms");
	id = bpfrb_kprobe_attach(self->fd, "update_vsyscall", NULL);
	ASSERT_GT(id, 0) TH_LOG("attach: %s", strerror(errno));
	for (end = now_ns() + 200000000ULL; now_ns() < end;)
		;
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_GT(kp_drain(self->fd, &self->ev), 0);
	EXPECT_EQ((__u32)id, self->ev.ev[0].probe_id);
	/* Past its 4-byte ENDBR where the kernel has one (6.12's IBT). */
	EXPECT_TRUE(self->ev.ev[0].ip == sym || self->ev.ev[0].ip == sym + 4)
		TH_LOG("ip %llx, symbol %llx", (unsigned long long)self->ev.ev[0].ip,
		       sym);
}

TEST_F(ring, probe_ids_unique_and_nonzero)
{
	int a, b, c;

	a = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
	b = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
	ASSERT_GT(a, 0);
	ASSERT_GT(b, 0);
	ASSERT_NE(a, b);
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, a));
	c = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
	ASSERT_GT(c, 0);
	EXPECT_NE(a, c);
	EXPECT_NE(b, c);
}

TEST_HARNESS_MAIN
