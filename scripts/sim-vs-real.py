#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# sim-vs-real.py: how far `agentcg simulate` is from the bench's real runs. For every
# results directory (bench/results/<scenario>, written by `agentcg bench`), every strategy
# run for real (solo, none, static, dynamic) and every session: the simulated completion
# against the median real one over the runs where it completed, as a relative error.
# Prints one row per (scenario, strategy, session) and the median |error| over all rows.
#
#   scripts/sim-vs-real.py [--agentcg build/agentcg] [--json] [--sim-arg=ARG...] [DIR...]
#   (default: every bench/results/*/ with a scenario.json; --sim-arg=ARG passes ARG on)
#   scripts/sim-vs-real.py --measure [DIR...]: the growth rate the solo baselines had (the
#   bytes they grew over the summed latency of their chunks): the simulator's default
#   (ACG_SIM_GROW_BPS, docs/simulate.md) came from it
import argparse
import glob
import json
import os
import statistics
import subprocess
import shutil
import sys
import tempfile


def real_completions(d):
    """{(strategy, session): [completion_s of the runs where it completed]}"""
    out, runs = {}, {}
    for f in glob.glob(os.path.join(d, "runs", "*", "*", "run.json")):
        run = json.load(open(f))
        strategy = run["strategy"]
        for s in run["sessions"]:
            name = s.get("name") or os.path.basename(os.path.dirname(f))[len("solo-"):]
            if strategy == "solo":
                name = os.path.basename(os.path.dirname(f))[len("solo-"):]
            out.setdefault((strategy, name), [])
            runs[(strategy, name)] = runs.get((strategy, name), 0) + 1
            if s.get("completion_s") is not None and s.get("status") == "completed":
                out[(strategy, name)].append(s["completion_s"])
    return out, runs


def session_names(d):
    return [s["name"] for s in json.load(open(os.path.join(d, "scenario.json")))["sessions"]]


def scenario_copy(d, tmp):
    """The scenario as run, its traces resolved as the bench resolved them (the copy in the
    results names them relative to bench/scenarios/, where it was run from)."""
    sc = json.load(open(os.path.join(d, "scenario.json")))
    for s in sc["sessions"]:
        if "trace" in s and not os.path.isabs(s["trace"]):
            s["trace"] = os.path.abspath(os.path.join("bench/scenarios", s["trace"]))
    path = os.path.join(tmp, os.path.basename(d.rstrip("/")) + ".json")
    json.dump(sc, open(path, "w"))
    return path


def simulate(agentcg, scenario, strategy, extra):
    args = [agentcg, "simulate", scenario, "--json", "--strategies", strategy] + extra
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0 and strategy == "solo":
        # a simulate without solo (before it had one): none with no budget to speak of
        args = [agentcg, "simulate", scenario, "--json", "--strategies", "none",
                "--budget-mb", "1000000"] + extra
        p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("sim-vs-real: %s: %s" % (" ".join(args), p.stderr.strip()))
    doc = json.loads(p.stdout)
    return {s["name"]: s for s in doc["strategies"][0]["sessions"]}


def measure(dirs):
    grown, us, chunks = 0, 0.0, 0
    for d in dirs:
        for f in glob.glob(os.path.join(d, "runs", "*", "solo-*", "sessions", "*.json")):
            s = json.load(open(f))
            lat = s["per_sample"]["growth_chunk_us"]
            grown += s["growth"]["bytes"]
            us += sum(lat)
            chunks += len(lat)
    if not chunks:
        sys.exit("sim-vs-real: --measure: no solo runs with growth chunks in %s" % dirs)
    print("%.0f MiB/s over %d chunks (%d bytes in %.3f s)" % (
        grown / (us / 1e6) / 1048576, chunks, grown, us / 1e6))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agentcg", default="build/agentcg")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--sim-arg", action="append", default=[],
                    help="one more argument for simulate (repeat: --sim-arg=--grow-mib-s "
                    "--sim-arg=2000)")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    extra = args.sim_arg
    dirs = args.dirs or sorted(os.path.dirname(p) for p in glob.glob("bench/results/*/scenario.json"))
    if args.measure:
        measure(dirs)
        return
    rows = []
    tmp = tempfile.mkdtemp(prefix="sim-vs-real-")
    for d in dirs:
        real, runs = real_completions(d)
        names = session_names(d)
        strategies = sorted({k[0] for k in real})
        scenario = scenario_copy(d, tmp)
        for st in strategies:
            sim = simulate(args.agentcg, scenario, st, extra)
            for name in names:
                done = real.get((st, name))
                if done is None:
                    continue
                s = sim.get(name)
                med = statistics.median(done) if done else None
                simc = s["completion_s"] if s else None
                err = None if simc is None or med is None else (simc - med) / med
                rows.append({"scenario": os.path.basename(d.rstrip("/")), "strategy": st,
                             "session": name, "real_median_s": med,
                             "real_completed": len(done), "real_runs": runs[(st, name)],
                             "simulated_status": s["status"] if s else None,
                             "simulated_s": simc, "error": err})
    shutil.rmtree(tmp)
    errs = [abs(r["error"]) for r in rows if r["error"] is not None]
    summary = {"rows": len(rows), "compared": len(errs),
               "median_abs_error": statistics.median(errs) if errs else None,
               "max_abs_error": max(errs) if errs else None}
    if args.json:
        json.dump({"rows": rows, "summary": summary}, sys.stdout, indent=1)
        print()
        return
    print("%-17s %-8s %-6s %9s %9s %9s %8s" % ("scenario", "strategy", "session", "completed",
                                                "real s", "sim s", "error"))
    for r in rows:
        print("%-17s %-8s %-6s %9s %9s %9s %8s" % (
            r["scenario"], r["strategy"], r["session"],
            "%d/%d" % (r["real_completed"], r["real_runs"]),
            "-" if r["real_median_s"] is None else "%.3f" % r["real_median_s"],
            r["simulated_status"] if r["simulated_s"] is None else "%.3f" % r["simulated_s"],
            "n/a" if r["error"] is None else "%+.1f%%" % (100 * r["error"])))
    print("median |error| %.1f%% over %d sessions (max %.1f%%)" % (
        100 * summary["median_abs_error"], summary["compared"], 100 * summary["max_abs_error"]))


if __name__ == "__main__":
    main()
