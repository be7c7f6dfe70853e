#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the benchmark, boot one guest, run the matrix in it
# (scripts/bench-guest.sh) and report (bench/report.py): a markdown table,
# JSON, `ratio vs BPF ringbuf: X.XX` per mode, and the chart.
#
#   scripts/bench.sh [-k <kernel>] [-r <rounds>] [-d <seconds>] [-b <boots>]
#
#   -k   kernel to boot: 6.1 (default), 6.12, newest or an exact release
#   -r   rounds of the matrix per boot (default 1)
#   -d   measured seconds per run (default 5, after a 1 s warm-up)
#   -b   boots (default 1); every boot is reported on its own and the
#        report also gives the median over boots of each ratio
#   -M   a bpfrb build dir (bpfrb.ko and Module.symvers) to measure instead of the tree's
#   -B   a bpfrb build dir to measure as "before", in the same boot: every
#        round runs the matrix with the tree's bpfrb.ko (or -M's), then
#        with this one (rmmod/insmod between), each next to its own BPF
#        runs; reported to <out>/before/ and side by side. How a design
#        change is measured: over several boots (-b 3 or more), since
#        where the code lands moves the figures per boot
#        (docs/BENCHMARKS.md, "Placement").
#        BENCH_BEFORE_TREE=<checkout> builds the "before" bench module
#        from that checkout's bench/kmod instead of this tree's: how a
#        change to the bench's own producer is measured (-B the tree's
#        own build dir then).
#   -o   output dir (default build/bench)
#   -s   parts of the matrix, e.g. "cost sizes" (default: all but trace; see
#        scripts/bench-guest.sh)
#
# BOOT_TRIES=<n>: boots a guest gets when its kernel dies before /init
# (default 3). BENCH_CPU=<model>: QEMU's -cpu (default max; max,-hypervisor
# hides the hypervisor, so that the kernel takes its queued spinlock as on
# hardware instead of the test-and-set virt_spin_lock()).
#
# Output (in build/bench, or -o): <release>/boot<N>.log (the runs' JSON
# lines), results.{md,json} and bench.png.
# Figures are printed, never judged: this is a benchmark, not a test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.1 rounds=1 secs=5 boots=1 moddir= outdir= sets= beforedir=
while getopts k:r:d:b:M:B:o:s: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	r) rounds=$OPTARG ;;
	d) secs=$OPTARG ;;
	b) boots=$OPTARG ;;
	M) moddir=$(cd "$OPTARG" && pwd) ;;
	B) beforedir=$(cd "$OPTARG" && pwd) ;;
	o) outdir=$OPTARG ;;
	s) sets=$OPTARG ;;
	*) sed -n '4,36p' "$0" >&2; exit 2 ;;
	esac
done

"$TOP/scripts/bench-deps.sh"
rel=$("$TOP/scripts/kernels.sh" "$kernel")
outdir=${outdir:-$BUILD/bench}
mkdir -p "$outdir/$rel"
# Absolute: the "before" bench module is built with M= under it (-B).
outdir=$(cd "$outdir" && pwd)
out=$outdir/$rel

# bpfrb.ko, libbpfrb, then the bench itself against that bpfrb's
# Module.symvers.
if [ -z "$moddir" ]; then
	"$TOP/scripts/build-module.sh" "$rel"
	moddir=$BUILD/$rel
fi
[ -n "${LIBBPFRB:-}" ] || make -s -C "$TOP/userspace" lib
make -s -C "$TOP/bench" ${LIBBPFRB:+LIBBPFRB="$LIBBPFRB"} user

# The bench module of bench tree $1, built like bpfrb.ko: in the Debian 13
# chroot for its kernels (lib.sh), which sees only this tree, so the trees
# and build dirs named must lie under it there.
make_bench_module() {
	local tree=$1 dir
	shift
	if kernel_in_chroot "$rel"; then
		for dir in "$tree" "$@"; do
			case ${dir#*=} in
			"$TOP"/* | "$TOP") ;;
			/*) die "for $rel, ${dir#*=} must lie under $TOP" ;;
			esac
		done
		in_newest_root make -s -C "$tree/bench" KVER="$rel" \
			KDIR="/usr/lib/modules/$rel/build" "$@" module
	else
		make -s -C "$tree/bench" KVER="$rel" "$@" module
	fi
}
make_bench_module "$TOP" SYMVERS="$moddir/Module.symvers"

# The guest's image: busybox, bpfrb.ko, the bench and its own /init
# (scripts/bench-init.sh). Its own image, not the test harness's: the
# bench needs none of the tests.
stage=$out/initramfs.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,bench}
ln -s bin "$stage/sbin"
busybox=$(command -v busybox) || die "busybox is not installed (busybox-static)"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
done
mknod -m 600 "$stage/dev/console" c 5 1
install -m 755 "$TOP/scripts/bench-init.sh" "$stage/init"
install -m 755 "$TOP/scripts/bench-guest.sh" "$stage/bench/bench-guest.sh"
cp "$moddir/bpfrb.ko" "$BUILD/bench/rbbench" "$BUILD/bench/memcpy_bw" \
	"$BUILD/bench/$rel/bpfrb_bench.ko" "$stage/bench/"
if [ -n "$beforedir" ]; then
	# The bench module binds to bpfrb's exports by CRCs computed over
	# struct bpfrb too: the "before" build gets a bench module of its own.
	make_bench_module "${BENCH_BEFORE_TREE:-$TOP}" \
		SYMVERS="$beforedir/Module.symvers" KMOD_OUT="$out/before"
	mkdir -p "$stage/bench/before"
	cp "$beforedir/bpfrb.ko" "$out/before/bpfrb_bench.ko" "$stage/bench/before/"
fi
printf 'export BENCH_ROUNDS=%q\nexport BENCH_SECONDS=%q\nexport BENCH_SETS=%q\n' \
	"$rounds" "$secs" "$sets" >"$stage/bench/env"
(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -1) \
	>"$out/initramfs.cpio.gz"
rm -rf "$stage"

# A round is about 61 runs of secs + 3 seconds each (twice with -B);
# leave room.
passes=1
[ -z "$beforedir" ] || passes=2
limit=$((120 + passes * rounds * 60 * (secs + 4)))
# One boot of the bench's guest. TCG only, as every guest of this
# project; ttyS1 carries the results, ttyS2 those of the -B build.
boot_guest() {
	local boot=$1
	: >"$out/boot$boot.log"
	: >"$out/before$boot.log"
	timeout --kill-after=10 "$limit" qemu-system-x86_64 \
		-accel tcg -cpu "${BENCH_CPU:-max}" -smp 2 -m 1G \
		-nodefaults -display none -no-reboot \
		-kernel "$(kernel_image "$rel")" -initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1" \
		-serial "file:$out/console$boot.log" -serial "file:$out/boot$boot.log" \
		-serial "file:$out/before$boot.log" \
		</dev/null >"$out/qemu.log" 2>&1 || true
}

logs=() before_logs=()
for boot in $(seq 1 "$boots"); do
	log=$out/boot$boot.log
	before_log=$out/before$boot.log
	say "  BENCH   $rel boot $boot/$boots (${rounds} round(s), ${secs}s runs, up to ${limit}s)"
	# A kernel that dies before it runs /init has run nothing of the
	# bench: multi-threaded TCG's stale translation of text the kernel
	# patches while booting (lib.sh, died_before_init), seen on 7.3 as on
	# 6.12. It boots again, BOOT_TRIES boots in all (default 3); the
	# console of each such boot is kept as console<boot>.died<try>.log.
	for try in $(seq 1 "${BOOT_TRIES:-3}"); do
		boot_guest "$boot"
		grep -aq 'Run /init as init process' "$out/console$boot.log" && break
		[ "$try" -lt "${BOOT_TRIES:-3}" ] || break
		mv "$out/console$boot.log" "$out/console$boot.died$try.log"
		say "bench: boot $boot died before /init (try $try; $out/console$boot.died$try.log)"
	done
	grep -q '^BPFRB-EXIT 0' "$log" ||
		say "bench: boot $boot did not finish cleanly (see $out/console$boot.log)"
	logs+=("$log")
	before_logs+=("$before_log")
done

if [ -n "$beforedir" ]; then
	python3 "$TOP/bench/report.py" --out "$outdir/before" "${before_logs[@]}" >/dev/null
fi
python3 "$TOP/bench/report.py" --out "$outdir" "${logs[@]}"
if [ -n "$beforedir" ]; then
	say "  BEFORE  $beforedir (same boots) / AFTER  ${moddir}"
	python3 "$TOP/bench/report.py" --compare "$outdir/before/results.json" \
		"$outdir/results.json"
fi
