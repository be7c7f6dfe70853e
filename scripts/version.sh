#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print bpfrb's version: the one place it is decided. dkms.conf, the DKMS
# source directory name and debian/changelog all take it from here, so the
# module, the packages and the library never disagree.
#
#   tag v1.2.3, on the tag              1.2.3
#   tag v1.2.3, 4 commits later         1.2.3+git4.gabc1234
#   tag v1.2.3-rc1                      1.2.3~rc1 (before 1.2.3)
#   no tag at all                       0.1.0~git20250101.123.abc1234
#                                       (commit date, commit count, hash)
#   uncommitted changes                 ... with ".dirty" appended, or
#                                       "+dirty" on a tag (1.2.3+dirty:
#                                       after 1.2.3, before 1.2.3+git1...)
#   outside git (a DKMS or package      the VERSION file written next to
#   source tree)                        this tree's top when it was copied
#
# The results are valid Debian upstream versions and sort in the right
# order: "~git" sorts before the first release, "+git" after its tag.

set -eu

# Used only while the project has no release tag yet.
BASE_VERSION=0.1.0

top=$(cd "$(dirname "$0")/.." && pwd)

# git refuses a checkout another user owns (safe.directory), which is what
# root building a user's checkout, or a container given one, meets: the
# version would silently fall back to BASE_VERSION and sort above every
# later "~git" build. This tree is the one being built, so it is trusted.
g() { git -c safe.directory="$top" -C "$top" "$@"; }

# A copied source tree (DKMS, dpkg-buildpackage staging) records the version
# it was made from. It wins over git: the copy may sit inside another
# checkout whose history says nothing about it.
if [ -f "$top/VERSION" ]; then
	cat "$top/VERSION"
	exit 0
fi

if ! g rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "$BASE_VERSION"
	exit 0
fi

dirty=
# --dirty would also do this, but only for the describe form; this way the
# no-tag form gets the same suffix.
if ! g diff-index --quiet HEAD -- 2>/dev/null; then
	dirty=.dirty
fi

# A tag's version as Debian and DKMS take it: a pre-release's "-" (or
# "_") becomes "~", so that 1.2.3-rc1 sorts before 1.2.3 (as 1.2.3~rc1);
# anything else outside [0-9A-Za-z.+~] is refused, not passed on.
tag_version()
{
	v=$(printf '%s' "$1" | tr -- '-_' '~~')
	case "$v" in
	*[!0-9A-Za-z.+~]*)
		echo "version.sh: tag v$1 is not a version Debian takes" >&2
		exit 1
		;;
	esac
	printf '%s' "$v"
}

if desc=$(g describe --tags --match 'v[0-9]*' 2>/dev/null); then
	# v1.2.3 or v1.2.3-4-gabc1234
	desc=${desc#v}
	case "$desc" in
	*-*-g*)
		tag=${desc%-*-g*}
		rest=${desc#"$tag"-}        # 4-gabc1234
		tag=$(tag_version "$tag")
		echo "$tag+git${rest%%-*}.${rest#*-}$dirty"
		;;
	*)
		# "1.2.3.dirty" would sort after 1.2.3+git4..., as if newer.
		tag=$(tag_version "$desc")
		echo "$tag${dirty:++dirty}"
		;;
	esac
	exit 0
fi

# No tag: date of the commit (not of today, so that the same commit always
# gives the same version), the number of commits up to it (so that two
# commits of one day sort in order, not by hash; a shallow clone counts
# what it has) and its abbreviated hash.
date=$(g log -1 --format=%cd --date=format:%Y%m%d)
count=$(g rev-list --count HEAD)
sha=$(g rev-parse --short=7 HEAD)
echo "$BASE_VERSION~git$date.$count.$sha$dirty"
