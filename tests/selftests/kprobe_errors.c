// SPDX-License-Identifier: GPL-2.0
/*
 * Every refusal of BPFRB_IOC_KPROBE_ATTACH / DETACH, each test named
 * after what it sends and asserting the exact errno (SPEC §2 and
 * docs/DESIGN.md, "Kprobe producers").
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "kprobe_common.h"

#define CAP_PERFMON_BIT	38	/* CAP_PERFMON, in case the headers are old */

FIXTURE(ring) {
	int fd;
};

FIXTURE_SETUP(ring)
{
	self->fd = bpfrb_create(NULL, 1 << 16, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, self->fd) TH_LOG("bpfrb_create: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The raw ioctl, so that every field can be set; errno or 0. */
static int attach_raw(int fd, struct bpfrb_kprobe *req)
{
	return ioctl(fd, BPFRB_IOC_KPROBE_ATTACH, req) ? errno : 0;
}

static void req_init(struct bpfrb_kprobe *req, const char *sym)
{
	memset(req, 0, sizeof(*req));
	snprintf(req->symbol, sizeof(req->symbol), "%s", sym);
}

TEST_F(ring, unknown_symbol_enoent)
{
	struct bpfrb_kprobe req;

	req_init(&req, "bpfrb_no_such_function_anywhere");
	ASSERT_EQ(ENOENT, attach_raw(self->fd, &req));
}

TEST_F(ring, own_module_function_einval)
{
	struct bpfrb_kprobe req;

	/* Probing the ring's own code could deadlock on the ring lock. */
	req_init(&req, "bpfrb_reserve");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
	req.flags = BPFRB_KPROBE_RETURN;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, lock_function_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, "_raw_spin_lock_irqsave");
	if (!kp_kallsyms(req.symbol))
		SKIP(return, "%s is inlined on this kernel", req.symbol);
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, lockdep_release_hook_einval)
{
	struct bpfrb_kprobe req;

	/* Refused by name, whether or not this kernel has lockdep. */
	req_init(&req, "lock_release");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, kmsan_hook_einval)
{
	struct bpfrb_kprobe req;

	/* KMSAN instruments the ring's critical section: refused by name. */
	req_init(&req, "__msan_metadata_ptr_for_load_8");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
	req_init(&req, "kmsan_unpoison_memory");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

/*
 * A name kprobes looks up in one module ("module:sym") is refused by the
 * same prefixes: a refused name, not a missing one (ENOENT).
 */
TEST_F(ring, denied_prefix_after_a_module_name_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, "bpfrb:__kasan_check_read");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
	req_init(&req, "bpfrb_test:lockdep_no_such_function");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, kprobe_blacklisted_function_einval)
{
	/* NOKPROBE_SYMBOL() or noinstr on every kernel, when not inlined. */
	static const char *const denied[] = {
		"get_kprobe", "preempt_count_add", "exc_int3",
	};
	struct bpfrb_kprobe req;
	size_t i;

	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (kp_kallsyms(denied[i]))
			break;
	if (i == sizeof(denied) / sizeof(denied[0]))
		SKIP(return, "no known blacklisted function on this kernel");
	req_init(&req, denied[i]);
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req)) TH_LOG("%s", denied[i]);
}

TEST_F(ring, empty_symbol_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, "");
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, symbol_without_nul_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, "");
	memset(req.symbol, 'a', sizeof(req.symbol));
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, nargs_over_6_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.nargs = 7;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, unknown_flag_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.flags = 1U << 1;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, nonzero_reserved_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.reserved[1] = 1;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

/*
 * id is out only (SPEC §2), as CREATE's is: a struct reused after an
 * attach, its id still set, attaches again and gets an id of its own.
 */
TEST_F(ring, struct_reused_with_its_id_attaches_again)
{
	struct bpfrb_kprobe req;
	__u32 first;

	req_init(&req, KP_OPEN_SYM);
	ASSERT_EQ(0, attach_raw(self->fd, &req));
	first = req.id;
	ASSERT_NE(0U, first);
	ASSERT_EQ(0, attach_raw(self->fd, &req));
	EXPECT_NE(0U, req.id);
	EXPECT_NE(first, req.id);
	req.id = 0xdeadbeef;
	ASSERT_EQ(0, attach_raw(self->fd, &req));
	EXPECT_NE(0xdeadbeef, req.id);
	EXPECT_EQ(0, ioctl(self->fd, BPFRB_IOC_KPROBE_DETACH, &first));
}

TEST_F(ring, return_probe_with_offset_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.flags = BPFRB_KPROBE_RETURN;
	req.offset = 4;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, return_probe_with_nargs_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.flags = BPFRB_KPROBE_RETURN;
	req.nargs = 2;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, entry_probe_with_maxactive_einval)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.maxactive = 8;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

TEST_F(ring, maxactive_over_limit_e2big)
{
	struct bpfrb_kprobe req;

	req_init(&req, KP_OPEN_SYM);
	req.flags = BPFRB_KPROBE_RETURN;
	req.maxactive = 4097;
	ASSERT_EQ(E2BIG, attach_raw(self->fd, &req));
}

TEST_F(ring, offset_past_the_function_einval_or_eilseq)
{
	struct bpfrb_kprobe req;
	int err;

	/*
	 * An offset lands inside the symbol or nowhere: EINVAL from our
	 * check, or EILSEQ where kprobes itself (6.12) finds the address
	 * outside the function's instructions first. Never attached.
	 */
	req_init(&req, KP_OPEN_SYM);
	req.offset = 1 << 20;
	err = attach_raw(self->fd, &req);
	ASSERT_TRUE(err == EINVAL || err == EILSEQ) TH_LOG("errno %d", err);
}

TEST_F(ring, offset_over_32_bits_einval)
{
	struct bpfrb_kprobe req;

	/* struct kprobe keeps 32 bits: cut short, this would be an entry probe. */
	req_init(&req, KP_OPEN_SYM);
	req.offset = 1ULL << 32;
	ASSERT_EQ(EINVAL, attach_raw(self->fd, &req));
}

/*
 * The request readable, its id not writable: EFAULT, and the probe that
 * was registered for it is gone without having written an event.
 */
TEST_F(ring, unwritable_id_efault_leaves_no_probe)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bpfrb_kprobe *req;
	struct kp_events ev = { 0 };

	req = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, req);
	req_init(req, KP_OPEN_SYM);
	ASSERT_EQ(0, mprotect(req, page, PROT_READ));
	ASSERT_EQ(EFAULT, attach_raw(self->fd, req));
	close(open("/bpfrb-kprobe-errors-no-such-file", O_RDONLY));
	EXPECT_EQ(0, kp_drain(self->fd, &ev));
	kp_events_free(&ev);
	munmap(req, page);
}

TEST_F(ring, bad_pointer_efault)
{
	ASSERT_NE(0, ioctl(self->fd, BPFRB_IOC_KPROBE_ATTACH, (void *)8));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_NE(0, ioctl(self->fd, BPFRB_IOC_KPROBE_DETACH, (void *)8));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(ring, detach_unknown_id_enoent)
{
	ASSERT_EQ(-ENOENT, bpfrb_kprobe_detach(self->fd, 12345));
	ASSERT_EQ(-ENOENT, bpfrb_kprobe_detach(self->fd, 0));
}

TEST_F(ring, detach_twice_enoent)
{
	int id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);

	ASSERT_GT(id, 0);
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_EQ(-ENOENT, bpfrb_kprobe_detach(self->fd, id));
}

TEST_F(ring, detach_other_files_probe_enoent)
{
	struct bpfrb_info info;
	int other, id;

	ASSERT_EQ(0, bpfrb_info(self->fd, &info));
	other = bpfrb_attach_id(info.id);
	ASSERT_GE(other, 0);
	id = bpfrb_kprobe_attach(other, KP_OPEN_SYM, NULL);
	ASSERT_GT(id, 0);
	/* Probes belong to the file that attached them. */
	EXPECT_EQ(-ENOENT, bpfrb_kprobe_detach(self->fd, id));
	EXPECT_EQ(0, bpfrb_kprobe_detach(other, id));
	close(other);
}

TEST_F(ring, more_than_64_probes_per_file_e2big)
{
	int i, id;

	for (i = 0; i < 64; i++) {
		id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
		ASSERT_GT(id, 0) TH_LOG("probe %d: %s", i, strerror(errno));
	}
	ASSERT_EQ(-E2BIG, bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL));
	/* Closing the file in teardown detaches all 64. */
}

TEST(unbound_file_enxio)
{
	struct bpfrb_kprobe req;
	int fd = open(BPFRB_DEVICE, O_RDWR);

	if (fd < 0)
		SKIP(return, "%s: %s", BPFRB_DEVICE, strerror(errno));
	req_init(&req, KP_OPEN_SYM);
	ASSERT_EQ(ENXIO, attach_raw(fd, &req));
	close(fd);
}

TEST(user_ring_eopnotsupp)
{
	struct bpfrb_kprobe req;
	int fd = bpfrb_create(NULL, 1 << 16, BPFRB_TYPE_USER, NULL);

	if (fd < 0 && errno == EOPNOTSUPP)
		SKIP(return, "user rings are not implemented by this module");
	ASSERT_GE(fd, 0);
	req_init(&req, KP_OPEN_SYM);
	ASSERT_EQ(EOPNOTSUPP, attach_raw(fd, &req));
	close(fd);
}

/* In a child without caps: the errno of one attach, as exit status. */
static int attach_with_caps(int fd, unsigned long long caps)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct bpfrb_kprobe req;

		if (kp_set_caps(caps))
			_exit(100);
		req_init(&req, KP_OPEN_SYM);
		_exit(attach_raw(fd, &req));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(ring, without_perfmon_and_sys_admin_eperm)
{
	/* Everything but CAP_SYS_ADMIN and CAP_PERFMON. */
	unsigned long long all = (1ULL << 41) - 1;

	all &= ~(1ULL << CAP_SYS_ADMIN);
	all &= ~(1ULL << CAP_PERFMON_BIT);
	ASSERT_EQ(EPERM, attach_with_caps(self->fd, all));
	ASSERT_EQ(EPERM, attach_with_caps(self->fd, 0));
}

TEST_F(ring, cap_perfmon_alone_allowed)
{
	ASSERT_EQ(0, attach_with_caps(self->fd, 1ULL << CAP_PERFMON_BIT));
}

TEST_F(ring, cap_sys_admin_alone_allowed)
{
	ASSERT_EQ(0, attach_with_caps(self->fd, 1ULL << CAP_SYS_ADMIN));
}

TEST_HARNESS_MAIN
