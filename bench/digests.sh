#!/usr/bin/env bash
# One `icbt digest run` over 100,000 patients with 1,000,000 pending
# activities (10 per patient, as digest counts and as in-app notifications),
# 1,000 therapists of whom half take one combined e-mail a day. Measures the
# time to compose every digest and hand it to the outbox, and peak memory.
# Usage: bench/digests.sh [sqlite|postgres] [patients]
# Targets: under 60 s and under 256 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
patients="${2:-100000}"
therapists=$(( patients / 100 ))
. bench/icbt-bin.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ICBT__LOG__FILTER=warn ICBT__CONTENT__DIR="$PWD/modules-content" ICBT__ENVIRONMENT=test
cd "$work"
if [ "$backend" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS icbt_bench" -c "CREATE DATABASE icbt_bench"
  export ICBT__DATABASE__URL="postgres://postgres@127.0.0.1:5432/icbt_bench"
  sql() { psql -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres icbt_bench; }
  series() { echo "n(i) AS (SELECT generate_series(0, $1 - 1))"; }
else
  export ICBT__DATABASE__URL="sqlite://$work/bench.db?mode=rwc"
  sql() { sqlite3 "$work/bench.db"; }
  series() { echo "RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1)"; }
fi
"$bin" migrate >/dev/null
at="'2026-03-02T10:00:00+00:00'"
due="'2026-03-03T07:00:00+00:00'"
started=$(date +%s)
sql <<SQL
INSERT INTO clinics (id, name, require_staff_totp, created_at) VALUES ('c1', 'Bench', FALSE, $at);
WITH $(series "$therapists")
INSERT INTO users (id, email, name, role, clinic_id, locale, active, created_at, updated_at)
SELECT 't' || i, 'therapist' || i || '@bench.example', 'Therapist ' || i, 'therapist', 'c1', 'en', TRUE, $at, $at FROM n;
WITH $(series "$therapists")
INSERT INTO digest_settings (therapist_id, cadence, local_time, weekday, timezone, layout, updated_at)
SELECT 't' || i, 'daily', '08:00', NULL, 'Europe/Amsterdam', 'combined', $at FROM n WHERE i % 2 = 0;
WITH $(series "$patients")
INSERT INTO enrollments (id, clinic_id, patient_id, therapist_id, program_id, case_code, pseudonym,
  feedback_cadence, feedback_weekday, auto_unlock, status, enrolled_at, activated_at, last_active_at)
SELECT 'e' || i, 'c1', 'p' || i, 't' || (i % $therapists), 'chronic-pain', 'B-' || i, 'ps' || i,
  'weekly', i % 5, TRUE, 'active', $at, $at, $at FROM n;
WITH $(series "$patients")
INSERT INTO digests (id, clinic_id, therapist_id, enrollment_id, due_at, by_email, layout, diary_entries,
  submissions, pages_completed, messages, questionnaires, modules_completed, first_event_at, last_event_at,
  status, attempts, next_attempt_at)
SELECT 'd' || i, 'c1', 't' || (i % $therapists), 'e' || i, $due, TRUE,
  CASE WHEN (i % $therapists) % 2 = 0 THEN 'combined' ELSE 'per_patient' END,
  5, 1, 2, 1, 1, 0, $at, $at, 'pending', 0, $due FROM n;
WITH $(series $(( patients * 10 )))
INSERT INTO notifications (id, clinic_id, therapist_id, enrollment_id, kind, urgent, created_at)
SELECT 'n' || i, 'c1', 't' || ((i / 10) % $therapists), 'e' || (i / 10), 'diary_entry', FALSE, $at FROM n;
SQL
echo "backend: $backend, $(nproc) cores; generated $patients patients, $therapists therapists," \
  "$(( patients * 10 )) pending activities in $(( $(date +%s) - started )) s"
/usr/bin/time -f "digest run: %e s elapsed, peak RSS %M KiB" \
  "$bin" digest run --compose-only --now 2026-03-03T07:30:00Z
echo "outbox: $(echo "SELECT count(*) FROM mail_outbox WHERE kind = 'digest';" | sql | tr -d ' ' | grep -v '^$' | head -1) digest e-mails"
