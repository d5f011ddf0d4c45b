#!/usr/bin/env python3
"""Memory and time per what-if plan on a running `placeplan serve` (issue 18, item 4).

    scripts/plan_memory.py [--bin target/release/placeplan] [--manifest FILE] [--plans 32]

Starts its own server on a free 127.0.0.1 port, then posts --plans different plans (each expands
one school by a different number of places and adds a housing site), one at a time. After each it
reads the server's resident memory (VmRSS, /proc) and the time the answer took. Prints the
memory before any plan, the median growth per plan and the median and slowest answer, as JSON
with --json. The server keeps the newest 32 plans (`KEPT`): beyond that, memory should level off.
Linux only (reads /proc/PID/status).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(binary, manifest):
    args = [binary, "serve", "--addr", "127.0.0.1:0"]
    if manifest:
        args += ["--manifest", manifest]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    addr = None
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"map:\s+http://(\S+?)/?$", line.strip())
        if m:
            addr = m.group(1)
            break
    if not addr:
        proc.kill()
        sys.exit("the server did not start")
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, addr


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def get_json(addr, path):
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=60) as r:
        return json.load(r)


def post(addr, toml):
    req = urllib.request.Request(f"http://{addr}/api/plans", data=toml.encode(), method="POST",
                                 headers={"Content-Type": "application/toml"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = json.load(r)
    return body, (time.perf_counter() - t0) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/placeplan"))
    ap.add_argument("--manifest", help="default: the built-in demo")
    ap.add_argument("--plans", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    proc, addr = start_server(a.bin, a.manifest)
    try:
        meta = get_json(addr, "/api/layers")
        census = meta["dataset"]["census_year"]
        schools = next(l for l in meta["layers"] if l["kind"] == "schools")
        # Schools with places in the census year: the ones a plan can expand.
        urns = [s["code"] for s in get_json(addr, f"/api/layers/{schools['id']}/areas")][:50]
        pa = next(l for l in meta["layers"] if isinstance(l["kind"], dict) and l["kind"].get("area") == "planning_area")
        area = get_json(addr, f"/api/layers/{pa['id']}/areas")[0]["code"]
        get_json(addr, "/api/summary?layer=la")  # the base's rows, built once
        start = rss_mb(proc.pid)
        rows = []
        for k in range(a.plans):
            toml = (f'name = "memory {k}"\n[[expand]]\nurn = {urns[k % len(urns)]}\nplaces = {30 + k}\nfrom = {census + 1}\n'
                    f'[[housing]]\nsite = "site {k}"\narea = "{area}"\ncompletions = [[{census + 2}, {100 + k}]]\n'
                    '[yields]\nprimary = 0.25\nsecondary = 0.15\n')
            try:
                answer, ms = post(addr, toml)
            except urllib.error.HTTPError as e:
                # A URN that cannot be expanded (no places in the phase): the next one.
                print(f"plan {k}: {e.code} {e.read().decode()[:200]}", file=sys.stderr)
                continue
            rows.append({"plan": k, "ms": round(ms, 1), "rss_mb": round(rss_mb(proc.pid), 1), "changes": len(answer["changes"])})
        grow = [b["rss_mb"] - a_["rss_mb"] for a_, b in zip(rows, rows[1:])]
        out = {
            "server": a.manifest or "demo",
            "rss_before_plans_mb": round(start, 1),
            "rss_after_mb": rows[-1]["rss_mb"] if rows else None,
            "plans": len(rows),
            "per_plan_mb_median": round(statistics.median(grow), 2) if grow else None,
            "per_plan_mb_mean": round((rows[-1]["rss_mb"] - start) / len(rows), 2) if rows else None,
            "answer_ms_median": round(statistics.median(r["ms"] for r in rows), 1) if rows else None,
            "answer_ms_max": max(r["ms"] for r in rows) if rows else None,
            "rows": rows,
        }
        if a.json:
            print(json.dumps(out, indent=1))
        else:
            print(f"{out['server']}: {out['rss_before_plans_mb']} MB before plans, {out['rss_after_mb']} MB after {out['plans']}: "
                  f"{out['per_plan_mb_mean']} MB per plan (median step {out['per_plan_mb_median']} MB); "
                  f"answers median {out['answer_ms_median']} ms, slowest {out['answer_ms_max']} ms")
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
