// SPDX-License-Identifier: GPL-2.0
/*
 * bpfrb_bench: the bpfrb peer of the benchmark (bench/README in
 * docs/BENCHMARKS.md). A kprobe on the getpgid syscall produces `batch`
 * records per hit into the ring named `ring`, through the exported API.
 *
 * One configuration per load: the driver creates the ring, loads this
 * module with the configuration as parameters, measures, and unloads it.
 * Loading per configuration keeps the probe free of any run-time control
 * (no lock, no reference juggling on the hot path).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpfrb.h>
#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

#include "bench.h"

static char *ring = "";
module_param(ring, charp, 0444);
MODULE_PARM_DESC(ring, "name of the bpfrb ring to produce into");

static char *mode = "reserve";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "reserve | output | floor | memcpy | none");

static char *symbol = "__x64_sys_getpgid";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "the function whose calls trigger a batch");

static uint batch = 500;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "records per probe hit");

static uint size = 8;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "payload bytes per record, 8..4096");

static uint ts_mask = 63;
module_param(ts_mask, uint, 0444);
MODULE_PARM_DESC(ts_mask, "timestamp records with (i & ts_mask) == 0");

static ulong wakeup_bytes;
module_param(wakeup_bytes, ulong, 0444);
MODULE_PARM_DESC(wakeup_bytes, "sampled mode: wake once this much data waits; 0: self-pacing");

static ulong submit_flags;
module_param(submit_flags, ulong, 0444);
MODULE_PARM_DESC(submit_flags, "flags of every submit/output when not sampled (1: BPFRB_NO_WAKEUP)");

static long trigger_pid = -1;
module_param(trigger_pid, long, 0444);
MODULE_PARM_DESC(trigger_pid, "produce only for getpgid(trigger_pid); -1: every call");

static struct bench_cfg cfg;

/*
 * The pid getpgid() was asked about. The probed function is the syscall's
 * wrapper, whose one argument is the syscall's register frame: the pid is
 * that frame's first argument register.
 */
static long getpgid_arg(struct pt_regs *regs)
{
	return ((struct pt_regs *)regs->di)->di;
}

/*
 * trigger_pid lets one thread fire this module and the BPF peer in turns,
 * each on its own getpgid() argument (rbbench -a).
 */
static int bench_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (trigger_pid < 0 || getpgid_arg(regs) == trigger_pid)
		bench_produce(&cfg);
	return 0;
}

static struct kprobe bench_kp = {
	.pre_handler = bench_pre,
};

static int parse_mode(const char *s, enum bench_mode *m)
{
	static const char * const names[] = {
		[BENCH_NONE] = "none",
		[BENCH_RESERVE] = "reserve",
		[BENCH_OUTPUT] = "output",
		[BENCH_FLOOR] = "floor",
		[BENCH_MEMCPY] = "memcpy",
	};
	int i = match_string(names, ARRAY_SIZE(names), s);

	if (i < 0)
		return -EINVAL;
	*m = i;
	return 0;
}

static int __init bench_init(void)
{
	int err;

	err = parse_mode(mode, &cfg.mode);
	if (err || size < sizeof(u64) || size > BENCH_MAX_REC) {
		pr_err("bad mode or size\n");
		return -EINVAL;
	}
	/* getpgid_arg() reads the frame of __x64_sys_getpgid() only. */
	if (trigger_pid >= 0 && strcmp(symbol, "__x64_sys_getpgid")) {
		pr_err("trigger_pid needs symbol=__x64_sys_getpgid\n");
		return -EINVAL;
	}
	cfg.batch = batch;
	cfg.size = size;
	cfg.ts_mask = ts_mask;
	cfg.wakeup_bytes = wakeup_bytes;
	cfg.submit_flags = submit_flags;

	if (cfg.mode == BENCH_RESERVE || cfg.mode == BENCH_OUTPUT) {
		cfg.rb = bpfrb_get_by_name(ring);
		if (IS_ERR(cfg.rb)) {
			pr_err("no ring '%s'\n", ring);
			return PTR_ERR(cfg.rb);
		}
	}

	err = bench_produce_init(&cfg);
	if (err)
		goto err_put;

	bench_kp.symbol_name = symbol;
	err = register_kprobe(&bench_kp);
	if (err) {
		pr_err("kprobe on %s: %d\n", symbol, err);
		goto err_produce;
	}
	return 0;

err_produce:
	bench_produce_exit();
err_put:
	if (cfg.rb)
		bpfrb_put(cfg.rb);
	return err;
}

static void __exit bench_exit(void)
{
	/* After this, no handler runs or is still running. */
	unregister_kprobe(&bench_kp);
	bench_produce_exit();
	if (cfg.rb)
		bpfrb_put(cfg.rb);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("bpfrb benchmark producer: records from a kprobe through the exported API");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(BPFRB);
