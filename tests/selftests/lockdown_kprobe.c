// SPDX-License-Identifier: GPL-2.0
/*
 * KPROBE_ATTACH on a kernel locked down for confidentiality: refused with
 * EPERM, as tracefs kprobe events and perf refuse it, while a probe
 * attached before the lockdown goes on writing events (the kernel checks
 * lockdown when a probe is made, not while it runs).
 *
 * Lockdown can only be raised, never lowered, and at "confidentiality" it
 * also refuses debugfs, which the debug kernel's leak scan needs: the
 * guest runs the lockdown_* programs after everything else
 * (scripts/guest/run-tests). Skipped on a kernel without the lockdown LSM.
 */
#include <sys/mount.h>
#include "kselftest_harness.h"
#include "kprobe_common.h"

#define SECURITYFS	"/sys/kernel/security"
#define LOCKDOWN_FILE	SECURITYFS "/lockdown"
#define MISSING_PATH	"/bpfrb-lockdown-no-such-file"

/* The lockdown file's text ("none [integrity] confidentiality"), or "". */
static void read_lockdown(char *buf, size_t len)
{
	FILE *f = fopen(LOCKDOWN_FILE, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
}

/* Whether the lockdown file exists, mounting securityfs if need be. */
static bool have_lockdown(void)
{
	if (access(LOCKDOWN_FILE, F_OK) == 0)
		return true;
	mount("securityfs", SECURITYFS, "securityfs", 0, NULL);
	return access(LOCKDOWN_FILE, F_OK) == 0;
}

static int raise_lockdown(const char *level)
{
	return kp_write_file(LOCKDOWN_FILE, level);
}

/* How many of e's events came from probe id. */
static size_t count_probe(const struct kp_events *e, __u32 id)
{
	size_t i, n = 0;

	for (i = 0; i < e->n; i++)
		n += e->ev[i].probe_id == id;
	return n;
}

TEST(attach_refused_under_lockdown_earlier_probe_keeps_writing)
{
	struct bpfrb_kprobe req;
	struct kp_events ev = { 0 };
	char state[128];
	int fd, before_id;

	if (!have_lockdown())
		SKIP(return, "no lockdown LSM on this kernel");
	if (!kp_kallsyms(KP_OPEN_SYM))
		SKIP(return, "%s is not in /proc/kallsyms", KP_OPEN_SYM);
	read_lockdown(state, sizeof(state));
	ASSERT_NE(NULL, strstr(state, "[none]"))
		TH_LOG("lockdown already raised: %s", state);

	fd = bpfrb_create(NULL, 1 << 20, BPFRB_TYPE_KERNEL, NULL);
	ASSERT_LE(0, fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	before_id = bpfrb_kprobe_attach(fd, KP_OPEN_SYM, NULL);
	ASSERT_LT(0, before_id) TH_LOG("attach before lockdown: %s",
				       strerror(-before_id));

	ASSERT_EQ(0, raise_lockdown("confidentiality"));
	read_lockdown(state, sizeof(state));
	ASSERT_NE(NULL, strstr(state, "[confidentiality]")) TH_LOG("%s", state);

	/* The raw ioctl: the errno is the kernel's, not the library's. */
	memset(&req, 0, sizeof(req));
	snprintf(req.symbol, sizeof(req.symbol), "%s", KP_OPEN_SYM);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, BPFRB_IOC_KPROBE_ATTACH, &req));
	EXPECT_EQ(EPERM, errno);
	req.flags = BPFRB_KPROBE_RETURN;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, BPFRB_IOC_KPROBE_ATTACH, &req));
	EXPECT_EQ(EPERM, errno);

	/* The probe attached before is still there and still writes. */
	ASSERT_EQ(-1, open(MISSING_PATH, O_RDONLY));
	ASSERT_LE(1, kp_drain(fd, &ev));
	EXPECT_LE((size_t)1, count_probe(&ev, before_id));
	EXPECT_EQ(ev.n, count_probe(&ev, before_id));
	EXPECT_EQ(0, bpfrb_kprobe_detach(fd, before_id));
	kp_events_free(&ev);
	close(fd);
}

TEST_HARNESS_MAIN
