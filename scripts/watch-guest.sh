#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Watchdog for a `make check` guest: stop it as soon as it is clearly hung,
# rather than at the end of the whole guest's time limit.
#
#   scripts/watch-guest.sh <outdir> <boot seconds> <slack seconds>
#
# It follows <outdir>/results.log (scripts/guest/run-tests' markers). The
# guest kills a program itself when the program's limit runs out, so when a
# program is still not over after its limit plus <slack>, or the next marker
# does not come <slack> after the previous program ended, the guest's kernel
# is stuck: the watchdog stops QEMU (<outdir>/qemu.pid, written by
# scripts/run-guest.sh) and says why on stderr. A soft lockup or RCU stall
# on the console cuts the wait to a minute. It returns when the guest
# reaches its end or QEMU is gone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

outdir=${1:?usage: watch-guest.sh <outdir> <boot seconds> <slack seconds>}
boot=${2:?boot seconds}
slack=${3:?slack seconds}
results=$outdir/results.log
default_limit=${BPFRB_TEST_TIMEOUT:-180}
limits=$(test_timeouts)

limit_of() {
	local t
	t=$(awk -v p="$1" '$1 == p { print $2 }' <<<"$limits")
	echo "${t:-$default_limit}"
}

# Wait for run-guest.sh to start QEMU.
for _ in $(seq 60); do
	[ -s "$outdir/qemu.pid" ] && break
	sleep 1
done
pid=$(cat "$outdir/qemu.pid" 2>/dev/null) || exit 0

deadline=$(($(date +%s) + boot))
what="the guest to boot and load the modules"
last=
while kill -0 "$pid" 2>/dev/null; do
	sleep 5
	marker=$(grep -a -E '^BPFRB-(BEGIN|END|EXIT) ' "$results" 2>/dev/null | tail -n 1 || true)
	if [ "$marker" != "$last" ]; then
		last=$marker
		set -- $marker
		case ${1:-} in
		BPFRB-BEGIN)
			deadline=$(($(date +%s) + $(limit_of "$2") + slack))
			what="$2 (limit $(limit_of "$2") s) to end" ;;
		BPFRB-END)
			deadline=$(($(date +%s) + slack))
			what="the checks after $2" ;;
		BPFRB-EXIT)
			exit 0 ;;
		esac
	fi
	# A CPU stuck in the kernel (soft lockup, RCU stall) rarely comes back:
	# give the guest one more minute from the first such report, not the
	# rest of the program's limit.
	stalls=$(grep -a -c -E 'soft lockup - CPU|rcu_.*detected stalls' "$outdir/console.log" 2>/dev/null || true)
	if [ "${stalls:-0}" -gt "${seen_stalls:-0}" ]; then
		seen_stalls=$stalls
		soon=$(($(date +%s) + 60))
		if [ "$soon" -lt "$deadline" ]; then
			deadline=$soon
			what="$what after a CPU lockup in the kernel"
		fi
	fi
	if [ "$(date +%s)" -gt "$deadline" ]; then
		say "watchdog: gave up waiting for $what: the guest looks hung, stopping it"
		kill "$pid" 2>/dev/null || true
		exit 0
	fi
done
