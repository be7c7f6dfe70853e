# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by scripts/dkms-test.sh: its step 8, the Debian packages on
# Debian 13 with Debian's newest kernel, in the chroot of scripts/lib.sh
# ($NEWEST_ROOT). The packages built on Debian 12 are installed there with
# apt-get, so Debian 13's dkms builds bpfrb.ko for that kernel from
# bpfrb-dkms's postinst, as it would on a user's machine.
#
# Needs from the caller: TOP, BUILD, PACKAGES, lib.sh sourced.

# Commands in the chroot go through lib.sh's in_newest_root.

chroot_installed_packages()
{
	# shellcheck disable=SC2086
	in_newest_root dpkg-query -W -f '${Package} ${Status}\n' $PACKAGES 2>/dev/null |
		awk '$NF != "not-installed" { print $1 }'
}

# The .debs of step 4, less the debug symbols, copied in and installed.
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
	in_newest_root apt-get update -qq &&
		in_newest_root sh -c 'apt-get install -y --no-install-recommends /tmp/bpfrb-debs/*.deb'
}

chroot_dkms_module()
{
	ls "$NEWEST_ROOT"/usr/lib/modules/"$1"/updates/dkms/bpfrb.ko* 2>/dev/null | head -n 1
}

# The postinst's build is for the chroot's kernel, and its vermagic says so.
chroot_module_built_for()
{
	local rel=$1 ko magic
	ko=$(chroot_dkms_module "$rel")
	[ -n "$ko" ] || { echo "no bpfrb.ko* in the chroot's updates/dkms for $rel"; return 1; }
	magic=$(in_newest_root modinfo -F vermagic "${ko#"$NEWEST_ROOT"}")
	echo "$ko: vermagic $magic"
	[[ $magic == "$rel "* ]]
}

# The test module built in the chroot as any module that calls bpfrb is:
# the header from /usr/src/bpfrb-<version>, DKMS's Module.symvers.
chroot_thirdparty_module()
{
	local rel=$1 ver dir=$NEWEST_ROOT/tmp/bpfrb-thirdparty symvers
	ver=$("$TOP/scripts/version.sh")
	symvers=/var/lib/dkms/bpfrb/kernel-$rel-$(uname -m)/Module.symvers
	grep -w bpfrb_reserve "$NEWEST_ROOT$symvers" || return 1
	rm -rf "$dir" && mkdir -p "$dir" &&
		cp "$TOP"/tests/module/Kbuild "$TOP"/tests/module/*.[ch] "$dir/" ||
		return 1
	in_newest_root make -C "/usr/lib/modules/$rel/build" M=/tmp/bpfrb-thirdparty \
		W=1 modules KCPPFLAGS="-I/usr/src/bpfrb-$ver/include" \
		KBUILD_EXTRA_SYMBOLS="$symvers"
}

# A guest of the chroot's kernel boots with the DKMS-built bpfrb.ko and
# that test module, and runs the smoke tests.
chroot_guest_smoke()
{
	local rel=$1 dir=$BUILD/modules/$1 ko signer
	ko=$(chroot_dkms_module "$rel")
	[ -n "$ko" ] || { echo "no DKMS module for $rel"; return 1; }
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	cp "$ko" "$NEWEST_ROOT/tmp/bpfrb-thirdparty/bpfrb_test.ko" "$dir/" || return 1
	echo "guest modules: $(ls "$dir")"
	# As on this machine (guest_smoke): DKMS's signature tells its
	# module from the tree's unsigned build.
	if [ -e "$NEWEST_ROOT/var/lib/dkms/mok.pub" ]; then
		signer=$(modinfo -F signer "$dir/${ko##*/}")
		echo "signer of the guest's bpfrb.ko: ${signer:-none}"
		[ -n "$signer" ] || return 1
	fi
	KERNELS=$rel MODULE_DIR=$dir TESTS=${DKMS_SMOKE_TESTS:-core_ioctl} \
		CHECK_NAME=dkms SKIP_DEPS=${SKIP_DEPS:-0} "$TOP/scripts/check.sh"
}

chroot_purge()
{
	local pkgs
	pkgs=$(chroot_installed_packages)
	[ -n "$pkgs" ] || { echo "no bpfrb package installed in the chroot"; return 1; }
	# shellcheck disable=SC2086
	in_newest_root apt-get purge -y $pkgs
}

# What nothing_left looks for on this machine, looked for in the chroot.
chroot_nothing_left()
{
	local left
	left=$(
		cd "$NEWEST_ROOT" || exit 1
		ls -d usr/src/bpfrb-* var/lib/dkms/bpfrb 2>/dev/null
		find usr/lib/modules -path '*/updates/*' -name 'bpfrb*.ko*' 2>/dev/null
		ls -d usr/include/libbpfrb.h usr/include/linux/bpfrb.h \
			usr/lib/*/libbpfrb* usr/lib/*/pkgconfig/libbpfrb.pc \
			usr/lib/udev/rules.d/60-bpfrb.rules usr/bin/bpfrb 2>/dev/null
		chroot_installed_packages
	)
	rm -rf "$NEWEST_ROOT/tmp/bpfrb-debs" "$NEWEST_ROOT/tmp/bpfrb-thirdparty"
	[ -z "$left" ] || { echo "left behind in the chroot:"; echo "$left"; return 1; }
}
