#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the whole test suite, in one QEMU guest per kernel.
#
# Environment:
#   KERNELS="6.1 6.12 newest debug"
#                              kernels to test (default: 6.1, 6.12, newest,
#                              and debug when ../shared/kernels exists;
#                              names: scripts/kernels.sh)
#   TESTS="prog1 prog2"        run only these programs of build/tests/
#   MODULE_DIR=<dir>           prebuilt bpfrb.ko and bpfrb_test.ko (for
#                              example DKMS-built) instead of building them;
#                              they must match every kernel in KERNELS
#   SKIP_DEPS=1                do not run scripts/deps.sh first
#   BPFRB_TEST_TIMEOUT=<s>     per-program limit (default 180)
#   WATCHDOG_SLACK=<s>         how long past a program's limit a guest counts as
#                              hung (default 180, debug kernel 600)
#   GUEST_TIMEOUT=<s>          limit for a whole guest (default: boot time
#                              plus every program's limit; a watchdog stops
#                              a hung guest much sooner)
#   BOOT_TRIES=<n>             boots a guest gets when its kernel dies before
#                              /init, before anything of bpfrb runs (default 3)
#   CHECK_NAME=<name>          where a guest's files go: build/guest/<release>/
#                              <name> (default check; the DKMS test uses its
#                              own, so that make check's stay)
#
# Prints TAP per kernel, the console tail of kernels that failed, and ends
# with the line "P passed, F failed[, S skipped]"; exits non-zero on any
# failure. Kernels run one after another: the machine has two cores.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
mkdir -p "$BUILD"
if [ "${SKIP_DEPS:-0}" != 1 ]; then
	"$TOP/scripts/deps.sh"
fi

passed=0 failed=0 skipped=0

# A step that fails outside any guest (build, kernel lookup) counts once.
fail_step() {
	echo "not ok 1 $1"
	failed=$((failed + 1))
}

summary() {
	local line="$passed passed, $failed failed"
	[ $skipped -gt 0 ] && line="$line, $skipped skipped"
	say "check: $(( $(date +%s) - start )) s"
	echo "$line"
}

# The counting rules are tested before anything is counted by them.
if ! "$TOP/scripts/selftest-harness.sh" >"$BUILD/selftest-harness.log" 2>&1; then
	sed 's/^/#   /' "$BUILD/selftest-harness.log"
	fail_step "harness: scripts/selftest-harness.sh"
	summary
	exit 1
fi

if ! rels=$("$TOP/scripts/kernels.sh"); then
	fail_step "kernels: $(default_kernels) not all installed"
	summary
	exit 1
fi

if ! "$TOP/scripts/build-userspace.sh" >&2; then
	fail_step "build: libbpfrb, tests and tools"
	summary
	exit 1
fi

# TESTS, if set, names the programs to run.
selected() {
	[ -z "${TESTS:-}" ] || grep -qw -- "$1" <<<"$TESTS"
}

# The wide guest: eight vCPUs under multi-threaded TCG, and no hypervisor
# CPUID bit, so that the kernel takes its queued spinlock (a guest that
# sees a hypervisor without paravirt spinlocks takes virt_spin_lock(), a
# test-and-set lock, as the other guests here do). It runs the wide_*
# programs, and they run nowhere else. Not the whole suite: multi-threaded
# TCG crashes guests that patch kernel text other vCPUs run
# (scripts/run-guest.sh; the kernel's own boot does it too, enabling
# static keys, hence died_before_init and BOOT_TRIES), and eight vCPUs on
# a two-core host make a queued lock crawl whenever the host deschedules a
# waiter's vCPU (the line behind it waits): the core programs' fixed
# record counts then took minutes, and a softirq producing 1024 records in
# one go tripped the soft lockup detector. wide_* programs bound their
# runs by time.
WIDE_GUEST=(GUEST_ACCEL=tcg GUEST_SMP=8 GUEST_CPU=max,-hypervisor)

# The programs a guest runs, sorted: wide=1 the wide_* ones, else the rest.
guest_programs() {
	local src prog
	for src in "$TOP"/tests/selftests/*.c; do
		prog=$(basename "$src" .c)
		selected "$prog" || continue
		if [[ $prog == wide_* ]]; then
			[ "$1" = 1 ] && echo "$prog"
		else
			[ "$1" = 0 ] && echo "$prog"
		fi
	done
	return 0
}

# The sum of the time limits of the programs given: the backstop for a
# whole guest.
sum_of_limits() {
	local prog secs sum=0 limits
	limits=$(test_timeouts)
	for prog in "$@"; do
		secs=$(awk -v p="$prog" '$1 == p { print $2 }' <<<"$limits")
		sum=$((sum + ${secs:-${BPFRB_TEST_TIMEOUT:-180}}))
	done
	echo $sum
}

# A guest whose kernel died before /init (died_before_init) boots again, up
# to this many boots in all; each such boot is reported, never counted.
BOOT_TRIES=${BOOT_TRIES:-3}

# One boot of one guest; sets guest_status.
#   boot_guest <release> <label> <module dir> <results dir> <wide: 0|1> <program>...
boot_guest() {
	local rel=$1 label=$2 moddir=$3 out=$4 wide=$5 boot slack limit watchdog qemu_env=()
	shift 5
	# A hung guest is caught by the watchdog, within a program's limit plus
	# the slack; the guest's own limit is only the backstop.
	boot=300 slack=${WATCHDOG_SLACK:-180}
	has_kmemleak "$rel" && boot=900 slack=${WATCHDOG_SLACK:-600}
	limit=${GUEST_TIMEOUT:-$((boot + slack + $(sum_of_limits "$@")))}
	say "check: booting $label (limit ${limit}s)"
	guest_status=0
	# Nothing of an earlier run may be read as this one's: its results
	# (counted if this guest never starts) or its QEMU's pid (which the
	# watchdog would watch instead of ours).
	rm -f "$out/results.log" "$out/qemu.pid"
	"$TOP/scripts/watch-guest.sh" "$out" "$boot" "$slack" 2>"$out/watchdog.err" &
	watchdog=$!
	[ "$wide" = 1 ] && qemu_env=("${WIDE_GUEST[@]}")
	# TESTS names the programs even when the user named none, so that the
	# guest runs exactly these.
	env "${qemu_env[@]}" MODULE_DIR="$moddir" "$TOP/scripts/run-guest.sh" \
		-q -k "$rel" -t "$limit" -o "$out" \
		-e TESTS="$*" -e BPFRB_TEST_TIMEOUT="${BPFRB_TEST_TIMEOUT:-180}" \
		-- /bpfrb/run-tests 2>"$out/guest.err" || guest_status=$?
	wait $watchdog || true
	cat "$out/watchdog.err" >>"$out/guest.err"
}

# What says why a kernel died: 40 lines from its first oops or panic (the
# first one names the cause; later ones follow from it), else the last 40.
oops_excerpt() {
	local first
	first=$(grep -a -n -m 1 -E 'Oops|BUG:|Kernel panic|general protection' "$1" | cut -d: -f1)
	if [ -n "$first" ]; then
		tail -n "+$first" "$1" | head -n 40
	else
		tail -n 40 "$1"
	fi
}

# One guest: boots it, runs its programs, reports TAP and adds up.
#   run_guest <release> <module dir> <label> <results dir> <wide: 0|1> <program>...
run_guest() {
	local rel=$1 moddir=$2 label=$3 out=$4 wide=$5 try guest_status p f s
	shift 5
	echo "# kernel $label"
	echo "TAP version 13"
	mkdir -p "$out"
	rm -f "$out"/console.boot*.log

	for ((try = 1; ; try++)); do
		boot_guest "$rel" "$label" "$moddir" "$out" "$wide" "$@"
		[ $guest_status -ne 0 ] && [ $try -lt "$BOOT_TRIES" ] &&
			died_before_init "$out" || break
		# Shown, so that a kernel that stops booting for good is seen
		# long before it runs out of tries.
		cp "$out/console.log" "$out/console.boot$try.log"
		echo "# $label: boot $try died before /init (nothing of bpfrb had run), booting again; its console ($out/console.boot$try.log):"
		oops_excerpt "$out/console.log" | tr -d '\r' | sed 's/^/#   /'
	done

	touch "$out/results.log"
	"$TOP/scripts/tap-report.sh" "$out/results.log" "$label" | tee "$out/tap.txt"
	read -r p f s < <(sed -n 's/^# totals: pass=\([0-9]*\) fail=\([0-9]*\) skip=\([0-9]*\)$/\1 \2 \3/p' "$out/tap.txt")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	# A guest that failed and left no failing test behind (it never
	# started, or its results say nothing) is a failure of its own.
	if [ $guest_status -ne 0 ] && [ "$f" -eq 0 ]; then
		fail_step "$label/guest: exit status $guest_status"
		f=1
	fi

	if [ "$f" -gt 0 ] || [ $guest_status -ne 0 ]; then
		sed 's/^/# /' "$out/guest.err"
		echo "# --- last lines of the kernel console ($out/console.log) ---"
		tail -n 40 "$out/console.log" | tr -d '\r' | sed 's/^/# /'
	fi
}

# A program asked for by name that does not exist fails: a typo in TESTS
# must not pass as "nothing failed".
for t in ${TESTS:-}; do
	[ -f "$TOP/tests/selftests/$t.c" ] || fail_step "tests: no program named $t"
done

mapfile -t programs < <(guest_programs 0)
mapfile -t wide_programs < <(guest_programs 1)

for rel in $rels; do
	name=${CHECK_NAME:-check}
	moddir=${MODULE_DIR:-$BUILD/$rel}
	if [ -z "${MODULE_DIR:-}" ] && ! "$TOP/scripts/build-module.sh" "$rel" 2>"$BUILD/guest-build.err"; then
		echo "# kernel $rel"
		sed 's/^/#   /' "$BUILD/guest-build.err"
		fail_step "$rel/build: bpfrb.ko and bpfrb_test.ko"
		echo "1..1"
		continue
	fi
	if [ ${#programs[@]} -gt 0 ]; then
		run_guest "$rel" "$moddir" "$rel" "$BUILD/guest/$rel/$name" 0 "${programs[@]}"
	fi
	if [ ${#wide_programs[@]} -gt 0 ]; then
		run_guest "$rel" "$moddir" "$rel-wide" "$BUILD/guest/$rel/$name-wide" 1 \
			"${wide_programs[@]}"
	fi
done

summary
[ $failed -eq 0 ]
