#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the JSON lines of bench boots (scripts/bench-guest.sh) into the
report: a markdown table, a JSON document, the per-mode ratio lines and a
gnuplot chart.

    report.py --out DIR boot1.log [boot2.log ...]

Ratios are only ever taken between runs of the same boot (the TCG guest's
speed moves between boots); with several boots the median ratio is given.
Nothing here passes or fails: the targets are printed with the figures.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

MODES = ["parallel", "b2b", "sampled"]
CONSUMERS = ["lib", "batch", "uring"]
# The two-producer rows: reserve/submit with every consumer, output with
# the batch consumer (as the modes' output rows).
TWO_PRODUCER_ROWS = [("reserve", c) for c in CONSUMERS] + [("output", "batch")]
SIZES = [8, 64, 256, 1024, 4096]
# The guest's CPU model, as scripts/bench.sh booted it (BENCH_CPU).
QEMU_CPU = os.environ.get("BENCH_CPU") or "max"

# Ring sizes (bytes), as scripts/bench-guest.sh runs them: the kernel
# bench's 512 KiB; 4 MiB for record sizes (a batch of 500 x 4 KiB must
# fit) and for the two-producer runs that hold a scheduler slice; 256 MiB
# for producers alone.
RING = 512 * 1024
RING_4M = 4 * 1024 * 1024
RING_ALONE = 256 * 1024 * 1024


def load(path):
    info, runs, errors = {}, [], []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("info"):
                info = d
            elif "error" in d:
                errors.append(d["error"])
            else:
                runs.append(d)
    return {"log": os.path.basename(path), "info": info, "runs": runs,
            "errors": errors}


class Boot:
    """The runs of one boot, averaged over its rounds."""

    def __init__(self, b):
        self.b = b
        self.groups = {}
        # Traced runs (rbbench -T) are a diagnosis, slowed by their own
        # clock reads: they have a table of their own, not these.
        self.traced = [r for r in b["runs"] if "trace" in r]
        for r in b["runs"]:
            if "mode" not in r or "trace" in r:
                continue
            key = (r["peer"], r["consumer"], r["mode"], r["producers"],
                   r["size"], r["ring_size"])
            self.groups.setdefault(key, []).append(r)

    def runs(self, peer, consumer, mode, producers=1, size=8, ring=RING):
        """Every round's run of one configuration, in order."""
        return self.groups.get((peer, consumer, mode, producers, size, ring), [])

    def get(self, peer, consumer, mode, producers=1, size=8, ring=RING):
        rs = self.runs(peer, consumer, mode, producers, size, ring)
        if not rs:
            return None
        out = dict(rs[0])
        for k in ("mrps", "mrps_std", "mbps", "drops_mps", "ns_per_rec",
                  "ns_per_rec_std", "mrps_best", "ns_per_rec_best",
                  "cons_cpu", "cons_passes_ps", "cons_sleeps_ps",
                  "mrps_probe_excl", "ns_per_rec_probe_excl", "idle_call_ns",
                  "prod0_cpu", "prod1_cpu", "prod0_mrps", "prod1_mrps"):
            if all(k in r for r in rs):
                out[k] = statistics.mean(r[k] for r in rs)
        for k in ("lat_p50_ns", "lat_p99_ns"):
            out[k] = statistics.median(r[k] for r in rs)
        out["lat_max_ns"] = max(r["lat_max_ns"] for r in rs)
        out["rounds"] = len(rs)
        return out

    def memcpy_user(self, size):
        for r in self.b["runs"]:
            if r["peer"] == "memcpy-user" and r["size"] == size:
                return r["mbps"]
        return None


def ratio(a, b, key="mrps"):
    if not a or not b or not b.get(key):
        return None
    return a[key] / b[key]


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def geomean(vals):
    vals = [v for v in vals if v]
    if not vals:
        return None
    p = 1.0
    for v in vals:
        p *= v
    return p ** (1.0 / len(vals))


def fmt(v, nd=2):
    return "—" if v is None else f"{v:.{nd}f}"


def fmt_tp(r):
    if not r:
        return "—"
    return f"{r['mrps']:.2f} ± {r['mrps_std']:.2f}"


def fmt_lat(r):
    if not r or not r["lat_samples"]:
        return "—"
    return (f"{r['lat_p50_ns'] / 1e3:.0f} / {r['lat_p99_ns'] / 1e3:.0f} / "
            f"{r['lat_max_ns'] / 1e3:.0f}")


def fmt_rtt(r):
    """The host's line round trip before / after the run (ns), first
    round; older logs have none."""
    rtt = r and r.get("line_rtt_ns")
    if not rtt or min(rtt) < 0:
        return "—"
    return f"{rtt[0]:.0f} / {rtt[1]:.0f}"


def written(r):
    """What the producers wrote: received plus dropped, M records/s."""
    return r and r["mrps"] + r["drops_mps"]


def irq_work_ps(r):
    """IRQ work interrupts per second, all CPUs: the rings' wakeups."""
    return r and "IWI_ps" in r and sum(r["IWI_ps"]) or None


def cons_ns(r):
    """Consumer thread CPU ns per record received."""
    return r and r.get("cons_cpu") and r["mrps"] and r["cons_cpu"] * 1e3 / r["mrps"]


def committed_run(r):
    """A run without a consumer, as {"mrps": records committed, M/s}:
    what the probe wrote less what the ring refused."""
    return r and {"mrps": r["mrps"] - r["drops_mps"]}


def ratio_written(a, b):
    wa, wb = written(a), written(b)
    return wa / wb if wa and wb else None


# What a cache line shared by CPUs 0 and 1 costs in the host's cheap
# phases (55-120 ns per round trip) and dear ones (330-400).
PHASE_SPLIT_NS = 200


def host_phase(r):
    """"cheap" or "dear": the host's phase around a run, when the line's
    round trip just before and just after it (line_rtt_ns) fell on the
    same side; None when they did not, or the log predates the reading."""
    rtt = r.get("line_rtt_ns")
    if not rtt or min(rtt) < 0:
        return None
    if max(rtt) < PHASE_SPLIT_NS:
        return "cheap"
    if min(rtt) >= PHASE_SPLIT_NS:
        return "dear"
    return None


def two_producers_by_phase(boots):
    """Two-producer ratios of the runs whose bpfrb and BPF halves met the
    same host phase, over every boot and consumer: what the ring does
    when the price of a shared line is the same for both."""
    out = {}
    for ring, name in ((RING, "512 KiB"), (RING_4M, "4 MiB")):
        by = {"cheap": [], "dear": []}
        for bt in boots:
            for c in CONSUMERS:
                for a, b in zip(bt.runs("bpfrb-reserve", c, "parallel", 2, ring=ring),
                                bt.runs("bpf-rb-reserve", c, "parallel", 2, ring=ring)):
                    ph = host_phase(a)
                    if ph and ph == host_phase(b):
                        by[ph].append(ratio(a, b))
        out[name] = {ph: {"pairs": len(v), "median": med(v),
                          "min": min(v, default=None), "max": max(v, default=None)}
                     for ph, v in by.items()}
    return out


def alternating_ratios(bt):
    """A boot's ratios from the alternating runs (set alt, rbbench -a):
    back-to-back as received per second of each peer's turns, cost as
    BPF's time per record over bpfrb's; each also with the idle call's
    time taken out of every turn ("probe excluded")."""
    s = {}
    for suffix, mkey, nkey in (("", "mrps", "ns_per_rec"),
                               ("_probe_excl", "mrps_probe_excl",
                                "ns_per_rec_probe_excl")):
        rs = {c: ratio(bt.get("bpfrb-reserve", c, "b2b-alt"),
                       bt.get("bpf-rb-reserve", c, "b2b-alt"), mkey)
              for c in CONSUMERS}
        rs["output"] = ratio(bt.get("bpfrb-output", "batch", "b2b-alt"),
                             bt.get("bpf-rb-output", "batch", "b2b-alt"), mkey)
        rs["all"] = geomean([rs[c] for c in CONSUMERS])
        s["b2b_alt" + suffix] = rs
        # bpfrb's cost per record over BPF's, as cost_vs_floor is a cost
        # over the floor's: below 1 is cheaper.
        s["cost_alt" + suffix] = {
            api: ratio(bt.get(f"bpfrb-{api}", "batch", "cost-alt"),
                       bt.get(f"bpf-rb-{api}", "batch", "cost-alt"), nkey)
            for api in ("reserve", "output")}
    rs = {c: ratio(bt.get("bpfrb-reserve", c, "two-alt", 2),
                   bt.get("bpf-rb-reserve", c, "two-alt", 2))
          for c in CONSUMERS}
    rs["all"] = geomean([rs[c] for c in CONSUMERS])
    # Output is shown beside the reserve rows, as for the modes, and is
    # not part of "all".
    rs["output"] = ratio(bt.get("bpfrb-output", "batch", "two-alt", 2),
                         bt.get("bpf-rb-output", "batch", "two-alt", 2))
    s["two_producers_alt"] = rs
    return s


def two_alternating_table(bt, m):
    """Two producers in turns (set two-alt) of the first boot, and the
    medians."""
    rows = []
    for api, c in TWO_PRODUCER_ROWS:
        a = bt.get(f"bpfrb-{api}", c, "two-alt", 2)
        b = bt.get(f"bpf-rb-{api}", c, "two-alt", 2)
        if a and b:
            rows.append(f"| {api} | {c} | {fmt(a['mrps'])} | {fmt(a['drops_mps'], 3)} | "
                        f"{fmt(b['mrps'])} | {fmt(b['drops_mps'], 3)} | "
                        f"{fmt(ratio(a, b))} |")
    if not rows:
        return []
    return ["### Two producers, bpfrb and BPF in turns",
            "",
            "Set `two-alt` (`rbbench -a -m parallel -n 2`, "
            "bench/user/alternate_two.c): both rings loaded at once, the "
            "producers on CPUs 0 and 1 firing bpfrb's trigger or BPF's by "
            "turns of a quarter second (A B B A, then B A A B), each ring's "
            "consumer on CPU 0 throughout. M records/s received (and "
            "dropped) per second of the peer's own turns.",
            "",
            "| API | consumer | bpfrb | drops M/s | BPF ringbuf | drops M/s | ratio |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Median over boots: {fmt(m['two_producers_alt']['all'])} "
            f"(reserve rows; output "
            f"{fmt(m['two_producers_alt']['output'])}).",
            ""]


def two_phases(r):
    """What each producer of a two-alt run wrote while both ran, and what
    producer 1 wrote while the consumer chased it, from the shares of CPU
    0: producer 0 writes only while it holds CPU 0 (share f0), at a rate
    per CPU second taken to be either producer's while both write;
    producer 1 runs throughout, so what it wrote beyond that rate for f0
    of the time came while the consumer held CPU 0. (None, None) for runs
    without the CPU times or where the consumer hardly ran."""
    f0 = r and r.get("prod0_cpu")
    if not f0 or f0 >= 0.99:
        return None, None
    both = r["prod0_mrps"] / f0
    chased = (r["prod1_mrps"] - f0 * both) / (1 - f0)
    return both, chased


def two_alternating_split_table(boots):
    """Per boot, how CPU 0 was shared in the two-alt runs and what each
    producer wrote: the mean over the three reserve rows."""
    rows = []
    for i, bt in enumerate(boots):
        for peer in ("bpfrb-reserve", "bpf-rb-reserve"):
            rs = [bt.get(peer, c, "two-alt", 2) for c in CONSUMERS]
            rs = [r for r in rs if r and "prod0_cpu" in r]
            if not rs:
                continue
            mean = lambda k: statistics.mean(r[k] for r in rs)
            phases = [p for p in map(two_phases, rs) if p[0] is not None]
            if not phases:
                continue
            rows.append(f"| {i + 1} | {peer.split('-reserve')[0]} | "
                        f"{fmt(mean('mrps'))} | {fmt(mean('drops_mps'))} | "
                        f"{fmt(mean('prod0_mrps'))} | {fmt(mean('prod1_mrps'))} | "
                        f"{fmt(mean('cons_cpu'))} | {fmt(mean('prod0_cpu'))} | "
                        f"{fmt(statistics.mean(p[0] for p in phases))} | "
                        f"{fmt(statistics.mean(p[1] for p in phases))} |")
    if not rows:
        return []
    return ["### Two producers in turns: CPU 0 and what each producer wrote",
            "",
            "Set `two-alt`, mean of the lib, batch and uring rows. The "
            "consumer shares CPU 0 with producer 0; producer 1 has CPU 1 "
            "to itself. Received and dropped, then written by each producer "
            "(M records/s of the ring's turns), the share of CPU 0 taken by "
            "the consumer and by producer 0, and two rates derived from "
            "them: per producer while both write (producer 0's writes per "
            "second of its CPU time) and producer 1's while producer 0 is "
            "off CPU 0 and the consumer chases it (what producer 1 wrote "
            "beyond the first rate, over the rest of the time).",
            "",
            "| boot | ring | received | dropped | written, CPU 0 | written, CPU 1 "
            "| consumer CPU | producer 0 CPU | each, both writing | CPU 1's, chased |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            ""]


def alternating_table(bt, m):
    """The alternating runs of the first boot, and the medians."""
    if not bt.get("bpfrb-reserve", "batch", "b2b-alt"):
        return []
    L = ["### Back-to-back and cost, bpfrb and BPF in turns in one thread",
         "",
         "Set `alt` (`rbbench -a`, bench/user/alternate.c): one thread fires "
         "and drains bpfrb's batch and BPF's in turns (A B B A ...), so "
         "that the host's drift within a boot falls on both alike. M "
         "records/s received per second of the peer's own turns; ns per "
         "record written (cost: the trigger alone). Every call fires both "
         "probes; \"probe excluded\" takes out what an idle call (both "
         "probes, nothing produced) took.",
         "",
         "| mode | API | consumer | bpfrb | BPF ringbuf | ratio | probe excluded: bpfrb | BPF | ratio | idle call ns |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for mode in ("b2b-alt", "cost-alt"):
        cost = mode == "cost-alt"
        key, xkey = (("ns_per_rec", "ns_per_rec_probe_excl") if cost
                     else ("mrps", "mrps_probe_excl"))
        for api in ("reserve", "output"):
            cs = CONSUMERS if api == "reserve" and not cost else ["batch"]
            for c in cs:
                a = bt.get(f"bpfrb-{api}", c, mode)
                b = bt.get(f"bpf-rb-{api}", c, mode)
                if not a or not b:
                    continue
                unit = " ns" if cost else ""
                L.append(f"| {mode} | {api} | {c} | {fmt(a[key])}{unit} | "
                         f"{fmt(b[key])}{unit} | {fmt(ratio(a, b, key))} | "
                         f"{fmt(a.get(xkey))}{unit} | {fmt(b.get(xkey))}{unit} | "
                         f"{fmt(ratio(a, b, xkey) if xkey in a else None)} | "
                         f"{fmt(a.get('idle_call_ns'), 0)} |")
    L.append("")
    L.append(f"Medians over boots: back-to-back {fmt(m['b2b_alt']['all'])} "
             f"(probe excluded {fmt(m['b2b_alt_probe_excl']['all'])}); "
             f"bpfrb's cost per record / BPF's: reserve "
             f"{fmt(m['cost_alt']['reserve'])}, output "
             f"{fmt(m['cost_alt']['output'])} (probe excluded "
             f"{fmt(m['cost_alt_probe_excl']['reserve'])}, "
             f"{fmt(m['cost_alt_probe_excl']['output'])}).")
    L.append("")
    return L


def summarize(boots):
    """Per-boot ratios for every target, then their medians."""
    per_boot = []
    for bt in boots:
        s = {}
        for mode in MODES:
            rs = {}
            for c in CONSUMERS:
                rs[c] = ratio(bt.get("bpfrb-reserve", c, mode),
                              bt.get("bpf-rb-reserve", c, mode))
            rs["output"] = ratio(bt.get("bpfrb-output", "batch", mode),
                                 bt.get("bpf-rb-output", "batch", mode))
            rs["all"] = geomean([rs[c] for c in CONSUMERS])
            s[mode] = rs
        s["perfbuf"] = {
            mode: ratio(bt.get("bpfrb-reserve", "lib", mode),
                        bt.get("bpf-pb", "lib", mode))
            for mode in ("parallel", "b2b")}
        s["two_producers"] = {
            c: ratio(bt.get("bpfrb-reserve", c, "parallel", 2),
                     bt.get("bpf-rb-reserve", c, "parallel", 2))
            for c in CONSUMERS}
        s["two_producers_output"] = ratio(
            bt.get("bpfrb-output", "batch", "parallel", 2),
            bt.get("bpf-rb-output", "batch", "parallel", 2))
        s["two_producers_written"] = {
            c: ratio_written(bt.get("bpfrb-reserve", c, "parallel", 2),
                             bt.get("bpf-rb-reserve", c, "parallel", 2))
            for c in CONSUMERS}
        s["two_producers_4m"] = {
            c: ratio(bt.get("bpfrb-reserve", c, "parallel", 2, ring=RING_4M),
                     bt.get("bpf-rb-reserve", c, "parallel", 2, ring=RING_4M))
            for c in CONSUMERS}
        s["two_producers_atomic"] = {
            c: ratio(bt.get("bpfrb-reserve", c, "parallel", 2),
                     bt.get("bpf-rb-reserve-atomic", c, "parallel", 2))
            for c in CONSUMERS}
        # A boot's "all", as for the modes: the geometric mean of its rows.
        for k in ("two_producers", "two_producers_written", "two_producers_4m",
                  "two_producers_atomic"):
            s[k + "_all"] = geomean(s[k].values())
        s["alone"] = {
            n: ratio(committed_run(bt.get("bpfrb-reserve", "none", "parallel", n,
                                          ring=RING_ALONE)),
                     committed_run(bt.get("bpf-rb-reserve", "none", "parallel", n,
                                          ring=RING_ALONE)))
            for n in (1, 2)}
        floor = bt.get("floor", "none", "cost")
        probe = bt.get("probe-only", "none", "cost")
        cost = {}
        for p in ("bpfrb-reserve", "bpfrb-output", "bpf-rb-reserve",
                  "bpf-rb-output"):
            r = bt.get(p, "batch", "cost")
            cost[p] = ratio(r, floor, "ns_per_rec")
            if r and floor and probe and floor["ns_per_rec"] > probe["ns_per_rec"]:
                cost[p + " (probe excluded)"] = (
                    (r["ns_per_rec"] - probe["ns_per_rec"]) /
                    (floor["ns_per_rec"] - probe["ns_per_rec"]))
        s["cost_vs_floor"] = cost
        s.update(alternating_ratios(bt))
        mc = bt.get("memcpy", "none", "b2b", 1, 4096)
        out4k = bt.get("bpfrb-output", "batch", "b2b", 1, 4096, RING_4M)
        s["output_4k_vs_memcpy"] = ratio(out4k, mc, "mbps")
        mu = bt.memcpy_user(4096)
        s["output_4k_vs_memcpy_user"] = (out4k["mbps"] / mu
                                         if out4k and mu else None)
        per_boot.append(s)

    def pick(path):
        vals = []
        for s in per_boot:
            v = s
            for k in path:
                v = v.get(k) if isinstance(v, dict) else None
            vals.append(v)
        return med(vals)

    summary = {"per_boot": per_boot,
               "two_producers_by_phase": two_producers_by_phase(boots)}
    summary["median"] = {
        **{m: {k: pick([m, k]) for k in CONSUMERS + ["output", "all"]}
           for m in MODES},
        "perfbuf": {m: pick(["perfbuf", m]) for m in ("parallel", "b2b")},
        "two_producers": {c: pick(["two_producers", c]) for c in CONSUMERS},
        "two_producers_output": pick(["two_producers_output"]),
        "two_producers_written": {c: pick(["two_producers_written", c])
                                  for c in CONSUMERS},
        "two_producers_4m": {c: pick(["two_producers_4m", c])
                             for c in CONSUMERS},
        "two_producers_atomic": {c: pick(["two_producers_atomic", c])
                                 for c in CONSUMERS},
        **{k + "_all": pick([k + "_all"])
           for k in ("two_producers", "two_producers_written", "two_producers_4m",
                     "two_producers_atomic")},
        "alone": {n: pick(["alone", n]) for n in (1, 2)},
        **{k: {c: pick([k, c]) for c in CONSUMERS + ["output", "all"]}
           for k in ("b2b_alt", "b2b_alt_probe_excl")},
        "two_producers_alt": {c: pick(["two_producers_alt", c])
                              for c in CONSUMERS + ["all", "output"]},
        **{k: {api: pick([k, api]) for api in ("reserve", "output")}
           for k in ("cost_alt", "cost_alt_probe_excl")},
        "cost_vs_floor": {k: pick(["cost_vs_floor", k])
                          for k in per_boot[0]["cost_vs_floor"]} if per_boot else {},
        "output_4k_vs_memcpy": pick(["output_4k_vs_memcpy"]),
        "output_4k_vs_memcpy_user": pick(["output_4k_vs_memcpy_user"]),
    }
    return summary


def targets(m):
    """(what, figure, goal, met) for every target of issue 7."""
    rows = []
    for mode in MODES:
        v = m[mode]["all"]
        rows.append((f"bpfrb / BPF ringbuf, {mode}", v, 1.3))
    v = m["b2b_alt"]["all"]
    rows.append(("bpfrb / BPF ringbuf, b2b, in turns in one thread", v, 1.3))
    v = m["perfbuf"]["parallel"]
    rows.append(("bpfrb / perf buffer, parallel, unsampled", v, 10.0))
    v = m["two_producers_all"]
    rows.append(("bpfrb / BPF ringbuf, 2 producers", v, 1.5))
    v = m["two_producers_alt"]["all"]
    rows.append(("bpfrb / BPF ringbuf, 2 producers, in turns", v, 1.5))
    v = m["cost_vs_floor"].get("bpfrb-reserve")
    rows.append(("floor / bpfrb per-record cost (reserve)",
                 1 / v if v else None, 0.5))
    v = m["output_4k_vs_memcpy"]
    rows.append(("bpfrb 4 KiB output / in-kernel memcpy bandwidth", v, 0.5))
    v = m["output_4k_vs_memcpy_user"]
    rows.append(("bpfrb 4 KiB output / user-space memcpy bandwidth", v, 0.5))
    return [(w, v, g, v is not None and v >= g) for w, v, g in rows]


def two_producers_4m_table(bt):
    """Two producers with 4 MiB rings (set two-4m), if the boot ran them."""
    rows = []
    for c in CONSUMERS:
        a = bt.get("bpfrb-reserve", c, "parallel", 2, ring=RING_4M)
        b = bt.get("bpf-rb-reserve", c, "parallel", 2, ring=RING_4M)
        if a or b:
            rows.append(f"| {c} | {fmt_tp(a)} | {fmt(a and a['drops_mps'], 3)} | "
                        f"{fmt_tp(b)} | {fmt(b and b['drops_mps'], 3)} | "
                        f"{fmt(ratio(a, b))} | {fmt_rtt(a)} | {fmt_rtt(b)} |")
    if not rows:
        return []
    return ["### Two producers, 4 MiB rings",
            "",
            "The same runs with rings that hold what two producers write "
            "while the consumer is off CPU 0 for a scheduler slice "
            "(docs/BENCHMARKS.md, \"Two producers\").",
            "",
            "| consumer | bpfrb | drops M/s | BPF ringbuf | drops M/s | ratio | line ns, bpfrb run | BPF run |",
            "|---|---|---|---|---|---|---|---|",
            *rows, ""]


def two_producers_atomic_table(bt):
    """Two producers against both BPF drop counts (set two-atomic)."""
    rows = []
    for c in CONSUMERS:
        a = bt.get("bpfrb-reserve", c, "parallel", 2)
        b = bt.get("bpf-rb-reserve", c, "parallel", 2)
        k = bt.get("bpf-rb-reserve-atomic", c, "parallel", 2)
        if k:
            rows.append(f"| {c} | {fmt_tp(a)} | {fmt_tp(b)} | "
                        f"{fmt(b and b['drops_mps'], 3)} | {fmt_tp(k)} | "
                        f"{fmt(k['drops_mps'], 3)} | {fmt(ratio(a, b))} | "
                        f"{fmt(ratio(a, k))} |")
    if not rows:
        return []
    return ["### Two producers, BPF's drops counted two ways",
            "",
            "BPF ringbuf with its program's drops counted per CPU (the peer "
            "of every other table, as bpfrb counts its own) and in one "
            "global counter with a locked add (as the kernel's ringbuf "
            "bench counts them): received M/s, drops M/s, and bpfrb's "
            "ratio to each.",
            "",
            "| consumer | bpfrb | BPF, per CPU | drops M/s | BPF, one atomic | "
            "drops M/s | ratio, per CPU | ratio, one atomic |",
            "|---|---|---|---|---|---|---|---|",
            *rows, ""]


def phase_table(by_phase, nboots):
    """two_producers_by_phase(), as a table."""
    rows = [f"| {ring} | {ph} | {v['pairs']} | {fmt(v['median'])} | "
            f"{fmt(v['min'])} – {fmt(v['max'])} |"
            for ring, phases in by_phase.items()
            for ph, v in phases.items() if v["pairs"]]
    if not rows:
        return []
    return [f"### Two producers by host phase ({nboots} boot(s), every consumer)",
            "",
            "bpfrb / BPF ringbuf for the runs whose bpfrb and BPF halves "
            "both met the host's cheap phase (a line's round trip under "
            f"{PHASE_SPLIT_NS} ns just before and after the run) or both its "
            "dear one; pairs that met different phases are left out.",
            "",
            "| ring | phase | pairs | median ratio | range |",
            "|---|---|---|---|---|",
            *rows, ""]


def on_periods(per_ms):
    """The stretches of milliseconds in which the consumer received
    records: [(first ms, length in ms, records)]."""
    out, start = [], None
    for i, v in enumerate(per_ms + [0]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i - start, sum(per_ms[start:i])))
            start = None
    return out


def trace_table(bt):
    """The consumer's passes in traced runs (rbbench -T, set trace)."""
    if not bt.traced:
        return []
    L = ["### The consumer's time, traced (rbbench -T; the clock reads slow "
         "the consumer, so these runs are not compared above)",
         "",
         "A pass's records count in the millisecond it ended. Stretch: "
         "milliseconds in a row in which the consumer received records; "
         "off: the gaps between stretches (CPU 0 running the other producer, "
         "or the consumer inside a long pass that ended later). First ms: "
         "records of a stretch's first millisecond, whose pass drained what "
         "the ring held when the consumer came back; chase: records per "
         "millisecond in the rest of the stretch, but the last. Stretches "
         "cut by the run's start or end are left out.",
         "",
         "| peer | consumer | received M/s | drops M/s | stretches/s | on ms | off ms | per stretch, K | first ms, K | chase, K/ms |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for r in bt.traced:
        pm = r["trace"]["per_ms"]
        st = on_periods(pm)[1:-1]
        secs = len(pm) / 1000 or 1
        offs = [b[0] - (a[0] + a[1]) for a, b in zip(st, st[1:])]
        chase = [v for s0, n, _ in st if n > 2 for v in pm[s0 + 1:s0 + n - 1]]

        def mean(vals, scale=1):
            vals = list(vals)
            return vals and statistics.mean(vals) / scale or None

        L.append(f"| {r['peer']} | {r['consumer']} | {r['mrps']:.2f} | "
                 f"{r['drops_mps']:.2f} | {len(st) / secs:.0f} | "
                 f"{fmt(mean(n for _, n, _ in st), 1)} | {fmt(mean(offs), 1)} | "
                 f"{fmt(mean((k for _, _, k in st), 1e3), 1)} | "
                 f"{fmt(mean((pm[s0] for s0, _, _ in st), 1e3), 1)} | "
                 f"{fmt(mean(chase, 1e3), 1)} |")
    L.append("")
    return L


def markdown(boots, summary):
    bt = boots[0]
    info = bt.b["info"]
    L = []
    L.append(f"Kernel {info.get('kernel', '?')}, guest: QEMU TCG `-cpu {QEMU_CPU} "
             f"-smp {info.get('cpus', '?')} -m 1G`, {info.get('cpu', '')}, "
             f"{info.get('date', '?')}; {len(boots)} boot(s), "
             f"{bt.b['runs'][0]['seconds'] if bt.b['runs'] else '?'} s per run; "
             "tables show the first boot, ratios the median over boots.")
    L.append("")
    L.append("### Throughput, 8-byte records (M records/s, mean ± stddev of per-second figures)")
    L.append("")
    L.append("| mode | API | consumer | bpfrb | drops M/s | BPF ringbuf | drops M/s | ratio | best-second ratio |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for mode in MODES:
        for api in ("reserve", "output"):
            for c in (CONSUMERS if api == "reserve" else ["batch"]):
                a = bt.get(f"bpfrb-{api}", c, mode)
                b = bt.get(f"bpf-rb-{api}", c, mode)
                L.append(f"| {mode} | {api} | {c} | {fmt_tp(a)} | "
                         f"{fmt(a and a['drops_mps'], 3)} | {fmt_tp(b)} | "
                         f"{fmt(b and b['drops_mps'], 3)} | {fmt(ratio(a, b))} | "
                         f"{fmt(ratio(a, b, 'mrps_best'))} |")
    L.append("")
    L.extend(alternating_table(bt, summary["median"]))
    L.extend(two_alternating_table(bt, summary["median"]))
    L.extend(two_alternating_split_table(boots))
    L.append("### Against the BPF perf buffer (libbpf consumers)")
    L.append("")
    L.append("| mode | bpfrb (libbpfrb) | perf buffer (libbpf) | drops M/s | ratio |")
    L.append("|---|---|---|---|---|")
    for mode in ("parallel", "b2b"):
        a = bt.get("bpfrb-reserve", "lib", mode)
        b = bt.get("bpf-pb", "lib", mode)
        L.append(f"| {mode} | {fmt_tp(a)} | {fmt_tp(b)} | "
                 f"{fmt(b and b['drops_mps'], 3)} | {fmt(ratio(a, b))} |")
    L.append("")
    L.append("### Two producers (parallel, aggregate)")
    L.append("")
    L.append("Received (the figure compared), and written: received plus "
             "dropped. Line ns: what a cache line between CPUs 0 and 1 cost "
             "just before and just after the run (round trip, ns): the "
             "host's phase (docs/BENCHMARKS.md, \"Two producers\").")
    L.append("")
    L.append("| API | consumer | bpfrb | drops M/s | BPF ringbuf | drops M/s | ratio | ratio written | line ns, bpfrb run | BPF run |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for api, c in TWO_PRODUCER_ROWS:
        a = bt.get(f"bpfrb-{api}", c, "parallel", 2)
        b = bt.get(f"bpf-rb-{api}", c, "parallel", 2)
        L.append(f"| {api} | {c} | {fmt_tp(a)} | {fmt(a and a['drops_mps'], 3)} | "
                 f"{fmt_tp(b)} | {fmt(b and b['drops_mps'], 3)} | {fmt(ratio(a, b))} | "
                 f"{fmt(ratio_written(a, b))} | {fmt_rtt(a)} | {fmt_rtt(b)} |")
    L.append("")
    L.extend(two_producers_4m_table(bt))
    L.extend(two_producers_atomic_table(bt))
    L.extend(phase_table(summary["two_producers_by_phase"], len(boots)))
    L.extend(trace_table(bt))
    L.append("### Producers alone (no consumer; 256 MiB ring, not filled)")
    L.append("")
    L.append("Records committed, M/s. Two producers share one ring from CPUs "
             "0 and 1; then what two wrote against one, and the line round "
             "trip before / after each ring's first run (ns).")
    L.append("")
    L.append("| producers | bpfrb | BPF ringbuf | ratio | bpfrb, 2 / 1 | BPF, 2 / 1 | line ns, bpfrb run | BPF run |")
    L.append("|---|---|---|---|---|---|---|---|")
    runs = {(p, n): bt.get(p, "none", "parallel", n, ring=RING_ALONE)
            for p in ("bpfrb-reserve", "bpf-rb-reserve") for n in (1, 2)}
    alone = {k: committed_run(r) for k, r in runs.items()}
    for n in (1, 2):
        a, b = alone[("bpfrb-reserve", n)], alone[("bpf-rb-reserve", n)]
        scale = ["—", "—"]
        if n == 2:
            scale = [fmt(ratio(alone[(p, 2)], alone[(p, 1)]))
                     for p in ("bpfrb-reserve", "bpf-rb-reserve")]
        L.append(f"| {n} | {fmt(a and a['mrps'])} | {fmt(b and b['mrps'])} | "
                 f"{fmt(ratio(a, b))} | {scale[0]} | {scale[1]} | "
                 f"{fmt_rtt(runs[('bpfrb-reserve', n)])} | "
                 f"{fmt_rtt(runs[('bpf-rb-reserve', n)])} |")
    L.append("")
    L.append("### Where the time goes: wakeup interrupts and the consumer thread")
    L.append("")
    L.append("Reserve/submit runs with a consumer thread. IRQ work: the rings' "
             "wakeup interrupts per second (thousands, all CPUs), taken by the "
             "producers' CPUs; consumer: its thread's share of a CPU, and its CPU "
             "time per record received (ns).")
    L.append("")
    L.append("| mode | producers | consumer | IRQ work k/s, bpfrb | BPF | consumer CPU, bpfrb | BPF | consumer ns/record, bpfrb | BPF |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for mode, n in (("parallel", 1), ("sampled", 1), ("parallel", 2)):
        for c in CONSUMERS:
            a = bt.get("bpfrb-reserve", c, mode, n)
            b = bt.get("bpf-rb-reserve", c, mode, n)
            iw = [irq_work_ps(r) for r in (a, b)]
            L.append(f"| {mode} | {n} | {c} | "
                     f"{fmt(iw[0] and iw[0] / 1e3, 1)} | {fmt(iw[1] and iw[1] / 1e3, 1)} | "
                     f"{fmt(a and a.get('cons_cpu'))} | {fmt(b and b.get('cons_cpu'))} | "
                     f"{fmt(cons_ns(a), 0)} | {fmt(cons_ns(b), 0)} |")
    L.append("")
    L.append("### Producer cost per record (ns inside getpgid() / 500, drained untimed)")
    L.append("")
    L.append("| producer | ns/record | best second | × floor | × floor, best seconds | × floor, probe excluded |")
    L.append("|---|---|---|---|---|---|")
    floor = bt.get("floor", "none", "cost")
    probe = bt.get("probe-only", "none", "cost")
    for p, c in (("floor", "none"), ("probe-only", "none"),
                 ("bpfrb-reserve", "batch"), ("bpfrb-reserve-nowake", "batch"),
                 ("bpfrb-output", "batch"),
                 ("bpf-rb-reserve", "batch"), ("bpf-rb-output", "batch")):
        r = bt.get(p, c, "cost")
        ex = None
        if r and floor and probe and floor["ns_per_rec"] > probe["ns_per_rec"]:
            ex = ((r["ns_per_rec"] - probe["ns_per_rec"]) /
                  (floor["ns_per_rec"] - probe["ns_per_rec"]))
        L.append(f"| {p} | {fmt(r and r['ns_per_rec'], 1)} | "
                 f"{fmt(r and r.get('ns_per_rec_best'), 1)} | "
                 f"{fmt(ratio(r, floor, 'ns_per_rec'))} | "
                 f"{fmt(ratio(r, floor, 'ns_per_rec_best'))} | {fmt(ex)} |")
    L.append("")
    L.append("### Record sizes through output (back-to-back, MB/s of payload)")
    L.append("")
    L.append("| size | bpfrb output | BPF ringbuf output | ratio | memcpy, kernel (same trigger) | bpfrb / memcpy | memcpy, user |")
    L.append("|---|---|---|---|---|---|---|")
    for s in SIZES:
        a = bt.get("bpfrb-output", "batch", "b2b", 1, s, RING_4M)
        b = bt.get("bpf-rb-output", "batch", "b2b", 1, s, RING_4M)
        mc = bt.get("memcpy", "none", "b2b", 1, s)
        L.append(f"| {s} | {fmt(a and a['mbps'], 0)} | {fmt(b and b['mbps'], 0)} | "
                 f"{fmt(ratio(a, b, 'mbps'))} | {fmt(mc and mc['mbps'], 0)} | "
                 f"{fmt(ratio(a, mc, 'mbps'))} | {fmt(bt.memcpy_user(s), 0)} |")
    L.append("")
    L.append("### Producer-to-consumer latency (µs: p50 / p99 / max; one record in 64 stamped)")
    L.append("")
    L.append("| mode | consumer | bpfrb | BPF ringbuf |")
    L.append("|---|---|---|---|")
    for mode in MODES:
        for c in CONSUMERS:
            L.append(f"| {mode} | {c} | {fmt_lat(bt.get('bpfrb-reserve', c, mode))} | "
                     f"{fmt_lat(bt.get('bpf-rb-reserve', c, mode))} |")
    L.append("")
    L.append("### Targets (ratios within one boot; median over boots)")
    L.append("")
    L.append("| target | figure | goal | met |")
    L.append("|---|---|---|---|")
    for w, v, g, ok in targets(summary["median"]):
        L.append(f"| {w} | {fmt(v)} | ≥ {g} | {'yes' if ok else 'no'} |")
    L.append("")
    return "\n".join(L)


def chart(boots, out):
    bt = boots[0]
    dat = os.path.join(out, "bench-modes.dat")
    with open(dat, "w") as f:
        f.write("# mode bpfrb-lib bpf-rb-libbpf bpfrb-batch bpf-rb-batch perfbuf\n")
        for mode in MODES:
            vals = [bt.get("bpfrb-reserve", "lib", mode),
                    bt.get("bpf-rb-reserve", "lib", mode),
                    bt.get("bpfrb-reserve", "batch", mode),
                    bt.get("bpf-rb-reserve", "batch", mode),
                    bt.get("bpf-pb", "lib", mode)]
            f.write(mode + " " + " ".join(
                f"{v['mrps']:.4f}" if v else "0" for v in vals) + "\n")
        a = bt.get("bpfrb-reserve", "lib", "parallel", 2)
        b = bt.get("bpf-rb-reserve", "lib", "parallel", 2)
        c = bt.get("bpfrb-reserve", "batch", "parallel", 2)
        d = bt.get("bpf-rb-reserve", "batch", "parallel", 2)
        f.write("2-producers " + " ".join(
            f"{v['mrps']:.4f}" if v else "0" for v in (a, b, c, d)) + " 0\n")
    sdat = os.path.join(out, "bench-sizes.dat")
    with open(sdat, "w") as f:
        f.write("# size bpfrb bpf-rb memcpy memcpy-user\n")
        for s in SIZES:
            vals = [bt.get("bpfrb-output", "batch", "b2b", 1, s, RING_4M),
                    bt.get("bpf-rb-output", "batch", "b2b", 1, s, RING_4M),
                    bt.get("memcpy", "none", "b2b", 1, s)]
            user = bt.memcpy_user(s)
            f.write(f"{s} " + " ".join(
                f"{v['mbps']:.2f}" if v else "NaN" for v in vals) +
                (f" {user:.2f}" if user else " NaN") + "\n")
    png = os.path.join(out, "bench.png")
    gp = f"""
set terminal pngcairo size 1200,480 font ",10"
set output "{png}"
set multiplot layout 1,2
set title "8-byte records, 500 per getpgid() (M records/s)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set ylabel "M records/s"
set yrange [0:*]
set offsets 0, 0, graph 0.35, 0
plot "{dat}" using 2:xtic(1) title "bpfrb, libbpfrb", \\
     "" using 3 title "BPF ringbuf, libbpf", \\
     "" using 4 title "bpfrb, batch", \\
     "" using 5 title "BPF ringbuf, batch", \\
     "" using 6 title "BPF perf buffer, libbpf"
set title "output, back-to-back (MB/s of payload)"
set style data linespoints
set logscale x 2
set logscale y
set yrange [*:*]
set offsets 0, 0, 0, 0
set key top left
set xlabel "record payload bytes"
set ylabel "MB/s"
plot "{sdat}" using 1:2 title "bpfrb output" lw 2, \\
     "" using 1:3 title "BPF ringbuf output" lw 2, \\
     "" using 1:4 title "memcpy in the probe" lw 2 dt 2, \\
     "" using 1:5 title "memcpy in user space" lw 2 dt 3
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=gp.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report: no chart: {e}", file=sys.stderr)
        return None
    return png


def compare(before, after):
    """Ratios vs BPF ringbuf of two reports (results.json), side by side:
    a design change measured before and after, each against BPF in its
    own boot."""
    docs = []
    for path in (before, after):
        with open(path) as f:
            docs.append(json.load(f)["summary"]["median"])
    print("| ratio vs peer | before | after |")
    print("|---|---|---|")
    for mode in MODES:
        for k in CONSUMERS + ["output"]:
            print(f"| {mode}, {'reserve, ' + k if k != 'output' else 'output, batch'} | "
                  f"{fmt(docs[0][mode][k])} | {fmt(docs[1][mode][k])} |")
    for c in CONSUMERS:
        print(f"| 2 producers, {c} | {fmt(docs[0]['two_producers'][c])} | "
              f"{fmt(docs[1]['two_producers'][c])} |")
    v = [d.get("two_producers_output") for d in docs]
    if any(x is not None for x in v):
        print(f"| 2 producers, output, batch | {fmt(v[0])} | {fmt(v[1])} |")
    for c in CONSUMERS:
        # Reports written before the "two-4m" set have none.
        v = [d.get("two_producers_4m", {}).get(c) for d in docs]
        if any(x is not None for x in v):
            print(f"| 2 producers, 4 MiB rings, {c} | {fmt(v[0])} | {fmt(v[1])} |")
    for n in ("1", "2"):
        # Reports written before the "alone" set have none.
        print(f"| producers alone, {n} | {fmt(docs[0].get('alone', {}).get(n))} | "
              f"{fmt(docs[1].get('alone', {}).get(n))} |")
    for k in CONSUMERS + ["output", "all"]:
        # Reports written before the "alt" set have none.
        v = [d.get("b2b_alt", {}).get(k) for d in docs]
        if any(x is not None for x in v):
            print(f"| b2b in turns, {k} | {fmt(v[0])} | {fmt(v[1])} |")
    for c in CONSUMERS + ["all", "output"]:
        # Reports written before the "two-alt" set have none.
        v = [d.get("two_producers_alt", {}).get(c) for d in docs]
        if any(x is not None for x in v):
            print(f"| 2 producers in turns, {c} | {fmt(v[0])} | {fmt(v[1])} |")
    for api in ("reserve", "output"):
        v = [d.get("cost_alt", {}).get(api) for d in docs]
        if any(x is not None for x in v):
            print(f"| cost in turns, bpfrb / BPF, {api} | {fmt(v[0])} | {fmt(v[1])} |")
    print(f"| vs perf buffer, parallel | {fmt(docs[0]['perfbuf']['parallel'])} | "
          f"{fmt(docs[1]['perfbuf']['parallel'])} |")
    for k in docs[0]["cost_vs_floor"]:
        print(f"| cost × floor, {k} | {fmt(docs[0]['cost_vs_floor'].get(k))} | "
              f"{fmt(docs[1]['cost_vs_floor'].get(k))} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                    help="two results.json: print their ratios side by side")
    ap.add_argument("logs", nargs="*")
    a = ap.parse_args()
    if a.compare:
        compare(*a.compare)
        return
    if not a.out or not a.logs:
        ap.error("--out and at least one log are needed")
    raw = [load(p) for p in a.logs]
    raw = [b for b in raw if b["runs"]]
    if not raw:
        sys.exit("report: no runs in " + " ".join(a.logs))
    boots = [Boot(b) for b in raw]
    summary = summarize(boots)
    os.makedirs(a.out, exist_ok=True)

    md = markdown(boots, summary)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md + "\n")
    doc = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "kernel": raw[0]["info"].get("kernel"),
        "guest": {"qemu": f"TCG, -cpu {QEMU_CPU}", "cpus": raw[0]["info"].get("cpus"),
                  "mem_kb": raw[0]["info"].get("mem_kb"),
                  "cpu": raw[0]["info"].get("cpu")},
        "date": raw[0]["info"].get("date"),
        "boots": raw,
        "summary": summary,
    }
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    chart(boots, a.out)

    print(md)
    m = summary["median"]
    for mode in MODES:
        r = m[mode]
        print(f"{mode}: ratio vs BPF ringbuf: {fmt(r['all'])} "
              f"(reserve: lib {fmt(r['lib'])}, batch {fmt(r['batch'])}, "
              f"uring {fmt(r['uring'])}; output {fmt(r['output'])})")
    r = m["b2b_alt"]
    if r["all"] is not None:
        print(f"b2b, in turns: ratio vs BPF ringbuf: {fmt(r['all'])} "
              f"(reserve: lib {fmt(r['lib'])}, batch {fmt(r['batch'])}, "
              f"uring {fmt(r['uring'])}; output {fmt(r['output'])}; "
              f"probe excluded {fmt(m['b2b_alt_probe_excl']['all'])})")
        print(f"cost, in turns: bpfrb / BPF ringbuf ns per record: reserve "
              f"{fmt(m['cost_alt']['reserve'])}, output "
              f"{fmt(m['cost_alt']['output'])}")
    tp = m["two_producers"]
    print(f"2 producers: ratio vs BPF ringbuf: {fmt(m['two_producers_all'])} "
          f"({', '.join(f'{c} {fmt(tp[c])}' for c in CONSUMERS)}; "
          f"output {fmt(m['two_producers_output'])})")
    ta = m["two_producers_alt"]
    if ta["all"] is not None:
        print(f"2 producers, in turns: ratio vs BPF ringbuf: {fmt(ta['all'])} "
              f"({', '.join(f'{c} {fmt(ta[c])}' for c in CONSUMERS)}; "
              f"output {fmt(ta['output'])})")
    tw = m["two_producers_written"]
    print(f"2 producers: written (received + dropped) vs BPF ringbuf: "
          f"{fmt(m['two_producers_written_all'])} "
          f"({', '.join(f'{c} {fmt(tw[c])}' for c in CONSUMERS)})")
    t4 = m["two_producers_4m"]
    if any(v is not None for v in t4.values()):
        print(f"2 producers, 4 MiB rings: ratio vs BPF ringbuf: "
              f"{fmt(m['two_producers_4m_all'])} "
              f"({', '.join(f'{c} {fmt(t4[c])}' for c in CONSUMERS)})")
    ta = m["two_producers_atomic"]
    if any(v is not None for v in ta.values()):
        print(f"2 producers: ratio vs BPF ringbuf counting drops in one "
              f"atomic: {fmt(m['two_producers_atomic_all'])} "
              f"({', '.join(f'{c} {fmt(ta[c])}' for c in CONSUMERS)})")
    for ring, phases in summary["two_producers_by_phase"].items():
        if any(v["pairs"] for v in phases.values()):
            print(f"2 producers, {ring} rings, same host phase: " +
                  ", ".join(f"{ph} {fmt(v['median'])} ({v['pairs']} pairs)"
                            for ph, v in phases.items()))
    print(f"producers alone (no consumer): ratio vs BPF ringbuf: "
          f"1 producer {fmt(m['alone'][1])}, 2 producers {fmt(m['alone'][2])}")
    print(f"parallel: ratio vs BPF perf buffer: {fmt(m['perfbuf']['parallel'])}")
    for b in raw:
        for e in b["errors"]:
            print(f"report: {b['log']}: failed run: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
