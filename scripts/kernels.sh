#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel releases to test, one a line.
#
#   scripts/kernels.sh                 $KERNELS, or the default list
#   scripts/kernels.sh 6.12 debug      these names
#
# Names: 6.1 (Debian's stock 6.1), 6.12 (Debian's 6.12 backport), newest
# (Debian 13's newest backport, in the chroot scripts/deps.sh makes), debug
# (the KASAN/lockdep kernel from ../shared/kernels) or an exact release.
# A name that matches no installed kernel is an error: a test run must never
# silently test fewer kernels than asked.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

names=${*:-$(default_kernels)}
for name in $names; do
	rel=$(resolve_kernel "$name") ||
		die "no installed kernel for '$name' (scripts/deps.sh installs them)"
	[ -n "$rel" ] || die "no installed kernel for '$name'"
	kdir=$(kernel_build_dir "$rel")
	[ -d "$kdir/" ] || die "$rel has no headers in $kdir"
	echo "$rel"
done
