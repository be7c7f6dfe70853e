#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Undo scripts/dkms-install.sh (`make dkms-uninstall`): for every version
# it installed (any version, not only the tree's current one, which may
# have changed since), remove the module from every kernel, unregister it
# from DKMS and delete its sources. Versions installed by the bpfrb-dkms
# package are left to the package manager.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/dkms-common.sh"

dkms_require_root_and_dkms

found=0
for marker in /usr/src/"$DKMS_NAME"-*/"$DKMS_MARKER"; do
	[ -e "$marker" ] || continue
	found=1
	srcdir=${marker%/*}
	version=${srcdir#/usr/src/"$DKMS_NAME"-}
	if dkms status -m "$DKMS_NAME" -v "$version" | grep -q .; then
		dkms remove -m "$DKMS_NAME" -v "$version" --all
	fi
	rm -rf "$srcdir"
	echo "removed $DKMS_NAME $version"
done
[ $found = 1 ] || echo "nothing installed by make dkms-install"
