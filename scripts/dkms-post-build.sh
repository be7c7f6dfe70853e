#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run by DKMS in its build directory after each build (POST_BUILD in
# dkms.conf):
#
#   scripts/dkms-post-build.sh DIR     DIR: ${dkms_tree}/bpfrb/<version>/<kernel>/<arch>
#
# Keeps bpfrb's Module.symvers in DIR, beside DKMS's copy of the built
# module: DKMS deletes its build directory after the build, and a module
# that calls bpfrb's exported API is built with this file
# (KBUILD_EXTRA_SYMBOLS; docs/PACKAGING.md). DIR goes when DKMS removes
# bpfrb for that kernel.

set -eu
dir=${1:?usage: dkms-post-build.sh DIR}
cp Module.symvers "$dir/Module.symvers"
