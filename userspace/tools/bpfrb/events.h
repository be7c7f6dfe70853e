/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Printing struct bpfrb_event records, as text lines under a header or
 * as JSON objects, one per line.
 */
#ifndef BPFRB_CLI_EVENTS_H
#define BPFRB_CLI_EVENTS_H

#include <linux/bpfrb.h>

/* How trace knows a probe: what it is called and how to decode it. */
enum probe_kind {
	PROBE_ENTRY,		/* args[0..nargs) */
	PROBE_RETURN,		/* args[0] = return value */
	PROBE_FORK,		/* --proc: first thing a new task runs (in the child) */
	PROBE_CLONE,		/* --proc: clone returning in the parent; ret = child pid */
	PROBE_EXEC,		/* --proc: exec returning; ret 0 = success */
	PROBE_EXEC_ENTRY,	/* --proc: exec's point of no return (fallback) */
	PROBE_EXIT,		/* --proc: a task exits; args[0] = exit code */
};

struct probe_desc {
	unsigned int id;
	enum probe_kind kind;
	unsigned int nargs;
	unsigned long long offset;	/* SYM+OFFSET's, or 0 */
	/* SYM or SYM+OFFSET as given: room for "+4294967295" past SYM. */
	char symbol[BPFRB_SYM_LEN + 16];
};

/* The event's name as printed: "fork", "exec", ... or the symbol. */
const char *event_name(const struct probe_desc *d);
/* Prints the column header (text mode only). */
void event_print_header(void);
/* Prints one event; d may be NULL (cat: probe unknown). */
void event_print(const struct bpfrb_event *ev, const struct probe_desc *d);

#endif /* BPFRB_CLI_EVENTS_H */
