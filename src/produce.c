// SPDX-License-Identifier: GPL-2.0
/*
 * Producing into kernel rings: where a record is reserved, committed or
 * discarded. Callable in any context, NMI included.
 *
 * Positions: producer_pos is how far producers have reserved; pending_pos
 * (kernel-private) trails it at the oldest record that may still be busy;
 * consumer_pos belongs to user space and is never trusted. A reservation
 * [prod, prod + len) is granted only if
 *
 *   new_prod - consumer_pos <= size   the consumer has room for it, and
 *   new_prod - pending_pos  <= size   it cannot overlap a busy record,
 *
 * so whatever user space writes into consumer_pos, a sample is never
 * handed out twice and never overlaps one that is not yet committed.
 *
 * Both are checked first as producers last left them (consumer_pos_seen
 * and pending_pos, on the lock's line); only when that says no, or when
 * pending_pos trails producer_pos by more than BPFRB_PENDING_WALK_MAX, is
 * consumer_pos read again and pending_pos advanced. A consumer moves
 * consumer_pos forward only, so an older value is a smaller one and the
 * check with it only stricter. What that saves: a consumer that publishes
 * consumer_pos after every record (libbpf's does) keeps that line in its
 * own cache instead of handing it to the producers and back for every
 * record. What it changes, for a consumer that writes nonsense only:
 * producers see the new value when the room they last saw runs out, not
 * at once (the BPF ring buffer reads consumer_pos for every record).
 *
 * Unlike the BPF ring buffer (which keeps one byte free), the limit is
 * "<= size": a record of total length size fits an empty ring (SPEC §1).
 * Positions are free-running, so a full ring (prod - cons == size) and an
 * empty one (prod == cons) are never confused.
 */
#define pr_fmt(fmt) "bpfrb: " fmt

#include <linux/hardirq.h>
#include <linux/instrumented.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include "bpfrb_internal.h"
#include "compat.h"
#include "notify.h"

/* Record header, byte-identical to the BPF ring buffer's. */
struct bpfrb_hdr {
	u32 len;	/* payload length | BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT */
	u32 pg_off;	/* pages from the start of struct bpfrb to this header */
};

static_assert(sizeof(struct bpfrb_hdr) == BPFRB_HDR_SZ);

/*
 * A header as one 8-byte word (headers are 8-byte aligned): written with
 * one store when a record is reserved and read with one load when it is
 * committed, instead of two of each, whatever the byte order.
 */
union bpfrb_hdr_word {
	struct bpfrb_hdr hdr;
	u64 word;
};

static __always_inline void bpfrb_write_hdr(struct bpfrb_hdr *hdr,
					    struct bpfrb_hdr val)
{
	union bpfrb_hdr_word w = { .hdr = val };

	WRITE_ONCE(*(u64 *)hdr, w.word);
}

static __always_inline struct bpfrb_hdr bpfrb_read_hdr(struct bpfrb_hdr *hdr)
{
	union bpfrb_hdr_word w = { .word = READ_ONCE(*(u64 *)hdr) };

	return w.hdr;
}

static u64 bpfrb_rec_len(u32 len)
{
	return round_up((u64)(len & ~(BPFRB_BUSY_BIT | BPFRB_DISCARD_BIT)) +
			BPFRB_HDR_SZ, 8);
}

/*
 * Moves pending_pos past every record that is committed or discarded,
 * stopping at the first busy one. Headers of kernel rings are read-only
 * to user space, so their lengths can be trusted. Called under rb->lock.
 */
static void bpfrb_advance_pending(struct bpfrb *rb, unsigned long prod_pos)
{
	unsigned long pend_pos = rb->pending_pos;

	while (pend_pos != prod_pos) {
		struct bpfrb_hdr *hdr = (void *)rb->data + (pend_pos & rb->mask);
		/* Pairs with the store of len in bpfrb_commit(). */
		u32 len = smp_load_acquire(&hdr->len);

		if (len & BPFRB_BUSY_BIT)
			break;
		pend_pos += bpfrb_rec_len(len);
	}
	rb->pending_pos = pend_pos;
}

static void bpfrb_count_drop(struct bpfrb *rb)
{
	this_cpu_inc(rb->stats->drops);
}

/*
 * size <= ring size - header  <=>  round_up(size + 8, 8) <= ring size.
 * Always true for a user ring (sample_limit is 0).
 */
static __always_inline bool bpfrb_too_big(struct bpfrb *rb, u64 size)
{
	return size >= rb->sample_limit;
}

/*
 * Whether a reservation ending at new_prod_pos fits, with consumer_pos and
 * pending_pos as producers last saw them. Called under rb->lock.
 */
static __always_inline bool bpfrb_fits(struct bpfrb *rb,
				       unsigned long new_prod_pos)
{
	u64 size = bpfrb_size(rb);

	return new_prod_pos - rb->consumer_pos_seen <= size &&
	       new_prod_pos - rb->pending_pos <= size;
}

/*
 * How far pending_pos may trail producer_pos before a reservation
 * advances it, in bytes: advancing reads the header of every record in
 * between with interrupts off and other CPUs' producers waiting for the
 * lock, so that work is done in pieces of at most 2048 headers (16 KiB
 * of the smallest records, 256 cache lines), not a ring's worth at once
 * (a 256 MiB ring holds 16 M records). The BPF ring buffer advances its
 * pending_pos at every reservation; the headers read are the same ones,
 * read in runs instead of one or two at a time.
 */
#define BPFRB_PENDING_WALK_MAX	(16 * 1024)

/*
 * bpfrb_fits() with pending_pos close enough behind producer_pos: what
 * lets a reservation skip looking at consumer_pos and the headers.
 */
static __always_inline bool bpfrb_fits_as_seen(struct bpfrb *rb,
					       unsigned long prod_pos,
					       unsigned long new_prod_pos)
{
	return bpfrb_fits(rb, new_prod_pos) &&
	       prod_pos - rb->pending_pos <= BPFRB_PENDING_WALK_MAX;
}

/*
 * Whether [prod, new_prod) may be handed out. Called under rb->lock.
 *
 * First as producers last saw the positions (see the top of this file);
 * when that says no, consumer_pos is read again and pending_pos advanced,
 * which reads the header of every record committed since: while the ring
 * has room, a reservation reads the consumer's line and the headers once
 * every BPFRB_PENDING_WALK_MAX bytes. A record still busy stops the walk:
 * while it is, each reservation reads its header again, and the walk
 * after its commit covers whatever was reserved meanwhile, up to a ring,
 * as the BPF ring buffer's does.
 */
static bool bpfrb_has_room(struct bpfrb *rb, unsigned long prod_pos,
			   unsigned long new_prod_pos)
{
	if (bpfrb_fits_as_seen(rb, prod_pos, new_prod_pos))
		return true;
	/* Pairs with the consumer's smp_store_release() of consumer_pos. */
	rb->consumer_pos_seen = smp_load_acquire(&rb->consumer_pos);
	bpfrb_advance_pending(rb, prod_pos);
	return bpfrb_fits(rb, new_prod_pos);
}

/*
 * Rounds of trylock a nested producer makes before it gives up: far longer
 * than any holder on another CPU keeps the lock, short enough that a
 * handler running inside this CPU's own critical section returns soon.
 */
#define BPFRB_NESTED_LOCK_TRIES	65536

/* How long a producer may wait for rb->lock, by what it knows of its context. */
enum bpfrb_wait {
	/* The exported API: waits, except in NMI. */
	BPFRB_WAIT_BY_CONTEXT,
	/*
	 * Waits whatever in_nmi() says: a probe handler whose probed code ran
	 * with interrupts on, which is therefore neither inside this CPU's
	 * critical section nor in a real NMI. The kernel runs a hit through
	 * an int3 breakpoint in kernel code as if in NMI (exc_int3() enters
	 * with irqentry_nmi_enter()), which by the context alone would get
	 * one try.
	 */
	BPFRB_WAIT_ALWAYS,
	/*
	 * Bounded tries: a probe handler whose probed code ran with
	 * interrupts off, which may be inside this CPU's critical section.
	 */
	BPFRB_WAIT_BOUNDED,
};

/*
 * Attempts a producer that may wait makes before it queues for rb->lock:
 * the first at once, each later one after twice as many pauses as the one
 * before (4, 8, ... 128; 252 in all).
 */
#define BPFRB_BACKOFF_TRIES	7

/*
 * Takes rb->lock for a producer that may wait, backing off before it
 * queues. Records come fastest when one CPU takes the lock several times
 * in a row: its lines (the lock's, the producer page's, the headers')
 * stay in its cache. A waiter that tries again at once takes the lock
 * at the holder's first release, so that two producers alternate record
 * by record and every record moves every line between them
 * (docs/BENCHMARKS.md, change 14, counted 1.1 to 2.5 records per turn
 * at the lock). Between attempts the waiter leaves the lock's line
 * alone, with interrupts as its caller had them, and the holder goes on
 * from its own cache. Bounded: seven reads of the line and 252 pauses
 * (up to about ten microseconds on hardware), then the fair queue of
 * arch_spin_lock(). Each attempt acquires as any lock does: it pairs with
 * the release in arch_spin_unlock().
 */
static void bpfrb_lock_backoff(struct bpfrb *rb, unsigned long *flags)
{
	unsigned int attempt, pauses;

	for (attempt = 0; attempt < BPFRB_BACKOFF_TRIES; attempt++) {
		for (pauses = attempt ? 2u << attempt : 0; pauses; pauses--)
			cpu_relax();
		local_irq_save(*flags);
		if (arch_spin_trylock(&rb->lock))
			return;
		local_irq_restore(*flags);
	}
	local_irq_save(*flags);
	arch_spin_lock(&rb->lock);
}

/*
 * Takes rb->lock with interrupts disabled; false (a drop) when it must not
 * wait for it:
 *  - in NMI, which may have interrupted a holder of the lock on this CPU,
 *    one try here (after the fast path's), unless the producer knows it
 *    interrupted no holder (BPFRB_WAIT_ALWAYS);
 *  - for a nested producer (BPFRB_WAIT_BOUNDED: a probe handler whose
 *    probed code ran with interrupts off, which may be called from inside
 *    this CPU's critical section, by a sanitizer hook on a debug kernel),
 *    a bounded number of tries.
 *
 * rb->lock is an arch_spinlock_t, as the kernel's own trace ring buffer
 * uses for its per-CPU reader lock: with interrupts off it needs no
 * preemption count, its fast path is one inline compare-and-exchange
 * instead of a call, and no lockdep or spinlock-debugging hook runs inside
 * the critical section, where a probe on it would hit a held lock. What
 * that costs is lockdep's view of a leaf lock held for a few dozen
 * instructions, with no other lock taken inside.
 */
static bool bpfrb_lock(struct bpfrb *rb, unsigned long *flags,
		       enum bpfrb_wait wait)
{
	unsigned int tries;

	if (likely(wait == BPFRB_WAIT_ALWAYS ||
		   (wait == BPFRB_WAIT_BY_CONTEXT && !in_nmi()))) {
		bpfrb_lock_backoff(rb, flags);
		return true;
	}
	local_irq_save(*flags);
	for (tries = in_nmi() ? 1 : BPFRB_NESTED_LOCK_TRIES; tries; tries--) {
		if (arch_spin_trylock(&rb->lock))
			return true;
		cpu_relax();
	}
	local_irq_restore(*flags);
	return false;
}

/*
 * On a uniprocessor kernel arch_spin_trylock() always succeeds: nothing
 * would keep an NMI or a nested probe handler from claiming the space the
 * producer it interrupted is claiming.
 */
#ifndef CONFIG_SMP
#error "bpfrb needs CONFIG_SMP: see the comment above this check"
#endif

/*
 * One attempt at rb->lock: a single compare-and-exchange from unlocked to
 * locked, the instruction queued_spin_lock()'s fast path issues.
 * arch_spin_trylock() reads the lock first and skips the exchange if it
 * is held, which suits a caller that tries again and again; for one try,
 * when another CPU wrote the line last, the read fetches it shared and
 * the exchange then has to take it exclusive, two transfers where the
 * exchange alone makes one. Acquire, as any lock: pairs with the release
 * in arch_spin_unlock().
 *
 * Only where arch_spin_lock() is the generic queued spinlock whose
 * locked value this writes: x86 and arm64. riscv may pick a ticket lock
 * at boot under CONFIG_QUEUED_SPINLOCKS, and powerpc's queued lock keeps
 * its owner in the word; they take arch_spin_trylock().
 */
static __always_inline bool bpfrb_trylock_once(arch_spinlock_t *lock)
{
#if defined(CONFIG_QUEUED_SPINLOCKS) && \
	(defined(CONFIG_X86) || defined(CONFIG_ARM64))
	int unlocked = 0;

	return atomic_try_cmpxchg_acquire(&lock->val, &unlocked,
					  _Q_LOCKED_VAL);
#else
	return arch_spin_trylock(lock);
#endif
}

static __always_inline void bpfrb_unlock(struct bpfrb *rb, unsigned long flags)
{
	arch_spin_unlock(&rb->lock);
	local_irq_restore(flags);
}

/*
 * Writes the busy header of the record at prod_pos and publishes
 * new_prod_pos. Called under rb->lock, once the room is checked.
 */
static __always_inline void *bpfrb_claim(struct bpfrb *rb, u64 size,
					 unsigned long prod_pos,
					 unsigned long new_prod_pos)
{
	struct bpfrb_hdr *hdr = (void *)rb->data + (prod_pos & rb->mask);

	bpfrb_write_hdr(hdr, (struct bpfrb_hdr){
		.len = (u32)size | BPFRB_BUSY_BIT,
		.pg_off = ((unsigned long)hdr - (unsigned long)rb) >> PAGE_SHIFT,
	});

	/*
	 * The busy header is visible before the new producer_pos. Pairs with
	 * the consumer's smp_load_acquire() of producer_pos.
	 */
	smp_store_release(&rb->producer_pos, new_prod_pos);
	rb->reserved_pos = new_prod_pos;
	return hdr + 1;
}

/*
 * Every reservation the fast path below does not grant: the lock was busy
 * (so wait for it, or not, by bpfrb_lock()'s rules), the positions must
 * be looked at again, there is no room, or the record is too big. Starts
 * over from scratch. Returns the sample, or NULL: a drop, counted here.
 */
static noinline void *bpfrb_reserve_slow(struct bpfrb *rb, u64 size,
					 enum bpfrb_wait wait)
{
	unsigned long prod_pos, new_prod_pos, flags;
	void *sample;

	if (rb->type != BPFRB_TYPE_KERNEL)
		return NULL;	/* not a drop: no kernel code may produce here */
	if (bpfrb_too_big(rb, size))
		goto drop;
	if (!bpfrb_lock(rb, &flags, wait))
		goto drop;
	prod_pos = rb->reserved_pos;
	new_prod_pos = prod_pos + round_up(size + BPFRB_HDR_SZ, 8);
	if (!bpfrb_has_room(rb, prod_pos, new_prod_pos)) {
		bpfrb_unlock(rb, flags);
		goto drop;
	}
	sample = bpfrb_claim(rb, size, prod_pos, new_prod_pos);
	bpfrb_unlock(rb, flags);
	return sample;

drop:
	bpfrb_count_drop(rb);
	return NULL;
}

/*
 * Returns the sample, or NULL: a drop.
 *
 * The fast path, inlined into each caller: the lock is free at the first
 * try and the ring has room as producers last saw it (and pending_pos is
 * not too far behind to go on trusting that). It calls
 * nothing, so a producer pays for two calls into this module per record
 * (reserve, submit) and no saved registers; whatever else happens is
 * bpfrb_reserve_slow()'s, entered with the lock released. A single
 * attempt at the lock is allowed in every context, NMI and nested
 * producers included. Failure is NULL rather than an error pointer so
 * that a granted sample goes back to the caller unchecked.
 */
static __always_inline void *__bpfrb_reserve(struct bpfrb *rb, u64 size,
					     enum bpfrb_wait wait)
{
	unsigned long prod_pos, new_prod_pos, flags;
	void *sample;

	if (unlikely(bpfrb_too_big(rb, size)))
		goto slow;
	local_irq_save(flags);
	if (unlikely(!bpfrb_trylock_once(&rb->lock)))
		goto slow_irqs;

	prod_pos = rb->reserved_pos;
	new_prod_pos = prod_pos + round_up(size + BPFRB_HDR_SZ, 8);
	if (unlikely(!bpfrb_fits_as_seen(rb, prod_pos, new_prod_pos)))
		goto slow_unlock;

	sample = bpfrb_claim(rb, size, prod_pos, new_prod_pos);
	bpfrb_unlock(rb, flags);
	return sample;

slow_unlock:
	arch_spin_unlock(&rb->lock);
slow_irqs:
	local_irq_restore(flags);
slow:
	return bpfrb_reserve_slow(rb, size, wait);
}

void *bpfrb_reserve(struct bpfrb *rb, u64 size, u64 flags)
{
	if (unlikely(flags))
		return NULL;
	/* A user ring is refused too, by the fast path's size check. */
	return __bpfrb_reserve(rb, size, BPFRB_WAIT_BY_CONTEXT);
}
EXPORT_SYMBOL_BPFRB(bpfrb_reserve);

void *bpfrb_reserve_probed(struct bpfrb *rb, u64 size, bool probed_irqs_on)
{
	return __bpfrb_reserve(rb, size, probed_irqs_on ? BPFRB_WAIT_ALWAYS :
							  BPFRB_WAIT_BOUNDED);
}

/* The ring is found from the header alone (see ring.c). */
static struct bpfrb *bpfrb_from_hdr(struct bpfrb_hdr *hdr, u32 pg_off)
{
	unsigned long page = (unsigned long)hdr & PAGE_MASK;

	return (struct bpfrb *)(page - ((unsigned long)pg_off << PAGE_SHIFT));
}

/*
 * What a commit subtracts from a busy header's len: the busy bit, less
 * the discard bit for a discard (which sets it: it is clear until then).
 */
static __always_inline u32 bpfrb_commit_len_delta(bool discard)
{
	return discard ? BPFRB_BUSY_BIT - BPFRB_DISCARD_BIT : BPFRB_BUSY_BIT;
}

/*
 * Clears the busy bit of a committed header (and sets the discard bit) in
 * one read-modify-write of its word, and returns the header as it was:
 * the ring is found from its pg_off, which must be read before the
 * commit (once committed, the record may be consumed and its space
 * reserved again). Reading the header and then exchanging len would move
 * its line twice whenever another CPU wrote a record next to it since
 * (shared, then exclusive). len has the busy bit set, so subtracting it
 * (and adding the discard bit, which is clear) never borrows from pg_off.
 * A fully ordered atomic, as bpfrb_commit() needs.
 */
static __always_inline struct bpfrb_hdr
bpfrb_clear_busy(struct bpfrb_hdr *hdr, bool discard)
{
	union bpfrb_hdr_word delta = {
		.hdr.len = bpfrb_commit_len_delta(discard),
	};
	union bpfrb_hdr_word old;

#ifndef CONFIG_GENERIC_ATOMIC64
	old.word = atomic64_fetch_sub(delta.word, (atomic64_t *)hdr);
#else
	/* atomic64_t is a hashed spinlock here: not for NMI. */
	old.hdr = bpfrb_read_hdr(hdr);
	xchg(&hdr->len, old.hdr.len - delta.hdr.len);
#endif
	return old.hdr;
}

static __always_inline void bpfrb_commit(void *sample, u64 flags, bool discard)
{
	struct bpfrb_hdr *hdr = sample - BPFRB_HDR_SZ;
	struct bpfrb_hdr busy;
	struct bpfrb *rb;

	/*
	 * The payload is visible before the cleared busy bit: pairs with the
	 * consumer's smp_load_acquire() of the header's len and with
	 * bpfrb_advance_pending(). A commit that may wake the consumer then
	 * reads the wait queue, consumer_pos and wakeup_unseen, and those
	 * reads must not pass this store (notify.c): a fully ordered atomic.
	 * A NO_WAKEUP commit reads nothing after it, so a release store is
	 * enough and saves the locked instruction for every record a
	 * sampling producer writes.
	 */
	if (bpfrb_commit_wakes_never(flags)) {
		/* Only this producer writes the header until the commit. */
		busy = bpfrb_read_hdr(hdr);
		/* The payload before the cleared busy bit. */
		smp_store_release(&hdr->len,
				  busy.len - bpfrb_commit_len_delta(discard));
	} else {
		/* The same, and the wakeup decision's reads after it. */
		busy = bpfrb_clear_busy(hdr, discard);
	}
	rb = bpfrb_from_hdr(hdr, busy.pg_off);

	if (discard)
		this_cpu_inc(rb->stats->discards);
	else
		this_cpu_inc(rb->stats->records);

	bpfrb_notify_commit(rb, (unsigned long)hdr - (unsigned long)rb->data,
			    flags);
}

void bpfrb_submit(void *sample, u64 flags)
{
	bpfrb_commit(sample, flags, false);
}
EXPORT_SYMBOL_BPFRB(bpfrb_submit);

void bpfrb_discard(void *sample, u64 flags)
{
	bpfrb_commit(sample, flags, true);
}
EXPORT_SYMBOL_BPFRB(bpfrb_discard);

/*
 * Records longer than 64 bytes, or not in whole words: whole words with
 * one rep movsq, then the last 0-7 bytes. The kernel's memcpy() of such
 * sizes is a rep movsb on CPUs with ERMS; on hardware the two run at the
 * same fast-string speed for records this long, but an emulator such as
 * QEMU's TCG executes string instructions one element per step, so
 * moving words takes an eighth of the steps (docs/BENCHMARKS.md, change
 * 6). The asm is invisible to KASAN and KCSAN, so the two ranges are
 * reported to them first, as memcpy() would.
 */
static void bpfrb_copy_long(void *dst, const void *src, u64 size)
{
#ifdef CONFIG_X86_64
	unsigned long words = size >> 3;

	instrument_read(src, size);
	instrument_write(dst, size);
	asm volatile("rep movsq"
		     : "+D" (dst), "+S" (src), "+c" (words)
		     : : "memory");
	size &= 7;
#endif
	memcpy(dst, src, size);
}

/*
 * Records of up to 64 bytes in whole words are copied a word at a time,
 * inline: memcpy() of a size unknown at build time is a call, and on CPUs
 * with fast short rep movs a rep movsb whose start-up dominates such a copy
 * (under an emulator, the call and its return cost more than the copy).
 * The destination is 8-byte aligned, as every record is; the source need
 * not be, which a constant 8-byte memcpy() (one move) does not mind.
 */
static __always_inline void bpfrb_copy(void *dst, const void *src, u64 size)
{
	u64 *word = dst;

	if (size > 64 || (size & 7)) {
		bpfrb_copy_long(dst, src, size);
		return;
	}
	for (; size; size -= sizeof(*word), src += sizeof(*word), word++)
		memcpy(word, src, sizeof(*word));
}

int bpfrb_output(struct bpfrb *rb, const void *data, u64 size, u64 flags)
{
	void *sample;

	if (flags & ~(BPFRB_NO_WAKEUP | BPFRB_FORCE_WAKEUP))
		return -EINVAL;
	/*
	 * Told apart here, so that a failed reservation below is -EAGAIN
	 * without the ring kept at hand to ask why. A user ring is "too
	 * big" for every size (sample_limit), so it costs the fast path
	 * no check of its own.
	 */
	if (unlikely(bpfrb_too_big(rb, size))) {
		if (rb->type != BPFRB_TYPE_KERNEL)
			return -EINVAL;
		bpfrb_count_drop(rb);
		return -E2BIG;
	}
	sample = __bpfrb_reserve(rb, size, BPFRB_WAIT_BY_CONTEXT);
	if (unlikely(!sample))
		return -EAGAIN;	/* no room, or the lock was busy in NMI */
	bpfrb_copy(sample, data, size);
	bpfrb_commit(sample, flags, false);
	return 0;
}
EXPORT_SYMBOL_BPFRB(bpfrb_output);

/* Lock-free sum: each counter is read once, totals may be a little stale. */
static void bpfrb_sum_stats(struct bpfrb *rb, struct bpfrb_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct bpfrb_stats *s = per_cpu_ptr(rb->stats, cpu);

		sum->records += READ_ONCE(s->records);
		sum->discards += READ_ONCE(s->discards);
		sum->drops += READ_ONCE(s->drops);
	}
}

/*
 * Out of line, so that bpfrb_query() keeps no stack frame (no stack
 * protector, no zeroed struct): a sampling producer queries AVAIL_DATA
 * once per record.
 */
static noinline u64 bpfrb_total_drops(struct bpfrb *rb)
{
	struct bpfrb_stats sum;

	bpfrb_sum_stats(rb, &sum);
	return sum.drops;
}

u64 bpfrb_query(struct bpfrb *rb, u64 what)
{
	unsigned long cons_pos, prod_pos;

	/* Pairs with the consumer's smp_store_release() of consumer_pos. */
	cons_pos = smp_load_acquire(&rb->consumer_pos);
	/* Pairs with smp_store_release() of producer_pos in __bpfrb_reserve(). */
	prod_pos = smp_load_acquire(&rb->producer_pos);

	switch (what) {
	case BPFRB_AVAIL_DATA:
		return prod_pos - cons_pos;
	case BPFRB_RING_SIZE:
		return bpfrb_size(rb);
	case BPFRB_CONS_POS:
		return cons_pos;
	case BPFRB_PROD_POS:
		return prod_pos;
	case BPFRB_DROPS:
		return bpfrb_total_drops(rb);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_BPFRB(bpfrb_query);

void bpfrb_fill_info(struct bpfrb *rb, struct bpfrb_info *info)
{
	struct bpfrb_stats sum;

	bpfrb_sum_stats(rb, &sum);
	memset(info, 0, sizeof(*info));
	info->id = rb->id;
	info->type = rb->type;
	info->size = bpfrb_size(rb);
	info->flags = rb->flags;
	info->page_size = PAGE_SIZE;
	info->consumer_pos = bpfrb_query(rb, BPFRB_CONS_POS);
	info->producer_pos = bpfrb_query(rb, BPFRB_PROD_POS);
	info->records = sum.records;
	info->discards = sum.discards;
	info->drops = sum.drops;
	strscpy(info->name, rb->name, sizeof(info->name));
}
