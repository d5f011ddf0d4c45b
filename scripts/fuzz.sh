#!/usr/bin/env bash
# Runs every reader's fuzz target (tests/fuzz) for N executions each (default 1,000,000) with
# libFuzzer on the nightly toolchain, after writing the seed corpus, and prints one line per
# target: executions, crashes, corpus size. Exits 1 when any target crashed.
# Usage: scripts/fuzz.sh [RUNS_PER_TARGET] [TARGET...]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-1000000}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(geojson shapefile schools deprivation population capacity rolls forecasts housing points pupils_by_stage manifest)
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is needed: cargo install cargo-fuzz" >&2; exit 2; }
cd "$here"
cargo +nightly run -q --manifest-path tests/fuzz/Cargo.toml --bin seed
failed=0
for t in "${targets[@]}"; do
  log="$(mktemp)"
  if cargo +nightly fuzz run -s none --fuzz-dir tests/fuzz "$t" -- -runs="$runs" -max_len=65536 -rss_limit_mb=4096 -timeout=20 >"$log" 2>&1; then
    status=ok
  else
    status=CRASH; failed=1
  fi
  done_line="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
  echo "$t: $status; ${done_line:-no progress line} ($(ls tests/fuzz/corpus/$t | wc -l) corpus files)"
  [ "$status" = ok ] || tail -40 "$log"
  rm -f "$log"
done
exit $failed
