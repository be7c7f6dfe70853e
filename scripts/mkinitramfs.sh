#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack a busybox initramfs for one guest run.
#
#   scripts/mkinitramfs.sh <out.cpio.gz> <module dir> <job script> [<env file>]
#
# Layout inside the guest:
#   /init                   scripts/guest/init
#   /bin/busybox + applets  (busybox-static: the guest has no libc)
#   /bpfrb/bpfrb.ko, /bpfrb/bpfrb_test.ko
#   /bpfrb/tests/*          build/tests/<name> for each tests/selftests/<name>.c
#   /bpfrb/tools/*          build/tests/tools/<name> for each tests/tools/<name>.c
#   /bpfrb/run-tests        scripts/guest/run-tests
#   /bpfrb/job              what init runs, given by the caller
#   /bpfrb/env              variables init exports to the job (optional)
#   /bpfrb/timeouts         "<prog> <seconds>" for tests that ask for a limit
#   /bin/bpfrb              build/userspace/bpfrb, the CLI, when it is built
#   /bpfrb/examples/*       build/userspace/examples/*, when they are built
#
# The module dir holds bpfrb.ko and bpfrb_test.ko, flat or as kbuild leaves
# them (tests/module/bpfrb_test.ko); .ko.xz (as DKMS may install them) is
# unpacked, because busybox's insmod does not decompress.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: mkinitramfs.sh <out.cpio.gz> <module dir> <job> [<env>]}
moddir=${2:?module dir}
job=${3:?job script}
envfile=${4:-}

# busybox-static (scripts/deps.sh) replaces the dynamic busybox package.
busybox=$(command -v busybox) || die "busybox is not installed (apt-get install busybox-static)"

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,bpfrb/tests,bpfrb/tools}
ln -s bin "$stage/sbin"

cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
done
# The kernel opens /dev/console before /init runs, before devtmpfs exists.
mknod -m 600 "$stage/dev/console" c 5 1

# Copy one module, whatever form it was built or installed in.
put_module() {
	local name=$1 src
	for src in "$moddir/$name.ko" "$moddir/tests/module/$name.ko" \
		   "$moddir/$name.ko.xz" "$moddir/tests/module/$name.ko.xz"; do
		[ -f "$src" ] || continue
		case $src in
		*.xz)	xz -dc "$src" >"$stage/bpfrb/$name.ko" ;;
		*)	cp "$src" "$stage/bpfrb/$name.ko" ;;
		esac
		return 0
	done
	die "no $name.ko in $moddir"
}
put_module bpfrb
put_module bpfrb_test

# Programs: one per source file, so that a stale binary of a test that was
# renamed or removed is never run, and a test that was not built is an error.
put_programs() {
	local srcdir=$1 bindir=$2 dest=$3 src bin
	for src in "$srcdir"/*.c; do
		[ -f "$src" ] || continue
		bin=$bindir/$(basename "$src" .c)
		[ -x "$bin" ] || die "$bin is missing: build user space first (scripts/build-userspace.sh)"
		cp "$bin" "$dest/"
	done
}
put_programs "$TOP/tests/selftests" "$BUILD/tests" "$stage/bpfrb/tests"
put_programs "$TOP/tests/tools" "$BUILD/tests/tools" "$stage/bpfrb/tools"
if [ -x "$BUILD/userspace/bpfrb" ]; then
	cp "$BUILD/userspace/bpfrb" "$stage/bin/bpfrb"
fi
if [ -d "$BUILD/userspace/examples" ]; then
	mkdir -p "$stage/bpfrb/examples"
	put_programs "$TOP/userspace/examples" "$BUILD/userspace/examples" \
		"$stage/bpfrb/examples"
fi

test_timeouts >"$stage/bpfrb/timeouts"

install -m 755 "$TOP/scripts/guest/init" "$stage/init"
install -m 755 "$TOP/scripts/guest/run-tests" "$stage/bpfrb/run-tests"
install -m 755 "$job" "$stage/bpfrb/job"
[ -n "$envfile" ] && install -m 644 "$envfile" "$stage/bpfrb/env"

(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -1) >"$out"
rm -rf "$stage"
