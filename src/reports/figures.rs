//! The building blocks of every part of the uptake report: whose figures
//! (`Scope`), the SQL over the rollups (`Sql`, `daily`), the suppressed cell
//! and the month row. The sub-reports and the composer sit above this.

use chrono::{Datelike, Duration, Months, NaiveDate};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};

use crate::{
    error::{AppError, AppResult},
    sql,
};

/// Cells resting on fewer patients than this (but more than none) are hidden.
pub const SUPPRESS_BELOW: u64 = 5;

/// Which part of a clinic's history a report covers.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct ReportQuery {
    /// First day, YYYY-MM-DD (default: 90 days ago)
    pub from: Option<String>,
    /// Last day, included, YYYY-MM-DD (default: today)
    pub to: Option<String>,
    pub team_id: Option<String>,
}

/// A count of patients (or of events resting on them); `null` when
/// suppressed because fewer than five patients are behind it.
pub type Cell = Option<u64>;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// YYYY-MM
    pub month: String,
    /// Patients enrolled that month (reach by month).
    pub enrolled: Cell,
    pub active_patients: Cell,
    pub diary_entries: Cell,
    pub feedback_due: Cell,
    pub feedback_given: Cell,
    pub feedback_on_time: Cell,
    pub completed: Cell,
    pub dropped_out: Cell,
}

/// `value`, unless it rests on 1 to `min - 1` patients.
pub fn shown(value: u64, patients: u64, min: u64) -> Cell {
    (patients == 0 || patients >= min).then_some(value)
}

/// The period, checked: defaults to the last 90 days up to `today`.
pub fn period(query: &ReportQuery, today: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    let day = |field: &str, value: &Option<String>, default: NaiveDate| match value.as_deref() {
        None | Some("") => Ok(default),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::field(field, "Enter a date such as 2026-03-02.")),
    };
    let to = day("to", &query.to, today)?;
    let from = day("from", &query.from, to - Duration::days(89))?;
    if from > to {
        return Err(AppError::field("from", "The first day must come before the last."));
    }
    if to - from > Duration::days(3 * 366) {
        return Err(AppError::field("from", "A report covers at most three years."));
    }
    Ok((from, to))
}

/// Whose figures a report shows.
#[derive(Clone, Debug)]
pub struct Scope {
    pub clinic_id: String,
    pub team_id: Option<String>,
    /// A therapist's own figures: about patients they know, so nothing is
    /// suppressed.
    pub therapist_id: Option<String>,
}

impl Scope {
    pub(super) fn min_patients(&self) -> u64 {
        if self.therapist_id.is_some() {
            1
        } else {
            SUPPRESS_BELOW
        }
    }
}

/// A statement built with its values bound as `$1, $2, …` (`?1, …` on
/// SQLite), so report queries stay readable and never splice in input.
pub(super) struct Sql {
    text: String,
    values: Vec<sea_orm::Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_string(), values: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: impl Into<sea_orm::Value>) -> &mut Self {
        self.values.push(value.into());
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// `clinic_id = … [AND team_id = …] [AND therapist_id = …]`, with the
    /// columns' table `prefix` (such as "e.").
    pub fn scope(&mut self, prefix: &str, scope: &Scope) -> &mut Self {
        self.push(&format!("{prefix}clinic_id = ")).bind(scope.clinic_id.clone());
        for (column, value) in [("team_id", &scope.team_id), ("therapist_id", &scope.therapist_id)] {
            if let Some(value) = value {
                self.push(&format!(" AND {prefix}{column} = ")).bind(value.clone());
            }
        }
        self
    }

    pub async fn all(&self, db: &impl ConnectionTrait) -> AppResult<Vec<QueryResult>> {
        Ok(db.query_all(sql::statement_for(db, &self.text, self.values.clone())).await?)
    }
}

pub(super) fn number(row: &QueryResult, column: &str) -> AppResult<u64> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0).max(0) as u64)
}

pub(super) fn text(row: &QueryResult, column: &str) -> AppResult<String> {
    Ok(row.try_get::<String>("", column)?)
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Events of the scope's rollups in `from..=to` (no patient in them), with
/// `rest` (conditions, grouping) after them. Whole months are read from
/// `usage_monthly`, which has a twentieth of the rows; only the days before
/// and after them from `usage_daily`.
pub(super) fn daily(scope: &Scope, select: &str, (from, to): (NaiveDate, NaiveDate), rest: &str) -> Sql {
    let first_whole = if from.day() == 1 { from } else { month_start(from) + Months::new(1) };
    let after_whole = month_start(to + Duration::days(1));
    let mut sql = Sql::new(&format!("SELECT {select} FROM ("));
    let days = |sql: &mut Sql, first: NaiveDate, last: NaiveDate, union: bool| {
        if first <= last {
            if union {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT month, kind, value_key, program_id, module_id, events FROM usage_daily WHERE ")
                .scope("", scope);
            sql.push(" AND day >= ").bind(first).push(" AND day <= ").bind(last);
        }
    };
    if first_whole < after_whole {
        days(&mut sql, from, first_whole - Duration::days(1), false);
        if from < first_whole {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT month, kind, value_key, program_id, module_id, events FROM usage_monthly WHERE ")
            .scope("", scope);
        let month = |day: NaiveDate| day.format("%Y-%m").to_string();
        sql.push(" AND month >= ").bind(month(first_whole)).push(" AND month < ").bind(month(after_whole));
        days(&mut sql, after_whole, to, true);
    } else {
        days(&mut sql, from, to, false);
    }
    sql.push(") u WHERE 1 = 1").push(rest);
    sql
}
