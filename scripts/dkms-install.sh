#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Register bpfrb with DKMS from this source tree, then build and install
# bpfrb.ko for the given kernels (`make dkms-install`).
#
#   scripts/dkms-install.sh KVER...    kernel release strings
#   scripts/dkms-install.sh all        every kernel with headers in
#                                      /lib/modules/*/build
#
# DKMS builds for kernels that are not running, so the kernels are always
# named: the Makefile passes $(KVER), which is `uname -r` only by default.
# The module lands in /lib/modules/<kver>/updates/dkms/. A kernel that lacks
# an option bpfrb needs (BUILD_EXCLUSIVE_CONFIG in dkms.conf.in) is
# skipped with a message, not an error.
#
# The sources go to /usr/src/bpfrb-<version> with a marker file, so that
# scripts/dkms-uninstall.sh removes what this script installed and never
# what the bpfrb-dkms package owns.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/dkms-common.sh"

[ $# -gt 0 ] || { echo "usage: $0 KVER... | all" >&2; exit 2; }
dkms_require_root_and_dkms

version=$("$top/scripts/version.sh")
srcdir=/usr/src/$DKMS_NAME-$version

if [ "$*" = all ]; then
	set -- $(dkms_kernels_with_headers)
	[ $# -gt 0 ] || { echo "no kernel headers in /lib/modules/*/build" >&2; exit 1; }
fi

if [ -d "$srcdir" ] && [ ! -e "$srcdir/$DKMS_MARKER" ]; then
	echo "$srcdir exists and was not installed by make dkms-install" >&2
	echo "(the bpfrb-dkms package?): remove that first" >&2
	exit 1
fi

# Every version registered before goes first, this one included (a
# rebuild after editing the tree must build the current sources, not the
# copy DKMS made last time). Another version's bpfrb.ko would stay in
# updates/dkms: bpfrb has no MODULE_VERSION, so DKMS finds nothing to
# compare and will not replace it. A version this script did not install
# (the bpfrb-dkms package's) is left to its owner.
for other in $(dkms_registered_versions); do
	if [ "$other" != "$version" ] &&
	   [ ! -e "/usr/src/$DKMS_NAME-$other/$DKMS_MARKER" ]; then
		echo "bpfrb $other is registered with DKMS and was not installed by" >&2
		echo "make dkms-install (the bpfrb-dkms package?): remove that first" >&2
		exit 1
	fi
done
for other in $(dkms_registered_versions); do
	dkms remove -m "$DKMS_NAME" -v "$other" --all
	[ "$other" = "$version" ] || rm -rf "/usr/src/$DKMS_NAME-$other"
done
rm -rf "$srcdir"
# The marker first: a copy that fails half-way is still ours to remove.
mkdir -p "$srcdir"
echo "installed by make dkms-install from $top" >"$srcdir/$DKMS_MARKER"
"$top/scripts/dkms-source.sh" "$srcdir"

dkms add -m "$DKMS_NAME" -v "$version"

status=0
for kver in "$@"; do
	if [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
		echo "$kver: no kernel headers in /lib/modules/$kver/build, skipped" >&2
		status=1
		continue
	fi
	rc=0
	dkms build -m "$DKMS_NAME" -v "$version" -k "$kver" || rc=$?
	case $rc in
	0)
		dkms install -m "$DKMS_NAME" -v "$version" -k "$kver" || status=1 ;;
	77)
		echo "$kver: lacks a kernel option bpfrb needs, skipped" >&2 ;;
	*)
		status=1 ;;
	esac
done
exit $status
