#!/usr/bin/env bash
# How long loading and checking all of modules-content takes (release build).
# Usage: bench/content.sh [runs]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/icbt"
times=()
for _ in $(seq "$runs"); do
  ms=$("$bin" content check | sed -n 's/.*loaded in \([0-9]*\) ms.*/\1/p')
  times+=("$ms")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "content load over $runs runs (ms): min $(echo "$sorted" | head -1), median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p"), max $(echo "$sorted" | tail -1)"
