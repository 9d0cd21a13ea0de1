#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every cargo-fuzz target of fuzz/, with
# its seed corpus (fuzz/seeds/<target>/, generated from the vectors, plus
# fuzz/corpus/<target>/ and fuzz/regressions/<target>/ when present) and
# the dictionary fuzz/sigv4.dict (picked up as <target>.dict).
cd "$SRC/sigv4-conformance"
cargo fuzz build -O --debug-assertions
out_dir=fuzz/target/x86_64-unknown-linux-gnu/release
for source in fuzz/fuzz_targets/*.rs; do
  target=$(basename "${source%.rs}")
  cp "$out_dir/$target" "$OUT/"
  cp fuzz/sigv4.dict "$OUT/$target.dict"
  corpus=$(mktemp -d)
  for dir in seeds corpus regressions; do
    if [ -d "fuzz/$dir/$target" ]; then
      cp "fuzz/$dir/$target"/* "$corpus/" 2>/dev/null || true
    fi
  done
  (cd "$corpus" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  rm -rf "$corpus"
done
