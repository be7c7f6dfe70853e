#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# CI for DKMS and the Debian packages (`make dkms-test`, issue 6). Run as
# root on a Debian 12 machine; it installs what it needs with apt-get.
#
#  1. make dkms-install for Debian's 6.1 and 6.12 kernels (and the debug
#     kernel when installed), from their headers, none of them running:
#     bpfrb.ko must land in /lib/modules/<kver>/updates/dkms/ built for
#     that kernel (its vermagic).
#  2. The test module (tests/module/) is built outside the tree as any
#     module that calls bpfrb is, against the header in /usr/src/bpfrb-<ver>
#     and the Module.symvers DKMS kept; a QEMU guest of each stock kernel
#     loads the DKMS-built bpfrb.ko (not the tree-built one) and that
#     module, and runs a smoke test there (scripts/check.sh).
#  3. make dkms-uninstall leaves nothing behind.
#  4. make deb builds the packages; lintian reports no error.
#  5. The .debs install on this machine; bpfrb-dkms builds the module for
#     the kernels; a program outside the tree builds with
#     `pkg-config --cflags --libs libbpfrb` and runs against the installed
#     library (debian/tests/pkg-config-consumer).
#  6. Purging the packages leaves nothing behind.
#  7. With make dkms-install's copy in /usr/src, bpfrb-dkms refuses to
#     install and leaves it alone.
#  8. Debian 13 with Debian's newest kernel (the chroot scripts/deps.sh
#     makes; skipped, and said so, without it): the same .debs install
#     there, Debian 13's dkms builds bpfrb.ko for that kernel, the test
#     module builds against it, a guest of that kernel loads both and the
#     smoke test passes, and purging leaves nothing behind.
#
# Environment:
#   DKMS_TEST_KERNELS="6.1 6.12"  kernels for DKMS (names as scripts/kernels.sh
#                                 takes them; default 6.1, 6.12, and debug
#                                 when installed)
#   DKMS_TEST_GUEST="6.1 6.12"    kernels to boot with the DKMS module
#                                 ("" for none; debug boots in ~70 s, so it
#                                 is not in the default)
#   DKMS_SMOKE_TESTS="core_ioctl" test programs to run in the guests
#
# Prints "ok N - ..." / "not ok N - ..." lines, then "P passed, F failed";
# exits non-zero if anything failed. Running it again is safe: it first
# removes what an earlier run left installed.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/dkms-common.sh"
. "$TOP/scripts/lib.sh"
. "$TOP/scripts/dkms-chroot.sh"
BUILD=$TOP/build/dkms-test
PACKAGES="bpfrb-dkms libbpfrb0 libbpfrb-dev bpfrb-tools libbpfrb0-dbgsym bpfrb-tools-dbgsym"

passed=0 failed=0 n=0
# The system the checks below look at: this machine (ROOT empty, commands
# run as they are), or in step 8 the Debian 13 chroot (ROOT its directory,
# RUN=in_newest_root to run a command in it).
ROOT= RUN=

ok()
{
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $*"
}

not_ok()
{
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $*"
}

# check "description" command...: one TAP line; the command's output goes
# to the log and, on failure, its tail to the TAP stream as comments.
check()
{
	local what=$1 log
	shift
	log=$BUILD/log/$(printf '%03d' $((n + 1))).log
	if "$@" >"$log" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		tail -n 30 "$log" | sed 's/^/#   /'
	fi
}

finish()
{
	echo "1..$n"
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}

# Every trace of bpfrb that DKMS or the packages could leave: module
# sources, DKMS's tree, installed modules, library, header, pkg-config
# file, udev rule. Prints what it finds; fails if it finds anything.
nothing_left()
{
	local left
	left=$(
		cd "$ROOT/" || exit 1
		ls -d usr/src/bpfrb-* var/lib/dkms/bpfrb 2>/dev/null
		find lib/modules/ -path '*/updates/*' -name 'bpfrb*.ko*' 2>/dev/null
		ls -d usr/include/libbpfrb.h usr/include/linux/bpfrb.h \
			usr/lib/*/libbpfrb* usr/lib/*/pkgconfig/libbpfrb.pc \
			lib/udev/rules.d/60-bpfrb.rules usr/lib/udev/rules.d/60-bpfrb.rules \
			usr/bin/bpfrb 2>/dev/null | sort -u
		installed_packages
	)
	[ -z "$left" ] || { echo "left behind:"; echo "$left"; return 1; }
}

installed_packages()
{
	dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${Package} ${Status}\n' \
		$PACKAGES 2>/dev/null |
		awk '$NF != "not-installed" { print $1 }'
}

# bpfrb.ko, or bpfrb.ko.xz on kernels whose modules are compressed.
dkms_module()
{
	ls "$ROOT"/lib/modules/"$1"/updates/dkms/bpfrb.ko* 2>/dev/null | head -n 1
}

module_built_for()
{
	local ko rel=$1
	ko=$(dkms_module "$rel")
	[ -n "$ko" ] || { echo "no bpfrb.ko* in $ROOT/lib/modules/$rel/updates/dkms"; return 1; }
	echo "$ko: vermagic $(modinfo -F vermagic "$ko")"
	modinfo -F vermagic "$ko" | grep -q "^$rel "
}

dkms_installed_for()
{
	dkms status -m bpfrb -k "$1" | tee /dev/stderr | grep -q ': installed'
}

install_deps()
{
	local need="" pkg
	# dkms: the subject; dh-dkms, debhelper, dpkg-dev: dpkg-buildpackage;
	# lintian; pkg-config and gcc: the consumer; xz-utils: DKMS compresses
	# modules for 6.12; kmod: modinfo.
	for pkg in dkms dh-dkms debhelper dpkg-dev lintian pkg-config gcc \
		libc6-dev make xz-utils kmod; do
		dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null |
			grep -q '^install ok installed$' || need="$need $pkg"
	done
	[ -z "$need" ] && return 0
	apt-get update &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need
}

# apt-get install of bpfrb-dkms fails, saying why, installs nothing and
# leaves make dkms-install's copy where it was.
package_refused_over_checkout_copy()
{
	local out
	if out=$(env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "$TOP"/build/deb/bpfrb-dkms_*.deb 2>&1); then
		echo "$out"
		echo "installed"
		return 1
	fi
	echo "$out"
	echo "$out" | grep -q "run make dkms-uninstall" || return 1
	[ -z "$(installed_packages)" ] || { echo "installed: $(installed_packages)"; return 1; }
	ls /usr/src/bpfrb-*/"$DKMS_MARKER"
}

# The test module of kernel $1 built as any other module that calls bpfrb
# is (docs/PACKAGING.md): outside the tree, with the header from
# /usr/src/bpfrb-<version> and the Module.symvers DKMS kept.
thirdparty_module()
{
	local rel=$1 out=$BUILD/thirdparty/$1/module ver symvers
	ver=$("$TOP/scripts/version.sh")
	# The link DKMS keeps to the installed version (docs/PACKAGING.md).
	symvers=/var/lib/dkms/bpfrb/kernel-$rel-$(uname -m)/Module.symvers
	grep -w bpfrb_reserve "$ROOT$symvers" || return 1
	rm -rf "$out" && mkdir -p "$out" &&
		cp "$TOP"/tests/module/Kbuild "$TOP"/tests/module/*.[ch] "$out/" ||
		return 1
	$RUN make -C "/lib/modules/$rel/build" M="$out" W=1 modules \
		KCPPFLAGS="-I/usr/src/bpfrb-$ver/include" \
		KBUILD_EXTRA_SYMBOLS="$symvers"
}

# A guest of kernel $1 boots with the DKMS-installed bpfrb.ko and the test
# module built against it by thirdparty_module, and runs the smoke tests.
guest_smoke()
{
	local rel=$1 dir=$BUILD/modules/$1 ko signer
	ko=$(dkms_module "$rel") || return 1
	[ -n "$ko" ] || { echo "no DKMS module for $rel"; return 1; }
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	cp "$ko" "$dir/" &&
		cp "$BUILD/thirdparty/$rel/module/bpfrb_test.ko" "$dir/" || return 1
	echo "guest modules: $(ls "$dir")"
	# DKMS signs what it builds with its own key; the tree build is
	# unsigned. A signer proves this is DKMS's module.
	if [ -e "$ROOT/var/lib/dkms/mok.pub" ]; then
		signer=$(modinfo -F signer "$dir/${ko##*/}")
		echo "signer of the guest's bpfrb.ko: ${signer:-none}"
		[ -n "$signer" ] || return 1
	fi
	KERNELS=$rel MODULE_DIR=$dir TESTS=${DKMS_SMOKE_TESTS:-core_ioctl} \
		CHECK_NAME=dkms SKIP_DEPS=${SKIP_DEPS:-0} "$TOP/scripts/check.sh"
}

if [ "$(id -u)" != 0 ]; then
	echo "$0: must run as root (DKMS, dpkg)" >&2
	exit 1
fi
rm -rf "$BUILD"
mkdir -p "$BUILD/log"
echo "TAP version 13"

check "apt-get: dkms, debhelper, dh-dkms, lintian, pkg-config" install_deps
command -v dkms >/dev/null || finish

# Kernels: the stock ones must be there; the debug one only if installed.
names=${DKMS_TEST_KERNELS:-6.1 6.12}
if [ -z "${DKMS_TEST_KERNELS:-}" ] && "$TOP/scripts/kernels.sh" debug >/dev/null 2>&1; then
	names="$names debug"
fi
if ! rels=$("$TOP/scripts/kernels.sh" $names 2>"$BUILD/log/kernels.log"); then
	not_ok "kernels with headers: $names"
	sed 's/^/#   /' "$BUILD/log/kernels.log"
	finish
fi
rels=$(echo $rels)
guest_names=${DKMS_TEST_GUEST-6.1 6.12}
guest_rels=
if [ -n "$guest_names" ]; then
	guest_rels=$("$TOP/scripts/kernels.sh" $guest_names 2>/dev/null)
fi
echo "# version $("$TOP/scripts/version.sh"), kernels: $rels (running: $(uname -r))"

# Start from a clean machine: an earlier run may have stopped half-way.
pkgs=$(installed_packages)
[ -z "$pkgs" ] || apt-get purge -y $pkgs >/dev/null 2>&1
"$TOP/scripts/dkms-uninstall.sh" >/dev/null 2>&1
check "nothing of bpfrb installed before the test" nothing_left

# 1. DKMS from the tree.
check "make dkms-install DKMS_KERNELS=\"$rels\"" \
	make -C "$TOP" dkms-install DKMS_KERNELS="$rels"
for rel in $rels; do
	check "$rel: dkms status says installed" dkms_installed_for "$rel"
	check "$rel: bpfrb.ko in updates/dkms, built for $rel" module_built_for "$rel"
done

# 2. The DKMS-built module in guests, with a module built against it.
for rel in $guest_rels; do
	check "$rel: test module built out of the tree against DKMS's Module.symvers" \
		thirdparty_module "$rel"
	check "$rel: guest loads the DKMS-built bpfrb.ko and that module, smoke test passes" \
		guest_smoke "$rel"
done

# 3.
check "make dkms-uninstall" make -C "$TOP" dkms-uninstall
check "nothing left after make dkms-uninstall" nothing_left

# 4. Packages.
check "make deb (dpkg-buildpackage -b -us -uc, lintian: no errors)" \
	make -C "$TOP" deb
debs=$(ls "$TOP"/build/deb/*.deb 2>/dev/null)
tools=
[ -n "$(ls "$TOP"/userspace/tools/bpfrb/*.c 2>/dev/null)" ] && tools=bpfrb-tools
for pkg in bpfrb-dkms libbpfrb0 libbpfrb-dev $tools; do
	check "package $pkg built" ls "$TOP"/build/deb/"$pkg"_*.deb
done

# 5. Install them. bpfrb-dkms's postinst builds the module for the kernels
# dh_dkms picks: the running one and the newest installed when the running
# one is installed; otherwise (a chroot, or CI, whose host kernel is not
# installed) every kernel with headers.
if [ -z "$debs" ]; then
	not_ok "apt-get install the .debs: none were built"
	finish
fi
check "apt-get install the .debs" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $debs
if [ -d "/lib/modules/$(uname -r)" ]; then
	built_by_package=$(uname -r)
else
	built_by_package=$rels
fi
for rel in $built_by_package; do
	check "$rel: package's DKMS build installed bpfrb.ko for $rel" module_built_for "$rel"
done
check "group bpfrb exists" getent group bpfrb
check "udev rule gives /dev/bpfrb mode 0660 and group bpfrb" \
	grep -q '^KERNEL=="bpfrb", GROUP="bpfrb", MODE="0660"$' /lib/udev/rules.d/60-bpfrb.rules
check "pkg-config knows libbpfrb" pkg-config --exists libbpfrb
if [ -n "$tools" ]; then
	check "installed bpfrb CLI runs (bpfrb --help)" /usr/bin/bpfrb --help
fi
check "consumer built with pkg-config --cflags --libs libbpfrb runs" \
	"$TOP/debian/tests/pkg-config-consumer"

# 6.
pkgs=$(installed_packages)
check "apt-get purge the packages" apt-get purge -y $pkgs
check "nothing left after purging the packages" nothing_left

# 7. The other way round from step 1's refusal: the package refuses to go
# over a copy make dkms-install put in /usr/src, and leaves it alone.
one_rel=${rels%% *}
check "make dkms-install DKMS_KERNELS=\"$one_rel\" again" \
	make -C "$TOP" dkms-install DKMS_KERNELS="$one_rel"
check "bpfrb-dkms refuses to install over make dkms-install's copy" \
	package_refused_over_checkout_copy
check "make dkms-uninstall" make -C "$TOP" dkms-uninstall
check "nothing left after make dkms-uninstall" nothing_left

# 8. Debian 13 and its newest kernel.
if ! newest=$(newest_chroot_release); then
	echo "# step 8 skipped: no Debian 13 chroot with a kernel (scripts/newest-kernel.sh)"
	finish
fi
ROOT=$NEWEST_ROOT RUN=in_newest_root
pkgs=$(installed_packages)
[ -z "$pkgs" ] || $RUN apt-get purge -y $pkgs >/dev/null 2>&1
check "Debian 13: nothing of bpfrb in the chroot before" nothing_left
check "Debian 13: apt-get install the .debs" chroot_install_debs $debs
check "Debian 13, $newest: package's DKMS build installed bpfrb.ko for it" \
	module_built_for "$newest"
check "Debian 13, $newest: test module built against DKMS's Module.symvers" \
	thirdparty_module "$newest"
check "Debian 13, $newest: guest loads the DKMS-built bpfrb.ko and that module, smoke test passes" \
	guest_smoke "$newest"
check "Debian 13: apt-get purge the packages" chroot_purge
check "Debian 13: nothing left after purging the packages" nothing_left

finish
