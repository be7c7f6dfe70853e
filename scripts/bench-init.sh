#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the benchmark guest (busybox sh), packed by scripts/bench.sh.
# Loads bpfrb.ko, runs the matrix (scripts/bench-guest.sh) with its output
# on the second serial port (ttyS1: no kernel message can interleave with
# it), ends that port with "BPFRB-EXIT <status>" and powers off.

export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

out=/dev/ttyS1
[ -c $out ] || out=/dev/console
stty -F $out raw -echo 2>/dev/null
[ -f /bench/env ] && . /bench/env

if insmod /bench/bpfrb.ko >/tmp/insmod.log 2>&1; then
	cd /tmp
	/bench/bench-guest.sh </dev/null >$out 2>/tmp/bench.err
	status=$?
	# Failed runs explain themselves on stderr: keep it with the results.
	sed 's/^/# /' /tmp/bench.err >$out
else
	echo "# insmod bpfrb.ko: $(cat /tmp/insmod.log)" >$out
	status=1
fi
dmesg | grep -E 'BUG:|WARNING:|Oops' | sed 's/^/# kernel: /' >$out
echo "BPFRB-EXIT $status" >$out
sync
poweroff -f
