# SPDX-License-Identifier: GPL-2.0
#
# bpfrb top-level Makefile.
#
#   make                    module (+ test module) for the running kernel, library, tools, tests
#   make KVER=6.1.0-56-amd64  the same for another installed kernel
#   make KDIR=/path/to/build  the same for any kernel build tree
#   make check              the whole test suite in QEMU guests (see README.md)
#   make demo               the main job in a QEMU guest
#   make bench              the benchmark matrix in a QEMU guest (docs/BENCHMARKS.md);
#                           BENCH_ARGS="-b 3 -d 5" for more boots / seconds
#
# DKMS builds for kernels that are not running, so KDIR never relies on
# `uname -r` alone: KVER or KDIR picks the kernel.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

.PHONY: all modules userspace tests clean check demo bench checkpatch

all: modules userspace tests

# Module targets go to kbuild; the object lists are in Kbuild only.
modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace:
	$(MAKE) -C userspace

tests: userspace
	$(MAKE) -C tests

check:
	scripts/check.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh $(BENCH_ARGS)

checkpatch:
	scripts/checkpatch.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C tests clean
	rm -rf build dkms.conf

# DKMS and Debian packages (docs/PACKAGING.md). dkms-install builds and
# installs bpfrb.ko for $(KVER) (or DKMS_KERNELS="kver... | all"), never
# relying on the running kernel alone.
DKMS_KERNELS ?= $(KVER)

.PHONY: dkms.conf dkms-install dkms-uninstall deb dkms-test

# The version comes from scripts/version.sh each time: always regenerate.
dkms.conf:
	scripts/dkms-conf.sh $@

dkms-install:
	scripts/dkms-install.sh $(DKMS_KERNELS)

dkms-uninstall:
	scripts/dkms-uninstall.sh

deb:
	scripts/deb-build.sh

dkms-test:
	scripts/dkms-test.sh
