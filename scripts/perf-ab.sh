#!/usr/bin/env bash
# Compares the signer's speed at two git revisions, for changes too small
# for one criterion run to show (see docs/performance.md, "Measuring small
# changes").
#
#   scripts/perf-ab.sh [--callgrind] REV_A REV_B [GROUP:CONTENDER ...]
#
# Default contenders: get_query3:ours_cached_into and
# post_json100_headers5:ours_cached_into (names as in the bench summary).
# REV may be WORKTREE for the working tree as it is, uncommitted changes
# included.
#
# Each side is built BUILDS times (default 3), each build with another
# `-C metadata`, which moves code around; a change's effect is the mean
# over the builds, so the luck of one layout does not decide. Every build
# runs the bench binary of this checkout (signer/benches/signing.rs) in its
# `--loop` mode, so both sides run the same harness: both revisions must
# have the API it calls. ROUNDS (default 5) interleaved rounds per build,
# ITERATIONS (default 500000; 20000 with --callgrind) calls per run.
#
# --callgrind: instead, counts the instructions per call of each side
# (one build each) with valgrind's callgrind: exact and repeatable, but
# SHA-256 is emulated in software there, so the compressions weigh far
# more than on the real processor.
#
# Takes a few minutes: 2 x BUILDS builds of the bench (about 40 s each).
set -euo pipefail
cd "$(dirname "$0")/.."

callgrind=false
if [ "${1:-}" = --callgrind ]; then
  callgrind=true
  shift
fi
if [ $# -lt 2 ]; then
  sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
rev_a=$1
rev_b=$2
shift 2
pairs=("$@")
if [ ${#pairs[@]} -eq 0 ]; then
  pairs=(get_query3:ours_cached_into post_json100_headers5:ours_cached_into)
fi
builds=${BUILDS:-3}
rounds=${ROUNDS:-5}
iterations=${ITERATIONS:-500000}
if $callgrind; then
  builds=1
  iterations=${ITERATIONS:-20000}
  command -v valgrind >/dev/null || { echo "perf-ab: valgrind is not installed" >&2; exit 2; }
fi

repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/perf-ab.XXXXXX")
cleanup() {
  for side in a b; do
    if [ -d "$work/$side" ]; then
      git -C "$repo" worktree remove --force "$work/$side" >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# A checkout of each side, with this checkout's bench harness.
checkout() {
  local side=$1 rev=$2
  if [ "$rev" = WORKTREE ]; then
    mkdir -p "$work/$side"
    git ls-files -z --cached --others --exclude-standard |
      (cd "$repo" && xargs -0 cp --parents -t "$work/$side" 2>/dev/null) || true
  else
    git -C "$repo" rev-parse --verify --quiet "$rev^{commit}" >/dev/null ||
      { echo "perf-ab: no such revision: $rev" >&2; exit 2; }
    git -C "$repo" worktree add --quiet --detach "$work/$side" "$rev"
  fi
  cp "$repo/signer/benches/signing.rs" "$work/$side/signer/benches/signing.rs"
}
checkout a "$rev_a"
checkout b "$rev_b"

# Builds side $1 with layout $2; prints the bench executable's path.
build() {
  local side=$1 layout=$2
  (cd "$work/$side" &&
    CARGO_TARGET_DIR="$work/target-$side-$layout" \
    RUSTFLAGS="-C metadata=perf-ab-$layout -C llvm-args=-align-all-functions=6 -C llvm-args=-align-loops=64" \
      cargo bench --quiet -p sigv4-signer --bench signing --no-run --message-format=json 2>/dev/null) |
    python3 -c '
import json, sys
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") == "compiler-artifact" and message.get("executable") \
            and message["target"]["name"] == "signing":
        print(message["executable"])
'
}

declare -A binary
for layout in $(seq "$builds"); do
  for side in a b; do
    echo "perf-ab: building side $side, layout $layout of $builds" >&2
    path=$(build "$side" "$layout")
    if [ -z "$path" ]; then
      echo "perf-ab: the bench did not build at side $side ($([ $side = a ] && echo "$rev_a" || echo "$rev_b"));" \
        "run: cargo bench -p sigv4-signer --bench signing --no-run there" >&2
      exit 1
    fi
    binary[$side$layout]=$path
  done
done

# ns per call of one run.
run_once() {
  "$1" --loop "$2" "$3" "$iterations" | sed -n 's/ ns\/op$//p'
}

# Instructions per call: the timed loop only, warm-up included in its calls.
count_instructions() {
  local out="$work/callgrind.out"
  valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*timed_iterations*' \
    "$1" --loop "$2" "$3" "$iterations" >/dev/null 2>&1
  local calls=$((iterations + (iterations < 10000 ? iterations : 10000)))
  local total
  total=$(sed -n 's/^\(summary\|totals\): //p' "$out" | head -1)
  rm -f "$out"*
  echo $((total / calls))
}

printf '%-56s %12s %12s %10s\n' "contender" "A ($rev_a)" "B ($rev_b)" "B - A"
for pair in "${pairs[@]}"; do
  group=${pair%%:*}
  contender=${pair#*:}
  if $callgrind; then
    a=$(count_instructions "${binary[a1]}" "$group" "$contender")
    b=$(count_instructions "${binary[b1]}" "$group" "$contender")
    printf '%-56s %12s %12s %10s\n' "$pair (instructions)" "$a" "$b" "$((b - a))"
    continue
  fi
  samples="$work/samples"
  : >"$samples"
  for round in $(seq "$rounds"); do
    for layout in $(seq "$builds"); do
      # Alternate which side runs first.
      if [ $((round % 2)) -eq 0 ]; then
        a=$(run_once "${binary[a$layout]}" "$group" "$contender")
        b=$(run_once "${binary[b$layout]}" "$group" "$contender")
      else
        b=$(run_once "${binary[b$layout]}" "$group" "$contender")
        a=$(run_once "${binary[a$layout]}" "$group" "$contender")
      fi
      echo "$layout $a $b" >>"$samples"
    done
  done
  python3 - "$samples" "$pair" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by_layout = {}
for layout, a, b in rows:
    by_layout.setdefault(layout, []).append((float(a), float(b)))
# Per layout: the medians of each side; then the mean over layouts.
a = statistics.mean(statistics.median(x for x, _ in v) for v in by_layout.values())
b = statistics.mean(statistics.median(y for _, y in v) for v in by_layout.values())
print(f"{sys.argv[2] + ' (ns/op)':56} {a:12.1f} {b:12.1f} {b - a:+9.1f} ({100 * (b - a) / a:+.1f} %)")
EOF
done
