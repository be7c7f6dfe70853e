#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness's own test: feed scripts/tap-report.sh made-up guest results,
# one counting rule each, and compare the totals; and scripts/version.sh on
# made-up tags. No guest, a second or two.
#
#   scripts/selftest-harness.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# expect <name> <pass> <fail> <skip>, results.log on stdin
expect() {
	local name=$1 want="pass=$2 fail=$3 skip=$4" got
	cat >"$tmp/results.log"
	got=$("$TOP/scripts/tap-report.sh" "$tmp/results.log" k | sed -n 's/^# totals: //p')
	if [ "$got" = "$want" ]; then
		echo "ok - $name"
	else
		echo "not ok - $name: want $want, got $got"
		"$TOP/scripts/tap-report.sh" "$tmp/results.log" k | sed 's/^/    /'
		bad=$((bad + 1))
	fi
}

expect "cases pass, skip by RUN name, fail" 2 1 1 <<'EOF'
BPFRB-BEGIN a
TAP version 13
1..4
#  RUN           f.one ...
ok 1 f.one
#  RUN           f.two ...
ok 2 f.two
#  RUN           f.three ...
ok 3 # SKIP no device
#  RUN           f.four ...
not ok 4 f.four
BPFRB-END a rc=1 timeout=0 secs=1
BPFRB-EXIT 0
EOF

expect "program without cases: 0 passes, 4 skips, other fails" 1 1 1 <<'EOF'
BPFRB-BEGIN plain
BPFRB-END plain rc=0 timeout=0 secs=0
BPFRB-BEGIN skipper
1..0 # SKIP nothing to do
BPFRB-END skipper rc=4 timeout=0 secs=0
BPFRB-BEGIN crasher
BPFRB-END crasher rc=139 timeout=0 secs=0
BPFRB-EXIT 0
EOF

expect "timeout after a passing case is one failure" 1 1 0 <<'EOF'
BPFRB-BEGIN slow
1..2
ok 1 f.quick
#  RUN           f.slow ...
BPFRB-END slow rc=137 timeout=1 secs=180
BPFRB-EXIT 0
EOF

expect "non-zero exit without a failing case fails" 1 1 0 <<'EOF'
BPFRB-BEGIN odd
1..1
ok 1 f.only
BPFRB-END odd rc=2 timeout=0 secs=0
BPFRB-EXIT 0
EOF

expect "fewer cases than planned fails" 1 1 0 <<'EOF'
BPFRB-BEGIN short
1..3
ok 1 f.only
BPFRB-END short rc=0 timeout=0 secs=0
BPFRB-EXIT 0
EOF

expect "XFAIL passes" 1 0 0 <<'EOF'
BPFRB-BEGIN x
1..1
ok 1 # XFAIL known
BPFRB-END x rc=0 timeout=0 secs=0
BPFRB-EXIT 0
EOF

expect "dirty kernel log and failed checks count once each" 2 2 0 <<'EOF'
BPFRB-BEGIN a
1..1
ok 1 f.one
BPFRB-END a rc=0 timeout=0 secs=0
BPFRB-KLOG a dirty
klog: WARNING: CPU: 0 PID: 1 at somewhere
BPFRB-CHECK kmemleak fail
klog: unreferenced object 0x1 (size 8):
BPFRB-CHECK unload-modules ok
BPFRB-EXIT 0
EOF

expect "a guest that dies mid-program fails it and the run" 0 2 0 <<'EOF'
BPFRB-BEGIN a
1..1
#  RUN           f.one ...
EOF

expect "a job that fails to start is one failure" 0 1 0 <<'EOF'
bpfrb-guest: insmod /bpfrb/bpfrb.ko failed: Invalid module format
BPFRB-EXIT 1
EOF

# died <name> <want: yes|no>: died_before_init on console.log from stdin and
# results.log from $results (empty when unset)
died() {
	local name=$1 want=$2 got=no
	mkdir -p "$tmp/guest"
	cat >"$tmp/guest/console.log"
	printf '%s' "${results:-}" >"$tmp/guest/results.log"
	died_before_init "$tmp/guest" && got=yes
	if [ "$got" = "$want" ]; then
		echo "ok - $name"
	else
		echo "not ok - $name: died before /init? want $want, got $got"
		bad=$((bad + 1))
	fi
}

died "a kernel that oopses in its initcalls dies before /init" yes <<'EOF'
[    3.449954] Call Trace:
[    3.451846]  do_one_initcall+0x5b/0x320
EOF

died "a kernel that ran /init did not die before it" no <<'EOF'
[    4.238917] Run /init as init process
[   20.000000] BUG: kernel NULL pointer dereference, address: 0000000000000000
EOF

results="BPFRB-EXIT 0
" died "a guest that reached its end did not die before /init" no </dev/null

# version_is <name> <tag, or "" for none> <want>: scripts/version.sh in a
# one-commit repository with that tag ("fails" for a refused tag).
version_is() {
	local name=$1 tag=$2 want=$3 repo=$tmp/version got
	rm -rf "$repo" && mkdir -p "$repo/scripts"
	cp "$TOP/scripts/version.sh" "$repo/scripts/"
	git -C "$repo" init -q
	git -C "$repo" add .
	git -C "$repo" -c user.name=t -c user.email=t@t commit -qm t
	[ -z "$tag" ] || git -C "$repo" tag "$tag"
	got=$("$repo/scripts/version.sh" 2>/dev/null) || got=fails
	if [ "$got" = "$want" ]; then
		echo "ok - $name"
	else
		echo "not ok - $name: want $want, got $got"
		bad=$((bad + 1))
	fi
}

version_is "version of a release tag" v1.2.3 1.2.3
version_is "a pre-release tag sorts before its release" v1.2.3-rc1 "1.2.3~rc1"
version_is "a tag Debian cannot take is refused" "v1.2.3@x" fails

if [ $bad -gt 0 ]; then
	echo "selftest-harness: $bad failed"
	exit 1
fi
echo "selftest-harness: all passed"
