#!/usr/bin/env bash
# Requests per second and latency for a logged-in patient opening a module
# page (/program) and posting a diary entry (API), beside a same-run baseline
# (/healthz) of the same server. Loopback only, bounded duration.
# Usage: bench/patient.sh [sqlite|postgres] [seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
seconds="${2:-10}"
. bench/icbt-bin.sh
work=$(mktemp -d)
port=18282
base="http://127.0.0.1:$port"
export ICBT__SERVER__BIND=127.0.0.1:$port ICBT__SERVER__PUBLIC_URL=$base ICBT__LOG__FILTER=warn
export ICBT__CONTENT__DIR="$PWD/modules-content" ICBT__ENVIRONMENT=test
if [ "$backend" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS icbt_bench" -c "CREATE DATABASE icbt_bench"
  export ICBT__DATABASE__URL="postgres://postgres@127.0.0.1:5432/icbt_bench"
fi
cleanup() { kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
echo "quiet river at dawn" | "$bin" user create --role admin --email admin@bench.example >/dev/null
"$bin" serve >/dev/null 2>&1 &
pid=$!
until curl -fs -o /dev/null "$base/readyz"; do sleep 0.05; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fs -X POST "$base$1" -H "content-type: application/json" ${3:+-H "authorization: Bearer $3"} -d "$2"; }
admin=$(post /api/v1/auth/token '{"email":"admin@bench.example","password":"quiet river at dawn"}' | json '["token"]')
clinic=$(post /api/v1/clinics '{"name":"Bench"}' "$admin" | json '["id"]')
invite=$(post /api/v1/staff "{\"email\":\"t@bench.example\",\"name\":\"T\",\"role\":\"therapist\",\"clinic_id\":\"$clinic\"}" "$admin" | json '["invitation_url"]')
post "/api/v1/invitations/${invite##*/}/accept" '{"password":"quiet river at dusk"}' >/dev/null
therapist=$(post /api/v1/auth/token '{"email":"t@bench.example","password":"quiet river at dusk"}' | json '["token"]')
invite=$(post /api/v1/patients '{"email":"p@bench.example","case_code":"B1","program":"chronic-pain","feedback_cadence":"weekly","feedback_weekday":"mon"}' "$therapist" | json '["invitation_url"]')
post "/api/v1/invitations/${invite##*/}/accept" '{"password":"quiet river at noon"}' >/dev/null
patient=$(post /api/v1/auth/token '{"email":"p@bench.example","password":"quiet river at noon"}' | json '["token"]')
# A browser session for the HTML page.
jar="$work/jar"
csrf=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&email=p%40bench.example&password=quiet+river+at+noon" "$base/login"
session=$(awk '$6 == "icbt_session" {print $7}' "$jar")
today=$(TZ=Europe/Amsterdam date +%F)
cat > "$work/diary.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"date":"$today","values":{"pain":5,"interference":3}}'
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $patient"
LUA

run() { # name, then wrk arguments
  local name=$1; shift
  local out; out=$(wrk -t2 -c16 -d"${seconds}s" --latency "$@")
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local errors; errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-28s %10s req/s   p50 %-9s p99 %-9s %s\n' "$name" "$rps" "$p50" "$p99" "${errors:+non-2xx: $errors}"
  echo "$rps" > "$work/$name.rps"
}
echo "backend: $backend, $(nproc) cores, wrk -t2 -c16 -d${seconds}s"
run baseline-healthz "$base/healthz"
run patient-module-page -H "Cookie: icbt_session=$session" "$base/program"
run patient-diary-post -s "$work/diary.lua" "$base/api/v1/me/diaries/pain-level-diary/entries"
base_rps=$(cat "$work/baseline-healthz.rps")
for name in patient-module-page patient-diary-post; do
  python3 -c "print(f'{\"$name\":<28} {float(open(\"$work/$name.rps\").read())/float($base_rps):.3f} of baseline')"
done
