#!/usr/bin/env bash
# Requests per second and latency of the routes a clinic uses most, on a
# server filled by `icbt demo` (300 patients, 10 therapists, 16 weeks):
# a patient's program, module page and diary posts, a therapist's caseload
# (page and API) and the manager's quarterly report (API and page), each
# beside a same-run static baseline (the versioned CSS) and /healthz of the
# same server. The first lines describe the machine so the figures can be
# recorded with it. Loopback only, bounded duration, wrk -t2 -c8 throughout.
# Usage: bench/load.sh [sqlite|postgres] [seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
seconds="${2:-10}"
patients=300 therapists=10 weeks=16
. bench/icbt-bin.sh
work=$(mktemp -d)
port=18285
base="http://127.0.0.1:$port"
export ICBT__SERVER__BIND=127.0.0.1:$port ICBT__SERVER__PUBLIC_URL=$base ICBT__LOG__FILTER=warn
export ICBT__CONTENT__DIR="$PWD/modules-content" ICBT__ENVIRONMENT=test
if [ "$backend" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS icbt_load" -c "CREATE DATABASE icbt_load"
  export ICBT__DATABASE__URL="postgres://postgres@127.0.0.1:5432/icbt_load"
else
  export ICBT__DATABASE__URL="sqlite://$work/load.db?mode=rwc"
fi
pid=
# The server finishes its worker round (and its mail) before it exits.
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
started=$SECONDS
/usr/bin/time -f "generated in %e s, peak RSS %M KiB" \
  "$bin" demo --clinic Bench --therapists "$therapists" --patients "$patients" --weeks "$weeks"
# The report reads daily rollups; bring them up to date before serving, so
# the worker has no catching up to do during the runs.
/usr/bin/time -f "rollups rebuilt in %e s" "$bin" usage rebuild >/dev/null
if [ "$backend" = postgres ]; then
  database="PostgreSQL $(psql -tA -h 127.0.0.1 -U postgres -c 'SHOW server_version')"
else
  # The SQLite library that last wrote the file (icbt's own, bundled) is in its header.
  database="SQLite $(od -An -tu1 -j96 -N4 "$work/load.db" \
    | awk '{n = (($1 * 256 + $2) * 256 + $3) * 256 + $4; printf "%d.%d.%d", n / 1000000, n / 1000 % 1000, n % 1000}')"
fi
"$bin" serve >/dev/null 2>&1 &
pid=$!
until curl -fs -o /dev/null "$base/readyz"; do sleep 0.05; done

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
token() { # email, password
  curl -fs -X POST "$base/api/v1/auth/token" -H "content-type: application/json" \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | json 'd["token"]'
}
session() { # email, password: a browser session's cookie
  local jar="$work/jar.$1" csrf
  csrf=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "email=$1" \
    --data-urlencode "password=$2" "$base/login"
  awk '$6 == "icbt_session" {print $7}' "$jar" | grep .
}
staff=demo-clinic-passphrase
therapist_email=therapist1@bench.demo.example.org manager_email=manager@bench.demo.example.org
therapist=$(token "$therapist_email" $staff)
therapist_session=$(session "$therapist_email" $staff)
manager=$(token "$manager_email" $staff)
manager_session=$(session "$manager_email" $staff)
# The most recently active of therapist 1's patients still in the chronic-pain
# program. `icbt demo` names patients after their case code (BEN-0007 is
# patient0007@bench.demo.example.org) and gives all of them the password
# below (PATIENT_PASSWORD in src/demo/simulate.rs; it is not printed).
caseload=$(curl -fs "$base/api/v1/caseload" -H "authorization: Bearer $therapist")
case_code=$(echo "$caseload" | json 'max((p for p in d["patients"] if p["status"] == "active"
  and p["program"] == "chronic-pain" and p["last_active_at"]), key=lambda p: p["last_active_at"])["case_code"]')
patient_email="patient${case_code#*-}@bench.demo.example.org" patient_password=demo-patient-passphrase
patient=$(token "$patient_email" $patient_password)
patient_session=$(session "$patient_email" $patient_password)
# A module page the patient can open, as the program page links it.
item=$(curl -fs "$base/api/v1/me/program" -H "authorization: Bearer $patient" \
  | json '[i["id"] for m in d["modules"] for i in m["items"] if i["kind"] == "page" and i["state"] != "locked"][-1]')
css=$(curl -fs "$base/login" | sed -n 's/.*<link rel="stylesheet" href="\([^"]*\)".*/\1/p' | head -1)
today=$(TZ=Europe/Amsterdam date +%F)
from=$(TZ=Europe/Amsterdam date -d "$today -90 days" +%F)
cat > "$work/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end
LUA
# The diary posts' script: the request, then the same p95 report.
cat > "$work/diary.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"date":"$today","values":{"pain":5,"interference":3}}'
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $patient"
LUA
cat "$work/p95.lua" >> "$work/diary.lua"

cpu=$(awk -F': *' '/^(model name|Model)/ {print $2; exit}' /proc/cpuinfo)
memory=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $memory memory, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "backend: $backend ($database), icbt $("$bin" --version | awk '{print $2}') ${built:-from $bin}," \
  "wrk -t2 -c8 -d${seconds}s; patient $case_code (page $item), therapist 1 of $therapists ($(echo "$caseload" \
  | json 'len(d["patients"])') patients), report $from..$today"
baseline=
run() { # name, then wrk arguments
  local name=$1; shift
  local out; out=$(wrk -t2 -c8 -d"${seconds}s" --latency -s "$work/p95.lua" "$@")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  baseline=${baseline:-$rps}
  printf '%-22s %9s req/s   p50 %-9s p95 %-9s p99 %-9s %6s of static   %s\n' "$name" "$rps" \
    "$(echo "$out" | awk '$1 == "50%" {print $2}')" \
    "$(echo "$out" | awk '$1 == "p95" {print $2}')" \
    "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
    "$(awk -v r="$rps" -v b="$baseline" 'BEGIN {printf "%.4f", (b > 0 ? r / b : 0)}')" \
    "$(echo "$out" | awk '/Non-2xx/ {printf "non-2xx: %s ", $NF} /Socket errors/ {sub(/^ */, ""); print}')"
}
run static-css "$base$css"
run healthz "$base/healthz"
run patient-program -H "Cookie: icbt_session=$patient_session" "$base/program"
run patient-item-page -H "Cookie: icbt_session=$patient_session" "$base/items/$item"
run patient-diary-post -s "$work/diary.lua" "$base/api/v1/me/diaries/pain-level-diary/entries"
run caseload-page -H "Cookie: icbt_session=$therapist_session" "$base/caseload"
run caseload-api -H "authorization: Bearer $therapist" "$base/api/v1/caseload"
run report-quarter-api -H "authorization: Bearer $manager" "$base/api/v1/reports/uptake?from=$from&to=$today"
run report-quarter-page -H "Cookie: icbt_session=$manager_session" "$base/reports?from=$from&to=$today"
echo "whole run: $(( SECONDS - started )) s"
