#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark matrix, run inside the guest (busybox sh) as the job of
# scripts/guest/init; packed by scripts/bench.sh. Prints one JSON line per
# run (bench/user/rbbench.c) on the results port and nothing else there.
#
# Peers are compared only within one boot, interleaved: every round runs
# each configuration once, bpfrb next to its BPF peer, so slow phases of
# the TCG host hit both alike. BENCH_ROUNDS rounds, BENCH_SECONDS measured
# seconds (after a one-second warm-up) per run. BENCH_SETS picks parts of
# the matrix: modes (parallel, b2b, sampled), two (2 producers), two-4m
# (the same with 4 MiB rings), alone (producers without a consumer), cost,
# sizes, alt (b2b and cost with bpfrb and BPF in turns in one thread),
# two-alt (two producers, bpfrb and BPF in turns); all of them by default. And trace (the consumer's passes, traced:
# a diagnosis), two-atomic (the kernel bench's drop counting) and b2b (the
# back-to-back mode of modes alone, for quick before/after runs), only when
# asked for.

rounds=${BENCH_ROUNDS:-1}
sets=" ${BENCH_SETS:-modes two two-4m alone cost sizes alt two-alt} "
secs=${BENCH_SECONDS:-5}
ko=${BENCH_KMOD:-/bench/bpfrb_bench.ko}
B=/bench/rbbench

run() {
	# A failed run is reported, never fatal: the rest still measure.
	$B -k $ko -d "$secs" "$@" || echo "{\"error\":\"rbbench $*\"}"
}

# A bpfrb configuration and its BPF peer, next to each other and in turns:
# bpfrb first in one pair, BPF first in the next, so that a host growing
# slower or faster during a boot (docs/BENCHMARKS.md, "Placement") does
# not always favour the same one.
first=bpfrb
pair() {
	p=$1 q=$2
	shift 2
	if [ $first = bpfrb ]; then
		run -p "$p" "$@"
		run -p "$q" "$@"
		first=bpf
	else
		run -p "$q" "$@"
		run -p "$p" "$@"
		first=bpfrb
	fi
}

info() {
	printf '{"info":1,"kernel":"%s","cpus":%s,"mem_kb":%s,"date":"%s","cpu":"%s"}\n' \
		"$(uname -r)" "$(grep -c ^processor /proc/cpuinfo)" \
		"$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)" \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
}

info
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	want() { case $sets in *" $1 "*) return 0 ;; esac; return 1; }
	modes=
	if want modes; then
		modes="parallel b2b sampled"
	elif want b2b; then
		modes=b2b
	fi
	for mode in $modes; do
		for c in batch lib uring; do
			pair bpfrb-reserve bpf-rb-reserve -c $c -m $mode
		done
		pair bpfrb-output bpf-rb-output -c batch -m $mode
		[ $mode = sampled ] || run -p bpf-pb -c lib -m $mode
	done
	want two && for c in batch lib uring; do
		pair bpfrb-reserve bpf-rb-reserve -c $c -m parallel -n 2
	done
	want two && pair bpfrb-output bpf-rb-output -c batch -m parallel -n 2
	# The same with bpfrb and BPF loaded at once and taking turns every
	# quarter second (rbbench -a, bench/user/alternate_two.c): the price of
	# the lines two producers share moves within seconds, and turns that
	# short meet the same prices.
	want two-alt && for c in batch lib uring; do
		run -p bpfrb-reserve -a bpf-rb-reserve -c $c -m parallel -n 2
	done
	want two-alt && run -p bpfrb-output -a bpf-rb-output -c batch -m parallel -n 2
	# The same with 4 MiB rings, which hold what two producers write while
	# the consumer is off CPU 0 for a scheduler slice (docs/BENCHMARKS.md,
	# "Two producers"): what the 512 KiB runs lose to the ring's size.
	want two-4m && for c in batch lib uring; do
		pair bpfrb-reserve bpf-rb-reserve -c $c -m parallel -n 2 -r 4194304
	done
	# The same with the BPF program counting drops in one global counter
	# with a locked add, as the kernel's own ringbuf bench does (the
	# default BPF peer counts them per CPU, as bpfrb does): what that
	# instrumentation does to BPF's figures (docs/BENCHMARKS.md, "Two
	# producers"). Not in the default sets.
	want two-atomic && for c in batch lib uring; do
		run -p bpfrb-reserve -c $c -m parallel -n 2
		run -p bpf-rb-reserve -c $c -m parallel -n 2
		run -p bpf-rb-reserve-atomic -c $c -m parallel -n 2
	done
	# The consumer's passes (rbbench -T), two producers: how its time
	# splits between draining what the ring held, chasing the producer on
	# the other CPU and being away. Not in the default sets: a diagnosis,
	# whose clock reads slow the consumer.
	want trace && for c in lib batch uring; do
		pair bpfrb-reserve bpf-rb-reserve -c $c -m parallel -n 2 -T
	done
	# Producers alone, one and two, no consumer: what they write into a
	# ring too big to fill in the run (256 MiB, 16 M records: one second
	# each, twice, since the fastest write 11 M/s), and so what two
	# producers contending for the ring cost each other. bpfrb and BPF
	# take turns second by second: what two producers' shared lines cost
	# changes with the host's phases (docs/BENCHMARKS.md, "Two
	# producers"), and runs next to each other see the same phase more
	# often.
	want alone && for n in 1 2 1 2; do
		for p in bpfrb-reserve bpf-rb-reserve; do
			run -p $p -c none -m parallel -n $n -r 268435456 -w 0 -d 1
		done
	done
	# Producer cost per record: time inside getpgid(), drained untimed.
	want cost && for p in floor probe-only bpfrb-reserve bpfrb-reserve-nowake bpf-rb-reserve \
		 bpfrb-output bpf-rb-output; do
		c=batch
		case $p in floor|probe-only) c=none ;; esac
		run -p $p -c $c -m cost
	done
	# Back-to-back and cost again, bpfrb and BPF taking turns batch by
	# batch in one thread (rbbench -a, bench/user/alternate.c): the host's
	# drift within a boot, which runs side by side still meet apart, falls
	# on both alike.
	want alt && for c in batch lib uring; do
		run -p bpfrb-reserve -a bpf-rb-reserve -c $c -m b2b
	done
	want alt && run -p bpfrb-output -a bpf-rb-output -c batch -m b2b
	want alt && for api in reserve output; do
		run -p bpfrb-$api -a bpf-rb-$api -c batch -m cost
	done
	# Record sizes through output, against the copy alone (same trigger).
	want sizes && for s in 8 64 256 1024 4096; do
		pair bpfrb-output bpf-rb-output -c batch -m b2b -s $s -r 4194304
		run -p memcpy -c none -m b2b -s $s
	done
done
case $sets in *" sizes "*)
	for s in 8 64 256 1024 4096; do
		/bench/memcpy_bw $s 1
	done
esac
