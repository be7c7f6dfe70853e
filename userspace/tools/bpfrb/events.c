// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Printing struct bpfrb_event records (see events.h). */
#include <stdio.h>
#include <string.h>
#include "events.h"
#include "json.h"
#include "main.h"

static const char * const kind_names[] = {
	[PROBE_FORK]		= "fork",
	[PROBE_CLONE]		= "clone",
	[PROBE_EXEC]		= "exec",
	[PROBE_EXEC_ENTRY]	= "exec",
	[PROBE_EXIT]		= "exit",
};

const char *event_name(const struct probe_desc *d)
{
	if (!d)
		return "probe";
	if (d->kind == PROBE_ENTRY || d->kind == PROBE_RETURN)
		return d->symbol;
	return kind_names[d->kind];
}

/*
 * A return value. exec's is an int, and an int leaves the upper half of
 * its register to chance; other functions' are shown whole, since the
 * width of what a probed function returns is not known here.
 */
static long long event_ret(const struct bpfrb_event *ev,
			   const struct probe_desc *d)
{
	if (d && d->kind == PROBE_EXEC)
		return (int)ev->args[0];
	return (long long)ev->args[0];
}

void event_print_header(void)
{
	if (json_output)
		return;
	printf("%-20s %3s %7s %7s %-16s %s\n",
	       "TIME", "CPU", "PID", "TGID", "COMM", "EVENT");
}

/* comm is NUL-terminated by the kernel; never trust that in a printer. */
static void event_comm(const struct bpfrb_event *ev, char *comm)
{
	memcpy(comm, ev->comm, sizeof(ev->comm));
	comm[sizeof(ev->comm)] = '\0';
}

/* do_exit()'s code is a wait status: signal in bits 0-6, status above. */
static void exit_code_text(long long code, char *buf, size_t len)
{
	if (code & 0x7f)
		snprintf(buf, len, "signal %lld", code & 0x7f);
	else
		snprintf(buf, len, "status %lld", (code >> 8) & 0xff);
}

static void event_print_json(const struct bpfrb_event *ev,
			     const struct probe_desc *d, const char *comm)
{
	unsigned long long args[6];
	struct json_obj j;
	int i;

	json_begin(&j, stdout);
	json_u64(&j, "ts_ns", ev->ts_ns);
	json_u64(&j, "cpu", ev->cpu);
	json_u64(&j, "pid", ev->pid);
	json_u64(&j, "tgid", ev->tgid);
	json_str(&j, "comm", comm);
	json_u64(&j, "probe_id", ev->probe_id);
	json_str(&j, "event", event_name(d));
	json_hex(&j, "ip", ev->ip);
	switch (d ? d->kind : PROBE_ENTRY) {
	case PROBE_RETURN:
	case PROBE_EXEC:
		json_s64(&j, "ret", event_ret(ev, d));
		break;
	case PROBE_CLONE:
		json_s64(&j, "child", (int)ev->args[0]);
		break;
	case PROBE_EXIT:
		json_s64(&j, "code", (long long)ev->args[0]);
		break;
	case PROBE_FORK:
	case PROBE_EXEC_ENTRY:
		break;
	case PROBE_ENTRY:
		for (i = 0; i < 6; i++)
			args[i] = ev->args[i];
		json_hex_array(&j, "args", args, d ? (int)d->nargs : 6);
		break;
	}
	json_end(&j);
}

void event_print(const struct bpfrb_event *ev, const struct probe_desc *d)
{
	char comm[sizeof(ev->comm) + 1], code[32];
	unsigned int i, nargs;

	event_comm(ev, comm);
	if (json_output) {
		event_print_json(ev, d, comm);
		return;
	}
	printf("%10llu.%09llu %3u %7u %7u %-16s %s",
	       ev->ts_ns / 1000000000ULL, ev->ts_ns % 1000000000ULL,
	       ev->cpu, ev->pid, ev->tgid, comm, event_name(d));
	switch (d ? d->kind : PROBE_ENTRY) {
	case PROBE_RETURN:
	case PROBE_EXEC:
		printf(" ret %lld", event_ret(ev, d));
		break;
	case PROBE_CLONE:
		printf(" child %d", (int)ev->args[0]);
		break;
	case PROBE_EXIT:
		exit_code_text((long long)ev->args[0], code, sizeof(code));
		printf(" %s", code);
		break;
	case PROBE_FORK:
	case PROBE_EXEC_ENTRY:
		break;
	case PROBE_ENTRY:
		nargs = d ? d->nargs : 6;
		for (i = 0; i < nargs; i++)
			printf(" 0x%llx", (unsigned long long)ev->args[i]);
		if (!d)
			printf(" ip 0x%llx id %u",
			       (unsigned long long)ev->ip, ev->probe_id);
		break;
	}
	putchar('\n');
}
