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
	EXPECT_EQ(-ENOENT, (long)ev->args[0]);
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
 * missed, and its return is not recorded. The tests below make two calls
 * of clock_nanosleep() overlap: a thread of theirs sleeps a second in it,
 * and once it does, the test's own thread sleeps 50 ms in it too. Nothing
 * else in the guest sleeps that way while they run.
 */
#define SLEEP_SYM	"__x64_sys_clock_nanosleep"

struct sleeper {
	pthread_t thread;
	pid_t tid;
	long ms;
};

static void sleep_in_clock_nanosleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
}

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	__atomic_store_n(&s->tid, syscall(SYS_gettid), __ATOMIC_RELEASE);
	sleep_in_clock_nanosleep(s->ms);
	return NULL;
}

/* How many of probe id's events thread tid made. */
static int events_of(const struct kp_events *e, __u32 id, pid_t tid)
{
	int n = 0;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->ev[i].probe_id == id && e->ev[i].pid == (__u32)tid)
			n++;
	return n;
}

/*
 * The two overlapping calls under a return probe with maxactive
 * instances: how many returns the first call (the sleeper's, entered
 * first) and the second (the test thread's) recorded.
 */
static void overlapping_sleeps(struct __test_metadata *_metadata,
			       FIXTURE_DATA(ring) *self, __u32 maxactive,
			       int *first, int *second)
{
	BPFRB_OPTS(bpfrb_kprobe_opts, o, .flags = BPFRB_KPROBE_RETURN,
		   .maxactive = maxactive);
	struct sleeper s = { .ms = 1000 };
	pid_t tid = 0;
	int id, waited;

	id = bpfrb_kprobe_attach(self->fd, SLEEP_SYM, &o);
	ASSERT_GT(id, 0) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sleeper_fn, &s));
	/*
	 * Waits with poll(), not usleep(): a sleep of this thread's in
	 * clock_nanosleep() could take the one instance first.
	 */
	for (waited = 0; waited < 500; waited++) {
		tid = __atomic_load_n(&s.tid, __ATOMIC_ACQUIRE);
		if (tid && asleep_in_syscall(tid) == SYS_clock_nanosleep)
			break;
		poll(NULL, 0, 1);
	}
	if (waited < 500)
		sleep_in_clock_nanosleep(50);
	pthread_join(s.thread, NULL);
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_GT(500, waited) TH_LOG("the sleeper was not seen asleep in clock_nanosleep");
	kp_drain(self->fd, &self->ev);
	*first = events_of(&self->ev, id, tid);
	*second = events_of(&self->ev, id, syscall(SYS_gettid));
}

TEST_F_TIMEOUT(ring, kretprobe_maxactive_one_misses_an_overlapping_call, 120)
{
	int first = -1, second = -1;

	if (!kp_kallsyms(SLEEP_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", SLEEP_SYM);
	overlapping_sleeps(_metadata, self, 1, &first, &second);
	EXPECT_EQ(1, first);
	EXPECT_EQ(0, second);
}

TEST_F_TIMEOUT(ring, kretprobe_maxactive_two_records_both_calls, 120)
{
	int first = -1, second = -1;

	if (!kp_kallsyms(SLEEP_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", SLEEP_SYM);
	overlapping_sleeps(_metadata, self, 2, &first, &second);
	EXPECT_EQ(1, first);
	EXPECT_EQ(1, second);
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
