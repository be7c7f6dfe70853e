#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make checkpatch`: the kernel's checkpatch.pl over every file of the module.
#
# checkpatch.pl and the two data files it reads next to itself (spelling.txt,
# const_structs.checkpatch) come from Debian's linux-source-6.1 tarball, so
# the rules are those of the kernel we are modelled on; they are extracted
# into build/checkpatch/ once. The options are in .checkpatch.conf, which
# checkpatch.pl reads from the directory it runs in (the top of the repo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null) ||
	die "linux-source-6.1 is not installed (scripts/deps.sh installs it)"

tool=$BUILD/checkpatch
if [ ! -x "$tool/checkpatch.pl" ] || [ "$tarball" -nt "$tool/checkpatch.pl" ]; then
	say "  EXTRACT checkpatch.pl"
	mkdir -p "$tool"
	tar -xJf "$tarball" -C "$tool" --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch "$tool/checkpatch.pl"
fi

cd "$TOP"
# Every tracked kernel source: the module, the test module, the bench
# module and the headers (never kbuild's generated *.mod.c).
mapfile -t files < <(git ls-files 'src/*.[ch]' 'tests/module/*.[ch]' \
	'bench/kmod/*.[ch]' 'include/*')
[ ${#files[@]} -gt 0 ] || die "no files to check"

# One run per file: checkpatch's verdict and summary are per file, and a
# failing file must not hide the ones after it.
bad=0
for f in "${files[@]}"; do
	perl "$tool/checkpatch.pl" -f "$f" >"$tool/out.txt" 2>&1 || {
		cat "$tool/out.txt"
		bad=$((bad + 1))
	}
done
echo "checkpatch: ${#files[@]} files, $bad with findings"
[ $bad -eq 0 ]
