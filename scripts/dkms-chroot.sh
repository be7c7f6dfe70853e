# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by scripts/dkms-test.sh: what its step 8 (the Debian packages on
# Debian 13 with Debian's newest kernel, in the chroot of scripts/lib.sh)
# does differently. The packages built on Debian 12 are installed there
# with apt-get, so Debian 13's dkms builds bpfrb.ko for that kernel from
# bpfrb-dkms's postinst, as it would on a user's machine. The checks
# themselves are dkms-test's own, run with ROOT and RUN set to the chroot.
#
# Needs from the caller: lib.sh sourced, installed_packages.

# The .debs of step 4, less the debug symbols, copied in and installed,
# with openssl: DKMS signs its builds only when it can make a key, and the
# signature is how guest_smoke tells DKMS's module from the tree's.
chroot_install_debs()
{
	local deb dir=$NEWEST_ROOT/tmp/bpfrb-debs
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	for deb in "$@"; do
		case ${deb##*/} in
		*-dbgsym_*) ;;
		*) cp "$deb" "$dir/" || return 1 ;;
		esac
	done
	# openssl first: in one transaction apt may set up bpfrb-dkms before it.
	in_newest_root apt-get update -qq &&
		in_newest_root apt-get install -y --no-install-recommends openssl &&
		in_newest_root sh -c 'apt-get install -y --no-install-recommends /tmp/bpfrb-debs/*.deb'
}

chroot_purge()
{
	local pkgs
	rm -rf "$NEWEST_ROOT/tmp/bpfrb-debs"
	pkgs=$(installed_packages)
	[ -n "$pkgs" ] || { echo "no bpfrb package installed in the chroot"; return 1; }
	# shellcheck disable=SC2086
	in_newest_root apt-get purge -y $pkgs
}
