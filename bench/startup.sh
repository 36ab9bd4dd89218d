#!/usr/bin/env bash
# Start-to-ready time of `icbt serve` on an already-migrated SQLite database,
# and its idle resident memory. Usage: bench/startup.sh [runs]   (default 10)
# Builds the release binary first. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/icbt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ICBT__SERVER__BIND=127.0.0.1:18181 ICBT__LOG__FILTER=warn
(cd "$work" && "$OLDPWD/$bin" migrate >/dev/null)

times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  (cd "$work" && exec "$OLDPWD/$bin" serve >/dev/null 2>&1) &
  pid=$!
  until curl -fs -o /dev/null http://127.0.0.1:18181/readyz; do sleep 0.005; done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  sleep 2
  rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "start-to-ready over $runs runs (ms): min $(echo "$sorted" | head -1), median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p"), max $(echo "$sorted" | tail -1)"
echo "idle RSS after the last start: $(( rss_kb / 1024 )) MiB ($rss_kb KiB)"
