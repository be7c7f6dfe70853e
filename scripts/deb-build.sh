#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build bpfrb's Debian packages (`make deb`) into build/deb/, then run
# lintian over them (its report: build/deb/lintian.txt).
#
# dpkg-buildpackage needs debian/changelog before anything else, and the
# version in it must come from scripts/version.sh. Writing it into the
# working tree would make the tree "dirty" and change the version, so the
# build runs on a copy: the tree's files (tracked and new, not ignored)
# in build/deb/bpfrb-<version>/, with debian/changelog and a VERSION file
# added. The copy has no .git, so VERSION is what version.sh reads there.
#
# Needs dpkg-dev, debhelper, dh-dkms and pkg-config (lintian to check):
# scripts/dkms-test.sh installs them.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
version=$("$top/scripts/version.sh")
stage=$out/bpfrb-$version

rm -rf "$out"
mkdir -p "$stage"

cd "$top"
git ls-files -z --cached --others --exclude-standard |
	xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf - | tar -xf - -C "$stage"

echo "$version" >"$stage/VERSION"

# The changelog entry carries the commit's date and hash, so the same
# commit always gives the same packages (dpkg derives SOURCE_DATE_EPOCH
# from this date).
date=$(git log -1 --format=%cD 2>/dev/null || date -R)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
maintainer=$(sed -n 's/^Maintainer: //p' debian/control)
cat >"$stage/debian/changelog" <<EOT
bpfrb ($version-1) unstable; urgency=medium

  * Built from git commit $commit.

 -- $maintainer  $date
EOT

cd "$stage"
dpkg-buildpackage -b -us -uc

cd "$out"
ls -1 ./*.deb
if command -v lintian >/dev/null; then
	# Errors fail the build; every tag down to pedantic is shown, and what
	# remains is listed and justified in docs/PACKAGING.md.
	status=0
	lintian -I --pedantic --fail-on error ./*.changes >lintian.txt 2>&1 || status=$?
	cat lintian.txt
	exit $status
fi
