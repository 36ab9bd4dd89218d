//! Distinct-patient figures from `usage_patient_months`: one row per patient
//! and month, with a bit per day for each thing counted. The database does
//! the counting: each row is joined to the windows (the period, each month,
//! each week) that cover some of its days, with the bits of those days as a
//! mask, and `COUNT(DISTINCT …)` per window. A report thus reads a few
//! dozen result rows, however many patients lie behind them.

use std::collections::HashMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use sea_orm::{ConnectionTrait, QueryResult};

pub use super::figures::month_start;
use super::figures::{Scope, Sql};
use crate::{error::AppResult, usage::rollups::PATIENT_FLAGS};

/// The position of a flag (a column of `usage_patient_months`).
pub fn flag(name: &str) -> usize {
    PATIENT_FLAGS.iter().position(|(n, _)| *n == name).unwrap_or_else(|| panic!("unknown usage flag {name}"))
}

/// The bits of the days of `month` that fall within `from..=to`.
pub fn clip(month: NaiveDate, from: NaiveDate, to: NaiveDate) -> i32 {
    let next = month + Months::new(1);
    let (first, last) = (from.max(month), to.min(next - Duration::days(1)));
    if first > last {
        return 0;
    }
    let upto = |d: u32| if d >= 31 { i32::MAX } else { (1i32 << d) - 1 };
    upto(last.day()) & !upto(first.day0())
}

fn month_key(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

/// Day windows, each as its months with the bits of its days there.
struct Windows(Vec<(String, NaiveDate, i32)>);

impl Windows {
    fn new() -> Self {
        Windows(Vec::new())
    }

    fn add(&mut self, name: &str, from: NaiveDate, to: NaiveDate) {
        let mut month = month_start(from);
        while month <= to {
            self.0.push((name.to_string(), month, clip(month, from, to)));
            month = month + Months::new(1);
        }
    }

    /// `(VALUES (name, month, mask), …) AS w`: a table both databases name
    /// `column1, column2, column3`.
    fn push_table(&self, sql: &mut Sql) {
        sql.push("(VALUES ");
        for (i, (name, month, mask)) in self.0.iter().enumerate() {
            sql.push(if i == 0 { "(CAST(" } else { ", (CAST(" }).bind(name.clone());
            sql.push(" AS TEXT), CAST(").bind(month_key(*month));
            sql.push(" AS TEXT), CAST(").bind(*mask).push(" AS INTEGER))");
        }
        sql.push(") AS w");
    }
}

/// Distinct patients of a scope: in the period, in each month of the
/// maintenance view, per program and per week.
pub struct PatientCounts {
    /// Per window ("period" or a month "YYYY-MM"): patients per flag, then
    /// therapists with an active patient.
    windows: HashMap<String, Vec<u64>>,
    programs: HashMap<String, (u64, u64)>,
    weekly_active: Vec<u64>,
}

impl PatientCounts {
    /// Counts for `from..=to`, with the months from `first_month` to `to`.
    pub async fn load(
        db: &impl ConnectionTrait,
        scope: &Scope,
        (from, to): (NaiveDate, NaiveDate),
        first_month: NaiveDate,
    ) -> AppResult<Self> {
        let mut period = Windows::new();
        period.add("period", from, to);
        let mut months = Windows::new();
        let mut month = first_month;
        while month <= to {
            months.add(&month_key(month), month, to.min(month + Months::new(1) - Duration::days(1)));
            month = month + Months::new(1);
        }
        let every_flag: Vec<&str> = PATIENT_FLAGS.iter().map(|(name, _)| *name).collect();
        // The months need fewer figures than the period: counting only those
        // halves the work of the larger query. The four queries run side by
        // side on the pool.
        let (in_period, in_months, per_program, weekly_active) = tokio::try_join!(
            window_counts(db, per_window(scope, &period, &every_flag, true), &every_flag, true),
            window_counts(db, per_window(scope, &months, MONTH_FLAGS, false), MONTH_FLAGS, false),
            program_counts(db, per_program(scope, &period)),
            weekly_active(db, scope, from, to),
        )?;
        let windows = in_period.into_iter().chain(in_months).collect();
        Ok(PatientCounts { windows, programs: per_program, weekly_active })
    }

    /// Distinct patients with the flag in the period.
    pub fn in_period(&self, flag: usize) -> u64 {
        self.in_window("period", flag)
    }

    /// Distinct patients with the flag in `month` (clipped to the period's end).
    pub fn in_month(&self, month: NaiveDate, flag: usize) -> u64 {
        self.in_window(&month_key(month), flag)
    }

    fn in_window(&self, window: &str, flag: usize) -> u64 {
        self.windows.get(window).map_or(0, |counts| counts[flag])
    }

    /// Distinct therapists with a patient active in the period.
    pub fn therapists_with_active_patients(&self) -> u64 {
        self.in_window("period", PATIENT_FLAGS.len())
    }

    /// Per program: patients enrolled and activated in the period.
    pub fn by_program(&self) -> &HashMap<String, (u64, u64)> {
        &self.programs
    }

    /// Per week (Monday to Sunday) that overlaps the period: patients active
    /// on a day of that week within the period.
    pub fn weekly_active(&self) -> &[u64] {
        &self.weekly_active
    }
}

fn count_in(row: &QueryResult, column: &str) -> AppResult<u64> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0).max(0) as u64)
}

/// Per window: patients per flag (zero for flags not asked), then therapists.
async fn window_counts(
    db: &impl ConnectionTrait,
    sql: Sql,
    flags: &[&str],
    therapists: bool,
) -> AppResult<HashMap<String, Vec<u64>>> {
    let mut counts = HashMap::new();
    for row in sql.all(db).await? {
        let mut values = vec![0; PATIENT_FLAGS.len() + 1];
        for column in flags {
            values[flag(column)] = count_in(&row, column)?;
        }
        if therapists {
            values[PATIENT_FLAGS.len()] = count_in(&row, "therapists")?;
        }
        counts.insert(row.try_get::<String>("", "win")?, values);
    }
    Ok(counts)
}

async fn program_counts(db: &impl ConnectionTrait, sql: Sql) -> AppResult<HashMap<String, (u64, u64)>> {
    let mut programs = HashMap::new();
    for row in sql.all(db).await? {
        programs.insert(
            row.try_get("", "program_id")?,
            (count_in(&row, "enrolled")?, count_in(&row, "activated")?),
        );
    }
    Ok(programs)
}

fn distinct(flag: &str, what: &str) -> String {
    format!(", COUNT(DISTINCT CASE WHEN (p.{flag} & w.column3) <> 0 THEN {what} END)")
}

/// Rows are found by the join on the month alone: given a month range as
/// well, SQLite seeks that whole range once per window instead of the
/// window's month (a quarter's report read its year twelve times over).
fn from_windows(sql: &mut Sql, scope: &Scope, windows: &Windows) {
    sql.push(" FROM usage_patient_months p JOIN ");
    windows.push_table(sql);
    sql.push(" ON w.column2 = p.month WHERE ").scope("p.", scope);
}

/// The flags the monthly (maintenance) view shows.
const MONTH_FLAGS: &[&str] = &[
    "enrolled",
    "active",
    "diary",
    "feedback_due",
    "feedback",
    "feedback_on_time",
    "completed",
    "dropped_out",
];

fn per_window(scope: &Scope, windows: &Windows, flags: &[&str], therapists: bool) -> Sql {
    let mut sql = Sql::new("SELECT w.column1 AS win");
    for column in flags {
        sql.push(&distinct(column, "p.patient_pseudonym")).push(&format!(" AS {column}"));
    }
    if therapists {
        sql.push(", COUNT(DISTINCT CASE WHEN (p.active & w.column3) <> 0 AND p.therapist_id <> '' ");
        sql.push("THEN p.therapist_id END) AS therapists");
    }
    from_windows(&mut sql, scope, windows);
    sql.push(" GROUP BY w.column1");
    sql
}

fn per_program(scope: &Scope, period: &Windows) -> Sql {
    let mut sql = Sql::new("SELECT p.program_id");
    for column in ["enrolled", "activated"] {
        sql.push(&distinct(column, "p.patient_pseudonym")).push(&format!(" AS {column}"));
    }
    from_windows(&mut sql, scope, period);
    sql.push(" AND p.program_id <> '' GROUP BY p.program_id");
    sql
}

async fn weekly_active(
    db: &impl ConnectionTrait,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<u64>> {
    let monday = from - Duration::days(from.weekday().num_days_from_monday().into());
    let weeks = ((to - monday).num_days() / 7 + 1) as usize;
    let mut windows = Windows::new();
    for week in 0..weeks {
        let start = monday + Duration::weeks(week as i64);
        windows.add(&week.to_string(), start.max(from), (start + Duration::days(6)).min(to));
    }
    let mut sql = Sql::new("SELECT w.column1 AS win, COUNT(DISTINCT p.patient_pseudonym) AS patients");
    from_windows(&mut sql, scope, &windows);
    sql.push(" AND (p.active & w.column3) <> 0 GROUP BY w.column1");
    let mut out = vec![0; weeks];
    for row in sql.all(db).await? {
        let week: String = row.try_get("", "win")?;
        if let Some(slot) = week.parse::<usize>().ok().and_then(|w| out.get_mut(w)) {
            *slot = row.try_get::<Option<i64>>("", "patients")?.unwrap_or(0).max(0) as u64;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn clip_keeps_the_days_of_the_period() {
        let march = day("2026-03-01");
        assert_eq!(clip(march, day("2026-01-01"), day("2026-12-31")), i32::MAX);
        assert_eq!(clip(march, day("2026-03-02"), day("2026-03-03")), 0b110);
        assert_eq!(clip(march, day("2026-03-31"), day("2026-04-30")), 1 << 30);
        assert_eq!(clip(march, day("2026-04-01"), day("2026-04-30")), 0);
        let february = day("2026-02-01");
        assert_eq!(clip(february, day("2026-02-27"), day("2026-03-02")), 0b11 << 26);
    }
}
