#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn one guest's results.log (written by scripts/guest/run-tests) into TAP.
#
#   scripts/tap-report.sh <results.log> <label>
#
# Counting rules:
# - every kselftest case line counts once: "ok" passes, "ok N # SKIP" skips
#   (never a pass), "not ok" fails;
# - a program without case lines counts once: exit 0 passes, 4 (KSFT_SKIP)
#   skips, anything else fails;
# - a program that times out, dies after its cases, exits non-zero without a
#   failing case, or reports fewer cases than its plan adds one failure;
# - a dirty kernel log after a program adds one failure naming it;
# - a program whose end marker is missing (the next one began) fails;
# - a guest that did not reach the end adds one failure.
# Failures carry the program's output (and the kernel log) as "#" lines.
# The last line is "# totals: pass=P fail=F skip=S" for scripts/check.sh.
set -euo pipefail

results=${1:?usage: tap-report.sh <results.log> <label>}
label=${2:?label}

awk -v label="$label" '
function result(ok, name, directive) {
	n++
	if (!ok)
		fails++
	else if (directive ~ /^SKIP/)
		skips++
	else
		passes++
	printf "%sok %d %s/%s%s\n", ok ? "" : "not ", n, label, name,
		directive != "" ? " # " directive : ""
}
function diag(text,    i, cnt, lines) {
	cnt = split(text, lines, "\n")
	for (i = (cnt > 60 ? cnt - 60 : 1); i <= cnt; i++)
		if (lines[i] != "")
			print "#   " lines[i]
}
function end_prog(rc, timed_out, secs,    failed_before) {
	failed_before = fails
	if (timed_out)
		result(0, prog, "")
	else if (cases == 0 && rc == 0)
		result(1, prog, "")
	else if (cases == 0 && rc == 4)
		result(1, prog, "SKIP " (skip_reason != "" ? skip_reason : "exit status 4"))
	else if (cases == 0)
		result(0, prog ": exit status " rc, "")
	else if (rc != 0 && rc != 4 && case_fails == 0)
		result(0, prog ": exit status " rc " with no failing case", "")
	else if (plan > cases && case_fails == 0)
		result(0, prog ": " cases " of " plan " cases reported", "")
	if (timed_out)
		print "#   " prog " timed out after " secs " s"
	if (fails > failed_before)
		diag(output)
	prog = ""
}
/^BPFRB-BEGIN / {
	# The previous program never reported its end: never a pass.
	if (prog != "") {
		result(0, prog ": its end was not reported", "")
		diag(output)
	}
	prog = $2; output = ""; cases = 0; case_fails = 0; plan = 0
	last_run = ""; skip_reason = ""
	next
}
/^BPFRB-END / {
	rc = $3; sub(/^rc=/, "", rc)
	to = $4; sub(/^timeout=/, "", to)
	secs = $5; sub(/^secs=/, "", secs)
	end_prog(rc + 0, to == "1", secs)
	next
}
/^BPFRB-KLOG / {
	result(0, $2 ": kernel log shows a splat", "")
	in_klog = 1
	next
}
/^BPFRB-CHECK / {
	result($3 == "ok", $2, "")
	in_klog = ($3 != "ok")
	next
}
/^BPFRB-EXIT / {
	exited = 1
	if ($2 != "0")
		result(0, "guest job: exit status " $2, "")
	next
}
/^klog: / {
	if (in_klog)
		print "#   " substr($0, 7)
	next
}
prog == "" {
	# Outside any program: init complaining (insmod failed) and such.
	print "# " $0
	next
}
{
	output = output $0 "\n"
	if (match($0, /^# +RUN +[^ ]+/)) {
		last_run = $0
		sub(/^# +RUN +/, "", last_run)
		sub(/ .*/, "", last_run)
	} else if ($0 ~ /^1\.\.[0-9]+/) {
		plan = substr($1, 4) + 0
		if ($0 ~ /# SKIP/) {
			skip_reason = $0
			sub(/.*# SKIP */, "", skip_reason)
		}
	} else if ($0 ~ /^(not )?ok [0-9]+/) {
		ok = ($1 == "ok")
		rest = $0
		sub(/^(not )?ok [0-9]+ */, "", rest)
		directive = ""
		if (match(rest, /# *(SKIP|XFAIL|error)/)) {
			directive = substr(rest, RSTART)
			sub(/^# */, "", directive)
			rest = substr(rest, 1, RSTART - 1)
			sub(/ +$/, "", rest)
		}
		name = rest != "" ? rest : last_run
		cases++
		if (directive ~ /^SKIP/) {
			result(1, prog "/" name, directive)
		} else if (directive ~ /^XFAIL/) {
			result(1, prog "/" name, "")
		} else {
			if (!ok)
				case_fails++
			result(ok, prog "/" name, "")
			if (!ok)
				diag(output)
		}
	}
}
END {
	if (prog != "") {
		result(0, prog ": the guest hung or died while it ran", "")
		diag(output)
	}
	if (!exited)
		result(0, "guest: did not reach the end", "")
	printf "1..%d\n", n
	printf "# totals: pass=%d fail=%d skip=%d\n", passes, fails, skips
}
' "$results"
