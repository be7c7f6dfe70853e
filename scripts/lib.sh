# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# Helpers shared by the harness scripts (sourced, never run).
#
# Kernel names: the user says "6.1", "6.12", "newest" or "debug" (or gives
# an exact release such as 6.1.0-56-amd64); the scripts work with exact
# releases, and find a release's image, config and build tree through
# kernel_image, kernel_config and kernel_build_dir below.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$TOP/build"
# The debug kernel's .debs live next to the repository, not in it.
SHARED_KERNELS="$TOP/../shared/kernels"
# Debian's newest kernel (Debian 13's backports) is built by Debian 13's
# compiler and kbuild tools, which do not run on this Debian 12 machine: its
# headers, image and config live in a Debian 13 chroot that scripts/deps.sh
# makes, and modules for it are built inside that chroot.
NEWEST_ROOT=${BPFRB_NEWEST_ROOT:-/var/cache/bpfrb-dev/trixie}

say() { printf '%s\n' "$*" >&2; }
die() { say "$(basename "$0"): $*"; exit 1; }

# Newest installed release whose name matches the extended regex $1 and that
# has both an image and a build tree.
newest_release() {
	local re=$1 rel found=()
	for img in /boot/vmlinuz-*; do
		rel=${img#/boot/vmlinuz-}
		[[ $rel =~ $re ]] || continue
		[ -d "/lib/modules/$rel/build" ] || continue
		found+=("$rel")
	done
	[ ${#found[@]} -gt 0 ] || return 1
	printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

# Newest release installed in the Debian 13 chroot, with image and headers.
newest_chroot_release() {
	local dir found=()
	for dir in "$NEWEST_ROOT"/usr/lib/modules/*; do
		[ -e "$dir/vmlinuz" ] && [ -d "$dir/build/" ] || continue
		found+=("${dir##*/}")
	done
	[ ${#found[@]} -gt 0 ] || return 1
	printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

# True when a release is the chroot's rather than this machine's own.
kernel_in_chroot() {
	[ ! -e "/boot/vmlinuz-$1" ] && [ -e "$NEWEST_ROOT/usr/lib/modules/$1/vmlinuz" ]
}

# A command run in the chroot, in a mount namespace of its own that is gone
# when the command ends: /proc (objtool, dkms) and this tree bound at its
# own path, so that paths under $TOP mean the same inside and out.
in_newest_root() {
	unshare --mount --propagation private sh -euc '
		root=$1 top=$2
		shift 2
		mount -t proc proc "$root/proc"
		mkdir -p "$root$top"
		mount --bind "$top" "$root$top"
		exec chroot "$root" env DEBIAN_FRONTEND=noninteractive "$@"' \
		sh "$NEWEST_ROOT" "$TOP" "$@"
}

# A release's image, config and build tree, as paths on this machine.
kernel_image() {
	if kernel_in_chroot "$1"; then
		echo "$NEWEST_ROOT/usr/lib/modules/$1/vmlinuz"
	else
		echo "/boot/vmlinuz-$1"
	fi
}

kernel_config() {
	if kernel_in_chroot "$1"; then
		echo "$NEWEST_ROOT/usr/lib/modules/$1/config"
	else
		echo "/boot/config-$1"
	fi
}

# The chroot's build link is relative (../../../src/...), so it resolves on
# this machine too.
kernel_build_dir() {
	if kernel_in_chroot "$1"; then
		echo "$NEWEST_ROOT/usr/lib/modules/$1/build"
	else
		echo "/lib/modules/$1/build"
	fi
}

# The release string of the debug kernel shipped in ../shared/kernels,
# taken from its image package's file name (linux-image-<rel>_<ver>_amd64.deb).
debug_release() {
	local deb
	deb=$(ls "$SHARED_KERNELS"/linux-image-*_amd64.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$deb" ] || return 1
	deb=${deb##*/linux-image-}
	printf '%s\n' "${deb%%_*}"
}

# Map one user-facing kernel name to an installed release.
resolve_kernel() {
	case $1 in
	6.1)	newest_release '^6\.1\.0-[0-9]+-amd64$' ;;
	6.12)	newest_release '^6\.12\.[0-9]+\+deb12-amd64$' ;;
	newest)	newest_chroot_release ;;
	debug)	debug_release ;;
	*)	[ -e "$(kernel_image "$1")" ] && printf '%s\n' "$1" ;;
	esac
}

# The kernels to test: $KERNELS if set, else stock 6.1, 6.12 and Debian's
# newest, plus the debug kernel when ../shared/kernels is there.
default_kernels() {
	if [ -n "${KERNELS:-}" ]; then
		printf '%s\n' "$KERNELS"
	elif [ -d "$SHARED_KERNELS" ]; then
		echo "6.1 6.12 newest debug"
	else
		echo "6.1 6.12 newest"
	fi
}

# A kernel with kmemleak is the debug kernel: it boots slowly and gets the
# leak scan.
has_kmemleak() {
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$(kernel_config "$1")" 2>/dev/null
}

# "<prog> <seconds>" for every test that asks for its own time limit: a
# comment line "timeout: <seconds>" (after //, /*, * or #) near the top of
# tests/selftests/<prog>.c. The rest get BPFRB_TEST_TIMEOUT (default 180).
test_timeouts() {
	local src secs
	for src in "$TOP"/tests/selftests/*.c; do
		[ -f "$src" ] || continue
		secs=$(head -n 40 "$src" | sed -n -E \
			's@^[[:space:]]*(/\*|//|\*|#)[[:space:]]*timeout:[[:space:]]*([0-9]+).*@\2@p' | head -n 1)
		[ -n "$secs" ] && echo "$(basename "$src" .c) $secs"
	done
	return 0
}

# True when a guest (its files in $1) stopped before its kernel ran /init:
# no BPFRB-EXIT on the results port and no "Run /init as init process" on
# the console. /init loads the modules, so nothing of bpfrb had run: the
# kernel or the emulator failed on its own. Seen on 6.12 in the wide guest,
# in two make checks of five on 2026-12-04: "Oops: int3" in sched_clock_cpu()
# right after "sched_clock: Marking stable", where the kernel enables a
# static key, patching its text while seven other vCPUs run it. A vCPU
# still ran the breakpoint after the patch was done, the stale translation
# multi-threaded TCG is known here for (scripts/run-guest.sh).
died_before_init() {
	! grep -aq '^BPFRB-EXIT ' "$1/results.log" 2>/dev/null &&
		! grep -aq 'Run /init as init process' "$1/console.log" 2>/dev/null
}
