// SPDX-License-Identifier: GPL-2.0
/*
 * The bpfrb peers: a ring created through libbpfrb, filled by the
 * bpfrb_bench module (bench/kmod) from a kprobe on getpgid, and read with
 * libbpfrb (bpfrb_ring_buffer__poll), the batch consumer or io_uring.
 *
 * The module is loaded per run with the run's configuration as parameters
 * and unloaded after it, so nothing about a run lingers into the next.
 * Peers that produce no records (floor, memcpy, none) only load the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <libbpfrb.h>

#include "rbbench.h"

#define RING_NAME	"rbbench"
#define MODULE_NAME	"bpfrb_bench"

struct bpfrb_peer {
	struct peer p;
	const char *kmode;	/* the module's mode parameter */
	const char *kextra;	/* more module parameters */
	int fd;			/* the ring, -1 for ring-less modes */
	bool loaded;
	struct mmap_ring mr;
	bool mapped;
	struct bpfrb_ring_buffer *lib;
};

static int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

static int rbx_setup(struct peer *p, struct bench_ctx *ctx)
{
	struct bpfrb_peer *b = (struct bpfrb_peer *)p;
	const struct bench_opts *o = ctx->o;
	unsigned long wake = 0;
	char params[256];
	int err;

	if (b->fd == -2) {
		b->fd = bpfrb_create(RING_NAME, o->ring_size, BPFRB_TYPE_KERNEL, NULL);
		if (b->fd < 0)
			return b->fd;
	}
	if (o->mode == MODE_SAMPLED)
		wake = 500UL * (o->size + 8);
	snprintf(params, sizeof(params),
		 "ring=%s mode=%s batch=%u size=%u wakeup_bytes=%lu trigger_pid=%ld %s",
		 RING_NAME, b->kmode, o->batch, o->size, wake, ctx->trigger_pid,
		 b->kextra);
	err = load_module(o->module, params);
	if (err)
		return err;
	b->loaded = true;
	return 0;
}

static int lib_sample(void *ctx, void *data, size_t size)
{
	bench_record(ctx, data, size);
	return 0;
}

struct lib_consumer {
	struct consumer c;
	struct bpfrb_ring_buffer *rb;
};

static long lib_poll(struct consumer *c, int timeout_ms)
{
	struct bpfrb_ring_buffer *rb = ((struct lib_consumer *)c)->rb;

	return timeout_ms ? bpfrb_ring_buffer__poll(rb, timeout_ms) :
			    bpfrb_ring_buffer__consume(rb);
}

static void lib_free(struct consumer *c)
{
	free(c);
}

static struct consumer *rbx_consumer(struct peer *p, struct bench_ctx *ctx,
				     const char *kind)
{
	struct bpfrb_peer *b = (struct bpfrb_peer *)p;
	struct lib_consumer *l;

	if (b->fd < 0)
		return NULL;
	if (!strcmp(kind, "lib")) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return NULL;
		b->lib = bpfrb_ring_buffer__new(b->fd, lib_sample, ctx, NULL);
		if (!b->lib) {
			free(l);
			return NULL;
		}
		l->c.name = "lib";
		l->c.poll = lib_poll;
		l->c.free = lib_free;
		l->rb = b->lib;
		return &l->c;
	}
	if (!b->mapped) {
		if (mmap_ring_open(&b->mr, b->fd, ctx->o->ring_size))
			return NULL;
		b->mapped = true;
	}
	if (!strcmp(kind, "batch"))
		return batch_consumer_new(&b->mr, ctx);
	if (!strcmp(kind, "uring"))
		return uring_consumer_new(&b->mr, ctx);
	return NULL;
}

static uint64_t rbx_drops(struct peer *p)
{
	struct bpfrb_peer *b = (struct bpfrb_peer *)p;
	struct bpfrb_info info;

	if (b->fd < 0 || bpfrb_info(b->fd, &info))
		return 0;
	return info.drops;
}

static void rbx_teardown(struct peer *p)
{
	struct bpfrb_peer *b = (struct bpfrb_peer *)p;

	/* The probe goes first: nothing produces into what is freed next. */
	if (b->loaded && syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK))
		perror("rbbench: delete_module " MODULE_NAME);
	bpfrb_ring_buffer__free(b->lib);
	if (b->mapped)
		mmap_ring_close(&b->mr);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

struct peer *peer_bpfrb(const char *name)
{
	/* peer, module mode, more parameters; the ring peers first */
	static const char * const modes[][3] = {
		{ "bpfrb-reserve", "reserve", "" },
		{ "bpfrb-output", "output", "" },
		/* Cost breakdown: the same without the self-pacing check. */
		{ "bpfrb-reserve-nowake", "reserve", "submit_flags=1" },
		{ "floor", "floor", "" },
		{ "memcpy", "memcpy", "" },
		{ "probe-only", "none", "" },
	};
	struct bpfrb_peer *b;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(name, modes[i][0]))
			break;
	if (i == sizeof(modes) / sizeof(modes[0]))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->p.name = name;
	b->p.setup = rbx_setup;
	b->p.consumer = rbx_consumer;
	b->p.drops = rbx_drops;
	b->p.teardown = rbx_teardown;
	b->kmode = modes[i][1];
	b->kextra = modes[i][2];
	/* -2: make a ring in setup; -1: this peer has none. */
	b->fd = i < 3 ? -2 : -1;
	return &b->p;
}
