#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job, inside a `make demo` guest (busybox sh): trace process
# fork, exec and exit with `bpfrb trace --proc` while a workload of many
# short processes runs on every CPU, print the event stream and a summary,
# then check the stream:
#
#   - ring order is one global order: every workload child's fork comes
#     before its exec, and its exec before its exit, whichever CPUs they
#     ran on;
#   - no event of a process comes after its exit;
#   - on each CPU, timestamps never go back in ring order;
#   - nothing was dropped, and every child that exec'd was seen exiting.
#
# Run by scripts/demo.sh as the guest's job.
#
# Environment: DEMO_ROUNDS (per CPU, default 100).
# Exit status 0 when every check passes, 1 otherwise.

rounds=${DEMO_ROUNDS:-100}
cpus=$(nproc)
events=/tmp/demo-events.json
trace_err=/tmp/demo-trace.err

fail() {
	echo "demo: FAIL: $*"
	exit 1
}

# The stream as it comes, one readable line per event (from the JSON).
pretty='
function field(name,   re, v) {
	re = "\"" name "\":\"?[^,\"}]*"
	if (!match($0, re))
		return ""
	v = substr($0, RSTART, RLENGTH)
	sub("^\"" name "\":\"?", "", v)
	return v
}
/"summary"/ { next }
{
	ev = field("event"); extra = ""
	if (ev == "exec")
		extra = "ret " field("ret")
	else if (ev == "exit") {
		# do_exit() gives a wait status: signal in bits 0-6.
		code = field("code") + 0
		extra = code % 128 ? "signal " code % 128 : "status " int(code / 256) % 256
	}
	else if (ev == "clone")
		extra = "child " field("child")
	ts = field("ts_ns")
	printf "%10s.%09s cpu%s %6s %6s %-16s %-5s %s\n", substr(ts, 1, length(ts) - 9),
	       substr(ts, length(ts) - 8), field("cpu"), field("pid"), field("tgid"),
	       field("comm"), ev, extra
	fflush()
}'

# The children are a real program, never a busybox applet (which the
# shell may run without exec): a copy of bpfrb, so that its comm is "child".
cp /bin/bpfrb /tmp/child || fail "cannot copy /bin/bpfrb"

echo "demo: bpfrb trace --proc on $cpus CPUs; workload: $rounds rounds per CPU of"
echo "demo:   fork + exec /tmp/child --version + exit 0, and fork + exec /tmp/child bogus + exit 2"
echo

bpfrb trace --proc --json >$events 2>$trace_err &
tracer=$!

# Wait until the probes are attached (the listing shows them).
i=0
until bpfrb list --json 2>/dev/null | grep -q '"name":"bpfrb-trace-[0-9]*".*"probes":[1-9]'; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat $trace_err; fail "bpfrb trace did not start"; }
	kill -0 $tracer 2>/dev/null || { cat $trace_err; fail "bpfrb trace exited"; }
	sleep 0.1
done
echo "demo: the ring while tracing:"
bpfrb list
echo

# The workload: one loop pinned to each CPU.
cpu=0
while [ $cpu -lt "$cpus" ]; do
	taskset -c $cpu sh -c "
		i=0
		while [ \$i -lt $rounds ]; do
			/tmp/child --version >/dev/null
			/tmp/child bogus 2>/dev/null
			i=\$((i + 1))
		done" &
	cpu=$((cpu + 1))
done
wait_workers() {
	for pid in $(jobs -p); do
		[ "$pid" = $tracer ] || wait "$pid"
	done
}
wait_workers

kill -INT $tracer
wait $tracer
status=$?
[ $status -eq 0 ] || { cat $trace_err; fail "bpfrb trace exited with $status"; }

awk "$pretty" $events
echo
echo "demo: bpfrb's summary:"
grep '"summary"' $events
cat $trace_err

# The checks, over the JSON stream in ring order.
awk '
function num(name,   re, v) {
	re = "\"" name "\":-?[0-9]+"
	if (!match($0, re))
		return -1
	v = substr($0, RSTART, RLENGTH)
	sub("^\"" name "\":", "", v)
	return v + 0
}
function bad(msg) {
	errors++
	if (errors <= 10)
		print "demo: out of order: " msg ": " $0
}
/"summary"/ {
	drops = num("drops")
	next
}
{
	n++
	pid = num("pid"); cpu = num("cpu"); ts = num("ts_ns")
	ev = $0; sub(/.*"event":"/, "", ev); sub(/".*/, "", ev)
	if ((cpu in last_ts) && ts < last_ts[cpu])
		bad("timestamp went back on cpu " cpu)
	last_ts[cpu] = ts
	if (prev_ts != "" && ts < prev_ts)
		global_inversions++
	prev_ts = ts
	cpus_seen[cpu] = 1

	if (ev == "fork") {
		# A new task (pids are not reused this soon: a reuse restarts it).
		state[pid] = "forked"
		next
	}
	if (state[pid] == "exited")
		bad("event after exit of " pid)
	if (ev == "exec" && $0 ~ /"comm":"child"/) {
		execs++
		if (state[pid] != "forked")
			bad("exec of " pid " without its fork before it")
		state[pid] = "exec"
		child[pid] = 1
	} else if (ev == "exit") {
		if ((pid in child) && state[pid] == "exec")
			complete++
		if (state[pid] != "")
			state[pid] = "exited"
	}
}
END {
	missing = 0
	for (p in child)
		if (state[p] != "exited")
			missing++
	ncpus = 0
	for (c in cpus_seen)
		ncpus++
	printf "demo: %d events on %d CPUs; %d children exec'\''d /tmp/child, %d seen fork -> exec -> exit in order\n",
	       n, ncpus, execs, complete
	printf "demo: cross-CPU timestamp inversions in ring order: %d (ordering is the ring'\''s, see docs/DESIGN.md)\n",
	       global_inversions
	if (drops != 0) {
		print "demo: FAIL: " drops " events dropped"
		exit 1
	}
	if (errors) {
		print "demo: FAIL: " errors " events out of order"
		exit 1
	}
	if (missing || execs == 0) {
		print "demo: FAIL: " missing " children exec'\''d but never exited (or none ran)"
		exit 1
	}
	print "demo: PASS: every child'\''s fork precedes its exec and its exit; no event out of order"
}' $events
