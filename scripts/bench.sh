#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the benchmark, boot one guest, run the matrix in it
# (scripts/bench-guest.sh) and report (bench/report.py): a markdown table,
# JSON, `ratio vs BPF ringbuf: X.XX` per mode, and the chart.
#
#   scripts/bench.sh [-k <kernel>] [-r <rounds>] [-d <seconds>] [-b <boots>]
#
#   -k   kernel to boot: 6.1 (default), 6.12 or an exact release
#   -r   rounds of the matrix per boot (default 1)
#   -d   measured seconds per run (default 5, after a 1 s warm-up)
#   -b   boots (default 1); every boot is reported on its own and the
#        report also gives the median over boots of each ratio
#
# Output: build/bench/<release>/boot<N>.log (the runs' JSON lines),
# build/bench/results.{md,json} and build/bench/bench.png.
# Figures are printed, never judged: this is a benchmark, not a test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.1 rounds=1 secs=5 boots=1
while getopts k:r:d:b: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	r) rounds=$OPTARG ;;
	d) secs=$OPTARG ;;
	b) boots=$OPTARG ;;
	*) sed -n '4,18p' "$0" >&2; exit 2 ;;
	esac
done

"$TOP/scripts/bench-deps.sh"
rel=$("$TOP/scripts/kernels.sh" "$kernel")
out=$BUILD/bench/$rel
mkdir -p "$out"

# bpfrb.ko (+ the test module the guest's init also loads), libbpfrb, then
# the bench itself against that bpfrb's Module.symvers.
"$TOP/scripts/build-module.sh" "$rel"
make -s -C "$TOP/userspace" lib
make -s -C "$TOP/bench" KVER="$rel" SYMVERS="$BUILD/$rel/Module.symvers"

printf 'export BENCH_ROUNDS=%q\nexport BENCH_SECONDS=%q\n' "$rounds" "$secs" >"$out/env"
"$TOP/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$BUILD/$rel" \
	"$TOP/scripts/bench-guest.sh" "$out/env"

# The bench's files go in a second archive appended to the first: the
# kernel unpacks concatenated archives in order, so the harness's image
# stays as scripts/mkinitramfs.sh makes it.
stage=$out/extra.d
rm -rf "$stage"
mkdir -p "$stage/bench"
cp "$BUILD/bench/rbbench" "$BUILD/bench/memcpy_bw" "$BUILD/bench/$rel/bpfrb_bench.ko" \
	"$stage/bench/"
(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -1) \
	>>"$out/initramfs.cpio.gz"
rm -rf "$stage"

# A whole round is about 50 runs of secs + 2 seconds.
limit=$((120 + rounds * 52 * (secs + 3)))
logs=()
for boot in $(seq 1 "$boots"); do
	log=$out/boot$boot.log
	say "  BENCH   $rel boot $boot/$boots (${rounds} round(s), ${secs}s runs, up to ${limit}s)"
	: >"$log"
	# TCG only, as every guest of this project; ttyS1 carries the results.
	timeout --kill-after=10 "$limit" qemu-system-x86_64 \
		-accel tcg -cpu max -smp 2 -m 1G \
		-nodefaults -display none -no-reboot \
		-kernel "/boot/vmlinuz-$rel" -initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1" \
		-serial "file:$out/console$boot.log" -serial "file:$log" \
		</dev/null >"$out/qemu.log" 2>&1 || true
	grep -q '^BPFRB-EXIT 0' "$log" ||
		say "bench: boot $boot did not finish cleanly (see $out/console$boot.log)"
	logs+=("$log")
done

python3 "$TOP/bench/report.py" --out "$BUILD/bench" "${logs[@]}"
