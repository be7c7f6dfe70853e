// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace --proc: process fork, exec and exit.
 *
 * Fork is seen from the child: schedule_tail() is the first function a
 * new task runs, before it can exec or exit, so in the ring (one global
 * order, reservation order) a child's fork always precedes its exec and
 * exit, whatever CPUs they ran on. The parent's side, kernel_clone()
 * returning the child's pid, may come after the child's first events:
 * it is printed as "clone", for the parent/child relation only.
 *
 * Exec is bprm_execve() returning 0 (its comm is the new program's);
 * kernels where it is inlined fall back to begin_new_exec(), exec's
 * point of no return. Exit is do_exit(code).
 *
 * Candidates are tried in order; a kernel that lacks one (ENOENT) or
 * refuses it (EINVAL, EILSEQ) moves on to the next.
 */
#include <errno.h>
#include <string.h>
#include <libbpfrb.h>
#include "main.h"
#include "proc.h"

struct proc_candidate {
	enum probe_kind kind;
	const char *symbol;
	bool ret;
	unsigned int nargs;
	bool optional;		/* --proc works without it */
};

/* Grouped by kind, preferred first. */
static const struct proc_candidate candidates[] = {
	{ PROBE_FORK,		"schedule_tail",	false, 0, false },
	{ PROBE_CLONE,		"kernel_clone",		true,  0, true },
	{ PROBE_CLONE,		"_do_fork",		true,  0, true },
	{ PROBE_EXEC,		"bprm_execve",		true,  0, false },
	{ PROBE_EXEC_ENTRY,	"begin_new_exec",	false, 0, false },
	{ PROBE_EXIT,		"do_exit",		false, 1, false },
};

/* Exec has two kinds of candidate; they satisfy the same need. */
static enum probe_kind need_of(enum probe_kind kind)
{
	return kind == PROBE_EXEC_ENTRY ? PROBE_EXEC : kind;
}

static bool is_unavailable(int err)
{
	return err == -ENOENT || err == -EINVAL || err == -EILSEQ ||
	       err == -EOPNOTSUPP;
}

int proc_attach(int fd, struct probe_desc *d, unsigned int *n)
{
	bool have[PROBE_EXIT + 1] = { false };
	size_t i;
	int id;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		const struct proc_candidate *c = &candidates[i];
		BPFRB_OPTS(bpfrb_kprobe_opts, o, .nargs = c->nargs,
			   .flags = c->ret ? BPFRB_KPROBE_RETURN : 0,
			   /* Many execs and clones in flight at once. */
			   .maxactive = c->ret ? 256 : 0);

		if (have[need_of(c->kind)])
			continue;
		id = bpfrb_kprobe_attach(fd, c->symbol, &o);
		if (id < 0) {
			if (is_unavailable(id))
				continue;
			p_err("cannot attach to %s: %s", c->symbol,
			      strerror(-id));
			return id;
		}
		have[need_of(c->kind)] = true;
		d[*n].id = id;
		d[*n].kind = c->kind;
		d[*n].nargs = c->nargs;
		snprintf(d[*n].symbol, sizeof(d[*n].symbol), "%s", c->symbol);
		(*n)++;
	}
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		const struct proc_candidate *c = &candidates[i];

		if (!c->optional && !have[need_of(c->kind)]) {
			p_err("--proc: no probeable %s function on this kernel",
			      event_name(&(struct probe_desc){ .kind = c->kind }));
			return -ENOENT;
		}
	}
	return 0;
}
