#!/usr/bin/env python3
"""placeplan against the GeoPandas/PySAL toolchain on all-England inputs, side by side.

    scripts/england_side_by_side.py --eng /tmp/eng [--bin target/release/placeplan]
        [--peer-python /tmp/peer/bin/python] [--data ../shared/data] [--runs 3] [--json]

Inputs and peers: ../shared/bench/README.md (make_england_inputs.py writes --eng; the peers are
england_pipeline_peer.py, england_gi_peer.py and england_access_peer.py). Each pair is run as
whole processes, alternating which goes first, `--runs` times; for each the script reports wall
seconds, CPU seconds (user + system, all threads) and peak memory (max RSS), as the median and the
range, and the ratio of the medians (peer ÷ placeplan: above 1, placeplan is faster).

  pipeline  placeplan check        vs  read + reproject, IoD and population joins, schools in both
                                       layers, LSOA × ward overlay with area shares, points in LSOAs
  gi        placeplan hotspots     vs  libpysal fuzzy_contiguity (queen) + esda G_Local, Gi*, 999
            --layer lsoa --star        permutations
  access    placeplan access       vs  cKDTree cost matrix + access E2SFCA, primary, 2 miles
            --method e2sfca
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, cwd):
    """One whole process: (wall s, CPU s, peak RSS MB); its output is discarded."""
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errf)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}\n{err[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": xs}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eng", required=True, help="the folder make_england_inputs.py wrote")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/placeplan"))
    ap.add_argument("--peer-python", default="/tmp/peer/bin/python")
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/data"))
    ap.add_argument("--bench", default=os.path.join(ROOT, "../shared/bench"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=["pipeline", "gi", "access"], action="append")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    eng, data = os.path.abspath(a.eng), os.path.abspath(a.data)
    manifest = os.path.join(eng, "england.toml")
    peer = lambda script, *args: [a.peer_python, os.path.join(a.bench, script), eng, *args]
    ours = lambda *args: [a.bin, *args, "--manifest", manifest]
    jobs = {
        "pipeline": (ours("check"), peer("england_pipeline_peer.py", data)),
        "gi": (ours("hotspots", "--layer", "lsoa", "--metric", "imd_reverse_rank", "--star"), peer("england_gi_peer.py", data)),
        "access": (ours("access", "--method", "e2sfca", "--phase", "primary"), peer("england_access_peer.py")),
    }
    out = {}
    for name, (mine, theirs) in jobs.items():
        if a.only and name not in a.only:
            continue
        got = {"placeplan": [], "peer": []}
        for r in range(a.runs):
            order = [("placeplan", mine), ("peer", theirs)]
            for who, cmd in order if r % 2 == 0 else order[::-1]:
                got[who].append(run(cmd, eng))
                print(f"  {name} run {r + 1} {who}: {got[who][-1][0]:.2f} s", file=sys.stderr)
        row = {}
        for who, runs in got.items():
            row[who] = {k: summary([x[i] for x in runs]) for i, k in enumerate(["wall_s", "cpu_s", "peak_mb"])}
        row["ratio_wall"] = row["peer"]["wall_s"]["median"] / row["placeplan"]["wall_s"]["median"]
        row["ratio_cpu"] = row["peer"]["cpu_s"]["median"] / row["placeplan"]["cpu_s"]["median"]
        row["commands"] = {"placeplan": " ".join(mine), "peer": " ".join(theirs)}
        out[name] = row
    if a.json:
        print(json.dumps({"cores": os.cpu_count(), "runs": a.runs, "results": out}, indent=1))
        return
    fmt = lambda s, unit: f"{s['median']:.2f}{unit} ({s['min']:.2f}–{s['max']:.2f})"
    print(f"{os.cpu_count()} cores, {a.runs} alternating runs each; median (range)")
    print(f"{'':9} {'placeplan wall':>22} {'peer wall':>22} {'× wall':>7} {'placeplan CPU':>22} {'peer CPU':>22} {'× CPU':>6} {'peak MB ours / peer':>20}")
    for name, r in out.items():
        p, q = r["placeplan"], r["peer"]
        print(
            f"{name:9} {fmt(p['wall_s'], ' s'):>22} {fmt(q['wall_s'], ' s'):>22} {r['ratio_wall']:>6.1f}× "
            f"{fmt(p['cpu_s'], ' s'):>22} {fmt(q['cpu_s'], ' s'):>22} {r['ratio_cpu']:>5.1f}× "
            f"{p['peak_mb']['median']:>9.0f} / {q['peak_mb']['median']:.0f}"
        )


if __name__ == "__main__":
    main()
