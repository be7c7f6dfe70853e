#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs what `make bench` needs on a Debian 12 host: the BPF toolchain
# (the BPF peers are built with Debian's clang, libbpf and bpftool, never
# with anything vendored), the ELF/zlib libraries libbpf links against,
# gnuplot for the chart and python3 for the report.
set -e

pkgs="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev liburing-dev
      gnuplot-nox python3 qemu-system-x86 busybox-static cpio pkg-config
      build-essential"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "bench-deps: installing$missing"
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
