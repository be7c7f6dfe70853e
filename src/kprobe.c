// SPDX-License-Identifier: GPL-2.0
/*
 * Kprobe producers: a kprobe or kretprobe that writes one struct
 * bpfrb_event into a kernel ring per hit.
 *
 * A handler reserves the event (bpfrb_probe_reserve()), fills every byte
 * of it and submits it. When the ring is full the reservation fails and
 * the ring counts a drop: a probe on a hot function costs one failed
 * reservation per hit, never a wait for space.
 *
 * Deadlock hazard. bpfrb_reserve() holds the ring's spinlock with
 * interrupts off. If a probed function ran inside that critical section,
 * its handler would spin on the lock its own CPU holds. Kprobes never run
 * a handler inside another handler (the hit is counted as missed), so the
 * danger is a hit inside the critical section of a producer that is not a
 * kprobe (kernel code calling the exported API). What runs there is our
 * own inlined code and, on debug kernels, the sanitizers' checks:
 * attaching to either is refused, as is attaching to the lock functions
 * and lockdep, which ran there too while the lock was a raw_spinlock_t;
 * see bpfrb_probe_addr_allowed() and docs/DESIGN.md. Nor do handlers rely
 * on that list: one that may be inside its CPU's critical section gives up
 * on the lock after bounded tries (bpfrb_probe_reserve()).
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/hardirq.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include "bpfrb_internal.h"
#include "kprobe.h"

#define BPFRB_MAX_ARGS	6

static_assert(sizeof(struct bpfrb_event) == 96);
static_assert(ARRAY_SIZE(((struct bpfrb_event *)0)->args) == BPFRB_MAX_ARGS);

/* One attached probe; lives on its file's list. */
struct bpfrb_probe {
	struct list_head node;		/* in bpfrb_file_probes.list */
	struct bpfrb *rb;		/* the file's ring; the file holds it */
	u32 id;
	u32 nargs;
	bool is_return;
	/* Set once attaching succeeded: until then handlers write nothing. */
	bool armed;
	/* kprobes keeps a pointer to the name: it lives as long as the probe. */
	char symbol[BPFRB_SYM_LEN];
	union {
		struct kprobe kp;	/* entry probe */
		struct kretprobe krp;	/* return probe */
	};
};

void bpfrb_file_probes_init(struct bpfrb_file_probes *probes)
{
	mutex_init(&probes->lock);
	INIT_LIST_HEAD(&probes->list);
	probes->nr = 0;
}

/*
 * SPEC's ts_ns is CLOCK_MONOTONIC, ktime_get_ns()'s clock, read here with
 * its lockless reader, as bpf_ktime_get_ns() does. ktime_get_ns() waits
 * for an even timekeeping seqcount, and a probe may run inside the write
 * side on this CPU (on update_vsyscall(), called with the count odd and
 * interrupts off), where that wait would never end; so may an NMI.
 */
static u64 bpfrb_event_clock(void)
{
	return ktime_get_mono_fast_ns();
}

/*
 * Whether the probed code ran with interrupts on, as the registers the
 * handler was given say. On x86 they hold the probed code's own flags
 * however the hit arrived: the int3 exception frame, ftrace_regs_caller's
 * pushfq at the call (probes on a function's entry) and the return
 * trampoline's pushfq (kretprobes). Except in a Xen PV guest (Debian's
 * kernels can boot as one): there the kernel masks interrupts in a
 * per-CPU word the hypervisor reads, and pushfq reads the hardware flag,
 * which stays set, so a hit from an NMI inside this CPU's reservation
 * would look like one from code with interrupts on and wait for the lock
 * its own CPU holds. There, and on other architectures, where this is
 * unverified, the answer is false: the hit takes bounded tries.
 */
static bool bpfrb_probed_irqs_on(struct pt_regs *regs)
{
#ifdef CONFIG_X86
	if (cpu_feature_enabled(X86_FEATURE_XENPV))
		return false;
	return !regs_irqs_disabled(regs);
#else
	return false;
#endif
}

/*
 * The ring's critical section runs with interrupts off, so a hit whose
 * probed code had them on is not inside this CPU's own reservation: it
 * waits for the lock as any producer does. That includes a hit through an
 * int3 breakpoint (a probe inside a function, or on one ftrace does not
 * trace), which the kernel runs as if in NMI, where by the context alone
 * the ring would allow one try; a real NMI runs with interrupts off. Any
 * other hit may be inside this CPU's reservation and takes bounded tries.
 * Waiting matters where the lock is queued: a queued spinlock keeps its
 * word set while producers on other CPUs wait in line, so tries that
 * succeed only on a clear word can run out while exported-API producers
 * keep the ring busy, and the event would be dropped although the ring
 * has room.
 */
static struct bpfrb_event *bpfrb_probe_reserve(struct bpfrb *rb,
					       struct pt_regs *regs)
{
	return bpfrb_reserve_probed(rb, sizeof(struct bpfrb_event),
				    bpfrb_probed_irqs_on(regs));
}

/*
 * Runs in the probe's context: atomic, possibly hard IRQ or NMI. Every
 * byte of the record is written, so no stale ring data reaches user space.
 */
static void bpfrb_probe_emit(struct bpfrb_probe *p, unsigned long ip,
			     struct pt_regs *regs)
{
	struct bpfrb_event *ev;
	u32 i;

	/* Pairs with smp_store_release() in bpfrb_probe_arm(). */
	if (!smp_load_acquire(&p->armed))
		return;
	ev = bpfrb_probe_reserve(p->rb, regs);
	if (!ev)
		return;		/* the ring counted the drop */

	/* Right after the reservation: as close to ring order as it gets. */
	ev->ts_ns = bpfrb_event_clock();
	ev->ip = ip;
	if (p->is_return) {
		ev->args[0] = regs_return_value(regs);
		i = 1;
	} else {
		for (i = 0; i < p->nargs; i++)
			ev->args[i] = regs_get_kernel_argument(regs, i);
	}
	for (; i < BPFRB_MAX_ARGS; i++)
		ev->args[i] = 0;
	ev->probe_id = p->id;
	ev->cpu = smp_processor_id();
	ev->pid = task_pid_nr(current);
	ev->tgid = task_tgid_nr(current);
	/*
	 * No task_lock() in atomic context: a concurrent rename may be seen
	 * half done, as with bpf_get_current_comm(). _pad zeroes the tail.
	 */
	strscpy_pad(ev->comm, current->comm, sizeof(ev->comm));
	bpfrb_submit(ev, 0);
}

static int bpfrb_kprobe_hit(struct kprobe *kp, struct pt_regs *regs)
{
	struct bpfrb_probe *p = container_of(kp, struct bpfrb_probe, kp);

	bpfrb_probe_emit(p, (unsigned long)kp->addr, regs);
	return 0;
}

static int bpfrb_kretprobe_hit(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct bpfrb_probe *p;

	/*
	 * Defensive only: with rethook (x86 6.1, 6.12) this is never NULL;
	 * unregister_kretprobe() clears the rethook's handler and waits a
	 * grace period, so no handler runs after it returns.
	 */
	if (!krp)
		return 0;
	p = container_of(krp, struct bpfrb_probe, krp);
	bpfrb_probe_emit(p, (unsigned long)krp->kp.addr, regs);
	return 0;
}

/*
 * Symbols that run, or ran, inside the ring lock's critical section on
 * some kernel: the sanitizers' checks, which instrument our code; lockdep's
 * release hooks and spinlock debugging, which ran there while the lock was
 * a raw_spinlock_t and which a producer's own critical section could still
 * reach on a kernel we have not seen. Matched as prefixes of the symbol
 * name, also when the request names the module ("module:sym").
 */
static const char * const bpfrb_probe_denied_prefixes[] = {
	"lock_acquire",
	"lock_release",
	"lock_acquired",
	"lock_contended",
	"lockdep_",
	"do_raw_spin_",
	"__asan_",
	"__kasan_",
	"kasan_",
	"__kcsan_",
	"__ubsan_",
	"__sanitizer_",
	"__tsan_",
	"trace_hardirqs_",
	"irq_work_",
	"__msan_",
	"kmsan_",
};

/* sym is "sym" or "module:sym": the prefixes apply to the name part. */
static bool bpfrb_probe_sym_allowed(const char *sym)
{
	const char *colon = strchr(sym, ':');
	size_t i;

	if (colon)
		sym = colon + 1;
	for (i = 0; i < ARRAY_SIZE(bpfrb_probe_denied_prefixes); i++) {
		const char *prefix = bpfrb_probe_denied_prefixes[i];

		if (!strncmp(sym, prefix, strlen(prefix)))
			return false;
	}
	return true;
}

/*
 * Whether the name of the function containing addr is sym ("sym" or
 * "module:sym" as kprobes accepts it): an offset must stay inside the
 * symbol it is relative to, kprobes only checks instruction boundaries.
 */
static bool bpfrb_probe_addr_in_sym(unsigned long addr, const char *sym)
{
	const char *colon = strchr(sym, ':');
	bool same;
	size_t len;
	char *name;

	/* Too big for the stack; process context. */
	name = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!name)
		return false;
	if (colon)
		sym = colon + 1;
	/* "name" or "name [module]". */
	sprint_symbol_no_offset(name, addr);
	len = strcspn(name, " ");
	same = len == strlen(sym) && !strncmp(name, sym, len);
	kfree(name);
	return same;
}

/* The resolved address: in the symbol, not our own code, not a lock function. */
static bool bpfrb_probe_addr_allowed(unsigned long addr, const char *sym)
{
	return bpfrb_probe_addr_in_sym(addr, sym) &&
	       !within_module(addr, THIS_MODULE) && !in_lock_functions(addr);
}

/* EINVAL for anything SPEC or docs/DESIGN.md does not allow. */
static int bpfrb_kprobe_check(const struct bpfrb_kprobe *req)
{
	size_t len = strnlen(req->symbol, BPFRB_SYM_LEN);

	/* id is out only: what it held is ignored, as CREATE's is. */
	if (req->reserved[0] || req->reserved[1])
		return -EINVAL;
	if (req->flags & ~BPFRB_KPROBE_RETURN)
		return -EINVAL;
	if (len == 0 || len == BPFRB_SYM_LEN)
		return -EINVAL;
	if (req->nargs > BPFRB_MAX_ARGS)
		return -EINVAL;
	/* struct kprobe's offset is an unsigned int: never cut it short. */
	if (req->offset > UINT_MAX)
		return -EINVAL;
	if (req->flags & BPFRB_KPROBE_RETURN) {
		/* A return probe sits on the function's entry. */
		if (req->offset || req->nargs)
			return -EINVAL;
		if (req->maxactive > BPFRB_MAX_KRETPROBE_ACTIVE)
			return -E2BIG;
	} else if (req->maxactive) {
		return -EINVAL;
	}
	return 0;
}

/* Ids unique within the ring, never 0 (free-running, 2^32 - 1 before reuse). */
static u32 bpfrb_probe_new_id(struct bpfrb *rb)
{
	u32 id;

	do {
		id = (u32)atomic_inc_return(&rb->next_probe_id);
	} while (!id);
	return id;
}

/* Waits for running handlers; pending kretprobe hits are dropped. */
static void bpfrb_probe_remove(struct bpfrb_probe *p)
{
	if (p->is_return)
		unregister_kretprobe(&p->krp);
	else
		unregister_kprobe(&p->kp);
}

/*
 * Registers p and checks where it landed. The probe fires from now on,
 * but its handler returns at once until bpfrb_probe_arm(): it never
 * touches the ring at an address we refuse. It is registered enabled,
 * rather than disabled and enabled once checked, because kprobes keeps a
 * probe enabled while every kprobe is switched off (debugfs's
 * kprobes/enabled at 0) disabled when they are switched on again: it
 * would never fire. Process context; may sleep.
 */
static int bpfrb_probe_register(struct bpfrb_probe *p,
				const struct bpfrb_kprobe *req)
{
	struct kprobe *kp;
	int err;

	if (p->is_return) {
		p->krp.handler = bpfrb_kretprobe_hit;
		p->krp.maxactive = req->maxactive;
		kp = &p->krp.kp;
	} else {
		p->kp.pre_handler = bpfrb_kprobe_hit;
		kp = &p->kp;
		kp->offset = req->offset;
	}
	strscpy(p->symbol, req->symbol, sizeof(p->symbol));
	kp->symbol_name = p->symbol;

	err = p->is_return ? register_kretprobe(&p->krp) : register_kprobe(kp);
	if (err)
		return err;

	if (!bpfrb_probe_addr_allowed((unsigned long)kp->addr, p->symbol)) {
		bpfrb_probe_remove(p);
		return -EINVAL;
	}
	return 0;
}

/* Lets the handlers of a registered probe write events. */
static void bpfrb_probe_arm(struct bpfrb_probe *p)
{
	/* What the handlers read of p is set: pairs with bpfrb_probe_emit(). */
	smp_store_release(&p->armed, true);
}

/* A probe counted in the ring's nr_probes, attached until now. */
static void bpfrb_probe_unregister(struct bpfrb_probe *p)
{
	bpfrb_probe_remove(p);
	atomic_dec(&p->rb->nr_probes);
}

long bpfrb_kprobe_attach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg)
{
	struct bpfrb_kprobe __user *uarg = arg;
	struct bpfrb_kprobe req;
	struct bpfrb_probe *p;
	long err;

	if (!perfmon_capable())
		return -EPERM;
	/*
	 * A kernel locked down for confidentiality refuses kprobes to
	 * tracefs and perf alike: events carry raw argument registers and
	 * kernel addresses. -EPERM, with a rate-limited note in the log.
	 */
	err = security_locked_down(LOCKDOWN_KPROBES);
	if (err)
		return err;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	err = bpfrb_kprobe_check(&req);
	if (err)
		return err;
	/* Refused by name before kprobes resolves it (see the top comment). */
	if (!bpfrb_probe_sym_allowed(req.symbol))
		return -EINVAL;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->rb = rb;
	p->nargs = req.nargs;
	p->is_return = req.flags & BPFRB_KPROBE_RETURN;
	/* Set before the probe is armed: handlers read it. */
	p->id = bpfrb_probe_new_id(rb);

	mutex_lock(&probes->lock);
	if (probes->nr >= BPFRB_MAX_FILE_PROBES) {
		err = -E2BIG;
		goto err_unlock;
	}
	err = bpfrb_probe_register(p, &req);
	if (err)
		goto err_unlock;
	/*
	 * The id goes out before the probe is armed: a caller that cannot
	 * be told it finds no events of a probe it never heard of.
	 */
	if (put_user(p->id, &uarg->id)) {
		err = -EFAULT;
		goto err_remove;
	}
	bpfrb_probe_arm(p);
	atomic_inc(&rb->nr_probes);
	list_add_tail(&p->node, &probes->list);
	probes->nr++;
	mutex_unlock(&probes->lock);
	return 0;

err_remove:
	/* Not counted in nr_probes yet. */
	bpfrb_probe_remove(p);
err_unlock:
	mutex_unlock(&probes->lock);
	kfree(p);
	return err;
}

long bpfrb_kprobe_detach_ioctl(struct bpfrb *rb, struct bpfrb_file_probes *probes,
			       void __user *arg)
{
	struct bpfrb_probe *p, *found = NULL;
	u32 id;

	if (get_user(id, (u32 __user *)arg))
		return -EFAULT;

	mutex_lock(&probes->lock);
	list_for_each_entry(p, &probes->list, node) {
		if (p->id == id) {
			found = p;
			list_del(&p->node);
			probes->nr--;
			break;
		}
	}
	mutex_unlock(&probes->lock);
	/* Only the probes this file attached: others' ids are unknown here. */
	if (!found)
		return -ENOENT;

	bpfrb_probe_unregister(found);
	kfree(found);
	return 0;
}

/*
 * Unregisters every probe on the list at once: unregister_k(ret)probes()
 * wait for running handlers once for the whole array, where one probe at
 * a time waits a grace period per probe, 64 of them in close() for a
 * full file. False, and nothing done, if the arrays cannot be had.
 */
static bool bpfrb_probes_remove_all(struct list_head *list, unsigned int nr)
{
	struct kretprobe **krps;
	struct kprobe **kps;
	unsigned int nk = 0, nkr = 0;
	struct bpfrb_probe *p;

	kps = kcalloc(nr, sizeof(*kps), GFP_KERNEL);
	krps = kcalloc(nr, sizeof(*krps), GFP_KERNEL);
	if (!kps || !krps) {
		kfree(kps);
		kfree(krps);
		return false;
	}
	list_for_each_entry(p, list, node) {
		if (p->is_return)
			krps[nkr++] = &p->krp;
		else
			kps[nk++] = &p->kp;
	}
	unregister_kprobes(kps, nk);
	unregister_kretprobes(krps, nkr);
	kfree(kps);
	kfree(krps);
	return true;
}

void bpfrb_file_probes_release(struct bpfrb_file_probes *probes)
{
	struct bpfrb_probe *p, *tmp;
	bool removed;

	/* The file is going away: no ioctl can race with us. */
	removed = probes->nr && bpfrb_probes_remove_all(&probes->list, probes->nr);
	list_for_each_entry_safe(p, tmp, &probes->list, node) {
		list_del(&p->node);
		if (removed)
			atomic_dec(&p->rb->nr_probes);
		else
			bpfrb_probe_unregister(p);
		kfree(p);
	}
	probes->nr = 0;
	mutex_destroy(&probes->lock);
}
