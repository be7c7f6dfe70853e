// SPDX-License-Identifier: GPL-2.0
/*
 * Threads calling the device's whole interface at random on shared file
 * descriptors and mappings, for 20 seconds (up to 120 on a kernel slow
 * enough that some kind of call has not yet succeeded): open, CREATE and ATTACH with
 * sizes, types, names and flags good and bad, mmap of any range with any
 * protection, mprotect, mremap, munmap, writes of random bytes into every
 * writable mapping (consumer_pos of kernel rings, the whole producer side
 * of user rings), INFO, poll, epoll, kprobes attached and detached, dup,
 * close, fork, /proc/bpfrb/rings, and the test module producing into and
 * draining whatever ring an id names, from the ioctl and from drainer
 * kthreads.
 *
 * What is asserted: every call fails only with an errno SPEC or the
 * system call documents; CREATE, ATTACH, a writable mapping, KPROBE_ATTACH,
 * fork and a drainer's start each succeeded at least once; and once everything is closed
 * and unmapped no ring is left (the ring listing has as many rings as
 * before; the guest's final unload shows that no probe is). The harness checks the kernel log after the program: on the
 * debug kernel KASAN, lockdep and kmemleak see what the races do.
 * Reproducible in part from the seed printed (threads interleave freely).
 *
 * timeout: 400
 */
#include <poll.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "kprobe_common.h"
#include "core_testmod.h"

#define NR_THREADS	4
#define NR_FDS		12
#define NR_MAPS		12
#define RUN_SECONDS	20
#define MAX_SECONDS	120

static const char * const ring_names[] = { "", "fz.a", "fz.b", "fz-c" };

/* What a call may fail with: SPEC §2's errors and the system calls' own. */
static bool errno_allowed(int err)
{
	switch (err) {
	case EINVAL: case ENOENT: case EEXIST: case EBUSY: case ENXIO:
	case EPERM: case ENOMEM: case E2BIG: case EOPNOTSUPP: case ENOTTY:
	case EFAULT: case EBADF: case EACCES: case ENODEV: case EILSEQ:
	case EAGAIN: case ENAMETOOLONG:
		return true;
	}
	return false;
}

struct mapping {
	pthread_mutex_t lock;	/* held across every use of the range */
	void *addr;		/* NULL: free */
	size_t len;
	int prot;
};

struct fuzz {
	int fds[NR_FDS];	/* -1: free; racy on purpose */
	struct mapping maps[NR_MAPS];
	int epfd;
	int tfd;		/* /dev/bpfrb_test */
	int listing;		/* /proc/bpfrb/rings */
	long page;
	time_t start;
	/* Set once by any thread: the first call that failed unexpectedly. */
	pthread_mutex_t fail_lock;
	char failure[160];
	/* Calls that succeeded, by kind: the run must have reached them. */
	unsigned long created, attached, mapped, written, probed, forked;
	unsigned long drainers;
	__u32 last_id;		/* of the latest ring CREATE made */
};

static void count(unsigned long *what)
{
	__atomic_fetch_add(what, 1, __ATOMIC_RELAXED);
}

struct worker {
	struct fuzz *fz;
	__u64 rnd;
	unsigned long ops;
};

/* xorshift64* */
static __u64 next_rnd(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static unsigned int pick(struct worker *w, unsigned int n)
{
	return next_rnd(&w->rnd) % n;
}

/*
 * A ring id: mostly one of the last few created (ids only grow, and the
 * tests before this one have used up the small ones), sometimes any.
 */
static __u32 random_id(struct worker *w)
{
	__u32 last = __atomic_load_n(&w->fz->last_id, __ATOMIC_RELAXED);
	__u32 back = pick(w, 32);

	if (!pick(w, 8))
		return pick(w, last + 64);
	return back < last ? last - back : last;
}

/* Records the run's first unexpected failure: what failed with err. */
static void record_failure(struct fuzz *fz, const char *what, int err)
{
	pthread_mutex_lock(&fz->fail_lock);
	if (!fz->failure[0])
		snprintf(fz->failure, sizeof(fz->failure), "%s: errno %d (%s)",
			 what, err, strerror(err));
	pthread_mutex_unlock(&fz->fail_lock);
}

/* Records ret < 0 with an errno not allowed. */
static void check(struct fuzz *fz, const char *what, long ret)
{
	int err = errno;

	if (ret < 0 && !errno_allowed(err))
		record_failure(fz, what, err);
}

/*
 * OUTPUT_ONE's result (testmod_one()): the ioctl's own errors (no such
 * ring, a bad mode or size, no memory) or what the API gave, SPEC §3:
 * bpfrb_output()'s 0, -EAGAIN, -E2BIG, -EINVAL, or -ENOSPC for a
 * bpfrb_reserve() that returned NULL. Nothing else, positive or negative.
 */
static void check_output_one(struct fuzz *fz, int ret)
{
	switch (-ret) {
	case 0: case ENOENT: case EINVAL: case ENOMEM:
	case EAGAIN: case E2BIG: case ENOSPC:
		return;
	}
	record_failure(fz, "test OUTPUT_ONE", -ret);
}

static int any_fd(struct worker *w)
{
	return __atomic_load_n(&w->fz->fds[pick(w, NR_FDS)], __ATOMIC_RELAXED);
}

/* Puts fd in a random slot, closing what the slot held. */
static void put_fd(struct worker *w, int fd)
{
	int old = __atomic_exchange_n(&w->fz->fds[pick(w, NR_FDS)], fd,
				      __ATOMIC_RELAXED);

	if (old >= 0)
		close(old);
}

static void op_open(struct worker *w)
{
	int fd = open("/dev/bpfrb", (pick(w, 4) ? O_RDWR : O_RDONLY) | O_CLOEXEC);

	check(w->fz, "open", fd);
	if (fd >= 0)
		put_fd(w, fd);
}

static void op_close(struct worker *w)
{
	int old = __atomic_exchange_n(&w->fz->fds[pick(w, NR_FDS)], -1,
				      __ATOMIC_RELAXED);

	if (old >= 0)
		close(old);
}

static void op_dup(struct worker *w)
{
	int fd = any_fd(w), copy;

	if (fd < 0)
		return;
	copy = dup(fd);
	check(w->fz, "dup", copy);
	if (copy >= 0)
		put_fd(w, copy);
}

static __u64 random_size(struct worker *w)
{
	static const __u64 sizes[] = { 0, 1, 4096, 8192, 16384, 1 << 16,
				       12288, 1ULL << 40, ~0ULL };

	return sizes[pick(w, sizeof(sizes) / sizeof(sizes[0]))];
}

static void op_create(struct worker *w)
{
	struct bpfrb_create req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.size = random_size(w);
	req.type = pick(w, 8) ? pick(w, 2) : pick(w, 1000);
	req.flags = pick(w, 8) ? 0 : 1U << pick(w, 32);
	req.numa_node = pick(w, 8) ? -1 : (int)pick(w, 4) - 2;
	snprintf(req.name, sizeof(req.name), "%s",
		 ring_names[pick(w, sizeof(ring_names) / sizeof(ring_names[0]))]);
	if (!pick(w, 16))
		req.reserved[pick(w, 2)] = 1;
	ret = ioctl(any_fd(w), BPFRB_IOC_CREATE,
		    pick(w, 32) ? (void *)&req : (void *)8);
	check(w->fz, "CREATE", ret);
	if (!ret) {
		count(&w->fz->created);
		__atomic_store_n(&w->fz->last_id, req.id, __ATOMIC_RELAXED);
	}
}

static void op_attach(struct worker *w)
{
	struct bpfrb_attach req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.id = pick(w, 2) ? random_id(w) : 0;
	snprintf(req.name, sizeof(req.name), "%s",
		 ring_names[pick(w, sizeof(ring_names) / sizeof(ring_names[0]))]);
	if (!pick(w, 16))
		req.flags = 1;
	ret = ioctl(any_fd(w), BPFRB_IOC_ATTACH, &req);
	check(w->fz, "ATTACH", ret);
	if (!ret)
		count(&w->fz->attached);
}

static void op_info(struct worker *w)
{
	struct bpfrb_info info;

	check(w->fz, "INFO", ioctl(any_fd(w), BPFRB_IOC_INFO, &info));
}

static void op_kprobe(struct worker *w)
{
	struct bpfrb_kprobe req;
	__u32 id = pick(w, 8);
	int ret;

	if (pick(w, 2)) {
		check(w->fz, "KPROBE_DETACH",
		      ioctl(any_fd(w), BPFRB_IOC_KPROBE_DETACH, &id));
		return;
	}
	memset(&req, 0, sizeof(req));
	snprintf(req.symbol, sizeof(req.symbol), "%s",
		 pick(w, 4) ? KP_OPEN_SYM : "bpfrb_no_such_symbol");
	req.flags = pick(w, 3) ? 0 : BPFRB_KPROBE_RETURN;
	req.nargs = pick(w, 8);
	ret = ioctl(any_fd(w), BPFRB_IOC_KPROBE_ATTACH, &req);
	check(w->fz, "KPROBE_ATTACH", ret);
	if (!ret)
		count(&w->fz->probed);
}

static void op_poll(struct worker *w)
{
	struct pollfd p = { .fd = any_fd(w), .events = POLLIN | POLLOUT };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	struct epoll_event out[4];

	switch (pick(w, 4)) {
	case 0:
		check(w->fz, "poll", poll(&p, 1, 0));
		break;
	case 1:
		if (pick(w, 2))
			ev.events |= EPOLLET;
		check(w->fz, "epoll add",
		      epoll_ctl(w->fz->epfd, EPOLL_CTL_ADD, p.fd, &ev));
		break;
	case 2:
		check(w->fz, "epoll del",
		      epoll_ctl(w->fz->epfd, EPOLL_CTL_DEL, p.fd, NULL));
		break;
	default:
		check(w->fz, "epoll_wait", epoll_wait(w->fz->epfd, out, 4, 0));
	}
}

/* Touches every page of a mapping that the process may read or write. */
static void touch(struct worker *w, struct mapping *m)
{
	size_t off;

	for (off = 0; off < m->len; off += w->fz->page) {
		volatile unsigned char *p = (unsigned char *)m->addr + off;

		if (m->prot & PROT_WRITE) {
			if (pick(w, 2))
				*(volatile __u64 *)p = next_rnd(&w->rnd);
			else
				p[pick(w, w->fz->page)] = next_rnd(&w->rnd);
		} else if (m->prot & PROT_READ) {
			(void)*p;
		}
	}
}

/*
 * A range SPEC's memory map allows for the ring fd is bound to, with the
 * most it allows (writable where it may be); false if fd is not bound.
 */
static bool good_range(struct worker *w, int fd, size_t *len, off_t *off,
		       int *prot)
{
	struct bpfrb_info info;
	long page = w->fz->page;
	bool user;

	if (ioctl(fd, BPFRB_IOC_INFO, &info))
		return false;
	user = info.type == BPFRB_TYPE_USER;
	switch (pick(w, 3)) {
	case 0:		/* consumer_pos */
		*off = 0;
		*len = page;
		*prot = user ? PROT_READ : PROT_READ | PROT_WRITE;
		break;
	case 1:		/* producer_pos and the data area twice */
		*off = page;
		*len = page + 2 * info.size;
		*prot = user ? PROT_READ | PROT_WRITE : PROT_READ;
		break;
	default:	/* the whole ring */
		*off = 0;
		*len = 2 * page + 2 * info.size;
		*prot = PROT_READ;
	}
	return true;
}

static void op_mmap(struct worker *w)
{
	struct mapping *m = &w->fz->maps[pick(w, NR_MAPS)];
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC, PROT_WRITE,
				     PROT_NONE };
	int prot = prots[pick(w, sizeof(prots) / sizeof(prots[0]))];
	/* Half the time near the start, where most good ranges are. */
	size_t len = (1 + (pick(w, 2) ? pick(w, 4) : pick(w, 40))) * w->fz->page;
	off_t off = (pick(w, 2) ? 0 : pick(w, 40)) * w->fz->page;
	int fd = any_fd(w);
	void *addr;

	/* Half the time a range that should map, to reach what lies past. */
	if (pick(w, 2))
		good_range(w, fd, &len, &off, &prot);

	pthread_mutex_lock(&m->lock);
	if (m->addr)
		munmap(m->addr, m->len);
	m->addr = NULL;
	addr = mmap(NULL, len, prot, pick(w, 8) ? MAP_SHARED : MAP_PRIVATE,
		    fd, off);
	if (addr == MAP_FAILED) {
		check(w->fz, "mmap", -1);
	} else {
		m->addr = addr;
		m->len = len;
		m->prot = prot;
		count(&w->fz->mapped);
		if (prot & PROT_WRITE)
			count(&w->fz->written);
		touch(w, m);
	}
	pthread_mutex_unlock(&m->lock);
}

static void op_remap(struct worker *w)
{
	struct mapping *m = &w->fz->maps[pick(w, NR_MAPS)];
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_EXEC, PROT_NONE };
	int prot = prots[pick(w, sizeof(prots) / sizeof(prots[0]))];
	size_t len;
	void *addr;

	pthread_mutex_lock(&m->lock);
	if (!m->addr)
		goto out;
	switch (pick(w, 4)) {
	case 0:
		if (mprotect(m->addr, m->len, prot))
			check(w->fz, "mprotect", -1);
		else
			m->prot = prot;
		break;
	case 1:
		len = (1 + pick(w, 40)) * w->fz->page;
		addr = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
		if (addr == MAP_FAILED) {
			check(w->fz, "mremap", -1);
		} else {
			m->addr = addr;
			m->len = len;
		}
		break;
	case 2:
		munmap(m->addr, m->len);
		m->addr = NULL;
		break;
	default:
		touch(w, m);
	}
out:
	pthread_mutex_unlock(&m->lock);
}

/* The test module producing into, or draining, whatever ring an id names. */
static void op_testmod(struct worker *w)
{
	struct bpfrb_test_drain d;
	__u32 id = random_id(w);

	if (w->fz->tfd < 0)
		return;
	if (pick(w, 2)) {
		check_output_one(w->fz,
				 testmod_one(w->fz->tfd, id, pick(w, 3),
					     24 + pick(w, 5000),
					     pick(w, 4) ? 0 : 1U << pick(w, 3), 0));
		return;
	}
	memset(&d, 0, sizeof(d));
	d.ring_id = id;
	d.echo_id = random_id(w);
	d.mode = pick(w, 2) ? BPFRB_TEST_DRAIN_COUNT : BPFRB_TEST_DRAIN_ECHO;
	check(w->fz, "test DRAIN", ioctl(w->fz->tfd, BPFRB_TEST_IOC_DRAIN, &d));
}

/*
 * A drainer kthread of the test module started on whatever ring an id
 * names (draining a user ring, echoing into a kernel ring), or stopped:
 * it holds its rings while files and mappings come and go.
 */
static void op_drainer(struct worker *w)
{
	struct bpfrb_test_drainer d;
	int ret;

	if (w->fz->tfd < 0)
		return;
	memset(&d, 0, sizeof(d));
	if (pick(w, 2)) {
		d.ring_id = random_id(w);
		d.echo_id = random_id(w);
		d.mode = pick(w, 2) ? BPFRB_TEST_DRAIN_COUNT : BPFRB_TEST_DRAIN_ECHO;
		ret = ioctl(w->fz->tfd, BPFRB_TEST_IOC_DRAIN_START, &d);
		check(w->fz, "test DRAIN_START", ret);
		if (!ret)
			count(&w->fz->drainers);
	} else {
		d.slot = pick(w, BPFRB_TEST_MAX_DRAINERS);
		check(w->fz, "test DRAIN_STOP",
		      ioctl(w->fz->tfd, BPFRB_TEST_IOC_DRAIN_STOP, &d));
	}
}

/* Every drainer the run left, stopped. */
static void stop_drainers(int tfd)
{
	struct bpfrb_test_drainer d;
	__u32 slot;

	for (slot = 0; slot < BPFRB_TEST_MAX_DRAINERS; slot++) {
		memset(&d, 0, sizeof(d));
		d.slot = slot;
		ioctl(tfd, BPFRB_TEST_IOC_DRAIN_STOP, &d);
	}
}

/*
 * The listing is read through one file opened before the run: a file
 * opened here could take a number another thread has just closed and
 * still uses, and an ioctl or mmap meant for a ring would reach it.
 */
static void op_listing(struct worker *w)
{
	char buf[4096];
	size_t chunk = pick(w, 2) ? sizeof(buf) : 7;
	off_t off = 0;
	ssize_t n;

	while ((n = pread(w->fz->listing, buf, chunk, off)) > 0)
		off += n;
	check(w->fz, "read /proc/bpfrb/rings", n);
}

static void op_poll_and_list(struct worker *w)
{
	op_poll(w);
	op_listing(w);
}

static void op_fork(struct worker *w);

/*
 * The operations, as often as they appear. A forked child runs only the
 * ones that take no lock of the parent's (a mapping's mutex may have been
 * held by another thread when the process forked) and do not fork.
 */
static const struct {
	void (*fn)(struct worker *w);
	bool in_child;
} ops[] = {
	{ op_open, true }, { op_open, true }, { op_close, true },
	{ op_dup, true }, { op_create, true }, { op_create, true },
	{ op_attach, true }, { op_mmap, false }, { op_remap, false },
	{ op_info, true }, { op_fork, false }, { op_kprobe, true },
	{ op_poll_and_list, true }, { op_testmod, true },
	{ op_testmod, true }, { op_drainer, true },
};

#define NR_OPS	(sizeof(ops) / sizeof(ops[0]))

/* A child runs a few operations on the inherited files; 1 on a failure. */
static void op_fork(struct worker *w)
{
	pid_t pid;
	int i, status;

	if (pick(w, 8))
		return;
	pid = fork();
	check(w->fz, "fork", pid);
	if (pid > 0)
		count(&w->fz->forked);
	if (pid == 0) {
		for (i = 0; i < 20; i++) {
			unsigned int op = pick(w, NR_OPS);

			if (ops[op].in_child)
				ops[op].fn(w);
		}
		_exit(w->fz->failure[0] ? 1 : 0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		errno = ECHILD;
		check(w->fz, "a forked child's calls", -1);
	}
}

/* Whether every kind of call the test asserts on has succeeded yet. */
static bool all_reached(struct fuzz *fz)
{
	return __atomic_load_n(&fz->created, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&fz->attached, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&fz->written, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&fz->probed, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&fz->forked, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&fz->drainers, __ATOMIC_RELAXED);
}

/*
 * RUN_SECONDS, or longer (up to MAX_SECONDS) on a kernel slow enough that
 * some kind of call has not succeeded by then.
 */
static bool keep_going(struct fuzz *fz)
{
	time_t now = time(NULL);

	return now < fz->start + RUN_SECONDS ||
	       (now < fz->start + MAX_SECONDS && !all_reached(fz));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (keep_going(w->fz)) {
		ops[pick(w, NR_OPS)].fn(w);
		w->ops++;
	}
	return NULL;
}

static int count_rings(void)
{
	char line[512];
	int n = -1;	/* the header line */
	FILE *f = fopen("/proc/bpfrb/rings", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* The harness's default limit is 30 s; TEST_F_TIMEOUT sets another. */
FIXTURE(run) {
	int unused;
};

FIXTURE_SETUP(run)
{
}

FIXTURE_TEARDOWN(run)
{
}

TEST_F_TIMEOUT(run, random_calls_on_shared_files_and_mappings, 300)
{
	struct worker workers[NR_THREADS];
	pthread_t threads[NR_THREADS];
	static struct fuzz fz;
	int i, rings_before, rings_after;
	unsigned long ops = 0;
	__u64 seed = time(NULL);

	if (!kp_kallsyms(KP_OPEN_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", KP_OPEN_SYM);
	TH_LOG("seed %llu", (unsigned long long)seed);
	memset(&fz, 0, sizeof(fz));
	for (i = 0; i < NR_FDS; i++)
		fz.fds[i] = -1;
	for (i = 0; i < NR_MAPS; i++)
		pthread_mutex_init(&fz.maps[i].lock, NULL);
	pthread_mutex_init(&fz.fail_lock, NULL);
	fz.page = sysconf(_SC_PAGESIZE);
	fz.epfd = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, fz.epfd);
	fz.tfd = testmod_open();
	ASSERT_LE(0, fz.tfd) TH_LOG("%s: %s", BPFRB_TEST_DEVICE,
				    strerror(-fz.tfd));
	fz.listing = open("/proc/bpfrb/rings", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fz.listing);
	rings_before = count_rings();
	ASSERT_LE(0, rings_before);

	fz.start = time(NULL);
	for (i = 0; i < NR_THREADS; i++) {
		workers[i] = (struct worker){ .fz = &fz,
					      .rnd = seed * (i + 1) | 1 };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, worker_main,
					    &workers[i]));
	}
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(threads[i], NULL);
		ops += workers[i].ops;
	}
	TH_LOG("%lu operations; succeeded: %lu CREATE, %lu ATTACH, %lu mmap (%lu writable), %lu KPROBE_ATTACH, %lu fork, %lu DRAIN_START",
	       ops, fz.created, fz.attached, fz.mapped, fz.written, fz.probed,
	       fz.forked, fz.drainers);
	EXPECT_STREQ("", fz.failure);
	EXPECT_LT(0UL, fz.created);
	EXPECT_LT(0UL, fz.attached);
	EXPECT_LT(0UL, fz.written);
	EXPECT_LT(0UL, fz.probed);
	EXPECT_LT(0UL, fz.forked);
	EXPECT_LT(0UL, fz.drainers);

	stop_drainers(fz.tfd);
	for (i = 0; i < NR_MAPS; i++)
		if (fz.maps[i].addr)
			munmap(fz.maps[i].addr, fz.maps[i].len);
	for (i = 0; i < NR_FDS; i++)
		if (fz.fds[i] >= 0)
			close(fz.fds[i]);
	close(fz.epfd);
	close(fz.tfd);
	close(fz.listing);
	/* The last reference to each ring went with its last file or mapping. */
	rings_after = count_rings();
	EXPECT_EQ(rings_before, rings_after);
}

TEST_HARNESS_MAIN
