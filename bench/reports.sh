#!/usr/bin/env bash
# The uptake report at 10,000,000 usage events across 20 clinics (a year of
# 1,000 patients and 20 therapists each): time to rebuild all daily rollups,
# the catch-up time for one day of events, and the report's latency (wrk,
# p50/p95) for a quarter and for a year, with one and with four connections.
# Usage: bench/reports.sh [sqlite|postgres] [events] [seconds]
# (needs wrk). Target: report p95 under 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
events="${2:-10000000}"
seconds="${3:-10}"
. bench/icbt-bin.sh
# BENCH_KEEP=DIR keeps the generated database there (for profiling).
work="${BENCH_KEEP:-$(mktemp -d)}"
mkdir -p "$work"
port=18284
base="http://127.0.0.1:$port"
export ICBT__SERVER__BIND=127.0.0.1:$port ICBT__SERVER__PUBLIC_URL=$base ICBT__LOG__FILTER=warn
export ICBT__CONTENT__DIR="$PWD/modules-content" ICBT__ENVIRONMENT=test ICBT__CARE__TIMEZONE=UTC
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
if [ "$backend" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS icbt_bench" -c "CREATE DATABASE icbt_bench"
  export ICBT__DATABASE__URL="postgres://postgres@127.0.0.1:5432/icbt_bench"
  sql() { psql -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres icbt_bench; }
  series="n(i) AS (SELECT generate_series(0, $events - 1))"
  at="to_timestamp(1767225600 + i * (30000000 / $events))"
else
  export ICBT__DATABASE__URL="sqlite://$work/bench.db?mode=rwc"
  sql() { sqlite3 "$work/bench.db"; }
  series="RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $events - 1)"
  at="strftime('%Y-%m-%dT%H:%M:%S+00:00', 1767225600 + i * (30000000 / $events), 'unixepoch')"
fi
"$bin" migrate >/dev/null
started=$(date +%s)
# Kinds rotate per 20 events, so every clinic gets every kind.
# Events from 2026-01-01 spread over 347 days (10 M events: one every 3 s).
sql <<SQL
WITH $series
INSERT INTO usage_events (id, at, clinic_id, team_id, therapist_id, patient_pseudonym, actor_role, kind,
  program_id, module_id, item_id, value)
SELECT 'u' || i, $at, 'c' || (i % 20), NULL, 't' || (i % 400), 'ps' || (i % 20000),
  CASE WHEN (i / 20) % 10 = 8 THEN 'therapist' ELSE 'patient' END,
  CASE (i / 20) % 10 WHEN 0 THEN 'login' WHEN 1 THEN 'page.viewed' WHEN 2 THEN 'page.completed'
    WHEN 6 THEN 'assignment.submitted' WHEN 7 THEN 'message.sent' WHEN 8 THEN 'feedback.sent'
    WHEN 9 THEN 'questionnaire.completed' ELSE 'diary.entry' END,
  CASE WHEN (i % 20000) % 2 = 0 THEN 'chronic-pain' ELSE 'chronic-fatigue' END,
  CASE WHEN (i % 20000) % 2 = 0 THEN 'pain-welcome' ELSE 'fatigue-welcome' END,
  NULL, CASE WHEN (i / 20) % 10 = 8 THEN (i % 97) * 1.0 ELSE NULL END
FROM n;
SQL
echo "backend: $backend, $(nproc) cores; $events usage events generated in $(( $(date +%s) - started )) s"
/usr/bin/time -f "rebuild of every day: %e s, peak RSS %M KiB" "$bin" usage rebuild --from 2026-01-01
/usr/bin/time -f "catch-up for one day: %e s, peak RSS %M KiB" "$bin" usage rebuild --from 2026-06-15 --to 2026-06-15
# A bulk load leaves PostgreSQL without statistics until autovacuum comes by;
# a live database has them.
if [ "$backend" = postgres ]; then echo "VACUUM ANALYZE;" | sql; fi

echo "quiet river at dawn" | "$bin" user create --role admin --email admin@bench.example >/dev/null
"$bin" serve >/dev/null 2>&1 &
pid=$!
until curl -fs -o /dev/null "$base/readyz"; do sleep 0.05; done
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fs -X POST "$base$1" -H "content-type: application/json" ${3:+-H "authorization: Bearer $3"} -d "$2"; }
admin=$(post /api/v1/auth/token '{"email":"admin@bench.example","password":"quiet river at dawn"}' | json '["token"]')
echo "INSERT INTO clinics (id, name, require_staff_totp, created_at) VALUES ('c7', 'Clinic 7', FALSE, '2026-01-01T00:00:00+00:00');" | sql
invite=$(post /api/v1/staff '{"email":"m@bench.example","name":"M","role":"manager","clinic_id":"c7"}' "$admin" | json '["invitation_url"]')
post "/api/v1/invitations/${invite##*/}/accept" '{"password":"quiet river at dusk"}' >/dev/null
manager=$(post /api/v1/auth/token '{"email":"m@bench.example","password":"quiet river at dusk"}' | json '["token"]')
cat > "$work/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end
LUA
run() { # name, connections, url
  local out; out=$(wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${seconds}s" --latency -s "$work/p95.lua" -H "authorization: Bearer $manager" "$3")
  printf '%-26s %8s req/s   p50 %-9s p95 %-9s %s\n' "$1" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1 == "50%" {print $2}')" \
    "$(echo "$out" | awk '$1 == "p95" {print $2}')" "$(echo "$out" | awk '/Non-2xx/ {print "non-2xx: " $NF}')"
}
curl -fs -H "authorization: Bearer $manager" "$base/api/v1/reports/uptake?from=2026-10-01&to=2026-12-31" \
  | python3 -c "import json,sys; r=json.load(sys.stdin); print('a quarter of clinic 7:', r['engagement']['active_patients'], 'active patients,', r['engagement']['diary_entries'], 'diary entries')"
# One manager at a time (the usual case), then four at once.
for c in 1 4; do
  run "report-quarter, ${c} conn" "$c" "$base/api/v1/reports/uptake?from=2026-10-01&to=2026-12-31"
  run "report-year, ${c} conn" "$c" "$base/api/v1/reports/uptake?from=2026-01-01&to=2026-12-31"
done
