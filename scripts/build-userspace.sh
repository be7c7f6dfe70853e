#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build what runs in user space, once for all kernels: libbpfrb and the CLI
# (userspace/ -> build/userspace/), then the test programs and helper tools
# (tests/ -> build/tests/, static, since the guest has no libc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

say "  BUILD   userspace, tests"
make -C "$TOP/userspace" --no-print-directory
make -C "$TOP/tests" --no-print-directory
