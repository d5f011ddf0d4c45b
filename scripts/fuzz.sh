#!/usr/bin/env bash
# Runs every reader's fuzz target (tests/fuzz) for N executions each (default 1,000,000) with
# libFuzzer on the nightly toolchain, after writing the seed corpus, and prints one line per
# target: executions, coverage, corpus size, crash or not. Exits 1 when any target crashed;
# crashing inputs are in tests/fuzz/artifacts/TARGET/ (copy them to tests/fuzz/regressions/).
# Usage: scripts/fuzz.sh [RUNS_PER_TARGET] [TARGET...]
# Environment: FUZZ_JOBS (targets run at once, default 1), FUZZ_MAX_LEN (bytes, default 65536).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-1000000}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(geojson shapefile schools deprivation population capacity rolls forecasts housing points pupils_by_stage manifest)
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is needed: cargo install cargo-fuzz" >&2; exit 2; }
cd "$here"
cargo +nightly run -q --manifest-path tests/fuzz/Cargo.toml --bin seed
for t in "${targets[@]}"; do cargo +nightly fuzz build -s none --fuzz-dir tests/fuzz "$t" >/dev/null 2>&1; done
logs="$(mktemp -d)"
export runs logs here
one() {
  t="$1"; log="$logs/$t.log"
  if cargo +nightly fuzz run -s none --fuzz-dir tests/fuzz "$t" -- -runs="$runs" -max_len="${FUZZ_MAX_LEN:-65536}" \
       -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 >"$log" 2>&1; then status=ok; else status=CRASH; fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  line="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
  echo "$t: $status; ${execs:-?} executions; ${line:-no progress line} ($(ls "$here/tests/fuzz/corpus/$t" | wc -l) corpus files)"
  [ "$status" = ok ] || { grep -E "panicked|Failing input|crash-" "$log" | head -5; return 1; }
}
export -f one
printf '%s\n' "${targets[@]}" | xargs -P "${FUZZ_JOBS:-1}" -I{} bash -c 'one {}'
