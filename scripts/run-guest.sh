#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a QEMU guest with bpfrb loaded and run one command in it.
#
#   scripts/run-guest.sh [options] [--] <command> [<args>...]
#
#   -k <kernel>    6.1 (default), 6.12, newest, debug or an exact release
#   -t <seconds>   the whole guest's time limit (default 600)
#   -o <dir>       where initramfs.cpio.gz, console.log and results.log go
#                  (default build/guest/<release>)
#   -e VAR=VALUE   export VAR to the command in the guest (repeatable)
#   -f             follow: print the command's output while it runs
#   -q             quiet: print neither the command's output nor, when the
#                  guest dies, the console's tail (the caller reports)
#
# The command runs as a child of the guest's /init (scripts/guest/init) with
# BPFRB_KO and BPFRB_TEST_KO set and both modules loaded; it sees
# /bpfrb/tests, /bpfrb/tools and /bin/bpfrb. MODULE_DIR=<dir> takes prebuilt
# modules instead of building them for the kernel; user space is the
# caller's to build (scripts/build-userspace.sh).
#
# The exit status is the command's, or 124 if the guest never got to the end
# (time limit, panic, hang); then the tail of the kernel console is printed.
#
# The machine: GUEST_ACCEL (default tcg,thread=single), GUEST_CPU (max),
# GUEST_SMP (2), GUEST_MEM (1G), GUEST_APPEND (more kernel arguments).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.1 limit=600 outdir='' follow=0 quiet=0
envs=()
while getopts k:t:o:e:fq opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) limit=$OPTARG ;;
	o) outdir=$OPTARG ;;
	e) envs+=("$OPTARG") ;;
	f) follow=1 ;;
	q) quiet=1 ;;
	*) sed -n '4,24p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "no command given"

rel=$("$TOP/scripts/kernels.sh" "$kernel")
outdir=${outdir:-$BUILD/guest/$rel}
mkdir -p "$outdir"

moddir=${MODULE_DIR:-}
if [ -z "$moddir" ]; then
	"$TOP/scripts/build-module.sh" "$rel"
	moddir=$BUILD/$rel
fi

# The command becomes /bpfrb/job. exec, so that it is init's direct child:
# run-tests kills every other process between tests.
{
	echo '#!/bin/sh'
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$outdir/job"
: >"$outdir/env"
for kv in "${envs[@]}"; do
	printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}" >>"$outdir/env"
done

"$TOP/scripts/mkinitramfs.sh" "$outdir/initramfs.cpio.gz" "$moddir" \
	"$outdir/job" "$outdir/env"

console=$outdir/console.log
results=$outdir/results.log
: >"$console"
: >"$results"
rm -f "$outdir/qemu.pid"

# ttyS0 (the kernel console) and ttyS1 (the command's output) are separate
# files, so kernel messages never interleave with results. TCG only: KVM
# guests hang on these machines. log_buf_len: room for a chatty test's
# kernel log between two checks.
#
# Single-threaded TCG (GUEST_ACCEL to override): with QEMU 7.2's
# multi-threaded TCG, a vCPU intermittently ran stale code at a function
# the other vCPU had just patched (kprobe arm/disarm through text_poke):
# an instruction fetch at 0 or an endless int3 retry at the probed entry,
# in 8 runs of 9 of the kprobe tests on 6.12, and in none of 8 with
# thread=single, which was no slower on this 2-core host. The kernel's own
# tracefs kprobes, with no bpfrb probe attached, crash the same way under
# multi-threaded TCG (3 runs of 4), so the bug is the emulator's: a stale
# translation of patched kernel text. Two vCPUs are still emulated,
# interleaved by one host thread, so fine-grained cross-CPU races get less
# exercise here. The benchmarks keep multi-threaded TCG: they measure
# parallel producers and consumers.
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel "${GUEST_ACCEL:-tcg,thread=single}" -cpu "${GUEST_CPU:-max}" \
	-smp "${GUEST_SMP:-2}" -m "${GUEST_MEM:-1G}" \
	-nodefaults -display none -no-reboot \
	-kernel "$(kernel_image "$rel")" -initrd "$outdir/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 log_buf_len=4M ${GUEST_APPEND:-}" \
	-serial "file:$console" -serial "file:$results" \
	</dev/null >"$outdir/qemu.log" 2>&1 &
qemu=$!
# timeout(1) runs QEMU in a process group of its own, out of reach of a
# Ctrl-C: stop it with us (timeout passes the signal on to QEMU).
trap 'kill $qemu 2>/dev/null || true' EXIT INT TERM
# For a watchdog that wants to stop a hung guest (scripts/watch-guest.sh).
echo $qemu >"$outdir/qemu.pid"

if [ $follow -eq 1 ]; then
	tail -n +1 -f --pid=$qemu "$results" | grep --line-buffered -v '^BPFRB-EXIT ' || true
fi
qemu_status=0
wait $qemu || qemu_status=$?

if [ $follow -eq 0 ] && [ $quiet -eq 0 ]; then
	grep -v '^BPFRB-EXIT ' "$results" || true
fi

status=$(sed -n 's/^BPFRB-EXIT \([0-9]*\)$/\1/p' "$results" | tail -n 1)
if [ -z "$status" ]; then
	if [ $qemu_status -eq 124 ] || [ $qemu_status -eq 137 ]; then
		say "guest ($rel) did not finish within ${limit}s"
	else
		say "guest ($rel) stopped before the end (qemu status $qemu_status: $(tail -n 3 "$outdir/qemu.log"))"
	fi
	if [ $quiet -eq 0 ]; then
		say "--- last lines of $console ---"
		tail -n 40 "$console" >&2
	fi
	exit 124
fi
exit "$status"
