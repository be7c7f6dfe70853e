#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the Debian 13 chroot that holds Debian's newest kernel, or bring it
# up to date: the kernel's image and config (packages linux-binary-<rel>
# and linux-base-<rel>) and its headers, with the compiler and kbuild tools
# they were built for, which do not run on Debian 12.
#
#   scripts/newest-kernel.sh        as root; scripts/deps.sh runs it
#
# The chroot is $BPFRB_NEWEST_ROOT (lib.sh). Its packages come from the
# Debian mirror this machine's apt already uses, suites trixie and
# trixie-backports. The release taken is the newest <rel> for which the
# image, the config and the headers all exist. Nothing in the chroot is
# ever run as a service, and nothing of it is installed on this machine:
# the guests boot its vmlinuz directly, and build-module.sh builds in it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "run as root (it makes a chroot)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (scripts/deps.sh)"

export DEBIAN_FRONTEND=noninteractive
root=$NEWEST_ROOT

mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Label: Debian' 'Identifier: Packages' |
	sort -u | head -n 1)
[ -n "$mirror" ] || die "no Debian mirror in apt's lists (run apt-get update first)"

# A chroot whose debootstrap stopped half way is made anew: the marker is
# written only once it finished.
if [ ! -e "$root/.bpfrb-ready" ]; then
	say "deps: making a Debian 13 chroot in $root (debootstrap)"
	rm -rf "$root"
	mkdir -p "$root"
	debootstrap --variant=minbase trixie "$root" "$mirror" \
		>"$root.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$root.debootstrap.log" >&2; die "debootstrap failed"; }
	echo "deb $mirror trixie-backports main" \
		>"$root/etc/apt/sources.list.d/trixie-backports.list"
	touch "$root/.bpfrb-ready"
fi

in_newest_root apt-get update -qq

# linux-binary-<rel> holds vmlinuz, linux-base-<rel> the config.
rel=$(in_newest_root apt-cache pkgnames linux-binary- |
	sed -n -E 's/^linux-binary-([0-9][^ ]*\+deb13-amd64)$/\1/p' |
	sort -V -r |
	while read -r r; do
		if in_newest_root apt-cache show "linux-headers-$r" "linux-base-$r" >/dev/null 2>&1; then
			echo "$r"
			break
		fi
	done)
[ -n "$rel" ] || die "no Debian 13 kernel with image, config and headers in the package lists"

# make and binutils for kbuild, which runs as and ld by their plain names
# (the headers' compiler brings only x86_64-linux-gnu-as and -ld). apt's
# output goes to a log, shown if it fails: without /dev/pts in the chroot
# it also says "Can not write log", which is harmless.
say "deps: installing Debian's newest kernel $rel in the chroot"
in_newest_root apt-get install -y -qq --no-install-recommends make binutils \
	"linux-binary-$rel" "linux-base-$rel" "linux-headers-$rel" >"$root.apt.log" 2>&1 ||
	{ tail -n 20 "$root.apt.log" >&2; die "installing $rel in the chroot failed"; }
[ "$(newest_chroot_release)" = "$rel" ] ||
	die "$rel was installed, but the chroot has no vmlinuz or build tree for it"
