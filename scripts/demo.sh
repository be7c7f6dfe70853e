#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the main job, live, in a QEMU guest with bpfrb loaded.
#
#   scripts/demo.sh [<command> [<args>...]]
#
# Without arguments it runs /bpfrb/tools/bpfrb-demo (tests/tools/bpfrb-demo.c):
# a ring, records produced from every CPU by the test module, consumed and
# printed with a summary. Its output streams to the terminal and the script
# exits with its status.
#
# Environment: KERNEL=6.1 (default) | 6.12 | debug | <release>;
# DEMO_TIMEOUT=<s> (default 300, debug kernel: 900); MODULE_DIR as in
# scripts/run-guest.sh; SKIP_DEPS=1 skips scripts/deps.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "${SKIP_DEPS:-0}" = 1 ] || "$TOP/scripts/deps.sh"
"$TOP/scripts/build-userspace.sh" >&2

[ $# -gt 0 ] || set -- /bpfrb/tools/bpfrb-demo
kernel=${KERNEL:-6.1}
rel=$("$TOP/scripts/kernels.sh" "$kernel")
limit=${DEMO_TIMEOUT:-300}
has_kmemleak "$rel" && limit=${DEMO_TIMEOUT:-900}

say "demo: booting $rel, running: $*"
exec "$TOP/scripts/run-guest.sh" -f -k "$rel" -t "$limit" -o "$BUILD/guest/$rel/demo" -- "$@"
