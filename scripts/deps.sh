#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the build and the tests need, on Debian 12. Idempotent:
# what is installed already is left alone, and a machine that has it all
# touches no network.
#
#   - build tools, busybox-static, qemu (TCG), cpio, kmod, liburing, xz;
#   - linux-source-6.1 (checkpatch.pl and the kselftest headers come from it);
#   - the kernels under test, image and headers: Debian's stock 6.1, the
#     newest 6.12 backport for which both packages exist, and Debian 13's
#     newest backport kernel, in a Debian 13 chroot (debootstrap) whose
#     compiler builds modules for it;
#   - the debug kernel (KASAN, lockdep, kmemleak) from ../shared/kernels, if
#     that directory has its .debs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages)"

export DEBIAN_FRONTEND=noninteractive
# Debian's kernel postinst builds an initrd unless told not to; the guests boot
# our own initramfs, so that would be minutes of CI time for nothing.
export INITRD=No

base_pkgs=(build-essential kmod xz-utils cpio pkg-config liburing-dev
	   busybox-static qemu-system-x86 linux-source-6.1
	   linux-image-amd64 linux-headers-amd64 debootstrap)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

updated=0
apt_update() {
	[ $updated -eq 1 ] && return 0
	say "deps: apt-get update"
	apt-get update -qq
	updated=1
}

apt_install() {
	[ $# -gt 0 ] || return 0
	apt_update
	say "deps: installing $*"
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# shellcheck disable=SC2046
apt_install $(missing "${base_pkgs[@]}")

# 6.12: Debian 12 ships it in bookworm (security) updates as
# linux-image-<X>+deb12-amd64-unsigned; take the newest X that has its
# headers too. When one is installed already, keep it: the tests do not need
# the very newest, and looking needs the package lists.
have_612() {
	local rel
	for rel in /lib/modules/6.12.*+deb12-amd64; do
		[ -e "/boot/vmlinuz-${rel##*/}" ] && [ -d "$rel/build" ] && return 0
	done
	return 1
}
if ! have_612; then
	apt_update
	x=$(apt-cache pkgnames linux-image-6.12. |
		sed -n -E 's/^linux-image-(6\.12\.[0-9]+)\+deb12-amd64-unsigned$/\1/p' |
		sort -V -r |
		while read -r v; do
			if apt-cache show "linux-headers-$v+deb12-amd64" >/dev/null 2>&1; then
				echo "$v"
				break
			fi
		done)
	[ -n "$x" ] || die "no 6.12 kernel with headers in the package lists"
	apt_install "linux-image-$x+deb12-amd64-unsigned" "linux-headers-$x+deb12-amd64"
fi

# Debian's newest kernel, in the Debian 13 chroot of lib.sh. Kept once there,
# like the 6.12 above; BPFRB_NEWEST_UPDATE=1 looks for a newer one.
if [ "${BPFRB_NEWEST_UPDATE:-0}" = 1 ] || ! newest_chroot_release >/dev/null; then
	"$TOP/scripts/newest-kernel.sh"
fi

# The debug kernel: packages built with `make bindeb-pkg`, whose postinst sets
# INITRD=Yes itself. A stand-in update-initramfs found first on PATH keeps
# that hook from building an initrd we never boot.
if rel=$(debug_release); then
	debs=()
	for kind in image headers; do
		deb=$(ls "$SHARED_KERNELS"/linux-$kind-"$rel"_*_amd64.deb 2>/dev/null | sort -V | tail -n 1)
		[ -n "$deb" ] || continue
		[ -n "$(missing "linux-$kind-$rel")" ] && debs+=("$deb")
	done
	if [ ${#debs[@]} -gt 0 ]; then
		shim=$(mktemp -d)
		printf '#!/bin/sh\nexit 0\n' >"$shim/update-initramfs"
		chmod +x "$shim/update-initramfs"
		say "deps: installing the debug kernel $rel"
		PATH=$shim:$PATH dpkg -i "${debs[@]}" >/dev/null
		rm -rf "$shim"
	fi
fi
say "deps: all installed"
