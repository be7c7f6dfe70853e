/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kprobe_*.c tests: a kernel ring with probes,
 * collecting its struct bpfrb_event records, kallsyms, capabilities.
 */
#ifndef KPROBE_COMMON_H
#define KPROBE_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/bpfrb.h>
#include <libbpfrb.h>

/*
 * A function with plain arguments that every open(2) reaches, on 6.1 and
 * 6.12: do_sys_openat2(int dfd, const char __user *filename, struct
 * open_how *how).
 */
#define KP_OPEN_SYM	"do_sys_openat2"

struct kp_events {
	struct bpfrb_event *ev;
	size_t n, cap;
};

static inline int kp_collect(void *ctx, void *data, size_t size)
{
	struct kp_events *e = ctx;

	if (size != sizeof(struct bpfrb_event))
		return -EBADMSG;
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;
		void *p = realloc(e->ev, cap * sizeof(*e->ev));

		if (!p)
			return -ENOMEM;
		e->ev = p;
		e->cap = cap;
	}
	memcpy(&e->ev[e->n++], data, size);
	return 0;
}

/* Consume everything the ring holds into e; number of records or -errno. */
static inline int kp_drain(int fd, struct kp_events *e)
{
	struct bpfrb_ring_buffer *rb;
	int n;

	rb = bpfrb_ring_buffer__new(fd, kp_collect, e, NULL);
	if (!rb)
		return -errno;
	n = bpfrb_ring_buffer__consume(rb);
	bpfrb_ring_buffer__free(rb);
	return n;
}

/* The last event of thread tid with probe id, or NULL. */
static inline const struct bpfrb_event *kp_event_of(const struct kp_events *e,
						    __u32 id, pid_t tid)
{
	size_t i;

	for (i = e->n; i-- > 0;)
		if (e->ev[i].probe_id == id && e->ev[i].pid == (__u32)tid)
			return &e->ev[i];
	return NULL;
}

/* The last event of the calling thread with probe id, or NULL. */
static inline const struct bpfrb_event *kp_ours(const struct kp_events *e,
						__u32 id)
{
	return kp_event_of(e, id, (pid_t)syscall(SYS_gettid));
}

static inline void kp_events_free(struct kp_events *e)
{
	free(e->ev);
	memset(e, 0, sizeof(*e));
}

/* Address of a text symbol in /proc/kallsyms (root sees real ones), or 0. */
static inline unsigned long long kp_kallsyms(const char *sym)
{
	char line[512], name[256], type;
	unsigned long long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if ((type == 't' || type == 'T') && !strcmp(name, sym)) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Sets the effective, permitted and inheritable sets to caps (bit mask). */
static inline int kp_set_caps(unsigned long long caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (__u32)caps;
	data[1].effective = data[1].permitted = (__u32)(caps >> 32);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* A field of /proc/bpfrb/rings for ring id, or -1 (column by name). */
static inline long long kp_listing_field(__u32 id, const char *column)
{
	char line[512], *tok, *save;
	int col = -1, i;
	long long v = -1;
	FILE *f = fopen("/proc/bpfrb/rings", "r");

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f)) {
		for (i = 0, tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save), i++)
			if (!strcmp(tok, column))
				col = i;
	}
	while (col >= 0 && fgets(line, sizeof(line), f)) {
		if (strtoul(line, NULL, 10) != id)
			continue;
		for (i = 0, tok = strtok_r(line, " \n", &save); tok && i < col;
		     tok = strtok_r(NULL, " \n", &save), i++)
			;
		if (tok)
			v = strtoll(tok, NULL, 10);
		break;
	}
	fclose(f);
	return v;
}

/* Writes text to a control file (procfs, sysfs, debugfs): 0 or -errno. */
static inline int kp_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return err;
}

/*
 * How kprobes placed the probe at sym+off, from its line in debugfs's
 * kprobes/list ("<addr>  k  sym+0xoff  [flags]"): 0 with the line's flags
 * ("[FTRACE]", "[OPTIMIZED]", ... or "") copied into flags, -ENOENT if no
 * probe at sym+off is listed, -errno if the list cannot be read.
 */
static inline int kp_list_flags(const char *sym, unsigned int off,
				char *flags, size_t len)
{
	char line[512], want[300], *tok, *save;
	int err = -ENOENT;
	FILE *f = fopen("/sys/kernel/debug/kprobes/list", "r");

	if (!f)
		return -errno;
	snprintf(want, sizeof(want), "%s+0x%x", sym, off);
	while (err && fgets(line, sizeof(line), f)) {
		/* Address, type, place: the place is the third token. */
		if (!strtok_r(line, " \n", &save) || !strtok_r(NULL, " \n", &save))
			continue;
		tok = strtok_r(NULL, " \n", &save);
		if (!tok || strcmp(tok, want))
			continue;
		tok = strtok_r(NULL, "\n", &save);
		snprintf(flags, len, "%s", tok ? tok : "");
		err = 0;
	}
	fclose(f);
	return err;
}

#endif /* KPROBE_COMMON_H */
