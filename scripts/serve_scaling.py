#!/usr/bin/env python3
"""How `placeplan serve` start-up grows with the number of areas: synthetic layers of N areas.

    scripts/serve_scaling.py [--bin target/release/placeplan] [--sizes 12500,25000,50000,100000]
        [--runs 3] [--keep DIR] [--json]

For each N the script writes (into a temporary folder, or --keep DIR) a synthetic borough in
EPSG:27700: N square LSOA-like areas of 300 m on a grid, each edge cut into 6 pieces whose inner
vertices are nudged sideways by a hash of the edge (so neighbours share every vertex, as real
LSOAs do: 24 vertices per area), an IoD-like deprivation table for every area, and wards of
5 × 5 cells set half a cell off the grid with straight edges (N/25 wards, crossing the areas
properly, so every area is apportioned by boundary crossings). Then it starts
`placeplan serve --no-cache` on it `--runs` times and times each from launch to the line that says
the map is ready (whole process: reading, joins, map layers, the listening socket).

Reported per N: the median and range of seconds to ready, and seconds per 1,000 areas. Start-up
is linear when that last column stays flat as N doubles; the issue's bar is 100,000 areas in
under a minute. SYNTHETIC data: the figures measure the tool, not any place.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CELL = 300.0  # metres
PIECES = 6  # pieces per cell edge
ORIGIN = (400000.0, 300000.0)


def nudge(key):
    """A deterministic sideways offset in metres (±20) for an inner vertex of an edge."""
    h = (key[0] * 73856093) ^ (key[1] * 19349663) ^ (key[2] * 83492791) ^ (key[3] * 2654435761)
    return ((h % 4001) / 4000.0 - 0.5) * 40.0


def edge(i0, j0, i1, j1):
    """The vertices from grid corner (i0, j0) to (i1, j1), without the last, the same for both
    cells that share the edge (built in one direction, reversed for the other)."""
    forward = (i0, j0) < (i1, j1)
    a, b = ((i0, j0), (i1, j1)) if forward else ((i1, j1), (i0, j0))
    pts = []
    for k in range(PIECES):
        t = k / PIECES
        x = ORIGIN[0] + CELL * (a[0] + (b[0] - a[0]) * t)
        y = ORIGIN[1] + CELL * (a[1] + (b[1] - a[1]) * t)
        if k:
            d = nudge((a[0], a[1], b[0] - a[0], k))
            # Sideways: across the edge.
            x, y = (x, y + d) if a[1] == b[1] else (x + d, y)
        pts.append((x, y))
    pts.append((ORIGIN[0] + CELL * b[0], ORIGIN[1] + CELL * b[1]))
    if not forward:
        pts.reverse()
    return pts[:-1]


def write_borough(folder, n):
    side = int(round(n ** 0.5))
    rows = -(-n // side)
    cells = [(i, j) for j in range(rows) for i in range(side)][:n]
    with open(os.path.join(folder, "areas.geojson"), "w") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for k, (i, j) in enumerate(cells):
            ring = edge(i, j, i + 1, j) + edge(i + 1, j, i + 1, j + 1) + edge(i + 1, j + 1, i, j + 1) + edge(i, j + 1, i, j)
            ring.append(ring[0])
            coords = ",".join(f"[{x:.1f},{y:.1f}]" for x, y in ring)
            sep = ",\n" if k else ""
            f.write(f'{sep}{{"type":"Feature","properties":{{"code":"E01{k + 1:06d}","name":"Area {k + 1}"}},'
                    f'"geometry":{{"type":"Polygon","coordinates":[[{coords}]]}}}}')
        f.write("\n]}\n")
    # Wards: 5 × 5 cells, half a cell off the grid, straight edges.
    wside, wrows = -(-side // 5) + 1, -(-rows // 5) + 1
    with open(os.path.join(folder, "wards.geojson"), "w") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        k = 0
        for wj in range(wrows):
            for wi in range(wside):
                x0, y0 = ORIGIN[0] + CELL * (5 * wi - 2.5), ORIGIN[1] + CELL * (5 * wj - 2.5)
                x1, y1 = x0 + 5 * CELL, y0 + 5 * CELL
                sep = ",\n" if k else ""
                k += 1
                f.write(f'{sep}{{"type":"Feature","properties":{{"code":"E05{k:06d}","name":"Ward {k}"}},'
                        f'"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}')
        f.write("\n]}\n")
    with open(os.path.join(folder, "deprivation.csv"), "w") as f:
        f.write("LSOA code (2011),LSOA name (2011),Index of Multiple Deprivation (IMD) Score,"
                "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
                "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)\n")
        for k in range(n):
            score = 5.0 + (k * 7919 % 6000) / 100.0
            rank = 1 + (k * 104729) % n
            f.write(f"E01{k + 1:06d},Area {k + 1},{score:.2f},{rank},{1 + (rank - 1) * 10 // n}\n")
    with open(os.path.join(folder, "manifest.toml"), "w") as f:
        f.write(f'# SYNTHETIC: {n} generated areas for timing serve start-up (scripts/serve_scaling.py).\n'
                f'name = "Scaling test, {n} areas (synthetic)"\nsynthetic = true\ncensus_year = 2024\n\n'
                '[[boundaries]]\nid = "wards"\nkind = "ward"\npath = "wards.geojson"\ncrs = "EPSG:27700"\n'
                'code_field = "code"\nname_field = "name"\n\n'
                '[[boundaries]]\nid = "lsoa"\nkind = "lsoa"\npath = "areas.geojson"\ncrs = "EPSG:27700"\n'
                'code_field = "code"\nname_field = "name"\n\n'
                '[[deprivation]]\npath = "deprivation.csv"\n')


def time_start(binary, manifest):
    """Seconds from launch to the ready line, and the seconds the server itself reports."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--no-cache", "--addr", "127.0.0.1:0", "--manifest", manifest],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    said = None
    try:
        for line in proc.stderr:
            m = re.search(r"ready in ([0-9.]+) s", line)
            if m:
                said = float(m.group(1))
                break
        wall = time.perf_counter() - t0
    finally:
        proc.kill()
        proc.wait()
    if said is None:
        sys.exit(f"the server on {manifest} did not start")
    return wall, said


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/placeplan"))
    ap.add_argument("--sizes", default="12500,25000,50000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="write the synthetic boroughs here and keep them")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    tmp = None if a.keep else tempfile.TemporaryDirectory(prefix="placeplan-scaling-")
    base = a.keep or tmp.name
    out = []
    for n in sizes:
        folder = os.path.join(base, f"n{n}")
        os.makedirs(folder, exist_ok=True)
        write_borough(folder, n)
        runs = [time_start(a.bin, os.path.join(folder, "manifest.toml")) for _ in range(a.runs)]
        walls = [w for w, _ in runs]
        row = {"areas": n, "wall_s": {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "runs": walls},
               "per_1000_s": statistics.median(walls) / n * 1000}
        out.append(row)
        print(f"  {n} areas: {', '.join(f'{w:.2f}' for w in walls)} s", file=sys.stderr)
    if a.json:
        print(json.dumps({"cores": os.cpu_count(), "runs": a.runs, "results": out}, indent=1))
        return
    print(f"{os.cpu_count()} cores, {a.runs} runs each; serve --no-cache, launch to ready; median (range)")
    print(f"{'areas':>8} {'ready':>22} {'s per 1,000 areas':>19}")
    for r in out:
        w = r["wall_s"]
        print(f"{r['areas']:>8} {w['median']:>8.2f} s ({w['min']:.2f}–{w['max']:.2f}) {r['per_1000_s']:>19.3f}")


if __name__ == "__main__":
    main()
