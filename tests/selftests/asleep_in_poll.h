/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting until another thread of this process sleeps in poll(2), so that
 * a test's wakeup is one the waiter needed: a waiter that reached poll
 * only after the event would find the file ready and return whether the
 * wakeup happened or not. Also what any test needs to know that another
 * thread sleeps in a given system call.
 */
#ifndef ASLEEP_IN_POLL_H
#define ASLEEP_IN_POLL_H

#include <stdio.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * The system call thread tid (of this process or another) sleeps in, or
 * -1 while it runs. /proc/<tid>/syscall names the system call only while
 * the task is not running ("running" otherwise).
 */
static inline long asleep_in_syscall(pid_t tid)
{
	char path[64];
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr;
}

/*
 * Whether thread tid sleeps in poll or ppoll. Poll sleeps only once it
 * has queued itself on the file's wait queue: from then on any wakeup of
 * the file reaches it.
 */
static inline int asleep_in_poll(pid_t tid)
{
	long nr = asleep_in_syscall(tid);

	return nr == SYS_poll || nr == SYS_ppoll;
}

/*
 * 0 once the thread whose id *tid will hold (0 until it has started)
 * sleeps in poll; -1 if that did not happen within about timeout_ms.
 */
static inline int wait_asleep_in_poll(const pid_t *tid, int timeout_ms)
{
	int waited;

	for (waited = 0; waited < timeout_ms; waited++) {
		pid_t t = __atomic_load_n(tid, __ATOMIC_ACQUIRE);

		if (t && asleep_in_poll(t))
			return 0;
		usleep(1000);
	}
	return -1;
}

#endif
