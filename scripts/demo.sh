#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the main job, live, in a QEMU guest with bpfrb loaded.
#
#   scripts/demo.sh [<command> [<args>...]]
#
# Without arguments it runs scripts/demo-proc.sh in the guest: `bpfrb trace
# --proc` while many short processes fork, exec and exit on every CPU; the
# event stream and a summary are printed, and the stream is checked (every
# child's fork before its exec and exit, no event out of order, no drops).
# With a command it runs that instead, e.g. /bpfrb/tools/bpfrb-demo (the
# test module producing on every CPU). Output streams to the terminal and
# the script exits with the command's status.
#
# Environment: KERNEL=6.1 (default) | 6.12 | newest | debug | <release>;
# DEMO_ROUNDS=<n> (workload rounds per CPU, default 100);
# DEMO_TIMEOUT=<s> (default 300, debug kernel: 900); MODULE_DIR as in
# scripts/run-guest.sh; SKIP_DEPS=1 skips scripts/deps.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "${SKIP_DEPS:-0}" = 1 ] || "$TOP/scripts/deps.sh"
"$TOP/scripts/build-userspace.sh" >&2

what=$*
if [ $# -eq 0 ]; then
	# The guest job is one command: the script travels as sh -c's argument.
	what="scripts/demo-proc.sh (bpfrb trace --proc)"
	set -- sh -c "$(cat "$TOP/scripts/demo-proc.sh")" demo-proc
fi
kernel=${KERNEL:-6.1}
rel=$("$TOP/scripts/kernels.sh" "$kernel")
limit=${DEMO_TIMEOUT:-300}
has_kmemleak "$rel" && limit=${DEMO_TIMEOUT:-900}

say "demo: booting $rel, running: $what"
exec "$TOP/scripts/run-guest.sh" -f -k "$rel" -t "$limit" -o "$BUILD/guest/$rel/demo" \
	-e DEMO_ROUNDS="${DEMO_ROUNDS:-100}" -- "$@"
