#!/usr/bin/env bash
# A bounded local campaign: every target (or those named) for SECS seconds
# each, one after the other, with the seeds and the dictionary; prints one
# line of numbers per target from libFuzzer's final stats and its last
# status line. Needs a nightly toolchain and cargo-fuzz.
#
#   fuzz/campaign.sh [SECS] [TARGET...]        # default: 240 s, every target
#
# Logs go to fuzz/artifacts/campaign/<target>.log; crashes to
# fuzz/artifacts/<target>/ (cargo-fuzz's place). Exit status: 0 no crash,
# 1 a target crashed, 2 a bad argument (SECS not a number, an unknown
# target), 0 with a notice when there is no nightly toolchain or no
# cargo-fuzz (then `cargo test` has replayed the corpus on stable).
# `fuzz/campaign.sh 10` is a smoke run for CI.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz/campaign.sh: no nightly toolchain with cargo-fuzz here; skipped" \
    "(the corpus replay runs in cargo test: tests/fuzz_replay.rs)"
  exit 0
fi
secs=${1:-240}
shift || true
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz/campaign.sh: SECS must be a whole number of seconds, not '$secs'" \
    "(usage: fuzz/campaign.sh [SECS] [TARGET...])" >&2
  exit 2
fi
mapfile -t known < <(cargo +nightly fuzz list)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${known[@]}")
fi
for t in "${targets[@]}"; do
  if ! printf '%s\n' "${known[@]}" | grep -qxF -- "$t"; then
    echo "fuzz/campaign.sh: no fuzz target '$t'; the targets are: ${known[*]}" >&2
    exit 2
  fi
done
mkdir -p fuzz/artifacts/campaign
printf '%-18s %8s %12s %10s %8s %8s %8s %s\n' target secs execs execs/s cov ft corpus crashes
crashed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log="fuzz/artifacts/campaign/$t.log"
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -dict=fuzz/sigv4.dict -max_total_time="$secs" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=4096 >"$log" 2>&1
  status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=$(grep -c 'Test unit written to' "$log")
  if [ "$crashes" -gt 0 ] || { [ "$status" -ne 0 ] && [ -z "$execs" ]; }; then
    crashed=1
  fi
  printf '%-18s %8s %12s %10s %8s %8s %8s %s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes (exit $status)"
done
exit $crashed
