#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the benchmark guest (busybox sh), packed by scripts/bench.sh.
# Loads bpfrb.ko, runs the matrix (scripts/bench-guest.sh) with its output
# on the second serial port (ttyS1: no kernel message can interleave with
# it), ends that port with "BPFRB-EXIT <status>" and powers off. With a
# "before" build (scripts/bench.sh -B) its runs go to ttyS2.

export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

out=/dev/ttyS1
[ -c $out ] || out=/dev/console
stty -F $out raw -echo 2>/dev/null
[ -f /bench/env ] && . /bench/env

# One pass of the matrix with the bpfrb.ko in directory $1 (and the bench
# module built against it), results to port $2.
pass() {
	if ! insmod "$1/bpfrb.ko" >/tmp/insmod.log 2>&1; then
		echo "# insmod $1/bpfrb.ko: $(cat /tmp/insmod.log)" >"$2"
		return 1
	fi
	BENCH_KMOD=$1/bpfrb_bench.ko /bench/bench-guest.sh </dev/null >"$2" 2>/tmp/bench.err
	rc=$?
	# Failed runs explain themselves on stderr: keep it with the results.
	sed 's/^/# /' /tmp/bench.err >"$2"
	rmmod bpfrb || rc=1
	return $rc
}

cd /tmp
status=0
before=
if [ -f /bench/before/bpfrb.ko ]; then
	before=/dev/ttyS2
	stty -F $before raw -echo 2>/dev/null
fi
# Every round loads bpfrb.ko afresh. With a "before" build (scripts/bench.sh
# -B) each round runs both, in turns, so that a slow phase of the host
# does not always fall on the same one. Where the code lands, which under
# TCG moves a run's figures by up to 1.7x, changes from boot to boot, not
# from load to load (docs/BENCHMARKS.md, "Placement"): that takes boots.
rounds=${BENCH_ROUNDS:-1}
export BENCH_ROUNDS=1
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	if [ -z "$before" ]; then
		pass /bench $out || status=1
	elif [ $((r % 2)) = 1 ]; then
		pass /bench $out || status=1
		pass /bench/before $before || status=1
	else
		pass /bench/before $before || status=1
		pass /bench $out || status=1
	fi
done
[ -z "$before" ] || echo "BPFRB-EXIT $status" >$before
dmesg | grep -E 'BUG:|WARNING:|Oops' | sed 's/^/# kernel: /' >$out
echo "BPFRB-EXIT $status" >$out
sync
poweroff -f
