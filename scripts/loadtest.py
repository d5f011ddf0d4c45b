#!/usr/bin/env python3
"""Load test of `placeplan serve` on loopback, with wrk: the figures of issue 19, item 7.

    scripts/loadtest.py [--bin target/release/placeplan] [--manifest FILE] [--seconds 10]

Starts its own server on a free 127.0.0.1 port (never another address) and measures:
  1. tiles at 64 connections: requests/s, p50/p99 latency, errors (wrk --latency);
  2. the same while 16 clients ask for expensive downloads (uncached XLSX exports) without a
     pause: tile p99 against (1), and how the downloads were answered (200, or 503 + Retry-After);
  3. 1,000 idle connections: how many the server closed, and when (against --idle-timeout);
  4. SIGTERM during load: requests in flight when the signal came that were answered in full,
     against those reset; and the exit code.
Bounded: every phase has a time limit; the server is killed on exit. Needs wrk (Debian: wrk).
"""

import argparse
import json
import math
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(binary, manifest, idle):
    args = [binary, "serve", "--addr", "127.0.0.1:0", "--idle-timeout", str(idle)]
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


def get_json(addr, path):
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=30) as r:
        return json.load(r)


def tile_paths(addr, limit=400):
    """Tiles of the first area layer that cover its bounds, at zooms 10–13."""
    layers = get_json(addr, "/api/layers")["layers"]
    layer = layers[0]
    w, s, e, n = layer["bounds"]
    out = []
    for z in range(10, 14):
        def tx(lon):
            return int((lon + 180) / 360 * 2**z)

        def ty(lat):
            r = math.radians(lat)
            return int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * 2**z)

        for x in range(tx(w), tx(e) + 1):
            for y in range(ty(n), ty(s) + 1):
                out.append(f"/tiles/{layer['id']}/{z}/{x}/{y}.pbf")
    return out[:limit]


def wrk(addr, paths, seconds, connections=64):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n")
        f.write("i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", script, f"http://{addr}"],
            capture_output=True, text=True, timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script)

    def ms(label):
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if not m:
            return None
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {
        "requests_per_s": float(rps.group(1)) if rps else None,
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def request(addr, path, timeout=120):
    """One request on its own connection: (status or None, complete?)."""
    host, port = addr.rsplit(":", 1)
    try:
        s = socket.create_connection((host, int(port)), timeout=timeout)
    except OSError:
        return None, False
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        return None, False
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.1 (\d+)", head)
    if not m:
        return None, False
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    complete = length is None or len(body) == int(length.group(1))
    return int(m.group(1)), complete


def expensive_clients(addr, n, stop):
    counts = {}
    lock = threading.Lock()

    def worker(k):
        i = 0
        while not stop.is_set():
            i += 1
            status, _ = request(addr, f"/api/export?level=ward&format=xlsx&fresh={k}-{i}-{time.time()}")
            with lock:
                counts[status] = counts.get(status, 0) + 1
            if status == 503:
                time.sleep(0.05)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    return threads, counts


def idle_connections(addr, n, idle):
    host, port = addr.rsplit(":", 1)
    sel = selectors.DefaultSelector()
    socks = []
    opened = time.time()
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=10)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        socks.append(s)
    closed_at = []
    deadline = opened + idle * 3 + 10
    while len(closed_at) < n and time.time() < deadline:
        for key, _ in sel.select(timeout=0.5):
            try:
                data = key.fileobj.recv(1)
            except OSError:
                data = b""
            if not data:
                closed_at.append(time.time() - opened)
                sel.unregister(key.fileobj)
                key.fileobj.close()
    for s in socks:
        try:
            s.close()
        except OSError:
            pass
    return {
        "opened": n,
        "closed_by_server": len(closed_at),
        "last_closed_after_s": round(max(closed_at), 2) if closed_at else None,
        "idle_timeout_s": idle,
    }


def sigterm_under_load(proc, addr, paths):
    results = []
    lock = threading.Lock()
    stop = threading.Event()
    signalled = [None]

    def worker(k, kind):
        i = 0
        while not stop.is_set():
            i += 1
            path = paths[(k * 7 + i) % len(paths)] if kind == "tile" else f"/api/export?level=ward&format=csv&fresh=t{k}-{i}"
            sent = time.time()
            status, complete = request(addr, path)
            with lock:
                results.append((sent, status, complete, kind))

    threads = [threading.Thread(target=worker, args=(k, "tile"), daemon=True) for k in range(16)]
    threads += [threading.Thread(target=worker, args=(k, "export"), daemon=True) for k in range(2)]
    for t in threads:
        t.start()
    time.sleep(3)
    signalled[0] = time.time()
    proc.send_signal(signal.SIGTERM)
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    code = proc.wait(timeout=60)
    t0 = signalled[0]
    before = [r for r in results if r[0] < t0]
    reset = [r for r in before if r[1] is None or not r[2]]
    after = [r for r in results if r[0] >= t0]
    return {
        "requests_sent_before_signal": len(before),
        "of_them_reset_or_cut": len(reset),
        "sent_after_signal": len(after),
        "answered_after_signal": sum(1 for r in after if r[1] is not None),
        "exit_code": code,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/placeplan"))
    ap.add_argument("--manifest")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--idle-timeout", type=float, default=5.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt install wrk)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    report = {}
    proc, addr = start_server(a.bin, a.manifest, a.idle_timeout)
    try:
        paths = tile_paths(addr)
        report["tiles"] = len(paths)
        wrk(addr, paths, 2)  # warm the tile cache
        report["tiles_alone"] = wrk(addr, paths, a.seconds)
        stop = threading.Event()
        threads, counts = expensive_clients(addr, 16, stop)
        time.sleep(1)
        report["tiles_with_16_expensive"] = wrk(addr, paths, a.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=130)
        report["expensive_answers"] = {str(k): v for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))}
        alone, loaded = report["tiles_alone"]["p99_ms"], report["tiles_with_16_expensive"]["p99_ms"]
        report["p99_ratio"] = round(loaded / alone, 2) if alone and loaded else None
        report["idle"] = idle_connections(addr, 1000, a.idle_timeout)
        report["sigterm"] = sigterm_under_load(proc, addr, paths)
    finally:
        if proc.poll() is None:
            proc.kill()
    if a.json:
        print(json.dumps(report, indent=2))
    else:
        t, l = report["tiles_alone"], report["tiles_with_16_expensive"]
        print(f"tiles alone, 64 connections: {t['requests_per_s']:.0f} req/s, p50 {t['p50_ms']} ms, p99 {t['p99_ms']} ms, errors {t['socket_errors']}, non-2xx {t['non_2xx']}")
        print(f"tiles with 16 expensive clients: {l['requests_per_s']:.0f} req/s, p50 {l['p50_ms']} ms, p99 {l['p99_ms']} ms ({report['p99_ratio']}x), errors {l['socket_errors']}, non-2xx {l['non_2xx']}")
        print(f"expensive answers by status: {report['expensive_answers']}")
        i = report["idle"]
        print(f"idle: {i['closed_by_server']} of {i['opened']} closed by the server, the last after {i['last_closed_after_s']} s (idle timeout {i['idle_timeout_s']} s)")
        s = report["sigterm"]
        print(f"SIGTERM under load: {s['requests_sent_before_signal']} requests sent before the signal, {s['of_them_reset_or_cut']} reset or cut; {s['sent_after_signal']} sent after ({s['answered_after_signal']} answered); exit code {s['exit_code']}")


if __name__ == "__main__":
    main()
