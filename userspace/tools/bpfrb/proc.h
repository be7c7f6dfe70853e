/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace --proc: which kernel functions mark a process's fork, exec and
 * exit on the running kernel, attached by trying candidates in order.
 */
#ifndef BPFRB_CLI_PROC_H
#define BPFRB_CLI_PROC_H

#include "events.h"

/*
 * Attaches the --proc probes to the ring fd, appending their
 * descriptions to d (room for *n + PROC_MAX_PROBES entries). 0, or -errno.
 */
#define PROC_MAX_PROBES	4
int proc_attach(int fd, struct probe_desc *d, unsigned int *n);

#endif /* BPFRB_CLI_PROC_H */
