# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts/dkms-*.sh scripts: names and checks they share.

DKMS_NAME=bpfrb
# In /usr/src/bpfrb-<version>/: this copy belongs to make dkms-install.
DKMS_MARKER=.installed-by-make-dkms-install

dkms_require_root_and_dkms()
{
	if [ "$(id -u)" != 0 ]; then
		echo "$0: DKMS needs root" >&2
		exit 1
	fi
	if ! command -v dkms >/dev/null; then
		echo "$0: dkms is not installed (apt-get install dkms)" >&2
		exit 1
	fi
}

# Kernel releases whose build tree (headers) is installed.
dkms_kernels_with_headers()
{
	for build in /lib/modules/*/build; do
		[ -e "$build/Makefile" ] || continue
		kver=${build%/build}
		echo "${kver#/lib/modules/}"
	done
}

# Versions of bpfrb registered with DKMS, one per line ("bpfrb/<version>,
# ..." or "bpfrb/<version>: added" from dkms 3; "bpfrb, <version>, ..."
# from dkms 2).
dkms_registered_versions()
{
	dkms status -m "$DKMS_NAME" 2>/dev/null |
		sed -n -E "s#^$DKMS_NAME(/| *, *)([^,: ]+).*#\\2#p" | sort -u
}
