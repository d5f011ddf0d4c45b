#!/usr/bin/env python3
"""placeplan's vector tiles against martin's, side by side, on the same Leeds LSOA boundaries.

    scripts/tiles_vs_martin.py [--bin target/release/placeplan] [--martin martin]
        [--data ../shared/data] [--zooms 10-14] [--seconds 10] [--runs 3] [--json]

Both servers run on 127.0.0.1 (free ports, started and killed by this script):
  * placeplan serve on tests/leeds/manifest.toml (the real Leeds data; its `lsoa` layer is
    ../shared/data/lsoa_leeds/E08000035.json, carrying every figure of the census year: ~100
    attributes per LSOA);
  * martin 1.14 on a copy of that same file (its GeoJSON source: code and name, 2 attributes).
Every tile meeting the file's bounds at the zooms asked (653 at z10–z14) is requested once by
each server to warm it, then wrk -t2 -c64 cycles through them for --seconds, `--runs` times,
alternating which server goes first. Reported: requests/s, p50 and p99 latency, errors (median
and range), and the ratio of the medians. wrk and the servers share this machine's cores, the same
for both. Install martin with
`cargo install martin@1.14.0 --locked --no-default-features --features geojson,pmtiles`; wrk
is Debian's.
"""

import argparse
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loadtest import start_server, wrk  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bounds(path):
    """West, south, east, north of every position in a GeoJSON file."""
    with open(path) as f:
        fc = json.load(f)
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for k in c:
                walk(k)

    for feat in fc["features"]:
        walk(feat["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def tiles(b, zooms):
    w, s, e, n = b
    out = []
    for z in zooms:
        tx = lambda lon: int((lon + 180) / 360 * 2**z)  # noqa: E731
        ty = lambda lat: int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)  # noqa: E731
        out += [(z, x, y) for x in range(tx(w), tx(e) + 1) for y in range(ty(n), ty(s) + 1)]
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_martin(martin, geojson):
    port = free_port()
    proc = subprocess.Popen(
        [martin, "--listen-addresses", f"127.0.0.1:{port}", geojson],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    addr = f"127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://{addr}/catalog", timeout=5) as r:
                catalog = json.load(r)
            return proc, addr, next(iter(catalog["tiles"]))
        except (OSError, ValueError, StopIteration):
            time.sleep(0.2)
    proc.kill()
    sys.exit("martin did not start")


def warm(addr, paths):
    bad = 0
    for p in paths:
        try:
            with urllib.request.urlopen(f"http://{addr}{p}", timeout=60) as r:
                r.read()
        except urllib.error.HTTPError as e:
            bad += e.code not in (204, 404)
    return bad


def summary(xs):
    xs = [x for x in xs if x is not None]
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)} if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/placeplan"))
    ap.add_argument("--martin", default=shutil.which("martin") or "martin")
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/data"))
    ap.add_argument("--zooms", default="10-14")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    lo, hi = (int(z) for z in a.zooms.split("-"))
    source = os.path.join(a.data, "lsoa_leeds/E08000035.json")
    if not os.path.isfile(source):
        sys.exit(f"{source} not found (--data)")
    if not shutil.which(a.martin) and not os.path.isfile(a.martin):
        sys.exit("martin not found (--martin; see the docstring for how to install it)")
    coords = tiles(bounds(source), range(lo, hi + 1))
    tmp = tempfile.mkdtemp(prefix="tiles-vs-martin-")
    geojson = os.path.join(tmp, "leeds_lsoa.geojson")
    shutil.copyfile(source, geojson)
    env_cache = os.path.join(tmp, "cache")
    os.environ["PLACEPLAN_CACHE_DIR"] = env_cache
    pp, pp_addr = start_server(a.bin, os.path.join(ROOT, "tests/leeds/manifest.toml"), 60)
    mt, mt_addr, source_id = start_martin(a.martin, geojson)
    try:
        paths = {
            "placeplan": [f"/tiles/lsoa/{z}/{x}/{y}.pbf" for z, x, y in coords],
            "martin": [f"/{source_id}/{z}/{x}/{y}" for z, x, y in coords],
        }
        addrs = {"placeplan": pp_addr, "martin": mt_addr}
        warm_errors = {k: warm(addrs[k], paths[k]) for k in addrs}
        runs = {k: [] for k in addrs}
        for r in range(a.runs):
            order = ["placeplan", "martin"] if r % 2 == 0 else ["martin", "placeplan"]
            for k in order:
                runs[k].append(wrk(addrs[k], paths[k], a.seconds))
        out = {
            "tiles": len(coords),
            "zooms": a.zooms,
            "wrk": f"-t2 -c64 -d{a.seconds}s, {a.runs} runs alternating",
            "warm_errors": warm_errors,
        }
        for k, rs in runs.items():
            out[k] = {m: summary([x[m] for x in rs]) for m in ("requests_per_s", "p50_ms", "p99_ms")}
            out[k]["errors"] = sum(x["socket_errors"] + x["non_2xx"] for x in rs)
        pm, mm = out["placeplan"]["requests_per_s"], out["martin"]["requests_per_s"]
        out["ratio_requests_per_s"] = pm["median"] / mm["median"] if pm and mm else None
    finally:
        for p in (pp, mt):
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['tiles']} tiles z{out['zooms']}, wrk {out['wrk']}")
    for k in ("placeplan", "martin"):
        s = out[k]
        f = lambda m: "{median:.1f} ({min:.1f}–{max:.1f})".format(**s[m]) if s[m] else "n/a"  # noqa: E731
        print(f"  {k:9}  req/s {f('requests_per_s')}  p50 ms {f('p50_ms')}  p99 ms {f('p99_ms')}  errors {s['errors']}")
    if out["ratio_requests_per_s"]:
        print(f"  placeplan ÷ martin requests/s: {out['ratio_requests_per_s']:.2f}×")


if __name__ == "__main__":
    main()
