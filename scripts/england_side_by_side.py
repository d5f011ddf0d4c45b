#!/usr/bin/env python3
"""placeplan against the GeoPandas/PySAL toolchain on all-England inputs, side by side.

    scripts/england_side_by_side.py --eng /tmp/eng [--bin target/release/placeplan]
        [--peer-python /tmp/peer/bin/python] [--data ../shared/data] [--runs 3] [--json]

Inputs and peers: ../shared/bench/README.md (make_england_inputs.py writes --eng; the peers are
england_pipeline_peer.py, england_gi_peer.py and england_access_peer.py). Each pair is run as
whole processes, alternating which goes first, `--runs` times; for each the script reports wall
seconds, CPU seconds (user + system, all threads) and peak memory (max RSS), as the median and the
range, and the ratio of the medians (peer ÷ placeplan: above 1, placeplan is faster).

placeplan runs twice over: cold (`--no-cache`: every input read and joined, as the peers do) and
warm (the next command on the same manifest, reading the snapshot a first `check` wrote into a
temporary cache folder; src/snapshot.rs). The peers keep nothing between runs, so the warm ratio
is what a user of each sees on a second command, not the same work.

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


def run(cmd, cwd, env=None):
    """One whole process: (wall s, CPU s, peak RSS MB); its output is discarded."""
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errf, env=env)
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
    cache = tempfile.TemporaryDirectory(prefix="placeplan-snapshots-")
    warm_env = dict(os.environ, PLACEPLAN_CACHE_DIR=cache.name)
    run(ours("check"), eng, warm_env)  # writes the snapshot the warm runs read
    out = {}
    for name, (mine, theirs) in jobs.items():
        if a.only and name not in a.only:
            continue
        contenders = [("placeplan", mine + ["--no-cache"], None), ("warm", mine, warm_env), ("peer", theirs, None)]
        got = {who: [] for who, _, _ in contenders}
        for r in range(a.runs):
            for who, cmd, env in contenders if r % 2 == 0 else contenders[::-1]:
                got[who].append(run(cmd, eng, env))
                print(f"  {name} run {r + 1} {who}: {got[who][-1][0]:.2f} s", file=sys.stderr)
        row = {}
        for who, runs in got.items():
            row[who] = {k: summary([x[i] for x in runs]) for i, k in enumerate(["wall_s", "cpu_s", "peak_mb"])}
        row["ratio_wall"] = row["peer"]["wall_s"]["median"] / row["placeplan"]["wall_s"]["median"]
        row["ratio_cpu"] = row["peer"]["cpu_s"]["median"] / row["placeplan"]["cpu_s"]["median"]
        row["ratio_wall_warm"] = row["peer"]["wall_s"]["median"] / row["warm"]["wall_s"]["median"]
        row["commands"] = {"placeplan": " ".join(mine + ["--no-cache"]), "warm": " ".join(mine), "peer": " ".join(theirs)}
        out[name] = row
    if a.json:
        print(json.dumps({"cores": os.cpu_count(), "runs": a.runs, "results": out}, indent=1))
        return
    fmt = lambda s, unit: f"{s['median']:.2f}{unit} ({s['min']:.2f}–{s['max']:.2f})"
    print(f"{os.cpu_count()} cores, {a.runs} alternating runs each; median (range)")
    print(f"{'':9} {'placeplan wall (cold)':>22} {'peer wall':>22} {'× wall':>7} {'placeplan CPU':>22} {'peer CPU':>22} {'× CPU':>6} {'peak MB ours / peer':>20} {'warm wall':>22} {'× warm':>7}")
    for name, r in out.items():
        p, q, w = r["placeplan"], r["peer"], r["warm"]
        print(
            f"{name:9} {fmt(p['wall_s'], ' s'):>22} {fmt(q['wall_s'], ' s'):>22} {r['ratio_wall']:>6.1f}× "
            f"{fmt(p['cpu_s'], ' s'):>22} {fmt(q['cpu_s'], ' s'):>22} {r['ratio_cpu']:>5.1f}× "
            f"{p['peak_mb']['median']:>9.0f} / {q['peak_mb']['median']:.0f} "
            f"{fmt(w['wall_s'], ' s'):>22} {r['ratio_wall_warm']:>6.1f}×"
        )


if __name__ == "__main__":
    main()
