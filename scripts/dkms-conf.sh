#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Write dkms.conf from dkms.conf.in with the version from scripts/version.sh.
#
#   scripts/dkms-conf.sh OUTPUT      (OUTPUT "-" for stdout)

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: dkms-conf.sh OUTPUT}
version=$("$top/scripts/version.sh")

if [ "$out" = - ]; then
	sed "s/@VERSION@/$version/g" "$top/dkms.conf.in"
else
	sed "s/@VERSION@/$version/g" "$top/dkms.conf.in" >"$out.tmp"
	mv "$out.tmp" "$out"
fi
