#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""real_vs_replay.py: can a memory-curve replay stand in for real software? (issue 17)

  real_vs_replay.py scenario REAL_RESULTS OUT_DIR
      From a bench results directory of a scenario of command sessions (real software),
      write each session's memory curve as the kernel counted it in its solo run (the
      run of median completion among runs/*/solo-NAME: the session alone, its cgroup's
      usage every 50 ms, agent helper and page cache included) to OUT_DIR/NAME.csv, and
      OUT_DIR/replay.json: the same scenario (budget, priorities, runs, strategies) with
      each session replaying its curve at speed 1 instead of running its commands.

  real_vs_replay.py compare REAL_RESULTS REPLAY_RESULTS
      Per strategy and session: the median completion of the real runs and of the
      replays, the replay's error, and how many runs killed the session in each; then the
      median |error| over every strategy's sessions (the issue's goal: <= 10%) and whether
      the same sessions were killed under none and static.

Bad input: one line naming the file and what is wrong, exit 2.
"""
import csv
import json
import os
import statistics
import sys


def die(msg):
    print(f"real_vs_replay: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die(f"{path}: {e}")


def runs_of(results):
    """run number -> {strategy directory name -> run.json document}"""
    top = os.path.join(results, "runs")
    if not os.path.isdir(top):
        die(f"{results}: no runs/ here (not a bench results directory)")
    out = {}
    for run in sorted(os.listdir(top), key=lambda s: (len(s), s)):
        if not run.isdigit():
            continue
        for strat in sorted(os.listdir(os.path.join(top, run))):
            doc = os.path.join(top, run, strat, "run.json")
            if os.path.isfile(doc):
                out.setdefault(int(run), {})[strat] = load(doc)
    if not out:
        die(f"{results}: runs/ holds no run.json")
    return out


def session(doc, name):
    for s in doc.get("sessions", []):
        if s.get("name") == name:
            return s
    return None


def scenario(real, out):
    sc = load(os.path.join(real, "scenario.json"))
    runs = runs_of(real)
    os.makedirs(out, exist_ok=True)
    replay = {k: v for k, v in sc.items() if k not in ("sessions", "description", "speed",
                                                       "binary_units")}
    replay["name"] = f"{sc.get('name', 'real')}-replayed"
    replay["description"] = (f"The sessions of {sc.get('name', 'real')} replayed from their "
                             f"solo runs' memory curves ({real}), by bench/real_vs_replay.py")
    replay["speed"] = 1
    replay["sessions"] = []
    for s in sc.get("sessions", []):
        name = s.get("name")
        solos = []
        for r, strats in runs.items():
            doc = strats.get(f"solo-{name}")
            ses = session(doc, name) if doc else None
            if ses and ses.get("status") == "completed":
                solos.append((ses["completion_s"], r))
        if not solos:
            die(f"{real}: no completed solo run of session '{name}'")
        solos.sort()
        _, r = solos[(len(solos) - 1) // 2]
        ts = os.path.join(real, "runs", str(r), f"solo-{name}", "timeseries.csv")
        rows = []
        try:
            with open(ts, encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    if row.get("session") == name:
                        rows.append((float(row["t_s"]), int(row["usage_bytes"])))
        except (OSError, ValueError, KeyError) as e:
            die(f"{ts}: {e}")
        if len(rows) < 2:
            die(f"{ts}: fewer than two samples of '{name}'")
        trace = os.path.join(out, f"{name}.csv")
        with open(trace, "w", encoding="utf-8") as f:
            f.write(f"# {name}: solo run {r} of {real}, the cgroup's usage\n")
            for t, b in rows:
                f.write(f"{t:.3f},{b}\n")
        entry = {"name": name, "priority": s.get("priority"), "trace": f"{name}.csv",
                 "base_mb": 0}
        for k in ("peak_mb",):
            if k in s:
                entry[k] = s[k]
        replay["sessions"].append(entry)
        print(f"{name}: solo run {r}, {len(rows)} samples over {rows[-1][0]:.1f} s, "
              f"peak {max(b for _, b in rows) / 2**20:.0f} MiB -> {trace}")
    path = os.path.join(out, "replay.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(replay, f, indent=2)
        f.write("\n")
    print(f"scenario: {path}")


def outcomes(results):
    """(strategy, session) -> list of (status, completion_s) over runs"""
    out = {}
    for strats in runs_of(results).values():
        for strat, doc in strats.items():
            key_strat = "solo" if strat.startswith("solo-") else strat
            for s in doc.get("sessions", []):
                out.setdefault((key_strat, s.get("name")), []).append(
                    (s.get("status"), s.get("completion_s")))
    return out


def compare(real, replay):
    a, b = outcomes(real), outcomes(replay)
    errors, same_killed = [], {}
    print(f"{'strategy':9} {'session':12} {'real s':>8} {'replay s':>9} {'error':>7} "
          f"{'killed real':>12} {'killed replay':>14}")
    for key in sorted(a, key=lambda k: (k[0] != "solo", k)):
        if key not in b:
            continue
        ra, rb = a[key], b[key]
        ca = [c for st, c in ra if st == "completed" and c is not None]
        cb = [c for st, c in rb if st == "completed" and c is not None]
        ka = sum(st == "killed" for st, _ in ra)
        kb = sum(st == "killed" for st, _ in rb)
        ma = statistics.median(ca) if ca else None
        mb = statistics.median(cb) if cb else None
        err = (mb - ma) / ma if ma and mb is not None else None
        if err is not None:
            errors.append(abs(err))
        if key[0] in ("none", "static"):
            same_killed[key] = (ka > len(ra) / 2, kb > len(rb) / 2)
        print(f"{key[0]:9} {key[1]:12} {ma if ma is not None else float('nan'):8.2f} "
              f"{mb if mb is not None else float('nan'):9.2f} "
              f"{'' if err is None else f'{err:+.1%}':>7} {f'{ka}/{len(ra)}':>12} "
              f"{f'{kb}/{len(rb)}':>14}")
    if errors:
        print(f"median |completion error| {statistics.median(errors):.1%} over {len(errors)} "
              f"(strategy, session) pairs")
    diff = [k for k, (x, y) in same_killed.items() if x != y]
    print("killed in most runs under none and static: "
          + ("the same sessions" if not diff else
             "differ for " + ", ".join(f"{s}/{n}" for s, n in diff)))


def main(argv):
    if len(argv) == 4 and argv[1] == "scenario":
        scenario(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "compare":
        compare(argv[2], argv[3])
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
