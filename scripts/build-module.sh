#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build bpfrb.ko and bpfrb_test.ko for one kernel release, in build/<release>/.
#
#   scripts/build-module.sh <release>
#
# kbuild writes its objects next to the sources, so every kernel gets its own
# copy of the module's sources (Kbuild, src/, include/, tests/module/) and is
# built there with M=; builds for different kernels never share an object.
# W=1 is on and any compiler or modpost warning fails the build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rel=${1:?usage: build-module.sh <release>}
kdir=$(kernel_build_dir "$rel")
[ -d "$kdir/" ] || die "no kernel headers for $rel in $kdir"

out=$BUILD/$rel
mkdir -p "$out/tests"
# rsync is not on a fresh machine; cp -a over the old copy keeps the
# timestamps, so an unchanged file is not rebuilt. Files deleted from the
# tree are removed from the copy too.
rm -rf "$out/.src-new"
mkdir -p "$out/.src-new/tests"
cp -a "$TOP/Kbuild" "$TOP/src" "$TOP/include" "$out/.src-new/"
cp -a "$TOP/tests/module" "$out/.src-new/tests/"
for item in Kbuild src include tests/module; do
	if [ -e "$out/$item" ] && diff -rq -x '*.o' -x '*.ko' -x '*.mod*' -x '.*' \
		-x modules.order -x Module.symvers "$out/.src-new/$item" "$out/$item" >/dev/null 2>&1; then
		continue
	fi
	rm -rf "${out:?}/$item"
	mv "$out/.src-new/$item" "$out/$item"
done
rm -rf "$out/.src-new"

# A kernel of the Debian 13 chroot (lib.sh) is built there, by its own
# compiler; $out is under $TOP, which the chroot sees at the same path.
build() {
	if kernel_in_chroot "$rel"; then
		in_newest_root make -C "/usr/lib/modules/$rel/build" M="$out" W=1 modules
	else
		make -C "$kdir" M="$out" W=1 modules
	fi
}

log=$out/build.log
say "  MODULE  $rel"
if ! build >"$log" 2>&1; then
	cat "$log" >&2
	die "module build failed for $rel"
fi
if grep -E 'warning:|WARNING:' "$log" >&2; then
	die "module build for $rel has warnings (see $log)"
fi
for ko in bpfrb.ko tests/module/bpfrb_test.ko; do
	[ -f "$out/$ko" ] || die "$out/$ko was not built"
done
